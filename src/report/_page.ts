// Copyright 2026 the notata authors. MIT license.
// The report page's style and script, inlined into every report. The page is
// complete without the script (table, charts and details are in the HTML);
// the script adds sorting, the text filter and the status checkboxes, and
// opens a run's details when its id is followed.

/** No network at all: only inline styles and scripts, images from data: URIs. */
export const CONTENT_SECURITY_POLICY =
  "default-src 'none'; img-src data:; style-src 'unsafe-inline'; script-src 'unsafe-inline'";

/** Rows shown at first; the rest, when they match, after "show all". */
export const ROW_LIMIT = 500;

/** Run in <head>: hides rows past the limit before the table is laid out. */
export const HEAD_SCRIPT = 'document.documentElement.classList.add("limit");';

export const STYLE = `
:root { color-scheme: light dark; --fg: #1b1f24; --muted: #57606a; --bg: #fff; --panel: #f6f8fa;
  --line: #d0d7de; --accent: #0969da; --failed: #cf222e; --crashed: #bc4c00; --running: #0969da;
  --failed-bg: #ffebe9; --crashed-bg: #fff1e5; }
@media (prefers-color-scheme: dark) {
  :root { --fg: #e6edf3; --muted: #9198a1; --bg: #0d1117; --panel: #161b22; --line: #30363d;
    --accent: #4493f8; --failed: #ff7b72; --crashed: #f0883e; --running: #79c0ff;
    --failed-bg: #3a1719; --crashed-bg: #3a2412; }
}
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 1400px; padding: 1rem 1.5rem 3rem; font: 14px/1.45 system-ui,
  -apple-system, "Segoe UI", sans-serif; color: var(--fg); background: var(--bg); }
h1 { font-size: 1.6rem; margin: 0.2rem 0; } h2 { font-size: 1.25rem; margin: 2rem 0 0.6rem; }
h3 { font-size: 1rem; margin: 0; } h4 { font-size: 0.9rem; margin: 0.8rem 0 0.3rem; }
a { color: var(--accent); } .meta { color: var(--muted); margin: 0.2rem 0; word-break: break-all; }
nav a { margin-right: 1rem; }
.counts { display: flex; flex-wrap: wrap; gap: 0.5rem; list-style: none; padding: 0; margin: 0.6rem 0; }
.counts li { border: 1px solid var(--line); border-radius: 999px; padding: 0.1rem 0.7rem; background: var(--panel); }
.counts .failed { color: var(--failed); } .counts .crashed { color: var(--crashed); }
.counts .running { color: var(--running); }
#controls { display: flex; flex-wrap: wrap; gap: 1rem; align-items: center; margin-bottom: 0.5rem; }
#controls[hidden] { display: none; }
#filter { font: inherit; padding: 0.3rem 0.5rem; min-width: 16rem; color: var(--fg); background: var(--bg);
  border: 1px solid var(--line); border-radius: 6px; }
#shown { color: var(--muted); }
#more { font: inherit; color: var(--accent); background: var(--panel); border: 1px solid var(--line);
  border-radius: 6px; padding: 0.2rem 0.6rem; cursor: pointer; }
#more[hidden] { display: none; }
html.limit table.runs tbody tr:nth-child(n+${ROW_LIMIT + 1}) { display: none; }
.table-wrap { max-height: 70vh; overflow: auto; border: 1px solid var(--line); border-radius: 6px; }
table.runs { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
table.runs th, table.runs td { padding: 0.25rem 0.6rem; border-bottom: 1px solid var(--line); text-align: left;
  white-space: nowrap; }
table.runs thead th { position: sticky; top: 0; background: var(--panel); z-index: 1; }
table.runs th button { all: unset; cursor: pointer; font-weight: 600; }
table.runs th button:focus-visible { outline: 2px solid var(--accent); }
th[aria-sort="ascending"] button::after { content: " ▲"; }
th[aria-sort="descending"] button::after { content: " ▼"; }
table.runs tbody th { font-weight: normal; }
table.runs .reason { white-space: normal; min-width: 14rem; }
tr.failed { background: var(--failed-bg); } tr.failed .status, tr.failed .reason { color: var(--failed); }
tr.crashed { background: var(--crashed-bg); } tr.crashed .status, tr.crashed .reason { color: var(--crashed); }
tr.running .status { color: var(--running); }
.charts { display: flex; flex-wrap: wrap; gap: 1rem; }
figure { margin: 0; }
figure.chart { border: 1px solid var(--line); border-radius: 6px; padding: 0.5rem; background: var(--panel);
  width: min-content; max-width: 100%; overflow-x: auto; }
figure.chart figcaption { color: var(--muted); font-size: 0.85rem; }
figure.chart svg text { fill: var(--fg); }
figure.chart svg .role-axis-grid line { stroke: var(--line); }
figure.chart svg .role-axis-domain line, figure.chart svg .role-axis-tick line { stroke: var(--muted); }
details.run { border: 1px solid var(--line); border-radius: 6px; margin: 0.4rem 0; padding: 0.3rem 0.8rem; }
details.run > summary { cursor: pointer; }
details.run.failed > summary { color: var(--failed); } details.run.crashed > summary { color: var(--crashed); }
.run-body { display: flex; flex-wrap: wrap; gap: 0 2rem; }
.run-body > section { min-width: 16rem; max-width: 100%; }
dl.values { display: grid; grid-template-columns: max-content auto; gap: 0.1rem 1rem; margin: 0; }
dl.values dt { color: var(--muted); } dl.values dd { margin: 0; word-break: break-all; }
pre.log { background: var(--panel); border: 1px solid var(--line); border-radius: 6px; padding: 0.5rem;
  overflow-x: auto; max-width: 60rem; font-size: 12px; }
.plots { display: flex; flex-wrap: wrap; gap: 1rem; }
figure.plot img { max-width: 480px; width: 100%; background: #fff; border: 1px solid var(--line); }
figure.plot figcaption { color: var(--muted); font-size: 0.85rem; }
.error { color: var(--failed); }
`;

export const SCRIPT = `
"use strict";
(() => {
  const table = document.querySelector("table.runs");
  const controls = document.getElementById("controls");
  if (table && controls) {
    const body = table.tBodies[0];
    const total = body.rows.length;
    const filter = document.getElementById("filter");
    const boxes = Array.from(controls.querySelectorAll("input[type=checkbox]"));
    const shown = document.getElementById("shown");
    const more = document.getElementById("more");
    const texts = new Map();
    const textOf = (row) => {
      let text = texts.get(row);
      if (text === undefined) texts.set(row, text = row.textContent.toLowerCase());
      return text;
    };
    // Rows past the first ROW_LIMIT that match stay hidden until "show all":
    // laying out 10,000 rows would keep the page busy for seconds.
    let limit = ${ROW_LIMIT};
    const apply = () => {
      const words = filter.value.toLowerCase().split(/\\s+/).filter(Boolean);
      const states = new Set(boxes.filter((box) => box.checked).map((box) => box.value));
      let matching = 0;
      for (const row of body.rows) {
        const match = states.has(row.className) && words.every((word) => textOf(row).includes(word));
        if (match) matching++;
        const hide = !match || matching > limit;
        if (row.hidden !== hide) row.hidden = hide; // untouched rows need no new style
      }
      const visible = Math.min(matching, limit);
      shown.textContent = visible + " of " + total + " runs shown" +
        (matching > visible ? " (" + matching + " match)" : "");
      more.hidden = matching <= visible;
      more.textContent = "Show all " + matching;
      document.documentElement.classList.remove("limit");
    };
    more.addEventListener("click", () => {
      limit = Infinity;
      apply();
    });
    filter.addEventListener("input", apply);
    boxes.forEach((box) => box.addEventListener("change", apply));
    const collator = new Intl.Collator(undefined, { numeric: true });
    const headers = Array.from(table.tHead.rows[0].cells);
    headers.forEach((th, column) => {
      th.querySelector("button").addEventListener("click", () => {
        const ascending = th.getAttribute("aria-sort") !== "ascending";
        headers.forEach((header) => header.removeAttribute("aria-sort"));
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        const numeric = th.dataset.type === "number";
        const keyed = Array.from(body.rows, (row) => {
          const cell = row.cells[column];
          const text = cell.dataset.v !== undefined ? cell.dataset.v : cell.textContent;
          return [numeric ? (text === "" ? NaN : Number(text)) : text, row];
        });
        const empty = (key) => key === "" || Number.isNaN(key);
        keyed.sort(([a], [b]) => {
          // Empty cells go last in either direction.
          if (empty(a) || empty(b)) return empty(a) - empty(b);
          const order = numeric ? a - b : collator.compare(a, b);
          return ascending ? order : -order;
        });
        const fragment = document.createDocumentFragment();
        for (const [, row] of keyed) fragment.append(row);
        body.append(fragment);
        apply();
      });
    });
    apply();
    controls.hidden = false;
  }
  const openTarget = () => {
    const target = location.hash.length > 1 && document.getElementById(decodeURIComponent(location.hash.slice(1)));
    if (target && target.tagName === "DETAILS") target.open = true;
  };
  addEventListener("hashchange", openTarget);
  openTarget();
  document.documentElement.dataset.ready = "";
})();
`;
