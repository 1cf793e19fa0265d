// Copyright 2026 the notata authors. MIT license.
// Tests of Logbook: the on-disk layout of one run, its log, its life cycle
// (complete, failed, `using`), artifacts, input checks, existing directories,
// and runs killed by an uncaught error (in subprocesses, tests/fixtures/).

import {
  assert,
  assertEquals,
  assertFalse,
  assertInstanceOf,
  assertMatch,
  assertNotEquals,
  assertStringIncludes,
  assertThrows,
} from "@std/assert";
import { fromFileUrl, join } from "@std/path";
import { exists } from "../src/_files.ts";
import {
  InvalidNameError,
  InvalidValueError,
  type JsonValue,
  Logbook,
  type LogbookOptions,
  type Params,
  RunExistsError,
} from "../mod.ts";

// ---------------------------------------------------------------------------
// Helpers

const LOG_LINE = /^\[\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\] (DEBUG|INFO|WARNING|ERROR) .*$/;

type Json = { [key: string]: JsonValue };

function readJson(path: string): Json {
  return JSON.parse(Deno.readTextFileSync(path));
}

function readMeta(run: Logbook): Json {
  return readJson(join(run.path, "metadata.json"));
}

function readLogLines(runPath: string): string[] {
  const text = Deno.readTextFileSync(join(runPath, "log.txt"));
  assert(text.endsWith("\n"), "log.txt ends with a newline");
  return text.slice(0, -1).split("\n");
}

/** The log line without its timestamp: "INFO message". */
function body(line: string): string {
  return line.replace(/^\[[^\]]*\] /, "");
}

function isDirectory(path: string): boolean {
  return exists(path) && Deno.lstatSync(path).isDirectory;
}

/** Every entry under `dir`, as sorted relative paths ("a", "a/b.json"). */
function listTree(dir: string, prefix = ""): string[] {
  const entries: string[] = [];
  for (const entry of Deno.readDirSync(dir)) {
    const relative = prefix === "" ? entry.name : `${prefix}/${entry.name}`;
    entries.push(relative);
    if (entry.isDirectory) entries.push(...listTree(join(dir, entry.name), relative));
  }
  return entries.sort();
}

function entriesOf(dir: string): string[] {
  return [...Deno.readDirSync(dir)].map((entry) => entry.name).sort();
}

/**
 * Expects `new Logbook(runId, options)` to throw `ErrorClass`; a run that is
 * wrongly created is still finished (by `using`) so no handle leaks.
 */
function rejectRun<E extends Error>(
  runId: string,
  options: LogbookOptions,
  // deno-lint-ignore no-explicit-any
  ErrorClass: new (...args: any[]) => E,
): E {
  return assertThrows(() => {
    using run = new Logbook(runId, options);
    run.info("should not have been created");
  }, ErrorClass);
}

/** Messages name the action first, quote the value and say what is expected. */
function assertMessageShape(message: string, action: string, quoted: string): void {
  assertMatch(message, /^[A-Z][a-z]/, "sentence case");
  assert(message.startsWith(`${action}: `), `"${message}" starts with "${action}: "`);
  assertStringIncludes(message, `"${quoted}"`);
  assertStringIncludes(message, ", expected ");
}

// ---------------------------------------------------------------------------
// 1. Layout

Deno.test("new Logbook writes params.json with sorted keys and a 2-space indent", () => {
  const baseDir = Deno.makeTempDirSync();
  try {
    using run = new Logbook("sim", { baseDir, params: { omega: 2, dt: 0.001 } });
    assertEquals(run.runId, "sim");
    assertEquals(run.path, join(baseDir, "log_sim"));
    assertEquals(
      Deno.readTextFileSync(join(baseDir, "log_sim", "params.json")),
      '{\n  "dt": 0.001,\n  "omega": 2\n}\n',
    );
    assertEquals(run.getParams(), { omega: 2, dt: 0.001 });
  } finally {
    Deno.removeSync(baseDir, { recursive: true });
  }
});

Deno.test("new Logbook writes metadata.json with status initialized and no end time", () => {
  const baseDir = Deno.makeTempDirSync();
  try {
    using run = new Logbook("sim", { baseDir });
    const meta = readJson(join(baseDir, "log_sim", "metadata.json"));
    const startTime = meta.start_time as string;
    assertEquals(typeof startTime, "string");
    assertEquals(new Date(startTime).toISOString(), startTime);
    assertEquals(meta, {
      run_id: "sim",
      status: "initialized",
      start_time: startTime,
      end_time: null,
      runtime_sec: null,
      pid: Deno.pid,
      hostname: Deno.hostname(),
    });
    assertEquals(run.status, "initialized");
    assertEquals(run.getMeta(), meta);
  } finally {
    Deno.removeSync(baseDir, { recursive: true });
  }
});

Deno.test("preallocate: true creates data/, plots/ and artifacts/", () => {
  const baseDir = Deno.makeTempDirSync();
  try {
    using run = new Logbook("sim", { baseDir, preallocate: true });
    for (const sub of ["data", "plots", "artifacts"]) {
      assert(isDirectory(join(run.path, sub)), `${sub}/ is a directory`);
      assertEquals(entriesOf(join(run.path, sub)), []);
    }
  } finally {
    Deno.removeSync(baseDir, { recursive: true });
  }
});

Deno.test("without preallocate no data/, plots/ or artifacts/ is created", () => {
  const baseDir = Deno.makeTempDirSync();
  try {
    using run = new Logbook("sim", { baseDir });
    run.flush();
    assertEquals(entriesOf(run.path), ["log.txt", "metadata.json", "params.json"]);
    for (const sub of ["data", "plots", "artifacts"]) {
      assertFalse(exists(join(run.path, sub)), `${sub}/ does not exist`);
    }
  } finally {
    Deno.removeSync(baseDir, { recursive: true });
  }
});

// ---------------------------------------------------------------------------
// 2. log.txt

Deno.test("log.txt holds one timestamped line per message, in order, with its level", () => {
  const baseDir = Deno.makeTempDirSync();
  try {
    const run = new Logbook("sim", { baseDir });
    run.debug("step 0");
    run.info("energy 0.5");
    run.warning("dt is large");
    run.error("nan in state");
    run.markComplete();
    const lines = readLogLines(run.path);
    for (const line of lines) assertMatch(line, LOG_LINE);
    const bodies = lines.map(body);
    assertEquals(bodies.length, 6);
    assertEquals(bodies[0], "INFO Run started");
    assertEquals(bodies.slice(1, 5), [
      "DEBUG step 0",
      "INFO energy 0.5",
      "WARNING dt is large",
      "ERROR nan in state",
    ]);
    assertMatch(bodies[5], /^INFO Run complete in \d+\.\d{3} s$/);
  } finally {
    Deno.removeSync(baseDir, { recursive: true });
  }
});

Deno.test("a message with a newline stays on one log line, written as \\n", () => {
  const baseDir = Deno.makeTempDirSync();
  try {
    const run = new Logbook("sim", { baseDir });
    run.info("first\nsecond");
    run.markComplete();
    const lines = readLogLines(run.path);
    assertEquals(lines.length, 3);
    for (const line of lines) assertMatch(line, LOG_LINE);
    assertEquals(body(lines[1]), "INFO first\\nsecond");
  } finally {
    Deno.removeSync(baseDir, { recursive: true });
  }
});

// ---------------------------------------------------------------------------
// 3. markComplete

Deno.test("markComplete writes status complete, end time and runtime, no failure reason", () => {
  const baseDir = Deno.makeTempDirSync();
  try {
    const run = new Logbook("sim", { baseDir });
    const startTime = readMeta(run).start_time;
    run.markComplete();
    const meta = readMeta(run);
    assertEquals(meta.status, "complete");
    assertEquals(run.status, "complete");
    assertEquals(meta.run_id, "sim");
    assertEquals(meta.start_time, startTime);
    const endTime = meta.end_time as string;
    assertEquals(typeof endTime, "string");
    assertEquals(new Date(endTime).toISOString(), endTime);
    assert(endTime >= (startTime as string), "end_time is not before start_time");
    assertEquals(typeof meta.runtime_sec, "number");
    assert((meta.runtime_sec as number) >= 0, "runtime_sec >= 0");
    assertEquals(run.elapsed, meta.runtime_sec);
    assertFalse("failure_reason" in meta);
  } finally {
    Deno.removeSync(baseDir, { recursive: true });
  }
});

Deno.test("onFinish is called once with the logbook, after metadata.json says complete", () => {
  const baseDir = Deno.makeTempDirSync();
  try {
    const calls: { log: Logbook; status: JsonValue }[] = [];
    const run = new Logbook("sim", {
      baseDir,
      onFinish: (log) => calls.push({ log, status: readMeta(log).status }),
    });
    assertEquals(calls.length, 0);
    run.markComplete();
    run[Symbol.dispose]();
    assertEquals(calls.length, 1);
    assert(calls[0].log === run, "onFinish receives the logbook itself");
    assertEquals(calls[0].status, "complete");
  } finally {
    Deno.removeSync(baseDir, { recursive: true });
  }
});

// ---------------------------------------------------------------------------
// 4. markFailed

Deno.test("markFailed with a string writes status failed and the reason", () => {
  const baseDir = Deno.makeTempDirSync();
  try {
    const run = new Logbook("sim", { baseDir });
    run.markFailed("reason");
    const meta = readMeta(run);
    assertEquals(meta.status, "failed");
    assertEquals(run.status, "failed");
    assertEquals(meta.failure_reason, "reason");
    assertEquals(typeof meta.end_time, "string");
    assertEquals(typeof meta.runtime_sec, "number");
    assertFalse(exists(join(run.path, "artifacts", "traceback.txt")));
  } finally {
    Deno.removeSync(baseDir, { recursive: true });
  }
});

Deno.test("markFailed with an Error records its message and writes its stack to traceback.txt", () => {
  const baseDir = Deno.makeTempDirSync();
  try {
    const run = new Logbook("sim", { baseDir });
    run.markFailed(new Error("boom"));
    const meta = readMeta(run);
    assertEquals(meta.status, "failed");
    assertEquals(meta.failure_reason, "boom");
    const traceback = Deno.readTextFileSync(join(run.path, "artifacts", "traceback.txt"));
    assertStringIncludes(traceback, "Error: boom");
    assertMatch(traceback, /\n\s+at .+/);
  } finally {
    Deno.removeSync(baseDir, { recursive: true });
  }
});

Deno.test("markFailed logs an ERROR line 'Run failed: <reason>'", () => {
  const baseDir = Deno.makeTempDirSync();
  try {
    const run = new Logbook("sim", { baseDir });
    run.markFailed(new Error("boom"));
    const lines = readLogLines(run.path);
    const last = lines[lines.length - 1];
    assertMatch(last, LOG_LINE);
    assertEquals(body(last), "ERROR Run failed: boom");
  } finally {
    Deno.removeSync(baseDir, { recursive: true });
  }
});

// ---------------------------------------------------------------------------
// 5. using / await using

Deno.test("leaving a using block normally marks the run complete", () => {
  const baseDir = Deno.makeTempDirSync();
  try {
    let seen: Logbook | undefined;
    {
      using run = new Logbook("sim", { baseDir });
      run.info("working");
      seen = run;
      assertEquals(run.status, "initialized");
    }
    assertEquals(seen.status, "complete");
    assertEquals(readJson(join(baseDir, "log_sim", "metadata.json")).status, "complete");
  } finally {
    Deno.removeSync(baseDir, { recursive: true });
  }
});

Deno.test("leaving an await using block normally marks the run complete", async () => {
  const baseDir = Deno.makeTempDirSync();
  try {
    {
      await using run = new Logbook("sim", { baseDir });
      run.info("working");
      await Promise.resolve();
    }
    assertEquals(readJson(join(baseDir, "log_sim", "metadata.json")).status, "complete");
  } finally {
    Deno.removeSync(baseDir, { recursive: true });
  }
});

Deno.test("a run marked failed inside a using block stays failed after the block", () => {
  const baseDir = Deno.makeTempDirSync();
  try {
    {
      using run = new Logbook("sim", { baseDir });
      run.markFailed("diverged");
    }
    const meta = readJson(join(baseDir, "log_sim", "metadata.json"));
    assertEquals(meta.status, "failed");
    assertEquals(meta.failure_reason, "diverged");
  } finally {
    Deno.removeSync(baseDir, { recursive: true });
  }
});

Deno.test("an error thrown in a using block and caught outside it leaves the run complete", () => {
  const baseDir = Deno.makeTempDirSync();
  try {
    let caught: unknown;
    try {
      {
        using run = new Logbook("sim", { baseDir });
        run.info("working");
        throw new Error("sim diverged");
      }
    } catch (error) {
      caught = error;
    }
    assertInstanceOf(caught, Error);
    assertEquals((caught as Error).message, "sim diverged");
    // Documented limitation: Symbol.dispose cannot see the exception that
    // unwinds the block, so the run is marked complete. Only an error that
    // goes on to kill the process re-marks it failed (see the subprocess
    // tests below); an error the program catches does not.
    const meta = readJson(join(baseDir, "log_sim", "metadata.json"));
    assertEquals(meta.status, "complete");
    assertFalse("failure_reason" in meta);
  } finally {
    Deno.removeSync(baseDir, { recursive: true });
  }
});

// ---------------------------------------------------------------------------
// 6. Artifacts

Deno.test("json keeps NaN and Infinity as bare tokens", () => {
  const baseDir = Deno.makeTempDirSync();
  try {
    using run = new Logbook("sim", { baseDir });
    const path = run.json("result", { x: NaN, y: Infinity, z: -Infinity, w: 1.5 });
    assertEquals(path, join(run.path, "artifacts", "result.json"));
    assertEquals(
      Deno.readTextFileSync(path),
      '{\n  "w": 1.5,\n  "x": NaN,\n  "y": Infinity,\n  "z": -Infinity\n}\n',
    );
  } finally {
    Deno.removeSync(baseDir, { recursive: true });
  }
});

Deno.test("json sorts the keys of nested objects", () => {
  const baseDir = Deno.makeTempDirSync();
  try {
    using run = new Logbook("sim", { baseDir });
    run.json("state", { b: { d: 1, c: [2, { f: null, e: "x" }] }, a: true });
    assertEquals(
      Deno.readTextFileSync(join(run.path, "artifacts", "state.json")),
      [
        "{",
        '  "a": true,',
        '  "b": {',
        '    "c": [',
        "      2,",
        "      {",
        '        "e": "x",',
        '        "f": null',
        "      }",
        "    ],",
        '    "d": 1',
        "  }",
        "}",
        "",
      ].join("\n"),
    );
  } finally {
    Deno.removeSync(baseDir, { recursive: true });
  }
});

Deno.test('json("metrics.json", ...) does not double the extension', () => {
  const baseDir = Deno.makeTempDirSync();
  try {
    using run = new Logbook("sim", { baseDir });
    const path = run.json("metrics.json", { loss: 0.25 });
    assertEquals(path, join(run.path, "artifacts", "metrics.json"));
    assertEquals(entriesOf(join(run.path, "artifacts")), ["metrics.json"]);
    assertEquals(Deno.readTextFileSync(path), '{\n  "loss": 0.25\n}\n');
  } finally {
    Deno.removeSync(baseDir, { recursive: true });
  }
});

Deno.test("text writes artifacts/<name>.txt", () => {
  const baseDir = Deno.makeTempDirSync();
  try {
    using run = new Logbook("sim", { baseDir });
    const path = run.text("notes", "converged");
    assertEquals(path, join(run.path, "artifacts", "notes.txt"));
    assertEquals(Deno.readTextFileSync(path), "converged");
  } finally {
    Deno.removeSync(baseDir, { recursive: true });
  }
});

Deno.test("bytes writes the exact bytes to artifacts/<name>", () => {
  const baseDir = Deno.makeTempDirSync();
  try {
    using run = new Logbook("sim", { baseDir });
    const path = run.bytes("weights.bin", new Uint8Array([1, 2, 3, 4]));
    assertEquals(path, join(run.path, "artifacts", "weights.bin"));
    assertEquals(Deno.readFileSync(path), new Uint8Array([1, 2, 3, 4]));
  } finally {
    Deno.removeSync(baseDir, { recursive: true });
  }
});

Deno.test("file returns a path inside the run directory and creates its parents", () => {
  const baseDir = Deno.makeTempDirSync();
  try {
    using run = new Logbook("sim", { baseDir });
    const path = run.file("artifacts/eval/m.json");
    assertEquals(path, join(run.path, "artifacts/eval/m.json"));
    assert(isDirectory(join(run.path, "artifacts", "eval")), "artifacts/eval exists");
    assertFalse(exists(path), "the file itself is left to the caller");
  } finally {
    Deno.removeSync(baseDir, { recursive: true });
  }
});

// ---------------------------------------------------------------------------
// 7. params / meta updates

Deno.test("params(update) merges into params.json", () => {
  const baseDir = Deno.makeTempDirSync();
  try {
    using run = new Logbook("sim", { baseDir, params: { omega: 2, dt: 0.01 } });
    run.params({ dt: 1e-3, steps: 100 });
    assertEquals(
      Deno.readTextFileSync(join(run.path, "params.json")),
      '{\n  "dt": 0.001,\n  "omega": 2,\n  "steps": 100\n}\n',
    );
    assertEquals(run.getParams(), { omega: 2, dt: 0.001, steps: 100 });
  } finally {
    Deno.removeSync(baseDir, { recursive: true });
  }
});

Deno.test("meta(update) merges into metadata.json", () => {
  const baseDir = Deno.makeTempDirSync();
  try {
    using run = new Logbook("sim", { baseDir });
    const before = readMeta(run);
    run.meta({ note: "x" });
    assertEquals(readMeta(run), { ...before, note: "x" });
    run.meta({ host: "node1" });
    assertEquals(readMeta(run), { ...before, note: "x", host: "node1" });
  } finally {
    Deno.removeSync(baseDir, { recursive: true });
  }
});

Deno.test("meta({status}) throws InvalidValueError naming status and leaves metadata.json unchanged", () => {
  const baseDir = Deno.makeTempDirSync();
  try {
    using run = new Logbook("sim", { baseDir });
    const path = join(run.path, "metadata.json");
    const before = Deno.readFileSync(path);
    const error = assertThrows(() => run.meta({ status: "x" }), InvalidValueError);
    assertStringIncludes(error.message, '"status"');
    assertMessageShape(error.message, 'Cannot update metadata of run "sim"', "status");
    assertEquals(Deno.readFileSync(path), before);
    assertEquals(run.status, "initialized");
  } finally {
    Deno.removeSync(baseDir, { recursive: true });
  }
});

// ---------------------------------------------------------------------------
// 8. Bad input

Deno.test("invalid run ids throw InvalidNameError and write nothing", () => {
  const baseDir = Deno.makeTempDirSync();
  try {
    for (const runId of ["", "..", ".", "a/b", "/abs", "a\u0000b", "x".repeat(300)]) {
      const error = rejectRun(runId, { baseDir }, InvalidNameError);
      assert(
        error.message.startsWith("Cannot create run"),
        `message for ${JSON.stringify(runId)}: ${error.message}`,
      );
      assertEquals([...Deno.readDirSync(baseDir)], [], `nothing written for ${runId}`);
    }
  } finally {
    Deno.removeSync(baseDir, { recursive: true });
  }
});

Deno.test("an invalid run id error names the action, quotes the id and says what is expected", () => {
  const baseDir = Deno.makeTempDirSync();
  try {
    const error = rejectRun("a/b", { baseDir }, InvalidNameError);
    assertMessageShape(error.message, 'Cannot create run "a/b"', "a/b");
    assertStringIncludes(error.message, "expected a single file name");
  } finally {
    Deno.removeSync(baseDir, { recursive: true });
  }
});

Deno.test("params that are not JSON values throw InvalidValueError and write nothing", () => {
  const baseDir = Deno.makeTempDirSync();
  try {
    const circular: { [key: string]: unknown } = { a: 1 };
    circular.self = circular;
    const cases: [string, unknown][] = [
      ["a function", { f: () => 1 }],
      ["a symbol", { s: Symbol("s") }],
      ["a bigint", { n: 1n }],
      ["a circular object", { c: circular }],
      ["a class instance", { when: new Date() }],
      ["NaN", { x: NaN }],
    ];
    for (const [label, params] of cases) {
      const error = rejectRun("r", { baseDir, params: params as Params }, InvalidValueError);
      assert(error.message.startsWith('Cannot create run "r": '), `${label}: ${error.message}`);
      assertEquals([...Deno.readDirSync(baseDir)], [], `nothing written for ${label}`);
    }
  } finally {
    Deno.removeSync(baseDir, { recursive: true });
  }
});

Deno.test("a param error names the action, quotes the param and says what is expected", () => {
  const baseDir = Deno.makeTempDirSync();
  try {
    const fn = rejectRun(
      "r",
      { baseDir, params: { f: (() => 1) as unknown as JsonValue } },
      InvalidValueError,
    );
    assertMessageShape(fn.message, 'Cannot create run "r"', "f");
    assertStringIncludes(fn.message, "function");
    const nan = rejectRun("r", { baseDir, params: { x: NaN } }, InvalidValueError);
    assertMessageShape(nan.message, 'Cannot create run "r"', "x");
    assertStringIncludes(nan.message, "expected a finite number");
    assertEquals([...Deno.readDirSync(baseDir)], []);
  } finally {
    Deno.removeSync(baseDir, { recursive: true });
  }
});

Deno.test("reserved param names throw InvalidValueError and write nothing", () => {
  const baseDir = Deno.makeTempDirSync();
  try {
    for (const name of ["run_id", "status", "runtime_sec", "failure_reason"]) {
      const error = rejectRun("r", { baseDir, params: { [name]: 1 } }, InvalidValueError);
      assertMessageShape(error.message, 'Cannot create run "r"', name);
      assertEquals([...Deno.readDirSync(baseDir)], [], `nothing written for ${name}`);
    }
  } finally {
    Deno.removeSync(baseDir, { recursive: true });
  }
});

Deno.test("invalid artifact names for json/text/bytes throw InvalidNameError and write nothing", () => {
  const baseDir = Deno.makeTempDirSync();
  try {
    using run = new Logbook("sim", { baseDir });
    const before = listTree(baseDir);
    const writers: [string, (name: string) => string][] = [
      ["json", (name) => run.json(name, { a: 1 })],
      ["text", (name) => run.text(name, "hello")],
      ["bytes", (name) => run.bytes(name, new Uint8Array([1]))],
    ];
    for (const [method, write] of writers) {
      for (const name of ["../x", "a/b", ""]) {
        const error = assertThrows(() => write(name), InvalidNameError);
        assertMessageShape(error.message, `Cannot write artifact ${JSON.stringify(name)}`, name);
        assertEquals(listTree(baseDir), before, `${method}(${JSON.stringify(name)}) wrote nothing`);
      }
    }
  } finally {
    Deno.removeSync(baseDir, { recursive: true });
  }
});

Deno.test("file() with a path leaving the run directory throws InvalidNameError", () => {
  const baseDir = Deno.makeTempDirSync();
  try {
    using run = new Logbook("sim", { baseDir });
    const before = listTree(baseDir);
    for (const path of ["../escape", "/abs", "a/../../b"]) {
      const error = assertThrows(() => run.file(path), InvalidNameError);
      assertMessageShape(error.message, 'Cannot make a path in run "sim"', path);
      assertEquals(listTree(baseDir), before, `file(${JSON.stringify(path)}) created nothing`);
    }
  } finally {
    Deno.removeSync(baseDir, { recursive: true });
  }
});

Deno.test("metrics keys that are reserved columns or params throw InvalidValueError", () => {
  const baseDir = Deno.makeTempDirSync();
  try {
    using run = new Logbook("sim", { baseDir, params: { omega: 1 } });
    const reserved = assertThrows(() => run.json("metrics", { status: 1 }), InvalidValueError);
    assertMessageShape(reserved.message, 'Cannot write artifact "metrics"', "status");
    const param = assertThrows(() => run.json("metrics", { omega: 1 }), InvalidValueError);
    assertMessageShape(param.message, 'Cannot write artifact "metrics"', "omega");
    assertFalse(exists(join(run.path, "artifacts", "metrics.json")));
  } finally {
    Deno.removeSync(baseDir, { recursive: true });
  }
});

Deno.test("metrics that are not a plain object throw InvalidValueError", () => {
  const baseDir = Deno.makeTempDirSync();
  try {
    using run = new Logbook("sim", { baseDir });
    const error = assertThrows(() => run.json("metrics", [1, 2]), InvalidValueError);
    assert(error.message.startsWith('Cannot write artifact "metrics": '), error.message);
    assertStringIncludes(error.message, "expected a plain object");
    assertFalse(exists(join(run.path, "artifacts", "metrics.json")));
  } finally {
    Deno.removeSync(baseDir, { recursive: true });
  }
});

Deno.test("overwrite and resume together throw InvalidValueError and write nothing", () => {
  const baseDir = Deno.makeTempDirSync();
  try {
    const error = rejectRun(
      "sim",
      { baseDir, overwrite: true, resume: true },
      InvalidValueError,
    );
    assert(error.message.startsWith('Cannot create run "sim": '), error.message);
    assertStringIncludes(error.message, "expected at most one");
    assertEquals([...Deno.readDirSync(baseDir)], []);
  } finally {
    Deno.removeSync(baseDir, { recursive: true });
  }
});

// ---------------------------------------------------------------------------
// 9. Existing directory

Deno.test("a second Logbook with the same id throws RunExistsError and leaves the run alone", () => {
  const baseDir = Deno.makeTempDirSync();
  try {
    const first = new Logbook("sim", { baseDir, params: { omega: 1 } });
    first.markComplete();
    const before = Deno.readFileSync(join(first.path, "metadata.json"));
    const error = rejectRun("sim", { baseDir }, RunExistsError);
    assertStringIncludes(error.message, "already exists");
    assertStringIncludes(error.message, "overwrite");
    assert(error.message.startsWith('Cannot create run "sim": '), error.message);
    assertEquals(Deno.readFileSync(join(first.path, "metadata.json")), before);
  } finally {
    Deno.removeSync(baseDir, { recursive: true });
  }
});

Deno.test("overwrite: true removes the old run directory and starts afresh", () => {
  const baseDir = Deno.makeTempDirSync();
  try {
    const first = new Logbook("sim", { baseDir, params: { omega: 1 } });
    first.info("old attempt");
    first.text("old", "stale");
    first.markFailed("diverged");
    const oldArtifact = join(first.path, "artifacts", "old.txt");
    assert(exists(oldArtifact));

    using second = new Logbook("sim", { baseDir, params: { omega: 2 }, overwrite: true });
    assertEquals(second.path, first.path);
    assertFalse(exists(oldArtifact), "the old artifact is gone");
    assertFalse(exists(join(second.path, "artifacts")), "artifacts/ is gone");
    const meta = readMeta(second);
    assertEquals(meta.status, "initialized");
    assertFalse("attempts" in meta);
    assertFalse("failure_reason" in meta);
    assertEquals(readJson(join(second.path, "params.json")), { omega: 2 });
    second.flush();
    const bodies = readLogLines(second.path).map(body);
    assertEquals(bodies, ["INFO Run started"]);
  } finally {
    Deno.removeSync(baseDir, { recursive: true });
  }
});

Deno.test("resume: true on a failed run records the attempt and keeps the log", () => {
  const baseDir = Deno.makeTempDirSync();
  try {
    const first = new Logbook("sim", { baseDir });
    first.info("old attempt");
    first.markFailed("diverged");
    const oldMeta = readMeta(first);
    const oldLog = Deno.readTextFileSync(join(first.path, "log.txt"));

    using second = new Logbook("sim", { baseDir, resume: true });
    const meta = readMeta(second);
    assertEquals(meta.attempts, [{
      status: "failed",
      start_time: oldMeta.start_time,
      end_time: oldMeta.end_time,
      failure_reason: "diverged",
    }]);
    assertEquals(meta.status, "initialized");
    assertEquals(second.status, "initialized");
    assertEquals(meta.end_time, null);
    assertEquals(meta.runtime_sec, null);
    assertFalse("failure_reason" in meta);

    second.flush();
    const log = Deno.readTextFileSync(join(second.path, "log.txt"));
    assert(log.startsWith(oldLog), "log.txt keeps the old lines");
    const added = log.slice(oldLog.length).split("\n").filter((line) => line !== "");
    assertEquals(added.length, 1);
    assertMatch(added[0], LOG_LINE);
    assertMatch(body(added[0]), /^WARNING .*resumed/);
  } finally {
    Deno.removeSync(baseDir, { recursive: true });
  }
});

Deno.test("resume: true on a complete run throws RunExistsError", () => {
  const baseDir = Deno.makeTempDirSync();
  try {
    const first = new Logbook("sim", { baseDir });
    first.markComplete();
    const before = Deno.readFileSync(join(first.path, "metadata.json"));
    const error = rejectRun("sim", { baseDir, resume: true }, RunExistsError);
    assert(error.message.startsWith('Cannot create run "sim": '), error.message);
    assertStringIncludes(error.message, "complete");
    assertEquals(Deno.readFileSync(join(first.path, "metadata.json")), before);
  } finally {
    Deno.removeSync(baseDir, { recursive: true });
  }
});

// ---------------------------------------------------------------------------
// 10. Atomic writes

Deno.test("no temporary .tmp- file is left in the run directory", () => {
  const baseDir = Deno.makeTempDirSync();
  try {
    const run = new Logbook("sim", { baseDir, params: { omega: 1 }, preallocate: true });
    run.params({ dt: 0.1 });
    run.meta({ host: "node1" });
    run.json("metrics", { loss: 0.5 });
    run.json("state", { x: [1, 2, 3] });
    run.text("notes", "ok");
    run.bytes("weights.bin", new Uint8Array([9]));
    run.params({ dt: 0.2 });
    run.meta({ host: "node2" });
    run.markFailed(new Error("boom"));
    const tree = listTree(run.path);
    assertEquals(tree.filter((path) => path.includes(".tmp-")), []);
    assertEquals(tree, [
      "artifacts",
      "artifacts/metrics.json",
      "artifacts/notes.txt",
      "artifacts/state.json",
      "artifacts/traceback.txt",
      "artifacts/weights.bin",
      "data",
      "log.txt",
      "metadata.json",
      "params.json",
      "plots",
    ]);
  } finally {
    Deno.removeSync(baseDir, { recursive: true });
  }
});

// ---------------------------------------------------------------------------
// 11. Resource hygiene

Deno.test("log calls after the run finished still append to log.txt", () => {
  const baseDir = Deno.makeTempDirSync();
  try {
    const run = new Logbook("sim", { baseDir });
    run.markComplete();
    const count = readLogLines(run.path).length;
    run.info("late note");
    run.warning("late warning");
    const lines = readLogLines(run.path);
    assertEquals(lines.length, count + 2);
    for (const line of lines) assertMatch(line, LOG_LINE);
    assertEquals(lines.slice(-2).map(body), ["INFO late note", "WARNING late warning"]);
    // The resource sanitizer fails this test if a log handle stays open.
  } finally {
    Deno.removeSync(baseDir, { recursive: true });
  }
});

// ---------------------------------------------------------------------------
// 12. Uncaught errors, in subprocesses

const FIXTURE = fromFileUrl(new URL("./fixtures/logbook_uncaught.ts", import.meta.url));
const IMPORT_MAP = fromFileUrl(new URL("../import_map.npm.json", import.meta.url));

interface ScriptResult {
  code: number;
  stderr: string;
}

async function runFixture(baseDir: string, mode: string): Promise<ScriptResult> {
  const { code, stderr } = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      `--import-map=${IMPORT_MAP}`,
      "--allow-read",
      "--allow-write",
      FIXTURE,
      baseDir,
      mode,
    ],
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  return { code, stderr: new TextDecoder().decode(stderr) };
}

function runMeta(baseDir: string, runId: string): Json {
  return readJson(join(baseDir, `log_${runId}`, "metadata.json"));
}

const FATAL_MODES: [string, string][] = [
  ["sync", "a synchronous throw at the top level"],
  ["async-unawaited", "an unhandled rejection from an un-awaited async main"],
  ["async-awaited", "an error escaping an awaited async main"],
];

for (const [mode, description] of FATAL_MODES) {
  Deno.test(`${description} inside a using block marks the run failed`, async () => {
    const baseDir = Deno.makeTempDirSync();
    try {
      const { code, stderr } = await runFixture(baseDir, mode);
      assertNotEquals(code, 0);
      assertStringIncludes(stderr, "sim diverged");
      const meta = runMeta(baseDir, "r");
      assertEquals(meta.status, "failed");
      assertEquals(meta.failure_reason, "sim diverged");
    } finally {
      Deno.removeSync(baseDir, { recursive: true });
    }
  });
}

Deno.test("in a loop of runs only the run whose block threw the fatal error is failed", async () => {
  const baseDir = Deno.makeTempDirSync();
  try {
    const { code, stderr } = await runFixture(baseDir, "loop");
    assertNotEquals(code, 0);
    assertStringIncludes(stderr, "sim diverged");
    assertEquals(runMeta(baseDir, "r1").status, "complete");
    assertEquals(runMeta(baseDir, "r2").status, "complete");
    const third = runMeta(baseDir, "r3");
    assertEquals(third.status, "failed");
    assertEquals(third.failure_reason, "sim diverged");
  } finally {
    Deno.removeSync(baseDir, { recursive: true });
  }
});

Deno.test("a sweep's run left by a fatal throw from a callee is failed in metadata and index", async () => {
  const baseDir = Deno.makeTempDirSync();
  try {
    const { code, stderr } = await runFixture(baseDir, "experiment");
    assertNotEquals(code, 0);
    assertStringIncludes(stderr, "sim diverged");
    const runs = join(baseDir, "sweep", "runs");
    assertEquals(runMeta(runs, "sweep_omega_1").status, "complete");
    assertEquals(runMeta(runs, "sweep_omega_2").status, "failed");
    const traceback = Deno.readTextFileSync(
      join(runs, "log_sweep_omega_2", "artifacts", "traceback.txt"),
    );
    assertStringIncludes(traceback, "RangeError: sim diverged");
    const index = Deno.readTextFileSync(join(baseDir, "sweep", "index.csv")).split("\r\n");
    assertEquals(index.filter((line) => line.startsWith("sweep_omega_2,")).length, 1);
    assertStringIncludes(index.find((line) => line.startsWith("sweep_omega_2,"))!, ",failed,");
  } finally {
    Deno.removeSync(baseDir, { recursive: true });
  }
});

Deno.test("an unrelated fatal error after all runs completed leaves them complete", async () => {
  const baseDir = Deno.makeTempDirSync();
  try {
    const { code, stderr } = await runFixture(baseDir, "after");
    assertNotEquals(code, 0);
    assertStringIncludes(stderr, "unrelated failure");
    for (const runId of ["r1", "r2"]) {
      const meta = runMeta(baseDir, runId);
      assertEquals(meta.status, "complete", runId);
      assertFalse("failure_reason" in meta, runId);
    }
  } finally {
    Deno.removeSync(baseDir, { recursive: true });
  }
});

Deno.test("metrics named like Object.prototype members are accepted", () => {
  const baseDir = Deno.makeTempDirSync();
  try {
    using run = new Logbook("r", { baseDir, params: { omega: 1 } });
    const path = run.json("metrics", { constructor: 1, toString: 2 });
    assertEquals(JSON.parse(Deno.readTextFileSync(path)), { constructor: 1, toString: 2 });
  } finally {
    Deno.removeSync(baseDir, { recursive: true });
  }
});

Deno.test("params() refuses an update whose keys clash with the old ones as index columns", () => {
  const baseDir = Deno.makeTempDirSync();
  try {
    using run = new Logbook("sim", { baseDir, params: { a: { b: 1 } } });
    const before = Deno.readTextFileSync(join(run.path, "params.json"));
    assertThrows(() => run.params({ "a.b": 2 }), InvalidValueError, 'index column "a.b"');
    assertEquals(Deno.readTextFileSync(join(run.path, "params.json")), before);
    assertEquals(run.getParams(), { a: { b: 1 } });
  } finally {
    Deno.removeSync(baseDir, { recursive: true });
  }
});
