// Copyright 2026 the notata authors. MIT license.
import { assert, assertEquals, assertRejects, assertThrows } from "@std/assert";
import { join } from "@std/path";
import {
  Experiment,
  InvalidNameError,
  InvalidValueError,
  RunExistsError,
  TemporaryExperiment,
} from "../mod.ts";

function readJson(path: string): Record<string, unknown> {
  return JSON.parse(Deno.readTextFileSync(path));
}

function listDir(path: string): string[] {
  return [...Deno.readDirSync(path)].map((entry) => entry.name).sort();
}

function indexRunIds(exp: Experiment): string[] {
  const lines = Deno.readTextFileSync(exp.indexPath).trim().split("\r\n").slice(1);
  return lines.map((line) => line.split(",")[0]);
}

Deno.test("Experiment paths follow <baseDir>/<name>/runs and index.csv", () => {
  const exp = new Experiment("oscillator_sweep", { baseDir: "/data/runs" });
  assertEquals(exp.name, "oscillator_sweep");
  assertEquals(exp.dir, "/data/runs/oscillator_sweep");
  assertEquals(exp.runsDir, "/data/runs/oscillator_sweep/runs");
  assertEquals(exp.indexPath, "/data/runs/oscillator_sweep/index.csv");
  assertEquals(new Experiment("x").dir, join("outputs", "x"));
});

Deno.test("Experiment writes nothing until a run is added", () => {
  const baseDir = Deno.makeTempDirSync();
  try {
    new Experiment("sweep", { baseDir });
    assertEquals(listDir(baseDir), []);
  } finally {
    Deno.removeSync(baseDir, { recursive: true });
  }
});

Deno.test("Experiment sweep from the spec lays out one directory per run", () => {
  using exp = new TemporaryExperiment("oscillator_sweep");
  for (const omega of [1.0, 2.0]) {
    for (const dt of [1e-3, 2e-3]) {
      using log = exp.add({ omega, dt }, { skipExisting: true });
      if (!log) continue;
      log.json("metrics", { final_energy: 0.993 });
    }
  }
  assertEquals(listDir(exp.runsDir), [
    "log_oscillator_sweep_dt_0.001_omega_1",
    "log_oscillator_sweep_dt_0.001_omega_2",
    "log_oscillator_sweep_dt_0.002_omega_1",
    "log_oscillator_sweep_dt_0.002_omega_2",
  ]);
  const run = join(exp.runsDir, "log_oscillator_sweep_dt_0.001_omega_1");
  // data/ and plots/ appear when something is first written there.
  assertEquals(listDir(run), ["artifacts", "log.txt", "metadata.json", "params.json"]);
  assertEquals(readJson(join(run, "params.json")), { dt: 0.001, omega: 1 });
  assertEquals(readJson(join(run, "metadata.json")).status, "complete");
  assertEquals(readJson(join(run, "artifacts", "metrics.json")), { final_energy: 0.993 });
  // `.index.lock` is the cross-process lock; hidden so listings show the data.
  assertEquals(listDir(exp.dir), [".index.lock", "index.csv", "index.schema.json", "runs"]);
  assertEquals(indexRunIds(exp).length, 4);
});

Deno.test("Experiment.add with skipExisting returns null for a complete run", () => {
  using exp = new TemporaryExperiment("sweep");
  exp.add({ omega: 1 })!.markComplete();
  assertEquals(exp.add({ omega: 1 }, { skipExisting: true }), null);
  assertEquals(indexRunIds(exp), ["sweep_omega_1"]);
});

Deno.test("Experiment.add with skipExisting resumes a failed run and keeps its failure on record", () => {
  using exp = new TemporaryExperiment("sweep");
  exp.add({ omega: 1 })!.markFailed("diverged");
  const log = exp.add({ omega: 1 }, { skipExisting: true })!;
  assertEquals(log.status, "initialized");
  log.markComplete();
  const meta = readJson(join(log.path, "metadata.json"));
  assertEquals(meta.status, "complete");
  assertEquals(meta.failure_reason, undefined);
  const attempts = meta.attempts as Record<string, unknown>[];
  assertEquals(attempts.length, 1);
  assertEquals(attempts[0].status, "failed");
  assertEquals(attempts[0].failure_reason, "diverged");
  const logText = Deno.readTextFileSync(join(log.path, "log.txt"));
  assert(logText.includes("ERROR Run failed: diverged"));
  assert(logText.includes("WARNING Run resumed; previous attempt ended failed: diverged"));
  assertEquals(indexRunIds(exp), ["sweep_omega_1"]);
});

Deno.test("Experiment.add with skipExisting resumes a crashed run", () => {
  using exp = new TemporaryExperiment("sweep");
  const first = exp.add({ omega: 1 })!;
  // Simulate a crashed process: the run stays initialized on disk, owned by
  // a pid above Linux's maximum, so no such process exists.
  const crashedMeta = { ...readJson(join(first.path, "metadata.json")), pid: 2 ** 22 + 1 };
  first.markComplete();
  Deno.writeTextFileSync(join(first.path, "metadata.json"), JSON.stringify(crashedMeta));
  assertEquals(exp.statusOf({ omega: 1 }), "crashed");
  const again = exp.add({ omega: 1 }, { skipExisting: true })!;
  again.markComplete();
  const meta = readJson(join(again.path, "metadata.json"));
  assertEquals((meta.attempts as Record<string, unknown>[])[0].status, "crashed");
  assertEquals(indexRunIds(exp), ["sweep_omega_1"]);
});

Deno.test("Experiment.add of an existing run without skipExisting or overwrite throws RunExistsError", () => {
  using exp = new TemporaryExperiment("sweep");
  exp.add({ omega: 1 })!.markFailed("x");
  assertThrows(
    () => exp.add({ omega: 1 }),
    RunExistsError,
    'Cannot add run: run "sweep_omega_1" already exists with status "failed", expected skipExisting: true to skip or resume it, or overwrite: true',
  );
});

Deno.test("Experiment.add with overwrite starts a complete run afresh", () => {
  using exp = new TemporaryExperiment("sweep");
  const first = exp.add({ omega: 1 })!;
  first.text("old", "stale");
  first.markComplete();
  const again = exp.add({ omega: 1 }, { overwrite: true })!;
  again.flush();
  assertEquals(listDir(again.path), ["artifacts", "log.txt", "metadata.json", "params.json"]);
  assertEquals(listDir(join(again.path, "artifacts")), []);
  again.markFailed("second try");
  assertEquals(indexRunIds(exp), ["sweep_omega_1"]);
  assert(Deno.readTextFileSync(exp.indexPath).includes(",failed,"));
});

Deno.test("Experiment.add refuses a run directory that holds other params", () => {
  using exp = new TemporaryExperiment("sweep");
  const log = exp.add({ omega: 1 })!;
  log.markComplete();
  Deno.writeTextFileSync(join(log.path, "params.json"), '{"omega": 5}\n');
  assertThrows(
    () => exp.add({ omega: 1 }, { skipExisting: true }),
    RunExistsError,
    "holds other params",
  );
});

Deno.test("Experiment.add rejects skipExisting together with overwrite", () => {
  using exp = new TemporaryExperiment("sweep");
  assertThrows(
    () => exp.add({ omega: 1 }, { skipExisting: true, overwrite: true }),
    InvalidValueError,
    "both skipExisting and overwrite are set",
  );
});

Deno.test("Experiment.add rejects bad params and writes nothing", () => {
  using exp = new TemporaryExperiment("sweep");
  const circular: Record<string, unknown> = {};
  circular.self = circular;
  const cases: [unknown, string][] = [
    [{ fn: () => 1 }, 'Cannot add run: param "fn" is a function, expected a JSON value'],
    [{ s: Symbol("s") }, 'Cannot add run: param "s" is a symbol, expected a JSON value'],
    [{ n: 1n }, 'Cannot add run: param "n" is a bigint, expected a JSON value'],
    [{ c: circular }, 'Cannot add run: param "c.self" is a circular reference'],
    [{ d: new Date(0) }, 'Cannot add run: param "d" is an instance of Date'],
    [{ x: NaN }, 'Cannot add run: param "x" is NaN, expected a finite number'],
    [{ run_id: 1 }, 'Cannot add run: param "run_id" is a reserved index column'],
    [{ status: "x" }, 'Cannot add run: param "status" is a reserved index column'],
    [{ "": 1 }, 'Cannot add run: param name "" is empty'],
    [[1, 2], "Cannot add run: params is an array, expected a plain object of JSON values"],
  ];
  for (const [params, message] of cases) {
    assertThrows(
      () => exp.add(params as Record<string, never>),
      InvalidValueError,
      message,
    );
  }
  assertEquals(listDir(exp.baseDir), []);
});

Deno.test("Experiment rejects empty and path-like names before touching the disk", () => {
  for (const name of ["", ".", "..", "a/b", "/abs", "a\\b", "a\u0000b"]) {
    assertThrows(() => new Experiment(name), InvalidNameError, "Cannot create experiment: name");
    assertThrows(
      () => new TemporaryExperiment(name),
      InvalidNameError,
      "Cannot create experiment: name",
    );
  }
});

Deno.test("Experiment.run marks the run complete and returns the callback's value", async () => {
  using exp = new TemporaryExperiment("sweep");
  const value = await exp.run({ omega: 4, dt: 1e-3 }, async (log) => {
    await Promise.resolve();
    log.json("metrics", { final_energy: 8 });
    return 42;
  });
  assertEquals(value, 42);
  const meta = readJson(
    join(exp.runsDir, `log_${exp.runId({ omega: 4, dt: 1e-3 })}`, "metadata.json"),
  );
  assertEquals(meta.status, "complete");
});

Deno.test("Experiment.run records a throw as failed with its traceback, and rethrows", async () => {
  using exp = new TemporaryExperiment("sweep");
  await assertRejects(
    () =>
      exp.run({ omega: 4 }, async () => {
        await Promise.resolve();
        throw new RangeError("step size too large");
      }),
    RangeError,
    "step size too large",
  );
  const run = join(exp.runsDir, "log_sweep_omega_4");
  const meta = readJson(join(run, "metadata.json"));
  assertEquals(meta.status, "failed");
  assertEquals(meta.failure_reason, "step size too large");
  const traceback = Deno.readTextFileSync(join(run, "artifacts", "traceback.txt"));
  assert(traceback.startsWith("RangeError: step size too large\n    at "));
  assert(Deno.readTextFileSync(exp.indexPath).includes(",failed,"));
});

Deno.test("Experiment.run records a failure even when the callback marked the run complete", async () => {
  using exp = new TemporaryExperiment("sweep");
  await assertRejects(() =>
    exp.run({ omega: 1 }, (log) => {
      log.markComplete();
      throw new Error("after complete");
    })
  );
  assertEquals(readJson(join(exp.runsDir, "log_sweep_omega_1", "metadata.json")).status, "failed");
  assertEquals(indexRunIds(exp), ["sweep_omega_1"]);
});

Deno.test("Experiment.run skips a complete run with skipExisting and resolves undefined", async () => {
  using exp = new TemporaryExperiment("sweep");
  await exp.run({ omega: 1 }, () => "first");
  let called = false;
  const value = await exp.run({ omega: 1 }, () => {
    called = true;
    return "second";
  }, { skipExisting: true });
  assertEquals(value, undefined);
  assertEquals(called, false);
});

Deno.test("Experiment.runId is the id add() uses", () => {
  using exp = new TemporaryExperiment("sweep");
  const log = exp.add({ b: "x y", a: 1 })!;
  log.markComplete();
  assertEquals(log.runId, exp.runId({ a: 1, b: "x y" }));
  assertEquals(log.path, join(exp.runsDir, `log_${log.runId}`));
});

Deno.test("TemporaryExperiment removes its directory on dispose and on async dispose", async () => {
  let dir: string;
  {
    using exp = new TemporaryExperiment("sweep");
    dir = exp.baseDir;
    exp.add({ omega: 1 })!.markComplete();
    assert(Deno.statSync(exp.indexPath).isFile);
  }
  assertThrows(() => Deno.statSync(dir), Deno.errors.NotFound);
  {
    await using exp = new TemporaryExperiment("sweep");
    dir = exp.baseDir;
    exp.add({ omega: 1 })!.markComplete();
  }
  assertThrows(() => Deno.statSync(dir), Deno.errors.NotFound);
});
