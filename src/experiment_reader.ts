// Copyright 2026 the notata authors. MIT license.
/**
 * {@linkcode ExperimentReader}: read the runs and the index of one
 * experiment directory, as the Python notata's `ExperimentReader` reads them.
 *
 * @module
 */

import { basename, join } from "@std/path";
import { splitCsvRecords, unquoteCsvField } from "./_csv.ts";
import { exists, readTextIfExists } from "./_files.ts";
import { parseJson } from "./_json.ts";
import { quoteNames } from "./_names.ts";
import { MissingEntryError } from "./errors.ts";
import { appendRecords, readIndexFrame } from "./_polars.ts";
import { mayHaveUnindexedRuns, unindexedRows } from "./_run_index.ts";
import { type ColumnType, IndexCsv, rowValues } from "./index_csv.ts";
import { LogReader } from "./log_reader.ts";
import type { DataFrame } from "nodejs-polars";
import type { JsonValue, Params } from "./types.ts";
import type { ReportOptions } from "./report/options.ts";

/** What an experiment directory holds, for messages about paths that are not one. */
const EXPERIMENT_LAYOUT =
  "an experiment directory holding runs/log_<run id>/ (one directory per run) and index.csv";

/** How many run ids an error message lists. */
const LISTED_RUN_IDS = 5;

/** Index columns that hold text even where it looks like a number (a run id "1"). */
const TEXT_COLUMNS = new Set(["run_id", "status", "failure_reason"]);

const INTEGER = /^[+-]?\d+$/;
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const NON_FINITE = /^([+-]?)(?:nan|inf|infinity)$/i;

function parseNumber(text: string): number | undefined {
  if (INTEGER.test(text)) {
    const value = Number(text);
    // Beyond 2^53 a number would silently change the value: keep the text.
    return Number.isSafeInteger(value) ? value : undefined;
  }
  if (DECIMAL.test(text)) return Number(text);
  const special = NON_FINITE.exec(text);
  if (special === null) return undefined;
  if (/nan/i.test(text)) return NaN;
  return special[1] === "-" ? -Infinity : Infinity;
}

function parseBoolean(text: string): boolean | undefined {
  if (text === "true" || text === "True") return true;
  if (text === "false" || text === "False") return false;
  return undefined;
}

/**
 * The value of one index cell. `type` is the column's type from
 * `index.schema.json`; without one (an index written by the Python notata or
 * by hand) the type is inferred from the text, as pandas would. Text that
 * does not fit its recorded type (an index edited by hand) is inferred too.
 */
function cellValue(text: string, type: ColumnType | undefined): JsonValue {
  if (text === "") return null;
  switch (type) {
    case "string":
      return text;
    case "int":
    case "float": {
      const value = parseNumber(text);
      if (value !== undefined) return value;
      break;
    }
    case "bool": {
      const value = parseBoolean(text);
      if (value !== undefined) return value;
      break;
    }
    case "json":
      try {
        return parseJson(text);
      } catch {
        break;
      }
  }
  return parseBoolean(text) ?? parseNumber(text) ?? text;
}

/** Whether `dir` is a directory (or a link to one) that holds `metadata.json`. */
function isRunDirectory(dir: string): boolean {
  try {
    return Deno.statSync(join(dir, "metadata.json")).isFile;
  } catch (error) {
    // NotADirectory: `dir` is a file, such as a stray archive in runs/.
    if (error instanceof Deno.errors.NotFound || error instanceof Deno.errors.NotADirectory) {
      return false;
    }
    throw error;
  }
}

/** The header of the CSV file at `path`, or `undefined` when there is none. */
function readHeader(path: string): string[] | undefined {
  const header = splitCsvRecords(readTextIfExists(path) ?? "")[0];
  return header?.map(unquoteCsvField);
}

function runIdOf(directoryName: string): string {
  return directoryName.startsWith("log_") ? directoryName.slice("log_".length) : directoryName;
}

/**
 * Reads one experiment directory: its runs (each a
 * {@linkcode LogReader}), their params and metadata, and `index.csv`.
 *
 * The runs are the directories under `runs/` that hold a `metadata.json`,
 * sorted by name; they are listed each time they are asked for, so a reader
 * over a sweep that is still going sees the runs started since. Like an
 * array, the reader has a `length`, `at(i)` and iterates in order; `get`
 * finds a run by its id.
 *
 * @example Reading a sweep
 * ```ts
 * import { ExperimentReader, TemporaryExperiment } from "@notata/core";
 * import { assertEquals } from "@std/assert";
 *
 * using exp = new TemporaryExperiment("sweep");
 * for (const omega of [1, 2]) {
 *   using log = exp.add({ omega })!;
 *   log.json("metrics", { energy: omega ** 2 / 2 });
 * }
 * const reader = new ExperimentReader(exp.dir);
 * assertEquals(reader.length, 2);
 * assertEquals([...reader].map((run) => run.params.omega), [1, 2]);
 * assertEquals(reader.get("sweep_omega_2").loadJson("metrics"), { energy: 2 });
 * assertEquals(reader.index().map((row) => row.energy), [0.5, 2]);
 * ```
 */
export class ExperimentReader implements Iterable<LogReader> {
  /** The experiment directory, as given. */
  readonly path: string;
  /** Directory of the run directories, `<path>/runs`. */
  readonly runsDir: string;
  /** Path of `index.csv`. */
  readonly indexPath: string;
  #index: IndexCsv;

  /**
   * Opens the experiment directory at `path`; runs are listed when asked for.
   *
   * @param path An experiment directory, such as `outputs/oscillator_sweep`.
   * @throws {MissingEntryError} `path` does not exist or has no `runs/` directory.
   */
  constructor(path: string) {
    const action = `Cannot read experiment ${JSON.stringify(path)}`;
    if (!exists(path)) {
      throw new MissingEntryError(
        `${action}: the directory does not exist, expected ${EXPERIMENT_LAYOUT}`,
      );
    }
    const runsDir = join(path, "runs");
    if (!exists(runsDir) || !Deno.statSync(runsDir).isDirectory) {
      const hint = exists(join(path, "metadata.json"))
        ? "; it looks like a run directory, which LogReader reads"
        : "";
      throw new MissingEntryError(
        `${action}: it has no runs/ directory, expected ${EXPERIMENT_LAYOUT}${hint}`,
      );
    }
    this.path = path;
    this.runsDir = runsDir;
    this.#index = new IndexCsv(path);
    this.indexPath = this.#index.path;
  }

  /** The ids of the runs, sorted: the directory names without `log_`. */
  get runIds(): string[] {
    return this.#runDirectories().map(runIdOf);
  }

  /** The number of runs. */
  get length(): number {
    return this.#runDirectories().length;
  }

  /**
   * The run at position `index` in the sorted runs, as `Array#at` counts:
   * negative positions count back from the end.
   *
   * @param index The position.
   * @returns The run, or `undefined` when the position is out of range.
   *
   * @example Usage
   * ```ts
   * import { ExperimentReader, TemporaryExperiment } from "@notata/core";
   * import { assertEquals } from "@std/assert";
   *
   * using exp = new TemporaryExperiment("sweep");
   * for (const omega of [1, 2]) exp.add({ omega })!.markComplete();
   * const reader = new ExperimentReader(exp.dir);
   * assertEquals(reader.at(-1)?.runId, "sweep_omega_2");
   * assertEquals(reader.at(2), undefined);
   * ```
   */
  at(index: number): LogReader | undefined {
    const name = this.#runDirectories().at(index);
    return name === undefined ? undefined : new LogReader(join(this.runsDir, name));
  }

  /**
   * The run whose id is `runId`.
   *
   * @param runId A run id, the directory name without `log_`.
   * @returns The run.
   * @throws {MissingEntryError} No run has that id.
   *
   * @example Usage
   * ```ts
   * import { ExperimentReader, TemporaryExperiment } from "@notata/core";
   * import { assertEquals } from "@std/assert";
   *
   * using exp = new TemporaryExperiment("sweep");
   * exp.add({ omega: 1, dt: 1e-3 })!.markComplete();
   * const run = new ExperimentReader(exp.dir).get("sweep_dt_0.001_omega_1");
   * assertEquals(run.params, { omega: 1, dt: 1e-3 });
   * ```
   */
  get(runId: string): LogReader {
    const names = this.#runDirectories();
    const name = names.find((name) => runIdOf(name) === runId);
    if (name !== undefined) return new LogReader(join(this.runsDir, name));
    const ids = names.map(runIdOf);
    throw new MissingEntryError(
      `Cannot get run ${
        JSON.stringify(runId)
      } of experiment "${this.path}": no such run in "${this.runsDir}", ${
        ids.length === 0
          ? "and the experiment has no runs"
          : `expected one of ${quoteNames(ids, LISTED_RUN_IDS)}`
      }`,
    );
  }

  /**
   * Iterates over the runs in sorted order.
   *
   * @returns An iterator of the runs.
   */
  *[Symbol.iterator](): Iterator<LogReader> {
    for (const name of this.#runDirectories()) yield new LogReader(join(this.runsDir, name));
  }

  /**
   * The rows of `index.csv`, one object per row keyed by column name.
   * Values have the types `index.schema.json` records for their columns
   * (numbers, booleans, strings, arrays for JSON columns); without it (an
   * index written by the Python notata) numbers (`nan`, `inf` included) and
   * booleans (`true`, `True`) are recognised and the rest stays text, except
   * `run_id`, `status` and `failure_reason`, which are always text. Empty
   * cells are `null`. Empty when there is no index yet.
   *
   * @returns The rows, in file order.
   *
   * @example Usage
   * ```ts
   * import { ExperimentReader, TemporaryExperiment } from "@notata/core";
   * import { assertEquals } from "@std/assert";
   *
   * using exp = new TemporaryExperiment("sweep");
   * using log = exp.add({ omega: 1, code: "007" })!;
   * log.json("metrics", { final_energy: NaN, converged: false });
   * log.markComplete();
   * const [row] = new ExperimentReader(exp.dir).index();
   * assertEquals(
   *   [row.run_id, row.omega, row.code, row.final_energy, row.converged, row.failure_reason],
   *   [log.runId, 1, "007", NaN, false, null],
   * );
   * ```
   */
  index(): { [column: string]: JsonValue }[] {
    const types = new Map<string, ColumnType>(
      (this.#index.columns() ?? []).map((column) => [column.name, column.type]),
    );
    return this.#index.rows().map((row) =>
      Object.fromEntries(
        Object.entries(row).map(([name, text]) => [
          name,
          cellValue(text, types.get(name) ?? (TEXT_COLUMNS.has(name) ? "string" : undefined)),
        ]),
      )
    );
  }

  /**
   * The index as a nodejs-polars DataFrame, typed as
   * {@linkcode Experiment.prototype.toDataFrame} types it, with a row for
   * every run that `index.csv` does not list yet: crashed runs (status
   * `"crashed"`) and runs still going (status `"initialized"`), read from
   * their run directories. Nothing is written and no lock is taken, so it
   * works on a read-only copy and beside a sweep that is still running.
   * Loading Polars needs `--allow-env --allow-ffi --allow-sys`.
   *
   * @returns The index, with a row per run.
   *
   * @example Usage
   * ```ts
   * import { ExperimentReader, TemporaryExperiment } from "@notata/core";
   * import { assertEquals } from "@std/assert";
   *
   * using exp = new TemporaryExperiment("sweep");
   * exp.add({ omega: 1 })!.markComplete();
   * using open = exp.add({ omega: 2 })!;
   * const df = await new ExperimentReader(exp.dir).toDataFrame();
   * assertEquals(df.getColumn("status").toArray(), ["complete", "initialized"]);
   * assertEquals(open.status, "initialized");
   * ```
   */
  async toDataFrame(): Promise<DataFrame> {
    const frame = await readIndexFrame(this.indexPath, this.#index.columns());
    if (!mayHaveUnindexedRuns(this.path, frame.height)) return frame;
    const indexed = new Set<string>(
      frame.height > 0 ? frame.getColumn("run_id").toArray().map(String) : [],
    );
    return appendRecords(frame, unindexedRows(this.path, indexed, true).map(rowValues));
  }

  /** The params of every run, keyed by run id. */
  get params(): { [runId: string]: Params } {
    return Object.fromEntries([...this].map((run) => [run.runId, run.params]));
  }

  /** The metadata of every run, keyed by run id. */
  get meta(): { [runId: string]: { [key: string]: JsonValue } } {
    return Object.fromEntries([...this].map((run) => [run.runId, run.meta]));
  }

  /**
   * A readable summary: the experiment name, the index's rows and columns,
   * then each run with its status.
   *
   * @returns The summary.
   */
  toString(): string {
    const rows = this.#index.rows();
    const header = readHeader(this.indexPath);
    const runs = [...this];
    return [
      `<ExperimentReader '${basename(this.path)}'>`,
      `Index file: index.csv with ${rows.length} entries`,
      `Fields: ${header === undefined ? "(missing)" : header.join(", ")}`,
      `Runs directory: runs with ${runs.length} runs`,
      ...runs.map((run) => `- ${run.runId}: ${run.status}`),
    ].join("\n");
  }

  /**
   * Shows the summary of {@linkcode ExperimentReader.prototype.toString}
   * in `console.log` and `Deno.inspect`.
   *
   * @returns The summary.
   */
  [Symbol.for("Deno.customInspect")](): string {
    return this.toString();
  }

  /** The names of the run directories, sorted. */
  #runDirectories(): string[] {
    return [...Deno.readDirSync(this.runsDir)]
      .map((entry) => entry.name)
      .filter((name) => isRunDirectory(join(this.runsDir, name)))
      .sort();
  }

  /**
   * Writes the experiment's HTML report: one self-contained file with the
   * runs table (sortable, filterable), charts and the details of the runs
   * that most need a look. See docs/report.md. Loads nodejs-polars
   * (`--allow-env --allow-ffi --allow-sys`).
   *
   * @param options Where to write, the title, how many runs get details.
   * @returns The path written, by default `<experiment>/report.html`.
   *
   * @example Usage
   * ```ts
   * import { ExperimentReader, TemporaryExperiment } from "@notata/core";
   * import { assertStringIncludes } from "@std/assert";
   *
   * using exp = new TemporaryExperiment("sweep");
   * exp.add({ omega: 1 })!.markComplete();
   * const path = await new ExperimentReader(exp.dir).report({ title: "Sweep" });
   * assertStringIncludes(Deno.readTextFileSync(path), "<title>Sweep</title>");
   * ```
   */
  async report(options?: ReportOptions): Promise<string> {
    const { writeReport } = await import("./report/report.ts");
    return writeReport(this.path, options);
  }

  /**
   * What Deno's Jupyter kernel shows for the reader: the runs table as
   * `text/html`, a summary as `text/plain`.
   *
   * @returns The MIME bundle.
   *
   * @example Usage
   * ```ts
   * import { ExperimentReader, TemporaryExperiment } from "@notata/core";
   * import { assertStringIncludes } from "@std/assert";
   *
   * using exp = new TemporaryExperiment("sweep");
   * exp.add({ omega: 1 })!.markComplete();
   * // A notebook shows a reader on a cell's last line with this bundle.
   * const reader = new ExperimentReader(exp.dir);
   * const bundle = await Reflect.get(reader, Symbol.for("Jupyter.display")).call(reader);
   * assertStringIncludes(bundle["text/html"], "<table");
   * ```
   */
  async [Symbol.for("Jupyter.display")](): Promise<{ "text/html": string; "text/plain": string }> {
    const { experimentBundle } = await import("./report/_display.ts");
    return experimentBundle(this.path);
  }
}
