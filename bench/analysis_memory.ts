// Copyright 2026 the notata authors. MIT license.
// Child process of the scalars-memory row (bench/analysis.ts):
// `analysis_memory.ts <experiment dir> library|baseline` builds the long
// scalars frame one way and prints, as JSON, its rows, the V8 heap in use
// after a forced GC while the frame is still held, and the process's peak
// resident memory (VmHWM).

import { baselineScalars, libraryScalars } from "./analysis.ts";
import { collectGarbage } from "./_harness.ts";

const MB = 1024 * 1024;

function peakRssMb(): number {
  const status = Deno.readTextFileSync("/proc/self/status");
  const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? NaN);
  return kb / 1024;
}

if (import.meta.main) {
  const [dir, side] = Deno.args;
  const pl = (await import("nodejs-polars")).default;
  const frame = side === "library" ? await libraryScalars(dir) : baselineScalars(pl, dir);
  collectGarbage();
  console.log(JSON.stringify({
    rows: frame.height,
    heapMb: Deno.memoryUsage().heapUsed / MB,
    peakRssMb: peakRssMb(),
  }));
}
