// Copyright 2026 the notata authors. MIT license.
/**
 * {@linkcode Logbook}: the record of one run, in one directory. The class is
 * a facade: each concern lives in its own module under `_run/`.
 *
 * @module
 */

import { join } from "@std/path";
import type { DataFrame } from "nodejs-polars";
import { BufferedAppender } from "./_appender.ts";
import { appendText, writeFileAtomic } from "./_files.ts";
import { formatJson } from "./_json.ts";
import { assertFileName } from "./_names.ts";
import { assertParams } from "./_params.ts";
import {
  runFilePath,
  writeArray,
  writeArrays,
  writeArtifact,
  writeBytesArtifact,
  writeFrame,
  writeJsonArtifact,
  writeTextArtifact,
} from "./_run/artifacts.ts";
import { existingOpening, type Opening, openRunDirectory } from "./_run/directory.ts";
import { assertMetadataUpdate } from "./_run/metadata.ts";
import { type CommitHook, finishRun } from "./_run/finish.ts";
import { formatLogLine, type Level } from "./_run/log.ts";
import { savePlotImage, savePlotSpec } from "./_run/plots.ts";
import { ScalarSeries } from "./_run/scalars.ts";
import {
  type CapturedStack,
  captureStack,
  forgetDisposedRuns,
  rememberDisposedRun,
} from "./_uncaught.ts";
import { finishRun as releaseRun, guarded, watchRun } from "./_watchdog.ts";
import { InvalidValueError } from "./errors.ts";
import type { ArrayData, NamedArrays } from "./npy.ts";
import type { FrameColumns, JsonValue, Params, RunStatus } from "./types.ts";

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
  /**
   * Directory that holds the run directory `log_<runId>`.
   *
   * @default {"outputs"}
   */
  baseDir?: string;
  /**
   * The run's parameters, written to `params.json`.
   *
   * @default {{}}
   */
  params?: Params;
  /**
   * Delete an existing run directory of the same id and start afresh.
   *
   * @default {false}
   */
  overwrite?: boolean;
  /**
   * Reopen an existing run directory that is not complete (failed, or never
   * finished). Its log is kept and the earlier attempt is recorded under
   * `attempts` in `metadata.json`. A complete run cannot be resumed.
   *
   * @default {false}
   */
  resume?: boolean;
  /**
   * Create `data/`, `plots/` and `artifacts/` up front.
   *
   * @default {false}
   */
  preallocate?: boolean;
  /** Called after the run is marked complete or failed. */
  onFinish?: (log: Logbook) => void;
}

/**
 * A Vega-Lite specification, as a plain object (for example
 * `{ mark: "line", data: { values }, encoding: {...} }`).
 *
 * @example Usage
 * ```ts
 * import type { VegaLiteSpec } from "@notata/core";
 *
 * const spec: VegaLiteSpec = { mark: "point", data: { values: [{ t: 0, e: 1 }] } };
 * ```
 */
export type VegaLiteSpec = { readonly [key: string]: unknown };

/**
 * Options of {@linkcode Logbook.plot} for a Vega-Lite spec.
 *
 * @example Usage
 * ```ts
 * import type { PlotOptions } from "@notata/core";
 *
 * const options: PlotOptions = { formats: ["svg"] };
 * ```
 */
export interface PlotOptions {
  /**
   * `"svg"` renders the plot (headless, with the `vega` and `vega-lite`
   * packages, loaded on first use); `"json"` saves the spec itself.
   *
   * @default {["svg", "json"]}
   */
  formats?: readonly ("svg" | "json")[];
}

/**
 * A run an {@linkcode Experiment} opens: params checked and run id computed
 * by the experiment, and its commit hook, which writes the final metadata
 * and the index row together.
 */
export interface ExperimentRun {
  runId: string;
  path: string;
  params: Params;
  opening: Opening;
  commit: CommitHook;
  experimentDir: string;
  hasRow: boolean;
}

// The run `openExperimentRun` hands the constructor, which it alone calls.
let handed: { run: ExperimentRun; metadata: { [key: string]: JsonValue } } | undefined;

/**
 * Opens a run of an experiment as a Logbook; `undefined` when `run.opening`
 * is `"create"` and the run directory exists. For {@linkcode Experiment}
 * only: nothing is checked again.
 */
export function openExperimentRun(run: ExperimentRun): Logbook | undefined {
  return guarded(() => {
    const metadata = openRunDirectory("Cannot add run", {
      runId: run.runId,
      path: run.path,
      stagingDir: run.experimentDir,
      params: formatJson(run.params),
      // A sweep's runs nearly all write metrics: creating artifacts/ now is
      // cheaper than finding it missing at the first write.
      subdirs: ["artifacts"],
    }, run.opening);
    if (metadata === undefined) return undefined;
    handed = { run, metadata };
    try {
      return new Logbook(run.runId);
    } finally {
      handed = undefined;
    }
  });
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
 * Every method is synchronous, so it works in plain scripts without `await`,
 * except those that load a package on first use and return a promise:
 * {@linkcode Logbook.prototype.frame} and {@linkcode Logbook.prototype.plot}
 * with a Vega-Lite spec.
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
  #startedAt = performance.now();
  #created: CapturedStack = captureStack();
  #log: BufferedAppender;
  #scalars: ScalarSeries | undefined;
  #onFinish: ((log: Logbook) => void) | undefined;
  #commit: CommitHook | undefined;
  // What `json("metrics", ...)` wrote, so that finishing need not read it back.
  #metrics: { [key: string]: JsonValue } | undefined;

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
    const given = handed;
    handed = undefined;
    let open: () => { [key: string]: JsonValue };
    let watched: { experimentDir?: string; hasRow: boolean } = { hasRow: false };
    if (given !== undefined) {
      const { run } = given;
      this.runId = run.runId;
      this.path = run.path;
      this.#params = run.params;
      this.#commit = run.commit;
      watched = { experimentDir: run.experimentDir, hasRow: run.hasRow };
      open = () => given.metadata;
    } else {
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
      const run = {
        runId,
        path: this.path,
        stagingDir: baseDir,
        params: formatJson(this.#params),
        subdirs: options.preallocate ? ["data", "plots", "artifacts"] : [],
      };
      open = () =>
        openRunDirectory(action, run, "create") ??
          openRunDirectory(action, run, existingOpening(action, this.path, overwrite, resume))!;
    }
    this.#onFinish = options.onFinish;
    this.#log = new BufferedAppender(join(this.path, "log.txt"));
    // Opening the directory and telling the watchdog happen as one step: a
    // signal never finds a run on disk that the watchdog does not know.
    try {
      this.#metadata = guarded(() => {
        const metadata = open();
        watchRun({ path: this.path, runId: this.runId, ...watched }, this.#log.memory);
        return metadata;
      });
    } catch (error) {
      this.#log.close();
      throw error;
    }
    const previous = (this.#metadata.attempts as { [key: string]: JsonValue }[] | undefined)?.at(
      -1,
    );
    if (previous !== undefined) {
      const reason = previous.failure_reason ? `: ${previous.failure_reason}` : "";
      this.warning(`Run resumed; previous attempt ended ${previous.status}${reason}`);
    } else {
      this.info("Run started");
    }
    forgetDisposedRuns();
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
    const merged = { ...this.#params, ...update };
    // The merged params are checked: new keys may clash with old ones once
    // nested keys are joined into index columns.
    assertParams(`Cannot update params of run "${this.runId}"`, merged);
    this.#params = structuredClone(merged);
    writeFileAtomic(join(this.path, "params.json"), formatJson(this.#params), { durable: true });
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
    assertMetadataUpdate(`Cannot update metadata of run "${this.runId}"`, update);
    Object.assign(this.#metadata, structuredClone(update));
    writeFileAtomic(join(this.path, "metadata.json"), formatJson(this.#metadata));
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
    const written = writeJsonArtifact(this.path, this.#params, name, data);
    if (written.metrics !== undefined) this.#metrics = written.metrics;
    return written.path;
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
    return writeTextArtifact(this.path, name, content);
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
    const path = writeBytesArtifact(this.path, name, data);
    if (name === "metrics.json") this.#metrics = undefined;
    return path;
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
    const path = runFilePath(this.path, this.runId, relativePath);
    // Whatever is written there now, the index must read it from the file.
    this.#metrics = undefined;
    return path;
  }

  /**
   * Writes `data` to `data/<name>.npy` in NumPy's format, atomically; the
   * typed array's dtype is kept (plain numbers are stored as float64,
   * strings as NumPy unicode, `<U<n>`).
   *
   * @example A 2-D field
   * ```ts
   * import { Logbook } from "@notata/core";
   * import { assertEquals } from "@std/assert";
   *
   * const baseDir = Deno.makeTempDirSync();
   * using log = new Logbook("field", { baseDir });
   * const path = log.array("field", new Float64Array(6), { shape: [2, 3] });
   * assertEquals(path.endsWith("data/field.npy"), true);
   * log.markComplete();
   * Deno.removeSync(baseDir, { recursive: true });
   * ```
   *
   * @example Strings, which NumPy reads as a `<U6` array
   * ```ts
   * import { Logbook } from "@notata/core";
   * import { readNpyFile } from "@notata/core/npy";
   * import { assertEquals } from "@std/assert";
   *
   * const baseDir = Deno.makeTempDirSync();
   * using log = new Logbook("labels", { baseDir });
   * const path = log.array("methods", ["euler", "verlet"]);
   * assertEquals(readNpyFile(path).data, ["euler", "verlet"]);
   * log.markComplete();
   * Deno.removeSync(baseDir, { recursive: true });
   * ```
   *
   * @param name The array name; `.npy` is added unless present.
   * @param data The values, flat, in C (row-major) order.
   * @param options `shape`: the array's shape; default `[data.length]`.
   * @returns The path of the file written.
   * @throws {InvalidNameError} The name is empty or path-like.
   * @throws {InvalidValueError} The shape does not hold the data, the data is neither numbers
   * nor strings, or a string holds a lone surrogate.
   */
  array(name: string, data: ArrayData, options: { shape?: readonly number[] } = {}): string {
    const { file, path } = writeArray(this.path, name, data, options.shape);
    this.info(`Saved array ${name} in data/${file}`);
    return path;
  }

  /**
   * Writes several arrays to `data/<name>.npz`, the layout of NumPy's
   * `savez` (stored) or, with `compressed: true`, `savez_compressed`
   * (deflated). Each member is `<key>.npy`.
   *
   * @example Usage
   * ```ts
   * import { Logbook } from "@notata/core";
   * import { assertEquals } from "@std/assert";
   *
   * const baseDir = Deno.makeTempDirSync();
   * using log = new Logbook("trajectory", { baseDir });
   * const path = log.arrays("trajectory", { x: [0, 1, 2], v: new Float32Array(3) }, {
   *   compressed: true,
   * });
   * assertEquals(path.endsWith("data/trajectory.npz"), true);
   * log.markComplete();
   * Deno.removeSync(baseDir, { recursive: true });
   * ```
   *
   * @param name The archive name; `.npz` is added unless present.
   * @param arrays The members: arrays, or `{ data, shape }` for n-dimensional ones.
   * @param options `compressed`: deflate the members; default `false`.
   * @returns The path of the file written.
   * @throws {InvalidNameError} The name or a key is empty or path-like.
   * @throws {InvalidValueError} A member's shape does not hold its data, or its data is neither
   * numbers nor strings (without lone surrogates).
   */
  arrays(name: string, arrays: NamedArrays, options: { compressed?: boolean } = {}): string {
    const { file, path } = writeArrays(this.path, name, arrays, options.compressed ?? false);
    this.info(`Saved arrays ${name} in data/${file}`);
    return path;
  }

  /**
   * Writes a table to `data/<name>.parquet`, atomically: named columns of
   * equal length (typed arrays keep their dtype, plain numbers are float64,
   * strings and booleans as they are), or a nodejs-polars DataFrame. Polars
   * is loaded on first use, so this needs `--allow-env --allow-ffi --allow-sys`.
   *
   * @example Usage
   * ```ts ignore
   * import { Logbook } from "@notata/core";
   *
   * using log = new Logbook("samples");
   * await log.frame("samples", { t: new Float64Array([0, 0.1]), x: [1, 0.99] });
   * ```
   *
   * @param name The table name; `.parquet` is added unless present.
   * @param table Columns by name, or a DataFrame.
   * @returns The path of the file written.
   * @throws {InvalidNameError} The name is empty or path-like.
   * @throws {InvalidValueError} Columns differ in length or hold unsupported values.
   */
  async frame(name: string, table: FrameColumns | DataFrame): Promise<string> {
    const { file, path } = await writeFrame(this.path, name, table);
    this.info(`Saved frame ${name} in data/${file}`);
    return path;
  }

  /**
   * Saves a plot under `plots/`: an SVG document as `<name>.svg`, PNG bytes
   * (checked by their signature) as `<name>.png`.
   *
   * @example Usage
   * ```ts
   * import { Logbook } from "@notata/core";
   * import { assertEquals } from "@std/assert";
   *
   * const baseDir = Deno.makeTempDirSync();
   * using log = new Logbook("plots", { baseDir });
   * const path = log.plot("dot", '<svg xmlns="http://www.w3.org/2000/svg"><circle r="1"/></svg>');
   * assertEquals(path.endsWith("plots/dot.svg"), true);
   * log.markComplete();
   * Deno.removeSync(baseDir, { recursive: true });
   * ```
   *
   * @param name The plot name, without extension.
   * @param image An SVG document or PNG bytes.
   * @returns The path of the file written.
   * @throws {InvalidNameError} The name is empty or path-like.
   * @throws {InvalidValueError} The image is neither an SVG document nor a PNG.
   */
  plot(name: string, image: string | Uint8Array): string;
  /**
   * Saves a Vega-Lite plot under `plots/`: the spec as `<name>.json` and the
   * plot rendered headless as `<name>.svg` (by default both).
   *
   * @example Usage
   * ```ts ignore
   * import { Logbook } from "@notata/core";
   *
   * using log = new Logbook("energy");
   * await log.plot("energy", {
   *   mark: "line",
   *   data: { values: [{ t: 0, e: 1 }, { t: 1, e: 0.9 }] },
   *   encoding: { x: { field: "t", type: "quantitative" }, y: { field: "e", type: "quantitative" } },
   * }, { formats: ["svg", "json"] });
   * ```
   *
   * @param name The plot name, without extension.
   * @param spec A Vega-Lite spec with inline data.
   * @param options Which files to write.
   * @returns The paths of the files written.
   * @throws {InvalidNameError} The name is empty or path-like.
   * @throws {InvalidValueError} The spec is not valid Vega-Lite, or a format is unknown.
   */
  plot(name: string, spec: VegaLiteSpec, options?: PlotOptions): Promise<string[]>;
  plot(
    name: string,
    image: string | Uint8Array | VegaLiteSpec,
    options: PlotOptions = {},
  ): string | Promise<string[]> {
    if (typeof image === "string" || image instanceof Uint8Array) {
      const { file, path } = savePlotImage(this.path, name, image);
      this.info(`Saved plot ${name} in plots/${file}`);
      return path;
    }
    return savePlotSpec(this.path, name, image, options.formats ?? ["svg", "json"]).then(
      ({ formats, paths }) => {
        this.info(`Saved plot ${name} (${formats.join("/")}) in plots/`);
        return paths;
      },
    );
  }

  /**
   * Appends `value` to the series `name` in `data/scalars.csv`, long format
   * `step,name,value,time` (`time` is seconds since the run started). Cheap
   * enough for every step of a simulation: rows are buffered and written at
   * least once a second and when the run ends.
   *
   * @example Usage
   * ```ts
   * import { Logbook } from "@notata/core";
   * import { assertEquals } from "@std/assert";
   *
   * const baseDir = Deno.makeTempDirSync();
   * {
   *   using log = new Logbook("series", { baseDir });
   *   for (let step = 0; step < 3; step++) log.scalar("energy", 1 - step / 10);
   * }
   * const rows = Deno.readTextFileSync(`${baseDir}/log_series/data/scalars.csv`).trim().split("\n");
   * assertEquals(rows.length, 4);
   * assertEquals(rows[3].split(",").slice(0, 3), ["2", "energy", "0.8"]);
   * Deno.removeSync(baseDir, { recursive: true });
   * ```
   *
   * @param name The series name (any non-empty text).
   * @param value The value; `NaN` and `±Infinity` are kept.
   * @param options `step`: a non-negative integer; default one more than the
   * series' last step, starting at 0.
   * @throws {InvalidValueError} The name is empty, the value not a number or the step invalid.
   */
  scalar(name: string, value: number, options: { step?: number } = {}): void {
    this.#scalars ??= new ScalarSeries(this.path, this.#startedAt, this.status !== "initialized");
    this.#scalars.write(name, value, options.step);
  }

  /**
   * Writes the buffered lines of `log.txt` and `data/scalars.csv` to disk
   * now. Lines are otherwise written at least once a second and when the
   * run ends; call this before another program reads the files mid-run.
   */
  flush(): void {
    this.#log.flush();
    this.#scalars?.flush();
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
      writeArtifact(this.path, "traceback.txt", `${reason.stack ?? String(reason)}\n`);
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

  #finish(status: "complete" | "failed", reason: string | undefined): void {
    // Microseconds: the clock's finer digits are noise.
    const runtimeSec = Math.round((performance.now() - this.#startedAt) * 1000) / 1e6;
    const problem = guarded(() => {
      // A finish that throws (its lock stayed taken: the run's final metadata
      // is written, its row left pending) still lets go of the run.
      try {
        return finishRun(
          {
            path: this.path,
            runId: this.runId,
            params: this.#params,
            metadata: this.#metadata,
            metrics: this.#metrics,
          },
          { status, reason, runtimeSec },
          (line) => {
            this.#append(line);
            this.#log.close();
            this.#scalars?.close();
          },
          this.#commit,
        );
      } finally {
        releaseRun(this.#log.memory);
      }
    });
    if (problem !== undefined) this.warning(`Index row has no metrics: ${problem}`);
    this.#onFinish?.(this);
  }

  #write(level: Level, message: string): void {
    this.#append(formatLogLine(level, message));
  }

  #append(line: string): void {
    if (this.#log.isOpen) this.#log.write(line);
    // After the run finished, lines go straight to disk: no handle stays open.
    else appendText(join(this.path, "log.txt"), line);
  }
}
