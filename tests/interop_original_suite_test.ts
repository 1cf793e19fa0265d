// Copyright 2026 the notata authors. MIT license.
// The original Python notata's own test scenarios (../shared/notata-py/tests,
// 55 tests), ported to our API where they apply. Each test is named after the
// original one; docs/format.md lists all 55: ported, not applicable, or a
// deliberate difference (and then the test asserts our behaviour instead).
// Arrays the original's tests make with NumPy are made with NumPy here too.

import { assert, assertEquals, assertMatch, assertStringIncludes, assertThrows } from "@std/assert";
import { join } from "@std/path";
import {
  Experiment,
  ExperimentReader,
  Logbook,
  LogReader,
  MissingEntryError,
  RunExistsError,
} from "../mod.ts";
import { ignoredNote, python, pythonHas } from "./_python.ts";

const HAS_NUMPY = pythonHas("numpy");
const NUMPY_NOTE = ignoredNote(HAS_NUMPY, "numpy");

/** Runs `fn` in a fresh temporary directory, removed afterwards. */
function inTempDir(fn: (dir: string) => void | Promise<void>): () => Promise<void> {
  return async () => {
    const dir = Deno.makeTempDirSync({ prefix: "notata_original_suite_" });
    try {
      await fn(dir);
    } finally {
      Deno.removeSync(dir, { recursive: true });
    }
  };
}

function readJson(path: string): Record<string, unknown> {
  return JSON.parse(Deno.readTextFileSync(path));
}

/** A run directory as the original's reader tests make one: metadata.json by hand. */
function handRun(dir: string, name: string, metadata: object = { status: "initialized" }): string {
  const runDir = join(dir, name);
  Deno.mkdirSync(runDir, { recursive: true });
  Deno.writeTextFileSync(join(runDir, "metadata.json"), JSON.stringify(metadata));
  return runDir;
}

/** Runs NumPy code with `d` bound to `dir` (arrays saved as the original's tests save them). */
async function numpy(dir: string, code: string): Promise<void> {
  await python(
    `import json, sys\nimport numpy as np\nd = sys.argv[1]\n${code}\nprint(json.dumps(None))`,
    dir,
  );
}

// ---------------------------------------------------------------------------
// tests/test_experiment.py

Deno.test(
  "original test_add_creates_logbook: add makes the run directory with its params file",
  inTempDir((baseDir) => {
    const exp = new Experiment("test_exp", { baseDir });
    using log = exp.add({ omega: 1.0, dt: 0.01 })!;
    assert(Deno.statSync(log.path).isDirectory);
    // Deliberate difference: params.json, not params.yaml (both are read).
    assertEquals(readJson(join(log.path, "params.json")), { dt: 0.01, omega: 1 });
  }),
);

Deno.test(
  "original test_record_writes_to_index: a finished run's row is in index.csv",
  inTempDir((baseDir) => {
    const exp = new Experiment("test_exp", { baseDir });
    const log = exp.add({ alpha: 0.5 })!;
    log.json("metrics", { final_loss: 0.123 });
    log.markComplete(); // records the row: there is no public exp.record
    const lines = Deno.readTextFileSync(exp.indexPath).split("\r\n");
    assertStringIncludes(lines[0], "run_id");
    assertStringIncludes(lines[1], "test_exp_alpha_0.5");
  }),
);

Deno.test(
  "original test_select_filters_results: select by a param gives its one row",
  inTempDir(async (baseDir) => {
    const exp = new Experiment("test_exp", { baseDir });
    for (const a of [0.1, 0.2]) {
      using log = exp.add({ a })!;
      log.json("metrics", { score: a * 10 });
    }
    const df = await exp.select({ a: 0.1 });
    assertEquals(df.height, 1);
    assertEquals(df.getColumn("score").toArray(), [1.0]);
  }),
);

Deno.test(
  "original test_handles_missing_metrics: a run without metrics.json has a row (difference: its real status)",
  inTempDir(async (baseDir) => {
    const exp = new Experiment("test_exp", { baseDir });
    exp.add({ b: 5 })!.markComplete();
    const df = await exp.toDataFrame();
    // The original writes "missing"; ours says what became of the run.
    assertEquals(df.getColumn("status").toArray(), ["complete"]);
    assertEquals(df.getColumn("b").toArray(), [5]);
  }),
);

Deno.test(
  "original test_handles_corrupt_metrics: a corrupt metrics.json gives a row and a warning (difference: no error status)",
  inTempDir(async (baseDir) => {
    const exp = new Experiment("test_exp", { baseDir });
    const log = exp.add({ c: 3 })!;
    Deno.writeTextFileSync(log.file("artifacts/metrics.json"), "{not: valid json");
    log.markComplete();
    const df = await exp.toDataFrame();
    assertEquals(df.getColumn("status").toArray(), ["complete"]);
    assertStringIncludes(
      Deno.readTextFileSync(join(log.path, "log.txt")),
      "metrics.json is not valid JSON",
    );
  }),
);

Deno.test(
  "original test_callback_invoked_on_mark_complete: markComplete records the row with params and metrics",
  inTempDir(async (baseDir) => {
    const exp = new Experiment("callback_exp", { baseDir });
    const log = exp.add({ x: 42 })!;
    log.json("metrics", { accuracy: 0.99 });
    log.markComplete();
    const rows = (await exp.toDataFrame()).toRecords();
    assertEquals(rows.length, 1);
    assertEquals(rows[0].run_id, log.runId);
    assertEquals(rows[0].status, "complete");
    assertEquals(rows[0].accuracy, 0.99);
    assertEquals(rows[0].x, 42);
  }),
);

// ---------------------------------------------------------------------------
// tests/test_logbook.py

Deno.test(
  "original test_init_creates_directory_and_metadata: a new Logbook writes params, metadata and log.txt",
  inTempDir((baseDir) => {
    using log = new Logbook("runA", { baseDir, params: { alpha: 0.1 } });
    // Deliberate difference: log lines are buffered; log.txt appears at the first flush.
    log.flush();
    const runDir = join(baseDir, "log_runA");
    assert(Deno.statSync(runDir).isDirectory);
    assert(Deno.statSync(join(runDir, "params.json")).isFile);
    const meta = readJson(join(runDir, "metadata.json"));
    assertEquals(meta.status, "initialized");
    assertEquals(meta.run_id, "runA");
    assert("start_time" in meta);
    assert(Deno.statSync(join(runDir, "log.txt")).isFile);
  }),
);

Deno.test(
  "original test_init_overwrite_flag: a second Logbook of the same id throws unless overwrite",
  inTempDir((baseDir) => {
    new Logbook("dup", { baseDir }).markComplete();
    assertThrows(() => new Logbook("dup", { baseDir }), RunExistsError);
    new Logbook("dup", { baseDir, overwrite: true }).markComplete();
  }),
);

Deno.test(
  "original test_context_manager_marks_complete: leaving a using block marks the run complete",
  inTempDir((baseDir) => {
    {
      using _log = new Logbook("ctx1", { baseDir });
    }
    const meta = readJson(join(baseDir, "log_ctx1", "metadata.json"));
    assertEquals(meta.status, "complete");
    assert("end_time" in meta && "runtime_sec" in meta);
  }),
);

Deno.test(
  "original test_context_manager_marks_failed: Experiment.run marks a throw failed and rethrows it",
  inTempDir(async (baseDir) => {
    // Deliberate difference: `using` cannot see an exception; Experiment#run
    // (or markFailed in a catch) records it.
    const exp = new Experiment("ctx", { baseDir });
    let runDir = "";
    await exp.run({ fail: true }, (log) => {
      runDir = log.path;
      throw new Error("boom");
    }).then(() => assert(false, "expected a rethrow"), (error) => {
      assertEquals((error as Error).message, "boom");
    });
    const meta = readJson(join(runDir, "metadata.json"));
    assertEquals(meta.status, "failed");
    assertEquals(meta.failure_reason, "boom");
  }),
);

Deno.test(
  "original test_log_appends_lines: each message is one timestamped line of log.txt",
  inTempDir((baseDir) => {
    using log = new Logbook("logging", { baseDir });
    log.info("First");
    log.info("Second");
    log.flush();
    const content = Deno.readTextFileSync(join(log.path, "log.txt"));
    assertStringIncludes(content, "First");
    assertStringIncludes(content, "Second");
    const lines = content.trim().split("\n").filter((line) => line !== "");
    assert(lines.every((line) => /^\[\d{4}-\d{2}-\d{2}T/.test(line)), content);
  }),
);

Deno.test(
  "original test_save_params_yaml_and_json: params() updates params.json (difference: no YAML, no ext)",
  inTempDir((baseDir) => {
    using log = new Logbook("params", { baseDir });
    log.params({ a: 1 });
    log.params({ a: 2, b: "x" });
    assertEquals(readJson(join(log.path, "params.json")), { a: 2, b: "x" });
    assertEquals(log.getParams(), { a: 2, b: "x" });
  }),
);

Deno.test(
  "original test_current_status_and_elapsed: status and elapsed follow the run",
  inTempDir((baseDir) => {
    const log = new Logbook("status", { baseDir });
    assertEquals(log.status, "initialized");
    assert(log.elapsed >= 0);
    log.markComplete();
    assertEquals(log.status, "complete");
  }),
);

Deno.test(
  "original test_mark_failed_sets_fields: markFailed writes status, reason and runtime",
  inTempDir((baseDir) => {
    const log = new Logbook("failmark", { baseDir });
    log.markFailed("reasonX");
    const meta = readJson(join(log.path, "metadata.json"));
    assertEquals(meta.status, "failed");
    assertEquals(meta.failure_reason, "reasonX");
    assert("runtime_sec" in meta);
  }),
);

const LOAD_ARRAYS = `
import json, sys
import numpy as np
out = {}
for path in sys.argv[1:]:
    loaded = np.load(path)
    if path.endswith(".npz"):
        out.update({f"{path}:{k}": loaded[k].tolist() for k in loaded.files})
    else:
        out[path] = loaded.tolist()
print(json.dumps(out))
`;

Deno.test({
  name: "original test_save_numpy_creates_npy: numpy.load reads log.array's file" + NUMPY_NOTE,
  ignore: !HAS_NUMPY,
  fn: inTempDir(async (baseDir) => {
    using log = new Logbook("arrays", { baseDir });
    const path = log.array("vec", new BigInt64Array(10).map((_, i) => BigInt(i)));
    assertEquals(path, join(log.path, "data", "vec.npy"));
    assertEquals((await python(LOAD_ARRAYS, path))[path], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  }),
});

Deno.test({
  name: "original test_save_arrays_multiple_keys: numpy.load reads log.arrays' members" +
    NUMPY_NOTE,
  ignore: !HAS_NUMPY,
  fn: inTempDir(async (baseDir) => {
    using log = new Logbook("multiarrays", { baseDir });
    const path = log.arrays("bundle", { a: [1, 1, 1, 1, 1], b: [0, 0, 0] });
    const loaded = await python(LOAD_ARRAYS, path);
    assertEquals(loaded[`${path}:a`], [1, 1, 1, 1, 1]);
    assertEquals(loaded[`${path}:b`], [0, 0, 0]);
  }),
});

Deno.test(
  "original test_save_plot_png_and_pdf: plots are saved under plots/ (difference: PNG and SVG, no matplotlib)",
  inTempDir((baseDir) => {
    using log = new Logbook("plots", { baseDir });
    const png = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0]);
    log.plot("line", png);
    log.plot("line", '<svg xmlns="http://www.w3.org/2000/svg"><path d="M0 0L1 1"/></svg>');
    assertEquals(new LogReader(log.path).plots, ["line.png", "line.svg"]);
  }),
);

Deno.test(
  "original test_save_text_json_pickle_bytes: text, json and bytes artifacts (difference: no pickle)",
  inTempDir((baseDir) => {
    using log = new Logbook("artifacts", { baseDir });
    const artifacts = join(log.path, "artifacts");
    log.text("note", "hello");
    assertEquals(Deno.readTextFileSync(join(artifacts, "note.txt")).trim(), "hello");
    log.json("meta_extra", { k: 7 });
    assertEquals(readJson(join(artifacts, "meta_extra.json")).k, 7);
    log.bytes("raw.bin", Uint8Array.from([0, 1]));
    assertEquals([...Deno.readFileSync(join(artifacts, "raw.bin"))], [0, 1]);
  }),
);

Deno.test(
  "original test_getitem_path_and_exists: log.file gives a path in the run, parents created",
  inTempDir((baseDir) => {
    using log = new Logbook("artifact", { baseDir });
    Deno.writeTextFileSync(log.file("nested/dir/file.txt"), "data");
    assertEquals(Deno.readTextFileSync(log.file("nested/dir/file.txt")), "data");
    assertThrows(() => Deno.statSync(log.file("nested/dir/missing.txt")), Deno.errors.NotFound);
  }),
);

Deno.test(
  "original test_mark_complete_multiple_calls: a second markComplete keeps the run complete",
  inTempDir((baseDir) => {
    const log = new Logbook("idempotent", { baseDir });
    log.markComplete();
    assertEquals(readJson(join(log.path, "metadata.json")).status, "complete");
    log.markComplete();
    assertEquals(readJson(join(log.path, "metadata.json")).status, "complete");
  }),
);

Deno.test(
  "original test_mark_failed_after_complete: markFailed after completion overwrites the status",
  inTempDir((baseDir) => {
    const log = new Logbook("complete_then_fail", { baseDir });
    log.markComplete();
    log.markFailed("forced");
    const meta = readJson(join(log.path, "metadata.json"));
    assertEquals(meta.status, "failed");
    assertEquals(meta.failure_reason, "forced");
  }),
);

Deno.test(
  "original test_overwrite_true_allows_reuse: overwrite reuses the directory",
  inTempDir((baseDir) => {
    new Logbook("reuse", { baseDir }).markComplete();
    new Logbook("reuse", { baseDir, overwrite: true }).markComplete();
    assert(Deno.statSync(join(baseDir, "log_reuse")).isDirectory);
  }),
);

Deno.test(
  "original test_log_timestamp_order: log.txt timestamps never go backwards",
  inTempDir((baseDir) => {
    using log = new Logbook("ts_order", { baseDir });
    log.info("A");
    log.info("B");
    log.flush();
    const lines = Deno.readTextFileSync(join(log.path, "log.txt")).trim().split("\n");
    const stamp = (line: string) => line.slice(1, line.indexOf("]"));
    assert(stamp(lines.at(-1)!) >= stamp(lines.at(-2)!), lines.join("\n"));
  }),
);

// ---------------------------------------------------------------------------
// tests/test_reader.py: LogReader

Deno.test(
  "original test_logreader_missing_path: a missing run directory is a MissingEntryError",
  inTempDir((dir) => {
    assertThrows(() => new LogReader(join(dir, "log_missing")), MissingEntryError);
  }),
);

Deno.test(
  "original test_logreader_missing_metadata: a directory without metadata.json is a MissingEntryError",
  inTempDir((dir) => {
    Deno.mkdirSync(join(dir, "log_no_meta"));
    assertThrows(() => new LogReader(join(dir, "log_no_meta")), MissingEntryError);
  }),
);

Deno.test(
  "original test_logreader_initialization: run id from the directory name, metadata read",
  inTempDir((dir) => {
    const reader = new LogReader(handRun(dir, "log_test"));
    assertEquals(reader.runId, "test");
    assertEquals(reader.meta.status, "initialized");
  }),
);

Deno.test(
  "original test_logreader_params_loading: params.yaml is read",
  inTempDir((dir) => {
    const runDir = handRun(dir, "log_params");
    Deno.writeTextFileSync(join(runDir, "params.yaml"), "omega: 1.0\ndt: 0.01");
    const reader = new LogReader(runDir);
    assertEquals(reader.params.omega, 1.0);
    assertEquals(reader.params.dt, 0.01);
  }),
);

Deno.test(
  "original test_logreader_params_json_via_logbook: params a Logbook wrote are read",
  inTempDir((baseDir) => {
    using log = new Logbook("json_via_logbook", { baseDir });
    log.params({ alpha: 0.2, beta: 3 });
    const reader = new LogReader(log.path);
    assertEquals(reader.params.alpha, 0.2);
    assertEquals(reader.params.beta, 3);
  }),
);

Deno.test({
  name: "original test_logreader_arrays: a NumPy .npy file is listed" + NUMPY_NOTE,
  ignore: !HAS_NUMPY,
  fn: inTempDir(async (dir) => {
    const runDir = handRun(dir, "log_arrays");
    Deno.mkdirSync(join(runDir, "data"));
    await numpy(runDir, 'np.save(d + "/data/array.npy", np.array([1, 2, 3]))');
    assert(new LogReader(runDir).arrays.includes("array"));
  }),
});

Deno.test(
  "original test_logreader_arrays_empty_when_missing_data: no data/ lists no arrays",
  inTempDir((dir) => {
    assertEquals(new LogReader(handRun(dir, "log_arrays_missing_data")).arrays, []);
  }),
);

Deno.test({
  name: "original test_logreader_arrays_from_npz_listing: .npz members as bundle:key" +
    NUMPY_NOTE,
  ignore: !HAS_NUMPY,
  fn: inTempDir(async (dir) => {
    const runDir = handRun(dir, "log_arrays_npz");
    Deno.mkdirSync(join(runDir, "data"));
    await numpy(runDir, 'np.savez(d + "/data/bundle.npz", a=np.array([1]), b=np.array([2, 3]))');
    assertEquals(new LogReader(runDir).arrays, ["bundle:a", "bundle:b"]);
  }),
});

Deno.test({
  name: "original test_logreader_arrays_skips_corrupted_npz: a broken .npz is left out" +
    NUMPY_NOTE,
  ignore: !HAS_NUMPY,
  fn: inTempDir(async (dir) => {
    const runDir = handRun(dir, "log_arrays_corrupted_npz");
    Deno.mkdirSync(join(runDir, "data"));
    Deno.writeTextFileSync(join(runDir, "data", "broken.npz"), "not a valid npz");
    await numpy(runDir, 'np.save(d + "/data/good.npy", np.array([4, 5, 6]))');
    assertEquals(new LogReader(runDir).arrays, ["good"]);
  }),
});

Deno.test(
  "original test_logreader_params_empty_when_missing: no params file gives {}",
  inTempDir((dir) => {
    assertEquals(new LogReader(handRun(dir, "log_no_params")).params, {});
  }),
);

Deno.test({
  name: "original test_logreader_load_array: loadArray reads a NumPy .npy" + NUMPY_NOTE,
  ignore: !HAS_NUMPY,
  fn: inTempDir(async (dir) => {
    const runDir = handRun(dir, "log_load_array");
    Deno.mkdirSync(join(runDir, "data"));
    await numpy(runDir, 'np.save(d + "/data/test.npy", np.array([1, 2, 3], dtype=np.int32))');
    assertEquals([...new LogReader(runDir).loadArray("test").data as Int32Array], [1, 2, 3]);
  }),
});

Deno.test({
  name: "original test_logreader_load_array_from_npz: loadArray reads bundle:key" + NUMPY_NOTE,
  ignore: !HAS_NUMPY,
  fn: inTempDir(async (dir) => {
    const runDir = handRun(dir, "log_npz_load");
    Deno.mkdirSync(join(runDir, "data"));
    await numpy(
      runDir,
      'np.savez(d + "/data/bundle.npz", a=np.array([1, 2, 3], dtype=np.int32), b=np.array([4, 5], dtype=np.int32))',
    );
    const reader = new LogReader(runDir);
    assertEquals([...reader.loadArray("bundle:a").data as Int32Array], [1, 2, 3]);
    assertEquals([...reader.loadArray("bundle:b").data as Int32Array], [4, 5]);
  }),
});

Deno.test(
  "original test_logreader_load_array_missing_bundle: a missing bundle is a MissingEntryError",
  inTempDir((dir) => {
    const reader = new LogReader(handRun(dir, "log_npz_missing_bundle"));
    assertThrows(() => reader.loadArray("bundle:missingkey"), MissingEntryError);
  }),
);

Deno.test({
  name:
    "original test_logreader_load_array_missing_key_in_npz: a missing member is a MissingEntryError" +
    NUMPY_NOTE,
  ignore: !HAS_NUMPY,
  fn: inTempDir(async (dir) => {
    const runDir = handRun(dir, "log_npz_missing_key");
    Deno.mkdirSync(join(runDir, "data"));
    await numpy(runDir, 'np.savez(d + "/data/bundle.npz", a=np.array([1, 2]))');
    // Deliberate difference: one error class for everything missing (Python: KeyError).
    assertThrows(() => new LogReader(runDir).loadArray("bundle:other"), MissingEntryError);
  }),
});

Deno.test(
  "original test_logreader_load_array_missing_npy: a missing .npy is a MissingEntryError",
  inTempDir((dir) => {
    const reader = new LogReader(handRun(dir, "log_npy_missing"));
    assertThrows(() => reader.loadArray("test"), MissingEntryError);
  }),
);

Deno.test(
  "original test_logreader_artifacts_loading: artifacts listed and loaded as JSON",
  inTempDir((dir) => {
    const runDir = handRun(dir, "log_artifacts");
    Deno.mkdirSync(join(runDir, "artifacts"));
    Deno.writeTextFileSync(join(runDir, "artifacts", "metrics.json"), '{"acc": 0.91}');
    Deno.writeTextFileSync(join(runDir, "artifacts", "config.json"), '{"omega": 2.0, "dt": 1e-3}');
    const reader = new LogReader(runDir);
    // Deliberate difference: names keep their extension.
    assertEquals(reader.artifacts, ["config.json", "metrics.json"]);
    assertEquals((reader.loadJson("metrics") as { acc: number }).acc, 0.91);
    assertEquals((reader.loadJson("config") as { omega: number }).omega, 2.0);
  }),
);

Deno.test(
  "original test_logreader_artifacts_missing_returns_empty: no artifacts/ lists none",
  inTempDir((dir) => {
    assertEquals(new LogReader(handRun(dir, "log_artifacts_missing")).artifacts, []);
  }),
);

Deno.test(
  "original test_logreader_load_json_missing_returns_empty: a missing JSON artifact throws (difference: not {})",
  inTempDir((dir) => {
    const reader = new LogReader(handRun(dir, "log_json_missing"));
    assertThrows(() => reader.loadJson("nonexistent"), MissingEntryError);
  }),
);

Deno.test(
  "original test_logreader_plots_listing: plot files listed with their extensions",
  inTempDir((dir) => {
    const runDir = handRun(dir, "log_plots");
    Deno.mkdirSync(join(runDir, "plots"));
    Deno.writeTextFileSync(join(runDir, "plots", "trajectory.png"), "PNGDATA");
    Deno.writeTextFileSync(join(runDir, "plots", "phase_space.pdf"), "PDFDATA");
    assertEquals(new LogReader(runDir).plots, ["phase_space.pdf", "trajectory.png"]);
  }),
);

Deno.test(
  "original test_logreader_plots_missing_returns_empty: no plots/ lists none",
  inTempDir((dir) => {
    assertEquals(new LogReader(handRun(dir, "log_plots_missing")).plots, []);
  }),
);

Deno.test({
  name: "original test_logreader_str_includes_sections: toString names params, status and files" +
    NUMPY_NOTE,
  ignore: !HAS_NUMPY,
  fn: inTempDir(async (dir) => {
    const runDir = handRun(dir, "log_str", { status: "complete" });
    Deno.writeTextFileSync(join(runDir, "params.yaml"), "omega: 1.0\ndt: 0.01");
    for (const sub of ["data", "artifacts", "plots"]) Deno.mkdirSync(join(runDir, sub));
    await numpy(runDir, 'np.save(d + "/data/arr.npy", np.array([1]))');
    Deno.writeTextFileSync(join(runDir, "artifacts", "metrics.json"), '{"acc": 0.9}');
    Deno.writeTextFileSync(join(runDir, "plots", "plot.png"), "PNG");
    const text = String(new LogReader(runDir));
    assertStringIncludes(text, "<LogReader 'str'>");
    // PyYAML's 1.0 is a float; JavaScript prints it as 1.
    assertMatch(text, /params: .*omega=1\b/);
    assertStringIncludes(text, "meta: status=complete");
    assertMatch(text, /arrays:\n\s+- arr\n/);
    assertMatch(text, /artifacts:\n\s+- metrics.json\n/);
    assertMatch(text, /plots:\n\s+- plot.png/);
  }),
});

// ---------------------------------------------------------------------------
// tests/test_reader.py: ExperimentReader

/** An experiment directory as the original's reader tests make one. */
function handExperiment(dir: string, name: string, statuses: Record<string, string>): string {
  const expDir = join(dir, name);
  for (const [id, status] of Object.entries(statuses)) {
    handRun(join(expDir, "runs"), `log_${id}`, { status });
  }
  return expDir;
}

Deno.test(
  "original test_experimentreader_initialization: runs counted and read by id",
  inTempDir((dir) => {
    const reader = new ExperimentReader(
      handExperiment(dir, "experiment_test", { 1: "complete", 2: "failed" }),
    );
    assertEquals(reader.length, 2);
    assertEquals(reader.get("1").meta.status, "complete");
    assertEquals(reader.get("2").meta.status, "failed");
  }),
);

Deno.test(
  "original test_experimentreader_iteration: iterating gives the runs in id order",
  inTempDir((dir) => {
    const reader = new ExperimentReader(
      handExperiment(dir, "experiment_iter", { 1: "complete", 2: "failed" }),
    );
    assertEquals([...reader].map((run) => run.meta.status), ["complete", "failed"]);
  }),
);

Deno.test(
  "original test_experimentreader_params: params of every run by id",
  inTempDir((dir) => {
    const expDir = handExperiment(dir, "experiment_params", { 1: "complete", 2: "complete" });
    Deno.writeTextFileSync(join(expDir, "runs", "log_1", "params.yaml"), "omega: 1.0\ndt: 0.01");
    Deno.writeTextFileSync(join(expDir, "runs", "log_2", "params.yaml"), "omega: 2.0\ndt: 0.02");
    const reader = new ExperimentReader(expDir);
    assertEquals(reader.params["1"].omega, 1.0);
    assertEquals(reader.params["2"].omega, 2.0);
  }),
);

for (
  const name of [
    "test_experimentreader_missing_runs",
    "test_experimentreader_missing_runs_directory",
  ]
) {
  Deno.test(
    `original ${name}: an experiment without runs/ is a MissingEntryError`,
    inTempDir((dir) => {
      Deno.mkdirSync(join(dir, "experiment_empty"));
      assertThrows(() => new ExperimentReader(join(dir, "experiment_empty")), MissingEntryError);
    }),
  );
}

Deno.test(
  "original test_experimentreader_index_iterator: index() rows of a hand-written index.csv (difference: typed cells)",
  inTempDir((dir) => {
    const expDir = handExperiment(dir, "experiment_index_iter", { 1: "complete", 2: "failed" });
    Deno.writeTextFileSync(
      join(expDir, "index.csv"),
      "run_id,status,score\n1,complete,0.9\n2,failed,0.1\n",
    );
    const rows = new ExperimentReader(expDir).index();
    assertEquals(rows[0].run_id, "1");
    assertEquals(rows[0].status, "complete");
    // The original gives the text "0.9"; ours types it as pandas does.
    assertEquals(rows[0].score, 0.9);
    assertEquals(rows[1].run_id, "2");
    assertEquals(rows[1].status, "failed");
  }),
);

Deno.test(
  "original test_experimentreader_getitem_errors: at() out of range, get() of a missing id (difference: undefined, MissingEntryError)",
  inTempDir((dir) => {
    const reader = new ExperimentReader(
      handExperiment(dir, "experiment_getitem_errors", { 0: "complete" }),
    );
    assertEquals(reader.at(5), undefined);
    assertThrows(() => reader.get("missing_run"), MissingEntryError);
  }),
);

Deno.test(
  "original test_experimentreader_str_lists_runs_and_fields: toString names the index fields and runs",
  inTempDir((dir) => {
    const expDir = handExperiment(dir, "experiment_str", { A: "complete", B: "failed" });
    Deno.writeTextFileSync(join(expDir, "index.csv"), "run_id,status\nA,complete\nB,failed\n");
    const text = String(new ExperimentReader(expDir));
    assertStringIncludes(text, "<ExperimentReader 'experiment_str'>");
    assertStringIncludes(text, "Index file: index.csv");
    assertStringIncludes(text, "Fields: run_id, status");
    assertStringIncludes(text, "Runs directory: runs");
    assertStringIncludes(text, "- A: complete");
    assertStringIncludes(text, "- B: failed");
  }),
);
