// The connectors: a card each with its state, its actions (the REST API's own endpoints)
// and its charts. One poll a second: /ui/stats for states, /ui/series for what was sampled
// since the last poll.
"use strict";

// Which charts a connector of each kind has: [name, title, [[key, label, color]]].
const CHARTS = {
  sink: [
    ["rate", "Records / s", [["in", "read from Kafka", "#1a73e8"], ["out", "to Diffusion", "#12a150"]]],
    ["errors", "Errors / s", [["errors", "failed", "#c5221f"], ["dead_lettered", "dead-lettered", "#b06000"]]],
    ["latency", "Publish latency (ms)", [["p50_ms", "p50", "#1a73e8"], ["p99_ms", "p99", "#9334e6"]]],
    ["lag", "Consumer lag (records)", [["lag", "lag", "#e37400"]]],
    ["age", "Last record age (s)", [["age_s", "age", "#5b6470"]]],
  ],
  source: [
    ["rate", "Records / s", [["in", "from Diffusion", "#1a73e8"], ["out", "acknowledged by Kafka", "#12a150"]]],
    ["errors", "Errors / s", [["errors", "failed", "#c5221f"]]],
  ],
};
const MEASURES = ["in", "out", "errors", "dead_lettered", "p50_ms", "p99_ms", "lag", "age_s", "running"];

const Connectors = {
  // The samples the page has: times and, per connector, columns aligned with them.
  t: [],
  series: {},
  keep: 600,
  cards: new Map(),
  stats: null,

  // Appends what /ui/series returned since the last poll, keeping at most `keep` samples.
  take(s) {
    const before = this.t.length;
    this.keep = s.keep || this.keep;
    this.t.push(...s.t);
    for (const [name, cols] of Object.entries(s.connectors)) {
      let mine = this.series[name];
      if (!mine) {
        mine = this.series[name] = { kind: cols.kind };
        for (const k of MEASURES) mine[k] = new Array(before).fill(null);
      }
      mine.kind = cols.kind || mine.kind;
      for (const k of MEASURES) mine[k].push(...cols[k]);
    }
    for (const mine of Object.values(this.series)) {
      for (const k of MEASURES) while (mine[k].length < this.t.length) mine[k].push(null);
    }
    const extra = this.t.length - this.keep;
    if (extra > 0) {
      this.t.splice(0, extra);
      for (const mine of Object.values(this.series)) for (const k of MEASURES) mine[k].splice(0, extra);
    }
  },

  busy: false,

  async poll() {
    // A slow answer is not overtaken by the next second's poll.
    if (this.busy) return;
    this.busy = true;
    try {
      const since = this.t.length ? this.t[this.t.length - 1] : 0;
      const [stats, series] = await Promise.all([
        Api.json("/ui/stats"),
        Api.json(`/ui/series?since=${since}`),
      ]);
      this.stats = stats;
      this.take(series);
      this.render();
    } catch (e) {
      // The worker restarting or credentials missing: the next poll tries again.
    } finally {
      this.busy = false;
    }
  },

  render() {
    const stats = this.stats;
    document.getElementById("version").textContent = `v${stats.version}`;
    const list = document.getElementById("connector-list");
    const names = new Set(stats.connectors.map((c) => c.name));
    for (const [name, card] of this.cards) {
      if (!names.has(name)) { card.remove(); this.cards.delete(name); }
    }
    for (const c of stats.connectors) {
      let card = this.cards.get(c.name);
      if (!card) {
        card = this.card(c);
        this.cards.set(c.name, card);
        list.append(card);
      }
      this.update(card, c);
    }
    document.getElementById("connectors-empty").hidden = stats.connectors.length > 0;
    this.redraw();
    // tree.js loads after this script; the first answer comes after both ran.
    Tree.enabled(stats.topics_enabled);
  },

  redraw() {
    const now = this.t.length ? this.t[this.t.length - 1] : Date.now();
    for (const [name, card] of this.cards) {
      const s = this.series[name];
      if (!s) continue;
      for (const chart of card.querySelectorAll(".chart")) {
        const def = (CHARTS[card.dataset.kind] || []).find((d) => d[0] === chart.dataset.chart);
        if (!def) continue;
        const lines = def[2].map(([key, label, color]) => ({ key, label, color, values: s[key] }));
        Charts.draw(chart, this.t, lines, now);
      }
    }
  },

  card(c) {
    const card = document.createElement("div");
    card.className = "connector";
    card.dataset.connector = c.name;
    card.dataset.kind = c.type;
    card.innerHTML = `
      <div class="connector-head">
        <span class="name"></span><span class="kind"></span><span class="state"></span>
      </div>
      <div class="notes"></div>
      <div class="actions">
        <button type="button" data-action="pause">Pause</button>
        <button type="button" data-action="resume">Resume</button>
        <button type="button" data-action="stop">Stop</button>
        <button type="button" data-action="restart">Restart</button>
        <button type="button" data-action="restart-task">Restart task</button>
        <button type="button" data-action="edit">Edit</button>
        <button type="button" data-action="delete" class="danger">Delete</button>
      </div>
      <div class="action-message"></div>
      <div class="charts"></div>`;
    card.querySelector(".name").textContent = c.name;
    card.querySelector(".kind").textContent = c.type;
    const charts = card.querySelector(".charts");
    for (const [name, title] of CHARTS[c.type] || []) charts.append(Charts.create(title, name));
    for (const b of card.querySelectorAll("[data-action]")) {
      b.addEventListener("click", () => this.act(card, c.name, b.dataset.action, b));
    }
    return card;
  },

  update(card, c) {
    const state = card.querySelector(".state");
    const shown = c.task_state || c.state;
    state.className = "state " + shown;
    state.textContent = c.task_state && c.task_state !== c.state ? `${c.state} / task ${c.task_state}` : c.state;
    card.dataset.state = c.state;
    const notes = card.querySelector(".notes");
    notes.replaceChildren();
    const add = (cls, text, tag) => {
      const n = document.createElement(tag || "div");
      n.className = cls;
      n.textContent = text;
      notes.append(n);
    };
    if (c.task_state === "RUNNING" && !c.diffusion_connected) add("note", "Diffusion disconnected: reconnecting");
    if (c.note) add("note", c.note);
    // A failed task's trace, as the status endpoint gives it.
    if (c.trace) add("trace", c.trace, "pre");
    const can = {
      pause: c.state === "RUNNING",
      resume: c.state === "PAUSED" || c.state === "STOPPED",
      stop: c.state !== "STOPPED",
      restart: true,
      "restart-task": c.task_state !== null && c.task_state !== undefined,
      edit: true,
      delete: true,
    };
    for (const b of card.querySelectorAll("[data-action]")) {
      if (!b.dataset.confirming) b.disabled = !can[b.dataset.action];
    }
  },

  // One action through the REST API; its answer (or error) shows under the buttons.
  async act(card, name, action, button) {
    const message = card.querySelector(".action-message");
    const n = encodeURIComponent(name);
    if (action === "edit") return Editor.edit(name);
    if (action === "delete" && !button.dataset.confirming) {
      // Asked inline rather than with confirm(), which blocks the page.
      button.dataset.confirming = "1";
      button.textContent = "Really delete?";
      setTimeout(() => { delete button.dataset.confirming; button.textContent = "Delete"; }, 4000);
      return;
    }
    const calls = {
      pause: ["PUT", `/connectors/${n}/pause`],
      resume: ["PUT", `/connectors/${n}/resume`],
      stop: ["PUT", `/connectors/${n}/stop`],
      restart: ["POST", `/connectors/${n}/restart?includeTasks=true`],
      "restart-task": ["POST", `/connectors/${n}/tasks/0/restart`],
      delete: ["DELETE", `/connectors/${n}`],
    };
    const [method, path] = calls[action];
    message.className = "action-message";
    message.textContent = `${action}…`;
    try {
      await Api.send(method, path);
      message.textContent = `${action}: done`;
    } catch (e) {
      message.className = "action-message error";
      message.textContent = `${action}: ${e.message}`;
    }
    this.poll();
  },
};

Api.onSignedIn.push(() => Connectors.poll());
Connectors.poll();
setInterval(() => Connectors.poll(), 1000);
