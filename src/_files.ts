// Copyright 2026 the notata authors. MIT license.
// File primitives with the guarantees notata promises: a file is replaced
// whole or not at all, never left half-written.

import { dirname, join, relative, SEPARATOR } from "@std/path";
import { NotataError } from "./errors.ts";

let tempCounter = 0;
// Workers of one process share its pid: each isolate adds a tag of its own,
// so two never pick the same temporary name.
const ISOLATE_TAG = String(Math.floor(Math.random() * 1e9)).padStart(9, "0");

/**
 * A name for a temporary file or directory beside `path`, unique to this
 * call, that {@linkcode isTemporaryFile} recognises.
 */
export function temporaryName(path: string): string {
  return `${path}.tmp-${Deno.pid}-${ISOLATE_TAG}${tempCounter++}`;
}

/** How an atomic write is made. */
export interface AtomicWriteOptions {
  /**
   * Whether the new file must survive a power loss or node crash once the
   * call returns: its data is flushed to the disk before the rename, and the
   * directory after it. Costs a disk flush or two (see bench/); for the
   * files a crash must never leave empty, such as a run's final metadata.
   *
   * @default {false}
   */
  durable?: boolean;
}

/**
 * Replaces `path` with `data` atomically: writes a temporary file beside it,
 * then renames it over the target, so readers see the old or the new file.
 */
export function writeFileAtomic(
  path: string,
  data: string | Uint8Array,
  options: AtomicWriteOptions = {},
): void {
  const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
  writeChunksAtomic(path, [bytes], options);
}

const TEMP_SUFFIX = /\.tmp-\d+-\d+$/;
// Up to this size a file is written in one call; larger ones are streamed,
// which is faster for them (see bench/).
const SMALL_FILE_BYTES = 1 << 20;

/**
 * Whether `name` is one of the temporary files atomic writes use; a process
 * killed mid-write leaves one behind, which readers do not list.
 */
export function isTemporaryFile(name: string): boolean {
  return TEMP_SUFFIX.test(name);
}

/**
 * Replaces `path` atomically, as {@linkcode writeFileAtomic} does, with the
 * concatenation of `chunks`, written one after the other so that a large
 * body (an array's bytes behind a small header) is never copied to join them.
 */
export function writeChunksAtomic(
  path: string,
  chunks: readonly Uint8Array[],
  options: AtomicWriteOptions = {},
): void {
  const temp = temporaryName(path);
  try {
    // createNew (O_EXCL): an entry planted at the temporary name, a link
    // above all, is refused rather than written through. The rename then
    // replaces `path` itself, link or not: a link's target is never opened.
    if (!options.durable && chunks.length === 1 && chunks[0].length <= SMALL_FILE_BYTES) {
      // One call instead of open, write and close: small files are most files.
      Deno.writeFileSync(temp, chunks[0], { createNew: true });
    } else {
      using file = Deno.openSync(temp, { write: true, createNew: true });
      for (const chunk of chunks) writeAll(file, chunk);
      // Without this, a file system may commit the rename before the data
      // (XFS, many network file systems): after a crash, an empty file.
      if (options.durable) file.syncDataSync();
    }
    Deno.renameSync(temp, path);
    if (options.durable) syncDirectory(dirname(path));
  } catch (error) {
    // NotFound: the directory is missing, so the temporary file is too.
    // AlreadyExists: the entry at the temporary name is not ours to remove.
    if (!(error instanceof Deno.errors.NotFound || error instanceof Deno.errors.AlreadyExists)) {
      try {
        Deno.removeSync(temp);
      } catch {
        // The temporary file was never created: nothing to clean up.
      }
    }
    if (error instanceof Deno.errors.AlreadyExists) refuseLink("Cannot write", temp);
    throw explainWriteError(error, path);
  }
}

/**
 * `error` as notata reports it: a full disk or quota, which Deno reports
 * with the system's text only, becomes a {@linkcode NotataError} naming the
 * file `path` and what to do; any other error is returned as it is.
 */
export function explainWriteError(error: unknown, path: string): unknown {
  const code = (error as { code?: unknown })?.code;
  if (code !== "ENOSPC" && code !== "EDQUOT") return error;
  const what = code === "ENOSPC" ? "no space is left on its device" : "the disk quota is exceeded";
  const osError = /\(os error \d+\)/.exec((error as Error).message)?.[0] ?? `(${code})`;
  return new NotataError(
    `Cannot write "${path}": ${what} ${osError}, expected free space on its file system; once there is, exp.reindex() repairs the index`,
    { cause: error },
  );
}

/**
 * Makes a rename in `dir` durable. Windows cannot open a directory: there
 * NTFS journals the rename itself.
 */
function syncDirectory(dir: string): void {
  if (Deno.build.os === "windows") return;
  using handle = Deno.openSync(dir, { read: true });
  handle.syncSync();
}

/**
 * Creates the file `path`, which must not exist (an entry there, a planted
 * link above all, is refused), and writes `text` to it; with `durable`, its
 * data reaches the disk before the call returns.
 */
export function writeNewFile(path: string, text: string, options: AtomicWriteOptions = {}): void {
  using file = Deno.openSync(path, { write: true, createNew: true });
  writeAll(file, new TextEncoder().encode(text));
  if (options.durable) file.syncDataSync();
}

/**
 * Creates the directory `path` (and missing parents) unless it exists.
 * Returns whether this call created it: `mkdir` is atomic, so of several
 * processes creating the same directory exactly one gets `true`.
 */
export function claimDirectory(path: string): boolean {
  try {
    Deno.mkdirSync(path);
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.AlreadyExists) return false;
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  ensureParentDir(path);
  return claimDirectory(path);
}

/**
 * Runs `fn`, which creates something in `dir`; when `dir` is missing, creates
 * it and runs `fn` again. A directory that exists costs no extra call.
 */
export function inDirectory<T>(dir: string, fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
    ensureDir(dir);
    return fn();
  }
}

/** Creates `path` and its missing parents, like `mkdir -p`. */
export function ensureDir(path: string): void {
  Deno.mkdirSync(path, { recursive: true });
}

/** Creates the parent directories of `path`. */
export function ensureParentDir(path: string): void {
  ensureDir(dirname(path));
}

/** Reads a text file, or returns `undefined` when it does not exist. */
export function readTextIfExists(path: string): string | undefined {
  try {
    return Deno.readTextFileSync(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw error;
  }
}

/** Whether `path` exists (any kind of entry). */
export function exists(path: string): boolean {
  try {
    Deno.lstatSync(path);
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}

/**
 * Throws a {@linkcode NotataError} when `path` is a symbolic link, and
 * returns whether it exists. Anyone who may write in a shared experiment
 * directory could plant a link to another user's file where a run writes:
 * notata never writes through one below the directory it was given. Deno
 * cannot open a file without following links (no `O_NOFOLLOW`), so the
 * check is an `lstat` just before the open.
 */
export function refuseLink(action: string, path: string): boolean {
  let entry: Deno.FileInfo;
  try {
    entry = Deno.lstatSync(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
  if (entry.isSymlink) {
    throw new NotataError(
      `${action}: "${path}" is a symbolic link, expected a file or directory notata made (it writes through no link below the directory it was given)`,
    );
  }
  return true;
}

/**
 * {@linkcode refuseLink} for `path` and each directory between `root` and
 * it, up to the first that is missing (notata creates it). Links at or above
 * `root`, the user's own layout, are followed.
 */
export function refuseLinksBelow(action: string, root: string, path: string): void {
  let at = root;
  for (const name of relative(root, path).split(SEPARATOR)) {
    if (name === "") continue;
    at = join(at, name);
    if (!refuseLink(action, at)) return;
  }
}

/** Appends `text` to `path` with one write call, creating the file. */
export function appendText(path: string, text: string): void {
  appendBytes(path, new TextEncoder().encode(text));
}

/**
 * Appends `bytes` to `path` with one write call; creates the file unless
 * `create` is `false`. Refuses a `path` that is a symbolic link.
 */
export function appendBytes(path: string, bytes: Uint8Array, create = true): void {
  try {
    // A new file is made with createNew (O_EXCL), which never follows a
    // link: the common case (a run's first lines) needs no lstat.
    if (create && createWith(path, bytes)) return;
    refuseLink("Cannot append", path);
    Deno.writeFileSync(path, bytes, { append: true, create });
  } catch (error) {
    throw explainWriteError(error, path);
  }
}

// Creates `path` holding `bytes`; `false` when it exists.
function createWith(path: string, bytes: Uint8Array): boolean {
  try {
    Deno.writeFileSync(path, bytes, { createNew: true });
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.AlreadyExists) return false;
    throw error;
  }
}

/** Writes every byte of `data` to `file`, looping over partial writes. */
export function writeAll(file: Deno.FsFile, data: Uint8Array): void {
  let offset = 0;
  while (offset < data.length) offset += file.writeSync(data.subarray(offset));
}
