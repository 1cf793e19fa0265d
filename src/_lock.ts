// Copyright 2026 the notata authors. MIT license.
// Cross-process mutual exclusion with `Deno.FsFile` locks (flock(2) on
// Unix, LockFileEx on Windows). The lock is held for one short read-modify-
// write and released on close, also when the holder dies: the kernel drops
// the locks of a killed process, so a crash can never leave a stale lock.
// A holder that lives but never lets go (stopped, or hung on a dead file
// server) would freeze every writer, so waits are bounded: the holder writes
// its pid and host into the lock file, and a waiter that gives up names them.

import { ensureParentDir, readTextIfExists, refuseLink, writeAll } from "./_files.ts";
import { hostname } from "./_liveness.ts";
import { NotataError } from "./errors.ts";

/** How long a process waits for a lock before it gives up, in seconds. */
export const LOCK_TIMEOUT_SECONDS = 120;
/** The environment variable that overrides {@linkcode LOCK_TIMEOUT_SECONDS}. */
export const LOCK_TIMEOUT_ENV = "NOTATA_LOCK_TIMEOUT";
// Polls start fast (the lock is usually held for a millisecond) and back off.
const FIRST_POLL_MS = 1;
const LONGEST_POLL_MS = 20;
const pause = new Int32Array(new SharedArrayBuffer(4));

/**
 * Runs `fn` while holding an exclusive lock on the file at `path`, created
 * (with its directory) if missing. Throws a {@linkcode NotataError} naming
 * the lock and its last holder when the lock stays taken for
 * {@linkcode LOCK_TIMEOUT_SECONDS} (or `NOTATA_LOCK_TIMEOUT` seconds).
 */
export function withFileLock<T>(path: string, fn: () => T): T {
  using file = openLockFile(path);
  try {
    if (!file.tryLockSync(true)) waitForLock(path, file);
  } catch (error) {
    if (error instanceof NotataError) throw error;
    throw new NotataError(
      `Cannot lock "${path}": ${
        error instanceof Error ? error.message : String(error)
      }; expected a file system with file locks (flock), such as a local disk, NFSv4, or Lustre mounted with -o flock`,
      { cause: error },
    );
  }
  // Who holds the lock, for a waiter that gives up: a line overwritten in place.
  const holder = new TextEncoder().encode(`pid ${Deno.pid} host ${hostname() ?? "?"}\n`);
  writeAll(file, holder);
  file.truncateSync(holder.length);
  return fn();
}

function waitForLock(path: string, file: Deno.FsFile): void {
  const timeoutMs = lockTimeoutSeconds() * 1000;
  const deadline = Date.now() + timeoutMs;
  let poll = FIRST_POLL_MS;
  do {
    Atomics.wait(pause, 0, 0, poll);
    poll = Math.min(poll * 2, LONGEST_POLL_MS);
    if (file.tryLockSync(true)) return;
  } while (Date.now() < deadline);
  const [, pid, host] = /^pid (\d+) host (.*)\n/.exec(readTextIfExists(path) ?? "") ?? [];
  const holder = pid === undefined
    ? "holder unknown"
    : `last taken by process ${pid}${host === "?" ? "" : ` on host "${host}"`}`;
  throw new NotataError(
    `Cannot lock "${path}": still held after ${
      timeoutMs / 1000
    } s (${holder}), expected its holder to release it within ${LOCK_TIMEOUT_ENV} seconds (default ${LOCK_TIMEOUT_SECONDS}); a stopped or hung process may hold it`,
  );
}

function lockTimeoutSeconds(): number {
  const allowed = Deno.permissions.querySync({ name: "env", variable: LOCK_TIMEOUT_ENV }).state ===
    "granted";
  const text = allowed ? Deno.env.get(LOCK_TIMEOUT_ENV) : undefined;
  if (text === undefined) return LOCK_TIMEOUT_SECONDS;
  const seconds = Number(text);
  if (!(seconds > 0) || !Number.isFinite(seconds)) {
    throw new NotataError(
      `Cannot lock: ${LOCK_TIMEOUT_ENV} "${text}" is not a number of seconds, expected a positive number such as 30`,
    );
  }
  return seconds;
}

function openLockFile(path: string): Deno.FsFile {
  refuseLink("Cannot lock", path);
  const options = { read: true, write: true, create: true };
  try {
    return Deno.openSync(path, options);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
    ensureParentDir(path);
    return Deno.openSync(path, options);
  }
}
