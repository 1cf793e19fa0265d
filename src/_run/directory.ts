// Copyright 2026 the notata authors. MIT license.
// A run's directory: created whole (built under a hidden name beside it and
// renamed into place, so nobody ever sees one without its params and
// metadata), replaced whole (overwrite), or reopened (resume).

import { basename, dirname, join } from "@std/path";
import {
  ensureDir,
  exists,
  inDirectory,
  readTextIfExists,
  temporaryName,
  writeFileAtomic,
} from "../_files.ts";
import { formatJson, parseJson } from "../_json.ts";
import { hostname, pidNamespace, runState } from "../_liveness.ts";
import { RunExistsError } from "../errors.ts";
import type { JsonValue } from "../types.ts";

/** What a run directory starts with: the text of its two JSON files, and subdirectories. */
export interface RunContents {
  params: string;
  metadata: string;
  subdirs: readonly string[];
}

// Hidden, and in `stagingDir` (an experiment's runs are staged in the
// experiment directory, outside runs/), so listings of runs never see one,
// not even one left by a process killed while making it.
// Named as atomic writes name their temporary files (see isTemporaryFile).
function stagingPath(stagingDir: string, path: string): string {
  return temporaryName(join(stagingDir, `.${basename(path)}`));
}

/**
 * Creates the run directory `path` with `contents`. Returns `false`,
 * leaving nothing behind, when `path` exists already: renaming a directory
 * over one that holds files fails, so of several processes creating the
 * same run exactly one succeeds.
 */
export function createRunDirectory(
  stagingDir: string,
  path: string,
  contents: RunContents,
): boolean {
  const stage = stagingPath(stagingDir, path);
  inDirectory(stagingDir, () => Deno.mkdirSync(stage));
  try {
    Deno.writeTextFileSync(join(stage, "params.json"), contents.params);
    Deno.writeTextFileSync(join(stage, "metadata.json"), contents.metadata);
    for (const sub of contents.subdirs) Deno.mkdirSync(join(stage, sub));
    inDirectory(dirname(path), () => Deno.renameSync(stage, path));
    return true;
  } catch (error) {
    Deno.removeSync(stage, { recursive: true });
    if (exists(path)) return false;
    throw error;
  }
}

/**
 * Replaces the run directory `path` with a new one holding `contents`. The
 * old one is moved aside first, so the new one appears whole.
 *
 * @throws {RunExistsError} Another process created the run in between.
 */
export function replaceRunDirectory(
  action: string,
  stagingDir: string,
  path: string,
  contents: RunContents,
): void {
  const aside = stagingPath(stagingDir, path);
  try {
    Deno.renameSync(path, aside);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  const created = createRunDirectory(stagingDir, path, contents);
  if (exists(aside)) Deno.removeSync(aside, { recursive: true });
  if (!created) {
    throw new RunExistsError(
      `${action}: directory "${path}" was created by another process while it was being replaced, expected to replace it alone`,
    );
  }
}

/** Rewrites the files of the existing run directory `path` to start it again. */
export function reopenRunDirectory(path: string, contents: RunContents): void {
  for (const sub of contents.subdirs) ensureDir(join(path, sub));
  writeFileAtomic(join(path, "params.json"), contents.params);
  writeFileAtomic(join(path, "metadata.json"), contents.metadata);
}

/**
 * The attempts to record in the metadata of the run in `path` when it is
 * resumed: the earlier ones, then the one that ends now.
 *
 * @throws {RunExistsError} The run is complete.
 */
export function resumedAttempts(action: string, path: string): { [key: string]: JsonValue }[] {
  const text = readTextIfExists(join(path, "metadata.json"));
  let old: { [key: string]: JsonValue } = {};
  try {
    old = text === undefined ? {} : parseJson(text) as { [key: string]: JsonValue };
  } catch {
    // A torn or hand-broken metadata file: the attempt is recorded as unknown.
  }
  if (old.status === "complete") {
    throw new RunExistsError(
      `${action}: run is already complete, expected a failed or unfinished run to resume`,
    );
  }
  const earlier = Array.isArray(old.attempts) ? old.attempts as { [key: string]: JsonValue }[] : [];
  const attempt: { [key: string]: JsonValue } = {
    status: old.status === undefined ? "unknown" : runState(path, old),
    start_time: old.start_time ?? null,
    end_time: old.end_time ?? null,
  };
  if (old.failure_reason !== undefined) attempt.failure_reason = old.failure_reason;
  return [...earlier, attempt];
}

/** How a run's directory is opened. */
export type Opening = "create" | "overwrite" | "resume";

/**
 * Opens the directory of run `runId` at `path` as `opening` says, writing
 * `params` and the run's first metadata (status `initialized`), and returns
 * that metadata; `undefined` when `opening` is `"create"` and the directory
 * exists.
 */
export function openRunDirectory(
  action: string,
  run: {
    runId: string;
    path: string;
    stagingDir: string;
    params: string;
    subdirs: readonly string[];
  },
  opening: Opening,
): { [key: string]: JsonValue } | undefined {
  const metadata: { [key: string]: JsonValue } = {
    run_id: run.runId,
    status: "initialized",
    start_time: new Date().toISOString(),
    end_time: null,
    runtime_sec: null,
    pid: Deno.pid,
    hostname: hostname(),
  };
  if (pidNamespace() !== undefined) metadata.pid_namespace = pidNamespace()!;
  if (opening === "resume") metadata.attempts = resumedAttempts(action, run.path);
  const contents = { params: run.params, metadata: formatJson(metadata), subdirs: run.subdirs };
  if (opening === "create") {
    return createRunDirectory(run.stagingDir, run.path, contents) ? metadata : undefined;
  }
  if (opening === "overwrite") replaceRunDirectory(action, run.stagingDir, run.path, contents);
  else reopenRunDirectory(run.path, contents);
  return metadata;
}

/**
 * How a standalone Logbook opens a run directory that exists: as
 * `overwrite` or `resume` says.
 *
 * @throws {RunExistsError} Neither was given.
 */
export function existingOpening(
  action: string,
  path: string,
  overwrite: boolean,
  resume: boolean,
): Opening {
  if (overwrite) return "overwrite";
  if (resume) return "resume";
  throw new RunExistsError(
    `${action}: directory "${path}" already exists, expected a new run id, overwrite: true or resume: true`,
  );
}
