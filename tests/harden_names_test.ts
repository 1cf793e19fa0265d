// Copyright 2026 the notata authors. MIT license.
// The smaller points of issue 13: names no file system takes, params too
// deep to check, and a full disk, each with our error instead of a raw one;
// the metric -0, read back exactly.

import { assert, assertEquals, assertThrows } from "@std/assert";
import { join } from "@std/path";
import {
  Experiment,
  ExperimentReader,
  InvalidNameError,
  InvalidValueError,
  LogReader,
  NotataError,
  TemporaryExperiment,
} from "../mod.ts";
import { python, pythonHas } from "./_python.ts";

const REFUSED: [string, string][] = [
  ["CON", "is a device name on Windows"],
  ["aux.json", "is a device name on Windows"],
  ["nul", "is a device name on Windows"],
  ["Com1.txt", "is a device name on Windows"],
  ["lpt9", "is a device name on Windows"],
  ["results.", "ends with a dot or a space, which Windows drops"],
  ["results ", "ends with a dot or a space, which Windows drops"],
  ["half\ud800", "holds a lone surrogate (\\ud800), which no file system can store"],
  ["\udc00tail", "holds a lone surrogate (\\udc00), which no file system can store"],
];

Deno.test("experiment and artifact names that Windows or any file system refuses give an InvalidNameError", () => {
  for (const [name, problem] of REFUSED) {
    assertThrows(
      () => new Experiment(name, { baseDir: "/nonexistent" }),
      InvalidNameError,
      `Cannot create experiment: name ${
        JSON.stringify(name)
      } ${problem}, expected a single file name`,
    );
  }
  using exp = new TemporaryExperiment("names");
  using log = exp.add({ omega: 1 })!;
  for (const [name, problem] of REFUSED) {
    assertThrows(() => log.json(name, { a: 1 }), InvalidNameError, problem);
  }
  // Names that only look like device names are fine.
  for (const name of ["console", "conf", "com10", "auxiliary", "lpt", "a.b"]) {
    log.json(name, { a: 1 });
  }
  assertThrows(
    () => log.file("eval/CON.txt"),
    InvalidNameError,
    'has the component "CON.txt", a device name or ending in a dot or space on Windows',
  );
  // Nothing reached the disk.
  assertEquals(
    [...Deno.readDirSync(join(log.path, "artifacts"))].map((entry) => entry.name).sort(),
    ["a.b.json", "auxiliary.json", "com10.json", "conf.json", "console.json", "lpt.json"],
  );
});

Deno.test("params nested 10,000 deep give an InvalidValueError, not a stack overflow", () => {
  using exp = new TemporaryExperiment("deep");
  let deep: unknown = 1;
  for (let i = 0; i < 10_000; i++) deep = { a: deep };
  const error = assertThrows(() => exp.add({ deep } as never), InvalidValueError);
  assert(error.message.startsWith('Cannot add run: param "deep.a.a.a'), error.message);
  assert(
    error.message.endsWith("nests deeper than 500 levels, expected at most 500"),
    error.message,
  );
  assertThrows(() => Deno.lstatSync(join(exp.dir, "runs")), Deno.errors.NotFound);
  using log = exp.add({ omega: 1 })!;
  let list: unknown = [];
  for (let i = 0; i < 10_000; i++) list = [list];
  assertThrows(() => log.json("metrics", { list } as never), InvalidValueError, "nests deeper");
});

// A 1 MiB tmpfs fills quickly; mounting one needs root (CI runs as root).
function mountSmallTmpfs(dir: string): boolean {
  if (Deno.build.os !== "linux") return false;
  try {
    return new Deno.Command("mount", {
      args: ["-t", "tmpfs", "-o", "size=1m", "tmpfs", dir],
      stdout: "null",
      stderr: "null",
    }).outputSync().success;
  } catch {
    return false;
  }
}

const probeDir = Deno.makeTempDirSync();
const CAN_MOUNT = mountSmallTmpfs(probeDir);
if (CAN_MOUNT) new Deno.Command("umount", { args: [probeDir] }).outputSync();
Deno.removeSync(probeDir);

const ignoredWithoutRoot = CAN_MOUNT ? "" : " (ignored: mounting a tmpfs needs root)";

/** Runs `fn` with a fresh 1 MiB tmpfs mounted at a temporary directory. */
function onSmallTmpfs(fn: (dir: string) => void): () => void {
  return () => {
    const dir = Deno.makeTempDirSync();
    assert(mountSmallTmpfs(dir));
    try {
      fn(dir);
    } finally {
      new Deno.Command("umount", { args: [dir] }).outputSync();
      Deno.removeSync(dir, { recursive: true });
    }
  };
}

/** Fills the file system of `dir` with a file in it, down to its last free byte. */
function fillUp(dir: string): void {
  using filler = Deno.openSync(join(dir, "filler"), { write: true, create: true });
  for (const size of [65_536, 4_096, 1]) {
    const chunk = new Uint8Array(size);
    try {
      for (;;) filler.writeSync(chunk);
    } catch (error) {
      if ((error as { code?: string }).code !== "ENOSPC") throw error;
    }
  }
}

function assertNoSpace(error: Error, path: string): void {
  assert(error.message.startsWith(`Cannot write "${path}`), error.message);
  assert(
    error.message.includes(
      "no space is left on its device (os error 28), expected free space on its file system; once there is, exp.reindex() repairs the index",
    ),
    error.message,
  );
}

Deno.test({
  name: `a full disk gives a NotataError naming the file${ignoredWithoutRoot}`,
  ignore: !CAN_MOUNT,
  fn: onSmallTmpfs((baseDir) => {
    const exp = new Experiment("full", { baseDir });
    const error = assertThrows(() => {
      for (let i = 0; i < 1_000; i++) {
        const log = exp.add({ i })!;
        log.json("metrics", { big: "x".repeat(20_000) });
        log.markComplete();
      }
    }, NotataError);
    assertNoSpace(error, `${baseDir}/full/`);
  }),
});

Deno.test({
  name:
    `a full disk while a run is made or its lines are written out gives our error${ignoredWithoutRoot}`,
  ignore: !CAN_MOUNT,
  fn: onSmallTmpfs((baseDir) => {
    const exp = new Experiment("full", { baseDir });
    const log = exp.add({ i: 0 })!;
    fillUp(baseDir);
    // The staging directory's files.
    const runDir = join(exp.runsDir, `log_${exp.runId({ i: 1 })}`);
    assertNoSpace(assertThrows(() => exp.add({ i: 1 }), NotataError), runDir);
    // The buffered lines of log.txt and data/scalars.csv, written out by the main thread.
    const line = "x".repeat(1_000);
    const logError = assertThrows(() => {
      for (let i = 0; i < 10_000; i++) log.info(line);
    }, NotataError);
    assertNoSpace(logError, join(log.path, "log.txt"));
    const scalarsError = assertThrows(() => {
      for (let i = 0; i < 10_000; i++) log.scalar("loss", i);
    }, NotataError);
    assertNoSpace(scalarsError, join(log.path, "data", "scalars.csv"));
    Deno.removeSync(join(baseDir, "filler"));
    log.markComplete();
    assertEquals(exp.statusOf({ i: 0 }), "complete");
  }),
});

Deno.test("the metric -0 reads back as -0 in Deno and Python; params -0 and 0 stay one run", async () => {
  using exp = new TemporaryExperiment("zero");
  assertEquals(exp.runId({ x: -0 }), exp.runId({ x: 0 }));
  {
    using log = exp.add({ x: -0 })!;
    log.json("metrics", { m: -0, nested: { v: [-0, 1] } });
  }
  assertEquals(exp.add({ x: 0 }, { skipExisting: true }), null);
  const runDir = join(exp.runsDir, `log_${exp.runId({ x: 0 })}`);
  const metricsPath = join(runDir, "artifacts", "metrics.json");
  assertEquals(
    Deno.readTextFileSync(metricsPath),
    '{\n  "m": -0.0,\n  "nested": {\n    "v": [\n      -0.0,\n      1\n    ]\n  }\n}\n',
  );
  // params.json keeps 0: the params are the run's identity.
  assertEquals(Deno.readTextFileSync(join(runDir, "params.json")), '{\n  "x": 0\n}\n');
  const metrics = new LogReader(runDir).loadJson("metrics") as {
    m: number;
    nested: { v: number[] };
  };
  assert(Object.is(metrics.m, -0) && Object.is(metrics.nested.v[0], -0));
  const [header, row] = Deno.readTextFileSync(exp.indexPath).split("\r\n");
  const cells = Object.fromEntries(header.split(",").map((name, i) => [name, row.split(",")[i]]));
  assertEquals([cells.x, cells.m], ["0", "-0.0"]);
  const df = await new ExperimentReader(exp.dir).toDataFrame();
  assert(Object.is(df.getColumn("m").get(0), -0), String(df.getColumn("m").get(0)));
  assert(Object.is(df.getColumn("x").get(0), 0));
  if (pythonHas("pandas")) {
    const read = await python(
      `import json, math, sys, pandas
m = json.load(open(sys.argv[1]))["m"]
index = pandas.read_csv(sys.argv[2])
print(json.dumps({"json": math.copysign(1, m), "pandas": math.copysign(1, index["m"][0])}))`,
      metricsPath,
      exp.indexPath,
    );
    assertEquals(read, { json: -1, pandas: -1 });
  }
});
