// Copyright 2026 the notata authors. MIT license.
// The watchdog: a background thread that keeps open runs' heartbeats fresh
// and, on SIGINT or SIGTERM, marks them failed before the process exits.
// It is a thread because a simulation's loop may never yield to the event
// loop: signal listeners and timers on the main thread would not run until
// the loop ended, and a sweep could not be stopped with Ctrl-C at all.
//
// The main thread wraps each run's start and finish in `guarded`; the
// watchdog takes the same shared-memory mutex before it marks runs, so a run
// is never finished by both. The main thread also counts the messages it
// sends, and the watchdog reads them all before it marks runs, so it knows
// every run that is open.

import { Worker } from "node:worker_threads";
import { drainToFile } from "./_appender.ts";
import { failOpenRun, type WatchedRun } from "./_interrupt.ts";

export type { WatchedRun };

/** Slots of the shared Int32Array: the mutex, and the number of messages sent. */
export const MUTEX = 0;
/** See {@linkcode MUTEX}. */
export const SENT = 1;
/** See {@linkcode MUTEX}: set to 1 once the watchdog listens for signals. */
export const READY = 2;

// How long the first run waits for the watchdog to listen for signals; a
// signal before that would end the process without marking the run.
const READY_TIMEOUT_MS = 5_000;

/** Mutex states. */
export const FREE = 0;
/** The main thread is starting or finishing a run. */
export const MAIN = 1;
/** The watchdog is marking runs failed; the process is about to exit. */
export const INTERRUPTING = 2;

/** The signals that mark open runs failed. */
export const SIGNALS: Deno.Signal[] = Deno.build.os === "windows"
  ? ["SIGINT", "SIGBREAK"]
  : ["SIGINT", "SIGTERM"];

/** How often the watchdog writes out the buffered lines of open runs. */
export const FLUSH_INTERVAL_MS = 1_000;

/** What the main thread sends the watchdog. */
export type WatchdogMessage =
  | { open: WatchedRun }
  | { close: string }
  | { appender: { path: string; memory: SharedArrayBuffer } };

let shared: Int32Array | undefined;
let worker: Worker | undefined;
let started = false;
let depth = 0;
// Only when the thread cannot be started: the runs the main thread marks
// itself, on a signal that it sees when its event loop turns, and the
// buffers it writes out when a timer gets to run.
const fallbackRuns = new Map<string, WatchedRun>();
const fallbackAppenders = new Map<string, SharedArrayBuffer>();

function startWatchdog(): void {
  started = true;
  try {
    const memory = new SharedArrayBuffer(3 * Int32Array.BYTES_PER_ELEMENT);
    worker = new Worker(new URL("./_watchdog_worker.ts", import.meta.url), {
      workerData: { memory },
    });
    // The thread must not keep a finished script alive.
    worker.unref();
    shared = new Int32Array(memory);
    Atomics.wait(shared, READY, 0, READY_TIMEOUT_MS);
  } catch {
    for (const [signal, listener] of fallbackListeners) Deno.addSignalListener(signal, listener);
    Deno.unrefTimer(setInterval(() => drainAll(fallbackAppenders, 0), FLUSH_INTERVAL_MS));
  }
}

/**
 * Writes out the pending lines of `appenders`, forgetting the closed ones;
 * `patienceMs` as in {@linkcode drainToFile}.
 */
export function drainAll(appenders: Map<string, SharedArrayBuffer>, patienceMs: number): void {
  for (const [path, memory] of appenders) {
    try {
      if (!drainToFile(path, memory, patienceMs)) appenders.delete(path);
    } catch {
      // A file that cannot be written now may be writable at the next tick.
    }
  }
}

const fallbackListeners = SIGNALS.map((signal) => [signal, () => onSignal(signal)] as const);

function onSignal(signal: Deno.Signal): void {
  drainAll(fallbackAppenders, 0);
  for (const run of fallbackRuns.values()) failOpenRun(run, `interrupted (${signal})`);
  for (const [each, listener] of fallbackListeners) Deno.removeSignalListener(each, listener);
  Deno.kill(Deno.pid, signal);
}

/** Tells the watchdog that `run` is open. Call inside `guarded`. */
export function watchRun(run: WatchedRun): void {
  if (!started) startWatchdog();
  if (worker === undefined) fallbackRuns.set(run.path, run);
  else send({ open: run });
}

/** Hands the watchdog the shared buffer of a file appended to while a run is open. */
export function watchAppender(path: string, memory: SharedArrayBuffer): void {
  if (!started) startWatchdog();
  if (worker === undefined) fallbackAppenders.set(path, memory);
  else send({ appender: { path, memory } });
}

/** Tells the watchdog that the run in `path` finished. Call inside `guarded`. */
export function unwatchRun(path: string): void {
  if (worker === undefined) fallbackRuns.delete(path);
  else send({ close: path });
}

function send(message: WatchdogMessage): void {
  worker!.postMessage(message);
  Atomics.add(shared!, SENT, 1);
}

/**
 * Runs `fn` (a run's start or finish) so that the watchdog cannot mark runs
 * at the same time. Once the watchdog has begun marking runs, the process
 * is about to exit: `fn` then never runs.
 */
export function guarded<T>(fn: () => T): T {
  if (shared !== undefined && depth === 0) {
    while (Atomics.compareExchange(shared, MUTEX, FREE, MAIN) !== FREE) {
      Atomics.wait(shared, MUTEX, INTERRUPTING);
    }
  }
  depth++;
  try {
    return fn();
  } finally {
    depth--;
    if (shared !== undefined && depth === 0) {
      Atomics.store(shared, MUTEX, FREE);
      Atomics.notify(shared, MUTEX);
    }
  }
}
