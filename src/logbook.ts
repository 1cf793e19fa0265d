// Copyright 2026 the notata authors. MIT license.
/**
 * {@linkcode Logbook}: the record of one run, in one directory.
 *
 * @module
 */

import { join } from "@std/path";
import { assertJsonValue, formatJson, parseJson } from "./_json.ts";
import { assertFileName, assertRelativePath, CONTROL } from "./_names.ts";
import type { DataFrame } from "nodejs-polars";
import { BufferedAppender } from "./_appender.ts";
import { formatCsvNumber, quoteCsvField } from "./_csv.ts";
import {
  appendText,
  claimDirectory,
  ensureDir,
  ensureParentDir,
  exists,
  readTextIfExists,
  writeFileAtomic,
} from "./_files.ts";
import { assertFrameColumns, isDataFrame, toParquet } from "./_frame.ts";
import { encodeNpz } from "./_npz.ts";
import { assertSpecFormats, imageExtension } from "./_plot.ts";
import { isVegaLiteSpec, renderVegaLiteSvg } from "./_vega.ts";
import { hostname, runState } from "./_liveness.ts";
import { withFileLock } from "./_lock.ts";
import {
  type ExperimentLink,
  experimentLink,
  experimentLockPath,
  recordRun,
} from "./_run_index.ts";
import { finishRun, guarded, watchAppender, watchRun } from "./_watchdog.ts";
import { type NamedArrays, type NumericArray, writeNpyFile } from "./npy.ts";
import {
  type CapturedStack,
  captureStack,
  forgetDisposedRuns,
  rememberDisposedRun,
} from "./_uncaught.ts";
import { InvalidValueError, RunExistsError } from "./errors.ts";
import { RESERVED_COLUMNS } from "./index_csv.ts";
import { assertDistinctColumns, assertParams } from "./_params.ts";
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

/**
 * A Vega-Lite specification, as a plain object (for example
 * `{ mark: "line", data: { values }, encoding: {...} }`).
 *
 * @example Usage
 * ```ts
 * import type { VegaLiteSpec } from "@notata/core";
 *
 * const spec: VegaLiteSpec = {
 *   mark: "line",
 *   data: { values: [{ t: 0, e: 1 }, { t: 1, e: 0.9 }] },
 *   encoding: { x: { field: "t", type: "quantitative" }, y: { field: "e", type: "quantitative" } },
 * };
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
   * Default `["svg", "json"]`.
   */
  formats?: readonly ("svg" | "json")[];
}

const SCALARS_HEADER = "step,name,value,time\n";

/** The `metadata.json` keys notata manages; `meta()` may not set them. */
const MANAGED_METADATA = [
  "run_id",
  "status",
  "pid",
  "hostname",
  "start_time",
  "end_time",
  "runtime_sec",
  "failure_reason",
  "attempts",
];

function withExtension(name: string, extension: string): string {
  return name.endsWith(extension) ? name : name + extension;
}

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

// Checks a data file's name and returns it with its extension.
function dataFileName(action: string, name: string, extension: string): string {
  assertFileName(action, "name", name);
  return withExtension(name, extension);
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
  #metadata: { [key: string]: JsonValue } = {};
  #startedAt: number;
  // Open from the start of the run to its end.
  #log: BufferedAppender | undefined;
  #scalars: BufferedAppender | undefined;
  #nextStep = new Map<string, number>();
  #scalarNames = new Map<string, string>();
  #onFinish: ((log: Logbook) => void) | undefined;
  #created: CapturedStack;
  #experiment: ExperimentLink | undefined;
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
    this.#experiment = (options as { [experimentLink]?: ExperimentLink })[experimentLink];
    this.#startedAt = performance.now();
    this.#created = captureStack();
    guarded(() => {
      const attempts = this.#prepareDirectory(action, overwrite, resume);
      this.#metadata = {
        run_id: runId,
        status: "initialized",
        start_time: new Date().toISOString(),
        end_time: null,
        runtime_sec: null,
        pid: Deno.pid,
        hostname: hostname(),
      };
      if (attempts.length > 0) this.#metadata.attempts = attempts;
      if (options.preallocate) {
        for (const sub of ["data", "plots", "artifacts"]) ensureDir(join(this.path, sub));
      } else if (this.#experiment !== undefined) {
        // A sweep's runs nearly all write metrics: creating artifacts/ now
        // is cheaper than finding it missing at the first write.
        ensureDir(join(this.path, "artifacts"));
      }
      this.#writeParams();
      this.#writeMetadata();
      this.#log = new BufferedAppender(join(this.path, "log.txt"));
      watchRun({
        path: this.path,
        runId,
        experimentDir: this.#experiment?.dir,
        hasRow: this.#experiment?.hasRow ?? false,
      }, this.#log.memory);
      const previous = attempts.at(-1);
      if (previous !== undefined) {
        const reason = previous.failure_reason ? `: ${previous.failure_reason}` : "";
        this.warning(`Run resumed; previous attempt ended ${previous.status}${reason}`);
      } else {
        this.info("Run started");
      }
    });
    forgetDisposedRuns();
  }

  // Returns the earlier attempts to record when resuming.
  #prepareDirectory(
    action: string,
    overwrite: boolean,
    resume: boolean,
  ): { [key: string]: JsonValue }[] {
    if (this.#experiment?.claimed || claimDirectory(this.path)) return [];
    if (overwrite) {
      Deno.removeSync(this.path, { recursive: true });
      Deno.mkdirSync(this.path);
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
      status: old.status === undefined ? "unknown" : runState(this.path, old),
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
    const merged = { ...this.#params, ...update };
    // The merged params are checked: new keys may clash with old ones once
    // nested keys are joined into index columns.
    assertParams(`Cannot update params of run "${this.runId}"`, merged);
    this.#params = structuredClone(merged);
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
    const text = formatJson(data);
    const path = this.#writeArtifact(file, text);
    // Kept as the file reads back (keys sorted), so the index gets the same.
    if (file === "metrics.json") this.#metrics = parseJson(text) as { [key: string]: JsonValue };
    return path;
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
    if (name === "metrics.json") this.#metrics = undefined;
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
    // Whatever is written there now, the index must read it from the file.
    this.#metrics = undefined;
    const path = join(this.path, relativePath);
    ensureParentDir(path);
    return path;
  }

  /**
   * Writes `data` to `data/<name>.npy` in NumPy's format, atomically; the
   * typed array's dtype is kept (plain numbers are stored as float64).
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
   * @param name The array name; `.npy` is added unless present.
   * @param data The values, flat, in C (row-major) order.
   * @param options `shape`: the array's shape; default `[data.length]`.
   * @returns The path of the file written.
   * @throws {InvalidNameError} The name is empty or path-like.
   * @throws {InvalidValueError} The shape does not hold the data, or the data is not numeric.
   */
  array(name: string, data: NumericArray, options: { shape?: readonly number[] } = {}): string {
    const file = dataFileName(`Cannot write array ${JSON.stringify(name)}`, name, ".npy");
    const path = this.#writeInto("data", file, (path) => {
      writeNpyFile(path, data, options.shape, `array ${JSON.stringify(name)}`);
    });
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
   * @param options `compressed`: deflate the members. Default `false`.
   * @returns The path of the file written.
   * @throws {InvalidNameError} The name or a key is empty or path-like.
   * @throws {InvalidValueError} A member's shape does not hold its data, or its data is not numeric.
   */
  arrays(name: string, arrays: NamedArrays, options: { compressed?: boolean } = {}): string {
    const action = `Cannot write arrays ${JSON.stringify(name)}`;
    const file = dataFileName(action, name, ".npz");
    const archive = encodeNpz(arrays, options.compressed ?? false, action);
    const path = this.#writeInto("data", file, (path) => writeFileAtomic(path, archive));
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
    const action = `Cannot write frame ${JSON.stringify(name)}`;
    if (!isDataFrame(table)) assertFrameColumns(action, table);
    const file = dataFileName(action, name, ".parquet");
    const parquet = await toParquet(table);
    const path = this.#writeInto("data", file, (path) => writeFileAtomic(path, parquet));
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
    const action = `Cannot save plot ${JSON.stringify(name)}`;
    if (typeof image === "string" || image instanceof Uint8Array) {
      assertFileName(action, "name", name);
      const file = `${name}.${imageExtension(action, image)}`;
      const path = this.#writeInto("plots", file, (path) => writeFileAtomic(path, image));
      this.info(`Saved plot ${name} in plots/${file}`);
      return path;
    }
    return this.#plotSpec(action, name, image, options);
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
    let field = this.#scalarNames.get(name);
    if (field === undefined) {
      if (typeof name !== "string" || name === "" || CONTROL.test(name)) {
        throw new InvalidValueError(
          `Cannot log scalar ${
            JSON.stringify(name)
          }: the name is empty or not text or holds control characters, expected a non-empty name`,
        );
      }
      field = quoteCsvField(name);
      this.#scalarNames.set(name, field);
    }
    if (typeof value !== "number") {
      throw new InvalidValueError(
        `Cannot log scalar "${name}": value ${describeValue(value)} is ${
          value === null || value === undefined
            ? String(value)
            : typeof value === "object"
            ? "an object"
            : `a ${typeof value}`
        }, expected a number`,
      );
    }
    const step = options.step ?? this.#nextStep.get(name) ?? 0;
    if (!Number.isSafeInteger(step) || step < 0) {
      throw new InvalidValueError(
        `Cannot log scalar "${name}": step ${step} is not valid, expected a non-negative integer`,
      );
    }
    this.#nextStep.set(name, step + 1);
    const time = ((performance.now() - this.#startedAt) / 1000).toFixed(6);
    const row = `${step},${field},${formatCsvNumber(value)},${time}\n`;
    if (this.#scalars?.isOpen) {
      this.#scalars.write(row);
    } else {
      this.#writeInto("data", "scalars.csv", (path) => {
        if (this.status === "initialized") {
          this.#scalars = new BufferedAppender(path, SCALARS_HEADER);
          watchAppender(path, this.#scalars.memory);
          this.#scalars.write(row);
        } else {
          appendText(path, exists(path) ? row : SCALARS_HEADER + row);
        }
      });
    }
  }

  /**
   * Writes the buffered lines of `log.txt` and `data/scalars.csv` to disk
   * now. Lines are otherwise written at least once a second and when the
   * run ends; call this before another program reads the files mid-run.
   */
  flush(): void {
    this.#log?.flush();
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
    for (const [key, value] of Object.entries(data)) {
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
      // Before flattening, which a circular value would never finish.
      assertJsonValue(key, value, { action, noun: "metric", allowNonFinite: true });
    }
    assertDistinctColumns(action, {
      params: this.#params,
      metrics: data as { [key: string]: JsonValue },
    });
  }

  #finish(status: RunStatus, reason: string | undefined): void {
    // Microseconds: the clock's finer digits are noise.
    const runtime = Math.round((performance.now() - this.#startedAt) * 1000) / 1e6;
    if (reason === undefined) this.info(`Run complete in ${runtime.toFixed(3)} s`);
    else this.error(`Run failed: ${reason}`);
    this.#log?.close();
    this.#scalars?.close();
    let problem: string | undefined;
    guarded(() => {
      this.#metadata.status = status;
      this.#metadata.end_time = new Date().toISOString();
      this.#metadata.runtime_sec = runtime;
      if (reason === undefined) delete this.#metadata.failure_reason;
      else this.#metadata.failure_reason = reason;
      const experiment = this.#experiment;
      if (experiment === undefined) {
        this.#writeMetadata();
      } else {
        // The final metadata and the index row change together, under the
        // experiment's lock: see _run_index.ts.
        withFileLock(experimentLockPath(experiment.dir), () => {
          this.#writeMetadata();
          problem = recordRun(experiment.dir, this.path, {
            runId: this.runId,
            status,
            params: this.#params,
            metadata: this.#metadata,
            metrics: this.#metrics,
          }, experiment.hasRow);
        });
        experiment.hasRow = true;
      }
      if (this.#log !== undefined) finishRun(this.#log.memory);
    });
    if (problem !== undefined) this.warning(`Index row has no metrics: ${problem}`);
    this.#onFinish?.(this);
  }

  #write(level: Level, message: string): void {
    const text = String(message).replaceAll("\r", "\\r").replaceAll("\n", "\\n");
    const line = `[${new Date().toISOString()}] ${level} ${text}\n`;
    if (this.#log?.isOpen) {
      this.#log.write(line);
    } else {
      // After the run finished, lines go straight to disk: no handle stays open.
      appendText(join(this.path, "log.txt"), line);
    }
  }

  // Runs `write` on `<sub>/<file>` in the run directory, creating `sub` on
  // first use. `write` checks its data before it touches the disk, so bad
  // input leaves no directory behind, and a directory that exists costs no
  // extra system call.
  #writeInto(sub: string, file: string, write: (path: string) => void): string {
    const path = join(this.path, sub, file);
    try {
      write(path);
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
      ensureDir(join(this.path, sub));
      write(path);
    }
    return path;
  }

  // Async all through, so every problem rejects the promise.
  async #plotSpec(
    action: string,
    name: string,
    spec: VegaLiteSpec,
    options: PlotOptions,
  ): Promise<string[]> {
    assertFileName(action, "name", name);
    if (!isVegaLiteSpec(spec)) {
      throw new InvalidValueError(
        `${action}: the object is not a Vega-Lite spec, expected an SVG document, PNG bytes or an object with "mark", "layer" or a view composition and its "data" or "encoding"`,
      );
    }
    const formats = assertSpecFormats(action, options.formats ?? ["svg", "json"]);
    assertJsonValue(name, spec, { action, noun: "spec", allowNonFinite: false });
    // Rendered even when only the spec is saved: rendering is what checks it,
    // and an invalid spec then leaves no file at all.
    const svg = await renderVegaLiteSvg(spec, name);
    const paths = formats.map((format) =>
      this.#writeInto("plots", `${name}.${format}`, (path) => {
        writeFileAtomic(path, format === "svg" ? svg : formatJson(spec));
      })
    );
    this.info(`Saved plot ${name} (${formats.join("/")}) in plots/`);
    return paths;
  }

  #writeArtifact(name: string, data: string | Uint8Array): string {
    return this.#writeInto("artifacts", name, (path) => writeFileAtomic(path, data));
  }

  #writeParams(): void {
    writeFileAtomic(join(this.path, "params.json"), formatJson(this.#params));
  }

  #writeMetadata(): void {
    writeFileAtomic(join(this.path, "metadata.json"), formatJson(this.#metadata));
  }
}
