// Line charts in plain SVG, drawn from the worker's sampled series (/ui/series). Nothing
// is loaded from elsewhere; each chart is redrawn whole once a second, which for a few
// hundred points is cheaper than keeping a library's state.
"use strict";

const SVG_NS = "http://www.w3.org/2000/svg";

const Charts = {
  windowMs: 300000,
  width: 300,
  height: 110,
  margin: { left: 38, right: 6, top: 6, bottom: 16 },

  // A readable number: 1234 -> "1.2k", 0.0123 -> "0.012".
  format(v) {
    if (v === null || v === undefined || Number.isNaN(v)) return "–";
    const a = Math.abs(v);
    if (a >= 1e6) return (v / 1e6).toFixed(1) + "M";
    if (a >= 1e4) return (v / 1e3).toFixed(0) + "k";
    if (a >= 1e3) return (v / 1e3).toFixed(1) + "k";
    if (a >= 10 || a === 0) return v.toFixed(0);
    if (a >= 1) return String(Number(v.toFixed(1)));
    return v.toPrecision(2);
  },

  // The smallest of 1, 2, 5 x 10^n at least v.
  niceMax(v) {
    if (!(v > 0)) return 1;
    const p = Math.pow(10, Math.floor(Math.log10(v)));
    for (const m of [1, 2, 5, 10]) if (m * p >= v) return m * p;
    return 10 * p;
  },

  el(name, attrs, text) {
    const e = document.createElementNS(SVG_NS, name);
    for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
    if (text !== undefined) e.textContent = text;
    return e;
  },

  // Draws `lines` ([{key, label, color, values}], values aligned with `t`) into the chart
  // element (an <svg> and a legend), over the last `windowMs` up to `now`.
  draw(chart, t, lines, now) {
    const svg = chart.querySelector("svg");
    const { width: W, height: H, margin: m } = this;
    const from = now - this.windowMs;
    const x = (ms) => m.left + ((ms - from) / this.windowMs) * (W - m.left - m.right);
    let first = t.findIndex((ms) => ms >= from);
    if (first < 0) first = t.length;
    let max = 0;
    for (const l of lines) for (let i = first; i < t.length; i++) if (l.values[i] > max) max = l.values[i];
    max = this.niceMax(max);
    const y = (v) => H - m.bottom - (v / max) * (H - m.top - m.bottom);
    svg.replaceChildren();
    svg.setAttribute("viewBox", `0 0 ${W} ${H}`);
    for (const v of [0, max / 2, max]) {
      svg.append(this.el("line", { class: "grid", x1: m.left, x2: W - m.right, y1: y(v), y2: y(v) }));
      svg.append(this.el("text", { x: m.left - 4, y: y(v) + 3, "text-anchor": "end" }, this.format(v)));
    }
    const minutes = this.windowMs / 60000;
    svg.append(this.el("text", { x: m.left, y: H - 3 }, `-${minutes} min`));
    svg.append(this.el("text", { x: W - m.right, y: H - 3, "text-anchor": "end" }, "now"));
    let points = 0;
    for (const [n, l] of lines.entries()) {
      // One polyline per run without gaps (a gap: the connector did not exist, or the
      // value is unknown).
      let run = [];
      const flush = () => {
        if (run.length > 1) svg.append(this.el("polyline", { class: `line${n}`, points: run.join(" "), stroke: l.color, "data-series": l.key }));
        // A lone sample (a connector just created, a value between gaps) as a dot.
        if (run.length === 1) {
          const [cx, cy] = run[0].split(",");
          svg.append(this.el("circle", { cx, cy, r: 1.8, fill: l.color, "data-series": l.key }));
        }
        run = [];
      };
      let last = null;
      for (let i = first; i < t.length; i++) {
        const v = l.values[i];
        if (v === null || v === undefined) { flush(); continue; }
        run.push(`${x(t[i]).toFixed(1)},${y(v).toFixed(1)}`);
        last = v;
        points++;
      }
      flush();
      // The dataset keeps the last value drawn (what a test reads).
      chart.dataset["last" + l.key[0].toUpperCase() + l.key.slice(1)] = last === null ? "" : String(last);
    }
    chart.dataset.points = String(points);
    chart.drawn = { t, lines, first, x };
    this.legend(chart);
  },

  // The legend: each line's value at the sample under the pointer, or else the latest
  // sample's ("–" once a paused task no longer has a lag, say).
  legend(chart) {
    const { t, lines, first, x } = chart.drawn;
    let i = t.length - 1;
    let when = "";
    if (chart.hoverX !== undefined && t.length > first) {
      // The sample nearest the pointer.
      i = first;
      for (let j = first; j < t.length; j++) if (Math.abs(x(t[j]) - chart.hoverX) < Math.abs(x(t[i]) - chart.hoverX)) i = j;
      when = new Date(t[i]).toLocaleTimeString();
    }
    const svg = chart.querySelector("svg");
    const old = svg.querySelector(".cursor");
    if (old) old.remove();
    if (when) {
      const { height: H, margin: m } = this;
      svg.append(this.el("line", { class: "cursor", x1: x(t[i]), x2: x(t[i]), y1: m.top, y2: H - m.bottom }));
    }
    const legend = chart.querySelector(".legend");
    legend.replaceChildren();
    for (const l of lines) {
      const v = i >= first ? l.values[i] : null;
      const item = document.createElement("span");
      const swatch = document.createElement("i");
      swatch.style.background = l.color;
      item.append(swatch, `${l.label} ${this.format(v)}`);
      legend.append(item);
    }
    if (when) {
      const at = document.createElement("span");
      at.className = "muted";
      at.textContent = `at ${when}`;
      legend.append(at);
    }
  },

  // An empty chart: a title, the SVG and a legend.
  create(title, name) {
    const chart = document.createElement("div");
    chart.className = "chart";
    chart.dataset.chart = name;
    const h = document.createElement("h3");
    h.textContent = title;
    const legend = document.createElement("div");
    legend.className = "legend";
    const svg = this.el("svg", { role: "img", "aria-label": title });
    chart.append(h, svg, legend);
    // Pointing at a chart reads its values at that moment.
    svg.addEventListener("mousemove", (e) => {
      const box = svg.getBoundingClientRect();
      chart.hoverX = ((e.clientX - box.left) / box.width) * this.width;
      if (chart.drawn) this.legend(chart);
    });
    svg.addEventListener("mouseleave", () => {
      delete chart.hoverX;
      if (chart.drawn) this.legend(chart);
    });
    return chart;
  },
};

document.getElementById("window").addEventListener("change", (e) => {
  Charts.windowMs = Number(e.target.value);
  Connectors.redraw();
});
