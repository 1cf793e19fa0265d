// Copyright 2026 the notata authors. MIT license.
// The watchdog thread (see _watchdog.ts): buffered lines written out every
// second, heartbeats for open runs, and on SIGINT/SIGTERM, open runs marked
// failed before the signal ends the process.

import { parentPort, workerData } from "node:worker_threads";
import { FLUSH_INTERVAL_MS } from "./_appender.ts";
import { OpenRuns, type WatchdogMessage } from "./_open_runs.ts";
import { FREE, INTERRUPTING, MAIN, MUTEX, READY, SENT, SIGNALS } from "./_watchdog.ts";

const shared = new Int32Array((workerData as { memory: SharedArrayBuffer }).memory);
const runs = new OpenRuns();
let received = 0;

parentPort!.on("message", (message: WatchdogMessage) => {
  received++;
  runs.apply(message);
});

// The interval also keeps this thread alive: a signal listener alone does not.
setInterval(() => runs.tick(), FLUSH_INTERVAL_MS);

async function onSignal(signal: Deno.Signal): Promise<void> {
  while (Atomics.compareExchange(shared, MUTEX, FREE, INTERRUPTING) !== FREE) {
    Atomics.wait(shared, MUTEX, MAIN, 50);
  }
  // The main thread sends nothing now; let the messages still queued arrive.
  while (received < Atomics.load(shared, SENT)) await new Promise((done) => setTimeout(done, 1));
  runs.interrupt(signal);
  for (const [each, listener] of listeners) Deno.removeSignalListener(each, listener);
  Deno.kill(Deno.pid, signal);
}

const listeners = SIGNALS.map((signal) => [signal, () => onSignal(signal)] as const);
for (const [signal, listener] of listeners) Deno.addSignalListener(signal, listener);
Atomics.store(shared, READY, 1);
Atomics.notify(shared, READY);
