// Copyright 2026 the notata authors. MIT license.
// Cross-process mutual exclusion with `Deno.FsFile` locks (flock(2) on
// Unix, LockFileEx on Windows). The lock is held for one short read-modify-
// write and released on close, also when the holder dies: the kernel drops
// the locks of a killed process, so a crash can never leave a stale lock.

/** Runs `fn` while holding an exclusive lock on the file at `path` (created if missing). */
export function withFileLock<T>(path: string, fn: () => T): T {
  using file = Deno.openSync(path, { read: true, write: true, create: true });
  file.lockSync(true);
  return fn();
}
