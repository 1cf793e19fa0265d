// Copyright 2026 the notata authors. MIT license.
// Buffered appends for files written line by line while a run is open
// (log.txt, data/scalars.csv). One system call per line would cost more than
// the formatting, and an unbounded buffer would lose everything in a crash.
//
// The buffer is shared memory: the watchdog thread (see _watchdog.ts) writes
// it out every second and when a signal ends the process, so the promise
// "a crash loses at most the last second" holds even while the simulation
// keeps the main thread busy and never logs again. A lock word in the same
// memory makes each write-out take whole lines exactly once.

/** How often the watchdog writes out the buffered lines of open runs. */
export const FLUSH_INTERVAL_MS = 1_000;

/**
 * Bytes of text held before the main thread writes them out itself: small,
 * because every open run has one, and allocating shared memory costs time.
 */
export const APPENDER_CAPACITY = 8 * 1024;
/** Slots of the control words at the start of the shared memory. */
export const LOCK = 0;
/** Bytes pending in the data area. */
export const FILL = 1;
/** Nonzero once the appender is closed: nothing more to write out. */
export const CLOSED = 2;
/**
 * Set by the watchdog when it found the lock taken: a main thread that
 * appends without pause would otherwise always win the lock, so it writes
 * the buffer out itself at its next append.
 */
export const REQUEST = 3;
/**
 * Set by the Logbook whose log this is once the run's final metadata is
 * written: from then on the watchdog has no run to mark.
 */
export const RUN_FINISHED = 4;
/** Bytes before the data area. */
export const DATA_OFFSET = 32;

const encoder = new TextEncoder();

// Runs `fn` holding the lock word of an appender's shared memory.
function withAppenderLock<T>(control: Int32Array, fn: () => T): T {
  while (Atomics.compareExchange(control, LOCK, 0, 1) !== 0) Atomics.wait(control, LOCK, 1, 10);
  try {
    return fn();
  } finally {
    Atomics.store(control, LOCK, 0);
    Atomics.notify(control, LOCK);
  }
}

/**
 * Writes the pending bytes of an appender's shared memory with `write`, and
 * empties it. The caller holds the lock.
 */
function drainPending(memory: SharedArrayBuffer, write: (bytes: Uint8Array) => void): void {
  const control = new Int32Array(memory, 0, DATA_OFFSET / 4);
  const fill = control[FILL];
  if (fill === 0) return;
  write(new Uint8Array(memory, DATA_OFFSET, fill));
  control[FILL] = 0;
}

/**
 * Writes out the pending bytes of the appender of `path` from another
 * thread, through a file handle of its own. While the main thread holds
 * the lock, waits up to `patienceMs`, then leaves the write-out to the main
 * thread's next append. Returns `false` once the appender is closed or its
 * file is gone: there will be nothing more.
 */
export function drainToFile(path: string, memory: SharedArrayBuffer, patienceMs: number): boolean {
  const control = new Int32Array(memory, 0, DATA_OFFSET / 4);
  const deadline = Date.now() + patienceMs;
  while (Atomics.compareExchange(control, LOCK, 0, 1) !== 0) {
    Atomics.store(control, REQUEST, 1);
    if (Date.now() >= deadline) return true;
    Atomics.wait(control, LOCK, 1, 1);
  }
  try {
    if (control[CLOSED] !== 0) return false;
    if (control[FILL] === 0) return true;
    drainPending(memory, (bytes) => appendBytes(path, bytes));
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  } finally {
    Atomics.store(control, LOCK, 0);
    Atomics.notify(control, LOCK);
  }
}

// A script that ends without finishing its runs still gets its last lines
// onto disk: `unload` fires when the event loop empties or Deno.exit runs.
const openAppenders = new Set<BufferedAppender>();
let flushOnUnload = false;

function flushAll(): void {
  for (const appender of openAppenders) {
    try {
      appender.flush();
    } catch {
      // The process is ending; a directory removed meanwhile loses its lines.
    }
  }
}

/** An append-only file whose writes wait in shared memory for at most a second. */
export class BufferedAppender {
  readonly path: string;
  #closed = false;
  #memory = new SharedArrayBuffer(DATA_OFFSET + APPENDER_CAPACITY);
  #control = new Int32Array(this.#memory, 0, DATA_OFFSET / 4);
  #data = new Uint8Array(this.#memory, DATA_OFFSET);
  #oldestPendingAt = 0;

  /**
   * An appender to `path`, which holds no file handle: each write-out opens
   * the file to append, so an open run costs no resource. `header` is
   * written at once when the file is new or empty, so a reopened file keeps
   * its single header. Throws NotFound when the directory is missing.
   */
  constructor(path: string, header = "") {
    this.path = path;
    if (header !== "") {
      const bytes = encoder.encode(header);
      try {
        Deno.writeFileSync(path, bytes, { createNew: true });
      } catch (error) {
        if (!(error instanceof Deno.errors.AlreadyExists)) throw error;
        if (Deno.statSync(path).size === 0) Deno.writeFileSync(path, bytes, { append: true });
      }
    }
    openAppenders.add(this);
    if (!flushOnUnload) {
      globalThis.addEventListener("unload", flushAll);
      flushOnUnload = true;
    }
  }

  /** The shared memory that holds the pending bytes, for the watchdog. */
  get memory(): SharedArrayBuffer {
    return this.#memory;
  }

  /** Whether the appender still takes writes. */
  get isOpen(): boolean {
    return !this.#closed;
  }

  /**
   * Queues `text`. The main thread writes the queue out itself when it is
   * full or a second old: the watchdog thread may be missing (it needs read
   * access to notata's own files when they are local).
   */
  write(text: string): void {
    const now = Date.now();
    withAppenderLock(this.#control, () => {
      let fill = this.#control[FILL];
      if (fill === 0) this.#oldestPendingAt = now;
      // A UTF-16 code unit takes at most 3 bytes in UTF-8.
      if (3 * text.length > APPENDER_CAPACITY - fill) {
        this.#drain();
        fill = 0;
        if (3 * text.length > APPENDER_CAPACITY) {
          appendBytes(this.path, encoder.encode(text));
          return;
        }
      }
      this.#control[FILL] = fill + encoder.encodeInto(text, this.#data.subarray(fill)).written;
      if (this.#control[REQUEST] !== 0 || now - this.#oldestPendingAt >= FLUSH_INTERVAL_MS) {
        this.#drain();
      }
    });
  }

  /** Writes everything queued to the file. */
  flush(): void {
    if (!this.#closed) withAppenderLock(this.#control, () => this.#drain());
  }

  /** Flushes and closes; later calls do nothing. */
  close(): void {
    if (this.#closed) return;
    try {
      withAppenderLock(this.#control, () => {
        this.#drain();
        this.#control[CLOSED] = 1;
      });
    } finally {
      this.#closed = true;
      openAppenders.delete(this);
    }
  }

  #drain(): void {
    this.#control[REQUEST] = 0;
    drainPending(this.#memory, (bytes) => appendBytes(this.path, bytes));
  }
}

// One call: open to append (creating the file), write, close.
function appendBytes(path: string, bytes: Uint8Array): void {
  Deno.writeFileSync(path, bytes, { append: true });
}
