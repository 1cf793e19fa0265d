// Copyright 2026 the notata authors. MIT license.
// A run's directory: created whole (built under a hidden name beside it and
// renamed into place, so nobody ever sees one without its params and
// metadata), replaced whole (overwrite), or reopened (resume).

import { basename, dirname, join } from "@std/path";
import {
  ensureDir,
  explainWriteError,
  inDirectory,
  readTextIfExists,
  refuseLink,
  refuseLinksBelow,
  temporaryName,
  writeFileAtomic,
  writeNewFile,
} from "../_files.ts";
import { formatJson, parseJson } from "../_json.ts";
import { HEARTBEAT_FILE, hostname, pidNamespace, runState } from "../_liveness.ts";
import { RunExistsError } from "../errors.ts";
import type { JsonValue } from "../types.ts";

// Where a run directory is a link, or anything in it that a run writes
// other than by an atomic replace (which renames over a link and never
// opens its target): refused when a run directory is reopened. The parent
// comes before what it holds, so no check looks through a link.
const WRITTEN_IN_PLACE = [
  "params.json",
  "metadata.json",
  "log.txt",
  HEARTBEAT_FILE,
  "artifacts",
  "plots",
  "data",
  join("data", "scalars.csv"),
];

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
 * same run exactly one succeeds. The directories between `stagingDir` and
 * `path` must not be links. `params.json` is flushed to the disk before the
 * rename, as nothing else records which run the directory is. The rename
 * itself is not flushed: a power cut before the run's next flush at most
 * loses the whole directory (the run then runs again), and that next flush
 * (its final metadata) commits the journal holding the rename on journaling
 * file systems.
 *
 * @throws {NotataError} A link is in the way, or the disk is full.
 */
export function createRunDirectory(
  action: string,
  stagingDir: string,
  path: string,
  contents: RunContents,
): boolean {
  refuseLinksBelow(action, stagingDir, dirname(path));
  const stage = stagingPath(stagingDir, path);
  try {
    inDirectory(stagingDir, () => Deno.mkdirSync(stage));
  } catch (error) {
    if (error instanceof Deno.errors.AlreadyExists) refuseLink(action, stage);
    throw explainWriteError(error, path);
  }
  try {
    writeNewFile(join(stage, "params.json"), contents.params, { durable: true });
    writeNewFile(join(stage, "metadata.json"), contents.metadata);
    for (const sub of contents.subdirs) Deno.mkdirSync(join(stage, sub));
    inDirectory(dirname(path), () => Deno.renameSync(stage, path));
  } catch (error) {
    Deno.removeSync(stage, { recursive: true });
    if (refuseLink(action, path)) return false;
    throw explainWriteError(error, path);
  }
  return true;
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
  const created = createRunDirectory(action, stagingDir, path, contents);
  if (refuseLink(action, aside)) Deno.removeSync(aside, { recursive: true });
  if (!created) {
    throw new RunExistsError(
      `${action}: directory "${path}" was created by another process while it was being replaced, expected to replace it alone`,
    );
  }
}

/**
 * Rewrites the files of the existing run directory `path` to start it
 * again, once none of the entries it writes in place is a link.
 *
 * @throws {NotataError} One of them is a link.
 */
export function reopenRunDirectory(action: string, path: string, contents: RunContents): void {
  for (const entry of WRITTEN_IN_PLACE) refuseLink(action, join(path, entry));
  for (const sub of contents.subdirs) ensureDir(join(path, sub));
  writeFileAtomic(join(path, "params.json"), contents.params, { durable: true });
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
 * exists. `stagingDir` (an experiment's directory, a lone run's base
 * directory) is also where the user's layout ends: below it, the run
 * directory, the directories leading to it and the files a run writes in
 * place must not be symbolic links.
 *
 * @throws {NotataError} One of them is a link.
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
  const contents = { params: run.params, metadata: formatJson(metadata), subdirs: run.subdirs };
  if (opening === "create") {
    return createRunDirectory(action, run.stagingDir, run.path, contents) ? metadata : undefined;
  }
  // A run directory that is a link (or sits under one) is not ours, even to replace.
  refuseLinksBelow(action, run.stagingDir, run.path);
  if (opening === "overwrite") {
    replaceRunDirectory(action, run.stagingDir, run.path, contents);
    return metadata;
  }
  metadata.attempts = resumedAttempts(action, run.path);
  reopenRunDirectory(action, run.path, { ...contents, metadata: formatJson(metadata) });
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
