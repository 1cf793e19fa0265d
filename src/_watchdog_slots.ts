// Copyright 2026 the notata authors. MIT license.
// The table of shared slots the main thread and the watchdog thread (see
// _watchdog.ts) both read. A slot is one buffered file of an open run: its
// lock and pending bytes, its path, and, for a run's log, the run itself.
// Slots are taken and given back, never freed: a run costs no allocation of
// shared memory and no message to the thread. The table grows by a chunk of
// slots (one message) only when more files are open at once than ever before.
//
// Layout of a chunk's SharedArrayBuffer: a 16-byte header (slot count,
// description bytes, data bytes per slot), then the slots. Each slot: a
// 48-byte header (the words below, and the time its run opened), its
// description (the file path, and the run's fields, NUL-separated), its
// pending bytes.

import type { WatchedRun } from "./_interrupt.ts";

/**
 * Word and byte offsets shared by both threads. The watchdog thread's code
 * is carried as text and takes these as an argument: it imports nothing.
 */
export const LAYOUT = {
  // Words of the process-wide control memory.
  /** The mutex between a run's start or finish and the watchdog's marking. */
  MUTEX: 0,
  /** Chunks posted to the thread. */
  SENT: 1,
  /** 1 once the thread listens for signals. */
  READY: 2,
  /** The signal the thread caught, when the main thread must mark the runs itself. */
  INTERRUPT: 3,
  /** 1 once the main thread has marked the runs. */
  DONE: 4,
  /**
   * The signal the thread caught (its index in the signals, plus one), set
   * before it waits for the mutex: a main thread waiting for a lock while
   * holding the mutex sees it and gives way (see `giveWayToSignal`).
   */
  PENDING: 5,
  CONTROL_WORDS: 6,
  // Words of a chunk's header.
  CHUNK_SLOTS: 0,
  CHUNK_DESCRIPTION_BYTES: 1,
  CHUNK_DATA_BYTES: 2,
  CHUNK_HEADER_BYTES: 16,
  // Words of a slot's header.
  /** The lock of the pending bytes and the description. */
  LOCK: 0,
  /** Bytes pending. */
  FILL: 1,
  /** 1 while the file is open and handed to the watchdog: it writes the pending bytes. */
  FILE: 2,
  /** Set by the watchdog when it found the lock taken: the main thread writes out at its next append. */
  REQUEST: 3,
  /** 1 while the slot's run is open: the watchdog renews its heartbeat and marks it on a signal. */
  RUN: 4,
  /** Bumped at each change of the description. */
  GENERATION: 5,
  /** Bytes of the description. */
  DESCRIPTION_LENGTH: 6,
  /** Byte offset of a Float64: when the run opened (ms since the epoch). */
  OPENED_AT_BYTE: 32,
  SLOT_HEADER_BYTES: 48,
  // Mutex states.
  FREE: 0,
  /** The main thread is starting or finishing a run. */
  MAIN: 1,
  /** The watchdog is marking runs failed; the process is about to exit. */
  INTERRUPTING: 2,
} as const;

/**
 * Bytes of text a file holds before the main thread writes them out itself:
 * small, because every open file has a slot.
 */
export const APPENDER_CAPACITY = 8 * 1024;

// Enough for the description of a run whose log path is up to ~500 bytes;
// a longer path gets a chunk of one slot of its own size.
const DESCRIPTION_CAPACITY = 2048;
const SLOTS_PER_CHUNK = 8;

const encoder = new TextEncoder();

/** One slot of the table, as the main thread holds it. */
export class AppenderSlot {
  /** The slot's header words; see {@linkcode LAYOUT}. */
  readonly words: Int32Array;
  /** The pending bytes. */
  readonly data: Uint8Array;
  readonly #openedAt: Float64Array;
  readonly #description: Uint8Array;
  /** The file whose pending bytes the slot holds. */
  path = "";
  /** The run whose log this is, while it is open. */
  run: WatchedRun | undefined;
  /** Whether the slot is in the table's free list. */
  free = true;

  constructor(memory: SharedArrayBuffer, offset: number, descriptionBytes: number) {
    this.words = new Int32Array(memory, offset, LAYOUT.SLOT_HEADER_BYTES / 4);
    this.#openedAt = new Float64Array(memory, offset + LAYOUT.OPENED_AT_BYTE, 1);
    this.#description = new Uint8Array(
      memory,
      offset + LAYOUT.SLOT_HEADER_BYTES,
      descriptionBytes,
    );
    this.data = new Uint8Array(
      memory,
      offset + LAYOUT.SLOT_HEADER_BYTES + descriptionBytes,
      APPENDER_CAPACITY,
    );
  }

  /** Whether a file path of `bytes` bytes leaves room for its run's fields. */
  fits(bytes: number): boolean {
    return descriptionBytesFor(bytes) <= this.#description.length;
  }

  /**
   * Describes the slot for the watchdog: its file, and the open run `run`
   * whose log it is, if any. Takes the slot's lock.
   */
  describe(run?: WatchedRun): void {
    withSlotLock(this.words, () => this.#describe(run));
  }

  #describe(run: WatchedRun | undefined): void {
    const fields = [this.path];
    if (run !== undefined) {
      fields.push(run.path, run.runId, run.experimentDir ?? "", run.hasRow ? "1" : "");
      this.#openedAt[0] = Date.now();
    }
    const text = fields.join("\0");
    const { read, written } = encoder.encodeInto(text, this.#description);
    if (read < text.length) {
      throw new Error(`the description of ${JSON.stringify(this.path)} does not fit its slot`);
    }
    this.words[LAYOUT.DESCRIPTION_LENGTH] = written;
    Atomics.add(this.words, LAYOUT.GENERATION, 1);
  }
}

/** Runs `fn` holding the lock word of a slot (its `words`). */
export function withSlotLock<T>(words: Int32Array, fn: () => T): T {
  while (Atomics.compareExchange(words, LAYOUT.LOCK, 0, 1) !== 0) {
    Atomics.wait(words, LAYOUT.LOCK, 1, 10);
  }
  try {
    return fn();
  } finally {
    Atomics.store(words, LAYOUT.LOCK, 0);
    Atomics.notify(words, LAYOUT.LOCK);
  }
}

function descriptionBytesFor(pathBytes: number): number {
  // The run's path, its experiment's and its id are each no longer than the log's path.
  return 4 * (pathBytes + 1) + 8;
}

/** The slots of the process. */
export class SlotTable {
  /** Every chunk, in order: the watchdog gets each once. */
  readonly chunks: SharedArrayBuffer[] = [];
  /** The process-wide control words; see {@linkcode LAYOUT}. */
  readonly control: Int32Array = new Int32Array(
    new SharedArrayBuffer(LAYOUT.CONTROL_WORDS * Int32Array.BYTES_PER_ELEMENT),
  );
  /** Called with each new chunk once the watchdog runs. */
  onChunk: ((memory: SharedArrayBuffer) => void) | undefined;
  /**
   * Called at an append when the watchdog asks the main thread to mark its
   * runs (control word INTERRUPT); it never returns.
   */
  onInterrupt: (() => void) | undefined;
  /** The slots whose run is open, for marking them on the main thread. */
  readonly openRuns: Set<AppenderSlot> = new Set();
  #free: AppenderSlot[] = [];

  /** A free slot for the file `path`, described with it and empty. */
  take(path: string): AppenderSlot {
    const bytes = encoder.encode(path).length;
    let index = this.#free.length - 1;
    while (index >= 0 && !this.#free[index].fits(bytes)) index--;
    if (index < 0) {
      this.#grow(bytes);
      index = this.#free.length - 1;
    }
    const slot = this.#free[index];
    this.#free[index] = this.#free[this.#free.length - 1];
    this.#free.pop();
    slot.free = false;
    slot.words[LAYOUT.FILL] = 0;
    slot.words[LAYOUT.REQUEST] = 0;
    slot.path = path;
    return slot;
  }

  /** Gives back `slot` once neither its file nor its run is open. */
  release(slot: AppenderSlot): void {
    if (
      !slot.free && Atomics.load(slot.words, LAYOUT.FILE) === 0 &&
      Atomics.load(slot.words, LAYOUT.RUN) === 0
    ) {
      slot.free = true;
      this.#free.push(slot);
    }
  }

  #grow(pathBytes: number): void {
    const wide = descriptionBytesFor(pathBytes) > DESCRIPTION_CAPACITY;
    const slots = wide ? 1 : SLOTS_PER_CHUNK;
    // A multiple of 8, so every slot's Float64 stays aligned.
    const descriptionBytes = wide
      ? Math.ceil(descriptionBytesFor(pathBytes) / 8) * 8
      : DESCRIPTION_CAPACITY;
    const slotBytes = LAYOUT.SLOT_HEADER_BYTES + descriptionBytes + APPENDER_CAPACITY;
    const memory = new SharedArrayBuffer(LAYOUT.CHUNK_HEADER_BYTES + slots * slotBytes);
    const header = new Int32Array(memory, 0, LAYOUT.CHUNK_HEADER_BYTES / 4);
    header[LAYOUT.CHUNK_SLOTS] = slots;
    header[LAYOUT.CHUNK_DESCRIPTION_BYTES] = descriptionBytes;
    header[LAYOUT.CHUNK_DATA_BYTES] = APPENDER_CAPACITY;
    for (let i = slots - 1; i >= 0; i--) {
      this.#free.push(
        new AppenderSlot(memory, LAYOUT.CHUNK_HEADER_BYTES + i * slotBytes, descriptionBytes),
      );
    }
    this.chunks.push(memory);
    this.onChunk?.(memory);
  }
}

/** The process's one table. */
export const slots: SlotTable = new SlotTable();
