// Copyright 2026 the notata authors. MIT license.
// Analysis across runs: `scalars()` over many runs' data/scalars.csv against
// nodejs-polars used directly (read each file, add the run id, concatenate),
// the memory both hold at two run counts (in child processes, so each peak
// is its own), and `aggregate()` of a large index against a hand-written
// Polars groupBy. The experiments are written straight to disk (plain
// files, no Logbook): it takes seconds where logging them would take minutes.

import { fromFileUrl, join } from "@std/path";
import type { DataFrame } from "nodejs-polars";
import { ExperimentReader } from "../mod.ts";
import { alternate, formatNumber, pairedRow, progress, type Row } from "./_harness.ts";
import type { BenchContext } from "./_context.ts";

type Polars = typeof import("nodejs-polars")["default"];

const ROOT = fromFileUrl(new URL("../", import.meta.url));
const IMPORT_MAP = fromFileUrl(new URL("../import_map.npm.json", import.meta.url));
const MEMORY_SCRIPT = fromFileUrl(new URL("./analysis_memory.ts", import.meta.url));
const SERIES = ["energy", "loss"];
const SEEDS = 10;

const encoder = new TextEncoder();

function runIdOf(i: number): string {
  return `bench_omega_${Math.floor(i / SEEDS)}_seed_${i % SEEDS}`;
}

function writeSchema(dir: string, header: string, columns: [string, string, string][]): void {
  Deno.writeTextFileSync(
    join(dir, "index.schema.json"),
    JSON.stringify({
      version: 1,
      header,
      columns: columns.map(([name, role, type]) => ({ name, role, type })),
    }),
  );
}

/**
 * Writes an experiment of `runs` complete runs under `dir`, each with
 * `rows` scalars rows (two series), as Logbook writes them, and its index.
 * Returns the experiment directory.
 */
export function writeScalarsExperiment(dir: string, runs: number, rows: number): string {
  Deno.mkdirSync(join(dir, "runs"), { recursive: true });
  const index: string[] = [];
  for (let i = 0; i < runs; i++) {
    const id = runIdOf(i);
    const [omega, seed] = [Math.floor(i / SEEDS), i % SEEDS];
    const runDir = join(dir, "runs", `log_${id}`);
    Deno.mkdirSync(join(runDir, "data"), { recursive: true });
    Deno.writeTextFileSync(
      join(runDir, "metadata.json"),
      JSON.stringify({ run_id: id, status: "complete" }),
    );
    Deno.writeTextFileSync(join(runDir, "params.json"), JSON.stringify({ omega, seed }));
    let text = "step,name,value,time\n";
    for (let r = 0; r < rows; r++) {
      const value = Math.sin(i + r) / (1 + seed);
      text += `${r >> 1},${SERIES[r % 2]},${value},${(r * 0.001).toFixed(6)}\n`;
    }
    Deno.writeFileSync(join(runDir, "data", "scalars.csv"), encoder.encode(text));
    index.push(`${id},${omega},${seed},complete,${omega / 7 + seed},0.5,\r\n`);
  }
  const header = "run_id,omega,seed,status,final_energy,runtime_sec,failure_reason\r\n";
  Deno.writeTextFileSync(join(dir, "index.csv"), header + index.join(""));
  writeSchema(dir, header, [
    ["run_id", "id", "string"],
    ["omega", "param", "int"],
    ["seed", "param", "int"],
    ["status", "status", "string"],
    ["final_energy", "metric", "float"],
    ["runtime_sec", "extra", "float"],
    ["failure_reason", "extra", "empty"],
  ]);
  return dir;
}

/** Writes an experiment of `rows` index rows (and no run directories) under `dir`. */
function writeLargeIndex(dir: string, rows: number): string {
  Deno.mkdirSync(join(dir, "runs"), { recursive: true });
  const lines: string[] = [];
  for (let i = 0; i < rows; i++) {
    const seed = i % 50;
    const method = Math.floor(i / 50) % 2 === 0 ? "rk4" : "euler";
    const omega = Math.floor(i / 100);
    const energy = Math.sin(i) + omega;
    lines.push(
      `bench_${i},${omega},0.01,${method},${seed},complete,${energy},${energy / 3},${i % 977},${
        i % 3 === 0
      },0.5,\r\n`,
    );
  }
  const header =
    "run_id,omega,dt,method,seed,status,final_energy,drift,steps,converged,runtime_sec,failure_reason\r\n";
  Deno.writeTextFileSync(join(dir, "index.csv"), header + lines.join(""));
  writeSchema(dir, header, [
    ["run_id", "id", "string"],
    ["omega", "param", "int"],
    ["dt", "param", "float"],
    ["method", "param", "string"],
    ["seed", "param", "int"],
    ["status", "status", "string"],
    ["final_energy", "metric", "float"],
    ["drift", "metric", "float"],
    ["steps", "metric", "int"],
    ["converged", "metric", "bool"],
    ["runtime_sec", "extra", "float"],
    ["failure_reason", "extra", "empty"],
  ]);
  return dir;
}

/**
 * The baseline of the scalars row: nodejs-polars used directly. Each file
 * read with `pl.readCSV`, its run id added as a literal column, all joined
 * with one native `pl.concat(…, { how: "diagonal" })`. (The default
 * `pl.concat` stacks frames pairwise: 78 s for 1,000 files on this machine.)
 */
export function baselineScalars(pl: Polars, dir: string): DataFrame {
  const runIds = pl.readCSV(join(dir, "index.csv")).getColumn("run_id").toArray() as string[];
  const frames = runIds.map((id) =>
    pl.readCSV(join(dir, "runs", `log_${id}`, "data", "scalars.csv"))
      .withColumn(pl.lit(id).alias("run_id"))
  );
  return pl.concat(frames, { how: "diagonal" });
}

/** The library side of the scalars row. */
export function libraryScalars(dir: string): Promise<DataFrame> {
  return new ExperimentReader(dir).scalars();
}

/** What a child process measured: see analysis_memory.ts. */
interface MemoryFigures {
  rows: number;
  heapMb: number;
  peakRssMb: number;
}

async function measureMemory(dir: string, side: "library" | "baseline"): Promise<MemoryFigures> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      `--import-map=${IMPORT_MAP}`,
      "--v8-flags=--expose-gc",
      MEMORY_SCRIPT,
      dir,
      side,
    ],
    cwd: ROOT,
    env: { NO_COLOR: "1" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decoder = new TextDecoder();
  if (!output.success) {
    throw new Error(
      `Cannot measure the memory of ${side} scalars: ${decoder.decode(output.stderr)}`,
    );
  }
  return JSON.parse(decoder.decode(output.stdout));
}

function assertHeight(what: string, frame: DataFrame, expected: number): void {
  if (frame.height !== expected) {
    throw new Error(`Cannot benchmark ${what}: ${frame.height} rows, expected ${expected}`);
  }
}

async function scalarRows(ctx: BenchContext, pl: Polars, root: string): Promise<Row[]> {
  const { scalarRuns: runs, scalarRows: rows, scalarRepeats, scalarMemoryRuns } = ctx.sizes;
  const count = runs.toLocaleString("en-US");
  progress(`writing ${count} runs × ${rows} scalars rows`);
  const dir = writeScalarsExperiment(join(root, "scalars"), runs, rows);
  // Untimed warm-up on a small experiment: Polars loads, both paths compile.
  const warm = writeScalarsExperiment(join(root, "warm"), 50, rows);
  assertHeight("scalars()", await libraryScalars(warm), 50 * rows);
  assertHeight("the baseline", baselineScalars(pl, warm), 50 * rows);
  const paired = await alternate(
    scalarRepeats,
    async () => {
      const start = performance.now();
      const frame = await libraryScalars(dir);
      const seconds = (performance.now() - start) / 1000;
      assertHeight("scalars()", frame, runs * rows);
      progress(`scalars(): ${seconds.toFixed(2)} s`);
      return seconds;
    },
    () => {
      const start = performance.now();
      const frame = baselineScalars(pl, dir);
      const seconds = (performance.now() - start) / 1000;
      assertHeight("the baseline", frame, runs * rows);
      progress(`baseline: ${seconds.toFixed(2)} s`);
      return seconds;
    },
  );
  const [fewer, more] = scalarMemoryRuns;
  const small = writeScalarsExperiment(join(root, "small"), fewer, rows);
  const sizes = [[fewer, small], [more, more === runs ? dir : undefined]] as const;
  const memory: { runs: number; library: MemoryFigures; baseline: MemoryFigures }[] = [];
  for (const [count, existing] of sizes) {
    const path = existing ?? writeScalarsExperiment(join(root, `memory_${count}`), count, rows);
    memory.push({
      runs: count,
      library: await measureMemory(path, "library"),
      baseline: await measureMemory(path, "baseline"),
    });
    progress(`memory at ${count} runs: ${JSON.stringify(memory.at(-1))}`);
  }
  const [start, end] = memory;
  const figures = memory.map(({ runs, library, baseline }) =>
    `${runs.toLocaleString("en-US")} runs: heap ${formatNumber(library.heapMb)} MB, peak rss ${
      formatNumber(library.peakRssMb)
    } MB (baseline: heap ${formatNumber(baseline.heapMb)} MB, peak rss ${
      formatNumber(baseline.peakRssMb)
    } MB)`
  ).join("; ");
  const perRun = (figures: MemoryFigures, runs: number) => figures.peakRssMb / runs;
  return [
    pairedRow(
      {
        id: "scalars",
        name: `scalars(), ${count} runs × ${rows.toLocaleString("en-US")} rows`,
        unit: "s",
        ratioKind: "time",
        target: "≤ 1.2×",
        notes:
          `baseline: nodejs-polars directly, pl.readCSV of each file + lit(run id), one pl.concat(how: diagonal); the library also reads the index and adds params and status; files written directly (not through Logbook); median of ${scalarRepeats} alternated repetitions after a warm-up`,
        extra: { runs, rows },
      },
      paired,
      (ratio) => ratio <= 1.2,
    ),
    {
      id: "scalars_memory",
      name: `scalars() heap after GC, ${more.toLocaleString("en-US")} vs ${
        fewer.toLocaleString("en-US")
      } runs`,
      unit: "MB",
      library: end.library.heapMb,
      baseline: start.library.heapMb,
      ratio: end.library.heapMb / start.library.heapMb,
      ratioKind: "growth",
      target: "flat: ≤ 1.25×",
      pass: end.library.heapMb / start.library.heapMb <= 1.25,
      notes:
        `each figure from its own child process holding the frame; ${figures}; peak rss per run ${
          formatNumber(perRun(end.library, more) * 1024)
        } KB (baseline ${formatNumber(perRun(end.baseline, more) * 1024)} KB)`,
      extra: {
        heapMb: memory.map((m) => m.library.heapMb),
        peakRssMb: memory.map((m) => m.library.peakRssMb),
        baselineHeapMb: memory.map((m) => m.baseline.heapMb),
        baselinePeakRssMb: memory.map((m) => m.baseline.peakRssMb),
        runs: memory.map((m) => m.runs),
      },
    },
  ];
}

/** The hand-written Polars groupBy of the aggregate row's baseline. */
function baselineAggregate(pl: Polars, path: string, keys: string[], metrics: string[]): DataFrame {
  const index = pl.readCSV(path);
  return index.filter(pl.col("status").eq(pl.lit("complete")))
    .groupBy(...keys)
    .agg(
      pl.col("run_id").count().alias("n"),
      ...metrics.flatMap((name) => [
        pl.col(name).mean().alias(`${name}_mean`),
        pl.col(name).std().alias(`${name}_std`),
        pl.col(name).min().alias(`${name}_min`),
        pl.col(name).max().alias(`${name}_max`),
        pl.col(name).count().alias(`${name}_count`),
      ]),
    )
    .sort(keys);
}

async function aggregateRow(ctx: BenchContext, pl: Polars, root: string): Promise<Row> {
  const { aggregateRows: rows, aggregateRepeats } = ctx.sizes;
  const dir = writeLargeIndex(join(root, "aggregate"), rows);
  const reader = new ExperimentReader(dir);
  const keys = ["omega", "dt", "method"];
  const metrics = ["final_energy", "drift", "steps", "converged"];
  const configurations = rows / 50;
  const library = async () => {
    const start = performance.now();
    const frame = await reader.aggregate({ over: ["seed"] });
    const ms = performance.now() - start;
    assertHeight("aggregate()", frame, configurations);
    return ms;
  };
  const baseline = () => {
    const start = performance.now();
    const frame = baselineAggregate(pl, join(dir, "index.csv"), keys, metrics);
    const ms = performance.now() - start;
    assertHeight("the groupBy baseline", frame, configurations);
    return ms;
  };
  await library();
  baseline();
  const paired = await alternate(aggregateRepeats, library, baseline);
  return pairedRow(
    {
      id: "aggregate",
      name: `aggregate(), ${rows.toLocaleString("en-US")}-row index`,
      unit: "ms",
      ratioKind: "time",
      target: "≤ 1.5×",
      notes:
        `over seed: ${configurations} configurations × 4 metrics; baseline: pl.readCSV of index.csv, filter complete, groupBy(omega, dt, method).agg(count, and mean, std, min, max, count per metric), sort; the library also skips NaN as pandas does; median of ${aggregateRepeats} alternated repetitions after a warm-up`,
      extra: { rows },
    },
    paired,
    (ratio) => ratio <= 1.5,
  );
}

/** The scalars, scalars-memory and aggregate rows. */
export async function analysisRows(ctx: BenchContext): Promise<Row[]> {
  const pl = (await import("nodejs-polars")).default;
  const root = Deno.makeTempDirSync({ dir: ctx.scratch.fast });
  try {
    return [...await scalarRows(ctx, pl, root), await aggregateRow(ctx, pl, root)];
  } finally {
    Deno.removeSync(root, { recursive: true });
  }
}
