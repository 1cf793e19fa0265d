// Copyright 2026 the notata authors. MIT license.
import {
  assert,
  assertEquals,
  assertMatch,
  assertRejects,
  assertStringIncludes,
  assertThrows,
} from "@std/assert";
import { fromFileUrl, join } from "@std/path";
import {
  Experiment,
  grid,
  InvalidValueError,
  type Params,
  RunExistsError,
  type SweepSummary,
  TemporaryExperiment,
} from "../mod.ts";
import { formatDuration, type ProgressOutput, ProgressReporter } from "../src/_progress.ts";
import { resolveShard, shardItems } from "../src/_shard.ts";

const FIXTURE = fromFileUrl(new URL("./fixtures/sweep_shard.ts", import.meta.url));
const IMPORT_MAP = fromFileUrl(new URL("../import_map.npm.json", import.meta.url));
const QUIET = { progress: false } as const;

function readJson(path: string): Record<string, unknown> {
  return JSON.parse(Deno.readTextFileSync(path));
}

function runDirs(exp: Experiment): string[] {
  try {
    return [...Deno.readDirSync(exp.runsDir)].map((entry) => entry.name).sort();
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return [];
    throw error;
  }
}

function runMeta(exp: Experiment, params: Params): Record<string, unknown> {
  return readJson(join(exp.runsDir, `log_${exp.runId(params)}`, "metadata.json"));
}

/** index.csv as one object per row, keyed by the header. */
function indexRows(exp: Experiment): Record<string, string>[] {
  const [header, ...lines] = Deno.readTextFileSync(exp.indexPath).trim().split("\r\n");
  const names = header.split(",");
  return lines.map((line) => {
    const cells = line.split(",");
    return Object.fromEntries(names.map((name, i) => [name, cells[i]]));
  });
}

function summaryOf(counts: Partial<SweepSummary>, total: number): Omit<SweepSummary, "elapsedSec"> {
  return { total, done: 0, skipped: 0, failed: 0, crashedRerun: 0, runningElsewhere: 0, ...counts };
}

function withoutElapsed(summary: SweepSummary): Omit<SweepSummary, "elapsedSec"> {
  assert(summary.elapsedSec >= 0 && Number.isFinite(summary.elapsedSec));
  const { elapsedSec: _, ...rest } = summary;
  return rest;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// ---------------------------------------------------------------------------
// Sweeps in this process

Deno.test("sweep runs a synchronous fn for every grid point and indexes each run", async () => {
  using exp = new TemporaryExperiment("oscillator_sweep");
  const points = grid({ omega: [1, 2, 4], dt: [1e-3, 2e-3] }, { steps: 10 });
  const seen: Params[] = [];
  const summary = await exp.sweep(points, (log, params) => {
    seen.push(params);
    log.json("metrics", { energy: 0.5 * (params.omega as number) ** 2 });
  }, QUIET);
  assertEquals(withoutElapsed(summary), summaryOf({ done: 6 }, 6));
  assertEquals(seen, points); // concurrency 1 runs them in grid order
  assertEquals(runDirs(exp), points.map((params) => `log_${exp.runId(params)}`).sort());
  for (const params of points) assertEquals(runMeta(exp, params).status, "complete");
  const rows = indexRows(exp);
  assertEquals(rows.map((row) => row.run_id), points.map((params) => exp.runId(params)));
  assertEquals(rows.map((row) => row.energy), ["0.5", "0.5", "2", "2", "8", "8"]);
  assertEquals(rows.map((row) => row.status), Array(6).fill("complete"));
});

Deno.test("sweep with concurrency runs async fns at once, never more than asked", async () => {
  for (const concurrency of [1, 3]) {
    using exp = new TemporaryExperiment("async_sweep");
    let inFlight = 0;
    let maxInFlight = 0;
    const summary = await exp.sweep(grid({ seed: [0, 1, 2, 3, 4, 5, 6] }), async (log) => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await sleep(5);
      log.info("slept");
      inFlight--;
    }, { concurrency, progress: false });
    assertEquals(maxInFlight, concurrency);
    assertEquals(withoutElapsed(summary), summaryOf({ done: 7 }, 7));
    assertEquals(indexRows(exp).length, 7);
  }
});

Deno.test("sweep records failures, goes on, and finishes runs as using does", async () => {
  using exp = new TemporaryExperiment("failing");
  const points = grid({ omega: [1, 2, 3, 4] });
  const summary = await exp.sweep(points, async (log, params) => {
    await sleep(1);
    if (params.omega === 2) throw new RangeError("diverged at step 7");
    if (params.omega === 3) log.markFailed("gave up"); // marked by fn: not overridden
    if (params.omega === 4) throw "a string"; // non-Error throws are recorded too
  }, { concurrency: 2, progress: false });
  assertEquals(withoutElapsed(summary), summaryOf({ done: 1, failed: 3 }, 4));
  assertEquals(runMeta(exp, { omega: 1 }).status, "complete");
  const diverged = runMeta(exp, { omega: 2 });
  assertEquals(diverged.status, "failed");
  assertEquals(diverged.failure_reason, "diverged at step 7");
  const traceback = Deno.readTextFileSync(
    join(exp.runsDir, `log_${exp.runId({ omega: 2 })}`, "artifacts", "traceback.txt"),
  );
  assertStringIncludes(traceback, "RangeError: diverged at step 7");
  assertEquals(runMeta(exp, { omega: 3 }).failure_reason, "gave up");
  assertEquals(runMeta(exp, { omega: 4 }).failure_reason, "a string");
  const rows = Object.fromEntries(indexRows(exp).map((row) => [row.omega, row]));
  assertEquals(rows["1"].status, "complete");
  assertEquals(rows["2"].status, "failed");
  assertEquals(rows["2"].failure_reason, "diverged at step 7");
  assertEquals(rows["3"].status, "failed");
  assertEquals(rows["4"].status, "failed");
});

Deno.test("sweep again: complete runs are skipped, failed runs retried unless retryFailed is false", async () => {
  using exp = new TemporaryExperiment("resume");
  const points = grid({ omega: [1, 2, 3] });
  const calls: unknown[] = [];
  const flaky = (params: Params) => {
    calls.push(params.omega);
    if (params.omega === 2) throw new Error("flaky");
  };
  const first = await exp.sweep(points, (_, params) => flaky(params), QUIET);
  assertEquals(withoutElapsed(first), summaryOf({ done: 2, failed: 1 }, 3));

  calls.length = 0;
  const kept = await exp.sweep(points, (_, params) => flaky(params), {
    retryFailed: false,
    progress: false,
  });
  assertEquals(withoutElapsed(kept), summaryOf({ skipped: 3 }, 3));
  assertEquals(calls, []);

  const retried = await exp.sweep(points, (_, params) => calls.push(params.omega), QUIET);
  assertEquals(withoutElapsed(retried), summaryOf({ done: 1, skipped: 2 }, 3));
  assertEquals(calls, [2]);
  const meta = runMeta(exp, { omega: 2 });
  assertEquals(meta.status, "complete");
  assertEquals((meta.attempts as { status: string }[]).map((a) => a.status), ["failed"]);

  const again = await exp.sweep(points, () => calls.push("ran"), QUIET);
  assertEquals(withoutElapsed(again), summaryOf({ skipped: 3 }, 3));
  assertEquals(calls, [2]);
  assertEquals(indexRows(exp).length, 3);
});

Deno.test("sweep with stopOnError starts no new run and rethrows after in-flight runs end", async () => {
  using exp = new TemporaryExperiment("stop");
  const points = grid({ seed: [0, 1, 2, 3, 4, 5] });
  const boom = new Error("boom");
  const error = await assertRejects(() =>
    exp.sweep(points, async (_, params) => {
      // seed 1 throws at once; seed 0, started with it, is still running then.
      await sleep(params.seed === 1 ? 1 : 30);
      if (params.seed === 1) throw boom;
    }, { concurrency: 2, stopOnError: true, progress: false })
  );
  assert(error === boom);
  assertEquals(runDirs(exp), [0, 1].map((seed) => `log_${exp.runId({ seed })}`));
  assertEquals(runMeta(exp, { seed: 0 }).status, "complete");
  assertEquals(runMeta(exp, { seed: 1 }).status, "failed");
  assertEquals(indexRows(exp).length, 2);
});

Deno.test("sweep leaves a run that another live process is running to it", async () => {
  using exp = new TemporaryExperiment("elsewhere");
  const points = grid({ seed: [0, 1, 2] });
  const running = exp.add({ seed: 1 })!; // open: "initialized", and its process is alive
  try {
    const calls: unknown[] = [];
    const summary = await exp.sweep(points, (_, params) => calls.push(params.seed), QUIET);
    assertEquals(withoutElapsed(summary), summaryOf({ done: 2, runningElsewhere: 1 }, 3));
    assertEquals(calls, [0, 2]);
    assertEquals(runMeta(exp, { seed: 1 }).status, "initialized");
  } finally {
    running.markComplete();
  }
});

Deno.test("sweep reruns a run whose process crashed and counts it", async () => {
  using exp = new TemporaryExperiment("shard_sweep");
  const crash = await new Deno.Command(Deno.execPath(), {
    args: ["run", `--import-map=${IMPORT_MAP}`, "--allow-all", FIXTURE, exp.baseDir, "crash"],
    stdout: "null",
    stderr: "piped",
  }).output();
  assertEquals(crash.code, 3, new TextDecoder().decode(crash.stderr));
  const points = grid({ a: [0, 1, 2, 3, 4, 5], b: [0, 1, 2, 3] }).slice(0, 2);
  assertEquals(runMeta(exp, points[0]).status, "initialized");
  const summary = await exp.sweep(points, () => {}, QUIET);
  assertEquals(withoutElapsed(summary), summaryOf({ done: 2, crashedRerun: 1 }, 2));
  const meta = runMeta(exp, points[0]);
  assertEquals(meta.status, "complete");
  assertEquals((meta.attempts as { status: string }[]).map((a) => a.status), ["crashed"]);
});

Deno.test("sweep checks options and every grid point before running anything", async () => {
  using exp = new TemporaryExperiment("checks");
  const points = grid({ omega: [1, 2] });
  const never = () => {
    throw new Error("must not run");
  };
  const cases: [unknown, string][] = [
    [{ concurrency: 0 }, "Cannot run sweep: concurrency is 0, expected a positive integer"],
    [{ concurrency: 1.5 }, "Cannot run sweep: concurrency is 1.5, expected a positive integer"],
    [
      { progress: "yes" },
      'Cannot run sweep: progress is "yes", expected "auto", "bar", "lines" or false',
    ],
    [{ shard: { index: 2, count: 2 } }, "Cannot run sweep: shard.index 2 is out of range"],
  ];
  for (const [options, message] of cases) {
    await assertRejects(
      () => exp.sweep(points, never, options as never),
      InvalidValueError,
      message,
    );
  }
  await assertRejects(
    () => exp.sweep([...points, { omega: 3 }, { omega: 1 }], never, QUIET),
    InvalidValueError,
    'Cannot run sweep: grid positions 0 and 3 hold the same params {"omega":1}, expected each params once',
  );
  await assertRejects(
    () => exp.sweep([...points, { omega: () => 1 } as unknown as Params], never, QUIET),
    InvalidValueError,
    'Cannot run sweep at grid position 2: param "omega" is a function, expected a JSON value',
  );
  await assertRejects(
    () => exp.sweep(points, undefined as never, QUIET),
    InvalidValueError,
    "Cannot run sweep: fn is undefined, expected a function",
  );
  await assertRejects(
    () => exp.sweep("omega" as unknown as Params[], never, QUIET),
    InvalidValueError,
    "Cannot run sweep: grid is omega, expected an array of params",
  );
  assertEquals(runDirs(exp), []);
});

Deno.test("sweep stops on an error that is not a run's own, even without stopOnError", async () => {
  using exp = new TemporaryExperiment("conflict");
  const points = grid({ omega: [1, 2, 3] });
  exp.add({ omega: 2 })!.markFailed("first try");
  // A failed run directory whose params.json says other params: add() refuses it.
  const paramsPath = join(exp.runsDir, `log_${exp.runId({ omega: 2 })}`, "params.json");
  Deno.writeTextFileSync(paramsPath, '{\n  "omega": 5\n}');
  const calls: unknown[] = [];
  await assertRejects(
    () => exp.sweep(points, (_, params) => calls.push(params.omega), QUIET),
    RunExistsError,
    "holds other params",
  );
  assertEquals(calls, [1]);
});

Deno.test("sweep takes its share of the grid from the shard option", async () => {
  using exp = new TemporaryExperiment("sharded");
  const points = grid({ seed: [0, 1, 2, 3, 4, 5, 6] });
  const seen: unknown[] = [];
  const summary = await exp.sweep(points, (_, params) => seen.push(params.seed), {
    shard: { index: 1, count: 3 },
    progress: false,
  });
  assertEquals(seen, [1, 4]);
  assertEquals(withoutElapsed(summary), summaryOf({ done: 2 }, 2));
});

// ---------------------------------------------------------------------------
// Shards

const SHARD_VARS = [
  "SLURM_ARRAY_TASK_ID",
  "SLURM_ARRAY_TASK_COUNT",
  "SLURM_ARRAY_TASK_MIN",
  "SLURM_ARRAY_TASK_MAX",
  "SLURM_ARRAY_TASK_STEP",
  "JOB_COMPLETION_INDEX",
];

/** Runs `fn` with exactly `vars` of the shard variables set, then restores them. */
function withEnv<T>(vars: { [name: string]: string }, fn: () => T): T {
  const saved = SHARD_VARS.map((name) => [name, Deno.env.get(name)] as const);
  try {
    for (const name of SHARD_VARS) Deno.env.delete(name);
    for (const [name, value] of Object.entries(vars)) Deno.env.set(name, value);
    return fn();
  } finally {
    for (const [name, value] of saved) {
      if (value === undefined) Deno.env.delete(name);
      else Deno.env.set(name, value);
    }
  }
}

Deno.test("resolveShard: the option wins over the environment", () => {
  withEnv({ SLURM_ARRAY_TASK_ID: "3", SLURM_ARRAY_TASK_COUNT: "4" }, () => {
    assertEquals(resolveShard({ index: 1, count: 2 }), { index: 1, count: 2 });
  });
});

Deno.test("resolveShard: the whole grid outside an array, Kubernetes index alone included", () => {
  withEnv({}, () => assertEquals(resolveShard(undefined), { index: 0, count: 1 }));
  withEnv({ JOB_COMPLETION_INDEX: "2" }, () => {
    assertEquals(resolveShard(undefined), { index: 0, count: 1 });
  });
});

Deno.test("resolveShard: SLURM task id with the task count, or with min, max and step", () => {
  const cases: [{ [name: string]: string }, { index: number; count: number }][] = [
    [{ SLURM_ARRAY_TASK_ID: "3", SLURM_ARRAY_TASK_COUNT: "4" }, { index: 3, count: 4 }],
    // --array=1-8
    [
      { SLURM_ARRAY_TASK_ID: "5", SLURM_ARRAY_TASK_MIN: "1", SLURM_ARRAY_TASK_MAX: "8" },
      { index: 4, count: 8 },
    ],
    // --array=0-15:4 as sbatch sets it: tasks 0, 4, 8, 12
    [
      {
        SLURM_ARRAY_TASK_ID: "8",
        SLURM_ARRAY_TASK_MIN: "0",
        SLURM_ARRAY_TASK_MAX: "12",
        SLURM_ARRAY_TASK_STEP: "4",
        SLURM_ARRAY_TASK_COUNT: "4",
      },
      { index: 2, count: 4 },
    ],
    // --array=1-7:2 with the max given as the range end
    [
      {
        SLURM_ARRAY_TASK_ID: "7",
        SLURM_ARRAY_TASK_MIN: "1",
        SLURM_ARRAY_TASK_MAX: "8",
        SLURM_ARRAY_TASK_STEP: "2",
      },
      { index: 3, count: 4 },
    ],
  ];
  for (const [vars, expected] of cases) {
    withEnv(vars, () => assertEquals(resolveShard(undefined), expected, JSON.stringify(vars)));
  }
});

Deno.test("resolveShard: { count } takes the index from JOB_COMPLETION_INDEX", () => {
  withEnv({ JOB_COMPLETION_INDEX: "2" }, () => {
    assertEquals(resolveShard({ count: 4 }), { index: 2, count: 4 });
    assertThrows(
      () => resolveShard({ count: 2 }),
      InvalidValueError,
      'Cannot run sweep: JOB_COMPLETION_INDEX "2" is out of range for 2 shards, expected a shard index in [0, 2)',
    );
  });
  withEnv({}, () => {
    assertThrows(
      () => resolveShard({ count: 4 }),
      InvalidValueError,
      "Cannot run sweep: shard has a count but no index and JOB_COMPLETION_INDEX is not set",
    );
  });
});

Deno.test("resolveShard: invalid options and variables are named with their value", () => {
  const optionCases: [unknown, string][] = [
    [{ index: 0, count: 0 }, "shard.count is 0, expected a positive integer"],
    [{ index: 0, count: 1.5 }, "shard.count is 1.5, expected a positive integer"],
    [{ index: -1, count: 2 }, "shard.index is -1, expected an integer in [0, 2)"],
    [{ index: 0.5, count: 2 }, "shard.index is 0.5, expected an integer in [0, 2)"],
    [{ index: 3, count: 3 }, "shard.index 3 is out of range for 3 shards"],
    [4, "shard is 4, expected { index, count } or { count }"],
  ];
  withEnv({}, () => {
    for (const [option, message] of optionCases) {
      assertThrows(() => resolveShard(option as never), InvalidValueError, message);
    }
  });
  const envCases: [{ [name: string]: string }, string][] = [
    [
      { SLURM_ARRAY_TASK_ID: "x1", SLURM_ARRAY_TASK_COUNT: "4" },
      'SLURM_ARRAY_TASK_ID is "x1", expected a non-negative integer',
    ],
    [
      { SLURM_ARRAY_TASK_ID: "1", SLURM_ARRAY_TASK_COUNT: "-4" },
      'SLURM_ARRAY_TASK_COUNT is "-4", expected a non-negative integer',
    ],
    [
      { SLURM_ARRAY_TASK_ID: "4", SLURM_ARRAY_TASK_COUNT: "4" },
      'SLURM_ARRAY_TASK_ID "4" is out of range for 4 shards',
    ],
    [
      { SLURM_ARRAY_TASK_ID: "4" },
      'SLURM_ARRAY_TASK_ID is "4" but the number of tasks is unknown',
    ],
    [
      { SLURM_ARRAY_TASK_ID: "0", SLURM_ARRAY_TASK_COUNT: "4", SLURM_ARRAY_TASK_STEP: "0" },
      'SLURM_ARRAY_TASK_STEP is "0", expected a positive integer',
    ],
    [
      { SLURM_ARRAY_TASK_ID: "5", SLURM_ARRAY_TASK_MIN: "8", SLURM_ARRAY_TASK_MAX: "2" },
      'SLURM_ARRAY_TASK_MAX "2" is below SLURM_ARRAY_TASK_MIN "8"',
    ],
    [
      { SLURM_ARRAY_TASK_ID: "0", SLURM_ARRAY_TASK_MIN: "2", SLURM_ARRAY_TASK_MAX: "9" },
      'SLURM_ARRAY_TASK_ID "0" is not in the range 2-9:1',
    ],
    [
      {
        SLURM_ARRAY_TASK_ID: "6",
        SLURM_ARRAY_TASK_MIN: "0",
        SLURM_ARRAY_TASK_MAX: "12",
        SLURM_ARRAY_TASK_STEP: "4",
      },
      'SLURM_ARRAY_TASK_ID "6" is not in the range 0-12:4',
    ],
    // --array=0,3,7: no step maps the ids onto 0..2
    [
      {
        SLURM_ARRAY_TASK_ID: "3",
        SLURM_ARRAY_TASK_MIN: "0",
        SLURM_ARRAY_TASK_MAX: "7",
        SLURM_ARRAY_TASK_COUNT: "3",
      },
      'SLURM_ARRAY_TASK_COUNT "3" does not match the 8 tasks of the range 0-7:1',
    ],
  ];
  for (const [vars, message] of envCases) {
    withEnv(vars, () => {
      assertThrows(
        () => resolveShard(undefined),
        InvalidValueError,
        `Cannot run sweep: ${message}`,
      );
    });
  }
});

Deno.test("shardItems: shards are disjoint, cover the grid, and keep its order", () => {
  for (let size = 0; size <= 11; size++) {
    const items = Array.from({ length: size }, (_, i) => i);
    for (let count = 1; count <= 5; count++) {
      const shards = Array.from(
        { length: count },
        (_, index) => shardItems(items, { index, count }),
      );
      assertEquals(shards.flat().sort((a, b) => a - b), items);
      shards.forEach((shard, index) => {
        for (const item of shard) assertEquals(item % count, index);
        assertEquals(shard, [...shard].sort((a, b) => a - b));
      });
    }
  }
});

// ---------------------------------------------------------------------------
// Several processes

interface ShardResult {
  pid: number;
  summary: SweepSummary;
}

async function runShard(
  baseDir: string,
  env: { [name: string]: string },
  permissions = ["--allow-read", "--allow-write", "--allow-env", "--allow-sys"],
): Promise<{ result: ShardResult; stderr: string }> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--no-prompt", `--import-map=${IMPORT_MAP}`, ...permissions, FIXTURE, baseDir],
    env: { ...env, NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stderr = new TextDecoder().decode(output.stderr);
  assertEquals(output.code, 0, stderr);
  return { result: JSON.parse(new TextDecoder().decode(output.stdout)), stderr };
}

Deno.test("four SLURM array tasks sweep one experiment: each grid point runs exactly once", async () => {
  const baseDir = Deno.makeTempDirSync();
  try {
    const count = 4;
    const shards = await Promise.all(
      Array.from({ length: count }, (_, index) =>
        runShard(baseDir, {
          SLURM_ARRAY_TASK_ID: String(index),
          SLURM_ARRAY_TASK_COUNT: String(count),
        })),
    );
    const points = grid({ a: [0, 1, 2, 3, 4, 5], b: [0, 1, 2, 3] });
    const pids = shards.map(({ result }) => result.pid);
    shards.forEach(({ result, stderr }, index) => {
      assertEquals(withoutElapsed(result.summary), summaryOf({ done: 6 }, 6));
      // stderr is a pipe: plain progress lines, the last one with the totals.
      const lines = stderr.trimEnd().split("\n");
      assertMatch(
        lines.at(-1)!,
        new RegExp(
          `^sweep shard_sweep \\(shard ${index} of 4\\): 6/6 done, 0 failed, \\d+\\.\\d runs/s, took \\d+\\.\\ds$`,
        ),
      );
      assert(!stderr.includes("\r"));
    });
    const exp = new Experiment("shard_sweep", { baseDir });
    // The union of run directories is the grid, once each, and each point was
    // run by the process of its shard (position % 4).
    const expectedDirs = points.map((params) => `log_${exp.runId(params)}`);
    assertEquals(runDirs(exp), [...expectedDirs].sort());
    points.forEach((params, position) => {
      const dir = join(exp.runsDir, `log_${exp.runId(params)}`);
      assertEquals(readJson(join(dir, "params.json")), params);
      assertEquals(readJson(join(dir, "metadata.json")).status, "complete");
      assertEquals(
        readJson(join(dir, "artifacts", "metrics.json")).pid,
        pids[position % count],
      );
    });
    // Index writes from the four processes: one row per grid point.
    const rows = indexRows(exp);
    assertEquals(rows.map((row) => row.run_id).sort(), points.map((p) => exp.runId(p)).sort());
  } finally {
    Deno.removeSync(baseDir, { recursive: true });
  }
});

Deno.test("without --allow-env the SLURM variables are not read, and nothing prompts", async () => {
  const baseDir = Deno.makeTempDirSync();
  try {
    const { result } = await runShard(
      baseDir,
      { SLURM_ARRAY_TASK_ID: "1", SLURM_ARRAY_TASK_COUNT: "4" },
      ["--allow-read", "--allow-write"],
    );
    assertEquals(withoutElapsed(result.summary), summaryOf({ done: 24 }, 24));
  } finally {
    Deno.removeSync(baseDir, { recursive: true });
  }
});

// ---------------------------------------------------------------------------
// Progress

function fakeOutput() {
  const written: string[] = [];
  const clock = { ms: 0 };
  const timer: { tick?: () => void; ms?: number; cancelled: boolean } = { cancelled: false };
  const output: ProgressOutput = {
    write: (text) => written.push(text),
    now: () => clock.ms,
    every: (tick, ms) => {
      timer.tick = tick;
      timer.ms = ms;
      return () => (timer.cancelled = true);
    },
  };
  return { output, written, clock, timer };
}

Deno.test("progress on a terminal: one line rewritten at most ten times a second", () => {
  const { output, written, clock, timer } = fakeOutput();
  const progress = new ProgressReporter("oscillator_sweep", 400, "bar", output);
  progress.start();
  assertEquals(timer.ms, 100);
  assertEquals(written, [
    "\rsweep oscillator_sweep: 0/400 done, 0 failed, 0.0 runs/s, ETA ?\x1b[K",
  ]);
  for (let i = 0; i < 117; i++) progress.finished();
  for (let i = 0; i < 3; i++) progress.failed();
  clock.ms = 2_000;
  timer.tick!();
  assertEquals(
    written[1],
    "\rsweep oscillator_sweep: 120/400 done, 3 failed, 60.0 runs/s, ETA 5s\x1b[K",
  );
  timer.tick!(); // nothing changed: nothing written
  assertEquals(written.length, 2);
  for (let i = 0; i < 80; i++) progress.skipped();
  clock.ms = 4_000;
  timer.tick!();
  assertEquals(
    written[2],
    "\rsweep oscillator_sweep: 200/400 done, 3 failed, 80 skipped, 30.0 runs/s, ETA 7s\x1b[K",
  );
  progress.stop();
  assert(timer.cancelled);
  assertEquals(
    written[3],
    "\rsweep oscillator_sweep: 200/400 done, 3 failed, 80 skipped, 30.0 runs/s, took 4.0s\x1b[K\n",
  );
  assertEquals(written.length, 4);
});

Deno.test("progress in a log file: a plain line every ten seconds and a last one", () => {
  const { output, written, clock, timer } = fakeOutput();
  const progress = new ProgressReporter("s (shard 1 of 8)", 3, "lines", output);
  progress.start();
  assertEquals(timer.ms, 10_000);
  progress.finished();
  clock.ms = 10_000;
  timer.tick!();
  clock.ms = 20_000;
  timer.tick!(); // written even when unchanged: a sign of life in the log
  progress.finished();
  progress.finished();
  clock.ms = 200_000;
  progress.stop();
  assert(timer.cancelled);
  assertEquals(written, [
    "sweep s (shard 1 of 8): 0/3 done, 0 failed, 0.0 runs/s, ETA ?\n",
    "sweep s (shard 1 of 8): 1/3 done, 0 failed, 0.1 runs/s, ETA 20s\n",
    "sweep s (shard 1 of 8): 1/3 done, 0 failed, 0.1 runs/s, ETA 40s\n",
    "sweep s (shard 1 of 8): 3/3 done, 0 failed, 0.0 runs/s, took 3m20s\n",
  ]);
});

Deno.test("progress ETA rounds up while runs are left, and is 0s once all are dealt with", () => {
  const { output, written, clock, timer } = fakeOutput();
  const progress = new ProgressReporter("x", 100, "bar", output);
  progress.start();
  for (let i = 0; i < 99; i++) progress.finished();
  clock.ms = 1_000;
  timer.tick!();
  assertEquals(written[1], "\rsweep x: 99/100 done, 0 failed, 99.0 runs/s, ETA 1s\x1b[K");
  progress.skipped();
  timer.tick!();
  assertEquals(
    written[2],
    "\rsweep x: 100/100 done, 0 failed, 1 skipped, 99.0 runs/s, ETA 0s\x1b[K",
  );
  progress.stop();
  assertEquals(
    written[3],
    "\rsweep x: 100/100 done, 0 failed, 1 skipped, 99.0 runs/s, took 1.0s\x1b[K\n",
  );
});

Deno.test("formatDuration", () => {
  assertEquals(formatDuration(0), "0s");
  assertEquals(formatDuration(59.4), "59s");
  assertEquals(formatDuration(125), "2m05s");
  assertEquals(formatDuration(3725), "1h02m");
  assertEquals(formatDuration(0.64, 1), "0.6s");
  assertEquals(formatDuration(59.97, 1), "1m00s");
});
