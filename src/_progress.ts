// Copyright 2026 the notata authors. MIT license.
// The progress of a sweep on stderr. On a terminal one line is rewritten in
// place, at most ten times a second; in a log file (a batch job's stderr)
// rewriting would leave a mess of carriage returns, so a plain line is
// written every ten seconds instead, and a last one when the sweep ends.

import { writeAll } from "./_files.ts";

/** How progress is shown: one line rewritten in place, or plain lines. */
export type ProgressMode = "bar" | "lines";

/** Where progress goes and how time passes; tests replace all three. */
export interface ProgressOutput {
  /** Writes text to the stream. */
  write(text: string): void;
  /** Milliseconds on a monotonic clock. */
  now(): number;
  /** Calls `tick` every `ms` milliseconds until the returned function is called. */
  every(tick: () => void, ms: number): () => void;
}

const encoder = new TextEncoder();

const STDERR: ProgressOutput = {
  // writeAll only calls writeSync, which Deno.stderr has.
  write: (text) => writeAll(Deno.stderr as unknown as Deno.FsFile, encoder.encode(text)),
  now: () => performance.now(),
  every: (tick, ms) => {
    const id = setInterval(tick, ms);
    return () => clearInterval(id);
  },
};

const PERIOD_MS: { [mode in ProgressMode]: number } = { bar: 100, lines: 10_000 };

/** Carriage return, then the line, then "erase to the end of the line". */
const rewrite = (line: string): string => `\r${line}\x1b[K`;

/** The mode of `"auto"`: a rewritten line on a terminal, plain lines elsewhere. */
export function autoMode(): ProgressMode {
  return Deno.stderr.isTerminal() ? "bar" : "lines";
}

/** A duration as `7s` (with `decimals` below a minute: `0.6s`), `2m05s` or `1h02m`. */
export function formatDuration(seconds: number, decimals = 0): string {
  const rounded = Number(seconds.toFixed(decimals));
  if (rounded < 60) return `${rounded.toFixed(decimals)}s`;
  const total = Math.round(seconds);
  const pad = (n: number): string => String(n).padStart(2, "0");
  if (total < 3600) return `${Math.floor(total / 60)}m${pad(total % 60)}s`;
  return `${Math.floor(total / 3600)}h${pad(Math.floor(total / 60) % 60)}m`;
}

/**
 * Counts the runs of a sweep as they end and shows
 * `sweep <label>: 120/400 done, 3 failed, 41.2 runs/s, ETA 7s`, where "done"
 * counts every run dealt with (run, failed or skipped), the rate counts the
 * runs actually run, and skipped runs are shown when there are any.
 */
export class ProgressReporter {
  #label: string;
  #total: number;
  #mode: ProgressMode;
  #output: ProgressOutput;
  #startedAt = 0;
  #ran = 0;
  #failed = 0;
  #skipped = 0;
  #shown = "";
  #cancel: (() => void) | undefined;

  constructor(label: string, total: number, mode: ProgressMode, output: ProgressOutput = STDERR) {
    this.#label = label;
    this.#total = total;
    this.#mode = mode;
    this.#output = output;
  }

  /** Shows the first line and starts the periodic updates. */
  start(): void {
    this.#startedAt = this.#output.now();
    this.#show();
    this.#cancel = this.#output.every(() => this.#show(), PERIOD_MS[this.#mode]);
  }

  /** A run ended complete. */
  finished(): void {
    this.#ran++;
  }

  /** A run ended failed. */
  failed(): void {
    this.#ran++;
    this.#failed++;
  }

  /** A run was not run: complete already, or running elsewhere. */
  skipped(): void {
    this.#skipped++;
  }

  /** Stops the updates and shows the last line, ended by a newline. */
  stop(): void {
    this.#cancel?.();
    this.#cancel = undefined;
    const line = this.#line(true);
    this.#output.write(this.#mode === "bar" ? `${rewrite(line)}\n` : `${line}\n`);
  }

  #show(): void {
    const line = this.#line(false);
    if (this.#mode === "lines") {
      this.#output.write(`${line}\n`);
    } else if (line !== this.#shown) {
      this.#output.write(rewrite(line));
    }
    this.#shown = line;
  }

  #line(final: boolean): string {
    const seconds = (this.#output.now() - this.#startedAt) / 1000;
    const rate = seconds > 0 ? this.#ran / seconds : 0;
    const dealt = this.#ran + this.#skipped;
    const skipped = this.#skipped > 0 ? `, ${this.#skipped} skipped` : "";
    let time: string;
    if (final) time = `took ${formatDuration(seconds, 1)}`;
    else if (dealt === this.#total) time = "ETA 0s";
    // Rounded up: a sweep with runs left is never "0s" away from its end.
    else time = `ETA ${rate > 0 ? formatDuration(Math.ceil((this.#total - dealt) / rate)) : "?"}`;
    return `sweep ${this.#label}: ${dealt}/${this.#total} done, ${this.#failed} failed${skipped}, ${
      rate.toFixed(1)
    } runs/s, ${time}`;
  }
}
