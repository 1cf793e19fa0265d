// Copyright 2026 the notata authors. MIT license.
// Which runs an analysis takes, and which of the index's columns are params
// and which metrics. The runs come from the typed index that
// ExperimentReader#toDataFrame reads; this module only selects from it.

import type { DataFrame, DataType } from "nodejs-polars";
import { flattenObject } from "./_json.ts";
import { quoteNames } from "./_names.ts";
import { RESERVED_COLUMNS } from "./_params.ts";
import { loadPolars } from "./_polars.ts";
import { IndexCsv } from "./_index/csv.ts";
import { selectRows } from "./_index/read.ts";
import { mayHaveUnindexedRuns, unindexedRows } from "./_index/runs.ts";
import { InvalidValueError } from "./errors.ts";

/**
 * A run status to include: a state of `RunState`, or `"running"`, the name
 * a person reads for `"initialized"` (a run still going).
 *
 * @example Usage
 * ```ts
 * import type { StatusFilter } from "@notata/core";
 *
 * const statuses: StatusFilter[] = ["complete", "running"];
 * ```
 */
export type StatusFilter = "complete" | "failed" | "crashed" | "running" | "initialized";

/**
 * Params and the values a run must have, as `Experiment#select` takes them:
 * `null` matches a run without that param; JSON params (arrays) match by
 * their compact JSON text.
 *
 * @example Usage
 * ```ts
 * import type { ParamFilter } from "@notata/core";
 *
 * const where: ParamFilter = { omega: 2, method: "rk4" };
 * ```
 */
export type ParamFilter = { [param: string]: string | number | boolean | null };

const STATUSES: readonly StatusFilter[] = [
  "complete",
  "failed",
  "crashed",
  "running",
  "initialized",
];

/** How many names a message lists before it says how many more there are. */
const LISTED = 10;

/** The runs an analysis takes, with the roles of the index's columns. */
export interface SelectedRuns {
  /** The index rows of the runs, in index order. */
  runs: DataFrame;
  /** The param columns, in index order. */
  params: string[];
  /** The metric columns, in index order. */
  metrics: string[];
}

/** The end of a message about a name that is not one of `names`. */
export function expectedOneOf(kind: string, names: readonly string[]): string {
  return names.length === 0
    ? `and the experiment has no ${kind}`
    : `expected one of the ${kind}: ${quoteNames(names, LISTED)}`;
}

/**
 * The statuses `status` asks for, as the index writes them, checked before
 * anything is read. Default: complete runs only.
 */
export function statusesOf(
  action: string,
  status: StatusFilter | readonly StatusFilter[] | undefined,
): string[] {
  const asked: readonly string[] = status === undefined
    ? ["complete"]
    : typeof status === "string"
    ? [status]
    : status;
  if (!Array.isArray(asked) || asked.length === 0) {
    throw new InvalidValueError(
      `${action}: status ${
        JSON.stringify(status)
      } is not a status or a non-empty list of statuses, expected some of ${
        quoteNames(STATUSES, LISTED)
      }`,
    );
  }
  for (const value of asked) {
    if (!(STATUSES as readonly string[]).includes(value)) {
      throw new InvalidValueError(
        `${action}: status ${JSON.stringify(value)} is not a run status, expected one of ${
          quoteNames(STATUSES, LISTED)
        }`,
      );
    }
  }
  return [...new Set(asked.map((value) => value === "running" ? "initialized" : value))];
}

/** Checks that `names` is undefined or a list of strings, before anything is read. */
export function assertNameList(action: string, option: string, names: unknown): void {
  if (names === undefined) return;
  if (!Array.isArray(names) || names.some((name) => typeof name !== "string")) {
    throw new InvalidValueError(
      `${action}: ${option} ${
        JSON.stringify(names)
      } is not a list of names, expected an array of strings`,
    );
  }
}

/** Checks that `where` is undefined or an object of scalar values, before anything is read. */
export function assertParamFilter(action: string, where: unknown): void {
  if (where === undefined) return;
  if (where === null || typeof where !== "object" || Array.isArray(where)) {
    throw new InvalidValueError(
      `${action}: where ${JSON.stringify(where)} is not an object, expected param names and values`,
    );
  }
  for (const [name, value] of Object.entries(where)) {
    if (value !== null && !["string", "number", "boolean"].includes(typeof value)) {
      throw new InvalidValueError(
        `${action}: where.${name} is ${
          JSON.stringify(value) ?? typeof value
        }, expected a string, number, boolean or null (JSON params are matched by their text)`,
      );
    }
  }
}

/** Whether a column of this type enters an aggregate: numbers and booleans. */
export function isNumeric(pl: typeof import("nodejs-polars")["default"], type: DataType): boolean {
  return [
    pl.Float64,
    pl.Float32,
    pl.Int64,
    pl.Int32,
    pl.Int16,
    pl.Int8,
    pl.UInt64,
    pl.UInt32,
    pl.UInt16,
    pl.UInt8,
    pl.Bool,
  ].some((numeric) => numeric.equals(type));
}

/**
 * The param and metric columns of `index`, the frame of the experiment in
 * `dir`. With `index.schema.json` they are the columns it records with those
 * roles. Without one (an index written by the Python notata, which writes
 * `run_id`, the params, `status`, then the metrics) the columns between
 * `run_id` and `status` are params and those after `status` metrics. A
 * column only runs missing from the index have takes its role from those
 * runs' files.
 */
function columnRoles(dir: string, index: DataFrame): { params: string[]; metrics: string[] } {
  const roles = new Map<string, "param" | "metric">();
  const schema = new IndexCsv(dir).columns();
  if (schema !== undefined) {
    for (const column of schema) {
      if (column.role === "param" || column.role === "metric") roles.set(column.name, column.role);
    }
  } else {
    const statusAt = index.columns.indexOf("status");
    index.columns.forEach((name, i) => {
      if (name === "run_id" || RESERVED_COLUMNS.includes(name)) return;
      roles.set(name, statusAt === -1 || i < statusAt ? "param" : "metric");
    });
  }
  const recorded = new Set(schema?.map((column) => column.name) ?? []);
  const unrecorded = index.columns.some((name) => !recorded.has(name));
  if (unrecorded && mayHaveUnindexedRuns(dir, index.height)) {
    const indexed = new Set<string>(
      index.height > 0 ? index.getColumn("run_id").toArray().map(String) : [],
    );
    for (const row of unindexedRows(dir, indexed, true)) {
      for (const { name } of flattenObject(row.params)) roles.set(name, "param");
      for (const { name } of flattenObject(row.metrics)) {
        if (roles.get(name) !== "param") roles.set(name, "metric");
      }
    }
  }
  const present = index.columns.filter((name) => roles.has(name));
  return {
    params: present.filter((name) => roles.get(name) === "param"),
    metrics: present.filter((name) => roles.get(name) === "metric"),
  };
}

/**
 * The runs of `index` (the frame of the experiment in `dir`) whose status is
 * one of `statuses` and whose params equal `where`, with the roles of the
 * columns. Unknown params in `where` are an error.
 */
export async function selectRuns(
  action: string,
  dir: string,
  index: DataFrame,
  statuses: readonly string[],
  where: ParamFilter = {},
): Promise<SelectedRuns> {
  const { params, metrics } = columnRoles(dir, index);
  if (index.height === 0) return { runs: index, params, metrics };
  for (const name of Object.keys(where)) {
    if (!params.includes(name)) {
      throw new InvalidValueError(
        `${action}: where names ${JSON.stringify(name)}, which is not a param, ${
          expectedOneOf("params", params)
        }`,
      );
    }
  }
  const pl = await loadPolars();
  const byStatus = index.filter(pl.col("status").isIn(statuses));
  return { runs: await selectRows(byStatus, where), params, metrics };
}
