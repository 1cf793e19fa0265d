// Copyright 2026 the notata authors. MIT license.
// Finishing a run, whoever finishes it: the user (markComplete, markFailed,
// the end of a `using` block), the rescue of a run left by a fatal throw
// (which marks it failed), or a signal (the watchdog thread, from the run's
// files alone). One function writes what every finish writes; what differs
// is given: where the last log line goes, and the commit hook a run of an
// experiment carries.

import { join } from "@std/path";
import { writeFileAtomic } from "../_files.ts";
import { formatJson } from "../_json.ts";
import type { JsonValue, Params, RunStatus } from "../types.ts";
import { formatLogLine } from "./log.ts";

/** A run being finished, as its finisher knows it. */
export interface FinishingRun {
  /** The run directory. */
  path: string;
  /** The run id. */
  runId: string;
  /** The run's params. */
  params: Params;
  /** The run's metadata, updated in place with the outcome. */
  metadata: { [key: string]: JsonValue };
  /** The metrics the run wrote, when its finisher knows them without reading the file. */
  metrics?: { [key: string]: JsonValue };
}

/** How a run ended. */
export interface Outcome {
  status: Exclude<RunStatus, "initialized">;
  /** Why a failed run failed. */
  reason?: string;
  /** Seconds from start to finish, when known. */
  runtimeSec: number | null;
  /** When the run ended. Default: now. */
  end?: Date;
}

/**
 * Writes a finished run's final `metadata.json` by calling `writeMetadata`,
 * together with whatever must change with it (an experiment's index row,
 * under the experiment's lock). Returns a problem to log, if any.
 */
export type CommitHook = (run: FinishingRun, writeMetadata: () => void) => string | undefined;

/**
 * Finishes `run`: appends the last log line with `log`, records the outcome
 * in its metadata and writes that, through `commit` when given. Returns a
 * problem the commit reported, if any.
 */
export function finishRun(
  run: FinishingRun,
  outcome: Outcome,
  log: (line: string) => void,
  commit: CommitHook | undefined,
): string | undefined {
  const { status, reason, runtimeSec, end = new Date() } = outcome;
  log(
    status === "complete"
      ? formatLogLine("INFO", `Run complete in ${(runtimeSec ?? 0).toFixed(3)} s`, end)
      : formatLogLine("ERROR", `Run failed: ${reason}`, end),
  );
  const metadata = run.metadata;
  metadata.status = status;
  metadata.end_time = end.toISOString();
  metadata.runtime_sec = runtimeSec;
  if (status === "failed") metadata.failure_reason = reason ?? null;
  else delete metadata.failure_reason;
  const writeMetadata = () =>
    writeFileAtomic(join(run.path, "metadata.json"), formatJson(metadata), { durable: true });
  if (commit !== undefined) return commit(run, writeMetadata);
  writeMetadata();
  return undefined;
}
