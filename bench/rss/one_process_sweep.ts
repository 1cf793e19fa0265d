// Copyright 2026 the notata authors. MIT license.
// One process, one long sweep, for the RSS row (see bench/rss.ts). Args:
// <library|baseline> <dir> <runs>. Runs a tenth of the sweep, samples the
// heap after a forced GC, runs the rest in another experiment of the same
// process, then prints one JSON line: the RSS at the end (before any forced
// GC: what a scheduler's memory limit sees), the peak RSS, and the heap
// after a forced GC at both points.
import { join } from "@std/path";
import { baselineSweep, librarySweep } from "../sweep.ts";
import { collectGarbage } from "../_harness.ts";

const [side, dir, runsText] = Deno.args;
const runs = Number(runsText);
const sweep = side === "library" ? librarySweep : baselineSweep;
const MB = 1024 * 1024;

// The kernel's high-water mark of this process's RSS, in MB, where /proc has it.
function peakRssMb(): number | null {
  try {
    const match = Deno.readTextFileSync("/proc/self/status").match(/^VmHWM:\s+(\d+) kB$/m);
    return match === null ? null : Number(match[1]) / 1024;
  } catch {
    return null;
  }
}

const first = Math.round(runs / 10);
sweep(join(dir, "first"), first);
collectGarbage();
const heapEarlyMb = Deno.memoryUsage().heapUsed / MB;
sweep(join(dir, "rest"), runs - first);
const rssMb = Deno.memoryUsage().rss / MB;
const peakMb = peakRssMb();
const gcForced = collectGarbage();
const heapEndMb = Deno.memoryUsage().heapUsed / MB;
console.log(JSON.stringify({ runs, first, rssMb, peakMb, heapEarlyMb, heapEndMb, gcForced }));
