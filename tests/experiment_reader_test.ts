// Copyright 2026 the notata authors. MIT license.
// Tests of ExperimentReader: sweeps written by this library's Experiment and
// by the Python notata's conventions (made by a real /usr/bin/python3),
// listing, positions, lookup by id, iteration, the typed index rows, params
// and metadata by run id, the summary text, and the errors.

import { assert, assertEquals, assertStringIncludes, assertThrows } from "@std/assert";
import { join } from "@std/path";
import { MissingEntryError } from "../src/errors.ts";
import {
  ExperimentReader,
  type JsonValue,
  type Logbook,
  type LogReader,
  type Params,
  TemporaryExperiment,
} from "../mod.ts";

// ---------------------------------------------------------------------------
// Helpers

const PYTHON = "/usr/bin/python3";

/** Whether /usr/bin/python3 runs and imports PyYAML; decided once. */
const HAS_YAML = (() => {
  try {
    return new Deno.Command(PYTHON, { args: ["-c", "import yaml"], stdout: "null", stderr: "null" })
      .outputSync().success;
  } catch {
    return false;
  }
})();

/** A temporary directory for one test, removed afterwards. */
function withTempDir(fn: (dir: string) => void): () => void {
  return () => {
    const dir = Deno.makeTempDirSync({ prefix: "notata-reader-" });
    try {
      fn(dir);
    } finally {
      Deno.removeSync(dir, { recursive: true });
    }
  };
}

function makeRun(runsDir: string, name: string, status: string): string {
  const path = join(runsDir, name);
  Deno.mkdirSync(path, { recursive: true });
  Deno.writeTextFileSync(join(path, "metadata.json"), JSON.stringify({ status }));
  return path;
}

function ids(readers: Iterable<LogReader>): string[] {
  return [...readers].map((run) => run.runId);
}

// ---------------------------------------------------------------------------
// A sweep written by this library

/** The params of the sweep's runs, by omega: 1, 2 complete, 3 failed, 4 still running. */
const SWEEP: Params[] = [
  { omega: 1, code: "007", flag: true, grid: [1, 3] },
  { omega: 2, code: "007", flag: false, grid: [2, 3] },
  { omega: 3, code: "x", flag: false, grid: [] },
  { omega: 4, code: "y", flag: true, grid: [4] },
];

/** Runs the sweep (omega 2 first) and returns the run still going. */
function runSweep(exp: TemporaryExperiment): Logbook {
  for (const params of [SWEEP[1], SWEEP[0]]) {
    using log = exp.add(params)!;
    log.json("metrics", {
      energy: params.omega === 1 ? NaN : 0.25,
      peak: Infinity,
      count: (params.omega as number) * 10,
      loss: { train: (params.omega as number) / 4 },
    });
  }
  const failed = exp.add(SWEEP[2])!;
  failed.json("metrics", { energy: -Infinity });
  failed.markFailed("diverged");
  return exp.add(SWEEP[3])!;
}

Deno.test("an Experiment's sweep: runs listed by id, by position and in order", () => {
  using exp = new TemporaryExperiment("sweep");
  const running = runSweep(exp);
  const reader = new ExperimentReader(exp.dir);
  assertEquals(reader.path, exp.dir);
  assertEquals(reader.runsDir, exp.runsDir);
  assertEquals(reader.indexPath, exp.indexPath);

  const expected = SWEEP.map((params) => exp.runId(params));
  assertEquals(reader.runIds, [...expected].sort());
  assertEquals(reader.length, 4);
  assertEquals(ids(reader), reader.runIds);
  assertEquals(reader.at(0)!.runId, reader.runIds[0]);
  assertEquals(reader.at(-1)!.runId, reader.runIds[3]);
  assertEquals(reader.at(-4)!.runId, reader.runIds[0]);
  assertEquals(reader.at(4), undefined);
  assertEquals(reader.at(-5), undefined);
  for (const runId of expected) {
    const run = reader.get(runId);
    assertEquals(run.runId, runId);
    assertEquals(run.path, join(exp.runsDir, `log_${runId}`));
  }

  const byOmega = Object.fromEntries(
    Object.entries(reader.params).map(([runId, params]) => [params.omega as number, runId]),
  );
  assertEquals(byOmega, { 1: expected[0], 2: expected[1], 3: expected[2], 4: expected[3] });
  assertEquals(reader.params[expected[1]], { omega: 2, code: "007", flag: false, grid: [2, 3] });
  const statuses = Object.fromEntries(
    Object.entries(reader.meta).map(([runId, meta]) => [runId, meta.status]),
  );
  assertEquals(statuses, {
    [expected[0]]: "complete",
    [expected[1]]: "complete",
    [expected[2]]: "failed",
    [expected[3]]: "initialized",
  });
  assertEquals(reader.meta[expected[2]].failure_reason, "diverged");
  running.markComplete();
  assertEquals(reader.get(expected[3]).status, "complete");
});

Deno.test("index() types each cell by index.schema.json", () => {
  using exp = new TemporaryExperiment("sweep");
  using _running = runSweep(exp);
  const reader = new ExperimentReader(exp.dir);
  const rows = reader.index();
  const runtimes = rows.map((row) => row.runtime_sec);
  assert(runtimes.every((value) => typeof value === "number" && value >= 0));
  assertEquals(
    rows.map((row): typeof row => ({ ...row, runtime_sec: 0 })),
    [
      {
        run_id: exp.runId(SWEEP[1]),
        omega: 2,
        code: "007",
        flag: false,
        grid: [2, 3],
        status: "complete",
        energy: 0.25,
        peak: Infinity,
        count: 20,
        "loss.train": 0.5,
        runtime_sec: 0,
        failure_reason: null,
      },
      {
        run_id: exp.runId(SWEEP[0]),
        omega: 1,
        code: "007",
        flag: true,
        grid: [1, 3],
        status: "complete",
        energy: NaN,
        peak: Infinity,
        count: 10,
        "loss.train": 0.25,
        runtime_sec: 0,
        failure_reason: null,
      },
      {
        run_id: exp.runId(SWEEP[2]),
        omega: 3,
        code: "x",
        flag: false,
        grid: [],
        status: "failed",
        energy: -Infinity,
        peak: null,
        count: null,
        "loss.train": null,
        runtime_sec: 0,
        failure_reason: "diverged",
      },
    ],
  );

  // A cell edited by hand so it no longer fits its column's type makes the
  // column's type the one its cells' text gives, as a DataFrame column has
  // one type: here text. A column whose cells all still fit keeps its type.
  const text = Deno.readTextFileSync(exp.indexPath);
  Deno.writeTextFileSync(exp.indexPath, text.replace(",x,false,[],3,", ",x,False,[],three,"));
  const edited = reader.index();
  assertEquals(edited.map((row) => row.omega), ["2", "1", "three"]);
  assertEquals(edited.map((row) => row.flag), [false, true, false]);
});

Deno.test("a reader sees runs started after it was made, and the index as it grows", () => {
  using exp = new TemporaryExperiment("live");
  exp.add({ omega: 1 })!.markComplete();
  const reader = new ExperimentReader(exp.dir);
  assertEquals(reader.runIds, ["live_omega_1"]);
  const log = exp.add({ omega: 2 })!;
  assertEquals(reader.runIds, ["live_omega_1", "live_omega_2"]);
  assertEquals(reader.index().map((row) => row.run_id), ["live_omega_1"]);
  log.json("metrics", { e: 1 });
  log.markComplete();
  assertEquals(reader.index().map((row) => [row.run_id, row.e]), [
    ["live_omega_1", null],
    ["live_omega_2", 1],
  ]);
});

// ---------------------------------------------------------------------------
// A sweep laid out by the Python notata's conventions, made by Python itself

const PYTHON_EXPERIMENT_SCRIPT = `
import csv, json, os, sys
import yaml

exp = sys.argv[1]
runs = [
    ("py_sweep_omega_1.0", {"omega": 1.0, "dt": 0.001, "flag": True, "label": "a,b"},
     "complete", {"final_energy": 0.5, "peak": float("inf"), "tags": [1, 2], "note": None}),
    ("py_sweep_omega_2.0", {"omega": 2.0, "dt": 1e-05, "flag": False, "label": "007"},
     "failed", {"final_energy": float("nan"), "peak": float("-inf"), "tags": [], "note": "x"}),
    ("42", {"omega": 3.0, "dt": 0.5, "flag": True, "label": ""},
     "complete", {"final_energy": -1.5e-10, "peak": 0.0, "tags": ["a"], "note": "True"}),
]
rows = []
for run_id, params, status, metrics in runs:
    run = os.path.join(exp, "runs", "log_" + run_id)
    os.makedirs(os.path.join(run, "artifacts"))
    with open(os.path.join(run, "params.yaml"), "w") as f:
        yaml.dump(params, f, sort_keys=True)
    with open(os.path.join(run, "metadata.json"), "w") as f:
        json.dump({"run_id": run_id, "status": status, "runtime_sec": 0.5}, f,
                  indent=2, sort_keys=True)
    with open(os.path.join(run, "artifacts", "metrics.json"), "w") as f:
        json.dump(metrics, f, indent=2, sort_keys=True)
    rows.append({"run_id": run_id, **params, "status": status, **metrics})
os.makedirs(os.path.join(exp, "runs", "log_partial"))
with open(os.path.join(exp, "runs", "log_partial", "log.txt"), "w") as f:
    f.write("started, no metadata yet\\n")
with open(os.path.join(exp, "runs", "stray.txt"), "w") as f:
    f.write("not a run")
with open(os.path.join(exp, "index.csv"), "w", newline="") as f:
    writer = csv.DictWriter(f, fieldnames=rows[0].keys())
    writer.writeheader()
    for row in rows:
        writer.writerow(row)
`;

Deno.test({
  name: "a sweep written by Python (csv.DictWriter index, PyYAML params) reads back whole",
  ignore: !HAS_YAML,
  fn: withTempDir((dir) => {
    const expDir = join(dir, "py_sweep");
    const { success, stderr } = new Deno.Command(PYTHON, {
      args: ["-c", PYTHON_EXPERIMENT_SCRIPT, expDir],
    }).outputSync();
    assert(success, new TextDecoder().decode(stderr));
    const reader = new ExperimentReader(expDir);

    // log_partial has no metadata.json yet and stray.txt is no directory.
    assertEquals(reader.runIds, ["42", "py_sweep_omega_1.0", "py_sweep_omega_2.0"]);
    assertEquals(reader.length, 3);
    assertEquals(ids(reader), reader.runIds);
    assertEquals(reader.get("py_sweep_omega_2.0").loadJson("metrics"), {
      final_energy: NaN,
      note: "x",
      peak: -Infinity,
      tags: [],
    });
    assertEquals(reader.params, {
      "42": { dt: 0.5, flag: true, label: "", omega: 3 },
      "py_sweep_omega_1.0": { dt: 0.001, flag: true, label: "a,b", omega: 1 },
      "py_sweep_omega_2.0": { dt: 1e-5, flag: false, label: "007", omega: 2 },
    });
    assertEquals(reader.meta["py_sweep_omega_2.0"], {
      run_id: "py_sweep_omega_2.0",
      runtime_sec: 0.5,
      status: "failed",
    });

    // Without index.schema.json each column's type is inferred from its
    // cells' text, as pandas infers a column's dtype (a column holding "a,b"
    // stays text, so "007" stays "007"; Python's list repr stays text),
    // except that run_id, status and failure_reason are always text.
    const rows: { [column: string]: JsonValue }[] = reader.index();
    assertEquals(rows, [
      {
        run_id: "py_sweep_omega_1.0",
        omega: 1,
        dt: 0.001,
        flag: true,
        label: "a,b",
        status: "complete",
        final_energy: 0.5,
        peak: Infinity,
        tags: "[1, 2]",
        note: null,
      },
      {
        run_id: "py_sweep_omega_2.0",
        omega: 2,
        dt: 1e-5,
        flag: false,
        label: "007",
        status: "failed",
        final_energy: NaN,
        peak: -Infinity,
        tags: "[]",
        note: "x",
      },
      {
        run_id: "42",
        omega: 3,
        dt: 0.5,
        flag: true,
        label: null,
        status: "complete",
        final_energy: -1.5e-10,
        peak: 0,
        tags: "['a']",
        note: "True",
      },
    ]);

    assertEquals(
      String(reader),
      [
        "<ExperimentReader 'py_sweep'>",
        "Index file: index.csv with 3 entries",
        "Fields: run_id, omega, dt, flag, label, status, final_energy, peak, tags, note",
        "Runs directory: runs with 3 runs",
        "- 42: complete",
        "- py_sweep_omega_1.0: complete",
        "- py_sweep_omega_2.0: failed",
      ].join("\n"),
    );
    assertEquals(Deno.inspect(reader), String(reader));
  }),
});

Deno.test(
  "index() infers numbers, non-finite floats and booleans in an index without a schema",
  withTempDir((dir) => {
    Deno.mkdirSync(join(dir, "runs"));
    Deno.writeTextFileSync(
      join(dir, "index.csv"),
      "run_id,status,failure_reason,a,b,c,d,e,f\r\n" +
        '1,2,3,-7,+2.5e3,nan,-inf,TRUE,"x, ""y"""\r\n' +
        "x,y,,.5,1.,NaN,Infinity,false,9007199254740993\r\n",
    );
    assertEquals(new ExperimentReader(dir).index(), [
      {
        run_id: "1",
        status: "2",
        failure_reason: "3",
        a: -7,
        b: 2500,
        c: NaN,
        d: -Infinity,
        e: true,
        f: 'x, "y"',
      },
      {
        run_id: "x",
        status: "y",
        failure_reason: null,
        a: 0.5,
        b: 1,
        c: NaN,
        d: Infinity,
        e: false, // TRUE, True and true are booleans, as pandas reads them
        f: "9007199254740993", // beyond 2^53 a number would change the value
      },
    ]);
  }),
);

// ---------------------------------------------------------------------------
// Errors and empty experiments

Deno.test(
  "a path that is not an experiment directory fails with MissingEntryError",
  withTempDir((dir) => {
    const layout =
      "expected an experiment directory holding runs/log_<run id>/ (one directory per run) and index.csv";
    const missing = join(dir, "nope");
    assertEquals(
      assertThrows(() => new ExperimentReader(missing), MissingEntryError).message,
      `Cannot read experiment ${JSON.stringify(missing)}: the directory does not exist, ${layout}`,
    );
    assertEquals(
      assertThrows(() => new ExperimentReader(dir), MissingEntryError).message,
      `Cannot read experiment ${JSON.stringify(dir)}: it has no runs/ directory, ${layout}`,
    );
    Deno.writeTextFileSync(join(dir, "runs"), "a file, not a directory");
    assertThrows(() => new ExperimentReader(dir), MissingEntryError);
    Deno.removeSync(join(dir, "runs"));
    Deno.writeTextFileSync(join(dir, "metadata.json"), "{}");
    assertStringIncludes(
      assertThrows(() => new ExperimentReader(dir), MissingEntryError).message,
      "; it looks like a run directory, which LogReader reads",
    );
  }),
);

Deno.test(
  "get() of an unknown id lists a few known ids; an empty experiment says it has none",
  withTempDir((dir) => {
    const runsDir = join(dir, "runs");
    Deno.mkdirSync(runsDir);
    const reader = new ExperimentReader(dir);
    assertEquals(reader.length, 0);
    assertEquals(reader.at(0), undefined);
    assertEquals([...reader], []);
    assertEquals(reader.params, {});
    assertEquals(reader.index(), []);
    assertEquals(
      assertThrows(() => reader.get("a"), MissingEntryError).message,
      `Cannot get run "a" of experiment "${dir}": no such run in "${runsDir}", and the experiment has no runs`,
    );
    assertEquals(
      String(reader),
      [
        `<ExperimentReader '${dir.split("/").at(-1)}'>`,
        "Index file: index.csv with 0 entries",
        "Fields: (missing)",
        "Runs directory: runs with 0 runs",
      ].join("\n"),
    );

    for (let i = 0; i < 7; i++) makeRun(runsDir, `log_r${i}`, i % 2 ? "failed" : "complete");
    makeRun(runsDir, "not_prefixed", "complete");
    assertEquals(
      assertThrows(() => reader.get("r9"), MissingEntryError).message,
      `Cannot get run "r9" of experiment "${dir}": no such run in "${runsDir}", ` +
        'expected one of "r0", "r1", "r2", "r3", "r4" and 3 more',
    );
    // Ids are directory names without their leading "log_", and nothing else.
    assertEquals(reader.get("not_prefixed").runId, "not_prefixed");
    assertThrows(() => reader.get("log_r1"), MissingEntryError);
    assertThrows(() => reader.get("../runs/log_r1"), MissingEntryError);
    assertEquals(reader.get("r1").status, "failed");
    // Sorted by directory name: "log_r6" comes before "not_prefixed".
    assertEquals(reader.at(-2)!.runId, "r6");
    assertEquals(reader.at(-1)!.runId, "not_prefixed");
    assertStringIncludes(String(reader), "Runs directory: runs with 8 runs\n- r0: complete\n");
  }),
);

Deno.test("toDataFrame lists runs without a row, types kept, and writes nothing", async () => {
  using exp = new TemporaryExperiment("frame");
  using done = exp.add({ omega: 1, tag: "a" })!;
  done.json("metrics", { energy: 0.5 });
  done.markComplete();
  using open = exp.add({ omega: 2.5, tag: "b" })!;
  // A run whose process is gone: the pid of a process that has exited.
  using dead = exp.add({ omega: 3, tag: "c" })!;
  const child = new Deno.Command("true").spawn();
  await child.status;
  const metadataPath = join(dead.path, "metadata.json");
  const metadata = JSON.parse(Deno.readTextFileSync(metadataPath));
  Deno.writeTextFileSync(metadataPath, JSON.stringify({ ...metadata, pid: child.pid }));
  const before = Deno.readTextFileSync(exp.indexPath);

  const df = await new ExperimentReader(exp.dir).toDataFrame();

  const rows = df.sort("omega").toRecords();
  assertEquals(rows.map((row) => [row.omega, row.tag, row.status, row.energy]), [
    [1, "a", "complete", 0.5],
    [2.5, "b", "initialized", null],
    [3, "c", "crashed", null],
  ]);
  assertEquals(String(df.getColumn("omega").dtype), "DataType(Float64)");
  assertEquals(Deno.readTextFileSync(exp.indexPath), before);
  assertEquals(open.status, "initialized");
});

Deno.test("toDataFrame keeps an Int64 column Int64 when a running run has a whole number", async () => {
  using exp = new TemporaryExperiment("whole");
  exp.add({ omega: 1 })!.markComplete();
  using open = exp.add({ omega: 2 })!;
  const df = await new ExperimentReader(exp.dir).toDataFrame();
  assertEquals(String(df.getColumn("omega").dtype), "DataType(Int64)");
  assertEquals(df.getColumn("omega").toArray(), [1, 2]);
  assertEquals(open.status, "initialized");
});
