// Copyright 2026 the notata authors. MIT license.
// Analysis across the runs of one experiment: every run's series in one
// long frame, and metrics and series aggregated over some params (seeds).
// Experiment and ExperimentReader delegate here with the experiment's typed
// index (ExperimentReader#toDataFrame); this module selects runs from it,
// reads their scalars and groups them.

import type { DataFrame, Expr } from "nodejs-polars";
import { join } from "@std/path";
import { exists } from "./_files.ts";
import { loadPolars } from "./_polars.ts";
import { quoteNames } from "./_names.ts";
import {
  assertNameList,
  assertParamFilter,
  expectedOneOf,
  isNumeric,
  type ParamFilter,
  selectRuns,
  statusesOf,
  type StatusFilter,
} from "./_analysis_runs.ts";
import { type CorruptScalars, readScalarFiles } from "./_analysis_scalars.ts";
import { InvalidValueError } from "./errors.ts";

export type { CorruptScalars, ParamFilter, StatusFilter };

/**
 * Options of `Experiment#scalars` and `ExperimentReader#scalars`.
 *
 * @example Usage
 * ```ts
 * import type { ScalarsOptions } from "@notata/core";
 *
 * const options: ScalarsOptions = { names: ["energy"], where: { omega: 2 }, status: "complete" };
 * ```
 */
export interface ScalarsOptions {
  /** Only these series. Default: every series. */
  names?: readonly string[];
  /** Only runs whose params equal these values, as `Experiment#select` matches them. */
  where?: ParamFilter;
  /**
   * Only runs of this status or these statuses; `"running"` (or
   * `"initialized"`) is a run still going.
   *
   * @default {"complete"}
   */
  status?: StatusFilter | readonly StatusFilter[];
  /**
   * Called for each run whose `data/scalars.csv` cannot be read as a
   * scalars table; the run is left out. Throw from it to make that an
   * error. Default: a warning on stderr naming the run, the file and why.
   */
  onCorrupt?: (file: CorruptScalars) => void;
}

/**
 * Options of `Experiment#aggregate` and `ExperimentReader#aggregate`.
 *
 * @example Usage
 * ```ts
 * import type { AggregateOptions } from "@notata/core";
 *
 * const options: AggregateOptions = { over: ["seed"], metrics: ["final_energy"] };
 * ```
 */
export interface AggregateOptions {
  /** The params to aggregate over, such as `["seed"]`: runs that differ only in these form one row. */
  over: readonly string[];
  /** The metrics to aggregate. Default: every numeric (or boolean) metric column. */
  metrics?: readonly string[];
  /** Only runs whose params equal these values, as `Experiment#select` matches them. */
  where?: ParamFilter;
  /**
   * Only runs of this status or these statuses.
   *
   * @default {"complete"}
   */
  status?: StatusFilter | readonly StatusFilter[];
}

/**
 * Options of `Experiment#aggregateScalars` and `ExperimentReader#aggregateScalars`:
 * those of `scalars`, and the params to aggregate over.
 *
 * @example Usage
 * ```ts
 * import type { AggregateScalarsOptions } from "@notata/core";
 *
 * const options: AggregateScalarsOptions = { over: ["seed"], names: ["energy"] };
 * ```
 */
export interface AggregateScalarsOptions extends ScalarsOptions {
  /** The params to aggregate over, such as `["seed"]`: runs that differ only in these form one configuration. */
  over: readonly string[];
}

/** The name of the column that counts the runs of a configuration. */
const COUNT = "n";

type Polars = Awaited<ReturnType<typeof loadPolars>>;

function warnCorrupt(file: CorruptScalars): void {
  console.warn(`notata: skipped the scalars of run "${file.runId}": "${file.path}" ${file.reason}`);
}

function assertOver(action: string, over: unknown): asserts over is readonly string[] {
  if (!Array.isArray(over) || over.some((name) => typeof name !== "string")) {
    throw new InvalidValueError(
      `${action}: over ${
        JSON.stringify(over)
      } is not a list of params, expected an array of param names such as ["seed"]`,
    );
  }
}

function assertScalarsOptions(action: string, options: ScalarsOptions): string[] {
  assertNameList(action, "names", options.names);
  assertParamFilter(action, options.where);
  if (options.onCorrupt !== undefined && typeof options.onCorrupt !== "function") {
    throw new InvalidValueError(
      `${action}: onCorrupt is ${typeof options.onCorrupt}, expected a function`,
    );
  }
  return statusesOf(action, options.status);
}

/** The experiment's index, or an empty frame before its first run. */
async function indexOrEmpty(dir: string, readIndex: () => Promise<DataFrame>): Promise<DataFrame> {
  if (exists(join(dir, "runs"))) return await readIndex();
  return (await loadPolars()).DataFrame({});
}

function assertParams(
  action: string,
  option: string,
  names: readonly string[],
  params: string[],
): void {
  const unknown = names.filter((name) => !params.includes(name));
  if (unknown.length > 0) {
    throw new InvalidValueError(
      `${action}: ${option} names ${quoteNames(unknown, 5)}, which ${
        unknown.length === 1 ? "is not a param" : "are not params"
      }, ${expectedOneOf("params", params)}`,
    );
  }
}

/** The columns of a scalars file, which no param may share in the long frame. */
const SCALAR_COLUMNS = ["step", "name", "value", "time"];

/**
 * The runs' rows and their scalars, joined by position; see `scalarFrame`.
 * `over`, when given, must name params of the index.
 */
async function runScalars(
  action: string,
  dir: string,
  readIndex: () => Promise<DataFrame>,
  options: ScalarsOptions,
  over?: readonly string[],
): Promise<{ frame: DataFrame; params: string[] }> {
  const statuses = assertScalarsOptions(action, options);
  const pl = await loadPolars();
  const index = await indexOrEmpty(dir, readIndex);
  const { runs, params } = await selectRuns(action, dir, index, statuses, options.where);
  if (over !== undefined && index.width > 0) assertParams(action, "over", over, params);
  assertNoClash(action, params, SCALAR_COLUMNS);
  const runIds: string[] = runs.height === 0 ? [] : runs.getColumn("run_id").toArray().map(String);
  const scalars = await readScalarFiles(
    join(dir, "runs"),
    runIds,
    options.names,
    options.onCorrupt ?? warnCorrupt,
  );
  const runColumns = ["run_id", ...params, "status"];
  const described = index.width === 0
    ? pl.DataFrame([pl.Series("run_id", [], pl.String), pl.Series("status", [], pl.String)])
    : runs.select(...runColumns);
  const position = scalars.getColumn("_run");
  const frame = pl.concat([
    described.select(...described.columns.map((name) => pl.col(name).gather(position))),
    scalars.select(...SCALAR_COLUMNS),
  ], { how: "horizontal" });
  return { frame, params };
}

/**
 * Every selected run's `data/scalars.csv` in one long frame: `run_id`, the
 * params, `status`, `step`, `name`, `value`, `time`.
 */
export async function scalarFrame(
  dir: string,
  readIndex: () => Promise<DataFrame>,
  options: ScalarsOptions = {},
): Promise<DataFrame> {
  return (await runScalars("Cannot read scalars", dir, readIndex, options)).frame;
}

/**
 * The aggregations of one numeric column: mean, sample standard deviation,
 * min, max and the count of values, each skipping empty cells and NaN, as
 * pandas does.
 */
function statistics(pl: Polars, column: string, prefix: string): Expr[] {
  const values = () => pl.col(column).cast(pl.Float64).fillNan(pl.lit(null));
  return [
    values().mean().alias(`${prefix}_mean`),
    values().std().alias(`${prefix}_std`),
    values().min().alias(`${prefix}_min`),
    values().max().alias(`${prefix}_max`),
    values().count().alias(`${prefix}_count`),
  ];
}

/** `frame` grouped by `keys` (all of it when there are none), sorted by them. */
function groupSorted(frame: DataFrame, keys: string[], aggregations: Expr[]): DataFrame {
  if (keys.length === 0) return frame.select(...aggregations);
  return frame.groupBy(...keys).agg(...aggregations).sort(keys);
}

/** Checks that no param in `params` takes the name of a column the result adds. */
function assertNoClash(action: string, params: string[], columns: string[]): void {
  const clash = columns.find((name) => params.includes(name));
  if (clash !== undefined) {
    throw new InvalidValueError(
      `${action}: param ${
        JSON.stringify(clash)
      } has the name of a column of the result, expected params named other than ${
        quoteNames(columns, 6)
      }`,
    );
  }
}

/**
 * The index grouped by every param not in `over`: one row per
 * configuration with `n` (its runs) and, per metric, `_mean`, `_std`,
 * `_min`, `_max` and `_count` (values that entered them).
 */
export async function aggregateRuns(
  dir: string,
  readIndex: () => Promise<DataFrame>,
  options: AggregateOptions,
): Promise<DataFrame> {
  const action = "Cannot aggregate runs";
  assertOver(action, options?.over);
  assertNameList(action, "metrics", options.metrics);
  assertParamFilter(action, options.where);
  const statuses = statusesOf(action, options.status);
  const pl = await loadPolars();
  const index = await indexOrEmpty(dir, readIndex);
  if (index.width === 0) return pl.DataFrame({ [COUNT]: pl.Series(COUNT, [], pl.UInt32) });
  const { runs, params, metrics } = await selectRuns(action, dir, index, statuses, options.where);
  assertParams(action, "over", options.over, params);
  const numeric = metrics.filter((name) => isNumeric(pl, index.getColumn(name).dtype));
  for (const name of options.metrics ?? []) {
    if (!numeric.includes(name)) {
      throw new InvalidValueError(
        `${action}: metric ${JSON.stringify(name)} is ${
          metrics.includes(name) ? "not numeric" : "not a metric"
        }, ${expectedOneOf("numeric metrics", numeric)}`,
      );
    }
  }
  const keys = params.filter((name) => !options.over.includes(name));
  const chosen = options.metrics ?? numeric;
  const aggregations = [
    pl.col("run_id").count().alias(COUNT),
    ...chosen.flatMap((name) => statistics(pl, name, name)),
  ];
  assertNoClash(action, keys, outputNames(chosen));
  return groupSorted(runs, keys, aggregations);
}

function outputNames(metrics: readonly string[]): string[] {
  return [
    COUNT,
    ...metrics.flatMap((name) => ["mean", "std", "min", "max", "count"].map((s) => `${name}_${s}`)),
  ];
}

/**
 * The series of the selected runs grouped by every param not in `over`,
 * series name and step: one row per configuration, series and step with
 * `n` (runs with a value there) and `value_mean`, `value_std`, `value_min`,
 * `value_max`, `value_count`.
 */
export async function aggregateScalarFrame(
  dir: string,
  readIndex: () => Promise<DataFrame>,
  options: AggregateScalarsOptions,
): Promise<DataFrame> {
  const action = "Cannot aggregate scalars";
  assertOver(action, options?.over);
  const pl = await loadPolars();
  const { frame, params } = await runScalars(action, dir, readIndex, options, options.over);
  const keys = params.filter((name) => !options.over.includes(name));
  assertNoClash(action, keys, outputNames(["value"]));
  return groupSorted(frame, [...keys, "name", "step"], [
    pl.col("run_id").count().alias(COUNT),
    ...statistics(pl, "value", "value"),
  ]);
}
