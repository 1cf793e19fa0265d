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
// sends (one per run, when it opens; a finished run is flagged in its log's
// shared buffer), and the watchdog reads them all before it marks runs, so
// it knows every run that is open.

import { Worker } from "node:worker_threads";
import { FLUSH_INTERVAL_MS, RUN_FINISHED } from "./_appender.ts";
import type { WatchedRun } from "./_interrupt.ts";
import { OpenRuns, type WatchdogMessage } from "./_open_runs.ts";

/** Slots of the shared Int32Array: the mutex, and the number of messages sent. */
export const MUTEX = 0;
/** See {@linkcode MUTEX}. */
export const SENT = 1;
/** See {@linkcode MUTEX}: set to 1 once the watchdog listens for signals. */
export const READY = 2;
// The value of READY when the thread's code could not be loaded.
const FAILED = -1;

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

let shared: Int32Array | undefined;
let worker: Worker | undefined;
let started = false;
let depth = 0;
// Only when the thread cannot be started (it needs read access to notata's
// own files when they are local): the main thread keeps track itself, and
// acts on a signal or a timer when its event loop turns.
let fallback: OpenRuns | undefined;

// node:worker_threads takes only file: and data: URLs, and notata's files
// are https: ones when it is imported from JSR: a small data: module imports
// the thread's code (a remote import needs no permission beyond Deno's
// defaults, a local one read access), and reports if it could not.
function workerSource(): URL {
  const code = `import { workerData } from "node:worker_threads";
try {
  await import(${JSON.stringify(new URL("./_watchdog_worker.ts", import.meta.url).href)});
} catch {
  const shared = new Int32Array(workerData.memory);
  Atomics.store(shared, ${READY}, ${FAILED});
  Atomics.notify(shared, ${READY});
}`;
  return new URL(`data:text/javascript,${encodeURIComponent(code)}`);
}

function startWatchdog(): void {
  started = true;
  try {
    const memory = new SharedArrayBuffer(3 * Int32Array.BYTES_PER_ELEMENT);
    const thread = new Worker(workerSource(), { workerData: { memory } });
    // The thread must not keep a finished script alive.
    thread.unref();
    const state = new Int32Array(memory);
    Atomics.wait(state, READY, 0, READY_TIMEOUT_MS);
    if (Atomics.load(state, READY) !== 1) {
      thread.terminate();
      throw new Error("the watchdog thread did not start");
    }
    worker = thread;
    shared = state;
  } catch {
    const runs = new OpenRuns();
    fallback = runs;
    const listeners = SIGNALS.map((signal) => [signal, () => onSignal(signal)] as const);
    const onSignal = (signal: Deno.Signal) => {
      runs.interrupt(signal);
      for (const [each, listener] of listeners) Deno.removeSignalListener(each, listener);
      Deno.kill(Deno.pid, signal);
    };
    for (const [signal, listener] of listeners) Deno.addSignalListener(signal, listener);
    Deno.unrefTimer(setInterval(() => runs.tick(), FLUSH_INTERVAL_MS));
  }
}

/**
 * Tells the watchdog that `run` is open, with the shared buffer of its log.
 * Call inside `guarded`.
 */
export function watchRun(run: WatchedRun, log: SharedArrayBuffer): void {
  send({ open: run, log });
}

/** Hands the watchdog the shared buffer of another file an open run appends to. */
export function watchAppender(path: string, memory: SharedArrayBuffer): void {
  send({ appender: { path, memory } });
}

/**
 * Tells the watchdog that the run whose log buffer is `log` finished: its
 * final metadata is written. Call inside `guarded`.
 */
export function finishRun(log: SharedArrayBuffer): void {
  Atomics.store(new Int32Array(log, 0, RUN_FINISHED + 1), RUN_FINISHED, 1);
}

function send(message: WatchdogMessage): void {
  if (!started) startWatchdog();
  if (worker === undefined) {
    fallback!.apply(message);
    return;
  }
  worker.postMessage(message);
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
