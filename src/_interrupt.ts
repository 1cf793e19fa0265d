// Copyright 2026 the notata authors. MIT license.
// Marking a run failed from its files alone, for a signal that arrives while
// the run is open: the code that handles the signal may not be the thread
// that runs the simulation, so it works from the directory, not the Logbook,
// through the same finish as every other (see _run/finish.ts).

import { join } from "@std/path";
import { appendText } from "./_files.ts";
import { readJsonObject } from "./_json.ts";
import { indexCommit } from "./_index/runs.ts";
import { finishRun } from "./_run/finish.ts";

// How long marking a run waits for the experiment's lock: the process must
// end within a second of the signal. A run that could not get the lock in
// that time is marked in its own files, its index row left to the next writer.
const INTERRUPTED_LOCK_WAIT_MS = 500;

/** An open run, as the signal handler knows it. */
export interface WatchedRun {
  /** The run directory. */
  path: string;
  /** The run id. */
  runId: string;
  /** The experiment directory, for runs of an experiment. */
  experimentDir?: string;
  /** Whether the run may already have an index row (a resumed run). */
  hasRow: boolean;
}

/**
 * Marks the open run `run` failed with `reason`, in `metadata.json`,
 * `log.txt` and the experiment's index. Does nothing to a run that finished.
 */
export function failOpenRun(run: WatchedRun, reason: string): void {
  const metadata = readJsonObject(join(run.path, "metadata.json")).value;
  if (metadata?.status !== "initialized") return;
  const start = typeof metadata.start_time === "string" ? Date.parse(metadata.start_time) : NaN;
  const params = readJsonObject(join(run.path, "params.json")).value ?? {};
  const end = new Date();
  finishRun(
    { path: run.path, runId: run.runId, params, metadata },
    {
      status: "failed",
      reason,
      runtimeSec: Number.isNaN(start) ? null : (end.getTime() - start) / 1000,
      end,
    },
    (line) => appendText(join(run.path, "log.txt"), line),
    run.experimentDir === undefined
      ? undefined
      : indexCommit(run.experimentDir, run.hasRow, INTERRUPTED_LOCK_WAIT_MS),
  );
}
