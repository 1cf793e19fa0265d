// Copyright 2026 the notata authors. MIT license.
/**
 * {@linkcode Logbook}: the record of one run, in one directory.
 *
 * @module
 */

import { join } from "@std/path";
import { assertJsonValue, formatJson, parseJson } from "./_json.ts";
import { assertFileName, assertRelativePath } from "./_names.ts";
import {
  appendText,
  ensureDir,
  ensureParentDir,
  exists,
  readTextIfExists,
  writeAll,
  writeFileAtomic,
} from "./_files.ts";
import {
  type CapturedStack,
  captureStack,
  forgetDisposedRuns,
  rememberDisposedRun,
} from "./_uncaught.ts";
import { InvalidValueError, RunExistsError } from "./errors.ts";
import { RESERVED_COLUMNS } from "./index_csv.ts";
import { assertParams } from "./_params.ts";
import type { JsonValue, Params, RunStatus } from "./types.ts";

/**
 * Options of {@linkcode Logbook}.
 *
 * @example Usage
 * ```ts
 * import type { LogbookOptions } from "@notata/core";
 *
 * const options: LogbookOptions = { baseDir: "outputs", params: { omega: 2 }, preallocate: true };
 * ```
 */
export interface LogbookOptions {
  /** Directory that holds the run directory `log_<runId>`. Default `"outputs"`. */
  baseDir?: string;
  /** The run's parameters, written to `params.json`. Default `{}`. */
  params?: Params;
  /** Delete an existing run directory of the same id and start afresh. */
  overwrite?: boolean;
  /**
   * Reopen an existing run directory that is not complete (failed, or never
   * finished). Its log is kept and the earlier attempt is recorded under
   * `attempts` in `metadata.json`. A complete run cannot be resumed.
   */
  resume?: boolean;
  /** Create `data/`, `plots/` and `artifacts/` up front. Default `false`. */
  preallocate?: boolean;
  /** Called after the run is marked complete or failed. */
  onFinish?: (log: Logbook) => void;
}

type Level = "DEBUG" | "INFO" | "WARNING" | "ERROR";

/** The `metadata.json` keys notata manages; `meta()` may not set them. */
const MANAGED_METADATA = [
  "run_id",
  "status",
  "start_time",
  "end_time",
  "runtime_sec",
  "failure_reason",
  "attempts",
];

const encoder = new TextEncoder();

function withExtension(name: string, extension: string): string {
  return name.endsWith(extension) ? name : name + extension;
}

/**
 * The record of one run: a directory `<baseDir>/log_<runId>/` holding
 * `params.json`, `metadata.json` (status `initialized`, then `complete` or
 * `failed`, with times and the failure reason), a timestamped `log.txt`, and
 * `data/`, `plots/`, `artifacts/`.
 *
 * A Logbook is a `using` resource: leaving the block marks the run complete,
 * unless it was already marked. A script that dies from an uncaught error
 * thrown inside the block leaves the run `failed` with the error's message.
 * Every method is synchronous, so it works in plain scripts without `await`.
 *
 * @example A run as a `using` resource
 * ```ts
 * import { Logbook } from "@notata/core";
 * import { assertEquals } from "@std/assert";
 *
 * const baseDir = Deno.makeTempDirSync();
 * {
 *   using run = new Logbook("oscillator", { baseDir, params: { omega: 2 } });
 *   run.info("starting");
 *   run.json("final_state", { x: 1 });
 * }
 * const meta = JSON.parse(Deno.readTextFileSync(`${baseDir}/log_oscillator/metadata.json`));
 * assertEquals(meta.status, "complete");
 * Deno.removeSync(baseDir, { recursive: true });
 * ```
 */
export class Logbook implements Disposable, AsyncDisposable {
  /** The run id; the directory is `log_<runId>`. */
  readonly runId: string;
  /** The run directory. */
  readonly path: string;
  #params: Params;
  #metadata: { [key: string]: JsonValue };
  #startedAt: number;
  #log: Deno.FsFile | undefined;
  #onFinish: ((log: Logbook) => void) | undefined;
  #created: CapturedStack;

  /**
   * Creates the run directory and writes `params.json` and `metadata.json`.
   * Everything is checked before the disk is touched.
   *
   * @param runId The run id, a single file name.
   * @param options Where the run goes and what it starts with.
   * @throws {InvalidNameError} The run id is empty or path-like.
   * @throws {InvalidValueError} A param is not a JSON value or is reserved.
   * @throws {RunExistsError} The directory exists and neither `overwrite`
   * nor `resume` was given, or `resume` was given for a complete run.
   */
  constructor(runId: string, options: LogbookOptions = {}) {
    const action = `Cannot create run ${JSON.stringify(runId)}`;
    assertFileName(action, "run id", runId);
    const params = options.params ?? {};
    assertParams(action, params);
    const { baseDir = "outputs", overwrite = false, resume = false } = options;
    if (overwrite && resume) {
      throw new InvalidValueError(
        `${action}: both overwrite and resume are set, expected at most one`,
      );
    }
    this.runId = runId;
    this.path = join(baseDir, `log_${runId}`);
    this.#params = structuredClone(params);
    this.#onFinish = options.onFinish;
    this.#startedAt = performance.now();
    this.#created = captureStack();
    const attempts = this.#prepareDirectory(action, overwrite, resume);
    this.#metadata = {
      run_id: runId,
      status: "initialized",
      start_time: new Date().toISOString(),
      end_time: null,
      runtime_sec: null,
    };
    if (attempts.length > 0) this.#metadata.attempts = attempts;
    ensureDir(this.path);
    if (options.preallocate) {
      for (const sub of ["data", "plots", "artifacts"]) ensureDir(join(this.path, sub));
    }
    this.#writeParams();
    this.#writeMetadata();
    forgetDisposedRuns();
    const previous = attempts.at(-1);
    if (previous !== undefined) {
      const reason = previous.failure_reason ? `: ${previous.failure_reason}` : "";
      this.warning(`Run resumed; previous attempt ended ${previous.status}${reason}`);
    } else {
      this.info("Run started");
    }
  }

  // Returns the earlier attempts to record when resuming.
  #prepareDirectory(
    action: string,
    overwrite: boolean,
    resume: boolean,
  ): { [key: string]: JsonValue }[] {
    if (!exists(this.path)) return [];
    if (overwrite) {
      Deno.removeSync(this.path, { recursive: true });
      return [];
    }
    if (!resume) {
      throw new RunExistsError(
        `${action}: directory "${this.path}" already exists, expected a new run id, overwrite: true or resume: true`,
      );
    }
    const text = readTextIfExists(join(this.path, "metadata.json"));
    let old: { [key: string]: JsonValue } = {};
    try {
      old = text === undefined ? {} : parseJson(text) as { [key: string]: JsonValue };
    } catch {
      // A torn or hand-broken metadata file: the attempt is recorded as unknown.
    }
    if (old.status === "complete") {
      throw new RunExistsError(
        `${action}: run is already complete, expected a failed or unfinished run to resume`,
      );
    }
    const earlier = Array.isArray(old.attempts)
      ? old.attempts as { [key: string]: JsonValue }[]
      : [];
    const attempt: { [key: string]: JsonValue } = {
      status: typeof old.status === "string" ? old.status : "unknown",
      start_time: old.start_time ?? null,
      end_time: old.end_time ?? null,
    };
    if (old.failure_reason !== undefined) attempt.failure_reason = old.failure_reason;
    return [...earlier, attempt];
  }

  /** The run's status: `"initialized"`, `"complete"` or `"failed"`. */
  get status(): RunStatus {
    return this.#metadata.status as RunStatus;
  }

  /** Seconds since the run started (until it finished, for finished runs). */
  get elapsed(): number {
    const runtime = this.#metadata.runtime_sec;
    return typeof runtime === "number" ? runtime : (performance.now() - this.#startedAt) / 1000;
  }

  /**
   * A copy of the run's current params.
   *
   * @returns The params.
   */
  getParams(): Params {
    return structuredClone(this.#params);
  }

  /**
   * A copy of the run's current metadata, as in `metadata.json`.
   *
   * @returns The metadata.
   */
  getMeta(): { [key: string]: JsonValue } {
    return structuredClone(this.#metadata);
  }

  /**
   * Appends a DEBUG line to `log.txt`.
   *
   * @param message The message; newlines are written as `\n`.
   */
  debug(message: string): void {
    this.#write("DEBUG", message);
  }

  /**
   * Appends an INFO line to `log.txt`.
   *
   * @param message The message; newlines are written as `\n`.
   */
  info(message: string): void {
    this.#write("INFO", message);
  }

  /**
   * Appends a WARNING line to `log.txt`.
   *
   * @param message The message; newlines are written as `\n`.
   */
  warning(message: string): void {
    this.#write("WARNING", message);
  }

  /**
   * Appends an ERROR line to `log.txt`.
   *
   * @param message The message; newlines are written as `\n`.
   */
  error(message: string): void {
    this.#write("ERROR", message);
  }

  /**
   * Merges `update` into the params and rewrites `params.json` atomically.
   *
   * @param update Params to add or replace.
   * @throws {InvalidValueError} A value is not a JSON value or a name is reserved.
   */
  params(update: Params): void {
    assertParams(`Cannot update params of run "${this.runId}"`, update);
    Object.assign(this.#params, structuredClone(update));
    this.#writeParams();
  }

  /**
   * Merges `update` into `metadata.json`, rewritten atomically. The keys
   * notata manages (`run_id`, `status`, times, `failure_reason`, `attempts`)
   * cannot be set this way.
   *
   * @param update Metadata to add or replace.
   * @throws {InvalidValueError} A value is not a JSON value or a key is managed.
   */
  meta(update: { [key: string]: JsonValue }): void {
    const action = `Cannot update metadata of run "${this.runId}"`;
    for (const [key, value] of Object.entries(update)) {
      if (MANAGED_METADATA.includes(key)) {
        throw new InvalidValueError(
          `${action}: key "${key}" is managed by notata, expected a key other than ${
            MANAGED_METADATA.map((name) => `"${name}"`).join(", ")
          }`,
        );
      }
      assertJsonValue(key, value, { action, noun: "key", allowNonFinite: true });
    }
    Object.assign(this.#metadata, structuredClone(update));
    this.#writeMetadata();
  }

  /**
   * Writes `data` to `artifacts/<name>.json` (sorted keys, 2-space indent),
   * atomically. `NaN` and `±Infinity` are kept, written as Python writes
   * them. `json("metrics", {...})` holds the values that go into the
   * experiment index: a plain object whose keys are not params or reserved
   * column names.
   *
   * @param name The artifact name; `.json` is added unless present.
   * @param data A JSON value; any object type is accepted and checked at run time.
   * @returns The path of the file written.
   * @throws {InvalidNameError} The name is empty or path-like.
   * @throws {InvalidValueError} The data is not a JSON value.
   */
  json(name: string, data: unknown): string {
    const action = `Cannot write artifact ${JSON.stringify(name)}`;
    assertFileName(action, "name", name);
    const file = withExtension(name, ".json");
    if (file === "metrics.json") this.#assertMetrics(action, data);
    assertJsonValue(name, data, { action, noun: "value", allowNonFinite: true });
    return this.#writeArtifact(file, formatJson(data));
  }

  /**
   * Writes `content` to `artifacts/<name>.txt`, atomically.
   *
   * @param name The artifact name; `.txt` is added unless present.
   * @param content The text.
   * @returns The path of the file written.
   * @throws {InvalidNameError} The name is empty or path-like.
   */
  text(name: string, content: string): string {
    assertFileName(`Cannot write artifact ${JSON.stringify(name)}`, "name", name);
    return this.#writeArtifact(withExtension(name, ".txt"), content);
  }

  /**
   * Writes `data` to `artifacts/<name>` as it is, atomically.
   *
   * @param name The file name, with its extension.
   * @param data The bytes.
   * @returns The path of the file written.
   * @throws {InvalidNameError} The name is empty or path-like.
   */
  bytes(name: string, data: Uint8Array): string {
    assertFileName(`Cannot write artifact ${JSON.stringify(name)}`, "name", name);
    return this.#writeArtifact(name, data);
  }

  /**
   * Returns the path of `relativePath` inside the run directory, creating
   * its parent directories, for files written by other code.
   *
   * @param relativePath A path such as `"artifacts/eval/m.json"`.
   * @returns The path inside the run directory.
   * @throws {InvalidNameError} The path is absolute or leaves the run directory.
   */
  file(relativePath: string): string {
    assertRelativePath(`Cannot make a path in run "${this.runId}"`, relativePath);
    const path = join(this.path, relativePath);
    ensureParentDir(path);
    return path;
  }

  /** Marks the run complete: writes metadata, closes the log, calls `onFinish`. */
  markComplete(): void {
    this.#finish("complete", undefined);
  }

  /**
   * Marks the run failed with `reason`; for an `Error`, its message is the
   * reason and its stack goes to `artifacts/traceback.txt`.
   *
   * @param reason Why the run failed.
   */
  markFailed(reason: Error | string): void {
    if (reason instanceof Error) {
      this.#writeArtifact("traceback.txt", `${reason.stack ?? String(reason)}\n`);
    }
    this.#finish("failed", reason instanceof Error ? reason.message : String(reason));
  }

  /** Leaving a `using` block marks a still-running run complete. */
  [Symbol.dispose](): void {
    if (this.status !== "initialized") return;
    this.markComplete();
    rememberDisposedRun(this, this.#created, this[Symbol.dispose]);
  }

  /** Leaving an `await using` block marks a still-running run complete. */
  [Symbol.asyncDispose](): Promise<void> {
    if (this.status === "initialized") {
      this.markComplete();
      rememberDisposedRun(this, this.#created, this[Symbol.asyncDispose]);
    }
    return Promise.resolve();
  }

  #assertMetrics(action: string, data: unknown): void {
    if (data === null || typeof data !== "object" || Array.isArray(data)) {
      throw new InvalidValueError(
        `${action}: metrics is ${JSON.stringify(data)}, expected a plain object of values`,
      );
    }
    for (const key of Object.keys(data)) {
      const isParam = Object.hasOwn(this.#params, key);
      if (isParam || RESERVED_COLUMNS.includes(key)) {
        throw new InvalidValueError(
          `${action}: metric "${key}" is ${
            isParam ? "also a param" : "a reserved index column"
          }, expected a metric name distinct from params and from ${
            RESERVED_COLUMNS.map((name) => `"${name}"`).join(", ")
          }`,
        );
      }
    }
  }

  #finish(status: RunStatus, reason: string | undefined): void {
    // Microseconds: the clock's finer digits are noise.
    const runtime = Math.round((performance.now() - this.#startedAt) * 1000) / 1e6;
    if (reason === undefined) this.info(`Run complete in ${runtime.toFixed(3)} s`);
    else this.error(`Run failed: ${reason}`);
    this.#log?.close();
    this.#log = undefined;
    this.#metadata.status = status;
    this.#metadata.end_time = new Date().toISOString();
    this.#metadata.runtime_sec = runtime;
    if (reason === undefined) delete this.#metadata.failure_reason;
    else this.#metadata.failure_reason = reason;
    this.#writeMetadata();
    this.#onFinish?.(this);
  }

  #write(level: Level, message: string): void {
    const text = String(message).replaceAll("\r", "\\r").replaceAll("\n", "\\n");
    const line = `[${new Date().toISOString()}] ${level} ${text}\n`;
    const path = join(this.path, "log.txt");
    if (this.status !== "initialized") {
      // After the run finished, lines go straight to disk: no handle stays open.
      appendText(path, line);
      return;
    }
    this.#log ??= Deno.openSync(path, { append: true, create: true });
    writeAll(this.#log, encoder.encode(line));
  }

  #writeArtifact(name: string, data: string | Uint8Array): string {
    const dir = join(this.path, "artifacts");
    ensureDir(dir);
    const path = join(dir, name);
    writeFileAtomic(path, data);
    return path;
  }

  #writeParams(): void {
    writeFileAtomic(join(this.path, "params.json"), formatJson(this.#params));
  }

  #writeMetadata(): void {
    writeFileAtomic(join(this.path, "metadata.json"), formatJson(this.#metadata));
  }
}
