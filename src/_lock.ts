// Copyright 2026 the notata authors. MIT license.
// Cross-process mutual exclusion with `Deno.FsFile` locks (flock(2) on
// Unix, LockFileEx on Windows). The lock is held for one short read-modify-
// write and released on close, also when the holder dies: the kernel drops
// the locks of a killed process, so a crash can never leave a stale lock.

import { ensureParentDir } from "./_files.ts";
import { NotataError } from "./errors.ts";

/**
 * Runs `fn` while holding an exclusive lock on the file at `path`, created
 * (with its directory) if missing.
 */
export function withFileLock<T>(path: string, fn: () => T): T {
  using file = openLockFile(path);
  try {
    file.lockSync(true);
  } catch (error) {
    throw new NotataError(
      `Cannot lock "${path}": ${
        error instanceof Error ? error.message : String(error)
      }; expected a file system with file locks (flock), such as a local disk, NFSv4, or Lustre mounted with -o flock`,
      { cause: error },
    );
  }
  return fn();
}

function openLockFile(path: string): Deno.FsFile {
  const options = { read: true, write: true, create: true };
  try {
    return Deno.openSync(path, options);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
    ensureParentDir(path);
    return Deno.openSync(path, options);
  }
}
