// Copyright 2026 the notata authors. MIT license.
/**
 * {@linkcode LogReader}: read one run directory, as the Python notata's
 * `LogReader` reads it.
 *
 * @module
 */

import type { DataFrame } from "nodejs-polars";
import { basename, join } from "@std/path";
import { exists, isTemporaryFile, readTextIfExists } from "./_files.ts";
import { parseJson, readJsonObject } from "./_json.ts";
import { readParamsFile } from "./_params_file.ts";
import { runState } from "./_liveness.ts";
import { assertRelativePath, quoteNames } from "./_names.ts";
import { NpzArchive } from "./_npz.ts";
import { loadPolars } from "./_polars.ts";
import { FileFormatError, MissingEntryError } from "./errors.ts";
import { type NdArray, readNpyFile } from "./npy.ts";
import type { JsonValue, Params, RunState } from "./types.ts";

/** What a run directory holds, for messages about paths that are not one. */
const RUN_LAYOUT =
  "a run directory holding metadata.json, params.json or params.yaml, log.txt, data/, plots/ and artifacts/";

/** How many names an error message lists before it says how many more there are. */
const LISTED_NAMES = 10;

/** The columns of `data/scalars.csv`, in file order, as `Logbook.scalar` writes them. */
const SCALAR_COLUMNS = ["step", "name", "value", "time"] as const;

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The end of a message about a missing entry; `kind` is plural: "arrays". */
function expectedOneOf(kind: string, names: string[]): string {
  return names.length === 0
    ? `and the run has no ${kind}`
    : `expected one of the run's ${kind}: ${quoteNames(names, LISTED_NAMES)}`;
}

function isFile(path: string, entry: Deno.DirEntry): boolean {
  if (entry.isFile) return true;
  if (!entry.isSymlink) return false;
  try {
    return Deno.statSync(path).isFile;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false; // a dangling link
    throw error;
  }
}

/**
 * The files under `dir` as sorted `/`-separated paths relative to it, or
 * only its direct files when `recursive` is false. A missing `dir` has none.
 */
function listFiles(dir: string, recursive: boolean): string[] {
  const files: string[] = [];
  const walk = (path: string, prefix: string): void => {
    let entries: Deno.DirEntry[];
    try {
      entries = [...Deno.readDirSync(path)];
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return;
      throw error;
    }
    for (const entry of entries) {
      const child = join(path, entry.name);
      const relative = prefix + entry.name;
      if (isFile(child, entry)) {
        if (!isTemporaryFile(entry.name)) files.push(relative);
      } else if (recursive && entry.isDirectory) walk(child, `${relative}/`);
    }
  };
  walk(dir, "");
  return files.sort();
}

function withoutSuffix(name: string, suffix: string): string {
  return name.endsWith(suffix) ? name.slice(0, -suffix.length) : name;
}

function formatParam(value: JsonValue): string {
  return value !== null && typeof value === "object" ? JSON.stringify(value) : String(value);
}

/**
 * Reads one run directory, whether this library, the Python notata or
 * another tool wrote it: its params, metadata, arrays (`.npy` and members of
 * `.npz` bundles in `data/`), artifacts, plots, Parquet tables and scalars.
 *
 * Every property reads the disk when it is accessed, so a reader over a run
 * that is still going sees the files written since. Reading is synchronous,
 * except the DataFrames ({@linkcode LogReader.prototype.loadFrame},
 * {@linkcode LogReader.prototype.loadScalars}), which load nodejs-polars and
 * need `--allow-env --allow-ffi --allow-sys`.
 *
 * `params` come from `params.yaml` when there is one (the Python notata's
 * default), typed as PyYAML's `yaml.safe_load` types them (YAML 1.1: `yes`
 * and `on` are booleans, `1e3` is a string), else from `params.json`.
 * Dates stay strings, where PyYAML makes them `datetime.date`.
 *
 * @example Reading a run
 * ```ts
 * import { LogReader, Logbook } from "@notata/core";
 * import { assertEquals } from "@std/assert";
 *
 * const baseDir = Deno.makeTempDirSync();
 * {
 *   using log = new Logbook("oscillator", { baseDir, params: { omega: 2 } });
 *   log.json("metrics", { final_energy: 0.5 });
 * }
 * const run = new LogReader(`${baseDir}/log_oscillator`);
 * assertEquals(run.runId, "oscillator");
 * assertEquals(run.params, { omega: 2 });
 * assertEquals(run.status, "complete");
 * assertEquals(run.artifacts, ["metrics.json"]);
 * assertEquals(run.loadJson("metrics"), { final_energy: 0.5 });
 * Deno.removeSync(baseDir, { recursive: true });
 * ```
 */
export class LogReader {
  /** The run directory, as given. */
  readonly path: string;

  /**
   * Opens the run directory at `path`; nothing else is read until asked for.
   *
   * @param path A run directory, such as `outputs/sweep/runs/log_<run id>`.
   * @throws {MissingEntryError} `path` does not exist, is not a directory,
   * or has no `metadata.json`.
   */
  constructor(path: string) {
    const action = `Cannot read run ${JSON.stringify(path)}`;
    let stat: Deno.FileInfo;
    try {
      stat = Deno.statSync(path);
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
      throw new MissingEntryError(
        `${action}: the directory does not exist, expected ${RUN_LAYOUT}`,
      );
    }
    if (!stat.isDirectory) {
      throw new MissingEntryError(`${action}: it is not a directory, expected ${RUN_LAYOUT}`);
    }
    if (!exists(join(path, "metadata.json"))) {
      const hint = exists(join(path, "runs"))
        ? "; it looks like an experiment directory, which ExperimentReader reads"
        : "";
      throw new MissingEntryError(
        `${action}: it has no metadata.json, expected ${RUN_LAYOUT}${hint}`,
      );
    }
    this.path = path;
  }

  /** The run id: the directory name without its leading `log_`. */
  get runId(): string {
    const name = basename(this.path);
    return name.startsWith("log_") ? name.slice("log_".length) : name;
  }

  /**
   * The contents of `metadata.json`.
   *
   * @throws {MissingEntryError} `metadata.json` was removed since the reader was made.
   * @throws {FileFormatError} `metadata.json` is not a JSON object.
   */
  get meta(): { [key: string]: JsonValue } {
    const path = join(this.path, "metadata.json");
    const { value, problem } = readJsonObject(path);
    if (problem !== undefined) {
      throw new FileFormatError(`Cannot read metadata of run "${this.runId}": ${problem}`);
    }
    if (value === undefined) {
      throw new MissingEntryError(
        `Cannot read metadata of run "${this.runId}": "${path}" no longer exists, expected ${RUN_LAYOUT}`,
      );
    }
    return value;
  }

  /**
   * The run's status, from `metadata.json`: `"initialized"` while it runs,
   * then `"complete"` or `"failed"`; `"crashed"` when it says
   * `"initialized"` but its process is gone (see {@linkcode RunState});
   * `"unknown"` when the file has no status.
   */
  get status(): RunState | "unknown" {
    const meta = this.meta;
    return typeof meta.status === "string" ? runState(this.path, meta) : "unknown";
  }

  /**
   * The run's params: `params.yaml` if present, else `params.json`, else `{}`.
   *
   * @throws {FileFormatError} The file is not a YAML or JSON mapping.
   */
  get params(): Params {
    const action = `Cannot read params of run "${this.runId}"`;
    const { value, problem } = readParamsFile(this.path);
    if (problem !== undefined) throw new FileFormatError(`${action}: ${problem}`);
    return value ?? {};
  }

  /**
   * The arrays in `data/`, sorted: each `.npy` file by its path relative to
   * `data/` without the extension (`"energy"`, `"snapshots/t0"`), and each
   * member of each `.npz` bundle as `"<bundle>:<key>"`. Bundles that are not
   * zip files, and members that cannot be read, are left out.
   */
  get arrays(): string[] {
    const dataDir = join(this.path, "data");
    const names: string[] = [];
    for (const file of listFiles(dataDir, true)) {
      if (file.endsWith(".npy")) {
        names.push(file.slice(0, -".npy".length));
      } else if (file.endsWith(".npz")) {
        const stem = file.slice(0, -".npz".length);
        const keys = this.#bundleKeys(join(dataDir, file));
        names.push(...keys.map((key) => `${stem}:${key}`));
      }
    }
    return names.sort();
  }

  /**
   * Every file under `artifacts/`, as sorted paths relative to it, with
   * their extensions: `"metrics.json"`, `"eval/confusion.json"`.
   */
  get artifacts(): string[] {
    return listFiles(join(this.path, "artifacts"), true);
  }

  /** The file names in `plots/`, sorted: `"energy.png"`. */
  get plots(): string[] {
    return listFiles(join(this.path, "plots"), false);
  }

  /**
   * Loads an array: `"energy"` is `data/energy.npy`, `"trajectory:x"` is
   * member `x` of `data/trajectory.npz`.
   *
   * @param name An array name, as {@linkcode LogReader.prototype.arrays} lists them.
   * @returns The array: its data, shape and NumPy dtype.
   * @throws {InvalidNameError} The file part of the name is empty or leaves `data/`.
   * @throws {MissingEntryError} The file or bundle member does not exist.
   * @throws {FileFormatError} The file or member is not a readable array.
   *
   * @example Usage
   * ```ts
   * import { LogReader, Logbook } from "@notata/core";
   * import { writeNpyFile } from "@notata/core/npy";
   * import { assertEquals } from "@std/assert";
   *
   * const baseDir = Deno.makeTempDirSync();
   * {
   *   using log = new Logbook("oscillator", { baseDir });
   *   writeNpyFile(log.file("data/field.npy"), new Float64Array([1, 2, 3, 4, 5, 6]), [2, 3]);
   * }
   * const run = new LogReader(`${baseDir}/log_oscillator`);
   * assertEquals(run.arrays, ["field"]);
   * const { data, shape, dtype } = run.loadArray("field");
   * assertEquals([data[5], shape, dtype], [6, [2, 3], "<f8"]);
   * Deno.removeSync(baseDir, { recursive: true });
   * ```
   */
  loadArray(name: string): NdArray {
    const action = `Cannot load array ${JSON.stringify(name)} of run "${this.runId}"`;
    const colon = name.indexOf(":");
    const file = colon === -1 ? name : name.slice(0, colon);
    assertRelativePath(action, file);
    const path = join(this.path, "data", `${file}${colon === -1 ? ".npy" : ".npz"}`);
    if (!exists(path)) {
      throw new MissingEntryError(
        `${action}: "${path}" does not exist, ${expectedOneOf("arrays", this.arrays)}`,
      );
    }
    if (colon === -1) return readNpyFile(path);
    return new NpzArchive(Deno.readFileSync(path), path).get(name.slice(colon + 1));
  }

  /**
   * Loads the JSON artifact `artifacts/<name>.json`. Python's `NaN`,
   * `Infinity` and `-Infinity` tokens are read as numbers.
   *
   * @param name The artifact name; the `.json` suffix is optional.
   * @returns The parsed value.
   * @throws {InvalidNameError} The name is empty or leaves `artifacts/`.
   * @throws {MissingEntryError} The file does not exist.
   * @throws {FileFormatError} The file is not valid JSON.
   *
   * @example Usage
   * ```ts
   * import { LogReader, Logbook } from "@notata/core";
   * import { assert } from "@std/assert";
   *
   * const baseDir = Deno.makeTempDirSync();
   * {
   *   using log = new Logbook("oscillator", { baseDir });
   *   log.json("metrics", { final_energy: 0.993, drift: NaN });
   * }
   * const run = new LogReader(`${baseDir}/log_oscillator`);
   * const metrics = run.loadJson("metrics") as { final_energy: number; drift: number };
   * assert(metrics.final_energy === 0.993 && Number.isNaN(metrics.drift));
   * Deno.removeSync(baseDir, { recursive: true });
   * ```
   */
  loadJson(name: string): JsonValue {
    const action = `Cannot load artifact ${JSON.stringify(name)} of run "${this.runId}"`;
    const text = this.#readArtifact(action, `${withoutSuffix(name, ".json")}.json`);
    try {
      return parseJson(text.value);
    } catch (error) {
      throw new FileFormatError(
        `${action}: "${text.path}" is not valid JSON (${errorText(error)})`,
        { cause: error },
      );
    }
  }

  /**
   * Loads the text artifact `artifacts/<name>.txt`, as `Logbook.text` writes it.
   *
   * @param name The artifact name; `.txt` is added unless present.
   * @returns The text.
   * @throws {InvalidNameError} The name is empty or leaves `artifacts/`.
   * @throws {MissingEntryError} The file does not exist.
   *
   * @example Usage
   * ```ts
   * import { LogReader, Logbook } from "@notata/core";
   * import { assertEquals } from "@std/assert";
   *
   * const baseDir = Deno.makeTempDirSync();
   * {
   *   using log = new Logbook("oscillator", { baseDir });
   *   log.text("notes", "converged after 3 steps");
   * }
   * const run = new LogReader(`${baseDir}/log_oscillator`);
   * assertEquals(run.loadText("notes"), "converged after 3 steps");
   * Deno.removeSync(baseDir, { recursive: true });
   * ```
   */
  loadText(name: string): string {
    const action = `Cannot load artifact ${JSON.stringify(name)} of run "${this.runId}"`;
    return this.#readArtifact(action, `${withoutSuffix(name, ".txt")}.txt`).value;
  }

  /**
   * Loads the Parquet table `data/<name>.parquet` into a nodejs-polars
   * DataFrame (which needs `--allow-env --allow-ffi --allow-sys`).
   *
   * @param name The table name; the `.parquet` suffix is optional.
   * @returns The table.
   * @throws {InvalidNameError} The name is empty or leaves `data/`.
   * @throws {MissingEntryError} The file does not exist.
   * @throws {FileFormatError} Polars cannot read the file.
   *
   * @example Usage
   * ```ts ignore
   * import { LogReader } from "@notata/core";
   *
   * const run = new LogReader("outputs/oscillator_sweep/runs/log_oscillator_sweep_omega_1");
   * const samples = await run.loadFrame("samples");
   * ```
   */
  async loadFrame(name: string): Promise<DataFrame> {
    const action = `Cannot load table ${JSON.stringify(name)} of run "${this.runId}"`;
    const file = `${withoutSuffix(name, ".parquet")}.parquet`;
    assertRelativePath(action, file);
    const dataDir = join(this.path, "data");
    const path = join(dataDir, file);
    if (!exists(path)) {
      const tables = listFiles(dataDir, true)
        .filter((entry) => entry.endsWith(".parquet"))
        .map((entry) => entry.slice(0, -".parquet".length));
      throw new MissingEntryError(
        `${action}: "${path}" does not exist, ${expectedOneOf("tables", tables)}`,
      );
    }
    const pl = await loadPolars();
    try {
      return pl.readParquet(path);
    } catch (error) {
      throw new FileFormatError(
        `${action}: "${path}" is not a readable Parquet file (${errorText(error)})`,
        { cause: error },
      );
    }
  }

  /**
   * Loads `data/scalars.csv`, the run's scalar series, into a nodejs-polars
   * DataFrame with columns `step` (Int64), `name` (String), `value` and
   * `time` (Float64). A last line still being written is left out.
   *
   * @returns The scalars, one row per recorded value.
   * @throws {MissingEntryError} The run has no `data/scalars.csv`.
   * @throws {FileFormatError} Polars cannot read the file as that table.
   *
   * @example Usage
   * ```ts ignore
   * import { LogReader } from "@notata/core";
   *
   * const run = new LogReader("outputs/oscillator_sweep/runs/log_oscillator_sweep_omega_1");
   * const scalars = await run.loadScalars();
   * console.log(scalars.filter(scalars.getColumn("name").eq("energy")));
   * ```
   */
  async loadScalars(): Promise<DataFrame> {
    const action = `Cannot load scalars of run "${this.runId}"`;
    const dataDir = join(this.path, "data");
    const path = join(dataDir, "scalars.csv");
    const text = readTextIfExists(path);
    if (text === undefined) {
      const files = listFiles(dataDir, true);
      throw new MissingEntryError(
        `${action}: "${path}" does not exist, expected a run that recorded scalars${
          files.length === 0 ? "" : `; data/ holds ${quoteNames(files, LISTED_NAMES)}`
        }`,
      );
    }
    const pl = await loadPolars();
    const dtypes = { step: pl.Int64, name: pl.Utf8, value: pl.Float64, time: pl.Float64 };
    // The file is appended to while the run goes on: keep whole lines only,
    // and give a file whose header is not written yet the header.
    const whole = text.slice(0, text.lastIndexOf("\n") + 1);
    try {
      return pl.readCSV(whole === "" ? `${SCALAR_COLUMNS.join(",")}\n` : whole, { dtypes });
    } catch (error) {
      throw new FileFormatError(
        `${action}: "${path}" is not a CSV table of ${SCALAR_COLUMNS.join(", ")} (${
          errorText(error)
        })`,
        { cause: error },
      );
    }
  }

  /**
   * A readable summary: the run id, params, status, then the arrays,
   * artifacts and plots, one per line.
   *
   * @returns The summary.
   */
  toString(): string {
    const lines = [`<LogReader '${this.runId}'>`];
    const params = Object.entries(this.params);
    lines.push(
      `  params: ${
        params.length === 0
          ? "(missing)"
          : params.map(([key, value]) => `${key}=${formatParam(value)}`).join(", ")
      }`,
    );
    lines.push(`  meta: status=${this.status}`);
    for (
      const [label, items] of [
        ["arrays", this.arrays],
        ["artifacts", this.artifacts],
        ["plots", this.plots],
      ] as const
    ) {
      if (items.length === 0) continue;
      lines.push(`  ${label}:`, ...items.map((item) => `    - ${item}`));
    }
    return lines.join("\n");
  }

  /**
   * Shows the summary of {@linkcode LogReader.prototype.toString} in
   * `console.log` and `Deno.inspect`.
   *
   * @returns The summary.
   */
  [Symbol.for("Deno.customInspect")](): string {
    return this.toString();
  }

  #bundleKeys(path: string): string[] {
    try {
      return new NpzArchive(Deno.readFileSync(path), path).keys();
    } catch (error) {
      // A bundle that is not a zip file, or that vanished since the listing.
      if (error instanceof FileFormatError || error instanceof Deno.errors.NotFound) return [];
      throw error;
    }
  }

  #readArtifact(action: string, file: string): { path: string; value: string } {
    assertRelativePath(action, file);
    const path = join(this.path, "artifacts", file);
    const value = readTextIfExists(path);
    if (value === undefined) {
      const extension = file.slice(file.lastIndexOf("."));
      const similar = this.artifacts.filter((artifact) => artifact.endsWith(extension));
      throw new MissingEntryError(
        `${action}: "${path}" does not exist, ${expectedOneOf(`${extension} artifacts`, similar)}`,
      );
    }
    return { path, value };
  }

  /**
   * What Deno's Jupyter kernel shows for the run: its summary with params,
   * metadata, last log lines, plots inline and scalar series as
   * `text/html`; {@linkcode LogReader.prototype.toString} as `text/plain`.
   *
   * @returns The MIME bundle.
   *
   * @example Usage
   * ```ts
   * import { LogReader, Logbook } from "@notata/core";
   * import { assertStringIncludes } from "@std/assert";
   *
   * const baseDir = Deno.makeTempDirSync();
   * {
   *   using log = new Logbook("oscillator", { baseDir, params: { omega: 2 } });
   *   log.plot("dot", '<svg xmlns="http://www.w3.org/2000/svg"><circle r="1"/></svg>');
   * }
   * const run = new LogReader(`${baseDir}/log_oscillator`);
   * // A notebook shows `run` on a cell's last line with this bundle.
   * const bundle = await Reflect.get(run, Symbol.for("Jupyter.display")).call(run);
   * assertStringIncludes(bundle["text/html"], 'src="data:image/svg+xml;base64,');
   * Deno.removeSync(baseDir, { recursive: true });
   * ```
   */
  async [Symbol.for("Jupyter.display")](): Promise<{ "text/html": string; "text/plain": string }> {
    const { runBundle } = await import("./report/_display.ts");
    return runBundle(this);
  }
}
