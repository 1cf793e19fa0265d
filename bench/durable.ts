// Copyright 2026 the notata authors. MIT license.
// The cost of durable atomic writes (a run's final metadata.json, index
// rewrites): fdatasync before the rename and a directory fsync after, against
// the same atomic write without them, on disk and on the fast scratch dir;
// and of a durable new run directory (params.json flushed before the staged
// rename), against the same staging without flushes.

import { join } from "@std/path";
import { temporaryName, writeFileAtomic } from "../src/_files.ts";
import { createRunDirectory } from "../src/_run/directory.ts";
import type { BenchContext } from "./_context.ts";
import { alternate, pairedRow, removeTree, type Row } from "./_harness.ts";

// A final metadata.json is about this size.
const METADATA = JSON.stringify({
  run_id: "x".repeat(40),
  status: "complete",
  pad: "y".repeat(200),
});
const WRITES = 100;

function writesPerSecond(dir: string, durable: boolean): number {
  const start = performance.now();
  for (let i = 0; i < WRITES; i++) {
    writeFileAtomic(join(dir, `metadata_${i % 10}.json`), METADATA, { durable });
  }
  return WRITES / ((performance.now() - start) / 1000);
}

const RUN_CONTENTS = {
  params: JSON.stringify({ omega: 1, dt: 1e-3 }),
  metadata: METADATA,
  subdirs: ["artifacts"],
};
const RUNS = 50;
let runsMade = 0;

// New run directories in `dir`/runs, made by the library (durable) or by the
// same staging with raw calls and no flush.
function runDirectoriesPerSecond(dir: string, durable: boolean): number {
  const start = performance.now();
  for (let i = 0; i < RUNS; i++) {
    const path = join(dir, "runs", `log_${runsMade++}`);
    if (durable) {
      createRunDirectory("bench", dir, path, RUN_CONTENTS);
      continue;
    }
    const stage = temporaryName(join(dir, ".log"));
    Deno.mkdirSync(stage);
    Deno.writeTextFileSync(join(stage, "params.json"), RUN_CONTENTS.params);
    Deno.writeTextFileSync(join(stage, "metadata.json"), RUN_CONTENTS.metadata);
    Deno.mkdirSync(join(stage, "artifacts"));
    Deno.renameSync(stage, path);
  }
  return RUNS / ((performance.now() - start) / 1000);
}

/** Row `durable_run_disk`: new run directories, durable vs without flushes, on disk. */
async function durableRunRow(ctx: BenchContext): Promise<Row> {
  const repeats = ctx.sizes.diskRepeats + 2;
  const dir = Deno.makeTempDirSync({ dir: ctx.scratch.disk });
  try {
    Deno.mkdirSync(join(dir, "runs"));
    const paired = await alternate(
      repeats,
      () => runDirectoriesPerSecond(dir, true),
      () => runDirectoriesPerSecond(dir, false),
    );
    return pairedRow(
      {
        id: "durable_run_disk",
        name: "durable new run directory on disk",
        unit: "runs/s",
        ratioKind: "throughput",
        target: "report",
        notes:
          `baseline: the same staged directory (params.json, metadata.json, artifacts/, rename) without flushes; ${RUNS} runs, median of ${repeats}`,
        extra: { runs: RUNS, dir: ctx.scratch.disk },
      },
      paired,
      () => null,
    );
  } finally {
    removeTree(dir);
  }
}

/**
 * Rows `durable_write_disk` and `durable_write_fast` (durable vs plain
 * atomic writes) and `durable_run_disk`.
 */
export async function durableWriteRows(ctx: BenchContext): Promise<Row[]> {
  const repeats = ctx.sizes.diskRepeats + 2;
  const rows: Row[] = [];
  const places = [
    ["durable_write_disk", "on disk", ctx.scratch.disk],
    ["durable_write_fast", `on ${ctx.scratch.fastKind}`, ctx.scratch.fast],
  ];
  for (const [id, label, where] of places) {
    const dir = Deno.makeTempDirSync({ dir: where });
    try {
      const paired = await alternate(
        repeats,
        () => writesPerSecond(dir, true),
        () => writesPerSecond(dir, false),
      );
      rows.push(pairedRow(
        {
          id,
          name: `durable atomic write (fsync) ${label}`,
          unit: "writes/s",
          ratioKind: "throughput",
          target: "report",
          notes:
            `baseline: the same atomic write without fsync; ${WRITES} writes, median of ${repeats}`,
          extra: { writes: WRITES, dir: where },
        },
        paired,
        () => null,
      ));
    } finally {
      removeTree(dir);
    }
  }
  rows.push(await durableRunRow(ctx));
  return rows;
}
