// Copyright 2026 the notata authors. MIT license.
// Run ids against the original Python notata itself: ours equal its
// `_generate_run_id` wherever ours is readable and .5g loses no float (thousands of generated
// params and hand-picked ones), its id is always among the ids our lookups
// try, and a sweep resumes in both directions without repeating a run.
import { assert, assertEquals } from "@std/assert";
import { join } from "@std/path";
import { Experiment, ExperimentReader, type JsonValue, LogReader, type Params } from "../mod.ts";
import { formatRunId, formerRunIds } from "../src/run_id.ts";
import { formatJson } from "../src/_json.ts";
import { formatG5, pythonStr } from "../src/_python_str.ts";
import fc from "fast-check";
import { hasOriginalNotata, ignoredNote, NOTATA_PY, python, pythonHas } from "./_python.ts";

const HAS_ORIGINAL = hasOriginalNotata();
const HAS_PANDAS = HAS_ORIGINAL && pythonHas("pandas");
const IGNORED = ignoredNote(HAS_ORIGINAL, "numpy, PyYAML and ../shared/notata-py");
const HASH_SUFFIX = /__[0-9a-f]{12}$/;

// The original's id of each params, read as Python's json reads our
// params.json ("as read") and with every number a float (as a Python user
// who wrote 1.0 has it).
const ORIGINAL_IDS = `
import json, sys
sys.path.insert(0, sys.argv[2])
from notata.experiment import Experiment
exp = Experiment.__new__(Experiment)  # no directory: only the id function
exp.name = sys.argv[3]
def floats(value):
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, list):
        return [floats(item) for item in value]
    return {key: floats(item) for key, item in value.items()}
with open(sys.argv[1]) as f:
    many = json.load(f)
def loses_a_float(params):
    return any(isinstance(v, float) and float(f"{v:.5g}") != v for v in params.values())
ids = [[exp._generate_run_id(p), exp._generate_run_id(floats(p))] for p in many]
print(json.dumps({"ids": ids, "lossy": [loses_a_float(p) for p in many]}))
`;

/** The original's ids of `many`: as read, as floats; and whether `.5g` loses a float. */
async function originalIds(
  experiment: string,
  many: Params[],
): Promise<{ ids: [string, string][]; lossy: boolean[] }> {
  const dir = Deno.makeTempDirSync({ prefix: "notata_interop_ids_" });
  try {
    const file = join(dir, "params.json");
    Deno.writeTextFileSync(file, JSON.stringify(many));
    const { ids, lossy } = await python(ORIGINAL_IDS, file, NOTATA_PY, experiment);
    return { ids: ids as [string, string][], lossy: lossy as boolean[] };
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
}

const KEYS = ["a", "b", "dt", "n", "N", "T", "method", "n_steps", "x1", "tol"];
const VALUES: JsonValue[] = [
  0,
  1,
  -1,
  42,
  10000,
  123456,
  2 ** 40,
  1e20,
  0.5,
  0.1,
  -2.5,
  1e-3,
  1e-7,
  2.5e-5,
  1e-5,
  0.0001,
  1e21,
  1.5e22,
  -3.25e-12,
  1 / 3,
  123456.5,
  1.03125,
  99999.5,
  5e-324,
  true,
  false,
  null,
  "rk4",
  "RK4",
  "Adam",
  "a b",
  "a/b",
  "",
  "1",
  "1e-07",
  "True",
  "None",
  "nan",
  "ü",
  "日本",
  "a.",
  "a-b",
  "x_y",
  [],
  [1, 2.5],
  ["a", true, null],
  { k: 1 },
  { b: 1, a: [true, null] },
];

function generated(count: number, seed: number): Params[] {
  const arbitrary = fc.dictionary(fc.constantFrom(...KEYS), fc.constantFrom(...VALUES), {
    maxKeys: 3,
  });
  const distinct = new Map<string, Params>();
  for (const params of fc.sample(arbitrary, { numRuns: count, seed })) {
    distinct.set(formatJson(params), params);
  }
  return [...distinct.values()];
}

// Params whose original id loses nothing: ours must be exactly that id.
const LOSSLESS: Params[] = [
  {},
  { flag: true },
  { flag: false, seed: null },
  { tol: 1e-7 },
  { tol: 2.5e-5, dt: 0.1 },
  { x: 1e21 },
  { n: 10000, seed: -3 },
  { n: 123456 },
  { omega: 1, dt: 1e-3 },
  { method: "rk4", N: 64, T: 2.5 },
  { n_steps: 100, t_max: 5 },
  { adaptive: true, n_steps: 1000 },
];

Deno.test({
  name: "run ids equal the original's where ours is readable and .5g loses nothing" + IGNORED,
  ignore: !HAS_ORIGINAL,
  async fn() {
    const many = [...LOSSLESS, ...generated(4000, 12)];
    const { ids, lossy } = await originalIds("e", many);
    let readable = 0;
    const mismatches: string[] = [];
    many.forEach((params, i) => {
      const ours = formatRunId("e", params);
      // Where .5g loses a float, the original's id names other numbers too:
      // ours spells that number in full instead.
      if (HASH_SUFFIX.test(ours) || lossy[i]) return;
      readable++;
      if (ours !== ids[i][0]) mismatches.push(`${JSON.stringify(params)}: ${ours} / ${ids[i][0]}`);
    });
    assertEquals(mismatches, []);
    assert(readable > 300, `only ${readable} readable ids of ${many.length}`);
    assertEquals(
      LOSSLESS.map((params) => formatRunId("e", params)),
      ids.slice(0, LOSSLESS.length).map(([asRead]) => asRead),
    );
    // The other experiment names: "e_" for no params, as the original's.
    const { ids: [[sweepId]] } = await originalIds("oscillator_sweep", [{}]);
    assertEquals(formatRunId("oscillator_sweep", {}), sweepId);
  },
});

Deno.test({
  name: "the original's id of any params is one our lookups try" + IGNORED,
  ignore: !HAS_ORIGINAL,
  async fn() {
    const many = generated(4000, 99);
    const { ids } = await originalIds("e", many);
    const missed: string[] = [];
    many.forEach((params, i) => {
      const tried = [formatRunId("e", params), ...formerRunIds("e", params)];
      for (const id of ids[i]) {
        if (!tried.includes(id)) missed.push(`${JSON.stringify(params)}: ${id}`);
      }
    });
    assertEquals(missed, []);
  },
});

interface Point {
  params: Params;
  /** The original runs it with every number a float (`n=100000.0`). */
  floats?: boolean;
  /** The run raises, so it is marked failed. */
  fail?: boolean;
}

// The original runs each point as its user would: `with exp.add(**params)`.
const ORIGINAL_SWEEP = `
import json, sys
sys.path.insert(0, sys.argv[2])
from notata import Experiment
exp = Experiment("shared", base_dir=sys.argv[1])
with open(sys.argv[3]) as f:
    points = json.load(f)
for i, point in enumerate(points):
    params = point["params"]
    if point.get("floats"):
        params = {k: float(v) if isinstance(v, int) and not isinstance(v, bool) else v
                  for k, v in params.items()}
    try:
        with exp.add(**params) as log:
            log.json("metrics", {"energy": 0.5 * i})
            if point.get("fail"):
                raise RuntimeError("diverged")
    except RuntimeError:
        pass
print(json.dumps({}))
`;

// Params of every kind: ids equal to ours, hashed by us (capitals, spaces,
// a lossy float, nested values), and written by the original as floats.
const ORIGINAL_POINTS: Point[] = [
  { params: { method: "rk4", adaptive: true, n: 3, dt: 0.001 } },
  { params: { method: "RK4", adaptive: false, n: 4, dt: 1e-7 } },
  { params: { method: "a b", adaptive: true, n: 5, dt: 1 / 3 } },
  {
    params: { method: "rk4", adaptive: null, n: 6, dt: 0.5, tags: [1, "a"], opts: { b: 2, a: 1 } },
  },
  { params: { method: "rk4", adaptive: true, n: 100000, dt: 0.25 }, floats: true },
  { params: { method: "rk4", adaptive: false, n: 7, dt: 0.001 }, fail: true },
  { params: { method: "Euler", adaptive: true, n: 8, dt: 0.002 }, fail: true },
];

function runDirectories(expDir: string): string[] {
  return [...Deno.readDirSync(join(expDir, "runs"))].map((entry) => entry.name).sort();
}

function withTempDir(prefix: string, fn: (dir: string) => Promise<void>): () => Promise<void> {
  return async () => {
    const dir = Deno.makeTempDirSync({ prefix });
    try {
      await fn(dir);
    } finally {
      Deno.removeSync(dir, { recursive: true });
    }
  };
}

Deno.test({
  name: "a sweep the original wrote resumes here: statusOf, skipExisting and sweep repeat no run" +
    IGNORED,
  ignore: !HAS_ORIGINAL,
  fn: withTempDir("notata_interop_resume_", async (baseDir) => {
    const pointsFile = join(baseDir, "points.json");
    Deno.writeTextFileSync(pointsFile, JSON.stringify(ORIGINAL_POINTS));
    await python(ORIGINAL_SWEEP, baseDir, NOTATA_PY, pointsFile);
    const expDir = join(baseDir, "shared");
    const before = runDirectories(expDir);
    assertEquals(before.length, ORIGINAL_POINTS.length);
    const exp = new Experiment("shared", { baseDir });

    assertEquals(
      ORIGINAL_POINTS.map(({ params }) => exp.statusOf(params)),
      ORIGINAL_POINTS.map(({ fail }) => fail ? "failed" : "complete"),
    );
    for (const { params, fail } of ORIGINAL_POINTS) {
      if (!fail) assertEquals(exp.add(params, { skipExisting: true }), null);
    }
    const fresh: Params[] = [
      { method: "rk4", adaptive: true, n: 9, dt: 0.001 },
      { method: "RK4", adaptive: false, n: 10, dt: 1e-7 },
    ];
    const ran: Params[] = [];
    const summary = await exp.sweep(
      [...ORIGINAL_POINTS.map(({ params }) => params), ...fresh],
      (log, params) => {
        ran.push(params);
        log.json("metrics", { energy: 1 });
      },
      { retryFailed: false, progress: false },
    );
    assertEquals(ran, fresh);
    assertEquals([summary.skipped, summary.done, summary.failed], [ORIGINAL_POINTS.length, 2, 0]);
    const after = runDirectories(expDir);
    assertEquals(after.length, ORIGINAL_POINTS.length + fresh.length);
    assert(before.every((name) => after.includes(name)));

    // Our readers see every run with its params, the original's included.
    const reader = new ExperimentReader(expDir);
    assertEquals(reader.length, after.length);
    const byParams = new Map(
      Object.entries(reader.params).map(([runId, params]) => [formatJson(params), runId]),
    );
    for (const params of [...ORIGINAL_POINTS.map((point) => point.params), ...fresh]) {
      const runId = byParams.get(formatJson(params));
      assert(runId !== undefined, `no run holds ${JSON.stringify(params)}`);
      assertEquals(new LogReader(join(expDir, "runs", `log_${runId}`)).params, params);
    }
    const frame = await exp.toDataFrame();
    assertEquals(
      [...frame.getColumn("run_id").toArray()].sort(),
      after.map((name) => name.slice("log_".length)).sort(),
    );

    // Its failed runs are retried in their own directories.
    const failed = ORIGINAL_POINTS.filter(({ fail }) => fail).map(({ params }) => params);
    const retried = await exp.sweep(failed, (log) => log.json("metrics", { energy: 2 }), {
      progress: false,
    });
    assertEquals([retried.done, retried.skipped], [failed.length, 0]);
    assertEquals(runDirectories(expDir), after);
    assertEquals(
      failed.map((params): string | undefined => exp.statusOf(params)),
      failed.map((): string => "complete"),
    );
  }),
});

// The original reads our sweep with its readers and pandas, then resumes it
// with skip_existing: its fn runs only for params it finds no directory for.
const ORIGINAL_RESUME = `
import json, sys
sys.path.insert(0, sys.argv[2])
from notata import Experiment, ExperimentReader, LogReader
exp = Experiment("ours", base_dir=sys.argv[1])
reader = ExperimentReader(exp.exp_dir)
runs = {run.run_id: {"params": LogReader(run.path).params, "status": run.meta["status"]}
        for run in reader}
frame = exp.to_dataframe()
with open(sys.argv[3]) as f:
    points = json.load(f)
ran = []
for params in points:
    log = exp.add(skip_existing=True, **params)
    if log is None:
        continue
    ran.append(params)
    with log:
        log.json("metrics", {"energy": 1.0})
print(json.dumps({
    "runs": runs,
    "frame_ids": sorted(frame["run_id"].tolist()),
    "frame_columns": list(frame.columns),
    "ran": ran,
}))
`;

Deno.test({
  name: "a sweep written here is read by the original and resumed by its skip_existing" +
    ignoredNote(HAS_PANDAS, "pandas, numpy, PyYAML and ../shared/notata-py"),
  ignore: !HAS_PANDAS,
  fn: withTempDir("notata_interop_resumed_by_original_", async (baseDir) => {
    const exp = new Experiment("ours", { baseDir });
    // Params whose ids the original shares: lower-case words, booleans,
    // None, integers and floats .5g keeps.
    const points: Params[] = [];
    for (const method of ["rk4", "leapfrog"]) {
      for (const adaptive of [true, false]) {
        for (const [n, dt] of [[1, 0.001], [2, 1e-7], [3, 2.5e-5], [100000, 0.5]]) {
          points.push({ method, adaptive, n, dt, seed: n === 2 ? null : n });
        }
      }
    }
    const summary = await exp.sweep(points, (log, params) => {
      if (params.n === 3) throw new Error("diverged");
      log.json("metrics", { energy: 0.5 });
    }, { progress: false });
    assertEquals([summary.done, summary.failed], [12, 4]);
    const before = runDirectories(exp.dir);

    const fresh: Params[] = [{ method: "rk4", adaptive: true, n: 4, dt: 0.001, seed: 4 }];
    const pointsFile = join(baseDir, "points.json");
    Deno.writeTextFileSync(pointsFile, JSON.stringify([...points, ...fresh]));
    const seen = await python(ORIGINAL_RESUME, baseDir, NOTATA_PY, pointsFile);

    const runs = seen.runs as { [runId: string]: { params: Params; status: string } };
    assertEquals(Object.keys(runs).sort(), before.map((name) => name.slice("log_".length)));
    for (const params of points) {
      const run = runs[exp.runId(params)];
      assertEquals(run.params, params);
      assertEquals(run.status, params.n === 3 ? "failed" : "complete");
    }
    assertEquals(seen.frame_ids, Object.keys(runs).sort());
    const columns = seen.frame_columns as string[];
    for (const column of ["run_id", "adaptive", "dt", "method", "n", "seed", "status", "energy"]) {
      assert(columns.includes(column), `pandas has no column "${column}": ${columns}`);
    }
    // Its skip_existing found every run of ours (failed ones too, as it
    // skips any directory) and ran only the new params, in one new directory.
    assertEquals(seen.ran, fresh);
    const after = runDirectories(exp.dir);
    assertEquals(after, [...before, `log_${exp.runId(fresh[0])}`].sort());
  }),
});

const PYTHON_SPELLINGS = `
import json, sys
with open(sys.argv[1]) as f:
    given = json.load(f)
print(json.dumps({
    "g5": [f"{float(x):.5g}" for x in given["floats"]],
    "repr": [repr([float(x)]) for x in given["floats"]],
    "strings": [str(s) for s in given["strings"]],
}))
`;

Deno.test({
  name: "Python's .5g, float repr and string repr are spelled as Python spells them" +
    ignoredNote(pythonHas("json"), "json"),
  ignore: !pythonHas("json"),
  fn: withTempDir("notata_interop_spellings_", async (dir) => {
    const seed = 20261201;
    const floats = fc.sample(
      fc.oneof(
        fc.double({ noNaN: true, noDefaultInfinity: true }),
        fc.integer({ min: -(2 ** 20), max: 2 ** 20 }).map((i) => i / 64), // exact ties
        fc.tuple(fc.integer({ min: 1, max: 999999 }), fc.integer({ min: -320, max: 300 }))
          .map(([digits, power]) => Number(`${digits}e${power}`)),
      ),
      { numRuns: 20000, seed },
    );
    floats.push(5e-324, 1.03125, 123455, 123465, 99999.5, 2.2250738585072014e-308, 0);
    const strings = fc.sample(
      fc.oneof(
        fc.string({ unit: "binary-ascii", maxLength: 8 }),
        // Characters whose printability every Unicode version agrees on: a
        // character newer than the user's Python is escaped by its repr.
        fc.string({
          unit: fc.constantFrom(
            ..."'\"\\\n\t\x7f\u00a0\u00ad\u200b\u2028\ue000\ufeffaé日😀\u{10ffff}",
          ),
          maxLength: 6,
        }),
      ),
      { numRuns: 3000, seed },
    ).filter((text) => text.isWellFormed());
    const file = join(dir, "given.json");
    Deno.writeTextFileSync(file, JSON.stringify({ floats, strings: strings.map((s) => [s]) }));
    const spelled = await python(PYTHON_SPELLINGS, file);
    const view = { numbers: "floats", sortedKeys: false } as const;
    assertEquals(floats.map(formatG5), spelled.g5);
    assertEquals(floats.map((x) => pythonStr([x], view)), spelled.repr);
    assertEquals(strings.map((s) => pythonStr([s], view)), spelled.strings);
  }),
});
