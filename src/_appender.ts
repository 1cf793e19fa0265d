// Copyright 2026 the notata authors. MIT license.
// Buffered appends for files written line by line while a run is open
// (log.txt, data/scalars.csv). One system call per call would cost more than
// the formatting; an unbounded buffer would lose everything in a crash. The
// compromise the issue asks for: flush at 64 KiB, and whenever the oldest
// pending line is a second old, so a crash loses at most the last second.

import { writeAll } from "./_files.ts";

const FLUSH_CHARS = 64 * 1024;
const FLUSH_AFTER_MS = 1000;
const encoder = new TextEncoder();

// A script that ends without finishing its runs still gets its last lines
// onto disk: `unload` fires when the event loop empties or Deno.exit runs.
const openAppenders = new Set<BufferedAppender>();
let flushOnUnload = false;

function flushAll(): void {
  for (const appender of openAppenders) appender.flush();
}

/** An append-only file that holds writes in memory for at most a second. */
export class BufferedAppender {
  readonly path: string;
  #file: Deno.FsFile | undefined;
  #pending = "";
  #oldestPendingAt = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;

  /**
   * Opens `path` for appending (creating it). `header` is written first when
   * the file is new or empty, so a reopened file keeps its single header.
   */
  constructor(path: string, header = "") {
    this.path = path;
    const file = Deno.openSync(path, { append: true, create: true });
    this.#file = file;
    openAppenders.add(this);
    if (!flushOnUnload) {
      globalThis.addEventListener("unload", flushAll);
      flushOnUnload = true;
    }
    if (header !== "" && file.statSync().size === 0) this.write(header);
  }

  /** Whether the file is still open for appending. */
  get isOpen(): boolean {
    return this.#file !== undefined;
  }

  /** Queues `text`; writes the queue when it is large or a second old. */
  write(text: string): void {
    if (this.#pending === "") {
      this.#oldestPendingAt = Date.now();
      // The timer covers a program that stops logging; the clock check
      // below covers one that keeps the event loop busy and never yields.
      const timer = setTimeout(() => this.flush(), FLUSH_AFTER_MS);
      Deno.unrefTimer(timer);
      this.#timer = timer;
    }
    this.#pending += text;
    if (
      this.#pending.length >= FLUSH_CHARS || Date.now() - this.#oldestPendingAt >= FLUSH_AFTER_MS
    ) {
      this.flush();
    }
  }

  /** Writes everything queued to the file. */
  flush(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#pending === "" || this.#file === undefined) return;
    const bytes = encoder.encode(this.#pending);
    this.#pending = "";
    writeAll(this.#file, bytes);
  }

  /** Flushes and closes the file; later calls do nothing. */
  close(): void {
    if (this.#file === undefined) return;
    try {
      this.flush();
    } finally {
      this.#file.close();
      this.#file = undefined;
      openAppenders.delete(this);
    }
  }
}
