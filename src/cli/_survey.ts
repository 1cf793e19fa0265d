// Copyright 2026 the notata authors. MIT license.
// Every run of an experiment with its state, host and times, read from the
// run directories (the index has no host and no end time), for `status`
// and `gc`: one read of each run's metadata.json, the least a count by
// status and host needs.

import { join } from "@std/path";
import { readJsonObject } from "../_json.ts";
import { runState } from "../_liveness.ts";
import type { ExperimentReader } from "../experiment_reader.ts";
import type { JsonValue } from "../types.ts";
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

function readMetadata(runDir: string): { [key: string]: JsonValue } | undefined {
  try {
    const { value, problem } = readJsonObject(join(runDir, "metadata.json"));
    // A metadata.json that does not parse (a disk that filled up) still marks a run.
    return problem !== undefined ? {} : value;
  } catch (error) {
    // A stray file in runs/, or a link to one.
    if (error instanceof Deno.errors.NotADirectory) return undefined;
    throw error;
  }
}

/**
 * Reads the metadata of every run of `experiment` (the directories under
 * runs/ that hold a metadata.json), once each, sorted by run id. A run
 * deleted while this reads is left out.
 */
export function surveyRuns(experiment: ExperimentReader): RunSurvey[] {
  const runs: RunSurvey[] = [];
  for (const entry of Deno.readDirSync(experiment.runsDir)) {
    if (!entry.isDirectory && !entry.isSymlink) continue;
    const path = join(experiment.runsDir, entry.name);
    const meta = readMetadata(path);
    if (meta === undefined) continue;
    runs.push({
      runId: entry.name.startsWith("log_") ? entry.name.slice("log_".length) : entry.name,
      path,
      state: typeof meta.status === "string" ? shownState(runState(path, meta)) : "unknown",
      host: typeof meta.hostname === "string" ? meta.hostname : null,
      start: time(meta.start_time),
      end: time(meta.end_time),
      failureReason: typeof meta.failure_reason === "string" ? meta.failure_reason : null,
    });
  }
  return runs.sort((a, b) => a.runId < b.runId ? -1 : a.runId > b.runId ? 1 : 0);
}
