// Copyright 2026 the notata authors. MIT license.
// The runs of an experiment as columns of typed values, from
// `ExperimentReader#toDataFrame` (the index, plus crashed and running runs
// it has no row for yet), and what `ls` does to them: filter, sort, pick.

import type { DataFrame } from "nodejs-polars";
import { loadPolars } from "../_polars.ts";
import type { ExperimentReader } from "../experiment_reader.ts";
import { shownState, UsageError } from "./_common.ts";
import { formatValue } from "./_table.ts";

/** A cell's value, typed as `toDataFrame` types its column. */
export type Cell = string | number | boolean | null;

/**
 * The values of one column: an array, or for a float column without empty
 * cells the Float64Array Polars hands over without a copy per value.
 */
export type Column = ArrayLike<Cell>;

/** The runs as named columns of equal length; `rows` indexes into them. */
export interface RunsTable {
  /** Column names, in index order: run_id, params, status, metrics, extras. */
  names: string[];
  /** The values of each column. */
  columns: Map<string, Column>;
  /** The names of the param columns (between run_id and status). */
  params: string[];
  /** The rows to show, as positions in the columns, in order. */
  rows: number[];
}

/** The columns that are neither params nor metrics. */
export const EXTRA_COLUMNS = ["runtime_sec", "failure_reason"];

/**
 * Reads the runs of `experiment`. Statuses are shown ones: a run still
 * going is `running`.
 */
export async function readRunsTable(experiment: ExperimentReader): Promise<RunsTable> {
  const frame = await experiment.toDataFrame();
  const names = frame.columns;
  const columns = await frameColumns(frame);
  const status = columns.get("status");
  if (status !== undefined) {
    columns.set(
      "status",
      Array.from(status, (state) => state === null ? null : shownState(String(state))),
    );
  }
  const statusAt = names.indexOf("status");
  const params = names.slice(names[0] === "run_id" ? 1 : 0, statusAt < 0 ? 0 : statusAt);
  return { names, columns, params, rows: [...Array(frame.height).keys()] };
}

/** The columns of `frame` by name, as {@linkcode Column}s. */
export async function frameColumns(frame: DataFrame): Promise<Map<string, Column>> {
  const columns = new Map<string, Column>();
  const pl = await loadPolars();
  for (const name of frame.columns) {
    const series = frame.getColumn(name);
    const { variant } = series.dtype;
    // Number columns without empty cells come over as one Float64Array, many
    // times faster than a value at a time; whole numbers only while exact.
    const numbers = series.nullCount() === 0 && (variant === "Float64" ||
      variant === "Int64" && series.length > 0 &&
        Number.isSafeInteger(Number(series.min())) && Number.isSafeInteger(Number(series.max())));
    columns.set(
      name,
      numbers ? series.cast(pl.Float64).toTypedArray() as Float64Array : series.toArray() as Cell[],
    );
  }
  return columns;
}

/** Whether a column holds one value in every listed row (of two or more). */
export function isConstant(values: Column, rows: number[]): boolean {
  if (rows.length < 2) return false;
  const first = formatValue(values[rows[0]]);
  return rows.every((row) => formatValue(values[row]) === first);
}

/** A `--where` condition: the column, how to compare, the value typed as the column. */
interface Condition {
  column: string;
  operator: "=" | "!=" | ">" | "<" | ">=" | "<=";
  value: Cell;
}

const CONDITION = /^([^=<>!]+)(>=|<=|!=|=|>|<)(.*)$/s;

function columnKind(values: Column): "number" | "boolean" | "string" {
  let first: Cell = null;
  for (let i = 0; i < values.length && first === null; i++) first = values[i];
  return typeof first === "number" ? "number" : typeof first === "boolean" ? "boolean" : "string";
}

/** An unknown column, named in a message that lists the known ones. */
export function unknownColumn(
  action: string,
  option: string,
  name: string,
  names: string[],
): UsageError {
  return new UsageError(
    `${action}: ${option} names column ${
      JSON.stringify(name)
    }, which the index does not have, expected one of ${names.join(", ")}`,
  );
}

/** Parses one `--where` text against the table's columns. */
function parseCondition(action: string, table: RunsTable, text: string): Condition {
  const match = CONDITION.exec(text);
  if (match === null || match[1].trim() === "") {
    throw new UsageError(
      `${action}: --where ${
        JSON.stringify(text)
      } is not a condition, expected KEY=VALUE, KEY!=VALUE, KEY>VALUE, KEY<VALUE, KEY>=VALUE or KEY<=VALUE, such as omega=2`,
    );
  }
  const column = match[1].trim();
  const operator = match[2] as Condition["operator"];
  const raw = match[3];
  const values = table.columns.get(column);
  if (values === undefined) throw unknownColumn(action, "--where", column, table.names);
  if (raw === "") {
    if (operator === "=" || operator === "!=") return { column, operator, value: null };
    throw new UsageError(
      `${action}: --where ${
        JSON.stringify(text)
      } compares with nothing, expected a value after ${operator}`,
    );
  }
  const kind = columnKind(values);
  if (kind === "number") {
    const value = /^[+-]?(nan|inf|infinity)$/i.test(raw)
      ? Number(raw.replace(/inf(inity)?/i, "Infinity").replace(/nan/i, "NaN"))
      : Number(raw);
    if (Number.isNaN(value) && !/nan/i.test(raw)) {
      throw new UsageError(
        `${action}: --where ${JSON.stringify(text)} compares the number column "${column}" with ${
          JSON.stringify(raw)
        }, expected a number`,
      );
    }
    return { column, operator, value };
  }
  if (kind === "boolean") {
    if (raw !== "true" && raw !== "false") {
      throw new UsageError(
        `${action}: --where ${
          JSON.stringify(text)
        } compares the true/false column "${column}" with ${
          JSON.stringify(raw)
        }, expected true or false`,
      );
    }
    return { column, operator, value: raw === "true" };
  }
  return { column, operator, value: raw };
}

function matches(cell: Cell, { operator, value }: Condition): boolean {
  if (value === null) return operator === "=" ? cell === null : cell !== null;
  if (cell === null) return operator === "!=";
  // NaN equals NaN here, as a user who writes drift=nan means.
  const same = cell === value || (Number.isNaN(cell) && Number.isNaN(value));
  switch (operator) {
    case "=":
      return same;
    case "!=":
      return !same;
    case ">":
      return cell > value;
    case "<":
      return cell < value;
    case ">=":
      return same || cell > value;
    case "<=":
      return same || cell < value;
  }
}

/** Keeps the rows whose status is one of `states` (all when empty) and that meet every `--where`. */
export function filterRows(
  action: string,
  table: RunsTable,
  states: Set<string>,
  where: string[],
): void {
  if (states.size === 0 && where.length === 0) return;
  const conditions = where.map((text) => parseCondition(action, table, text));
  const status = table.columns.get("status") ?? [];
  table.rows = table.rows.filter((row) =>
    (states.size === 0 || states.has(String(status[row]))) &&
    conditions.every((condition) => matches(table.columns.get(condition.column)![row], condition))
  );
}

function isMissing(cell: Cell): boolean {
  return cell === null || Number.isNaN(cell);
}

function compareCells(a: Cell, b: Cell): number {
  if (isMissing(a) || isMissing(b)) {
    return isMissing(a) === isMissing(b) ? 0 : isMissing(a) ? 1 : -1;
  }
  return a! < b! ? -1 : a! > b! ? 1 : 0;
}

/** Sorts the rows by `column`, empty and NaN cells last either way; a stable sort. */
export function sortRows(
  action: string,
  table: RunsTable,
  column: string,
  descending: boolean,
): void {
  const values = table.columns.get(column);
  if (values === undefined) throw unknownColumn(action, "--sort", column, table.names);
  const sign = descending ? -1 : 1;
  table.rows.sort((a, b) => {
    const order = compareCells(values[a], values[b]);
    // Empty cells last either way: only the order of values turns.
    return isMissing(values[a]) || isMissing(values[b]) ? order : sign * order;
  });
}
