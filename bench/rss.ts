// Copyright 2026 the notata authors. MIT license.
// RSS of one long sweep: a process that runs 200,000 runs (a full run)
// through the library, against a process that writes the same files with
// raw Deno calls (bench/sweep.ts's baseline). Each side is a fresh process
// (bench/rss/one_process_sweep.ts), so neither inherits the other's memory,
// and the library's includes its watchdog thread.

import { fromFileUrl } from "@std/path";
import { alternate, formatNumber, inFreshDir, progress, type Row } from "./_harness.ts";
import type { BenchContext } from "./_context.ts";

const ROOT = fromFileUrl(new URL("../", import.meta.url));
const IMPORT_MAP = fromFileUrl(new URL("../import_map.npm.json", import.meta.url));
const SCRIPT = fromFileUrl(new URL("./rss/one_process_sweep.ts", import.meta.url));

/** What one sweep process reports. */
interface SweepMemory {
  runs: number;
  first: number;
  rssMb: number;
  peakMb: number | null;
  heapEarlyMb: number;
  heapEndMb: number;
  gcForced: boolean;
}

// How a sweep process is granted access: everything (the scratch dir is on
// /dev/shm, which Deno grants only to --allow-all), or only its own
// directory, as the README recommends (on disk, for the same reason).
type Access = "all" | "scoped";

// Synchronous: inFreshDir removes the directory when its function returns.
function sweepProcess(
  side: "library" | "baseline",
  root: string,
  runs: number,
  access: Access,
): SweepMemory {
  const output = inFreshDir(root, (dir) =>
    new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        ...(access === "all" ? ["-A"] : [`--allow-read=${dir}`, `--allow-write=${dir}`]),
        `--import-map=${IMPORT_MAP}`,
        "--v8-flags=--expose-gc",
        SCRIPT,
        side,
        dir,
        String(runs),
      ],
      cwd: ROOT,
      env: { NO_COLOR: "1" },
      stdin: "null",
    }).outputSync());
  const text = new TextDecoder().decode(output.stdout).trim();
  if (!output.success) {
    throw new Error(
      `Cannot measure RSS: the ${side} sweep exited with ${output.code}: ${
        new TextDecoder().decode(output.stderr).trim().split("\n").slice(0, 3).join(" ")
      }`,
    );
  }
  return JSON.parse(text.split("\n").at(-1)!);
}

/**
 * The RSS rows: `rss` with every permission on the fast scratch dir, and
 * `rss_scoped` with read and write access to the sweep's own directory only,
 * on disk, with a tenth of the runs (each run's final metadata is flushed to
 * the disk there).
 */
export async function rssRows(ctx: BenchContext): Promise<Row[]> {
  return [
    await rssRow("all", ctx.scratch.fast, ctx.sizes.rssRuns),
    await rssRow("scoped", ctx.scratch.disk, Math.round(ctx.sizes.rssRuns / 10)),
  ];
}

async function rssRow(
  access: Access,
  root: string,
  runs: number,
): Promise<Row> {
  const measured: { library?: SweepMemory; baseline?: SweepMemory } = {};
  progress(`RSS (${access} permissions): two processes of ${runs} runs each`);
  // Library first, as in the even repetitions of the other rows.
  await alternate(
    1,
    () => (measured.library = sweepProcess("library", root, runs, access)).rssMb,
    () => (measured.baseline = sweepProcess("baseline", root, runs, access)).rssMb,
  );
  const library = measured.library!;
  const baseline = measured.baseline!;
  const ratio = library.rssMb / baseline.rssMb;
  const heapRatio = library.heapEndMb / library.heapEarlyMb;
  const peak = (memory: SweepMemory) =>
    memory.peakMb === null ? "n/a" : `${formatNumber(memory.peakMb)} MB`;
  return {
    id: access === "all" ? "rss" : "rss_scoped",
    name: `RSS after a ${runs.toLocaleString("en-US")}-run sweep in one process${
      access === "all" ? "" : ", permissions scoped to its directory"
    }`,
    unit: "MB",
    library: library.rssMb,
    baseline: baseline.rssMb,
    ratio,
    ratioKind: "memory",
    target: "≤ 2×, heap flat",
    pass: ratio <= 2 && heapRatio <= 1.25,
    notes: `${
      access === "all"
        ? "-A on the fast scratch dir"
        : "--allow-read and --allow-write of its own directory only, on disk"
    }; each side a fresh process running the sweep of the sweep row (library: exp.add, one info, one json, dispose; baseline: raw Deno calls); RSS at the end before any forced GC; peak RSS library ${
      peak(library)
    }, baseline ${peak(baseline)}; library heap used after a forced GC ${
      formatNumber(library.heapEarlyMb)
    } MB at ${library.first.toLocaleString("en-US")} runs, ${
      formatNumber(library.heapEndMb)
    } MB at ${runs.toLocaleString("en-US")} (${heapRatio.toFixed(2)}×, target ≤ 1.25×)${
      library.gcForced ? "" : " (no --expose-gc: without a forced GC)"
    }`,
    extra: {
      runs,
      libraryPeakMb: library.peakMb ?? NaN,
      baselinePeakMb: baseline.peakMb ?? NaN,
      libraryHeapEarlyMb: library.heapEarlyMb,
      libraryHeapEndMb: library.heapEndMb,
      heapRatio,
      baselineHeapEndMb: baseline.heapEndMb,
    },
  };
}
