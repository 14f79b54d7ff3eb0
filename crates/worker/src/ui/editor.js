// Creating a connector from one of the repository's samples, or editing one's config:
// key/value rows checked with the validate endpoint, each key's errors shown under it.
"use strict";

const Editor = {
  dialog: document.getElementById("editor"),
  rows: document.getElementById("config-rows"),
  message: document.getElementById("editor-message"),
  samples: [],
  // The connector being edited; null when creating.
  editing: null,

  row(key, value) {
    const tr = document.createElement("tr");
    tr.innerHTML = `<td><input class="key" spellcheck="false"></td><td><input class="val" spellcheck="false"><div class="key-error"></div></td><td><button type="button" title="Remove">×</button></td>`;
    tr.querySelector(".key").value = key;
    tr.querySelector(".val").value = value;
    const hide = () => { tr.querySelector(".val").type = /password|secret/.test(tr.dataset.key) ? "password" : "text"; };
    tr.dataset.key = key;
    hide();
    tr.querySelector(".key").addEventListener("input", (e) => { tr.dataset.key = e.target.value.trim(); hide(); });
    tr.querySelector("button").addEventListener("click", () => tr.remove());
    this.rows.append(tr);
    return tr;
  },

  fill(config) {
    this.rows.replaceChildren();
    for (const [k, v] of Object.entries(config)) this.row(k, v);
    this.say("");
  },

  config() {
    const config = {};
    for (const tr of this.rows.children) {
      const k = tr.querySelector(".key").value.trim();
      if (k) config[k] = tr.querySelector(".val").value;
    }
    return config;
  },

  say(text, cls) {
    this.message.textContent = text;
    this.message.className = "message " + (cls || "");
  },

  async create() {
    this.editing = null;
    document.getElementById("editor-title").textContent = "New connector";
    document.getElementById("save").textContent = "Create";
    document.getElementById("sample-field").hidden = false;
    const name = document.getElementById("connector-name");
    name.disabled = false;
    try {
      this.samples = (await Api.json("/ui/samples")).samples;
    } catch (e) {
      this.samples = [];
    }
    const select = document.getElementById("sample");
    select.replaceChildren();
    for (const [i, s] of this.samples.entries()) {
      const o = document.createElement("option");
      o.value = String(i);
      o.textContent = `${s.file} (${s.name})`;
      select.append(o);
    }
    this.useSample(0);
    this.dialog.showModal();
  },

  useSample(i) {
    const s = this.samples[i];
    if (!s) { this.fill({}); return; }
    document.getElementById("connector-name").value = s.name;
    this.fill(s.config);
  },

  async edit(name) {
    this.editing = name;
    document.getElementById("editor-title").textContent = `Edit ${name}`;
    document.getElementById("save").textContent = "Save";
    document.getElementById("sample-field").hidden = true;
    const field = document.getElementById("connector-name");
    field.value = name;
    field.disabled = true;
    try {
      this.fill(await Api.json(`/connectors/${encodeURIComponent(name)}/config`));
    } catch (e) {
      this.fill({});
      this.say(e.message, "error");
    }
    this.dialog.showModal();
  },

  // Validates; shows each key's errors under its row (adding a row for a missing key).
  // Resolves to whether the config is valid.
  async validate() {
    for (const tr of this.rows.children) {
      tr.classList.remove("invalid");
      tr.querySelector(".key-error").textContent = "";
    }
    const config = this.config();
    config.name = document.getElementById("connector-name").value.trim();
    const cls = config["connector.class"];
    if (!cls) {
      this.say("connector.class is required", "error");
      return false;
    }
    let answer;
    try {
      answer = await Api.send("PUT", `/connector-plugins/${encodeURIComponent(cls)}/config/validate`, config);
    } catch (e) {
      this.say(e.message, "error");
      return false;
    }
    for (const c of answer.configs) {
      const errors = c.value.errors || [];
      if (!errors.length || c.value.name === "name") continue;
      let tr = [...this.rows.children].find((r) => r.dataset.key === c.value.name);
      if (!tr) tr = this.row(c.value.name, "");
      tr.classList.add("invalid");
      tr.querySelector(".key-error").textContent = errors.join("; ");
    }
    const nameErrors = answer.configs.filter((c) => c.value.name === "name").flatMap((c) => c.value.errors);
    if (answer.error_count === 0) {
      this.say("Valid.", "ok");
      return true;
    }
    this.say(`${answer.error_count} error(s)${nameErrors.length ? ": " + nameErrors.join("; ") : ""}`, "error");
    return false;
  },

  async save() {
    if (!(await this.validate())) return;
    const name = document.getElementById("connector-name").value.trim();
    try {
      if (this.editing) {
        await Api.send("PUT", `/connectors/${encodeURIComponent(this.editing)}/config`, this.config());
      } else {
        await Api.send("POST", "/connectors", { name, config: this.config() });
      }
      this.dialog.close();
      Connectors.poll();
    } catch (e) {
      this.say(e.message, "error");
    }
  },
};

document.getElementById("new-connector").addEventListener("click", () => Editor.create());
document.getElementById("sample").addEventListener("change", (e) => Editor.useSample(Number(e.target.value)));
document.getElementById("add-key").addEventListener("click", () => Editor.row("", "").querySelector(".key").focus());
document.getElementById("validate").addEventListener("click", () => Editor.validate());
document.getElementById("save").addEventListener("click", () => Editor.save());
document.getElementById("cancel").addEventListener("click", () => Editor.dialog.close());
