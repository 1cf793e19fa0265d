// Copyright 2026 the notata authors. MIT license.
// Finding the run directory of params: under its run id, or under an id it
// had before (our previous rule, the Python notata's), confirmed by the
// params on disk. Used by `add` (with skipExisting or overwrite),
// `statusOf` and sweeps.

import { join } from "@std/path";
import { formatJson, readJsonObject } from "./_json.ts";
import { exists } from "./_files.ts";
import { readParamsFile } from "./_params_file.ts";
import { formerRunIds } from "./run_id.ts";
import type { Params } from "./types.ts";

/** A run's id and its directory. */
export interface RunLocation {
  runId: string;
  path: string;
}

/** The directory of run `runId` under `runsDir`: `log_<run id>`. */
export function runPath(runsDir: string, runId: string): string {
  return join(runsDir, `log_${runId}`);
}

/**
 * The params stored in run directory `dir`: ours (`params.json`), else the
 * original's (`params.yaml` as PyYAML reads it); `undefined` when there are
 * none. Ours first: a sweep that skips done runs reads each with one open.
 */
export function storedParams(dir: string): Params | undefined {
  return readJsonObject(join(dir, "params.json")).value ?? readParamsFile(dir).value;
}

/**
 * Whether `stored` (a run directory's params) holds `params`: each of them
 * with an equal value. Extra stored keys are allowed: the original adds
 * params to a run after it started.
 */
export function holdsParams(stored: Params, params: Params): boolean {
  return Object.keys(params).every((key) =>
    formatJson(params[key]) === formatJson(stored[key] ?? null)
  );
}

// A directory under a former id; any error (a name this system refuses)
// means there is none.
function isDirectory(path: string): boolean {
  try {
    return Deno.lstatSync(path).isDirectory;
  } catch {
    return false;
  }
}

/**
 * Where the run of `params` is: `runId`'s directory when it exists, else a
 * directory under one of its former ids that holds these params, else
 * `undefined`. The former ids are only computed, and statted, when
 * `runId`'s directory is absent, and most params have none.
 */
export function locateRun(
  runsDir: string,
  experiment: string,
  params: Params,
  runId: string,
): RunLocation | undefined {
  const path = runPath(runsDir, runId);
  if (exists(path)) return { runId, path };
  for (const former of formerRunIds(experiment, params)) {
    if (former === runId) continue;
    const formerPath = runPath(runsDir, former);
    if (!isDirectory(formerPath)) continue;
    const stored = storedParams(formerPath);
    if (stored !== undefined && holdsParams(stored, params)) {
      return { runId: former, path: formerPath };
    }
  }
  return undefined;
}
