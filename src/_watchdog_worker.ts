// Copyright 2026 the notata authors. MIT license.
// The watchdog thread (see _watchdog.ts): heartbeats for open runs, and on
// SIGINT/SIGTERM, marks them failed and lets the signal end the process.

import { parentPort, workerData } from "node:worker_threads";
import { join } from "@std/path";
import { writeAll } from "./_files.ts";
import { failOpenRun, type WatchedRun } from "./_interrupt.ts";
import { HEARTBEAT_FILE, HEARTBEAT_INTERVAL_MS } from "./_liveness.ts";
import {
  drainAll,
  FLUSH_INTERVAL_MS,
  FREE,
  INTERRUPTING,
  MAIN,
  MUTEX,
  READY,
  SENT,
  SIGNALS,
  type WatchdogMessage,
} from "./_watchdog.ts";

const shared = new Int32Array((workerData as { memory: SharedArrayBuffer }).memory);
const runs = new Map<string, WatchedRun>();
const appenders = new Map<string, SharedArrayBuffer>();
let received = 0;

parentPort!.on("message", (message: WatchdogMessage) => {
  received++;
  if ("open" in message) runs.set(message.open.path, message.open);
  else if ("close" in message) runs.delete(message.close);
  else appenders.set(message.appender.path, message.appender.memory);
});

// An ISO time is always 24 characters, so each beat overwrites the last in
// place with one small write: readers never see a shorter or empty file, and
// no temporary file is left in a directory that is being removed.
function beat(): void {
  const now = new TextEncoder().encode(`${new Date().toISOString()}\n`);
  for (const run of runs.values()) {
    try {
      using file = Deno.openSync(join(run.path, HEARTBEAT_FILE), { write: true, create: true });
      writeAll(file, now);
    } catch {
      // The run directory was removed (a temporary experiment): nothing to keep alive.
    }
  }
}

// The intervals also keep this thread alive: a signal listener alone does not.
setInterval(() => drainAll(appenders, 0), FLUSH_INTERVAL_MS);
setInterval(beat, HEARTBEAT_INTERVAL_MS);

async function onSignal(signal: Deno.Signal): Promise<void> {
  while (Atomics.compareExchange(shared, MUTEX, FREE, INTERRUPTING) !== FREE) {
    Atomics.wait(shared, MUTEX, MAIN, 50);
  }
  // The main thread sends nothing now; let the messages still queued arrive.
  while (received < Atomics.load(shared, SENT)) await new Promise((done) => setTimeout(done, 1));
  // A main thread that keeps logging hands its lines over within moments.
  drainAll(appenders, 200);
  for (const run of runs.values()) {
    try {
      failOpenRun(run, `interrupted (${signal})`);
    } catch {
      // One run's broken directory must not keep the others unmarked.
    }
  }
  for (const [each, listener] of listeners) Deno.removeSignalListener(each, listener);
  Deno.kill(Deno.pid, signal);
}

const listeners = SIGNALS.map((signal) => [signal, () => onSignal(signal)] as const);
for (const [signal, listener] of listeners) Deno.addSignalListener(signal, listener);
Atomics.store(shared, READY, 1);
Atomics.notify(shared, READY);
