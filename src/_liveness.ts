// Copyright 2026 the notata authors. MIT license.
// Telling a crashed run from a running one. A run's metadata names its
// owner (pid and, when --allow-sys permits, hostname); while the run is open
// a background thread rewrites `heartbeat` every few seconds. A run left
// `initialized` is crashed when, on its own host, its pid is gone, or, seen
// from another host, its last sign of life is older than HEARTBEAT_STALE_MS.

import { join } from "@std/path";
import { readTextIfExists } from "./_files.ts";
import type { JsonValue, RunState } from "./types.ts";

/** How often an open run's `heartbeat` file is rewritten. */
export const HEARTBEAT_INTERVAL_MS = 5_000;
/** Silence after which a run on another host counts as crashed. */
export const HEARTBEAT_STALE_MS = 60_000;
/** The file in a run directory that holds the last heartbeat (ISO time). */
export const HEARTBEAT_FILE = "heartbeat";

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

function lastSignOfLife(runDir: string, metadata: { [key: string]: JsonValue }): number {
  const beat = Date.parse(readTextIfExists(join(runDir, HEARTBEAT_FILE))?.trim() ?? "");
  const start = typeof metadata.start_time === "string" ? Date.parse(metadata.start_time) : NaN;
  const known = [beat, start].filter((time) => !Number.isNaN(time));
  return known.length > 0 ? Math.max(...known) : Deno.statSync(runDir).mtime?.getTime() ?? 0;
}

/**
 * The state of the run in `runDir` whose metadata is `metadata`: its
 * status, or `"crashed"` for an `initialized` run whose process is gone.
 */
export function runState(runDir: string, metadata: { [key: string]: JsonValue }): RunState {
  const status = metadata.status;
  if (status === "complete" || status === "failed") return status;
  const pid = metadata.pid;
  if (typeof pid === "number" && metadata.hostname === hostname() && hostname() !== null) {
    if (pid === Deno.pid) return "initialized";
    const alive = isProcessAlive(pid);
    if (alive !== undefined) return alive ? "initialized" : "crashed";
  }
  return Date.now() - lastSignOfLife(runDir, metadata) > HEARTBEAT_STALE_MS
    ? "crashed"
    : "initialized";
}
