// Copyright 2026 the notata authors. MIT license.
// What a row of the experiment index holds: its columns' roles and types,
// and a run's cells, as the writer (csv.ts) and the row check (check.ts)
// both see them.

import { flattenObject, formatJsonCompact } from "../_json.ts";
import { formatCsvNumber } from "../_csv.ts";
import type { JsonValue, RunState } from "../types.ts";

/**
 * The type of the values a column was given. `int` and `float` are both
 * numbers; a column given both is `float`. `int` is a safe integer
 * (|v| < 2^53): larger whole numbers are `float`, as JavaScript holds them.
 * `json` holds arrays and empty objects, written as JSON text. `empty` has
 * seen no value yet. A column given values of different kinds is `string`.
 */
export type ColumnType = "int" | "float" | "bool" | "string" | "json" | "empty";

/**
 * Where a column's values come from; the header is ordered by role. `other`
 * columns come from rows another writer added (the Python notata's
 * `error_reason`, a nested param it wrote as one column, a column added by
 * hand): no run directory gives them, so their values are kept as written.
 */
export type ColumnRole = "id" | "param" | "status" | "metric" | "extra" | "other";

/**
 * One column of the index, as `index.schema.json` records it.
 */
export interface IndexColumn {
  /** The header name: a param or metric key, dotted for nested objects. */
  name: string;
  /** Where its values come from. */
  role: ColumnRole;
  /** The type of the values written so far. */
  type: ColumnType;
}

/**
 * One finished run, as the index records it.
 */
export interface IndexRow {
  /** The run id, first column. */
  runId: string;
  /** The run's params; nested objects become dotted columns. */
  params: { [key: string]: JsonValue };
  /** The run's status. */
  status: RunState;
  /** The run's metrics; nested objects become dotted columns. */
  metrics: { [key: string]: JsonValue };
  /** Seconds from start to finish, when known. */
  runtimeSec: number | null;
  /** Why the run failed, for failed runs. */
  failureReason: string | null;
}

/**
 * A run as its run directory gives it: the truth an index row is checked
 * against and repaired from.
 */
export interface RunRow {
  /** The row notata writes for the run. */
  row: IndexRow;
  /**
   * The status the Python notata writes for the run: `complete` when its
   * `artifacts/metrics.json` reads, `error` when it does not, `missing`
   * when there is none.
   */
  pythonStatus: "complete" | "missing" | "error";
}

/**
 * The run directory's row of run `runId`, or `undefined` when its directory
 * cannot tell (there is none, or its metadata does not read).
 */
export type RunRows = (runId: string) => RunRow | undefined;

/** The type of one cell's value. */
export function typeOf(value: JsonValue): ColumnType {
  switch (typeof value) {
    case "number":
      // Beyond 2^53 a whole number is a rounded float; its text ("1e+21",
      // "-9223372036854776000") may not fit Int64, but always reads as Float64.
      // An Int64 has no -0.
      return Number.isSafeInteger(value) && !Object.is(value, -0) ? "int" : "float";
    case "boolean":
      return "bool";
    case "string":
      return "string";
  }
  return value === null ? "empty" : "json";
}

/** The type of a column given values of types `a` and `b`. */
export function widen(a: ColumnType, b: ColumnType): ColumnType {
  if (a === b || b === "empty") return a;
  if (a === "empty") return b;
  const numbers = new Set<ColumnType>(["int", "float"]);
  if (numbers.has(a) && numbers.has(b)) return "float";
  return "string";
}

/** The text of a cell holding `value`. */
export function formatCell(value: JsonValue | undefined): string {
  if (value === undefined || value === null) return "";
  if (typeof value === "number") return formatCsvNumber(value);
  if (typeof value === "string") return value;
  if (typeof value === "boolean") return String(value);
  return formatJsonCompact(value);
}

/** The cells of `row` by column name, with their roles, in column order. */
export function rowCells(row: IndexRow): Map<string, [ColumnRole, JsonValue]> {
  const cells = new Map<string, [ColumnRole, JsonValue]>();
  cells.set("run_id", ["id", row.runId]);
  // Params as params.json holds them: -0 is 0 there (one run with 0).
  for (const { name, value } of flattenObject(row.params)) {
    cells.set(name, ["param", Object.is(value, -0) ? 0 : value]);
  }
  cells.set("status", ["status", row.status]);
  for (const { name, value } of flattenObject(row.metrics)) {
    if (!cells.has(name)) cells.set(name, ["metric", value]);
  }
  cells.set("runtime_sec", ["extra", row.runtimeSec]);
  cells.set("failure_reason", ["extra", row.failureReason]);
  return cells;
}

/**
 * The cells of `row` by column name, in column order, as the index would
 * hold them: JSON values (arrays) as their compact text, empty cells `null`.
 */
export function rowValues(row: IndexRow): { [column: string]: string | number | boolean | null } {
  const values: { [column: string]: string | number | boolean | null } = {};
  for (const [name, [, value]] of rowCells(row)) {
    values[name] = value !== null && typeof value === "object" ? formatCell(value) : value;
  }
  return values;
}
