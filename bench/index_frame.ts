// Copyright 2026 the notata authors. MIT license.
// Reading the index of the long sweep: `toDataFrame()` against
// `pl.readCSV` of the same file, and `reindex()` of every run directory
// against a raw rebuild that reads the same files.

import { join } from "@std/path";
import type { Experiment } from "../mod.ts";
import {
  alternate,
  formatNumber,
  pairedRow,
  progress,
  type Row,
  secondsSince,
} from "./_harness.ts";
import type { BenchContext } from "./_context.ts";

function assertHeight(what: string, height: number, expected: number): void {
  if (height !== expected) {
    throw new Error(`Cannot benchmark ${what}: the frame has ${height} rows, expected ${expected}`);
  }
}

type Json = Record<string, string | number | null>;

function readJson(path: string): Json {
  return JSON.parse(Deno.readTextFileSync(path));
}

/**
 * What `reindex()` does, with raw Deno calls and the sweep's known columns:
 * list the run directories, read and parse metadata.json, params.json and
 * artifacts/metrics.json of each, order by start time, write the CSV via
 * temp + rename (to a file beside index.csv, which stays as it is).
 */
function rawReindex(exp: Experiment): number {
  const rows: { start: string; line: string }[] = [];
  for (const entry of Deno.readDirSync(exp.runsDir)) {
    const dir = `${exp.runsDir}/${entry.name}`;
    const metadata = readJson(`${dir}/metadata.json`);
    const params = readJson(`${dir}/params.json`);
    const metrics = readJson(`${dir}/artifacts/metrics.json`);
    rows.push({
      start: String(metadata.start_time),
      line:
        `${metadata.run_id},${params.omega},${params.seed},${metadata.status},${metrics.drift},${metrics.final_energy},${metadata.runtime_sec},\r\n`,
    });
  }
  rows.sort((a, b) => a.start < b.start ? -1 : a.start > b.start ? 1 : 0);
  const path = join(exp.dir, "index.raw.csv");
  const header = "run_id,omega,seed,status,drift,final_energy,runtime_sec,failure_reason\r\n";
  Deno.writeTextFileSync(`${path}.tmp`, header + rows.map((row) => row.line).join(""));
  Deno.renameSync(`${path}.tmp`, path);
  return rows.length;
}

/** The `toDataFrame` and `reindex` rows over the long sweep's experiment. */
export async function indexFrameRows(
  ctx: BenchContext,
  exp: Experiment,
  runs: number,
): Promise<Row[]> {
  const { frameRepeats, reindexRepeats } = ctx.sizes;
  const pl = (await import("nodejs-polars")).default;
  // Untimed warm-up: Polars loads, and both paths run once.
  assertHeight("toDataFrame", (await exp.toDataFrame()).height, runs);
  assertHeight("pl.readCSV", pl.readCSV(exp.indexPath).height, runs);
  const frame = await alternate(
    frameRepeats,
    async () => {
      const start = performance.now();
      const df = await exp.toDataFrame();
      const ms = performance.now() - start;
      assertHeight("toDataFrame", df.height, runs);
      return ms;
    },
    () => {
      const start = performance.now();
      const df = pl.readCSV(exp.indexPath);
      const ms = performance.now() - start;
      assertHeight("pl.readCSV", df.height, runs);
      return ms;
    },
  );
  progress(`toDataFrame: ${frame.library.map((ms) => ms.toFixed(0)).join(", ")} ms`);
  const reindex = await alternate(
    reindexRepeats,
    () => {
      const start = performance.now();
      const rows = exp.reindex();
      const seconds = secondsSince(start);
      if (rows !== runs) {
        throw new Error(`Cannot benchmark reindex: ${rows} rows, expected ${runs}`);
      }
      progress(`reindex: ${seconds.toFixed(2)} s`);
      return seconds;
    },
    () => {
      const start = performance.now();
      rawReindex(exp);
      return secondsSince(start);
    },
  );
  const count = runs.toLocaleString("en-US");
  const reindexRow = pairedRow(
    {
      id: "reindex",
      name: `reindex() of ${count} run dirs`,
      unit: "s",
      ratioKind: "time",
      target: "< 30 s",
      notes: "",
      extra: { runs },
    },
    reindex,
    (_ratio, seconds) => seconds < 30,
  );
  reindexRow.extra.runsPerSecond = runs / reindexRow.library;
  reindexRow.notes = `${
    formatNumber(runs / reindexRow.library)
  } runs/s; baseline: readDirSync, JSON.parse of metadata.json, params.json and artifacts/metrics.json per run, sort by start time, one CSV written via temp+rename; median of ${reindexRepeats}`;
  return [
    pairedRow(
      {
        id: "to_data_frame",
        name: `toDataFrame(), ${count}-row index`,
        unit: "ms",
        ratioKind: "time",
        target: "≤ 1.2× and < 1 s",
        notes:
          `baseline: pl.readCSV(path) of the same index.csv (types inferred); median of ${frameRepeats} alternated repetitions after a warm-up`,
        extra: { rows: runs },
      },
      frame,
      (ratio, ms) => ratio <= 1.2 && ms < 1000,
    ),
    reindexRow,
  ];
}
