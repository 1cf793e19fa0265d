// Copyright 2026 the notata authors. MIT license.
// The sizes of a full and of a quick run, and what every row group is given.

import type { Scratch } from "./_harness.ts";

/** How much work each row does, and how often it is repeated. */
export interface Sizes {
  /** Runs per repetition of the sweep-throughput rows. */
  sweepRuns: number;
  /** Alternated repetitions of the sweep on the fast scratch dir. */
  sweepRepeats: number;
  /** Alternated repetitions of the sweep on disk. */
  diskRepeats: number;
  /** Runs of the one long sweep behind the index-cost, memory, DataFrame and reindex rows. */
  growthRuns: number;
  /** Run counts at which the long sweep samples memory. */
  memorySamples: number[];
  /** Runs per window of the index-cost row, and runs skipped as JIT warm-up before the first. */
  finishWindow: number;
  /** Alternated repetitions of `toDataFrame` against `pl.readCSV`. */
  frameRepeats: number;
  /** Alternated repetitions of `reindex` against its raw baseline. */
  reindexRepeats: number;
  /** Lines per repetition of the `log.info` and `log.scalar` rows. */
  lines: number;
  /** Alternated repetitions of the line rows. */
  lineRepeats: number;
  /** Float64 values of the `.npy` row (8 bytes each). */
  npyValues: number;
  /** Alternated repetitions of the `.npy` row. */
  npyRepeats: number;
  /** Alternated `deno run` pairs of the cold-start row. */
  coldRepeats: number;
  /** Runs of each one-process sweep of the RSS row. */
  rssRuns: number;
  /** Runs of the experiment behind the command-line rows. */
  cliRuns: number;
  /** Alternated `deno run` pairs of each command-line row. */
  cliRepeats: number;
  /** Runs of the experiment `scalars()` reads. */
  scalarRuns: number;
  /** Rows of each run's `data/scalars.csv`. */
  scalarRows: number;
  /** Alternated repetitions of `scalars()` against its baseline. */
  scalarRepeats: number;
  /** The two run counts at which the memory `scalars()` holds is measured. */
  scalarMemoryRuns: [number, number];
  /** Rows of the index `aggregate()` groups. */
  aggregateRows: number;
  /** Alternated repetitions of `aggregate()` against a hand-written groupBy. */
  aggregateRepeats: number;
}

/** `deno task bench`: the sizes the issue states. */
export const FULL: Sizes = {
  sweepRuns: 10_000,
  sweepRepeats: 5,
  diskRepeats: 2,
  growthRuns: 100_000,
  memorySamples: [10_000, 50_000, 100_000],
  finishWindow: 1_000,
  frameRepeats: 7,
  reindexRepeats: 3,
  lines: 1_000_000,
  lineRepeats: 3,
  npyValues: 12_500_000,
  npyRepeats: 5,
  coldRepeats: 5,
  rssRuns: 200_000,
  cliRuns: 100_000,
  cliRepeats: 5,
  scalarRuns: 10_000,
  scalarRows: 1_000,
  scalarRepeats: 3,
  scalarMemoryRuns: [2_000, 10_000],
  aggregateRows: 100_000,
  aggregateRepeats: 7,
};

/** `deno task bench --quick`: every row, small enough for CI. */
export const QUICK: Sizes = {
  sweepRuns: 300,
  sweepRepeats: 3,
  diskRepeats: 1,
  growthRuns: 3_000,
  memorySamples: [1_000, 2_000, 3_000],
  finishWindow: 300,
  frameRepeats: 3,
  reindexRepeats: 1,
  lines: 50_000,
  lineRepeats: 3,
  npyValues: 1_000_000,
  npyRepeats: 3,
  coldRepeats: 1,
  rssRuns: 5_000,
  cliRuns: 3_000,
  cliRepeats: 1,
  scalarRuns: 300,
  scalarRows: 200,
  scalarRepeats: 1,
  scalarMemoryRuns: [100, 300],
  aggregateRows: 5_000,
  aggregateRepeats: 3,
};

/** What each row group is given. */
export interface BenchContext {
  sizes: Sizes;
  scratch: Scratch;
}
