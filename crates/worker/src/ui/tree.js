// The Diffusion topic tree: expandable by path segment, each topic with its type, latest
// value, update rate and how long ago it changed; a topic selector narrows it (the worker
// matches it: /ui/topics). Values arrive on /ui/events and are written into their row in
// place, so a change shows as soon as it arrives.
"use strict";

const Tree = {
  topics: new Map(),          // path -> {path, type, value, updates, changed}
  children: new Map([["", new Set()]]), // node path ("" the root) -> child node paths
  expanded: new Set([""]),
  rows: new Map(),            // node path -> its <li>, when shown
  counts: new Map(),          // path -> updates seen at each of the last seconds, for rates
  filter: null,               // the node paths a search matched (and their ancestors), or null
  selected: null,
  root: document.getElementById("tree"),
  status: document.getElementById("topics-status"),

  parentOf(path) {
    const i = path.lastIndexOf("/");
    return i < 0 ? "" : path.slice(0, i);
  },

  visible(path) {
    return !this.filter || this.filter.has(path);
  },

  take(v) {
    if (v.value === null) {
      this.topics.delete(v.path);
      this.counts.delete(v.path);
      const li = this.rows.get(v.path);
      if (li && !(this.children.get(v.path) || new Set()).size) {
        li.remove();
        this.rows.delete(v.path);
        this.children.get(this.parentOf(v.path)).delete(v.path);
      } else if (li) {
        this.fillRow(li);
      }
      return;
    }
    this.topics.set(v.path, v);
    // Every ancestor is a node; a new one shows if its parent is open.
    let path = v.path;
    while (path !== "") {
      const parent = this.parentOf(path);
      if (!this.children.has(parent)) this.children.set(parent, new Set());
      const siblings = this.children.get(parent);
      if (siblings.has(path)) { path = parent; continue; }
      siblings.add(path);
      const list = parent === "" ? this.root : this.rows.get(parent) && this.rows.get(parent).querySelector(":scope > ul");
      if (list && this.expanded.has(parent) && this.visible(path)) this.insert(list, path);
      path = parent;
    }
    const li = this.rows.get(v.path);
    if (li) {
      this.fillRow(li);
      const row = li.firstElementChild;
      row.classList.add("fresh");
      requestAnimationFrame(() => requestAnimationFrame(() => row.classList.remove("fresh")));
    }
    if (this.selected === v.path) this.detail();
  },

  // Adds the node's <li> to `list`, in path order.
  insert(list, path) {
    const li = this.node(path);
    const after = [...list.children].find((x) => x.dataset.path > path);
    list.insertBefore(li, after || null);
  },

  node(path) {
    const li = document.createElement("li");
    li.dataset.path = path;
    li.setAttribute("role", "treeitem");
    li.innerHTML = `<div class="row"><span class="toggle"></span><span class="name"></span><span class="type"></span><code class="value"></code><span class="rate"></span><span class="age"></span></div><ul role="group"></ul>`;
    li.querySelector(".name").textContent = path.slice(path.lastIndexOf("/") + 1);
    li.firstElementChild.addEventListener("click", () => this.click(path));
    this.rows.set(path, li);
    this.fillRow(li);
    if (this.expanded.has(path)) this.open(li, path);
    return li;
  },

  fillRow(li) {
    const path = li.dataset.path;
    const t = this.topics.get(path);
    const kids = (this.children.get(path) || new Set()).size;
    li.querySelector(".toggle").textContent = kids ? (this.expanded.has(path) ? "▾" : "▸") : "";
    li.setAttribute("aria-expanded", kids ? String(this.expanded.has(path)) : "");
    li.querySelector(".type").textContent = t ? t.type : "";
    li.querySelector(".value").textContent = t ? JSON.stringify(t.value) : (kids ? `${kids} below` : "");
    li.querySelector(".value").classList.toggle("muted", !t);
    this.fillTimes(li);
  },

  fillTimes(li) {
    const t = this.topics.get(li.dataset.path);
    li.querySelector(".rate").textContent = t ? `${Charts.format(this.rate(t.path))}/s` : "";
    li.querySelector(".age").textContent = t ? this.ago(t.changed) : "";
  },

  open(li, path) {
    const list = li.querySelector(":scope > ul");
    list.replaceChildren();
    for (const child of [...(this.children.get(path) || [])].sort()) {
      if (this.visible(child)) this.insert(list, child);
    }
  },

  click(path) {
    if ((this.children.get(path) || new Set()).size) {
      const li = this.rows.get(path);
      if (this.expanded.has(path)) {
        this.expanded.delete(path);
        this.forget(li);
        li.querySelector(":scope > ul").replaceChildren();
      } else {
        this.expanded.add(path);
        this.open(li, path);
      }
      this.fillRow(li);
    }
    if (this.topics.has(path)) this.select(path);
  },

  // Rows below a closed node are no longer shown.
  forget(li) {
    for (const d of li.querySelectorAll("li[data-path]")) this.rows.delete(d.dataset.path);
  },

  select(path) {
    if (this.selected && this.rows.get(this.selected)) this.rows.get(this.selected).firstElementChild.classList.remove("selected");
    this.selected = path;
    if (this.rows.get(path)) this.rows.get(path).firstElementChild.classList.add("selected");
    this.detail();
  },

  detail() {
    const t = this.topics.get(this.selected);
    const pane = document.getElementById("topic-detail");
    pane.hidden = !t;
    if (!t) return;
    document.getElementById("detail-path").textContent = t.path;
    document.getElementById("detail-type").textContent = t.type;
    document.getElementById("detail-meta").textContent =
      `${t.updates} updates seen · ${Charts.format(this.rate(t.path))}/s · changed ${this.ago(t.changed)} (${new Date(t.changed).toLocaleTimeString()})`;
    document.getElementById("detail-value").textContent = JSON.stringify(t.value, null, 2);
  },

  // Updates per second over the last ten seconds.
  rate(path) {
    const c = this.counts.get(path);
    if (!c || c.length < 2) return 0;
    return (c[c.length - 1] - c[0]) / (c.length - 1);
  },

  ago(ms) {
    const s = Math.max(0, Math.round((Date.now() - ms) / 1000));
    if (s < 60) return `${s} s ago`;
    if (s < 3600) return `${Math.round(s / 60)} min ago`;
    return `${Math.round(s / 3600)} h ago`;
  },

  // Once a second: the rate windows move, and the shown rows' rates and ages with them.
  tick() {
    for (const t of this.topics.values()) {
      let c = this.counts.get(t.path);
      if (!c) this.counts.set(t.path, (c = []));
      c.push(t.updates);
      if (c.length > 11) c.shift();
    }
    for (const li of this.rows.values()) this.fillTimes(li);
    if (this.selected) this.detail();
  },

  rebuild() {
    this.rows.clear();
    this.root.replaceChildren();
    for (const child of [...this.children.get("")].sort()) if (this.visible(child)) this.insert(this.root, child);
  },

  async search(selector) {
    if (!selector.trim()) {
      this.filter = null;
      this.rebuild();
      this.say("");
      return;
    }
    let answer;
    try {
      answer = await Api.json(`/ui/topics?selector=${encodeURIComponent(selector)}`);
    } catch (e) {
      this.say(e.message, "error");
      return;
    }
    this.filter = new Set();
    for (const t of answer.topics) {
      this.take(t);
      // The match and its ancestors show, opened down to it.
      for (let p = t.path; p !== ""; p = this.parentOf(p)) {
        this.filter.add(p);
        if (p !== t.path) this.expanded.add(p);
      }
    }
    // A selected topic the search left out is no longer shown in detail either.
    if (this.selected && !this.filter.has(this.selected)) {
      this.selected = null;
      this.detail();
    }
    this.rebuild();
    this.say(`${answer.topics.length} topic(s) match ${answer.selector}${answer.truncated ? " (only the first shown)" : ""}`);
  },

  say(text, cls) {
    this.status.textContent = text;
    this.status.className = "muted " + (cls || "");
  },

  started: false,
  enabled(on) {
    if (this.started) return;
    this.started = true;
    if (!on) {
      this.say("Set ui.diffusion.url (and ui.diffusion.username, ui.diffusion.password) in the worker properties to watch topics here.");
      return;
    }
    Api.json("/ui/topics?selector=").then((a) => {
      document.getElementById("topics-url").textContent = a.url || "";
    }, () => {});
    Api.stream("/ui/events", (data) => {
      this.take(JSON.parse(data));
      if (this.status.textContent.startsWith("Waiting")) this.say("");
    }, (state) => {
      if (state === "open") this.say("Waiting for topic values…");
      else this.say("Reconnecting to the worker…");
    });
    setInterval(() => this.tick(), 1000);
  },
};

document.getElementById("topic-search").addEventListener("submit", (e) => {
  e.preventDefault();
  Tree.search(document.getElementById("selector").value);
});
document.getElementById("clear-search").addEventListener("click", () => {
  document.getElementById("selector").value = "";
  Tree.search("");
});
