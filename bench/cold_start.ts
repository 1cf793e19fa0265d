// Copyright 2026 the notata authors. MIT license.
// Cold start: `deno run` of a script that imports mod.ts and logs one run,
// against `deno run` of a script that writes one file. The library script
// gets only --allow-read and --allow-write on its output directory: loading
// Polars would need --allow-ffi, --allow-sys and --allow-env, so its success
// shows that logging does not load Polars.

import { fromFileUrl } from "@std/path";
import { alternate, median, pairedRow, progress, removeTree, type Row } from "./_harness.ts";
import type { BenchContext } from "./_context.ts";

const ROOT = fromFileUrl(new URL("../", import.meta.url));
const IMPORT_MAP = fromFileUrl(new URL("../import_map.npm.json", import.meta.url));
const LIBRARY_SCRIPT = fromFileUrl(new URL("./cold/log_one_run.ts", import.meta.url));
const BASELINE_SCRIPT = fromFileUrl(new URL("./cold/write_one_file.ts", import.meta.url));
// The parts of the library script's time, each measured beside the others.
const IMPORT_SCRIPT = fromFileUrl(new URL("./cold/import_only.ts", import.meta.url));
const WATCHDOG_SCRIPT = fromFileUrl(new URL("./cold/watchdog_only.ts", import.meta.url));

/** The issue's target: the library script at most this much slower than the baseline. */
const TARGET_MS = 40;

interface Spawned {
  ms: number;
  code: number;
  stderr: string;
}

async function denoRun(root: string, script: string): Promise<Spawned> {
  const dir = Deno.makeTempDirSync({ dir: root });
  try {
    const command = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        `--import-map=${IMPORT_MAP}`,
        "--no-prompt",
        `--allow-read=${dir}`,
        `--allow-write=${dir}`,
        script,
        dir,
      ],
      cwd: ROOT,
      env: { NO_COLOR: "1" },
      stdin: "null",
      stdout: "null",
      stderr: "piped",
    });
    const start = performance.now();
    const { code, stderr } = await command.output();
    return { ms: performance.now() - start, code, stderr: new TextDecoder().decode(stderr) };
  } finally {
    removeTree(dir);
  }
}

/** The cold-start row. */
export async function coldStartRows(ctx: BenchContext): Promise<Row[]> {
  const { coldRepeats } = ctx.sizes;
  // Not the fast dir: the scripts get scoped permissions, and Deno grants
  // paths under /dev only to --allow-all.
  const root = ctx.scratch.disk;
  const failures: string[] = [];
  const run = async (script: string) => {
    const result = await denoRun(root, script);
    if (result.code !== 0) failures.push(result.stderr.trim().split("\n").slice(0, 3).join(" "));
    return result.ms;
  };
  // Untimed warm-up: Deno's caches (transpiled modules, npm resolution) fill.
  for (const script of [LIBRARY_SCRIPT, BASELINE_SCRIPT, IMPORT_SCRIPT, WATCHDOG_SCRIPT]) {
    await run(script);
  }
  const parts = { importMs: [] as number[], watchdogMs: [] as number[] };
  const paired = await alternate(
    coldRepeats,
    async () => {
      parts.importMs.push(await run(IMPORT_SCRIPT));
      return run(LIBRARY_SCRIPT);
    },
    async () => {
      parts.watchdogMs.push(await run(WATCHDOG_SCRIPT));
      return run(BASELINE_SCRIPT);
    },
  );
  const row = pairedRow(
    {
      id: "cold_start",
      name: "cold start, deno run: log one run",
      unit: "ms",
      ratioKind: "time",
      target: `Δ ≤ +${TARGET_MS} ms; no Polars`,
      notes: "",
      extra: {},
    },
    paired,
    (_ratio, library) => failures.length === 0 && library - median(paired.baseline) <= TARGET_MS,
  );
  const difference = row.library - row.baseline;
  const importDifference = median(parts.importMs) - row.baseline;
  const watchdogDifference = median(parts.watchdogMs) - row.baseline;
  row.extra.differenceMs = difference;
  row.extra.importDifferenceMs = importDifference;
  row.extra.watchdogDifferenceMs = watchdogDifference;
  row.extra.importRuns = parts.importMs;
  row.extra.watchdogRuns = parts.watchdogMs;
  row.extra.polarsLoaded = failures.length > 0;
  const signed = (ms: number) => `${ms >= 0 ? "+" : ""}${ms.toFixed(0)} ms`;
  row.notes = `Δ = ${
    signed(difference)
  } over a script that writes one file; importing mod.ts alone costs ${
    signed(importDifference)
  } and starting the watchdog thread alone (importing only its modules) ${
    signed(watchdogDifference)
  }; ${
    failures.length === 0
      ? "the library script ran without --allow-ffi, --allow-sys and --allow-env: Polars was not loaded"
      : `a script failed without --allow-ffi/--allow-sys/--allow-env: ${failures[0]}`
  }; median of ${coldRepeats} alternated pairs after a warm-up`;
  progress(`cold start: library ${paired.library.map((ms) => ms.toFixed(0)).join(", ")} ms`);
  return [row];
}
