// Copyright 2026 the notata authors. MIT license.
// Cross-process mutual exclusion, also where file locks hold only within one
// node. Two layers:
//
// - A `Deno.FsFile` lock (flock(2) on Unix, LockFileEx on Windows) on the
//   lock file queues the processes of one node and is released by the kernel
//   when its holder dies, so a crash can never leave it taken.
// - Holding it, a token file beside it, created with O_EXCL, which every
//   POSIX shared file system makes atomic across nodes (NFS v3 and later,
//   Lustre), also where flock is node-local (Lustre `localflock`, NFS
//   `local_lock=all`). The token names its holder (pid, host, time) and is
//   removed on release. A token whose holder is known dead (same host and pid
//   namespace, pid gone: visible under --allow-all) or that is older than
//   TOKEN_STALE_MS was left by a crash: it is broken by renaming it to a name
//   of the breaker's own, which only one breaker can do, and taken again.
//
// Both are held for one short read-modify-write. A holder that lives but
// never lets go (stopped, or hung on a dead file server) would freeze every
// writer, so waits are bounded: the holder writes its pid and host into the
// lock file, and a waiter that gives up names them. A signal during a wait
// ends it through the check the watchdog registers (see setLockWaitCheck).

import { ensureParentDir, readTextIfExists, refuseLink, writeAll } from "./_files.ts";
import { formatJson, parseJson } from "./_json.ts";
import { hostname, ownerIsGone, pidNamespace } from "./_liveness.ts";
import { NotataError } from "./errors.ts";
import type { JsonValue } from "./types.ts";

/** How long a process waits for a lock before it gives up, in seconds. */
export const LOCK_TIMEOUT_SECONDS = 120;
/** The environment variable that overrides {@linkcode LOCK_TIMEOUT_SECONDS}. */
export const LOCK_TIMEOUT_ENV = "NOTATA_LOCK_TIMEOUT";
/**
 * Age after which a token is taken for one left by a crashed holder and
 * broken. Far longer than any holder keeps it (one index write or rebuild),
 * shorter than the lock timeout, so waiters break it before they give up.
 */
export const TOKEN_STALE_MS = 60_000;
// Polls start fast (the lock is usually held for a millisecond) and back off.
const FIRST_POLL_MS = 1;
const LONGEST_POLL_MS = 20;
const pause = new Int32Array(new SharedArrayBuffer(4));

let waitCheck: (() => void) | undefined;

/**
 * Registers `check`, called at every poll of a lock wait. The watchdog's
 * check never returns once a signal came: a process blocked on a lock still
 * honours SIGINT and SIGTERM within a poll.
 */
export function setLockWaitCheck(check: () => void): void {
  waitCheck = check;
}

/** The outcome of {@linkcode tryWithFileLock}. */
export type LockResult<T> = { value: T } | { unavailable: NotataError };

/**
 * Runs `fn` while holding an exclusive lock on the file at `path`, created
 * (with its directory) if missing. Throws a {@linkcode NotataError} naming
 * the lock and its last holder when the lock stays taken for
 * {@linkcode LOCK_TIMEOUT_SECONDS} (or `NOTATA_LOCK_TIMEOUT` seconds).
 */
export function withFileLock<T>(path: string, fn: () => T): T {
  const result = tryWithFileLock(path, fn);
  if ("unavailable" in result) throw result.unavailable;
  return result.value;
}

/**
 * Runs `fn` while holding the lock at `path`, as {@linkcode withFileLock}
 * does, waiting for it at most `waitMs` milliseconds (default: the lock
 * timeout); returns the error a timeout gives instead of throwing it.
 */
export function tryWithFileLock<T>(path: string, fn: () => T, waitMs?: number): LockResult<T> {
  // The wait starts, and the environment is read, only when the lock is taken.
  let deadline: number | undefined;
  const wait = () => deadline ??= Date.now() + (waitMs ?? lockTimeoutSeconds() * 1000);
  using file = openLockFile(path);
  try {
    if (!file.tryLockSync(true) && !waitFor(wait(), () => file.tryLockSync(true))) {
      return { unavailable: timeoutError(path, waitMs, lockFileHolder(path)) };
    }
  } catch (error) {
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
  const token = new Token(`${path}.token`);
  if (!token.take(wait)) return { unavailable: timeoutError(path, waitMs, token.holder()) };
  try {
    return { value: fn() };
  } finally {
    token.release();
  }
}

// Polls `attempt` until it succeeds (true) or `deadline` passes (false).
function waitFor(deadline: number, attempt: () => boolean): boolean {
  let poll = FIRST_POLL_MS;
  do {
    waitCheck?.();
    Atomics.wait(pause, 0, 0, poll);
    poll = Math.min(poll * 2, LONGEST_POLL_MS);
    if (attempt()) return true;
  } while (Date.now() < deadline);
  return false;
}

function timeoutError(path: string, waitMs: number | undefined, holder: string): NotataError {
  return new NotataError(
    `Cannot lock "${path}": still held after ${
      (waitMs ?? lockTimeoutSeconds() * 1000) / 1000
    } s (${holder}), expected its holder to release it within ${LOCK_TIMEOUT_ENV} seconds (default ${LOCK_TIMEOUT_SECONDS}); a stopped or hung process may hold it`,
  );
}

function describeHolder(pid: JsonValue | undefined, host: JsonValue | undefined): string {
  if (pid === undefined) return "holder unknown";
  return `last taken by process ${pid}${
    typeof host === "string" && host !== "?" ? ` on host "${host}"` : ""
  }`;
}

function lockFileHolder(path: string): string {
  const [, pid, host] = /^pid (\d+) host (.*)\n/.exec(readTextIfExists(path) ?? "") ?? [];
  return describeHolder(pid, host);
}

// The cross-node half of the lock: a file that exists while it is held.
class Token {
  readonly #path: string;
  // What this process wrote into it, to tell its own token from another's.
  #text: string | undefined;
  #takenAt = 0;

  constructor(path: string) {
    this.#path = path;
  }

  // Takes the token, waiting until the deadline `wait` gives; false when it stayed taken.
  take(wait: () => number): boolean {
    const owner: { [key: string]: JsonValue } = {
      pid: Deno.pid,
      hostname: hostname(),
      time: new Date().toISOString(),
      nonce: crypto.randomUUID(),
    };
    if (pidNamespace() !== undefined) owner.pid_namespace = pidNamespace()!;
    const text = formatJson(owner);
    const attempt = () => this.#create(text) || (this.#breakIfStale() && this.#create(text));
    if (!attempt() && !waitFor(wait(), attempt)) return false;
    this.#text = text;
    this.#takenAt = Date.now();
    return true;
  }

  // Removes the token, unless a waiter broke it as stale meanwhile, which
  // no waiter does to a token younger than TOKEN_STALE_MS whose holder lives.
  release(): void {
    const mayBeBroken = Date.now() - this.#takenAt > TOKEN_STALE_MS / 2;
    if (mayBeBroken && readTextIfExists(this.#path) !== this.#text) return;
    try {
      Deno.removeSync(this.#path);
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
  }

  // Who holds the token, for the error of a waiter that gives up.
  holder(): string {
    const owner = this.#owner(readTextIfExists(this.#path));
    return describeHolder(owner?.pid, owner?.hostname);
  }

  #create(text: string): boolean {
    try {
      // One call: a reader may see the file empty for a moment, and judges it by its age.
      Deno.writeTextFileSync(this.#path, text, { createNew: true });
      return true;
    } catch (error) {
      if (error instanceof Deno.errors.AlreadyExists) return false;
      throw error;
    }
  }

  #owner(text: string | undefined): { [key: string]: JsonValue } | undefined {
    try {
      const owner = parseJson(text ?? "");
      return owner !== null && typeof owner === "object" && !Array.isArray(owner)
        ? owner
        : undefined;
    } catch {
      // Being written, or damaged: judged by its age alone.
      return undefined;
    }
  }

  // Breaks a token left by a crashed holder: renamed to a name of this
  // process's own, so of several breakers one moves it, and the others find
  // nothing (or, at worst, a fresh token, which they put back).
  #breakIfStale(): boolean {
    let text: string | undefined;
    let modified: number;
    try {
      text = Deno.readTextFileSync(this.#path);
      modified = Deno.statSync(this.#path).mtime?.getTime() ?? 0;
    } catch (error) {
      // Released meanwhile: free to take.
      if (error instanceof Deno.errors.NotFound) return true;
      throw error;
    }
    const owner = this.#owner(text);
    const written = typeof owner?.time === "string" ? Date.parse(owner.time) : NaN;
    const age = Date.now() - (Number.isNaN(written) ? modified : written);
    if (!(owner !== undefined && ownerIsGone(owner)) && age <= TOKEN_STALE_MS) return false;
    const aside = `${this.#path}.stale-${crypto.randomUUID()}`;
    try {
      Deno.renameSync(this.#path, aside);
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return true;
      throw error;
    }
    if (readTextIfExists(aside) !== text) {
      // Another breaker was first and a new holder took the token since: give it back.
      try {
        Deno.linkSync(aside, this.#path);
      } catch (error) {
        if (!(error instanceof Deno.errors.AlreadyExists)) throw error;
      }
    }
    Deno.removeSync(aside);
    return true;
  }
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
