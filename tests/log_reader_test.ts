// Copyright 2026 the notata authors. MIT license.
// Tests of LogReader: runs written by this library's Logbook and by the
// Python notata's conventions (made by a real /usr/bin/python3 with NumPy
// and PyYAML), arrays in .npy and .npz files, artifacts, plots, Parquet
// tables and scalars, what the reader sees of a run still going, the
// summary text, and the errors with their messages.

import {
  assert,
  assertEquals,
  assertInstanceOf,
  assertRejects,
  assertStringIncludes,
  assertThrows,
} from "@std/assert";
import { join } from "@std/path";
import pl from "nodejs-polars";
import { parseJson } from "../src/_json.ts";
import { encodeNpz } from "../src/_npz.ts";
import { writeNpyFile } from "../src/npy.ts";
import { FileFormatError, MissingEntryError } from "../src/errors.ts";
import {
  InvalidNameError,
  type JsonValue,
  Logbook,
  LogReader,
  TemporaryExperiment,
} from "../mod.ts";

// ---------------------------------------------------------------------------
// Helpers

const PYTHON = "/usr/bin/python3";

/** Whether /usr/bin/python3 runs and imports every module in `modules`. */
function pythonHas(...modules: string[]): boolean {
  try {
    return new Deno.Command(PYTHON, {
      args: ["-c", `import ${modules.join(", ")}`],
      stdout: "null",
      stderr: "null",
    }).outputSync().success;
  } catch {
    return false;
  }
}

const HAS_NUMPY = pythonHas("numpy");
const HAS_YAML = pythonHas("yaml");

/** Runs a Python script with `args` as argv and returns what it prints. */
function python(script: string, ...args: string[]): string {
  const output = new Deno.Command(PYTHON, { args: ["-c", script, ...args] }).outputSync();
  const decoder = new TextDecoder();
  if (!output.success) {
    throw new Error(`python exited with ${output.code}: ${decoder.decode(output.stderr)}`);
  }
  return decoder.decode(output.stdout);
}

/** A temporary directory for one test, removed afterwards. */
function withTempDir(fn: (dir: string) => void | Promise<void>): () => Promise<void> {
  return async () => {
    const dir = Deno.makeTempDirSync({ prefix: "notata-reader-" });
    try {
      await fn(dir);
    } finally {
      Deno.removeSync(dir, { recursive: true });
    }
  };
}

/** A minimal run directory: `log_<runId>/metadata.json` and nothing else. */
function makeRunDir(dir: string, runId: string, metadata: string = '{"status": "complete"}') {
  const path = join(dir, `log_${runId}`);
  Deno.mkdirSync(path, { recursive: true });
  Deno.writeTextFileSync(join(path, "metadata.json"), metadata);
  return path;
}

function write(path: string, content: string | Uint8Array): void {
  Deno.mkdirSync(join(path, ".."), { recursive: true });
  if (typeof content === "string") Deno.writeTextFileSync(path, content);
  else Deno.writeFileSync(path, content);
}

// ---------------------------------------------------------------------------
// A run written by this library

Deno.test(
  "a Logbook run reads back: id, params, metadata, status, arrays, artifacts and plots",
  withTempDir((baseDir) => {
    const log = new Logbook("oscillator", {
      baseDir,
      params: { omega: 2, dt: 1e-3, method: "verlet", grid: [1, 2], opts: { tol: 1e-9 } },
    });
    const run = new LogReader(log.path);
    assertEquals(run.path, log.path);
    assertEquals(run.runId, "oscillator");
    assertEquals(run.status, "initialized");
    assertEquals(run.arrays, []);
    assertEquals(run.artifacts, []);
    assertEquals(run.plots, []);

    log.meta({ host: "node1", best: NaN });
    log.json("metrics", { final_energy: 0.993, drift: -Infinity, worst: NaN });
    log.json("confusion", [[1, 0], [0, 1]]);
    log.text("notes", "converged\nafter 3 steps");
    log.bytes("weights.bin", new Uint8Array([0, 1, 2]));
    Deno.writeTextFileSync(log.file("artifacts/eval/summary.json"), '{"n": 3}');
    Deno.writeFileSync(log.file("plots/energy.png"), new Uint8Array([0x89, 0x50]));
    Deno.writeTextFileSync(log.file("plots/energy.svg"), "<svg/>");
    Deno.mkdirSync(log.file("plots/nested/x"), { recursive: true });
    writeNpyFile(log.file("data/energy.npy"), new Float64Array([1, 0.5, 0.25]));
    writeNpyFile(log.file("data/field.npy"), new Int32Array([1, 2, 3, 4, 5, 6]), [2, 3]);
    writeNpyFile(log.file("data/snapshots/t0.npy"), new Float32Array([0.5]), []);
    Deno.writeFileSync(
      log.file("data/trajectory.npz"),
      encodeNpz({ x: [0, 1, 2], v: new BigInt64Array([3n, 4n, 5n]) }, true),
    );
    log.markComplete();

    assertEquals(run.params, {
      omega: 2,
      dt: 1e-3,
      method: "verlet",
      grid: [1, 2],
      opts: { tol: 1e-9 },
    });
    const meta = run.meta;
    assertEquals(meta.run_id, "oscillator");
    assertEquals(meta.status, "complete");
    assertEquals(meta.host, "node1");
    assert(Number.isNaN(meta.best));
    assertEquals(typeof meta.runtime_sec, "number");
    assertEquals(run.status, "complete");

    assertEquals(run.arrays, [
      "energy",
      "field",
      "snapshots/t0",
      "trajectory:v",
      "trajectory:x",
    ]);
    assertEquals(run.loadArray("energy"), {
      data: new Float64Array([1, 0.5, 0.25]),
      shape: [3],
      dtype: "<f8",
    });
    assertEquals(run.loadArray("field"), {
      data: new Int32Array([1, 2, 3, 4, 5, 6]),
      shape: [2, 3],
      dtype: "<i4",
    });
    assertEquals(run.loadArray("snapshots/t0"), {
      data: new Float32Array([0.5]),
      shape: [],
      dtype: "<f4",
    });
    assertEquals(run.loadArray("trajectory:x"), {
      data: new Float64Array([0, 1, 2]),
      shape: [3],
      dtype: "<f8",
    });
    assertEquals(run.loadArray("trajectory:v").data, new BigInt64Array([3n, 4n, 5n]));

    assertEquals(run.artifacts, [
      "confusion.json",
      "eval/summary.json",
      "metrics.json",
      "notes.txt",
      "weights.bin",
    ]);
    const metrics = run.loadJson("metrics") as { [key: string]: number };
    assertEquals(metrics.final_energy, 0.993);
    assertEquals(metrics.drift, -Infinity);
    assert(Number.isNaN(metrics.worst));
    assertEquals(run.loadJson("metrics.json"), metrics);
    assertEquals(run.loadJson("confusion"), [[1, 0], [0, 1]]);
    assertEquals(run.loadJson("eval/summary.json"), { n: 3 });
    assertEquals(run.loadText("notes"), "converged\nafter 3 steps");
    assertEquals(run.loadText("notes.txt"), "converged\nafter 3 steps");
    assertEquals(run.plots, ["energy.png", "energy.svg"]);
  }),
);

Deno.test("a run of an Experiment reads back through its directory under runs/", () => {
  using exp = new TemporaryExperiment("sweep");
  const log = exp.add({ omega: 1, code: "007" })!;
  log.json("metrics", { energy: 0.5 });
  log.markFailed("diverged");
  const run = new LogReader(join(exp.runsDir, `log_${log.runId}`));
  assertEquals(run.runId, "sweep_code_007_omega_1__" + log.runId.split("__")[1]);
  assertEquals(run.runId, log.runId);
  assertEquals(run.params, { omega: 1, code: "007" });
  assertEquals(run.status, "failed");
  assertEquals(run.meta.failure_reason, "diverged");
  assertEquals(run.loadJson("metrics"), { energy: 0.5 });
});

Deno.test(
  "properties read the disk on access, so a reader sees what a running run writes later",
  withTempDir((baseDir) => {
    using log = new Logbook("live", { baseDir, params: { a: 1 } });
    const run = new LogReader(log.path);
    assertEquals([run.arrays, run.artifacts, run.plots], [[], [], []]);
    log.params({ b: 2 });
    log.json("metrics", { x: 1 });
    writeNpyFile(log.file("data/late.npy"), [1, 2]);
    Deno.writeTextFileSync(log.file("plots/late.svg"), "<svg/>");
    assertEquals(run.params, { a: 1, b: 2 });
    assertEquals(run.artifacts, ["metrics.json"]);
    assertEquals(run.arrays, ["late"]);
    assertEquals(run.plots, ["late.svg"]);
    assertEquals(run.status, "initialized");
    log.markComplete();
    assertEquals(run.status, "complete");
  }),
);

// ---------------------------------------------------------------------------
// A run laid out by the Python notata's conventions, made by Python itself

const PYTHON_RUN_SCRIPT = `
import io, json, math, os, sys, zipfile
import numpy as np
import yaml

run = sys.argv[1]
for sub in ("data/sub", "artifacts/eval", "plots/nested"):
    os.makedirs(os.path.join(run, sub))

params = {"omega": 1.0, "dt": 1e-05, "steps": 10000, "method": "verlet",
          "tags": ["a", "b"], "grid": {"nx": 64, "lengths": [1.5, 2.0]},
          "damping": None, "adaptive": True, "code": "007", "answer": "yes"}
with open(os.path.join(run, "params.yaml"), "w") as f:
    yaml.dump(params, f, sort_keys=True)
meta = {"run_id": "py_omega_1", "status": "complete", "start_time": "2026-01-01T10:00:00",
        "end_time": "2026-01-01T10:00:02", "runtime_sec": 1.5, "best": float("nan"),
        "peak": float("inf")}
with open(os.path.join(run, "metadata.json"), "w") as f:
    json.dump(meta, f, indent=2, sort_keys=True)

np.save(os.path.join(run, "data", "x.npy"), np.arange(6, dtype="<f8").reshape(2, 3))
np.save(os.path.join(run, "data", "sub", "y.npy"), np.array([1, -2, 3], dtype=np.int32))
np.save(os.path.join(run, "data", "big.npy"), np.array([1.5, 2.5], dtype=">f8"))
np.save(os.path.join(run, "data", "fortran.npy"), np.asfortranarray(np.arange(6).reshape(2, 3)))
np.savez_compressed(os.path.join(run, "data", "bundle.npz"),
                    a=np.array([1.5, 2.5]), b=np.array([[1, 2], [3, 4]], dtype=np.int64))
with open(os.path.join(run, "data", "broken.npz"), "wb") as f:
    f.write(b"not a zip archive")
good = io.BytesIO()
np.save(good, np.array([7], dtype=np.uint8))
with zipfile.ZipFile(os.path.join(run, "data", "mixed.npz"), "w") as z:
    z.writestr("good.npy", good.getvalue())
    z.writestr("bad.npy", b"garbage, not an npy member")
    z.writestr("text.npy", b"")
with open(os.path.join(run, "data", "notes.md"), "w") as f:
    f.write("not an array")

with open(os.path.join(run, "artifacts", "metrics.json"), "w") as f:
    json.dump({"final_energy": 0.993, "drift": float("nan"), "low": float("-inf")}, f,
              indent=2, sort_keys=True)
with open(os.path.join(run, "artifacts", "eval", "m.json"), "w") as f:
    json.dump([1, 2, 3], f)
with open(os.path.join(run, "artifacts", "stdout.txt"), "w") as f:
    f.write("Simulation complete.")
with open(os.path.join(run, "plots", "p.png"), "wb") as f:
    f.write(b"\\x89PNG fake")
with open(os.path.join(run, "plots", "nested", "q.png"), "wb") as f:
    f.write(b"\\x89PNG fake")
with open(os.path.join(run, "log.txt"), "w") as f:
    f.write("[2026-01-01T10:00:00] INFO Logbook initialized\\n")
`;

Deno.test({
  name: "a run written by Python (PyYAML params, NumPy arrays, NaN in JSON) reads back whole",
  ignore: !HAS_NUMPY || !HAS_YAML,
  fn: withTempDir((dir) => {
    const path = join(dir, "log_py_omega_1");
    python(PYTHON_RUN_SCRIPT, path);
    const run = new LogReader(path);

    assertEquals(run.runId, "py_omega_1");
    assertEquals(run.params, {
      adaptive: true,
      answer: "yes",
      code: "007",
      damping: null,
      dt: 1e-5,
      grid: { lengths: [1.5, 2], nx: 64 },
      method: "verlet",
      omega: 1,
      steps: 10000,
      tags: ["a", "b"],
    });
    assertEquals(run.meta, {
      best: NaN,
      end_time: "2026-01-01T10:00:02",
      peak: Infinity,
      run_id: "py_omega_1",
      runtime_sec: 1.5,
      start_time: "2026-01-01T10:00:00",
      status: "complete",
    });
    assert(Number.isNaN(run.meta.best));
    assertEquals(run.status, "complete");

    // broken.npz is no zip, and mixed.npz's bad and empty members are skipped.
    assertEquals(run.arrays, [
      "big",
      "bundle:a",
      "bundle:b",
      "fortran",
      "mixed:good",
      "sub/y",
      "x",
    ]);
    assertEquals(run.loadArray("x"), {
      data: new Float64Array([0, 1, 2, 3, 4, 5]),
      shape: [2, 3],
      dtype: "<f8",
    });
    assertEquals(run.loadArray("sub/y"), {
      data: new Int32Array([1, -2, 3]),
      shape: [3],
      dtype: "<i4",
    });
    assertEquals(run.loadArray("big"), {
      data: new Float64Array([1.5, 2.5]),
      shape: [2],
      dtype: "<f8",
    });
    assertEquals(run.loadArray("fortran"), {
      data: new BigInt64Array([0n, 1n, 2n, 3n, 4n, 5n]),
      shape: [2, 3],
      dtype: "<i8",
    });
    assertEquals(run.loadArray("bundle:a"), {
      data: new Float64Array([1.5, 2.5]),
      shape: [2],
      dtype: "<f8",
    });
    assertEquals(run.loadArray("bundle:b"), {
      data: new BigInt64Array([1n, 2n, 3n, 4n]),
      shape: [2, 2],
      dtype: "<i8",
    });
    assertEquals(run.loadArray("mixed:good"), {
      data: new Uint8Array([7]),
      shape: [1],
      dtype: "|u1",
    });

    assertEquals(run.artifacts, ["eval/m.json", "metrics.json", "stdout.txt"]);
    assertEquals(run.loadJson("metrics"), { drift: NaN, final_energy: 0.993, low: -Infinity });
    assertEquals(run.loadJson("eval/m.json"), [1, 2, 3]);
    assertEquals(run.loadText("stdout"), "Simulation complete.");
    assertEquals(run.plots, ["p.png"]);

    assertEquals(
      String(run),
      [
        "<LogReader 'py_omega_1'>",
        "  params: adaptive=true, answer=yes, code=007, damping=null, dt=0.00001, " +
        'grid={"lengths":[1.5,2],"nx":64}, method=verlet, omega=1, steps=10000, tags=["a","b"]',
        "  meta: status=complete",
        "  arrays:",
        "    - big",
        "    - bundle:a",
        "    - bundle:b",
        "    - fortran",
        "    - mixed:good",
        "    - sub/y",
        "    - x",
        "  artifacts:",
        "    - eval/m.json",
        "    - metrics.json",
        "    - stdout.txt",
        "  plots:",
        "    - p.png",
      ].join("\n"),
    );

    // A corrupt member and a file that is no zip fail with FileFormatError.
    const bad = assertThrows(() => run.loadArray("mixed:bad"), FileFormatError);
    assertStringIncludes(bad.message, "mixed.npz/bad.npy");
    assertStringIncludes(bad.message, "NumPy magic string");
    const broken = assertThrows(() => run.loadArray("broken:a"), FileFormatError);
    assertStringIncludes(broken.message, "broken.npz");
    assertStringIncludes(broken.message, "not a zip archive");
    const key = assertThrows(() => run.loadArray("bundle:c"), MissingEntryError);
    assertStringIncludes(key.message, '"c"');
    assertStringIncludes(key.message, '"a", "b"');
  }),
});

// ---------------------------------------------------------------------------
// params.yaml as PyYAML writes it

const PYYAML_SCRIPT = `
import json, sys, yaml
params = {
    "dt": 1e-05, "omega": 1.0, "steps": 10000, "big": 1e300, "tiny": 5e-324,
    "neg": -0.5, "nan": float("nan"), "inf": float("inf"), "ninf": float("-inf"),
    "tags": ["a", "b"], "mixed": [1, 2.5, "x", None, True],
    "nested": {"x": 1, "y": [1.5, 2], "deeper": {"z": "w"}},
    "empty_list": [], "empty_dict": {}, "none": None, "flag": False,
    "yes": "yes", "on": "on", "null_text": "null", "num_text": "1.5", "int_text": "10",
    "octal_text": "010", "date_text": "2020-01-01", "colon": "a: b", "hash": "a # b",
    "multi": "line one\\nline two", "unicode": "\\u00e9\\u4e2d\\U0001f600", "quote": "it's",
    "exp_text": "1e3", "signless_exp_text": "1.0e5",
}
with open(sys.argv[1], "w") as f:
    yaml.dump(params, f, sort_keys=True)
with open(sys.argv[1]) as f:
    print(json.dumps(yaml.safe_load(f)))
`;

Deno.test({
  name: "params.yaml written by PyYAML's yaml.dump reads as PyYAML's safe_load reads it",
  ignore: !HAS_YAML,
  fn: withTempDir((dir) => {
    const path = makeRunDir(dir, "yaml");
    const python_loaded = parseJson(python(PYYAML_SCRIPT, join(path, "params.yaml"))) as {
      [key: string]: JsonValue;
    };
    const params = new LogReader(path).params;
    // Floats come as PyYAML writes them: `1.0e-05`, `.nan`, `.inf`, `-.inf`.
    const text = Deno.readTextFileSync(join(path, "params.yaml"));
    for (const line of ["dt: 1.0e-05", "nan: .nan", "inf: .inf", "ninf: -.inf", "omega: 1.0"]) {
      assertStringIncludes(text, `${line}\n`);
    }
    // YAML 1.1 floats need a dot and a signed exponent: PyYAML writes these
    // strings unquoted and reads them back as strings, and so do we.
    assertStringIncludes(text, "exp_text: 1e3\n");
    assertStringIncludes(text, "signless_exp_text: 1.0e5\n");
    assertEquals([params.exp_text, params.signless_exp_text], ["1e3", "1.0e5"]);
    assertEquals(params, python_loaded);
    assertEquals(params.unicode, "\u00e9\u4e2d\u{1f600}");
    assertEquals(params.tiny, 5e-324);
    assert(Number.isNaN(params.nan));
  }),
});

Deno.test(
  "params: YAML wins over JSON, dates stay text, an empty YAML file is no params",
  withTempDir((dir) => {
    const path = makeRunDir(dir, "both");
    const run = new LogReader(path);
    assertEquals(run.params, {});
    Deno.writeTextFileSync(join(path, "params.json"), '{"source": "json", "x": NaN}');
    assertEquals(run.params.source, "json");
    assert(Number.isNaN(run.params.x));
    // PyYAML writes a datetime.date unquoted; the core schema keeps it text.
    Deno.writeTextFileSync(join(path, "params.yaml"), "source: yaml\nday: 2020-01-01\n");
    assertEquals(run.params, { source: "yaml", day: "2020-01-01" });
    Deno.writeTextFileSync(join(path, "params.yaml"), "");
    assertEquals(run.params, {});
  }),
);

// ---------------------------------------------------------------------------
// Parquet tables and scalars

Deno.test(
  "loadFrame reads data/<name>.parquet with its column types",
  withTempDir(async (dir) => {
    const path = makeRunDir(dir, "frames");
    Deno.mkdirSync(join(path, "data"));
    pl.DataFrame({
      t: pl.Series("t", [0, 0.5, 1], pl.Float64),
      n: pl.Series("n", [1, 2, 3], pl.Int64),
      label: ["a", "b", "c"],
      ok: [true, false, true],
    }).writeParquet(join(path, "data", "samples.parquet"));
    const run = new LogReader(path);
    for (const name of ["samples", "samples.parquet"]) {
      const frame = await run.loadFrame(name);
      assertEquals(frame.columns, ["t", "n", "label", "ok"]);
      assertEquals(
        frame.dtypes.map(String),
        [pl.Float64, pl.Int64, pl.String, pl.Bool].map(String),
      );
      assertEquals(frame.getColumn("t").toArray(), [0, 0.5, 1]);
      assertEquals(frame.getColumn("n").toArray(), [1, 2, 3]);
      assertEquals(frame.getColumn("label").toArray(), ["a", "b", "c"]);
      assertEquals(frame.getColumn("ok").toArray(), [true, false, true]);
    }

    const missing = await assertRejects(() => run.loadFrame("other"), MissingEntryError);
    assertEquals(
      missing.message,
      `Cannot load table "other" of run "frames": "${
        join(path, "data", "other.parquet")
      }" does not exist, expected one of the run's tables: "samples"`,
    );
    Deno.writeTextFileSync(join(path, "data", "bad.parquet"), "not parquet");
    const bad = await assertRejects(() => run.loadFrame("bad"), FileFormatError);
    assertStringIncludes(bad.message, "is not a readable Parquet file");
    await assertRejects(() => run.loadFrame("../escape"), InvalidNameError);
  }),
);

Deno.test(
  "loadScalars reads data/scalars.csv as step Int64, name String, value and time Float64",
  withTempDir(async (dir) => {
    const path = makeRunDir(dir, "scalars");
    const run = new LogReader(path);
    const missing = await assertRejects(() => run.loadScalars(), MissingEntryError);
    assertEquals(
      missing.message,
      `Cannot load scalars of run "scalars": "${
        join(path, "data", "scalars.csv")
      }" does not exist, expected a run that recorded scalars`,
    );
    write(join(path, "data", "x.npy"), new Uint8Array());
    const listed = await assertRejects(() => run.loadScalars(), MissingEntryError);
    assertStringIncludes(listed.message, 'recorded scalars; data/ holds "x.npy"');

    const csv = join(path, "data", "scalars.csv");
    // Created, header not yet flushed: an empty table of the four columns.
    Deno.writeTextFileSync(csv, "");
    let frame = await run.loadScalars();
    assertEquals(frame.shape, { height: 0, width: 4 });
    assertEquals(frame.columns, ["step", "name", "value", "time"]);
    assertEquals(
      frame.dtypes.map(String),
      [pl.Int64, pl.String, pl.Float64, pl.Float64].map(String),
    );

    Deno.writeTextFileSync(
      csv,
      'step,name,value,time\n0,energy,1,0.000100\n1,energy,NaN,0.2\n0,"a,b",inf,0.3\n' +
        "2,energy,-inf,0.4\n0,007,0.5,0.5\n3,ener", // the last line is still being written
    );
    frame = await run.loadScalars();
    assertEquals(
      frame.dtypes.map(String),
      [pl.Int64, pl.String, pl.Float64, pl.Float64].map(String),
    );
    assertEquals(frame.getColumn("step").toArray(), [0, 1, 0, 2, 0]);
    assertEquals(frame.getColumn("name").toArray(), ["energy", "energy", "a,b", "energy", "007"]);
    assertEquals(frame.getColumn("value").toArray(), [1, NaN, Infinity, -Infinity, 0.5]);
    assertEquals(frame.getColumn("time").toArray(), [0.0001, 0.2, 0.3, 0.4, 0.5]);

    Deno.writeTextFileSync(csv, "step,name,value,time\nx,energy,1,0\n");
    const bad = await assertRejects(() => run.loadScalars(), FileFormatError);
    assertStringIncludes(bad.message, "is not a CSV table of step, name, value, time");
  }),
);

// ---------------------------------------------------------------------------
// Errors

Deno.test(
  "a path that is not a run directory fails with MissingEntryError saying what a run holds",
  withTempDir((dir) => {
    const layout =
      "expected a run directory holding metadata.json, params.json or params.yaml, log.txt, data/, plots/ and artifacts/";
    const missing = join(dir, "log_missing");
    assertEquals(
      assertThrows(() => new LogReader(missing), MissingEntryError).message,
      `Cannot read run ${JSON.stringify(missing)}: the directory does not exist, ${layout}`,
    );
    const file = join(dir, "file.txt");
    Deno.writeTextFileSync(file, "x");
    assertEquals(
      assertThrows(() => new LogReader(file), MissingEntryError).message,
      `Cannot read run ${JSON.stringify(file)}: it is not a directory, ${layout}`,
    );
    assertEquals(
      assertThrows(() => new LogReader(dir), MissingEntryError).message,
      `Cannot read run ${JSON.stringify(dir)}: it has no metadata.json, ${layout}`,
    );
    Deno.mkdirSync(join(dir, "runs"));
    assertStringIncludes(
      assertThrows(() => new LogReader(dir), MissingEntryError).message,
      "; it looks like an experiment directory, which ExperimentReader reads",
    );
  }),
);

Deno.test(
  "a missing array, bundle or artifact names the path and lists what the run has",
  withTempDir((dir) => {
    const path = makeRunDir(dir, "r");
    const run = new LogReader(path);
    const data = join(path, "data");
    assertEquals(
      assertThrows(() => run.loadArray("energy"), MissingEntryError).message,
      `Cannot load array "energy" of run "r": "${
        join(data, "energy.npy")
      }" does not exist, and the run has no arrays`,
    );
    Deno.mkdirSync(data);
    for (let i = 0; i < 12; i++) {
      writeNpyFile(join(data, `a${String(i).padStart(2, "0")}.npy`), [i]);
    }
    assertEquals(
      assertThrows(() => run.loadArray("energy"), MissingEntryError).message,
      `Cannot load array "energy" of run "r": "${
        join(data, "energy.npy")
      }" does not exist, expected one of the run's arrays: "a00", "a01", "a02", "a03", "a04", ` +
        `"a05", "a06", "a07", "a08", "a09" and 2 more`,
    );
    assertStringIncludes(
      assertThrows(() => run.loadArray("traj:x"), MissingEntryError).message,
      `Cannot load array "traj:x" of run "r": "${join(data, "traj.npz")}" does not exist`,
    );
    assertThrows(() => run.loadArray("../../escape"), InvalidNameError);
    assertThrows(() => run.loadArray(":x"), InvalidNameError);
    assertThrows(() => run.loadArray(""), InvalidNameError);

    const artifacts = join(path, "artifacts");
    assertEquals(
      assertThrows(() => run.loadJson("metrics"), MissingEntryError).message,
      `Cannot load artifact "metrics" of run "r": "${
        join(artifacts, "metrics.json")
      }" does not exist, and the run has no .json artifacts`,
    );
    write(join(artifacts, "eval", "m.json"), "[1]");
    write(join(artifacts, "notes.txt"), "n");
    assertEquals(
      assertThrows(() => run.loadJson("metrics.json"), MissingEntryError).message,
      `Cannot load artifact "metrics.json" of run "r": "${
        join(artifacts, "metrics.json")
      }" does not exist, expected one of the run's .json artifacts: "eval/m.json"`,
    );
    assertEquals(
      assertThrows(() => run.loadText("log"), MissingEntryError).message,
      `Cannot load artifact "log" of run "r": "${
        join(artifacts, "log.txt")
      }" does not exist, expected one of the run's .txt artifacts: "notes.txt"`,
    );
    assertThrows(() => run.loadJson("/etc/passwd"), InvalidNameError);
    assertThrows(() => run.loadText("a/../../b"), InvalidNameError);
  }),
);

Deno.test(
  "files that do not hold what their names promise fail with FileFormatError",
  withTempDir((dir) => {
    const path = makeRunDir(dir, "bad");
    const run = new LogReader(path);
    write(join(path, "artifacts", "torn.json"), '{"a": 1');
    const torn = assertThrows(() => run.loadJson("torn"), FileFormatError);
    assertStringIncludes(
      torn.message,
      `Cannot load artifact "torn" of run "bad": "${
        join(path, "artifacts", "torn.json")
      }" is not valid JSON (`,
    );
    assertInstanceOf(torn.cause, SyntaxError);

    write(join(path, "data", "x.npy"), "not numpy");
    assertStringIncludes(
      assertThrows(() => run.loadArray("x"), FileFormatError).message,
      "NumPy magic string",
    );

    Deno.writeTextFileSync(join(path, "params.json"), "[1, 2]");
    assertStringIncludes(
      assertThrows(() => run.params, FileFormatError).message,
      `Cannot read params of run "bad": ${join(path, "params.json")} holds an array`,
    );
    Deno.writeTextFileSync(join(path, "params.yaml"), "- 1\n- 2\n");
    assertEquals(
      assertThrows(() => run.params, FileFormatError).message,
      `Cannot read params of run "bad": "${
        join(path, "params.yaml")
      }" holds a list, expected a mapping of names to values`,
    );
    Deno.writeTextFileSync(join(path, "params.yaml"), "a: [1\n");
    assertStringIncludes(
      assertThrows(() => run.params, FileFormatError).message,
      `"${join(path, "params.yaml")}" is not valid YAML (`,
    );
    Deno.writeTextFileSync(join(path, "params.yaml"), "just text\n");
    assertStringIncludes(assertThrows(() => run.params, FileFormatError).message, "holds string");

    Deno.writeTextFileSync(join(path, "metadata.json"), "{");
    assertStringIncludes(
      assertThrows(() => run.status, FileFormatError).message,
      `Cannot read metadata of run "bad": ${join(path, "metadata.json")} is not valid JSON`,
    );
    Deno.writeTextFileSync(join(path, "metadata.json"), "{}");
    assertEquals(run.status, "unknown");
    Deno.removeSync(join(path, "metadata.json"));
    assertStringIncludes(
      assertThrows(() => run.meta, MissingEntryError).message,
      'metadata.json" no longer exists',
    );
  }),
);

// ---------------------------------------------------------------------------
// The summary

Deno.test(
  "String(run) and Deno.inspect show params, status and the non-empty blocks",
  withTempDir((dir) => {
    const path = makeRunDir(dir, "summary", '{"status": "failed"}');
    const run = new LogReader(path);
    assertEquals(String(run), "<LogReader 'summary'>\n  params: (missing)\n  meta: status=failed");
    Deno.writeTextFileSync(join(path, "params.json"), '{"omega": 1.5, "name": "a b"}');
    write(join(path, "plots", "e.png"), "png");
    const expected = [
      "<LogReader 'summary'>",
      "  params: omega=1.5, name=a b",
      "  meta: status=failed",
      "  plots:",
      "    - e.png",
    ].join("\n");
    assertEquals(String(run), expected);
    assertEquals(`${run}`, expected);
    assertEquals(Deno.inspect(run), expected);
  }),
);
