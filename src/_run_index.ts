// Copyright 2026 the notata authors. MIT license.
// Keeping index.csv in step with the run directories, across processes.
// Every change to the index, and the final metadata write of the run it
// records, happens under the experiment's lock: a rebuild that scans the
// run directories then sees each finished run exactly once, either on disk
// with its row already written or not yet finished.

import { join } from "@std/path";
import { readJsonObject } from "./_json.ts";
import { exists } from "./_files.ts";
import { runState } from "./_liveness.ts";
import { IndexCsv, type IndexRow } from "./index_csv.ts";
import type { JsonValue, Params, RunState } from "./types.ts";

// One IndexCsv per experiment directory, so each keeps what it knows of its
// file from one finished run to the next.
const indexes = new Map<string, IndexCsv>();

/** The index of the experiment in `dir`. */
export function indexOf(dir: string): IndexCsv {
  let index = indexes.get(dir);
  if (index === undefined) indexes.set(dir, index = new IndexCsv(dir));
  return index;
}

/** The lock file of the experiment in `dir`. */
export function experimentLockPath(dir: string): string {
  return join(dir, ".index.lock");
}

function numberOrNull(value: JsonValue | undefined): number | null {
  return typeof value === "number" ? value : null;
}

function stringOrNull(value: JsonValue | undefined): string | null {
  return typeof value === "string" ? value : null;
}

function indexRow(
  runId: string,
  status: RunState,
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
 * Writes the row of a finished run into the index of the experiment in
 * `dir`, rebuilding the index when it is missing or damaged. The caller
 * holds the experiment's lock. The metrics are read from the run's
 * `artifacts/metrics.json` unless given. Returns why they could not be
 * read, if they could not.
 */
export function recordRun(
  dir: string,
  runDir: string,
  run: {
    runId: string;
    status: RunState;
    params: Params;
    metadata: { [key: string]: JsonValue };
    metrics?: { [key: string]: JsonValue };
  },
  hasRow: boolean,
): string | undefined {
  const { value: metrics, problem } = run.metrics !== undefined
    ? { value: run.metrics }
    : readJsonObject(join(runDir, "artifacts", "metrics.json"));
  const row = indexRow(run.runId, run.status, run.params, run.metadata, metrics);
  if (!indexOf(dir).record(row, hasRow)) rebuildIndex(dir, row);
  return problem;
}

/**
 * Rewrites the index of the experiment in `dir` from its run directories:
 * finished and crashed runs, ordered by start time. `current`, the run being
 * finished, is taken from memory, which keeps its params in the order the
 * user gave them. The caller holds the experiment's lock.
 */
export function rebuildIndex(dir: string, current?: IndexRow): number {
  const runsDir = join(dir, "runs");
  const rows: { start: string; row: IndexRow }[] = [];
  const entries = exists(runsDir) ? [...Deno.readDirSync(runsDir)] : [];
  for (const entry of entries) {
    if (!entry.isDirectory || !entry.name.startsWith("log_")) continue;
    const runDir = join(runsDir, entry.name);
    const metadata = readJsonObject(join(runDir, "metadata.json")).value ?? {};
    const start = stringOrNull(metadata.start_time) ?? "";
    if (current !== undefined && entry.name === `log_${current.runId}`) {
      rows.push({ start, row: current });
      continue;
    }
    const state = runState(runDir, metadata);
    if (state === "initialized") continue;
    const runId = stringOrNull(metadata.run_id) ?? entry.name.slice("log_".length);
    const params = readJsonObject(join(runDir, "params.json")).value ?? {};
    const metrics = readJsonObject(join(runDir, "artifacts", "metrics.json")).value;
    rows.push({ start, row: indexRow(runId, state, params, metadata, metrics) });
  }
  rows.sort((a, b) =>
    a.start < b.start ? -1 : a.start > b.start ? 1 : a.row.runId < b.row.runId ? -1 : 1
  );
  indexOf(dir).rebuild(rows.map(({ row }) => row));
  return rows.length;
}

/**
 * The key under which {@linkcode Experiment} passes a run's experiment to
 * its Logbook; not part of the public options.
 */
export const experimentLink: unique symbol = Symbol("notata.experimentLink");

/** A run's experiment, as its Logbook needs it to keep the index. */
export interface ExperimentLink {
  /** The experiment directory. */
  dir: string;
  /** Whether the run may already have an index row, to be replaced. */
  hasRow: boolean;
  /** Whether the Experiment just created the run directory, under its lock. */
  claimed: boolean;
}

/**
 * The rows that the index of the experiment in `dir` lacks: finished runs
 * and crashed ones (status `"crashed"`), and with `running` also the runs
 * still open (status `"initialized"`). `indexed` holds the run ids the index
 * has. A finished run lacks a row only when its process was killed between
 * its last two writes. Reads the run directories and writes nothing.
 */
export function unindexedRows(
  dir: string,
  indexed: ReadonlySet<string>,
  running = false,
): IndexRow[] {
  const runsDir = join(dir, "runs");
  const rows: IndexRow[] = [];
  for (const entry of exists(runsDir) ? Deno.readDirSync(runsDir) : []) {
    const runId = entry.name.slice("log_".length);
    if (!entry.isDirectory || !entry.name.startsWith("log_") || indexed.has(runId)) continue;
    const runDir = join(runsDir, entry.name);
    const metadata = readJsonObject(join(runDir, "metadata.json")).value ?? {};
    const status = runState(runDir, metadata);
    if (status === "initialized" && !running) continue;
    const params = readJsonObject(join(runDir, "params.json")).value ?? {};
    const metrics = readJsonObject(join(runDir, "artifacts", "metrics.json")).value;
    rows.push(indexRow(runId, status, params, metadata, metrics));
  }
  return rows;
}

/**
 * Gives every run of the experiment in `dir` that has no index row but
 * should have one (finished, or crashed: status `"crashed"`) its row.
 * `indexed` holds the run ids the index has. The caller holds the
 * experiment's lock. Returns the number of rows added.
 */
export function recordUnindexedRuns(dir: string, indexed: ReadonlySet<string>): number {
  const rows = unindexedRows(dir, indexed);
  for (const row of rows) {
    if (!indexOf(dir).record(row, false)) {
      // The rebuild writes every unindexed run, these rows included.
      rebuildIndex(dir);
      break;
    }
  }
  return rows.length;
}

/**
 * Whether the experiment in `dir` may have run directories that its index
 * of `rows` rows does not list. Where the file system counts subdirectories
 * in a directory's link count (ext4, XFS, tmpfs), this costs one stat.
 */
export function mayHaveUnindexedRuns(dir: string, rows: number): boolean {
  let nlink: number | null;
  try {
    nlink = Deno.statSync(join(dir, "runs")).nlink;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
  // A link count of 1 means the file system does not count (Btrfs, some NFS).
  return nlink === null || nlink < 2 || nlink - 2 > rows;
}
