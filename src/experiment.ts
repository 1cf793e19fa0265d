// Copyright 2026 the notata authors. MIT license.
/**
 * {@linkcode Experiment}: the runs of a parameter sweep, and their index.
 *
 * @module
 */

import type { DataFrame } from "nodejs-polars";
import { join } from "@std/path";
import { formatJson, readJsonObject } from "./_json.ts";
import { assertFileName } from "./_names.ts";
import { claimDirectory, exists } from "./_files.ts";
import { runState } from "./_liveness.ts";
import { withFileLock } from "./_lock.ts";
import { readIndexFrame, selectRows } from "./_polars.ts";
import {
  type ExperimentLink,
  experimentLink,
  experimentLockPath,
  indexOf,
  mayHaveUnindexedRuns,
  rebuildIndex,
  recordUnindexedRuns,
} from "./_run_index.ts";
import { guarded } from "./_watchdog.ts";
import { InvalidValueError, RunExistsError } from "./errors.ts";
import type { IndexCsv } from "./index_csv.ts";
import { Logbook, type LogbookOptions } from "./logbook.ts";
import { assertParams } from "./_params.ts";
import { runBody } from "./_run_body.ts";
import { formatRunId } from "./run_id.ts";
import { grid } from "./grid.ts";
import { sweep, type SweepOptions, type SweepSummary } from "./sweep.ts";
import type { Params, RunState } from "./types.ts";
import type { ReportOptions } from "./report/options.ts";

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
   * The params of a sweep: every combination of the values of `axes` (the
   * last axis varies fastest), each merged with `fixed`. The same as
   * {@linkcode grid}.
   *
   * @example Usage
   * ```ts
   * import { Experiment } from "@notata/core";
   * import { assertEquals } from "@std/assert";
   *
   * assertEquals(Experiment.grid({ omega: [1, 2] }, { steps: 10 }), [
   *   { omega: 1, steps: 10 },
   *   { omega: 2, steps: 10 },
   * ]);
   * ```
   */
  static grid: typeof grid = grid;

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
    this.#index = indexOf(this.dir);
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
    const path = join(this.runsDir, `log_${runId}`);
    // Deciding to start a run and claiming its directory happen under the
    // experiment's lock, so two processes never both start the same run.
    return guarded(() =>
      this.#locked(() => {
        let state: RunState | undefined;
        const claimed = claimDirectory(path);
        if (!claimed) {
          state = this.#existingState(runId, path, params);
          if (state === "complete" && skipExisting) return null;
          if (state === "initialized" && !overwrite) {
            if (skipExisting) return null;
            throw new RunExistsError(
              `${action}: run "${runId}" is running in ${
                this.#owner(path)
              }, expected to wait for it, skipExisting: true to skip it, or overwrite: true`,
            );
          }
          if (!skipExisting && !overwrite) {
            throw new RunExistsError(
              `${action}: run "${runId}" already exists with status "${state}", expected skipExisting: true to skip or resume it, or overwrite: true`,
            );
          }
        }
        // A run whose directory existed may have a row (even one whose metadata
        // says it never finished): finishing replaces that row, never duplicates it.
        const link: ExperimentLink = { dir: this.dir, hasRow: !claimed, claimed };
        const logbookOptions: LogbookOptions & { [experimentLink]: ExperimentLink } = {
          baseDir: this.runsDir,
          params,
          overwrite,
          resume: !claimed && skipExisting,
          [experimentLink]: link,
        };
        return new Logbook(runId, logbookOptions);
      })
    );
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
    const path = join(this.runsDir, `log_${this.runId(params)}`);
    if (!exists(path)) return undefined;
    return runState(path, readJsonObject(join(path, "metadata.json")).value ?? {});
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
   * Runs `fn` for each params of this process's share of `points`: skips
   * complete runs, reruns failed (unless `retryFailed: false`) and crashed
   * ones, records failures without stopping, and reports progress on
   * stderr. The share comes from `options.shard` or the job-array
   * environment (Slurm, Kubernetes Indexed Jobs); see {@linkcode sweep}.
   *
   * @example Usage
   * ```ts
   * import { Experiment, TemporaryExperiment } from "@notata/core";
   * import { assertEquals } from "@std/assert";
   *
   * using exp = new TemporaryExperiment("sweep");
   * const points = Experiment.grid({ omega: [1, 2, 4] }, { steps: 100 });
   * const summary = await exp.sweep(points, (log, params) => {
   *   log.json("metrics", { energy: 0.5 * (params.omega as number) ** 2 });
   * }, { progress: false });
   * assertEquals(summary.done, 3);
   * ```
   *
   * @param points The params of every run of the sweep.
   * @param fn The simulation of one run; it may be async.
   * @param options Concurrency, sharding, retries and progress.
   * @returns What the sweep did.
   */
  sweep<T>(
    points: readonly Params[],
    fn: (log: Logbook, params: Params) => T | Promise<T>,
    options?: SweepOptions,
  ): Promise<SweepSummary> {
    return sweep(this, points, fn, options);
  }

  /**
   * Reads `index.csv` into a nodejs-polars DataFrame. Each column has the
   * type its values were given: strings stay strings (`"007"`, `"1e3"`),
   * integers Int64, other numbers Float64 (NaN and ±Infinity included),
   * booleans Bool. Loading Polars needs `--allow-env --allow-ffi --allow-sys`.
   *
   * Runs that never finished and whose process is gone first get a row with
   * status `"crashed"` in `index.csv`, so they are reported, not taken for
   * running ones (as does a finished run whose process was killed before
   * it wrote its row).
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
  async toDataFrame(): Promise<DataFrame> {
    const frame = await readIndexFrame(this.indexPath, this.#index.columns());
    if (!mayHaveUnindexedRuns(this.dir, frame.height)) return frame;
    const indexed = new Set<string>(
      frame.height > 0 ? frame.getColumn("run_id").toArray().map(String) : [],
    );
    const added = this.#locked(() => recordUnindexedRuns(this.dir, indexed));
    return added === 0 ? frame : readIndexFrame(this.indexPath, this.#index.columns());
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
    return selectRows(await this.toDataFrame(), filter);
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
    return this.#locked(() => rebuildIndex(this.dir));
  }

  #locked<T>(fn: () => T): T {
    return withFileLock(experimentLockPath(this.dir), fn);
  }

  #owner(path: string): string {
    const metadata = readJsonObject(join(path, "metadata.json")).value ?? {};
    const host = typeof metadata.hostname === "string" ? ` on host "${metadata.hostname}"` : "";
    return typeof metadata.pid === "number" ? `process ${metadata.pid}${host}` : "another process";
  }

  #existingState(runId: string, path: string, params: Params): RunState {
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
    const metadata = readJsonObject(join(path, "metadata.json")).value;
    // Runs are created under the lock this runs under: a directory without
    // its metadata was left by a process killed while creating it.
    return metadata === undefined ? "crashed" : runState(path, metadata);
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
    return writeReport(this.dir, options);
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
    return experimentBundle(this.dir);
  }
}
