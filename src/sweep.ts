// Copyright 2026 the notata authors. MIT license.
/**
 * Sweeps: every params of a grid run as a run of an experiment, resumably,
 * a few at a time, and split across the processes of a job array. Users
 * start one with {@linkcode Experiment.prototype.sweep}.
 *
 * @module
 */

import { assertParams } from "./_params.ts";
import { runBody } from "./_run_body.ts";
import { autoMode, type ProgressMode, ProgressReporter } from "./_progress.ts";
import { resolveShard, shardItems } from "./_shard.ts";
import { InvalidValueError } from "./errors.ts";
import type { Logbook } from "./logbook.ts";
import type { Params, RunState } from "./types.ts";

const ACTION = "Cannot run sweep";

/**
 * Options of {@linkcode Experiment.prototype.sweep}.
 *
 * @example Usage
 * ```ts
 * import type { SweepOptions } from "@notata/core";
 *
 * const options: SweepOptions = { concurrency: 4, shard: { index: 0, count: 8 } };
 * ```
 */
export interface SweepOptions {
  /**
   * How many runs this process keeps going at once: useful when the
   * simulation is async (a subprocess, a GPU, a remote service); a
   * synchronous one runs one at a time whatever this says. A positive
   * integer.
   *
   * @default {1}
   */
  concurrency?: number;
  /**
   * This process's share of the grid, when a job array starts one process
   * per share: the params at position `i` of the grid belong to share
   * `i % count`, so the shares are disjoint, cover the grid, and every
   * process computes the same split. `{ count }` alone takes the index from
   * `JOB_COMPLETION_INDEX` (a Kubernetes Indexed Job). Without this option
   * the share comes from a SLURM job array's `SLURM_ARRAY_TASK_ID`, with
   * `SLURM_ARRAY_TASK_COUNT` or `SLURM_ARRAY_TASK_MIN` / `_MAX` / `_STEP`
   * (so `--array=0-15:4` works; an array given as a list needs this option),
   * and outside an array it is the whole grid. Environment variables are
   * read only where `--allow-env` grants them; they are never prompted for.
   */
  shard?: { index: number; count: number } | { count: number };
  /**
   * Run again the runs that failed before (`true`), or leave them failed
   * and count them as skipped (`false`).
   *
   * @default {true}
   */
  retryFailed?: boolean;
  /**
   * `false` (the default): a run whose function throws is marked failed
   * with the error (its stack in `artifacts/traceback.txt`) and the sweep
   * goes on. `true`: no new run is started after the first throw, and that
   * error is rethrown once the runs in progress have ended.
   *
   * @default {false}
   */
  stopOnError?: boolean;
  /**
   * Progress on stderr, as `sweep <name>: 120/400 done, 3 failed, 41.2
   * runs/s, ETA 7s` ("done" counts every run dealt with, the rate only the
   * runs actually run). `"bar"`: one line rewritten in place up to ten
   * times a second; `"lines"`: a plain line every ten seconds and one at
   * the end, for log files; `"auto"` (the default): `"bar"` when stderr is
   * a terminal, else `"lines"`; `false`: nothing.
   *
   * @default {"auto"}
   */
  progress?: "auto" | "bar" | "lines" | false;
}

/**
 * What {@linkcode Experiment.prototype.sweep} did with its share of the grid. Every run of the
 * share is counted once in `done`, `failed`, `skipped` or
 * `runningElsewhere`; these add up to `total` unless `stopOnError` stopped
 * the sweep early.
 *
 * @example Usage
 * ```ts
 * import type { SweepSummary } from "@notata/core";
 *
 * const summary: SweepSummary = {
 *   total: 6,
 *   done: 4,
 *   skipped: 1,
 *   failed: 1,
 *   crashedRerun: 0,
 *   runningElsewhere: 0,
 *   elapsedSec: 2.5,
 * };
 * ```
 */
export interface SweepSummary {
  /** The number of params in this process's share of the grid. */
  total: number;
  /** Runs run by this sweep that ended complete. */
  done: number;
  /**
   * Runs not run because they were complete already, or had failed before
   * and `retryFailed` was `false`.
   */
  skipped: number;
  /**
   * Runs run by this sweep that ended failed: the function threw, or marked
   * the run failed itself.
   */
  failed: number;
  /**
   * Runs whose earlier process died before finishing them, run again by
   * this sweep. Each is also counted in `done` or `failed`.
   */
  crashedRerun: number;
  /** Runs not run because another live process is running them. */
  runningElsewhere: number;
  /** Seconds the sweep took. */
  elapsedSec: number;
}

const PROGRESS_VALUES: readonly unknown[] = ["auto", "bar", "lines", false];

// Every point is checked before the first run starts, so a bad point at the
// end of a long grid fails at once. Two points with one run id would race
// for one run directory. Returns each point's run id: the one place a
// sweep computes it.
function runIdsOf(target: SweepTarget, grid: readonly Params[]): string[] {
  if (!Array.isArray(grid)) {
    throw new InvalidValueError(
      `${ACTION}: grid is ${String(grid)}, expected an array of params such as grid() returns`,
    );
  }
  const positions = new Map<string, number>();
  return grid.map((params, position) => {
    assertParams(`${ACTION} at grid position ${position}`, params);
    const runId = target.runId(params);
    const earlier = positions.get(runId);
    if (earlier !== undefined) {
      throw new InvalidValueError(
        `${ACTION}: grid positions ${earlier} and ${position} hold the same params ${
          JSON.stringify(params)
        }, expected each params once`,
      );
    }
    positions.set(runId, position);
    return runId;
  });
}

/** What a sweep needs of its experiment. */
export interface SweepTarget {
  /** The experiment name, for progress lines. */
  name: string;
  /** The run id of checked params. */
  runId(params: Params): string;
  /**
   * Starts the run of checked `params` unless it is complete, running
   * elsewhere, or failed and `retryFailed` is false: returns its Logbook (or
   * `null`) and the state the run had before (`undefined`: new).
   */
  open(
    params: Params,
    runId: string,
    retryFailed: boolean,
  ): { log: Logbook | null; state: RunState | undefined };
}

/**
 * Runs `fn` once for each params of this process's share of `grid`, each as
 * a run of `target`, and returns what happened; see
 * {@linkcode Experiment.prototype.sweep}.
 */
export async function runSweep<T>(
  target: SweepTarget,
  grid: readonly Params[],
  fn: (log: Logbook, params: Params) => T | Promise<T>,
  options: SweepOptions = {},
): Promise<SweepSummary> {
  const { concurrency = 1, retryFailed = true, stopOnError = false, progress = "auto" } = options;
  if (typeof fn !== "function") {
    throw new InvalidValueError(
      `${ACTION}: fn is ${JSON.stringify(fn) ?? String(fn)}, expected a function`,
    );
  }
  if (!Number.isSafeInteger(concurrency) || concurrency < 1) {
    throw new InvalidValueError(
      `${ACTION}: concurrency is ${String(concurrency)}, expected a positive integer`,
    );
  }
  if (!PROGRESS_VALUES.includes(progress)) {
    throw new InvalidValueError(
      `${ACTION}: progress is ${
        JSON.stringify(progress) ?? String(progress)
      }, expected "auto", "bar", "lines" or false`,
    );
  }
  const shard = resolveShard(options.shard);
  const runIds = runIdsOf(target, grid);
  const share = shardItems(grid.map((params, i) => ({ params, runId: runIds[i] })), shard);
  const summary: SweepSummary = {
    total: share.length,
    done: 0,
    skipped: 0,
    failed: 0,
    crashedRerun: 0,
    runningElsewhere: 0,
    elapsedSec: 0,
  };
  let reporter: ProgressReporter | undefined;
  if (progress !== false) {
    const mode: ProgressMode = progress === "auto" ? autoMode() : progress;
    const label = shard.count > 1
      ? `${target.name} (shard ${shard.index} of ${shard.count})`
      : target.name;
    reporter = new ProgressReporter(label, share.length, mode);
  }

  const runOne = async ({ params, runId }: { params: Params; runId: string }): Promise<void> => {
    const { log, state } = target.open(params, runId, retryFailed);
    if (log === null) {
      if (state === "initialized") summary.runningElsewhere++;
      else summary.skipped++;
      reporter?.skipped();
      return;
    }
    if (state === "crashed") summary.crashedRerun++;
    // Errors from add and from marking the run are not the run's own: they
    // propagate and stop the sweep. Only fn's errors are recorded as failures.
    const outcome = await runBody(log, () => fn(log, params));
    if (!outcome.ok && stopOnError) {
      summary.failed++;
      reporter?.failed();
      throw outcome.error;
    }
    if (log.status === "failed") {
      summary.failed++;
      reporter?.failed();
    } else {
      summary.done++;
      reporter?.finished();
    }
  };

  const startedAt = performance.now();
  let next = 0;
  let stop: { error: unknown } | undefined;
  // A pool of workers, each taking the next params when its run ends.
  const worker = async (): Promise<void> => {
    while (stop === undefined && next < share.length) {
      try {
        await runOne(share[next++]);
      } catch (error) {
        stop ??= { error };
      }
    }
  };
  reporter?.start();
  try {
    await Promise.all(Array.from({ length: Math.min(concurrency, share.length) }, worker));
  } finally {
    summary.elapsedSec = (performance.now() - startedAt) / 1000;
    reporter?.stop();
  }
  if (stop !== undefined) throw stop.error;
  return summary;
}
