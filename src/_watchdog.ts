// Copyright 2026 the notata authors. MIT license.
// The watchdog: a background thread that writes out the buffered lines of
// open runs every second, keeps their heartbeats fresh and, on SIGINT or
// SIGTERM, marks them failed before the process exits. It is a thread
// because a simulation's loop may never yield to the event loop: signal
// listeners and timers on the main thread would not run until the loop
// ended, and a sweep could not be stopped with Ctrl-C at all.
//
// The thread reads the table of shared slots (see _watchdog_slots.ts):
// opening or finishing a run writes a few words there, and sends nothing.
// The main thread wraps each run's start and finish in `guarded`; the
// watchdog takes the same shared mutex before it marks runs, so a run is
// never finished by both.

import { Worker } from "node:worker_threads";
import { SEPARATOR } from "@std/path";
import { FLUSH_INTERVAL_MS } from "./_appender.ts";
import type { WatchedRun } from "./_interrupt.ts";
import { HEARTBEAT_FILE, HEARTBEAT_INTERVAL_MS } from "./_liveness.ts";
import { setLockWaitCheck } from "./_lock.ts";
import { failOpenRuns } from "./_open_runs.ts";
import { type AppenderSlot, LAYOUT, slots } from "./_watchdog_slots.ts";
import { runWatchdog, type WatchdogSettings } from "./_watchdog_worker.ts";

/** The signals that mark open runs failed. */
export const SIGNALS: Deno.Signal[] = Deno.build.os === "windows"
  ? ["SIGINT", "SIGBREAK"]
  : ["SIGINT", "SIGTERM"];

// How long the first run waits for the watchdog to listen for signals; a
// signal before that would end the process without marking the run.
const READY_TIMEOUT_MS = 5_000;

const control = slots.control;
let started = false;
let threaded = false;
let depth = 0;
// Whether the main thread is marking its runs failed: its lock waits then run their course.
let marking = false;

// node:worker_threads takes only file: and data: URLs. The watchdog's code
// is carried in the data: module itself, so the thread starts under any
// permissions; it imports the code that marks runs (an https: URL when
// notata comes from JSR, which needs no permission; a file: URL, which
// needs read access) only when a signal comes.
//
// The module names no other module literally: Deno then sees a module graph
// of plain JavaScript, which `deno test` and `deno run --check` start without
// type-checking it (with node:worker_threads' types that takes seconds).
function workerSource(): URL {
  const code =
    `const { parentPort, workerData } = await import(["node", "worker_threads"].join(":"));
(${runWatchdog.toString()})({
  ...workerData.settings,
  onChunk: (listener) => parentPort.on("message", listener),
  loadMarker: () => import(workerData.marker).then((module) => module.failOpenRuns, () => undefined),
  keepAlive: true,
});`;
  return new URL(`data:text/javascript,${encodeURIComponent(code)}`);
}

function startWatchdog(): void {
  started = true;
  const settings: WatchdogSettings = {
    layout: LAYOUT,
    control: control.buffer as SharedArrayBuffer,
    chunks: [...slots.chunks],
    signals: SIGNALS,
    flushIntervalMs: FLUSH_INTERVAL_MS,
    heartbeatIntervalMs: HEARTBEAT_INTERVAL_MS,
    heartbeatFile: HEARTBEAT_FILE,
    separator: SEPARATOR,
  };
  try {
    const marker = new URL("./_open_runs.ts", import.meta.url).href;
    const thread = new Worker(workerSource(), { workerData: { settings, marker } });
    // The thread must not keep a finished script alive.
    thread.unref();
    Atomics.wait(control, LAYOUT.READY, 0, READY_TIMEOUT_MS);
    if (Atomics.load(control, LAYOUT.READY) !== 1) {
      thread.terminate();
      throw new Error("the watchdog thread did not start");
    }
    slots.onChunk = (memory) => {
      thread.postMessage(memory);
      Atomics.add(control, LAYOUT.SENT, 1);
    };
    slots.onInterrupt = markRunsHere;
    setLockWaitCheck(giveWayToSignal);
    threaded = true;
  } catch {
    // No thread: the main thread watches, when its event loop turns.
    runWatchdog({
      ...settings,
      onChunk: (listener) => slots.onChunk = listener,
      loadMarker: () => Promise.resolve(failOpenRuns),
      keepAlive: false,
    });
  }
}

// The thread caught a signal but could not load the code that marks runs
// (no read access to notata's own files): the main thread marks them, then
// waits for the thread to end the process by the signal.
function markRunsHere(): never {
  marking = true;
  const signal = SIGNALS[Atomics.load(control, LAYOUT.INTERRUPT) - 1];
  failOpenRuns([...slots.openRuns].map((slot) => slot.run!), `interrupted (${signal})`);
  Atomics.store(control, LAYOUT.DONE, 1);
  Atomics.notify(control, LAYOUT.DONE);
  for (;;) Atomics.wait(control, LAYOUT.DONE, 1);
}

// Called at every poll of a lock wait. Once the thread caught a signal, a
// main thread waiting for a lock hands it the mutex, if it holds it (the run
// it was finishing is still open, so the thread marks it failed, without
// waiting for the lock), and waits for the signal to end the process.
function giveWayToSignal(): void {
  if (marking || Atomics.load(control, LAYOUT.PENDING) === 0) return;
  if (depth > 0) {
    depth = 0;
    Atomics.store(control, LAYOUT.MUTEX, LAYOUT.FREE);
    Atomics.notify(control, LAYOUT.MUTEX);
  }
  for (;;) {
    if (Atomics.load(control, LAYOUT.INTERRUPT) !== 0) markRunsHere();
    Atomics.wait(control, LAYOUT.INTERRUPT, 0, 50);
  }
}

/**
 * Tells the watchdog that `run` is open, with the slot of its log. Call
 * inside `guarded`.
 */
export function watchRun(run: WatchedRun, log: AppenderSlot): void {
  if (!started) startWatchdog();
  log.run = run;
  log.describe(run);
  Atomics.store(log.words, LAYOUT.RUN, 1);
  Atomics.store(log.words, LAYOUT.FILE, 1);
  slots.openRuns.add(log);
}

/** Hands the watchdog the slot of another file, at `path`, that an open run appends to. */
export function watchAppender(path: string, memory: AppenderSlot): void {
  if (!started) startWatchdog();
  memory.path = path;
  memory.describe();
  Atomics.store(memory.words, LAYOUT.FILE, 1);
}

/**
 * Tells the watchdog that the run whose log slot is `log` finished: its
 * final metadata is written. Call inside `guarded`.
 */
export function finishRun(log: AppenderSlot): void {
  Atomics.store(log.words, LAYOUT.RUN, 0);
  log.run = undefined;
  slots.openRuns.delete(log);
  slots.release(log);
}

/**
 * Runs `fn` (a run's start or finish) so that the watchdog cannot mark runs
 * at the same time. Once the watchdog has begun marking runs, the process
 * is about to exit: `fn` then never runs.
 */
export function guarded<T>(fn: () => T): T {
  if (threaded && depth === 0) {
    while (
      Atomics.compareExchange(control, LAYOUT.MUTEX, LAYOUT.FREE, LAYOUT.MAIN) !== LAYOUT.FREE
    ) {
      if (Atomics.load(control, LAYOUT.INTERRUPT) !== 0) markRunsHere();
      Atomics.wait(control, LAYOUT.MUTEX, LAYOUT.INTERRUPTING);
    }
  }
  depth++;
  try {
    return fn();
  } finally {
    depth--;
    if (threaded && depth === 0) {
      Atomics.store(control, LAYOUT.MUTEX, LAYOUT.FREE);
      Atomics.notify(control, LAYOUT.MUTEX);
    }
  }
}
