// Copyright 2026 the notata authors. MIT license.
// Analysis across the runs of one experiment: every run's series in one
// long frame, and metrics and series aggregated over some params (seeds).
// Experiment and ExperimentReader delegate here with the experiment's typed
// index (ExperimentReader#toDataFrame); this module selects runs from it,
// reads their scalars and groups them.

import type { DataFrame, Expr, Series } from "nodejs-polars";
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
 * The `columns` of `runs` with the row of position `position[i]` in row
 * `i`: gathered by position under placeholder names, so that no column name
 * is read as a pattern.
 */
function repeatRuns(
  pl: Polars,
  runs: DataFrame,
  columns: readonly string[],
  position: Series,
): DataFrame {
  const repeated = pl.DataFrame(columns.map((name, i) => runs.getColumn(name).alias(`c${i}`)))
    .select(...columns.map((_, i) => pl.col(`c${i}`).gather(position)));
  repeated.columns = [...columns];
  return repeated;
}

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
  const described = index.width === 0
    ? pl.DataFrame([pl.Series("run_id", [], pl.String), pl.Series("status", [], pl.String)])
    : repeatRuns(pl, runs, ["run_id", ...params, "status"], scalars.getColumn("_run"));
  const frame = pl.concat([described, scalars.select(...SCALAR_COLUMNS)], { how: "horizontal" });
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

/** The statistics of each aggregated column, the suffixes of their result columns. */
const STATISTICS = ["mean", "std", "min", "max", "count"];

/**
 * The result columns of aggregating `columns`: the count of rows, then
 * each column's statistics.
 */
function statisticNames(columns: readonly string[]): string[] {
  return [COUNT, ...columns.flatMap((name) => STATISTICS.map((stat) => `${name}_${stat}`))];
}

/**
 * `frame` grouped by `keys` (all of it in one row when there are none) and
 * sorted by them: the keys, `n` (rows of the group) and the statistics of
 * each of `columns` (see `statisticNames`): mean, sample standard
 * deviation, min, max and the count of values, each skipping empty cells
 * and NaN, as pandas does. `frame` has a `run_id` column. Polars works on
 * placeholder names, so that no column name is ever read as a pattern
 * (`^a.*$`).
 */
function summarize(
  pl: Polars,
  frame: DataFrame,
  keys: readonly string[],
  columns: readonly string[],
): DataFrame {
  const key = (i: number) => `k${i}`;
  const value = (i: number) => `v${i}`;
  // `run_id` keeps the rows counted when there are neither keys nor columns.
  const source = pl.DataFrame([
    frame.getColumn("run_id").alias("run"),
    ...keys.map((name, i) => frame.getColumn(name).alias(key(i))),
    ...columns.map((name, i) => frame.getColumn(name).alias(value(i))),
  ]);
  const aggregations: Expr[] = [pl.len().alias(COUNT)];
  columns.forEach((_, i) => {
    const values = () => pl.col(value(i)).cast(pl.Float64).fillNan(pl.lit(null));
    aggregations.push(
      values().mean(),
      values().std(),
      values().min(),
      values().max(),
      values().count(),
    );
  });
  const placeholders = keys.map((_, i) => key(i));
  const summary = keys.length === 0
    ? source.select(...aggregations.map((expr, i) => expr.alias(`s${i}`)))
    : source.groupBy(...placeholders)
      .agg(...aggregations.map((expr, i) => expr.alias(`s${i}`)))
      .sort(placeholders);
  summary.columns = [...keys, ...statisticNames(columns)];
  return summary;
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
  assertNoClash(action, keys, statisticNames(chosen));
  return summarize(pl, runs, keys, chosen);
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
  assertNoClash(action, keys, statisticNames(["value"]));
  return summarize(pl, frame, [...keys, "name", "step"], ["value"]);
}
