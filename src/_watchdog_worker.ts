// Copyright 2026 the notata authors. MIT license.
// The watchdog's code (see _watchdog.ts): buffered lines written out every
// second, heartbeats for open runs, and on SIGINT/SIGTERM, open runs marked
// failed before the signal ends the process.
//
// It imports nothing and refers to nothing outside its body: _watchdog.ts
// carries its text in the data: module that starts the thread, so loading
// it needs no read permission, whatever flags the script runs with. Only the
// code that marks runs failed (the index, the lock: _open_runs.ts) is
// imported, when the first signal comes; where that import is not allowed,
// the main thread marks its runs itself (see `guarded` in _watchdog.ts).

import type { WatchedRun } from "./_interrupt.ts";
import type { LAYOUT } from "./_watchdog_slots.ts";

/** Marks the open runs `runs` failed with `reason`. */
export type Marker = (runs: WatchedRun[], reason: string) => void;

/** What the watchdog's code is given, since it imports nothing. */
export interface WatchdogSettings {
  layout: typeof LAYOUT;
  /** The process-wide control words. */
  control: SharedArrayBuffer;
  /** The chunks of slots made so far. */
  chunks: SharedArrayBuffer[];
  signals: Deno.Signal[];
  flushIntervalMs: number;
  heartbeatIntervalMs: number;
  heartbeatFile: string;
  separator: string;
}

/** The settings, and how the watchdog gets what the main thread adds later. */
export interface WatchdogEnvironment extends WatchdogSettings {
  /** Registers the listener for each chunk of slots made later. */
  onChunk(listener: (memory: SharedArrayBuffer) => void): void;
  /** The code that marks runs failed, or `undefined` when it cannot be loaded. */
  loadMarker(): Promise<Marker | undefined>;
  /** Whether the timer keeps the thread alive (a thread of its own) or not (the main thread). */
  keepAlive: boolean;
}

/** Starts watching the slots of `env`: a timer and signal listeners. */
export function runWatchdog(env: WatchdogEnvironment): void {
  const L = env.layout;
  const control = new Int32Array(env.control);
  const decoder = new TextDecoder();
  const encoder = new TextEncoder();
  interface Slot {
    words: Int32Array;
    openedAt: Float64Array;
    description: Uint8Array;
    data: Uint8Array;
    /** The generation of the description below. */
    generation: number;
    file: string;
    run: WatchedRun | undefined;
    beatDue: number;
  }
  const table: Slot[] = [];
  let received = 0;

  const addChunk = (memory: SharedArrayBuffer) => {
    const header = new Int32Array(memory, 0, L.CHUNK_HEADER_BYTES / 4);
    const descriptionBytes = header[L.CHUNK_DESCRIPTION_BYTES];
    const dataBytes = header[L.CHUNK_DATA_BYTES];
    const slotBytes = L.SLOT_HEADER_BYTES + descriptionBytes + dataBytes;
    for (let i = 0; i < header[L.CHUNK_SLOTS]; i++) {
      const offset = L.CHUNK_HEADER_BYTES + i * slotBytes;
      const descriptionAt = offset + L.SLOT_HEADER_BYTES;
      table.push({
        words: new Int32Array(memory, offset, L.SLOT_HEADER_BYTES / 4),
        openedAt: new Float64Array(memory, offset + L.OPENED_AT_BYTE, 1),
        description: new Uint8Array(memory, descriptionAt, descriptionBytes),
        data: new Uint8Array(memory, descriptionAt + descriptionBytes, dataBytes),
        generation: -1,
        file: "",
        run: undefined,
        beatDue: 0,
      });
    }
  };
  for (const memory of env.chunks) addChunk(memory);
  env.onChunk((memory) => {
    received++;
    addChunk(memory);
  });

  // Reads the slot's description if it changed. The caller holds the slot's
  // lock, or the mutex for a slot whose run is open.
  const refresh = (slot: Slot) => {
    const generation = Atomics.load(slot.words, L.GENERATION);
    if (generation === slot.generation) return;
    slot.generation = generation;
    const length = slot.words[L.DESCRIPTION_LENGTH];
    const [file, path, runId, experimentDir, hasRow] = decoder
      .decode(slot.description.slice(0, length))
      .split("\0");
    slot.file = file;
    slot.run = path === undefined ? undefined : {
      path,
      runId,
      experimentDir: experimentDir === "" ? undefined : experimentDir,
      hasRow: hasRow === "1",
    };
    // A run's start is its first sign of life: the first beat is due an interval later.
    slot.beatDue = slot.openedAt[0] + env.heartbeatIntervalMs;
  };

  // Writes out the slot's pending bytes, unless the main thread holds its
  // lock past `deadline`: then the main thread writes them at its next
  // append. Returns whether the slot's run is open, as just read.
  const visit = (slot: Slot, deadline: number): boolean => {
    const words = slot.words;
    if (Atomics.load(words, L.FILE) === 0 && Atomics.load(words, L.RUN) === 0) return false;
    while (Atomics.compareExchange(words, L.LOCK, 0, 1) !== 0) {
      Atomics.store(words, L.REQUEST, 1);
      if (Date.now() >= deadline) return false;
      Atomics.wait(words, L.LOCK, 1, 1);
    }
    try {
      refresh(slot);
      const fill = words[L.FILL];
      // A file that became a link is the main thread's to refuse, at its next write-out.
      if (words[L.FILE] !== 0 && fill > 0 && !isLink(slot.file)) {
        Deno.writeFileSync(slot.file, slot.data.subarray(0, fill), { append: true });
        words[L.FILL] = 0;
      }
    } catch {
      // A file that cannot be written now may be writable at the next tick;
      // a removed directory or a full disk is the main thread's to report.
    } finally {
      Atomics.store(words, L.LOCK, 0);
      Atomics.notify(words, L.LOCK);
    }
    return words[L.RUN] !== 0 && slot.run !== undefined;
  };

  // Deno cannot open without following a link (no O_NOFOLLOW): an lstat
  // just before the open is the check. Missing is not a link.
  const isLink = (path: string) => {
    try {
      return Deno.lstatSync(path).isSymlink;
    } catch {
      return false;
    }
  };

  // An ISO time is always 24 characters, so each beat overwrites the last in
  // place with one small write: readers never see a shorter or empty file,
  // and no temporary file is left in a directory that is being removed. A
  // link planted in its place is removed (its target is never opened): the
  // heartbeat is the run's own file.
  const beat = (runDir: string, now: number) => {
    try {
      const path = `${runDir}${env.separator}${env.heartbeatFile}`;
      if (isLink(path)) Deno.removeSync(path);
      const file = Deno.openSync(path, { write: true, create: true });
      try {
        const bytes = encoder.encode(`${new Date(now).toISOString()}\n`);
        for (let done = 0; done < bytes.length;) done += file.writeSync(bytes.subarray(done));
      } finally {
        file.close();
      }
    } catch {
      // The run directory was removed (a temporary experiment): nothing to keep alive.
    }
  };

  const tick = () => {
    const now = Date.now();
    for (const slot of table) {
      if (visit(slot, now) && now >= slot.beatDue) {
        slot.beatDue = now + env.heartbeatIntervalMs;
        beat(slot.run!.path, now);
      }
    }
  };
  const timer = setInterval(tick, env.flushIntervalMs);
  if (!env.keepAlive) Deno.unrefTimer(timer);

  let marker: Promise<Marker | undefined> | undefined;
  const onSignal = async (signal: Deno.Signal) => {
    // A main thread that holds the mutex while it waits for a lock lets go of it.
    Atomics.store(control, L.PENDING, env.signals.indexOf(signal) + 1);
    while (Atomics.compareExchange(control, L.MUTEX, L.FREE, L.INTERRUPTING) !== L.FREE) {
      Atomics.wait(control, L.MUTEX, L.MAIN, 50);
    }
    // The main thread makes no chunk now; let the ones posted arrive.
    while (received < Atomics.load(control, L.SENT)) {
      await new Promise((done) => setTimeout(done, 1));
    }
    // A main thread that keeps logging hands its lines over within moments.
    const deadline = Date.now() + 200;
    for (const slot of table) visit(slot, deadline);
    // A run's description changes only inside `guarded`, which the mutex
    // keeps out now: no slot lock is needed to read it.
    const runs: WatchedRun[] = [];
    for (const slot of table) {
      if (Atomics.load(slot.words, L.RUN) === 0) continue;
      refresh(slot);
      runs.push(slot.run!);
    }
    const mark = await (marker ??= env.loadMarker());
    if (mark !== undefined) {
      mark(runs, `interrupted (${signal})`);
    } else if (runs.length > 0) {
      // The marking code could not be loaded here: the main thread marks its
      // runs at its next append or run start or finish, if it makes one
      // within a second; a thread that never calls notata again leaves its
      // runs to read as crashed once the process is gone.
      Atomics.store(control, L.INTERRUPT, env.signals.indexOf(signal) + 1);
      Atomics.notify(control, L.MUTEX);
      Atomics.wait(control, L.DONE, 0, 1_000);
    }
    for (const [each, listener] of listeners) Deno.removeSignalListener(each, listener);
    Deno.kill(Deno.pid, signal);
  };
  const listeners = env.signals.map((signal) => [signal, () => onSignal(signal)] as const);
  for (const [signal, listener] of listeners) Deno.addSignalListener(signal, listener);
  Atomics.store(control, L.READY, 1);
  Atomics.notify(control, L.READY);
}
