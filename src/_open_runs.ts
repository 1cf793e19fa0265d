// Copyright 2026 the notata authors. MIT license.
// What the watchdog keeps track of (see _watchdog.ts): the open runs with
// their logs' shared buffers, and the other buffered files of open runs.
// The watchdog thread holds one; so does the main thread when the thread
// cannot be started.

import { join } from "@std/path";
import { DATA_OFFSET, drainToFile, RUN_FINISHED } from "./_appender.ts";
import { writeAll } from "./_files.ts";
import { failOpenRun, type WatchedRun } from "./_interrupt.ts";
import { HEARTBEAT_FILE, HEARTBEAT_INTERVAL_MS } from "./_liveness.ts";

/** The one message a run costs: it is open, and its log's shared buffer. */
export type WatchdogMessage =
  | { open: WatchedRun; log: SharedArrayBuffer }
  | { appender: { path: string; memory: SharedArrayBuffer } };

const encoder = new TextEncoder();

/** The open runs and buffered files the watchdog looks after. */
export class OpenRuns {
  // `beatDue`: when the run's next heartbeat is due. A run's start time is its
  // first sign of life, so the first beat is due an interval after it opens.
  #runs = new Map<string, { run: WatchedRun; log: SharedArrayBuffer; beatDue: number }>();
  #appenders = new Map<string, SharedArrayBuffer>();

  /** Takes in one message from the main thread. */
  apply(message: WatchdogMessage): void {
    if ("open" in message) {
      const beatDue = Date.now() + HEARTBEAT_INTERVAL_MS;
      this.#runs.set(message.open.path, { run: message.open, log: message.log, beatDue });
      this.#appenders.set(join(message.open.path, "log.txt"), message.log);
    } else {
      this.#appenders.set(message.appender.path, message.appender.memory);
    }
  }

  /**
   * Writes out buffered lines, forgets finished runs and closed files, and
   * renews the heartbeats that are due.
   */
  tick(): void {
    this.#drain(0);
    const now = Date.now();
    for (const [path, entry] of this.#runs) {
      if (Atomics.load(new Int32Array(entry.log, 0, DATA_OFFSET / 4), RUN_FINISHED)) {
        this.#runs.delete(path);
      } else if (now >= entry.beatDue) {
        entry.beatDue = now + HEARTBEAT_INTERVAL_MS;
        beat(path, now);
      }
    }
  }

  /** Writes out buffered lines, then marks every open run failed, interrupted by `signal`. */
  interrupt(signal: Deno.Signal): void {
    // A main thread that keeps logging hands its lines over within moments.
    this.#drain(200);
    for (const { run } of this.#runs.values()) {
      try {
        failOpenRun(run, `interrupted (${signal})`);
      } catch {
        // One run's broken directory must not keep the others unmarked.
      }
    }
  }

  #drain(patienceMs: number): void {
    for (const [path, memory] of this.#appenders) {
      try {
        if (!drainToFile(path, memory, patienceMs)) this.#appenders.delete(path);
      } catch {
        // A file that cannot be written now may be writable at the next tick.
      }
    }
  }
}

// An ISO time is always 24 characters, so each beat overwrites the last in
// place with one small write: readers never see a shorter or empty file, and
// no temporary file is left in a directory that is being removed.
function beat(runDir: string, now: number): void {
  try {
    using file = Deno.openSync(join(runDir, HEARTBEAT_FILE), { write: true, create: true });
    writeAll(file, encoder.encode(`${new Date(now).toISOString()}\n`));
  } catch {
    // The run directory was removed (a temporary experiment): nothing to keep alive.
  }
}
