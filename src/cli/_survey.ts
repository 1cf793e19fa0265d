// Copyright 2026 the notata authors. MIT license.
// Every run of an experiment with its state, host and times, read from the
// run directories (the index has no host and no end time), for `status`
// and `gc`.

import type { ExperimentReader } from "../experiment_reader.ts";
import { shownState } from "./_common.ts";

/** One run as `status` and `gc` see it. */
export interface RunSurvey {
  runId: string;
  /** The run directory. */
  path: string;
  /** complete, failed, crashed, running, or unknown (metadata without a status). */
  state: string;
  host: string | null;
  /** Start and end as milliseconds since the epoch, `NaN` when not recorded. */
  start: number;
  end: number;
  failureReason: string | null;
}

function time(value: unknown): number {
  return typeof value === "string" ? Date.parse(value) : NaN;
}

/** Reads the metadata of every run of `experiment`. */
export function surveyRuns(experiment: ExperimentReader): RunSurvey[] {
  const runs: RunSurvey[] = [];
  for (const run of experiment) {
    let meta;
    try {
      meta = run.meta;
    } catch {
      // Removed since it was listed (gc in another process): not a run any more.
      continue;
    }
    runs.push({
      runId: run.runId,
      path: run.path,
      state: shownState(run.status),
      host: typeof meta.hostname === "string" ? meta.hostname : null,
      start: time(meta.start_time),
      end: time(meta.end_time),
      failureReason: typeof meta.failure_reason === "string" ? meta.failure_reason : null,
    });
  }
  return runs;
}
