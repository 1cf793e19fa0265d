// Copyright 2026 the notata authors. MIT license.
// A sweep to report on, as the report tests and the notebook test need it:
// complete, failed, crashed and running runs, scalar series, a PNG plot, a
// Vega-Lite plot saved as SVG, and an SVG that carries a script.

import { zlibSync } from "fflate";
import { join } from "@std/path";
import { Experiment } from "../mod.ts";

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) crc = CRC_TABLE[(crc ^ byte) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  out.set(new TextEncoder().encode(type), 4);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

/** A `width` × `height` RGB PNG with a diagonal gradient. */
export function gradientPng(width: number, height: number): Uint8Array {
  const header = new Uint8Array(13);
  const view = new DataView(header.buffer);
  view.setUint32(0, width);
  view.setUint32(4, height);
  header.set([8, 2, 0, 0, 0], 8); // 8-bit RGB, no interlace
  const raw = new Uint8Array(height * (1 + width * 3));
  for (let y = 0; y < height; y++) {
    const row = y * (1 + width * 3);
    for (let x = 0; x < width; x++) {
      raw.set([(x * 255) / width, (y * 255) / height, 160], row + 1 + x * 3);
    }
  }
  const parts = [
    Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a),
    chunk("IHDR", header),
    chunk("IDAT", zlibSync(raw)),
    chunk("IEND", new Uint8Array()),
  ];
  const png = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    png.set(part, offset);
    offset += part.length;
  }
  return png;
}

/** An SVG plot with a script and an event handler, which a report must not run. */
export const SCRIPTED_SVG = `<svg xmlns="http://www.w3.org/2000/svg" width="120" height="60" ` +
  `onload="document.title='pwned'"><script>document.title = 'pwned';` +
  `fetch('https://example.com/leak');</script>` +
  `<rect width="120" height="60" fill="#8c8"/><image href="https://example.com/x.png" ` +
  `width="10" height="10"/></svg>`;

/**
 * Writes a run directory as a process killed mid-run leaves it, owned by
 * `pid` on this host: `initialized`, with params and a log line.
 */
export function writeUnfinishedRun(
  exp: Experiment,
  runId: string,
  params: Record<string, number>,
  pid: number,
): void {
  const dir = join(exp.runsDir, `log_${runId}`);
  Deno.mkdirSync(join(dir, "artifacts"), { recursive: true });
  Deno.writeTextFileSync(join(dir, "params.json"), JSON.stringify(params));
  const start = new Date().toISOString();
  Deno.writeTextFileSync(
    join(dir, "metadata.json"),
    JSON.stringify({
      run_id: runId,
      status: "initialized",
      start_time: start,
      end_time: null,
      pid,
      hostname: Deno.hostname(),
    }),
  );
  Deno.writeTextFileSync(join(dir, "log.txt"), `[${start}] INFO started\n`);
}

/** The pid of a process that has exited. */
export async function deadPid(): Promise<number> {
  const child = new Deno.Command("true").spawn();
  await child.status;
  return child.pid;
}

/**
 * The oscillator sweep of the demo, with what a report shows: omega × dt,
 * an energy series per run, plots on the first run (PNG, Vega-Lite SVG,
 * an SVG with a script), one failed run, one crashed run and, when
 * `running` is set, one run whose owner (this process) is alive.
 */
export async function reportSweep(baseDir: string, running = false): Promise<Experiment> {
  const exp = new Experiment("oscillator", { baseDir });
  let first = true;
  for (const omega of [1, 2, 3]) {
    for (const dt of [0.001, 0.002]) {
      using log = exp.add({ omega, dt, steps: 50 })!;
      log.info(`integrating omega=${omega} dt=${dt}`);
      for (let step = 0; step < 50; step++) {
        log.scalar("energy", 0.5 * omega ** 2 * (1 + dt * step * (omega === 3 ? 40 : 1)), {
          step,
        });
        log.scalar("x", Math.cos(omega * step * 0.1), { step });
      }
      if (first) {
        first = false;
        log.plot("gradient", gradientPng(64, 32));
        await log.plot("trajectory", {
          $schema: "https://vega.github.io/schema/vega-lite/v6.json",
          data: {
            values: Array.from({ length: 20 }, (_, t) => ({ t, x: Math.cos(omega * t * 0.3) })),
          },
          mark: "line",
          encoding: {
            x: { field: "t", type: "quantitative" },
            y: { field: "x", type: "quantitative" },
          },
        });
        log.plot("scripted", SCRIPTED_SVG);
      }
      if (omega === 3 && dt === 0.002) {
        log.error("energy grew 40-fold");
        log.markFailed("diverged: energy grew 40-fold");
        continue;
      }
      const drift = dt * omega * (omega === 3 ? 40 : 1);
      log.json("metrics", { final_energy: 0.5 * omega ** 2 * (1 + drift), energy_drift: drift });
    }
  }
  writeUnfinishedRun(
    exp,
    "oscillator_crashed",
    { omega: 4, dt: 0.001, steps: 50 },
    await deadPid(),
  );
  if (running) {
    writeUnfinishedRun(exp, "oscillator_running", { omega: 5, dt: 0.001, steps: 50 }, Deno.pid);
  }
  return exp;
}

/**
 * Experiment "seeds" under `baseDir`, returning its directory: omega 1 with
 * seeds 1-3 and omega 2 with seeds 1-2 complete, and omega 1 seed 4 failed.
 * Metric `final` = 10·omega + seed; series `energy` = omega·seed + step,
 * steps 0 and 1. The failed run has 999 for both.
 */
export function seedSweep(baseDir: string): string {
  const exp = new Experiment("seeds", { baseDir });
  for (const [omega, seeds] of [[1, [1, 2, 3]], [2, [1, 2]]] as const) {
    for (const seed of seeds) {
      using log = exp.add({ omega, seed })!;
      for (const step of [0, 1]) log.scalar("energy", omega * seed + step, { step });
      log.json("metrics", { final: 10 * omega + seed });
    }
  }
  using failed = exp.add({ omega: 1, seed: 4 })!;
  failed.scalar("energy", 999);
  failed.json("metrics", { final: 999 });
  failed.markFailed("diverged");
  return exp.dir;
}
