// Copyright 2026 the notata authors. MIT license.
// The check of index rows another writer appended (another process, or the
// Python notata in its own column order) against their run directories:
// keep a row that lines up, or give the run directory's row to write
// instead, keeping cells of columns no run gives.

import { compareCodePoints, formatJsonCompact, parseJson } from "../_json.ts";
import type { JsonValue } from "../types.ts";
import { type ColumnRole, formatCell, rowCells, type RunRow, type RunRows } from "./cells.ts";

const PYTHON_NAN = /^[+-]?nan$/i;
const PYTHON_INFINITY = /^([+-]?)inf(?:inity)?$/i;

// Whether the cell text `text` holds `value`, as notata or the Python
// notata writes it (`1.0` and `1e-07` for numbers, `True` for booleans).
function sameValue(text: string, value: JsonValue): boolean {
  if (value === null) return text === "";
  switch (typeof value) {
    case "number": {
      if (Number.isNaN(value)) return PYTHON_NAN.test(text);
      const infinity = PYTHON_INFINITY.exec(text);
      if (infinity !== null) return value === (infinity[1] === "-" ? -Infinity : Infinity);
      return text.trim() === text && text !== "" && Number(text) === value;
    }
    case "boolean":
      return text.toLowerCase() === String(value);
    case "string":
      return text === value;
  }
  try {
    return text === formatCell(value) || formatJsonCompact(parseJson(text)) === formatCell(value);
  } catch {
    return false;
  }
}

/**
 * Whether the record `values` (unquoted cells) under `header` holds the
 * values of `run`: no more fields than the header, each param, metric and
 * extra cell equal to the run's (a row may end before the extra columns, as
 * the Python notata's rows do), the status the run's state or the one the
 * Python notata writes for it. Columns in `free` may hold anything.
 */
function matchesRun(
  header: string[],
  values: string[],
  run: RunRow,
  free: ReadonlySet<string>,
): boolean {
  if (values.length > header.length) return false;
  const cells = rowCells(run.row);
  return header.every((name, i) => {
    if (free.has(name)) return true;
    const text = values[i];
    const cell = cells.get(name);
    if (text === undefined) return cell === undefined || cell[0] === "extra" || cell[1] === null;
    if (cell === undefined) return text === "";
    if (cell[0] === "status") return text === cell[1] || text === run.pythonStatus;
    return sameValue(text, cell[1]);
  });
}

/**
 * The columns of the row the Python notata writes for `run`, in its order:
 * `{"run_id", **params, "status", **metrics}` as a Python dict orders them,
 * params and metrics by sorted key (PyYAML and `json.dump` sort them), a
 * nested object as one column, and `error_reason` instead of the metrics
 * when its metrics file does not read.
 */
function pythonLayout(run: RunRow): string[] {
  const { params, metrics } = run.row;
  const tail = run.pythonStatus === "error" ? ["error_reason"] : Object.keys(metrics);
  return [
    ...new Set([
      "run_id",
      ...Object.keys(params).sort(compareCodePoints),
      "status",
      ...tail.sort(compareCodePoints),
    ]),
  ];
}

/**
 * The non-empty cells of the record `values` in columns that no run gives,
 * when the record holds the values of `run`: read under `header` (where the
 * columns in `free` are ones no run gives), or else in the order the Python
 * notata writes the run's row (its appends follow its own order, not the
 * header's). `undefined` when the record holds other values.
 */
export function keptCells(
  header: string[],
  values: string[],
  run: RunRow,
  free: ReadonlySet<string>,
): { cells: Map<string, string>; inHeaderOrder: boolean } | undefined {
  const layout = pythonLayout(run);
  const given = rowCells(run.row);
  const readings: [string[], ReadonlySet<string>][] = [
    [header, free],
    [layout, new Set(layout.filter((name) => !given.has(name)))],
  ];
  for (const [names, others] of readings) {
    if (!matchesRun(names, values, run, others)) continue;
    const cells = new Map(
      names.flatMap((name, i) => others.has(name) && values[i] ? [[name, values[i]]] : []),
    );
    return { cells, inHeaderOrder: names === header };
  }
  return undefined;
}

/**
 * What to do with a record that another process or writer appended: keep
 * it as it stands (`"keep"`), or write the run directory's row instead,
 * with the cells `kept` in columns no run gives (the Python notata's
 * `error_reason`). A record whose run directory cannot tell is kept: on a
 * file system whose caches lag (another node's new run), the directory or
 * its metadata may not show yet, and only `reindex()`, which reads every
 * run, drops rows of runs that are gone.
 */
export type Verdict = "keep" | { run: RunRow; kept: Map<string, string> };

export function judge(
  header: string[],
  values: string[],
  runRows: RunRows,
  free: ReadonlySet<string>,
): Verdict {
  const run = runRows(values[0] ?? "");
  if (run === undefined) return "keep";
  const kept = keptCells(header, values, run, free);
  if (kept?.inHeaderOrder) return "keep";
  return { run, kept: kept?.cells ?? new Map() };
}

/**
 * The cells of `run`'s row, with the `kept` cells of columns that neither
 * it nor any run in `given` (the index's columns runs give) has.
 */
export function repairedCells(
  run: RunRow,
  kept: Map<string, string>,
  given: ReadonlySet<string>,
): Map<string, [ColumnRole, JsonValue]> {
  const cells = rowCells(run.row);
  for (const [name, text] of kept) {
    if (!cells.has(name) && !given.has(name)) cells.set(name, ["other", text]);
  }
  return cells;
}
