// Copyright 2026 the notata authors. MIT license.
// Marking a run failed from its files alone, for a signal that arrives while
// the run is open: the code that handles the signal may not be the thread
// that runs the simulation, so it works from the directory, not the Logbook.

import { join } from "@std/path";
import { appendText, writeFileAtomic } from "./_files.ts";
import { formatJson, readJsonObject } from "./_json.ts";
import { withFileLock } from "./_lock.ts";
import { experimentLockPath, recordRun } from "./_run_index.ts";

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
  const metadataPath = join(run.path, "metadata.json");
  const commit = () => {
    const metadata = readJsonObject(metadataPath).value;
    if (metadata?.status !== "initialized") return;
    const end = new Date();
    const start = typeof metadata.start_time === "string" ? Date.parse(metadata.start_time) : NaN;
    Object.assign(metadata, {
      status: "failed",
      end_time: end.toISOString(),
      runtime_sec: Number.isNaN(start) ? null : (end.getTime() - start) / 1000,
      failure_reason: reason,
    });
    writeFileAtomic(metadataPath, formatJson(metadata));
    appendText(join(run.path, "log.txt"), `[${end.toISOString()}] ERROR Run failed: ${reason}\n`);
    if (run.experimentDir === undefined) return;
    const params = readJsonObject(join(run.path, "params.json")).value ?? {};
    recordRun(
      run.experimentDir,
      run.path,
      { runId: run.runId, status: "failed", params, metadata },
      run.hasRow,
    );
  };
  if (run.experimentDir === undefined) commit();
  else withFileLock(experimentLockPath(run.experimentDir), commit);
}
