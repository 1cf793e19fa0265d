// Copyright 2026 the notata authors. MIT license.
// Line throughput: `log.info` and `log.scalar`, against formatting the same
// lines by hand into a 64 KiB buffer written with one `writeSync` when full.

import { join } from "@std/path";
import { Logbook } from "../mod.ts";
import {
  alternate,
  formatNumber,
  inFreshDir,
  pairedRow,
  progress,
  type Row,
  secondsSince,
} from "./_harness.ts";
import type { BenchContext } from "./_context.ts";

const BUFFER_BYTES = 64 * 1024;
const encoder = new TextEncoder();

/**
 * Appends the lines `format(0)` ... `format(count - 1)` to `path` through a
 * 64 KiB buffer, one `writeSync` per full buffer; returns lines/s.
 */
function bufferedLines(path: string, count: number, format: (i: number) => string): number {
  const start = performance.now();
  using file = Deno.openSync(path, { append: true, create: true });
  const buffer = new Uint8Array(BUFFER_BYTES);
  let used = 0;
  const flush = () => {
    let offset = 0;
    while (offset < used) offset += file.writeSync(buffer.subarray(offset, used));
    used = 0;
  };
  for (let i = 0; i < count; i++) {
    const line = format(i);
    let result = encoder.encodeInto(line, buffer.subarray(used));
    if (result.read < line.length) {
      flush();
      result = encoder.encodeInto(line, buffer);
    }
    used += result.written;
  }
  flush();
  return count / secondsSince(start);
}

function message(i: number): string {
  return `step ${i}: energy within tolerance`;
}

function libraryInfo(dir: string, count: number): number {
  const log = new Logbook("lines", { baseDir: dir });
  const start = performance.now();
  for (let i = 0; i < count; i++) log.info(message(i));
  log.markComplete();
  return count / secondsSince(start);
}

function baselineInfo(dir: string, count: number): number {
  return bufferedLines(
    join(dir, "log.txt"),
    count,
    (i) => `[${new Date().toISOString()}] INFO ${message(i)}\n`,
  );
}

function scalarValue(i: number): number {
  return 0.5 + i * 1e-6;
}

function libraryScalar(dir: string, count: number): number {
  const log = new Logbook("scalars", { baseDir: dir });
  const start = performance.now();
  for (let i = 0; i < count; i++) log.scalar("energy", scalarValue(i), { step: i });
  log.markComplete();
  return count / secondsSince(start);
}

function baselineScalar(dir: string, count: number): number {
  const path = join(dir, "scalars.csv");
  const start = performance.now();
  Deno.writeTextFileSync(path, "step,name,value,time\n");
  const rate = bufferedLines(
    path,
    count,
    (i) => `${i},energy,${scalarValue(i)},${((performance.now() - start) / 1000).toFixed(6)}\n`,
  );
  return rate;
}

async function lineRow(
  ctx: BenchContext,
  fields: { id: string; name: string; notes: string },
  library: (dir: string, count: number) => number,
  baseline: (dir: string, count: number) => number,
): Promise<Row> {
  const { lines, lineRepeats } = ctx.sizes;
  const root = ctx.scratch.fast;
  const warmUp = Math.min(lines, 20_000);
  inFreshDir(root, (dir) => library(dir, warmUp));
  inFreshDir(root, (dir) => baseline(dir, warmUp));
  const paired = await alternate(
    lineRepeats,
    () => inFreshDir(root, (dir) => library(dir, lines)),
    () => inFreshDir(root, (dir) => baseline(dir, lines)),
  );
  progress(
    `${fields.id}: library ${paired.library.map((rate) => formatNumber(rate)).join(", ")}/s`,
  );
  return pairedRow(
    {
      ...fields,
      unit: "lines/s",
      ratioKind: "throughput",
      target: "≥ 0.5×",
      notes: `${fields.notes}; median of ${lineRepeats} alternated repetitions`,
      extra: { lines },
    },
    paired,
    (ratio) => ratio >= 0.5,
  );
}

/** The `log.info` and `log.scalar` rows. */
export async function logLineRows(ctx: BenchContext): Promise<Row[]> {
  const count = ctx.sizes.lines.toLocaleString("en-US");
  return [
    await lineRow(
      ctx,
      {
        id: "log_info",
        name: `log.info, ${count} lines`,
        notes:
          "baseline: the same timestamped lines formatted by hand, encoded into a 64 KiB buffer, one writeSync per full buffer",
      },
      libraryInfo,
      baselineInfo,
    ),
    await lineRow(
      ctx,
      {
        id: "log_scalar",
        name: `log.scalar, ${count} calls`,
        notes:
          "baseline: the same CSV rows step,name,value,time formatted by hand, encoded into a 64 KiB buffer, one writeSync per full buffer",
      },
      libraryScalar,
      baselineScalar,
    ),
  ];
}
