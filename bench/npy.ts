// Copyright 2026 the notata authors. MIT license.
// `.npy` writes: `log.array` of a large Float64Array against
// `Deno.writeFileSync` of the same bytes.

import { join } from "@std/path";
import { Logbook } from "../mod.ts";
import { alternate, pairedRow, progress, removeTree, type Row, secondsSince } from "./_harness.ts";
import type { BenchContext } from "./_context.ts";

/** The `.npy` row. */
export async function npyRows(ctx: BenchContext): Promise<Row[]> {
  const { npyValues, npyRepeats } = ctx.sizes;
  const data = new Float64Array(npyValues);
  for (let i = 0; i < data.length; i++) data[i] = Math.sin(i);
  const bytes = new Uint8Array(data.buffer);
  const megabytes = bytes.length / 1e6;
  const dir = Deno.makeTempDirSync({ dir: ctx.scratch.fast });
  const log = new Logbook("npy", { baseDir: dir });
  let paired;
  try {
    // Untimed warm-up of both paths: JIT, and the file system's first allocation.
    Deno.removeSync(log.array("warm_up", data));
    Deno.writeFileSync(join(dir, "warm_up.bin"), bytes);
    Deno.removeSync(join(dir, "warm_up.bin"));
    paired = await alternate(
      npyRepeats,
      (r) => {
        const start = performance.now();
        const path = log.array(`values_${r}`, data);
        const seconds = secondsSince(start);
        const size = Deno.statSync(path).size;
        if (size < bytes.length) {
          throw new Error(`Cannot benchmark log.array: ${path} holds ${size} bytes, expected more`);
        }
        Deno.removeSync(path);
        return megabytes / seconds;
      },
      (r) => {
        const path = join(dir, `values_${r}.bin`);
        const start = performance.now();
        Deno.writeFileSync(path, bytes);
        const seconds = secondsSince(start);
        Deno.removeSync(path);
        return megabytes / seconds;
      },
    );
  } finally {
    log.markComplete();
    removeTree(dir);
  }
  progress(`npy: library ${paired.library.map((rate) => rate.toFixed(0)).join(", ")} MB/s`);
  return [
    pairedRow(
      {
        id: "npy",
        name: `.npy write, ${megabytes.toFixed(0)} MB Float64Array`,
        unit: "MB/s",
        ratioKind: "throughput",
        target: "≥ 0.8×",
        notes:
          `log.array(name, data) against Deno.writeFileSync of the same ${bytes.length} bytes; median of ${npyRepeats} alternated repetitions`,
        extra: { bytes: bytes.length },
      },
      paired,
      (ratio) => ratio >= 0.8,
    ),
  ];
}
