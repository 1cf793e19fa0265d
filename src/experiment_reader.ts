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
import { quoteNames } from "./_names.ts";
import { MissingEntryError } from "./errors.ts";
import { readIndexFrame, readIndexRows } from "./_index/read.ts";
import { indexOf } from "./_index/runs.ts";
import { LogReader } from "./log_reader.ts";
import type { DataFrame } from "nodejs-polars";
import type { JsonValue, Params } from "./types.ts";
import type { ReportOptions } from "./report/options.ts";
import {
  type AggregateOptions,
  aggregateRuns,
  aggregateScalarFrame,
  type AggregateScalarsOptions,
  scalarFrame,
  type ScalarsOptions,
} from "./_analysis.ts";

/** What an experiment directory holds, for messages about paths that are not one. */
const EXPERIMENT_LAYOUT =
  "an experiment directory holding runs/log_<run id>/ (one directory per run) and index.csv";

/** How many run ids an error message lists. */
const LISTED_RUN_IDS = 5;

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
    this.indexPath = join(path, "index.csv");
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
    // Most runs live at log_<run id>: one stat instead of listing every run.
    const direct = join(this.runsDir, `log_${runId}`);
    if (!/[/\\]/.test(runId) && isRunDirectory(direct)) return new LogReader(direct);
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
   * Each column has one type, as in {@linkcode ExperimentReader.prototype.toDataFrame}:
   * the one `index.schema.json` records (numbers, booleans, strings, arrays
   * for JSON columns) when every cell fits it; otherwise (an index written
   * by the Python notata, or edited by hand) the one its cells' text gives:
   * numbers (`nan`, `inf` included) when every cell is one, booleans
   * (`true`, `True`) when every cell is one, else text. `run_id`, `status`
   * and `failure_reason` are always text. Empty cells are `null`. Empty
   * when there is no index yet.
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
    return readIndexRows(this.path);
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
  toDataFrame(): Promise<DataFrame> {
    return readIndexFrame(this.path);
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
    const rows = indexOf(this.path).rows();
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

  /** The names of the run directories, sorted; hidden ones (runs being created) are not runs. */
  #runDirectories(): string[] {
    return [...Deno.readDirSync(this.runsDir)]
      .map((entry) => entry.name)
      .filter((name) => !name.startsWith(".") && isRunDirectory(join(this.runsDir, name)))
      .sort();
  }

  /**
   * Every selected run's series in one long DataFrame, as
   * {@linkcode Experiment.prototype.scalars} gives it, running and crashed
   * runs included when `status` asks for them. Reads only.
   *
   * @param options Which series, runs and statuses.
   * @returns The series of every selected run.
   * @throws {InvalidValueError} An option is malformed or names no param of the index.
   *
   * @example Usage
   * ```ts
   * import { ExperimentReader, TemporaryExperiment } from "@notata/core";
   * import { assertEquals } from "@std/assert";
   *
   * using exp = new TemporaryExperiment("sweep");
   * using open = exp.add({ omega: 1 })!;
   * open.scalar("energy", 0.5);
   * open.flush();
   * const reader = new ExperimentReader(exp.dir);
   * assertEquals((await reader.scalars()).height, 0);
   * assertEquals((await reader.scalars({ status: "running" })).getColumn("value").toArray(), [0.5]);
   * ```
   */
  scalars(options?: ScalarsOptions): Promise<DataFrame> {
    return scalarFrame(this.path, () => this.toDataFrame(), options);
  }

  /**
   * The index grouped by every param not in `over`, as
   * {@linkcode Experiment.prototype.aggregate} gives it. Reads only.
   *
   * @param options The params to aggregate over, and which metrics and runs.
   * @returns One row per configuration.
   * @throws {InvalidValueError} An option is malformed, `over` names no param, or
   * `metrics` no numeric metric.
   *
   * @example Usage
   * ```ts
   * import { ExperimentReader, TemporaryExperiment } from "@notata/core";
   * import { assertEquals } from "@std/assert";
   *
   * using exp = new TemporaryExperiment("sweep");
   * for (const seed of [1, 2]) {
   *   using log = exp.add({ omega: 1, seed })!;
   *   log.json("metrics", { energy: seed });
   * }
   * const df = await new ExperimentReader(exp.dir).aggregate({ over: ["seed"] });
   * assertEquals(df.getColumn("energy_mean").toArray(), [1.5]);
   * assertEquals(df.columns.slice(0, 4), ["omega", "n", "energy_mean", "energy_std"]);
   * ```
   */
  aggregate(options: AggregateOptions): Promise<DataFrame> {
    return aggregateRuns(this.path, () => this.toDataFrame(), options);
  }

  /**
   * The series grouped by every param not in `over`, series name and step,
   * as {@linkcode Experiment.prototype.aggregateScalars} gives them. Reads only.
   *
   * @param options The params to aggregate over, and which series and runs.
   * @returns One row per configuration, series and step.
   * @throws {InvalidValueError} An option is malformed or names no param of the index.
   *
   * @example Usage
   * ```ts
   * import { ExperimentReader, TemporaryExperiment } from "@notata/core";
   * import { assertEquals } from "@std/assert";
   *
   * using exp = new TemporaryExperiment("sweep");
   * for (const seed of [1, 2]) {
   *   using log = exp.add({ seed })!;
   *   log.scalar("energy", seed);
   * }
   * const df = await new ExperimentReader(exp.dir).aggregateScalars({ over: ["seed"] });
   * assertEquals(df.getColumn("value_mean").toArray(), [1.5]);
   * ```
   */
  aggregateScalars(options: AggregateScalarsOptions): Promise<DataFrame> {
    return aggregateScalarFrame(this.path, () => this.toDataFrame(), options);
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
    return writeReport(this, options);
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
    return experimentBundle(this);
  }
}
