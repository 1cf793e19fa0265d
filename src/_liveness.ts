// Copyright 2026 the notata authors. MIT license.
// Telling a crashed run from a running one. A run's metadata names its
// owner (pid, pid namespace when not the host's own, and, when --allow-sys
// permits, hostname); while the run is open the watchdog thread rewrites
// `heartbeat` every few seconds, also while the main thread is blocked.
//
// The heartbeat decides: a run whose last sign of life is older than
// HEARTBEAT_STALE_MS is crashed even if a process with its pid lives (pids
// are reused), and one with a fresh heartbeat is running even if its pid is
// not visible here (another pid namespace: a container on the same host).
// The pid only decides faster where it is certain: on the run's own host and
// pid namespace, a gone process means crashed at once; and for runs that
// keep no heartbeat (written by the Python notata) the pid is all there is.

import { join } from "@std/path";
import { readTextIfExists } from "./_files.ts";
import type { JsonValue, RunState } from "./types.ts";

/** How often an open run's `heartbeat` file is rewritten. */
export const HEARTBEAT_INTERVAL_MS = 5_000;
/**
 * Silence after which a run counts as crashed. Also the most a timestamp
 * may lie ahead of the reader's clock: a later one is clock skew, not a sign
 * of life, so a dead run cannot read as running for more than twice this
 * past the reader's clock.
 */
export const HEARTBEAT_STALE_MS = 60_000;
/** The file in a run directory that holds the last heartbeat (ISO time). */
export const HEARTBEAT_FILE = "heartbeat";
// The kernel's inode number of the initial pid namespace (PROC_PID_INIT_INO).
const INITIAL_PID_NAMESPACE = 0xEFFFFFFC;

let host: string | null | undefined;

/** This machine's name, or `null` when --allow-sys does not grant it. */
export function hostname(): string | null {
  if (host === undefined) {
    const granted = Deno.permissions.querySync({ name: "sys", kind: "hostname" }).state ===
      "granted";
    host = granted ? Deno.hostname() : null;
  }
  return host;
}

let namespace: number | null | undefined;

// This process's pid namespace, or `null` where it cannot look (Deno opens
// /proc only under --allow-all).
function ownPidNamespace(): number | null {
  if (namespace === undefined) {
    try {
      namespace = Deno.build.os === "linux" ? Deno.statSync("/proc/self/ns/pid").ino : null;
    } catch {
      namespace = null;
    }
  }
  return namespace;
}

/**
 * This process's pid namespace when it is not the host's initial one (a
 * container), for a run's metadata; `undefined` otherwise or when unknown.
 */
export function pidNamespace(): number | undefined {
  const own = ownPidNamespace();
  return own === null || own === INITIAL_PID_NAMESPACE ? undefined : own;
}

// `undefined` when this process may not look (no /proc, or no read access).
function isProcessAlive(pid: number): boolean | undefined {
  if (Deno.build.os !== "linux") return undefined;
  try {
    Deno.statSync(`/proc/${pid}`);
    return true;
  } catch (error) {
    return error instanceof Deno.errors.NotFound ? false : undefined;
  }
}

// Whether the pid in `metadata` names a process this one can see: the same
// host and pid namespace (a run without a recorded one ran in the initial).
function pidIsComparable(metadata: { [key: string]: JsonValue }): boolean {
  const recorded = metadata.pid_namespace ?? INITIAL_PID_NAMESPACE;
  return typeof metadata.pid === "number" && hostname() !== null &&
    metadata.hostname === hostname() && recorded === ownPidNamespace();
}

/**
 * Whether the process that `owner` names (`pid`, `hostname` and
 * `pid_namespace`, as a run's metadata records them) is known to be gone:
 * only on its own host and pid namespace can this process look.
 */
export function ownerIsGone(owner: { [key: string]: JsonValue }): boolean {
  return pidIsComparable(owner) && owner.pid !== Deno.pid &&
    isProcessAlive(owner.pid as number) === false;
}

// The latest of the heartbeat and the start time (the directory's mtime
// when neither is known) that is not beyond the skew bound.
function lastSignOfLife(
  runDir: string,
  beat: string | undefined,
  metadata: { [key: string]: JsonValue },
  now: number,
): number {
  const start = typeof metadata.start_time === "string" ? Date.parse(metadata.start_time) : NaN;
  let times = [Date.parse(beat?.trim() ?? ""), start].filter((time) => !Number.isNaN(time));
  if (times.length === 0) times = [Deno.statSync(runDir).mtime?.getTime() ?? 0];
  return Math.max(0, ...times.filter((time) => time <= now + HEARTBEAT_STALE_MS));
}

/**
 * The state of the run in `runDir` whose metadata is `metadata`: its
 * status, or `"crashed"` for an `initialized` run whose process is gone.
 */
export function runState(runDir: string, metadata: { [key: string]: JsonValue }): RunState {
  const status = metadata.status;
  if (status === "complete" || status === "failed") return status;
  const beat = readTextIfExists(join(runDir, HEARTBEAT_FILE));
  const alive = pidIsComparable(metadata)
    ? metadata.pid === Deno.pid || isProcessAlive(metadata.pid as number)
    : undefined;
  if (alive === false) return "crashed";
  if (alive === true && beat === undefined) return "initialized";
  const now = Date.now();
  return now - lastSignOfLife(runDir, beat, metadata, now) > HEARTBEAT_STALE_MS
    ? "crashed"
    : "initialized";
}
