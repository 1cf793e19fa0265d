// Copyright 2026 the notata authors. MIT license.
// Sweep throughput: runs per second of `exp.add` + one `log.info` +
// `log.json("metrics")` + complete, against a plain script that writes the
// same files with raw Deno calls.

import { join } from "@std/path";
import { Experiment } from "../mod.ts";
import {
  alternate,
  inFreshDir,
  type Paired,
  pairedRow,
  progress,
  type Row,
  secondsSince,
} from "./_harness.ts";
import type { BenchContext } from "./_context.ts";

/** The experiment name of every sweep the benchmark runs. */
export const SWEEP_NAME = "sweep";

/** The params of run `i`: keys in sorted order, as the run id lists them. */
export function sweepParams(i: number): { omega: number; seed: number } {
  return { omega: 1 + (i % 100) / 100, seed: i };
}

/** The metrics of a run, in sorted key order. */
export function sweepMetrics(
  params: { omega: number; seed: number },
): { drift: number; final_energy: number } {
  return { drift: params.seed * 1e-9, final_energy: 0.5 * params.omega ** 2 };
}

/** Runs `runs` runs through the library under `dir`; returns runs/s. */
export function librarySweep(dir: string, runs: number): number {
  const exp = new Experiment(SWEEP_NAME, { baseDir: dir });
  const start = performance.now();
  for (let i = 0; i < runs; i++) {
    const params = sweepParams(i);
    using log = exp.add(params)!;
    log.info(`omega=${params.omega}`);
    log.json("metrics", sweepMetrics(params));
  }
  return runs / secondsSince(start);
}

function writeAtomic(path: string, text: string): void {
  const temp = `${path}.tmp`;
  Deno.writeTextFileSync(temp, text);
  Deno.renameSync(temp, path);
}

const INDEX_HEADER = "run_id,omega,seed,status,drift,final_energy,runtime_sec,failure_reason\r\n";

/**
 * The same files as {@linkcode librarySweep} with raw Deno calls: mkdir the
 * run dir, write params.json, metadata.json atomically (temp + rename) as
 * initialized, one line appended to log.txt, mkdir artifacts/ and write
 * artifacts/metrics.json, metadata.json atomically again as complete, one
 * line appended to index.csv. Returns runs/s.
 */
export function baselineSweep(dir: string, runs: number): number {
  const start = performance.now();
  const expDir = join(dir, SWEEP_NAME);
  const runsDir = join(expDir, "runs");
  const indexPath = join(expDir, "index.csv");
  Deno.mkdirSync(runsDir, { recursive: true });
  Deno.writeTextFileSync(indexPath, INDEX_HEADER);
  for (let i = 0; i < runs; i++) {
    const startedAt = performance.now();
    const params = sweepParams(i);
    const runId = `${SWEEP_NAME}_omega_${params.omega}_seed_${params.seed}`;
    const runDir = `${runsDir}/log_${runId}`;
    Deno.mkdirSync(runDir);
    Deno.writeTextFileSync(`${runDir}/params.json`, JSON.stringify(params, null, 2) + "\n");
    const metadata: Record<string, string | number | null> = {
      end_time: null,
      run_id: runId,
      runtime_sec: null,
      start_time: new Date().toISOString(),
      status: "initialized",
    };
    writeAtomic(`${runDir}/metadata.json`, JSON.stringify(metadata, null, 2) + "\n");
    Deno.writeTextFileSync(
      `${runDir}/log.txt`,
      `[${new Date().toISOString()}] INFO omega=${params.omega}\n`,
      { append: true },
    );
    const metrics = sweepMetrics(params);
    Deno.mkdirSync(`${runDir}/artifacts`);
    Deno.writeTextFileSync(
      `${runDir}/artifacts/metrics.json`,
      JSON.stringify(metrics, null, 2) + "\n",
    );
    const runtime = (performance.now() - startedAt) / 1000;
    metadata.end_time = new Date().toISOString();
    metadata.runtime_sec = runtime;
    metadata.status = "complete";
    writeAtomic(`${runDir}/metadata.json`, JSON.stringify(metadata, null, 2) + "\n");
    Deno.writeTextFileSync(
      indexPath,
      `${runId},${params.omega},${params.seed},complete,${metrics.drift},${metrics.final_energy},${runtime},\r\n`,
      { append: true },
    );
  }
  return runs / secondsSince(start);
}

interface MeasureOptions {
  repeats: number;
  /** Both sides first run a tenth of the sweep untimed, so the JIT has compiled both. */
  warmUp: boolean;
  /**
   * Delete each repetition's files before the next one. On a disk, deleting
   * keeps it busy for a while after the call returns, slowing whichever side
   * runs next: there the files stay until the scratch dir is removed.
   */
  removeEach: boolean;
}

async function measure(ctx: BenchContext, root: string, options: MeasureOptions): Promise<Paired> {
  const { sweepRuns } = ctx.sizes;
  if (options.warmUp) {
    const runs = Math.max(50, Math.floor(sweepRuns / 10));
    inFreshDir(root, (dir) => librarySweep(dir, runs));
    inFreshDir(root, (dir) => baselineSweep(dir, runs));
  }
  const sweepIn = (sweep: typeof librarySweep) =>
    options.removeEach
      ? inFreshDir(root, (dir) => sweep(dir, sweepRuns))
      : sweep(Deno.makeTempDirSync({ dir: root }), sweepRuns);
  return await alternate(
    options.repeats,
    (r) => {
      const rate = sweepIn(librarySweep);
      progress(`sweep on ${root}: repetition ${r + 1}, library ${rate.toFixed(0)} runs/s`);
      return rate;
    },
    (r) => {
      const rate = sweepIn(baselineSweep);
      progress(`sweep on ${root}: repetition ${r + 1}, baseline ${rate.toFixed(0)} runs/s`);
      return rate;
    },
  );
}

const BASELINE_NOTE =
  "baseline: plain script, raw Deno calls, same files (params.json, metadata.json twice via temp+rename, one log.txt line, artifacts/metrics.json, one index.csv line)";

/** The sweep row on the fast scratch dir: the target. */
export async function sweepRows(ctx: BenchContext): Promise<Row[]> {
  const { sweepRuns, sweepRepeats } = ctx.sizes;
  return [
    pairedRow(
      {
        id: "sweep",
        name: `sweep throughput, N = ${sweepRuns.toLocaleString("en-US")}`,
        unit: "runs/s",
        ratioKind: "throughput",
        target: "≥ 0.7×",
        notes:
          `${BASELINE_NOTE}; on ${ctx.scratch.fastKind}; median of ${sweepRepeats} alternated repetitions`,
        extra: { runs: sweepRuns, dir: ctx.scratch.fastKind },
      },
      await measure(ctx, ctx.scratch.fast, {
        repeats: sweepRepeats,
        warmUp: true,
        removeEach: true,
      }),
      (ratio) => ratio >= 0.7,
    ),
  ];
}

/**
 * The same sweep on `Deno.makeTempDir`'s file system, reported beside the
 * target row. It runs last, after the other rows have warmed the JIT:
 * deleting its runs keeps a disk busy for a while.
 */
export async function diskSweepRows(ctx: BenchContext): Promise<Row[]> {
  const { sweepRuns, diskRepeats } = ctx.sizes;
  return [
    pairedRow(
      {
        id: "sweep_disk",
        name: `sweep throughput on disk, N = ${sweepRuns.toLocaleString("en-US")}`,
        unit: "runs/s",
        ratioKind: "throughput",
        target: "report",
        notes: `the same in ${ctx.scratch.disk}; median of ${diskRepeats} alternated repetitions`,
        extra: { runs: sweepRuns, dir: ctx.scratch.disk },
      },
      await measure(ctx, ctx.scratch.disk, {
        repeats: diskRepeats,
        warmUp: false,
        removeEach: false,
      }),
      () => null,
    ),
  ];
}
