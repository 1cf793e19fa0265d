// Copyright 2026 the notata authors. MIT license.
/**
 * {@linkcode Experiment}: the runs of a parameter sweep, and their index.
 *
 * @module
 */

import type { DataFrame } from "nodejs-polars";
import { join } from "@std/path";
import { copyJson, readJsonObject } from "./_json.ts";
import { assertFileName } from "./_names.ts";
import { exists } from "./_files.ts";
import { runState } from "./_liveness.ts";
import { withFileLock } from "./_lock.ts";
import { readIndexFrame, selectRows } from "./_index/read.ts";
import { experimentLockPath, indexCommit, reindexExperiment } from "./_index/runs.ts";
import type { Opening } from "./_run/directory.ts";
import { InvalidValueError, RunExistsError } from "./errors.ts";
import { type Logbook, openExperimentRun } from "./logbook.ts";
import { assertParams } from "./_params.ts";
import { runBody } from "./_run_body.ts";
import { formatRunId } from "./run_id.ts";
import { holdsParams, locateRun, type RunLocation, runPath, storedParams } from "./_run_lookup.ts";
import { runSweep, type SweepOptions, type SweepSummary } from "./sweep.ts";
import type { Params, RunState } from "./types.ts";
import type { ReportOptions } from "./report/options.ts";
import { ExperimentReader } from "./experiment_reader.ts";
import {
  type AggregateOptions,
  aggregateRuns,
  aggregateScalarFrame,
  type AggregateScalarsOptions,
  scalarFrame,
  type ScalarsOptions,
} from "./_analysis.ts";

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
  /**
   * Directory that holds the experiment directory.
   *
   * @default {"outputs"}
   */
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
   *
   * @default {false}
   */
  skipExisting?: boolean;
  /**
   * Delete an existing run of the same params and start afresh.
   *
   * @default {false}
   */
  overwrite?: boolean;
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
 * assertEquals(rows[0], "run_id,dt,omega,status,final_energy,runtime_sec,failure_reason");
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
  // Whether the experiment's lock has been taken once: a file system
  // without locks then fails the first add, before any run exists.
  #lockTried = false;

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
    this.indexPath = join(this.dir, "index.csv");
  }

  /**
   * The run id that {@linkcode Experiment.prototype.add} gives `params`,
   * the Python notata's id wherever that one loses nothing:
   * `<name>_<key>_<value>_...` over the params sorted by key; integers as
   * digits, other numbers as Python's `.5g` (`0.001`, `1e-07`) when that
   * reads back as the same number, else in their shortest round-trip form;
   * `True`, `False`, `None`; `<name>_` for no params. Distinct params never
   * share an id: when the readable form could be read back as other params,
   * needs characters outside `[A-Za-z0-9._+-]`, holds a nested value or a
   * string value with capitals (or one that reads as a number or literal),
   * ends in `.` or would be longer than 200 bytes, a 12-digit hash of the
   * canonical params is appended after `__`. The same params always give
   * the same id, whatever the order of their keys. File systems that ignore
   * case (macOS, Windows) see params that differ only in the case of a key
   * (`{ N: 1 }`, `{ n: 1 }`) as one run directory.
   *
   * `add` with `skipExisting` or `overwrite`, `statusOf` and `sweep` also
   * find a run under the id the Python notata gave it, or the one earlier
   * versions of notata for Deno gave it, when its directory holds the same
   * params.
   *
   * @param params The run's params.
   * @returns The run id; its directory is `<runsDir>/log_<run id>`.
   * @throws {InvalidValueError} A param is not a JSON value or is reserved.
   *
   * @example Readable ids for plain sweeps
   * ```ts
   * import { Experiment } from "@notata/core";
   * import { assertEquals } from "@std/assert";
   *
   * assertEquals(
   *   new Experiment("oscillator_sweep").runId({ omega: 1, dt: 1e-3 }),
   *   "oscillator_sweep_dt_0.001_omega_1",
   * );
   * ```
   *
   * @example The Python notata's id: booleans, None and exponents as Python writes them
   * ```ts
   * import { Experiment } from "@notata/core";
   * import { assertEquals } from "@std/assert";
   *
   * const exp = new Experiment("e");
   * assertEquals(
   *   exp.runId({ adaptive: true, tol: 1e-7, seed: null }),
   *   "e_adaptive_True_seed_None_tol_1e-07",
   * );
   * ```
   *
   * @example A hash keeps ambiguous params apart
   * ```ts
   * import { Experiment } from "@notata/core";
   * import { assertNotEquals } from "@std/assert";
   *
   * const exp = new Experiment("e");
   * assertNotEquals(exp.runId({ x: "1" }), exp.runId({ x: 1 }));
   * ```
   *
   * @example String values with capitals are hashed, keys are not
   * ```ts
   * import { Experiment } from "@notata/core";
   * import { assertEquals, assertMatch } from "@std/assert";
   *
   * const exp = new Experiment("e");
   * assertEquals(exp.runId({ N: 64 }), "e_N_64");
   * assertMatch(exp.runId({ method: "RK4" }), /^e_method_RK4__[0-9a-f]{12}$/);
   * ```
   */
  runId(params: Params): string {
    assertParams("Cannot make run id", params);
    return formatRunId(this.name, params);
  }

  /**
   * Starts the run of `params`: creates `runs/log_<run id>/` with
   * `params.json`, `metadata.json` and `log.txt`; `data/`, `plots/` and
   * `artifacts/` appear when something is first written there. When the
   * run is marked complete or failed (or its `using` block ends), its row in
   * `index.csv` is written.
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
    // Only skipExisting and overwrite expect the run to exist often.
    const probe = skipExisting || overwrite;
    return this.#open(params, runId, { skipExisting, overwrite, retryFailed: true, probe }).log;
  }

  /**
   * The state of the run of `params`: `"complete"`, `"failed"`,
   * `"initialized"` (running, here or in another live process), `"crashed"`
   * (never finished, and its process is gone), or `undefined` when the run
   * does not exist.
   *
   * @param params The run's params.
   * @returns The run's state, or `undefined`.
   * @throws {InvalidValueError} A param is not a JSON value or is reserved.
   *
   * @example Usage
   * ```ts
   * import { TemporaryExperiment } from "@notata/core";
   * import { assertEquals } from "@std/assert";
   *
   * using exp = new TemporaryExperiment("sweep");
   * assertEquals(exp.statusOf({ omega: 1 }), undefined);
   * exp.add({ omega: 1 })!.markComplete();
   * assertEquals(exp.statusOf({ omega: 1 }), "complete");
   * ```
   */
  statusOf(params: Params): RunState | undefined {
    const location = locateRun(this.runsDir, this.name, params, this.runId(params));
    if (location === undefined) return undefined;
    return runState(
      location.path,
      readJsonObject(join(location.path, "metadata.json")).value ?? {},
    );
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
    const outcome = await runBody(log, () => fn(log));
    if (!outcome.ok) throw outcome.error;
    return outcome.value;
  }

  /**
   * Runs `fn` once for each params of this process's share of `points`, each
   * as a run of this experiment, and returns what happened.
   *
   * A run is finished as a `using` block finishes it: complete when `fn`
   * returns (unless `fn` marked it itself), failed with the error when `fn`
   * throws, and the sweep goes on (see `stopOnError`). A sweep is
   * resumable: a complete run is skipped, a failed one run again (see
   * `retryFailed`), a run whose process died run again in its own directory
   * (its earlier attempt stays on record), and a run another live process
   * is running is left to it. Progress goes to stderr.
   *
   * The share comes from `options.shard` or the job-array environment
   * (Slurm, Kubernetes Indexed Jobs): every process of a job array must be
   * given the same points. Errors that are not a run's own (a run directory
   * holding other params, a file system error) stop the sweep as
   * `stopOnError` does, and are rethrown.
   *
   * @example Usage
   * ```ts
   * import { grid, TemporaryExperiment } from "@notata/core";
   * import { assertEquals } from "@std/assert";
   *
   * using exp = new TemporaryExperiment("sweep");
   * const points = grid({ omega: [1, 2, 4] }, { steps: 100 });
   * const summary = await exp.sweep(points, (log, params) => {
   *   log.json("metrics", { energy: 0.5 * (params.omega as number) ** 2 });
   * }, { progress: false });
   * assertEquals(summary.done, 3);
   *
   * const again = await exp.sweep(points, () => {}, { progress: false });
   * assertEquals(again.skipped, 3);
   * ```
   *
   * @param points The params of every run of the sweep, such as {@linkcode grid} returns.
   * @param fn The simulation of one run; it may be async.
   * @param options Concurrency, sharding, retries and progress.
   * @returns The counts of this process's share.
   * @throws {InvalidValueError} An option or a point is invalid, or two
   * points are the same params. Nothing has run then.
   */
  sweep<T>(
    points: readonly Params[],
    fn: (log: Logbook, params: Params) => T | Promise<T>,
    options?: SweepOptions,
  ): Promise<SweepSummary> {
    return runSweep(
      {
        name: this.name,
        runId: (params) => formatRunId(this.name, params),
        open: (params, runId, retryFailed) =>
          this.#open(params, runId, {
            skipExisting: true,
            overwrite: false,
            retryFailed,
            probe: true,
          }),
      },
      points,
      fn,
      options,
    );
  }

  /**
   * The index as a nodejs-polars DataFrame: `index.csv`, each column of the
   * type its values were given (strings stay strings, `"007"`, `"1e3"`;
   * integers Int64, other numbers Float64, NaN and ±Infinity included;
   * booleans Bool), plus a row for every run `index.csv` does not list yet:
   * crashed runs (status `"crashed"`) and runs still going (status
   * `"initialized"`), read from their run directories. Nothing is written
   * and no lock is taken, so it works on a read-only copy and beside a sweep
   * that is still running. The same as
   * {@linkcode ExperimentReader.prototype.toDataFrame}. Loading Polars
   * needs `--allow-env --allow-ffi --allow-sys`.
   *
   * @returns The index, empty when no run has started.
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
    return readIndexFrame(this.dir);
  }

  /**
   * The rows of {@linkcode Experiment.prototype.toDataFrame} whose columns
   * equal all the given values (`null` matches empty cells). Read-only.
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
    return selectRows(await this.toDataFrame(), filter);
  }

  /**
   * Rebuilds `index.csv` from the run directories, after any damage to it
   * (deleted, truncated or edited by hand). Runs are ordered by start time.
   * Finished and crashed runs get a row; runs still going are left out.
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
    return this.#locked(() => reindexExperiment(this.dir));
  }

  #locked<T>(fn: () => T): T {
    return withFileLock(experimentLockPath(this.dir), fn);
  }

  // Starts the run of checked `params`: the one way `add` and sweeps start
  // runs. A new run is created without the lock (its directory appears
  // whole, by a rename that fails if it exists); deciding what to do with an
  // existing one, and doing it, happen under the experiment's lock, so two
  // processes never both start the same run. `probe`: look before creating,
  // as a sweep over runs that are mostly done should; only then is a run
  // found under a former id (our previous rule's, the original's).
  #open(
    params: Params,
    runId: string,
    policy: { skipExisting: boolean; overwrite: boolean; retryFailed: boolean; probe: boolean },
  ): { log: Logbook | null; state: RunState | undefined } {
    // The params are kept: the caller may change its object later.
    const owned = copyJson(params);
    const start = (location: RunLocation, opening: Opening, hasRow: boolean) =>
      openExperimentRun({
        runId: location.runId,
        path: location.path,
        params: owned,
        opening,
        commit: indexCommit(this.dir, hasRow),
        experimentDir: this.dir,
        hasRow,
      });
    if (!this.#lockTried) {
      this.#locked(() => {});
      this.#lockTried = true;
    }
    const own: RunLocation = { runId, path: runPath(this.runsDir, runId) };
    const found = policy.probe ? locateRun(this.runsDir, this.name, params, runId) : undefined;
    if (found === undefined) {
      const log = start(own, "create", false);
      if (log !== undefined) return { log, state: undefined };
    }
    return this.#locked(() => {
      let location = found ?? own;
      // A directory found under a former id may have been moved away since.
      if (!exists(location.path)) {
        location = own;
        const log = start(own, "create", false);
        if (log !== undefined) return { log, state: undefined };
      }
      const { runId, path } = location;
      const state = this.#existingState(runId, path, params);
      const { skipExisting, overwrite } = policy;
      if (state === "complete" && skipExisting) return { log: null, state };
      if (state === "failed" && skipExisting && !policy.retryFailed) return { log: null, state };
      if (state === "initialized" && !overwrite) {
        if (skipExisting) return { log: null, state };
        throw new RunExistsError(
          `Cannot add run: run "${runId}" is running in ${
            this.#owner(path)
          }, expected to wait for it, skipExisting: true to skip it, or overwrite: true`,
        );
      }
      if (!skipExisting && !overwrite) {
        throw new RunExistsError(
          `Cannot add run: run "${runId}" already exists with status "${state}", expected skipExisting: true to skip or resume it, or overwrite: true`,
        );
      }
      // A run whose directory existed may have a row (even one whose metadata
      // says it never finished): finishing replaces that row, never duplicates it.
      try {
        return { log: start(location, overwrite ? "overwrite" : "resume", true)!, state };
      } catch (error) {
        // Completed by another node since its state was read, as a file
        // system whose caches lag may show it: skipped, not thrown.
        const now = readJsonObject(join(path, "metadata.json")).value?.status;
        if (skipExisting && error instanceof RunExistsError && now === "complete") {
          return { log: null, state: "complete" };
        }
        throw error;
      }
    });
  }

  #owner(path: string): string {
    const metadata = readJsonObject(join(path, "metadata.json")).value ?? {};
    const host = typeof metadata.hostname === "string" ? ` on host "${metadata.hostname}"` : "";
    return typeof metadata.pid === "number" ? `process ${metadata.pid}${host}` : "another process";
  }

  #existingState(runId: string, path: string, params: Params): RunState {
    const stored = storedParams(path);
    if (stored !== undefined && !holdsParams(stored, params)) {
      throw new RunExistsError(
        `Cannot add run: directory "${path}" of run "${runId}" holds other params, expected ${
          JSON.stringify(params)
        }; move it away or choose another experiment name`,
      );
    }
    const metadata = readJsonObject(join(path, "metadata.json")).value;
    // Runs appear whole (renamed into place with their metadata): a directory
    // without readable metadata was damaged, or left by an older version
    // killed while creating it. It is taken as crashed, to be resumed.
    return metadata === undefined ? "crashed" : runState(path, metadata);
  }
  /**
   * Every selected run's series (`data/scalars.csv`) in one long
   * nodejs-polars DataFrame: `run_id`, the run's params (typed as in
   * {@linkcode Experiment.prototype.toDataFrame}), `status`, `step`, `name`,
   * `value`, `time`; runs in the order of the index, each run's rows in file
   * order.
   * Complete runs only unless `status` says otherwise; runs without scalars
   * add no rows; a file that is not a scalars table is reported (see
   * `onCorrupt`) and left out. See docs/analysis.md.
   *
   * @param options Which series, runs and statuses.
   * @returns The series of every selected run.
   * @throws {InvalidValueError} An option is malformed or names no param of the index.
   *
   * @example Usage
   * ```ts
   * import { TemporaryExperiment } from "@notata/core";
   * import { assertEquals } from "@std/assert";
   *
   * using exp = new TemporaryExperiment("sweep");
   * for (const seed of [1, 2]) {
   *   using log = exp.add({ omega: 1, seed })!;
   *   for (let step = 0; step < 3; step++) log.scalar("energy", seed * step);
   * }
   * const df = await exp.scalars({ names: ["energy"] });
   * assertEquals(df.columns, ["run_id", "omega", "seed", "status", "step", "name", "value", "time"]);
   * assertEquals(df.getColumn("value").toArray(), [0, 1, 2, 0, 2, 4]);
   * ```
   */
  scalars(options?: ScalarsOptions): Promise<DataFrame> {
    return scalarFrame(this.dir, () => new ExperimentReader(this.dir).toDataFrame(), options);
  }

  /**
   * The index grouped by every param not in `over` (such as `["seed"]`):
   * one row per configuration, sorted by its params, with `n` (its runs)
   * and for each metric `<metric>_mean`, `_std` (sample, n − 1), `_min`,
   * `_max` and `_count` (values that entered them: empty cells and NaN are
   * skipped, as pandas skips them). Complete runs only unless `status`
   * says otherwise. See docs/analysis.md.
   *
   * @param options The params to aggregate over, and which metrics and runs.
   * @returns One row per configuration.
   * @throws {InvalidValueError} An option is malformed, `over` names no param, or
   * `metrics` no numeric metric.
   *
   * @example Mean and spread over seeds
   * ```ts
   * import { TemporaryExperiment } from "@notata/core";
   * import { assertEquals } from "@std/assert";
   *
   * using exp = new TemporaryExperiment("sweep");
   * for (const omega of [1, 2]) {
   *   for (const seed of [1, 2, 3]) {
   *     using log = exp.add({ omega, seed })!;
   *     log.json("metrics", { energy: omega + seed });
   *   }
   * }
   * const df = await exp.aggregate({ over: ["seed"] });
   * assertEquals(df.getColumn("omega").toArray(), [1, 2]);
   * assertEquals(df.getColumn("n").toArray(), [3, 3]);
   * assertEquals(df.getColumn("energy_mean").toArray(), [3, 4]);
   * assertEquals(df.getColumn("energy_std").toArray(), [1, 1]);
   * ```
   */
  aggregate(options: AggregateOptions): Promise<DataFrame> {
    return aggregateRuns(this.dir, () => new ExperimentReader(this.dir).toDataFrame(), options);
  }

  /**
   * The series of {@linkcode Experiment.prototype.scalars} grouped by every
   * param not in `over`, series name and step: one row per configuration,
   * series and step, sorted by them, with `n` (runs with a row there) and
   * `value_mean`, `value_std`, `value_min`, `value_max`, `value_count`.
   * See docs/analysis.md.
   *
   * @param options The params to aggregate over, and which series and runs.
   * @returns One row per configuration, series and step.
   * @throws {InvalidValueError} An option is malformed or names no param of the index.
   *
   * @example A band over seeds
   * ```ts
   * import { TemporaryExperiment } from "@notata/core";
   * import { assertEquals } from "@std/assert";
   *
   * using exp = new TemporaryExperiment("sweep");
   * for (const seed of [1, 2]) {
   *   using log = exp.add({ omega: 1, seed })!;
   *   for (let step = 0; step < 2; step++) log.scalar("energy", seed + step);
   * }
   * const df = await exp.aggregateScalars({ over: ["seed"] });
   * assertEquals(df.getColumn("step").toArray(), [0, 1]);
   * assertEquals(df.getColumn("value_mean").toArray(), [1.5, 2.5]);
   * ```
   */
  aggregateScalars(options: AggregateScalarsOptions): Promise<DataFrame> {
    return aggregateScalarFrame(
      this.dir,
      () => new ExperimentReader(this.dir).toDataFrame(),
      options,
    );
  }

  /**
   * Writes the experiment's HTML report: one self-contained file with the
   * runs table (sortable, filterable), charts and the details of the runs
   * that most need a look. See docs/report.md. Loads nodejs-polars
   * (`--allow-env --allow-ffi --allow-sys`).
   *
   * @param options Where to write, the title, how many runs get details.
   * @returns The path written, by default `<experiment>/report.html`.
   *
   * @example Usage
   * ```ts
   * import { TemporaryExperiment } from "@notata/core";
   * import { assertStringIncludes } from "@std/assert";
   *
   * using exp = new TemporaryExperiment("sweep");
   * exp.add({ omega: 1 })!.markComplete();
   * const path = await exp.report({ title: "Sweep" });
   * assertStringIncludes(Deno.readTextFileSync(path), "<title>Sweep</title>");
   * ```
   */
  async report(options?: ReportOptions): Promise<string> {
    const { writeReport } = await import("./report/report.ts");
    return writeReport(new ExperimentReader(this.dir), options);
  }

  /**
   * What Deno's Jupyter kernel shows for the experiment: the runs table as
   * `text/html`, a summary as `text/plain`.
   *
   * @returns The MIME bundle.
   *
   * @example Usage
   * ```ts
   * import { TemporaryExperiment } from "@notata/core";
   * import { assertStringIncludes } from "@std/assert";
   *
   * using exp = new TemporaryExperiment("sweep");
   * exp.add({ omega: 1 })!.markComplete();
   * // A notebook shows `exp` on a cell's last line with this bundle.
   * const bundle = await Reflect.get(exp, Symbol.for("Jupyter.display")).call(exp);
   * assertStringIncludes(bundle["text/html"], "<table");
   * ```
   */
  async [Symbol.for("Jupyter.display")](): Promise<{ "text/html": string; "text/plain": string }> {
    const { experimentBundle } = await import("./report/_display.ts");
    return experimentBundle(new ExperimentReader(this.dir));
  }
}
