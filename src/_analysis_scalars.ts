// Copyright 2026 the notata authors. MIT license.
// Reading the `data/scalars.csv` of many runs into one frame. One
// `pl.readCSV` per file would cost about a millisecond of fixed overhead
// each, far more than parsing its rows: the files are instead read as bytes,
// checked, and joined into batches of a few megabytes that Polars parses in
// one call each. A file's rows are counted by its line ends (a series name
// holds no line break: Logbook#scalar refuses control characters), which
// tells each parsed row its run. Only the batches' frames are kept, never a
// JavaScript object per run.

import type { DataFrame } from "nodejs-polars";
import { Buffer } from "node:buffer";
import { join } from "@std/path";
import { loadPolars } from "./_polars.ts";

/**
 * A run's `data/scalars.csv` that could not be read, and so was left out:
 * what the `onCorrupt` option of `scalars` is given.
 *
 * @example Usage
 * ```ts
 * import type { CorruptScalars } from "@notata/core";
 *
 * const file: CorruptScalars = {
 *   runId: "sweep_seed_1",
 *   path: "outputs/sweep/runs/log_sweep_seed_1/data/scalars.csv",
 *   reason: 'its header is "a,b", expected "step,name,value,time"',
 * };
 * ```
 */
export interface CorruptScalars {
  /** The run's id. */
  runId: string;
  /** The file's path. */
  path: string;
  /** Why it could not be read. */
  reason: string;
}

/** The header `Logbook#scalar` writes. */
const HEADER = "step,name,value,time";
/** Bytes of file text parsed in one call: large enough to amortise a call, small beside the frame. */
const BATCH_BYTES = 32 * 1024 * 1024;
const LINE_FEED = 0x0a;

const decoder = new TextDecoder();

/** One file's rows, as bytes without the header. */
interface FileRows {
  run: number;
  runId: string;
  path: string;
  body: Uint8Array;
  rows: number;
}

function countLines(bytes: Uint8Array): number {
  let lines = 0;
  for (let i = 0; i < bytes.length; i++) if (bytes[i] === LINE_FEED) lines++;
  return lines;
}

function readIfExists(path: string): Uint8Array | undefined {
  try {
    return Deno.readFileSync(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw error;
  }
}

/**
 * The rows of one file, or why it is not a scalars table. A missing or
 * empty file has no rows; a last line without its line end (a run still
 * writing, or one killed while it wrote) is left out, as
 * `LogReader#loadScalars` leaves it.
 */
function fileRows(
  run: number,
  runId: string,
  path: string,
): FileRows | { reason: string } | undefined {
  const bytes = readIfExists(path);
  if (bytes === undefined || bytes.length === 0) return undefined;
  const headerEnd = bytes.indexOf(LINE_FEED);
  const header = decoder.decode(bytes.subarray(0, headerEnd === -1 ? 80 : headerEnd))
    .replace(/\r$/, "");
  // A file whose header is still being written has no rows yet.
  if (header !== HEADER && !(headerEnd === -1 && HEADER.startsWith(header))) {
    return {
      reason: `its header is ${JSON.stringify(header.slice(0, 80))}, expected "${HEADER}"`,
    };
  }
  if (headerEnd === -1) return undefined;
  const body = bytes.subarray(headerEnd + 1, bytes.lastIndexOf(LINE_FEED) + 1);
  const rows = countLines(body);
  return rows === 0 ? undefined : { run, runId, path, body, rows };
}

type Polars = Awaited<ReturnType<typeof loadPolars>>;

/**
 * Parses the files of one batch into a frame with their run's position in
 * `_run`, or throws when Polars cannot read them as scalars tables.
 */
function parseBatch(pl: Polars, files: readonly FileRows[]): DataFrame {
  let bytes = 0;
  let rows = 0;
  for (const file of files) {
    bytes += file.body.length;
    rows += file.rows;
  }
  const text = new Uint8Array(bytes);
  const runs = new Uint32Array(rows);
  let at = 0;
  let row = 0;
  for (const file of files) {
    text.set(file.body, at);
    at += file.body.length;
    runs.fill(file.run, row, row + file.rows);
    row += file.rows;
  }
  const schema = { step: pl.Int64, name: pl.String, value: pl.Float64, time: pl.Float64 };
  const frame = pl.readCSV(Buffer.from(text.buffer, 0, bytes), { hasHeader: false, schema });
  if (frame.height !== rows) {
    // A quoted field across lines, which Logbook never writes.
    throw new Error(`it holds ${frame.height} rows in ${rows} lines, expected one row a line`);
  }
  // Polars reads a short line with its missing fields empty; Logbook writes all four.
  if ((frame.nullCount().row(0) as number[]).some((count) => count > 0)) {
    throw new Error("a line has an empty or missing field");
  }
  return frame.withColumn(pl.Series("_run", runs));
}

function reasonOf(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split("\n")[0];
}

/**
 * The frame of a batch; when Polars cannot read it, each file is tried on
 * its own, those it cannot read are reported and the rest are parsed.
 */
function parseOrSift(
  pl: Polars,
  files: readonly FileRows[],
  onCorrupt: (file: CorruptScalars) => void,
): DataFrame | undefined {
  if (files.length === 0) return undefined;
  try {
    return parseBatch(pl, files);
  } catch (error) {
    if (files.length === 1) {
      const [{ runId, path }] = files;
      onCorrupt({
        runId,
        path,
        reason: `it is not a CSV table of ${HEADER.replaceAll(",", ", ")} (${reasonOf(error)})`,
      });
      return undefined;
    }
  }
  const good = files.filter((file) => parseOrSift(pl, [file], onCorrupt) !== undefined);
  return good.length === 0 ? undefined : parseBatch(pl, good);
}

/**
 * The scalars of the runs `runIds` (directories `<runsDir>/log_<id>`) as one
 * frame: `_run` (the run's position in `runIds`, UInt32), `step`, `name`,
 * `value`, `time`; runs in order, each run's rows in file order. Runs
 * without scalars contribute nothing; files that are not scalars tables go
 * to `onCorrupt` and are left out. `names` keeps only those series.
 */
export async function readScalarFiles(
  runsDir: string,
  runIds: readonly string[],
  names: readonly string[] | undefined,
  onCorrupt: (file: CorruptScalars) => void,
): Promise<DataFrame> {
  const pl = await loadPolars();
  const frames: DataFrame[] = [];
  let batch: FileRows[] = [];
  let bytes = 0;
  const flush = () => {
    let frame = parseOrSift(pl, batch, onCorrupt);
    batch = [];
    bytes = 0;
    if (frame === undefined) return;
    if (names !== undefined) frame = frame.filter(pl.col("name").isIn(names));
    frames.push(frame);
  };
  runIds.forEach((runId, run) => {
    const path = join(runsDir, `log_${runId}`, "data", "scalars.csv");
    const file = fileRows(run, runId, path);
    if (file === undefined) return;
    if ("reason" in file) {
      onCorrupt({ runId, path, reason: file.reason });
      return;
    }
    batch.push(file);
    bytes += file.body.length;
    if (bytes >= BATCH_BYTES) flush();
  });
  flush();
  if (frames.length === 0) {
    return pl.DataFrame({
      step: pl.Series("step", [], pl.Int64),
      name: pl.Series("name", [], pl.String),
      value: pl.Series("value", [], pl.Float64),
      time: pl.Series("time", [], pl.Float64),
      _run: pl.Series("_run", [], pl.UInt32),
    });
  }
  return pl.concat(frames, { how: "vertical", rechunk: false });
}
