// Copyright 2026 the notata authors. MIT license.
// One long sweep (100,000 runs in a full run) that checks the cost of a run
// does not grow with the sweep: the time to finish a run (dispose: metadata,
// index row) at the end against the start, and the memory the process holds
// at a few points. Its experiment is kept for the DataFrame and reindex rows.

import { join } from "@std/path";
import { Experiment } from "../mod.ts";
import {
  collectGarbage,
  formatNumber,
  mean,
  progress,
  type Row,
  secondsSince,
} from "./_harness.ts";
import type { BenchContext } from "./_context.ts";
import { SWEEP_NAME, sweepMetrics, sweepParams } from "./sweep.ts";

/** A memory sample of the long sweep. */
export interface MemorySample {
  runs: number;
  rssMb: number;
  /** The V8 heap's size: what it reserved. */
  heapTotalMb: number;
  /** What lives on the V8 heap after a GC: the figure that shows a leak. */
  heapMb: number;
}

/** What the long sweep measured, and its experiment on disk. */
export interface GrowthSweep {
  exp: Experiment;
  runs: number;
  seconds: number;
  /** Milliseconds each run took to finish (its dispose). */
  finishMs: Float64Array;
  memory: MemorySample[];
  /** Whether the samples were taken after a forced garbage collection. */
  gcForced: boolean;
}

const MB = 1024 * 1024;

/** Runs the long sweep under `dir`, timing every finish and sampling memory. */
export function runGrowthSweep(ctx: BenchContext, dir: string): GrowthSweep {
  const { growthRuns: runs, memorySamples } = ctx.sizes;
  const exp = new Experiment(SWEEP_NAME, { baseDir: join(dir, "growth") });
  const finishMs = new Float64Array(runs);
  const memory: MemorySample[] = [];
  let gcForced = false;
  const start = performance.now();
  for (let i = 0; i < runs; i++) {
    const params = sweepParams(i);
    const log = exp.add(params)!;
    log.info(`omega=${params.omega}`);
    log.json("metrics", sweepMetrics(params));
    const finishStart = performance.now();
    log[Symbol.dispose]();
    finishMs[i] = performance.now() - finishStart;
    if (memorySamples.includes(i + 1)) {
      gcForced = collectGarbage();
      const { rss, heapTotal, heapUsed } = Deno.memoryUsage();
      memory.push({
        runs: i + 1,
        rssMb: rss / MB,
        heapTotalMb: heapTotal / MB,
        heapMb: heapUsed / MB,
      });
      progress(
        `long sweep: ${i + 1} runs, rss ${(rss / MB).toFixed(1)} MB, heap ${
          (heapUsed / MB).toFixed(1)
        } MB`,
      );
    }
  }
  return { exp, runs, seconds: secondsSince(start), finishMs, memory, gcForced };
}

/** The index-cost and memory rows of the long sweep. */
export function growthRows(ctx: BenchContext, sweep: GrowthSweep): Row[] {
  const window = ctx.sizes.finishWindow;
  const first = sweep.finishMs.subarray(window, 2 * window);
  const last = sweep.finishMs.subarray(sweep.runs - window);
  const startMs = mean(first);
  const endMs = mean(last);
  const runs = (n: number) => `#${n.toLocaleString("en-US")}`;
  const firstSample = sweep.memory[0];
  const lastSample = sweep.memory.at(-1)!;
  const heapRatio = lastSample.heapMb / firstSample.heapMb;
  const samples = sweep.memory.map((sample) =>
    `${sample.runs.toLocaleString("en-US")} runs: rss ${sample.rssMb.toFixed(1)}, heap total ${
      sample.heapTotalMb.toFixed(1)
    }, used ${sample.heapMb.toFixed(1)} MB`
  );
  return [
    {
      id: "index_cost",
      name: `finish cost, run ${runs(sweep.runs)} vs ${runs(1)}`,
      unit: "ms/run",
      library: endMs,
      baseline: startMs,
      ratio: endMs / startMs,
      ratioKind: "growth",
      target: "≤ 1.5×",
      pass: endMs / startMs <= 1.5,
      notes: `mean time of dispose (status, metadata.json, index.csv row) over runs ${
        runs(sweep.runs - window + 1)
      }-${runs(sweep.runs)} (library column) vs runs ${runs(window + 1)}-${
        runs(2 * window)
      } (baseline column; the first ${window} runs are JIT warm-up); the whole sweep ran at ${
        formatNumber(sweep.runs / sweep.seconds)
      } runs/s`,
      extra: { runs: sweep.runs, window, sweepSeconds: sweep.seconds },
    },
    {
      id: "memory",
      name: `heap after ${lastSample.runs.toLocaleString("en-US")} vs ${
        firstSample.runs.toLocaleString("en-US")
      } runs`,
      unit: "MB",
      library: lastSample.heapMb,
      baseline: firstSample.heapMb,
      ratio: heapRatio,
      ratioKind: "growth",
      target: "flat: ≤ 1.25×",
      pass: heapRatio <= 1.25,
      notes: `Deno.memoryUsage() ${
        sweep.gcForced ? "after a forced GC" : "(no --expose-gc: without a forced GC)"
      } at ${samples.join("; ")}; rss last/first ${
        (lastSample.rssMb / firstSample.rssMb).toFixed(2)
      }× (rss follows the heap total, which V8 sizes to the allocation rate; used heap is what a leak grows)`,
      extra: {
        sampleRuns: sweep.memory.map((sample) => sample.runs),
        rssMb: sweep.memory.map((sample) => sample.rssMb),
        heapTotalMb: sweep.memory.map((sample) => sample.heapTotalMb),
        heapMb: sweep.memory.map((sample) => sample.heapMb),
        rssRatio: lastSample.rssMb / firstSample.rssMb,
        gcForced: sweep.gcForced,
      },
    },
  ];
}
