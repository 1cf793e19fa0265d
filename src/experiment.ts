// Copyright 2026 the notata authors. MIT license.
/**
 * {@linkcode Experiment}: the runs of a parameter sweep, and their index.
 *
 * @module
 */

import type { DataFrame, Expr } from "nodejs-polars";
import { join } from "@std/path";
import { formatJson, readJsonObject } from "./_json.ts";
import { assertFileName } from "./_names.ts";
import { exists } from "./_files.ts";
import { loadPolars, readIndexFrame } from "./_polars.ts";
import { InvalidValueError, RunExistsError } from "./errors.ts";
import { IndexCsv, type IndexRow } from "./index_csv.ts";
import { Logbook } from "./logbook.ts";
import { assertParams } from "./_params.ts";
import { formatRunId } from "./run_id.ts";
import type { JsonValue, Params, RunStatus } from "./types.ts";

/**
 * Options of {@linkcode Experiment}.
 *
 * @example Usage
 * ```ts
 * import type { ExperimentOptions } from "@notata/core";
 *
 * const options: ExperimentOptions = { baseDir: "/data/runs" };
 * ```
 */
export interface ExperimentOptions {
  /** Directory that holds the experiment directory. Default `"outputs"`. */
  baseDir?: string;
}

/**
 * Options of {@linkcode Experiment.prototype.add}.
 *
 * @example Usage
 * ```ts
 * import type { AddOptions } from "@notata/core";
 *
 * const resumable: AddOptions = { skipExisting: true };
 * ```
 */
export interface AddOptions {
  /**
   * Return `null` for a run that is already complete, and resume a run that
   * failed or never finished (its earlier attempt stays on record).
   */
  skipExisting?: boolean;
  /** Delete an existing run of the same params and start afresh. */
  overwrite?: boolean;
}

function numberOrNull(value: JsonValue | undefined): number | null {
  return typeof value === "number" ? value : null;
}

function stringOrNull(value: JsonValue | undefined): string | null {
  return typeof value === "string" ? value : null;
}

function indexRow(
  runId: string,
  status: RunStatus,
  params: Params,
  metadata: { [key: string]: JsonValue },
  metrics: { [key: string]: JsonValue } | undefined,
): IndexRow {
  return {
    runId,
    params,
    status,
    metrics: metrics ?? {},
    runtimeSec: numberOrNull(metadata.runtime_sec),
    failureReason: stringOrNull(metadata.failure_reason),
  };
}

/**
 * Many runs of a parameter sweep under `<baseDir>/<name>/`: each parameter
 * set gets a unique, file-safe run directory under `runs/`, and `index.csv`
 * gets one row per finished run (run_id, params, status, metrics from
 * `artifacts/metrics.json`), updated as each run finishes.
 *
 * @example A resumable sweep
 * ```ts
 * import { TemporaryExperiment } from "@notata/core";
 * import { assertEquals } from "@std/assert";
 *
 * using exp = new TemporaryExperiment("oscillator_sweep");
 * for (const omega of [1, 2]) {
 *   using log = exp.add({ omega, dt: 1e-3 }, { skipExisting: true });
 *   if (!log) continue;
 *   log.json("metrics", { final_energy: 0.5 * omega ** 2 });
 * }
 * const rows = Deno.readTextFileSync(exp.indexPath).trim().split("\r\n");
 * assertEquals(rows[0], "run_id,omega,dt,status,final_energy,runtime_sec,failure_reason");
 * assertEquals(rows.length, 3);
 * ```
 */
export class Experiment {
  /** The experiment name. */
  readonly name: string;
  /** Directory that holds the experiment directory. */
  readonly baseDir: string;
  /** The experiment directory, `<baseDir>/<name>`. */
  readonly dir: string;
  /** Directory of the run directories, `<dir>/runs`. */
  readonly runsDir: string;
  /** Path of `index.csv`. */
  readonly indexPath: string;
  #index: IndexCsv;

  /**
   * Constructs a new instance. Nothing is written until the first run is added.
   *
   * @param name The experiment name, a single file name.
   * @param options Where the experiment lives.
   * @throws {InvalidNameError} The name is empty or path-like.
   */
  constructor(name: string, options: ExperimentOptions = {}) {
    assertFileName("Cannot create experiment", "name", name);
    this.name = name;
    this.baseDir = options.baseDir ?? "outputs";
    this.dir = join(this.baseDir, name);
    this.runsDir = join(this.dir, "runs");
    this.#index = new IndexCsv(this.dir);
    this.indexPath = this.#index.path;
  }

  /**
   * The run id that {@linkcode Experiment.prototype.add} gives `params`.
   *
   * @param params The run's params.
   * @returns The run id; its directory is `<runsDir>/log_<run id>`.
   * @throws {InvalidValueError} A param is not a JSON value or is reserved.
   *
   * @example Usage
   * ```ts
   * import { Experiment } from "@notata/core";
   * import { assertEquals } from "@std/assert";
   *
   * const exp = new Experiment("oscillator_sweep");
   * assertEquals(exp.runId({ omega: 1, dt: 1e-3 }), "oscillator_sweep_dt_0.001_omega_1");
   * ```
   */
  runId(params: Params): string {
    assertParams("Cannot make run id", params);
    return formatRunId(this.name, params);
  }

  /**
   * Starts the run of `params`: creates `runs/log_<run id>/` with
   * `params.json`, `metadata.json`, `log.txt`, `data/`, `plots/` and
   * `artifacts/`. When the run is marked complete or failed (or its `using`
   * block ends), its row in `index.csv` is written.
   *
   * @param params The run's params, a plain object of JSON values.
   * @param options What to do when the run exists already.
   * @returns The run's Logbook, or `null` with `skipExisting` when the run
   * is already complete.
   * @throws {InvalidValueError} A param is not a JSON value or is reserved.
   * @throws {RunExistsError} The run exists and neither `skipExisting` nor
   * `overwrite` was given, or its directory holds other params.
   *
   * @example Manual finishing
   * ```ts
   * import { TemporaryExperiment } from "@notata/core";
   * import { assertEquals } from "@std/assert";
   *
   * using exp = new TemporaryExperiment("sweep");
   * const log = exp.add({ omega: 3, dt: 1e-3 })!;
   * try {
   *   log.json("metrics", { final_energy: 0.998 });
   *   log.markComplete();
   * } catch (error) {
   *   log.markFailed(error instanceof Error ? error : String(error));
   * }
   * assertEquals(log.status, "complete");
   * ```
   */
  add(params: Params, options: AddOptions = {}): Logbook | null {
    const action = "Cannot add run";
    assertParams(action, params);
    const { skipExisting = false, overwrite = false } = options;
    if (skipExisting && overwrite) {
      throw new InvalidValueError(
        `${action}: both skipExisting and overwrite are set, expected at most one`,
      );
    }
    const runId = formatRunId(this.name, params);
    const path = join(this.runsDir, `log_${runId}`);
    let status: RunStatus | undefined;
    if (exists(path)) {
      status = this.#existingStatus(runId, path, params);
      if (status === "complete" && skipExisting) return null;
      if (!skipExisting && !overwrite) {
        throw new RunExistsError(
          `${action}: run "${runId}" already exists with status "${status}", expected skipExisting: true to skip or resume it, or overwrite: true`,
        );
      }
    }
    // A run whose directory existed may have a row (even one whose metadata
    // says it never finished): finishing replaces that row, never duplicates it.
    let hasRow = status !== undefined;
    return new Logbook(runId, {
      baseDir: this.runsDir,
      params,
      overwrite,
      resume: status !== undefined && skipExisting,
      preallocate: true,
      onFinish: (log) => {
        this.#record(log, hasRow);
        hasRow = true;
      },
    });
  }

  /**
   * Runs `fn` as the run of `params`: marks the run complete when `fn`
   * returns, or failed when it throws, with the stack in
   * `artifacts/traceback.txt`, and rethrows.
   *
   * @param params The run's params.
   * @param fn The simulation; it may be async.
   * @param options What to do when the run exists already.
   * @returns What `fn` returned, or `undefined` when `skipExisting` skipped a complete run.
   *
   * @example Usage
   * ```ts
   * import { TemporaryExperiment } from "@notata/core";
   * import { assertEquals } from "@std/assert";
   *
   * using exp = new TemporaryExperiment("sweep");
   * const energy = await exp.run({ omega: 4, dt: 1e-3 }, (log) => {
   *   log.json("metrics", { final_energy: 8 });
   *   return 8;
   * });
   * assertEquals(energy, 8);
   * ```
   */
  async run<T>(
    params: Params,
    fn: (log: Logbook) => T | Promise<T>,
    options: AddOptions = {},
  ): Promise<T | undefined> {
    const log = this.add(params, options);
    if (log === null) return undefined;
    let result: T;
    try {
      result = await fn(log);
    } catch (error) {
      log.markFailed(error instanceof Error ? error : String(error));
      throw error;
    }
    if (log.status === "initialized") log.markComplete();
    return result;
  }

  /**
   * Reads `index.csv` into a nodejs-polars DataFrame. Each column has the
   * type its values were given: strings stay strings (`"007"`, `"1e3"`),
   * integers Int64, other numbers Float64 (NaN and ±Infinity included),
   * booleans Bool. Loading Polars needs `--allow-env --allow-ffi --allow-sys`.
   *
   * @returns The index, empty when no run has finished.
   *
   * @example Usage
   * ```ts ignore
   * import { Experiment } from "@notata/core";
   *
   * const df = await new Experiment("oscillator_sweep").toDataFrame();
   * console.log(df.filter(df.getColumn("status").eq("complete")));
   * ```
   */
  toDataFrame(): Promise<DataFrame> {
    return readIndexFrame(this.indexPath, this.#index.columns());
  }

  /**
   * The index rows whose columns equal all the given values (`null` matches
   * empty cells).
   *
   * @param filter Column names and the values they must have.
   * @returns The matching rows.
   * @throws {InvalidValueError} A filter column is not in the index.
   *
   * @example Usage
   * ```ts ignore
   * import { Experiment } from "@notata/core";
   *
   * const fast = await new Experiment("oscillator_sweep").select({ omega: 1, status: "complete" });
   * ```
   */
  async select(filter: { [column: string]: string | number | boolean | null }): Promise<DataFrame> {
    const frame = await this.toDataFrame();
    const pl = await loadPolars();
    let condition: Expr | undefined;
    for (const [name, value] of Object.entries(filter)) {
      if (!frame.columns.includes(name)) {
        throw new InvalidValueError(
          `Cannot select runs: column "${name}" is not in the index, expected one of ${
            frame.columns.map((column) => `"${column}"`).join(", ")
          }`,
        );
      }
      const test = value === null ? pl.col(name).isNull() : pl.col(name).eq(pl.lit(value));
      condition = condition === undefined ? test : condition.and(test);
    }
    return condition === undefined ? frame : frame.filter(condition);
  }

  /**
   * Rebuilds `index.csv` from the run directories, after any damage to it
   * (deleted, truncated or edited by hand). Runs are ordered by start time.
   * Runs that never finished are left out.
   *
   * @returns The number of rows written.
   *
   * @example Usage
   * ```ts
   * import { TemporaryExperiment } from "@notata/core";
   * import { assertEquals } from "@std/assert";
   *
   * using exp = new TemporaryExperiment("sweep");
   * exp.add({ omega: 1 })!.markComplete();
   * Deno.removeSync(exp.indexPath);
   * assertEquals(exp.reindex(), 1);
   * ```
   */
  reindex(): number {
    return this.#rebuildIndex(undefined);
  }

  // `current` is the run being finished: its row is taken from memory, which
  // keeps the params in the order the user gave them.
  #rebuildIndex(current: IndexRow | undefined): number {
    const rows: { start: string; row: IndexRow }[] = [];
    const entries = exists(this.runsDir) ? [...Deno.readDirSync(this.runsDir)] : [];
    for (const entry of entries) {
      if (!entry.isDirectory || !entry.name.startsWith("log_")) continue;
      const dir = join(this.runsDir, entry.name);
      const metadata = readJsonObject(join(dir, "metadata.json")).value ?? {};
      const start = stringOrNull(metadata.start_time) ?? "";
      if (current !== undefined && entry.name === `log_${current.runId}`) {
        rows.push({ start, row: current });
        continue;
      }
      const status = metadata.status;
      if (status !== "complete" && status !== "failed") continue;
      const runId = stringOrNull(metadata.run_id) ?? entry.name.slice("log_".length);
      const params = readJsonObject(join(dir, "params.json")).value ?? {};
      const metrics = readJsonObject(join(dir, "artifacts", "metrics.json")).value;
      rows.push({ start, row: indexRow(runId, status, params, metadata, metrics) });
    }
    rows.sort((a, b) =>
      a.start < b.start ? -1 : a.start > b.start ? 1 : a.row.runId < b.row.runId ? -1 : 1
    );
    this.#index.rebuild(rows.map(({ row }) => row));
    return rows.length;
  }

  #existingStatus(runId: string, path: string, params: Params): RunStatus {
    const { value: stored } = readJsonObject(join(path, "params.json"));
    const differs = stored !== undefined &&
      Object.keys(params).some((key) =>
        formatJson(params[key]) !== formatJson(stored[key] ?? null)
      );
    if (differs) {
      throw new RunExistsError(
        `Cannot add run: directory "${path}" of run "${runId}" holds other params, expected ${
          JSON.stringify(params)
        }; move it away or choose another experiment name`,
      );
    }
    const status = readJsonObject(join(path, "metadata.json")).value?.status;
    return status === "complete" || status === "failed" ? status : "initialized";
  }

  #record(log: Logbook, hasRow: boolean): void {
    const { value: metrics, problem } = readJsonObject(join(log.path, "artifacts", "metrics.json"));
    if (problem !== undefined) log.warning(`Index row has no metrics: ${problem}`);
    const row = indexRow(log.runId, log.status, log.getParams(), log.getMeta(), metrics);
    if (!this.#index.record(row, hasRow)) this.#rebuildIndex(row);
  }
}
