// Copyright 2026 the notata authors. MIT license.
// The runs of an experiment as columns of typed values, from
// `ExperimentReader#toDataFrame` (the index, plus crashed and running runs
// it has no row for yet), and what `ls` does to them: filter, sort, pick.

import type { ExperimentReader } from "../experiment_reader.ts";
import { shownState, UsageError } from "./_common.ts";

/** A cell's value, typed as `toDataFrame` types its column. */
export type Cell = string | number | boolean | null;

/** The runs as named columns of equal length; `rows` indexes into them. */
export interface RunsTable {
  /** Column names, in index order: run_id, params, status, metrics, extras. */
  names: string[];
  /** The values of each column. */
  columns: Map<string, Cell[]>;
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
  const columns = new Map<string, Cell[]>();
  for (const name of names) columns.set(name, frame.getColumn(name).toArray() as Cell[]);
  const status = columns.get("status");
  if (status !== undefined) {
    columns.set("status", status.map((state) => state === null ? null : shownState(String(state))));
  }
  const statusAt = names.indexOf("status");
  const params = names.slice(names[0] === "run_id" ? 1 : 0, statusAt < 0 ? 0 : statusAt);
  return { names, columns, params, rows: [...Array(frame.height).keys()] };
}

/** A `--where` condition: the column, how to compare, the value typed as the column. */
interface Condition {
  column: string;
  operator: "=" | "!=" | ">" | "<" | ">=" | "<=";
  value: Cell;
}

const CONDITION = /^([^=<>!]+)(>=|<=|!=|=|>|<)(.*)$/s;

function columnKind(values: Cell[]): "number" | "boolean" | "string" {
  const first = values.find((value) => value !== null);
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
  const conditions = where.map((text) => parseCondition(action, table, text));
  const status = table.columns.get("status") ?? [];
  table.rows = table.rows.filter((row) =>
    (states.size === 0 || states.has(String(status[row]))) &&
    conditions.every((condition) => matches(table.columns.get(condition.column)![row], condition))
  );
}

function compareCells(a: Cell, b: Cell): number {
  const aMissing = a === null || Number.isNaN(a);
  const bMissing = b === null || Number.isNaN(b);
  if (aMissing || bMissing) return aMissing === bMissing ? 0 : aMissing ? 1 : -1;
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
    const missingA = values[a] === null || Number.isNaN(values[a]);
    const missingB = values[b] === null || Number.isNaN(values[b]);
    if (missingA || missingB) return compareCells(values[a], values[b]);
    return sign * compareCells(values[a], values[b]);
  });
}
