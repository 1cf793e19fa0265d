// Copyright 2026 the notata authors. MIT license.
// The cost of durable atomic writes (a run's final metadata.json, index
// rewrites): fdatasync before the rename and a directory fsync after, against
// the same atomic write without them, on disk and on the fast scratch dir.

import { join } from "@std/path";
import { writeFileAtomic } from "../src/_files.ts";
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

/** Rows `durable_write_disk` and `durable_write_fast`: durable vs plain atomic writes. */
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
  return rows;
}
