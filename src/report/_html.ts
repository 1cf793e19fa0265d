// Copyright 2026 the notata authors. MIT license.
// HTML that both the report and a notebook show: escaping, cell values, the
// counts by state, and the runs table as a semantic <table>.

import {
  type Cell,
  type ExperimentModel,
  type RunRow,
  SHOWN_STATES,
  shownState,
} from "./_model.ts";
import type { JsonValue } from "../types.ts";

const ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/** `text` safe inside an element or a quoted attribute. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ESCAPES[char]);
}

/** A number as a person reads it: six significant digits at most. */
export function formatNumber(value: number): string {
  if (Number.isInteger(value) || !Number.isFinite(value)) return String(value);
  return String(Number(value.toPrecision(6)));
}

/** A value as table text: numbers shortened, JSON compact, empty as "". */
export function formatValue(value: Cell | JsonValue | undefined): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "number") return formatNumber(value);
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

/** What a crashed run without a recorded reason says in the reason column. */
const CRASHED_REASON = "the process ended without finishing the run";

/** The reason a run did not finish, for failed and crashed runs. */
export function failureReason(row: RunRow): string {
  const state = shownState(row.status);
  if (state !== "failed" && state !== "crashed") return "";
  return typeof row.failure_reason === "string" && row.failure_reason !== ""
    ? row.failure_reason
    : state === "crashed"
    ? CRASHED_REASON
    : "";
}

/** "4 runs: 3 complete, 1 failed" (states with no runs left out). */
export function countsText(model: ExperimentModel): string {
  const parts = [...SHOWN_STATES, "unknown" as const]
    .filter((state) => model.counts[state] > 0)
    .map((state) => `${model.counts[state]} ${state}`);
  const total = model.rows.length;
  return `${total} ${total === 1 ? "run" : "runs"}${
    parts.length > 0 ? `: ${parts.join(", ")}` : ""
  }`;
}

function numberCell(value: Cell): string {
  if (typeof value !== "number") return `<td>${escapeHtml(formatValue(value))}</td>`;
  const shown = formatNumber(value);
  // The exact value, for sorting, where the shown one is shortened.
  const exact = shown === String(value) ? "" : ` data-v="${value}"`;
  return `<td${exact}>${shown}</td>`;
}

/** CSS that right-aligns the number columns of {@linkcode runsTable}, by position. */
export function numberColumnsStyle(model: ExperimentModel): string {
  const numeric = [
    false,
    ...model.varying.map((c) => c.numeric),
    false,
    ...model.metrics.map((c) => c.numeric),
    true,
  ];
  const selectors = numeric.flatMap((isNumber, i) =>
    isNumber ? [`table.runs td:nth-child(${i + 1})`] : []
  );
  return `${selectors.join(", ")} { text-align: right; }`;
}

/** Options of {@linkcode runsTable}. */
export interface TableOptions {
  /** The runs to show; all of the model's when not given. */
  rows?: RunRow[];
  /** Run ids whose id links to `#run-<id>`. */
  linked?: ReadonlySet<string>;
  /** Header cells get sort buttons (the report's script sorts by them). */
  sortable?: boolean;
}

/** The id of the element holding a run's details. */
export function runAnchor(runId: string): string {
  return `run-${runId}`;
}

/**
 * The runs table: run id, the params that vary, status, metrics, runtime,
 * and why failed and crashed runs did not finish.
 */
export function runsTable(model: ExperimentModel, options: TableOptions = {}): string {
  const rows = options.rows ?? model.rows;
  const withReason = model.rows.some((row) => failureReason(row) !== "");
  const header: { name: string; numeric: boolean; title?: string }[] = [
    { name: "run", numeric: false, title: "run id" },
    ...model.varying,
    { name: "status", numeric: false },
    ...model.metrics,
    { name: "runtime (s)", numeric: true },
    ...(withReason ? [{ name: "failure reason", numeric: false }] : []),
  ];
  const th = header.map(({ name, numeric, title }) => {
    const label = escapeHtml(name);
    const type = numeric ? ' data-type="number"' : "";
    const tip = title === undefined ? "" : ` title="${escapeHtml(title)}"`;
    return options.sortable
      ? `<th scope="col"${type}${tip}><button type="button">${label}</button></th>`
      : `<th scope="col"${type}${tip}>${label}</th>`;
  });
  const body: string[] = [];
  for (const row of rows) {
    const runId = String(row.run_id);
    const state = shownState(row.status);
    const id = escapeHtml(runId);
    const cells = [
      options.linked?.has(runId)
        ? `<th scope="row"><a href="#${escapeHtml(runAnchor(runId))}">${id}</a></th>`
        : `<th scope="row">${id}</th>`,
      ...model.varying.map((column) => numberCell(row[column.name] ?? null)),
      `<td class="status">${state}</td>`,
      ...model.metrics.map((column) => numberCell(row[column.name] ?? null)),
      numberCell(row.runtime_sec ?? null),
    ];
    if (withReason) {
      const reason = failureReason(row);
      cells.push(reason === "" ? "<td></td>" : `<td class="reason">${escapeHtml(reason)}</td>`);
    }
    // 10,000 rows: every byte of a row counts ten thousand times.
    body.push(`<tr class="${state}">${cells.join("")}</tr>`);
  }
  return `<table class="runs"><thead><tr>${th.join("")}</tr></thead><tbody>\n${
    body.join("\n")
  }\n</tbody></table>`;
}

/** A definition list of names and values. */
export function valueList(values: { [key: string]: JsonValue } | [string, Cell][]): string {
  const entries = Array.isArray(values) ? values : Object.entries(values);
  if (entries.length === 0) return "<p>(none)</p>";
  return `<dl class="values">${
    entries.map(([key, value]) =>
      `<dt>${escapeHtml(key)}</dt><dd>${escapeHtml(formatValue(value))}</dd>`
    ).join("")
  }</dl>`;
}
