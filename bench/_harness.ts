// Copyright 2026 the notata authors. MIT license.
// The benchmark harness: command-line options, scratch directories, library
// and baseline measured alternately with medians, and the report as a table
// and as JSON. Machines are noisy: every figure is compared with a baseline
// measured in the same process, interleaved with it, never with a number
// from another day.

/** What a row's ratio compares. */
export type RatioKind =
  | "throughput" // library throughput / baseline throughput: higher is better
  | "time" // library time / baseline time: lower is better
  | "growth" // the figure at the end / the same figure at the start: lower is better
  | "memory"; // library memory / baseline memory: lower is better

/** One line of the report. */
export interface Row {
  /** Stable key, used by `--only` and by tests. */
  id: string;
  /** What is measured. */
  name: string;
  /** Unit of `library` and `baseline`. */
  unit: string;
  /** The library's figure (a median, or a window mean where stated). */
  library: number;
  /** The baseline's figure, measured in the same run. */
  baseline: number;
  /** See {@linkcode RatioKind}. */
  ratio: number;
  ratioKind: RatioKind;
  /** The target, as text. */
  target: string;
  /** Whether the target is met; `null` for rows that only report. */
  pass: boolean | null;
  /** What the baseline is, and the figures beside the ratio. */
  notes: string;
  /** Raw figures: every repetition, and row-specific numbers. */
  extra: Record<string, number | number[] | string | boolean>;
}

/** The whole report, as written with `--json`. */
export interface Report {
  mode: "full" | "quick";
  date: string;
  deno: string;
  v8: string;
  os: string;
  cpus: number;
  /** Where the files went: "/dev/shm", or the system temp dir when there is none. */
  scratch: string;
  /** Where the on-disk sweep went (`Deno.makeTempDir`). */
  disk: string;
  seconds: number;
  rows: Row[];
}

/** The command line of `deno task bench`. */
export interface Options {
  quick: boolean;
  json: string | undefined;
  /** Row groups to run; all when empty. */
  only: string[];
  /** Where the files go instead of `/dev/shm`. */
  dir: string | undefined;
}

/** Parses `--quick`, `--json <path>`, `--dir <path>` and `--only <group,...>`. */
export function parseOptions(args: string[]): Options {
  const options: Options = { quick: false, json: undefined, only: [], dir: undefined };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const [flag, inline] = arg.startsWith("--") && arg.includes("=")
      ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)]
      : [arg, undefined];
    const value = (): string => {
      const next = inline ?? args[++i];
      if (next === undefined) throw new Error(`Cannot parse options: ${flag} needs a value`);
      return next;
    };
    if (flag === "--quick") options.quick = true;
    else if (flag === "--json") options.json = value();
    else if (flag === "--dir") options.dir = value();
    else if (flag === "--only") options.only = value().split(",").filter((group) => group !== "");
    else {
      throw new Error(
        `Cannot parse options: unknown argument ${
          JSON.stringify(arg)
        }, expected --quick, --json <path>, --dir <path> or --only <group,...>`,
      );
    }
  }
  return options;
}

/** The median of `values` (the mean of the middle two for an even count). */
export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** The mean of `values`. */
export function mean(values: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i];
  return sum / values.length;
}

/** Every repetition of a library measurement and of its baseline. */
export interface Paired {
  library: number[];
  baseline: number[];
}

/**
 * Measures `library` and `baseline` `repeats` times each, alternately and in
 * ABBA order (library first on even repetitions, baseline first on odd ones),
 * so drift and order effects fall on both alike. Each call returns its figure.
 */
export async function alternate(
  repeats: number,
  library: (repetition: number) => number | Promise<number>,
  baseline: (repetition: number) => number | Promise<number>,
): Promise<Paired> {
  const paired: Paired = { library: [], baseline: [] };
  for (let r = 0; r < repeats; r++) {
    if (r % 2 === 0) {
      paired.library.push(await library(r));
      paired.baseline.push(await baseline(r));
    } else {
      paired.baseline.push(await baseline(r));
      paired.library.push(await library(r));
    }
  }
  return paired;
}

/**
 * The median of the per-repetition ratios library / baseline: each library
 * figure is divided by the baseline figure measured right beside it, which
 * cancels slow drifts of the machine better than a ratio of medians.
 */
export function pairedRatio(paired: Paired): number {
  return median(paired.library.map((value, i) => value / paired.baseline[i]));
}

/** A row built from alternated repetitions: medians, paired ratio, raw figures. */
export function pairedRow(
  fields: Omit<Row, "library" | "baseline" | "ratio" | "pass" | "extra"> & {
    extra?: Row["extra"];
  },
  paired: Paired,
  passes: (ratio: number, library: number) => boolean | null,
): Row {
  const library = median(paired.library);
  const ratio = pairedRatio(paired);
  return {
    ...fields,
    library,
    baseline: median(paired.baseline),
    ratio,
    pass: passes(ratio, library),
    extra: { ...fields.extra, libraryRuns: paired.library, baselineRuns: paired.baseline },
  };
}

/** The directories the benchmark writes to. */
export interface Scratch {
  /** On `/dev/shm` when it can be used: file-system cost without the disk's noise. */
  fast: string;
  /** Where `fast` is, and why when it is not on `/dev/shm`. */
  fastKind: string;
  /** A `Deno.makeTempDir` directory, for the on-disk sweep figure. */
  disk: string;
}

const PREFIX = "notata-bench-";

function fastDir(dir: string | undefined): { fast: string; fastKind: string } {
  if (dir !== undefined) {
    return { fast: Deno.makeTempDirSync({ dir, prefix: PREFIX }), fastKind: dir };
  }
  try {
    return {
      fast: Deno.makeTempDirSync({ dir: "/dev/shm", prefix: PREFIX }),
      fastKind: "/dev/shm",
    };
  } catch (error) {
    // Deno 2 grants paths under /dev only to --allow-all (denoland/deno#30979).
    const why = error instanceof Deno.errors.NotFound
      ? "no /dev/shm"
      : error instanceof Deno.errors.NotCapable
      ? "Deno grants /dev/shm only with --allow-all"
      : undefined;
    if (why === undefined) throw error;
    return {
      fast: Deno.makeTempDirSync({ prefix: PREFIX }),
      fastKind: `system temp dir (${why})`,
    };
  }
}

/** Creates the scratch directories: under `dir` when given, else on `/dev/shm` if possible. */
export function makeScratch(dir?: string): Scratch {
  const disk = Deno.makeTempDirSync({ prefix: PREFIX });
  try {
    return { ...fastDir(dir), disk };
  } catch (error) {
    removeTree(disk);
    throw error;
  }
}

/** Removes the scratch directories and everything in them. */
export function removeScratch(scratch: Scratch): void {
  for (const dir of [scratch.fast, scratch.disk]) removeTree(dir);
}

/** Removes `path` recursively; a missing path is fine. */
export function removeTree(path: string): void {
  try {
    Deno.removeSync(path, { recursive: true });
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
}

/** Runs `fn` in a fresh directory under `root`, removed afterwards (untimed). */
export function inFreshDir<T>(root: string, fn: (dir: string) => T): T {
  const dir = Deno.makeTempDirSync({ dir: root });
  try {
    return fn(dir);
  } finally {
    removeTree(dir);
  }
}

/** Seconds elapsed since `start` (a `performance.now()` reading). */
export function secondsSince(start: number): number {
  return (performance.now() - start) / 1000;
}

/** Runs V8's garbage collector when the process has `--v8-flags=--expose-gc`. */
export function collectGarbage(): boolean {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  return gc !== undefined;
}

/** A progress line on stderr; stdout carries only the table. */
export function progress(message: string): void {
  console.error(`bench: ${message}`);
}

/** A number for the table: thousands separators, three significant digits below 100. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const magnitude = Math.abs(value);
  if (magnitude >= 100) return Math.round(value).toLocaleString("en-US");
  if (magnitude >= 10) return value.toFixed(1);
  if (magnitude >= 1) return value.toFixed(2);
  return value.toPrecision(3);
}

function verdict(row: Row, quick: boolean): string {
  if (row.pass === null) return "info";
  if (row.pass) return "pass";
  return quick ? "miss (quick)" : "MISS";
}

function ratioText(row: Row): string {
  const suffix = row.ratioKind === "throughput"
    ? ""
    : row.ratioKind === "time"
    ? " time"
    : row.ratioKind === "memory"
    ? " memory"
    : " end/start";
  return `${row.ratio.toFixed(2)}×${suffix}`;
}

/** The report as a Markdown table, then the notes of each row. */
export function formatReport(report: Report): string {
  const quick = report.mode === "quick";
  const header = ["row", "library", "baseline", "ratio", "target", "result"];
  const lines = report.rows.map((row) => [
    row.name,
    `${formatNumber(row.library)} ${row.unit}`,
    `${formatNumber(row.baseline)} ${row.unit}`,
    ratioText(row),
    row.target,
    verdict(row, quick),
  ]);
  const widths = header.map((title, i) =>
    Math.max(title.length, ...lines.map((line) => line[i].length))
  );
  const format = (cells: string[]) =>
    `| ${
      cells.map((cell, i) => i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i])).join(
        " | ",
      )
    } |`;
  const rule = `|${
    widths.map((width, i) => i === 0 ? "-".repeat(width + 2) : `${"-".repeat(width + 1)}:`).join(
      "|",
    )
  }|`;
  const misses = report.rows.filter((row) => row.pass === false).map((row) => row.id);
  return [
    `notata bench, ${report.mode} run, ${report.date}: deno ${report.deno}, ${report.os}, ${report.cpus} CPUs, ${
      report.seconds.toFixed(0)
    } s`,
    `files on ${report.scratch}; on-disk sweep in ${report.disk}`,
    "",
    format(header),
    rule,
    ...lines.map(format),
    "",
    ...report.rows.map((row) => `- ${row.id}: ${row.notes}`),
    "",
    misses.length === 0
      ? "All targets met."
      : `Targets missed${quick ? " (quick mode: sizes too small to judge, reported only)" : ""}: ${
        misses.join(", ")
      }`,
  ].join("\n");
}
