// Copyright 2026 the notata authors. MIT license.
// Keeping index.csv in step with the run directories, across processes.
// Every change to the index, and the final metadata write of the run it
// records, happens under the experiment's lock: a rebuild that scans the
// run directories then sees each finished run exactly once, either on disk
// with its row already written or not yet finished. A finish that cannot get
// the lock (it stayed taken, or a signal ends the process) writes its
// metadata alone and leaves a note, after which the next commit, or a
// rebuild, records the row: replacing a row, it never duplicates one.

import { join } from "@std/path";
import { readJsonObject } from "../_json.ts";
import { ensureDir, exists } from "../_files.ts";
import { readParamsFile } from "../_params_file.ts";
import { runState } from "../_liveness.ts";
import { tryWithFileLock } from "../_lock.ts";
import type { CommitHook, FinishingRun } from "../_run/finish.ts";
import type { JsonValue, Params, RunState } from "../types.ts";
import type { IndexRow, RunRow, RunRows } from "./cells.ts";
import { IndexCsv } from "./csv.ts";

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
 * The run in `runDir` as its files give it, with its start time (empty when
 * unknown) and whether its metadata read, or `undefined` when there is no
 * such directory. `runId` defaults to the one the metadata records, else
 * the directory's name.
 */
function readRun(
  runDir: string,
  runId?: string,
): { run: RunRow; start: string; metadataRead: boolean } | undefined {
  const { value: metadata = {} } = readJsonObject(join(runDir, "metadata.json"));
  const metadataRead = Object.keys(metadata).length > 0;
  if (!metadataRead && !exists(runDir)) return undefined;
  const id = runId ?? stringOrNull(metadata.run_id) ??
    runDir.slice(runDir.lastIndexOf("log_") + "log_".length);
  const params = readParamsFile(runDir).value ?? {};
  const metrics = readJsonObject(join(runDir, "artifacts", "metrics.json"));
  const pythonStatus = metrics.value !== undefined
    ? "complete"
    : metrics.problem !== undefined
    ? "error"
    : "missing";
  const row = indexRow(id, runState(runDir, metadata), params, metadata, metrics.value);
  return {
    run: { row, pythonStatus },
    start: stringOrNull(metadata.start_time) ?? "",
    metadataRead,
  };
}

/**
 * The runs of the experiment in `dir` by id, as their run directories give
 * them; `undefined` where a directory cannot tell (see `RunRows`).
 */
export function runRowsOf(dir: string): RunRows {
  return (runId) => {
    // A run id cell holds a directory name; anything else names no run.
    if (runId === "" || /[/\\]/.test(runId)) return undefined;
    const found = readRun(join(dir, "runs", `log_${runId}`), runId);
    return found?.metadataRead ? found.run : undefined;
  };
}

/**
 * Writes the row of the finished run `run` into the index of the experiment
 * in `dir`, rebuilding the index when it is missing or damaged. The caller
 * holds the experiment's lock. The metrics are read from the run's
 * `artifacts/metrics.json` unless given. Returns why they could not be
 * read, if they could not.
 */
function recordRun(dir: string, run: FinishingRun, replace: boolean): string | undefined {
  const { value: metrics, problem } = run.metrics !== undefined
    ? { value: run.metrics }
    : readJsonObject(join(run.path, "artifacts", "metrics.json"));
  const status = run.metadata.status as RunState;
  const row = indexRow(run.runId, status, run.params, run.metadata, metrics);
  if (!indexOf(dir).record(row, replace, runRowsOf(dir))) rebuildIndex(dir, row);
  return problem;
}

// Runs finished while the experiment's lock was unavailable: one empty file
// per run, named by its run id, in this directory of the experiment.
const PENDING_DIR = ".index.pending";

// Leaves a note that the finished run `runId` has no row yet. Created with
// O_EXCL: a note left already stays as it is.
function notePendingRow(dir: string, runId: string): void {
  const path = join(dir, PENDING_DIR, runId);
  for (;;) {
    try {
      ensureDir(join(dir, PENDING_DIR));
      Deno.openSync(path, { write: true, createNew: true }).close();
      return;
    } catch (error) {
      if (error instanceof Deno.errors.AlreadyExists) return;
      // The directory was removed as empty meanwhile: made again.
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
  }
}

// The run ids of the notes left. A note is left after its run's final
// metadata is written, so a run with a note listed now is finished on disk.
function pendingRows(dir: string): string[] {
  // The notes' directory exists only while notes are left. Where the file
  // system counts subdirectories in a directory's link count, one stat tells
  // that the experiment directory holds runs/ alone, more cheaply than a
  // listing that fails.
  if (Deno.statSync(dir).nlink === 3) return [];
  try {
    return [...Deno.readDirSync(join(dir, PENDING_DIR))].map((entry) => entry.name);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return [];
    throw error;
  }
}

// Removes the notes of `runIds`, and their directory once it is empty.
function removeNotes(dir: string, runIds: readonly string[]): void {
  if (runIds.length === 0) return;
  for (const runId of runIds) removeNote(dir, runId);
  try {
    Deno.removeSync(join(dir, PENDING_DIR));
  } catch (error) {
    // A note left meanwhile keeps the directory; another commit removed it first.
    const notEmpty = (error as { code?: string }).code === "ENOTEMPTY";
    if (!notEmpty && !(error instanceof Deno.errors.NotFound)) throw error;
  }
}

function removeNote(dir: string, runId: string): void {
  try {
    Deno.removeSync(join(dir, PENDING_DIR, runId));
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
}

// Records the rows that finishes without the lock left pending, from their
// run directories, and removes their notes. The caller holds the lock.
function recordPendingRows(dir: string): void {
  const pending = pendingRows(dir);
  for (const runId of pending) {
    const path = join(dir, "runs", `log_${runId}`);
    const metadata = readJsonObject(join(path, "metadata.json")).value;
    if (metadata?.status === "complete" || metadata?.status === "failed") {
      const params = readParamsFile(path).value ?? {};
      // The run may have a row already (a rebuild since, or an earlier attempt).
      recordRun(dir, { path, runId, params, metadata }, true);
    }
  }
  removeNotes(dir, pending);
}

/**
 * The commit hook of a run of the experiment in `dir`: under the
 * experiment's lock, the run's final metadata is written and its row
 * recorded, so a rebuild that scans the run directories sees each finished
 * run exactly once, and the rows earlier finishes left pending are recorded.
 * `hasRow`: the run may already have a row (a run whose directory existed),
 * which its row then replaces.
 *
 * When the lock stays taken longer than `waitMs` (default: the lock
 * timeout), the run's final metadata is written without it and a note is
 * left for the next commit (or `reindex`) to record its row; the hook then
 * throws the lock's error, unless `waitMs` was given (a finish that must not
 * wait long, on a signal).
 */
export function indexCommit(dir: string, hasRow: boolean, waitMs?: number): CommitHook {
  let replace = hasRow;
  return (run, writeMetadata) => {
    const result = tryWithFileLock(experimentLockPath(dir), () => {
      writeMetadata();
      const problem = recordRun(dir, run, replace);
      recordPendingRows(dir);
      return problem;
    }, waitMs);
    // A run finished again (re-marked failed by the rescue) replaces its row.
    replace = true;
    if ("value" in result) return result.value;
    writeMetadata();
    notePendingRow(dir, run.runId);
    if (waitMs === undefined) throw result.unavailable;
    return undefined;
  };
}

/**
 * Rewrites the index of the experiment in `dir` from its run directories
 * (see {@linkcode rebuildIndex}), rows left pending included. The caller
 * holds the experiment's lock.
 */
export function reindexExperiment(dir: string): number {
  const pending = pendingRows(dir);
  const rows = rebuildIndex(dir);
  removeNotes(dir, pending);
  return rows;
}

/**
 * Rewrites the index of the experiment in `dir` from its run directories:
 * finished and crashed runs, ordered by start time. `current`, the run being
 * finished, is the row just made for it (its metrics as given, unread).
 * Columns of the old index that no run gives keep their values (see
 * `IndexCsv#rebuild`). The caller holds the experiment's lock.
 */
export function rebuildIndex(dir: string, current?: IndexRow): number {
  const runsDir = join(dir, "runs");
  const runs: { run: RunRow; start: string }[] = [];
  const entries = exists(runsDir) ? [...Deno.readDirSync(runsDir)] : [];
  for (const entry of entries) {
    if (!entry.isDirectory || !entry.name.startsWith("log_")) continue;
    const isCurrent = current !== undefined && entry.name === `log_${current.runId}`;
    const found = readRun(join(runsDir, entry.name), isCurrent ? current.runId : undefined);
    if (found === undefined) continue;
    if (isCurrent) found.run.row = current;
    else if (found.run.row.status === "initialized") continue;
    runs.push(found);
  }
  runs.sort((a, b) => {
    if (a.start !== b.start) return a.start < b.start ? -1 : 1;
    return a.run.row.runId < b.run.row.runId ? -1 : 1;
  });
  indexOf(dir).rebuild(runs.map(({ run }) => run));
  return runs.length;
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
    const row = readRun(join(runsDir, entry.name), runId)?.run.row;
    if (row !== undefined && (row.status !== "initialized" || running)) rows.push(row);
  }
  return rows;
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
