// Copyright 2026 the notata authors. MIT license.
// The watchdog thread's table of shared slots: runs reuse its slots (no
// shared memory or message per run), it grows when more files are open at
// once than it holds, and the thread starts under the narrowest permissions
// (its code travels in the data: module that starts it).
import { assert, assertEquals, assertStringIncludes } from "@std/assert";
import { join } from "@std/path";
import { Experiment, Logbook, LogReader } from "../mod.ts";
import { IndexCsv } from "../src/_index/csv.ts";
import { slots } from "../src/_watchdog_slots.ts";
import {
  type FixtureResult,
  readJsonFile,
  signalChild,
  sleep,
  spawnFixture,
  waitForLine,
} from "./_subprocess.ts";

/** Longer than the watchdog's write-out interval. */
const FLUSH_WAIT_MS = 1_500;

Deno.test("a sweep's runs reuse the watchdog's slots: no shared memory is made after the first run", () => {
  const baseDir = Deno.makeTempDirSync();
  try {
    const exp = new Experiment("reuse", { baseDir });
    const sweep = (from: number, to: number) => {
      for (let i = from; i < to; i++) {
        using log = exp.add({ i })!;
        log.scalar("x", i);
        log.json("metrics", { square: i * i });
      }
    };
    sweep(0, 1);
    const chunks = slots.chunks.length;
    assert(chunks > 0);
    sweep(1, 200);
    assertEquals(slots.chunks.length, chunks);
    assertEquals(new IndexCsv(exp.dir).rows().length, 200);
    const log = Deno.readTextFileSync(join(exp.runsDir, `log_${exp.runId({ i: 199 })}`, "log.txt"));
    assertStringIncludes(log, " INFO Run complete in ");
  } finally {
    Deno.removeSync(baseDir, { recursive: true });
  }
});

Deno.test("more files open at once than the table holds, and a path too long for a slot, still get their lines written by the watchdog", async () => {
  const baseDir = Deno.makeTempDirSync();
  try {
    // Six components of 100 characters: longer than a regular slot's description allows.
    const deepDir = join(baseDir, ...Array.from({ length: 6 }, (_, i) => String(i).repeat(100)));
    Deno.mkdirSync(deepDir, { recursive: true });
    const chunks = slots.chunks.length;
    const runs = Array.from(
      { length: 12 },
      (_, i) => new Logbook(`open_${i}`, { baseDir: i === 0 ? deepDir : baseDir }),
    );
    try {
      for (const [i, run] of runs.entries()) {
        run.info(`line of run ${i}`);
        run.scalar("energy", i);
      }
      assert(slots.chunks.length > chunks, "the table grew");
      // No flush: only the watchdog thread writes the lines out now.
      await sleep(FLUSH_WAIT_MS);
      for (const [i, run] of runs.entries()) {
        assertStringIncludes(
          Deno.readTextFileSync(join(run.path, "log.txt")),
          ` INFO line of run ${i}\n`,
        );
        const scalars = Deno.readTextFileSync(join(run.path, "data", "scalars.csv"));
        assertEquals(scalars.split("\n")[1]?.split(",").slice(0, 3), ["0", "energy", String(i)]);
      }
    } finally {
      for (const run of runs) run.markComplete();
    }
    for (const run of runs) assertEquals(new LogReader(run.path).status, "complete");
  } finally {
    Deno.removeSync(baseDir, { recursive: true });
  }
});

/**
 * Starts the interrupted_run.ts fixture in `mode` with access to `baseDir`
 * only (and the `extra` permissions), and sends SIGTERM.
 */
async function terminateScoped(
  baseDir: string,
  mode: string,
  extra: string[] = [],
): Promise<FixtureResult> {
  const child = spawnFixture("interrupted_run.ts", [baseDir, mode], {
    permissions: [`--allow-read=${baseDir}`, `--allow-write=${baseDir}`, ...extra],
  });
  const { found, finish } = await waitForLine(child, "ready");
  if (found) await sleep(FLUSH_WAIT_MS);
  signalChild(child, "SIGTERM");
  const result = await finish();
  assert(found, `the fixture never got ready: ${result.stderr}`);
  assertEquals([result.signal, result.code], ["SIGTERM", 143], result.stderr);
  return result;
}

Deno.test("with only --allow-read and --allow-write on its directory, SIGTERM during a loop that never yields marks the run failed and exits by the signal", async () => {
  const baseDir = Deno.makeTempDirSync();
  try {
    await terminateScoped(baseDir, "sync");
    const dir = join(baseDir, "interrupted");
    const runDir = join(dir, "runs", "log_interrupted_omega_1");
    const meta = readJsonFile(join(runDir, "metadata.json"));
    assertEquals([meta.status, meta.failure_reason], ["failed", "interrupted (SIGTERM)"]);
    const lines = Deno.readTextFileSync(join(runDir, "log.txt")).trimEnd().split("\n");
    assertStringIncludes(lines.join("\n"), " INFO simulating");
    assert(lines.at(-1)!.endsWith("] ERROR Run failed: interrupted (SIGTERM)"), lines.at(-1));
    const scalars = Deno.readTextFileSync(join(runDir, "data", "scalars.csv"));
    assert(scalars.split("\n").length > 100, "the scalars of the first second are on disk");
    assertEquals(
      new IndexCsv(dir).rows().map((row) => [row.run_id, row.status, row.failure_reason]),
      [["interrupted_omega_1", "failed", "interrupted (SIGTERM)"]],
    );
  } finally {
    Deno.removeSync(baseDir, { recursive: true });
  }
});

// Under these permissions the thread cannot load the code that marks runs,
// and a main thread that never calls notata again cannot do it either: the
// run reads as crashed once the process is gone (its host recorded, so a
// reader here knows the pid is gone), with its lines on disk.
Deno.test("with only --allow-read and --allow-write on its directory, SIGTERM to a thread blocked in a computation writes its lines, exits by the signal and leaves the run crashed", async () => {
  const baseDir = Deno.makeTempDirSync();
  try {
    await terminateScoped(baseDir, "blocked", ["--allow-sys=hostname"]);
    const runDir = join(baseDir, "interrupted", "runs", "log_interrupted_omega_1");
    assertStringIncludes(Deno.readTextFileSync(join(runDir, "log.txt")), " INFO integrating\n");
    const scalars = Deno.readTextFileSync(join(runDir, "data", "scalars.csv"));
    assertEquals(scalars.split("\n")[1]?.split(",").slice(0, 3), ["0", "energy", "0.5"]);
    assertEquals(new LogReader(runDir).status, "crashed");
  } finally {
    Deno.removeSync(baseDir, { recursive: true });
  }
});
