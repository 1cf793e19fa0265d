// Copyright 2026 the notata authors. MIT license.
// A run's scalar series, `data/scalars.csv` in long format
// `step,name,value,time`, buffered like the log (see _appender.ts).

import { dirname, join } from "@std/path";
import { BufferedAppender } from "../_appender.ts";
import { formatCsvNumber, quoteCsvField } from "../_csv.ts";
import { appendText, exists, inDirectory } from "../_files.ts";
import { CONTROL } from "../_names.ts";
import { watchAppender } from "../_watchdog.ts";
import { InvalidValueError } from "../errors.ts";

const HEADER = "step,name,value,time\n";

function describeValue(value: unknown): string {
  if (typeof value !== "object" || value === null) {
    return typeof value === "string" ? JSON.stringify(value) : String(value);
  }
  try {
    return JSON.stringify(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}

function kindOf(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  return typeof value === "object" ? "an object" : `a ${typeof value}`;
}

/** The scalar series of one run. */
export class ScalarSeries {
  #path: string;
  #startedAt: number;
  #appender: BufferedAppender | undefined;
  #closed = false;
  #nextStep = new Map<string, number>();
  #fields = new Map<string, string>();

  /**
   * The series of the run in `runDir`, which started at `startedAt`
   * (`performance.now()`); `finished`: the run has ended already.
   */
  constructor(runDir: string, startedAt: number, finished: boolean) {
    this.#path = join(runDir, "data", "scalars.csv");
    this.#startedAt = startedAt;
    this.#closed = finished;
  }

  /** Appends `value` to series `name` at `step` (default: one after the series' last). */
  write(name: string, value: number, step: number | undefined): void {
    let field = this.#fields.get(name);
    if (field === undefined) {
      if (typeof name !== "string" || name === "" || CONTROL.test(name)) {
        throw new InvalidValueError(
          `Cannot log scalar ${
            JSON.stringify(name)
          }: the name is empty or not text or holds control characters, expected a non-empty name`,
        );
      }
      field = quoteCsvField(name);
      this.#fields.set(name, field);
    }
    if (typeof value !== "number") {
      throw new InvalidValueError(
        `Cannot log scalar "${name}": value ${describeValue(value)} is ${
          kindOf(value)
        }, expected a number`,
      );
    }
    const at = step ?? this.#nextStep.get(name) ?? 0;
    if (!Number.isSafeInteger(at) || at < 0) {
      throw new InvalidValueError(
        `Cannot log scalar "${name}": step ${at} is not valid, expected a non-negative integer`,
      );
    }
    this.#nextStep.set(name, at + 1);
    const time = ((performance.now() - this.#startedAt) / 1000).toFixed(6);
    const row = `${at},${field},${formatCsvNumber(value)},${time}\n`;
    if (this.#appender?.isOpen) {
      this.#appender.write(row);
      return;
    }
    inDirectory(dirname(this.#path), () => this.#append(row));
  }

  /** Writes the buffered rows to disk. */
  flush(): void {
    this.#appender?.flush();
  }

  /** Writes the buffered rows; later rows go straight to disk. */
  close(): void {
    this.#closed = true;
    this.#appender?.close();
  }

  #append(row: string): void {
    if (this.#closed) {
      // After the run finished, rows go straight to disk: no buffer stays open.
      appendText(this.#path, exists(this.#path) ? row : HEADER + row);
      return;
    }
    this.#appender = new BufferedAppender(this.#path, HEADER);
    watchAppender(this.#path, this.#appender.memory);
    this.#appender.write(row);
  }
}
