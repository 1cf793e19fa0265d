// Copyright 2026 the notata authors. MIT license.
// Buffered appends for files written line by line while a run is open
// (log.txt, data/scalars.csv). One system call per line would cost more than
// the formatting, and an unbounded buffer would lose everything in a crash.
//
// The buffer is a slot of shared memory (see _watchdog_slots.ts): the
// watchdog thread (see _watchdog.ts) writes it out every second and when a
// signal ends the process, so the promise "a crash loses at most the last
// second" holds even while the simulation keeps the main thread busy and
// never logs again. The slot's lock word makes each write-out take whole
// lines exactly once.

import { appendBytes, explainWriteError, refuseLink } from "./_files.ts";
import {
  APPENDER_CAPACITY,
  type AppenderSlot,
  LAYOUT,
  slots,
  withSlotLock,
} from "./_watchdog_slots.ts";

export { APPENDER_CAPACITY } from "./_watchdog_slots.ts";

/** How often the watchdog writes out the buffered lines of open runs. */
export const FLUSH_INTERVAL_MS = 1_000;

const encoder = new TextEncoder();

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
  #slot: AppenderSlot;
  #oldestPendingAt = 0;

  /**
   * An appender to `path`, which holds no file handle: each write-out opens
   * the file to append, so an open run costs no resource. `header` is
   * written at once when the file is new or empty, so a reopened file keeps
   * its single header. Throws NotFound when the directory is missing. Every
   * write-out refuses a `path` that has become a symbolic link, and reports
   * a full disk as a NotataError.
   */
  constructor(path: string, header = "") {
    this.path = path;
    if (header !== "") {
      const bytes = encoder.encode(header);
      try {
        Deno.writeFileSync(path, bytes, { createNew: true });
      } catch (error) {
        if (!(error instanceof Deno.errors.AlreadyExists)) throw explainWriteError(error, path);
        // Checked before statSync, which would read a link's target.
        refuseLink("Cannot append", path);
        if (Deno.statSync(path).size === 0) appendBytes(path, bytes);
      }
    }
    this.#slot = slots.take(path);
    openAppenders.add(this);
    if (!flushOnUnload) {
      globalThis.addEventListener("unload", flushAll);
      flushOnUnload = true;
    }
  }

  /** The shared slot that holds the pending bytes, for the watchdog. */
  get memory(): AppenderSlot {
    return this.#slot;
  }

  /** Whether the appender still takes writes. */
  get isOpen(): boolean {
    return !this.#closed;
  }

  /**
   * Queues `text`. The main thread writes the queue out itself when it is
   * full or a second old, so lines reach the disk without the watchdog too.
   */
  write(text: string): void {
    if (Atomics.load(slots.control, LAYOUT.INTERRUPT) !== 0) slots.onInterrupt?.();
    const now = Date.now();
    const words = this.#slot.words;
    withSlotLock(words, () => {
      let fill = words[LAYOUT.FILL];
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
      words[LAYOUT.FILL] = fill + encoder.encodeInto(text, this.#slot.data.subarray(fill)).written;
      if (words[LAYOUT.REQUEST] !== 0 || now - this.#oldestPendingAt >= FLUSH_INTERVAL_MS) {
        this.#drain();
      }
    });
  }

  /** Writes everything queued to the file. */
  flush(): void {
    if (!this.#closed) withSlotLock(this.#slot.words, () => this.#drain());
  }

  /** Flushes and closes; later calls do nothing. */
  close(): void {
    if (this.#closed) return;
    try {
      withSlotLock(this.#slot.words, () => {
        try {
          this.#drain();
        } finally {
          this.#slot.words[LAYOUT.FILL] = 0;
          Atomics.store(this.#slot.words, LAYOUT.FILE, 0);
        }
      });
    } finally {
      this.#closed = true;
      openAppenders.delete(this);
      slots.release(this.#slot);
    }
  }

  #drain(): void {
    const words = this.#slot.words;
    words[LAYOUT.REQUEST] = 0;
    const fill = words[LAYOUT.FILL];
    if (fill === 0) return;
    appendBytes(this.path, this.#slot.data.subarray(0, fill));
    words[LAYOUT.FILL] = 0;
  }
}
