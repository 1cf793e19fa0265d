// Copyright 2026 the notata authors. MIT license.
import {
  assert,
  assertEquals,
  assertInstanceOf,
  assertMatch,
  assertRejects,
  assertStringIncludes,
  assertThrows,
} from "@std/assert";
import { parse } from "@std/csv";
import { join } from "@std/path";
import { type Experiment, InvalidValueError, type Params, TemporaryExperiment } from "../mod.ts";
import { IndexCsv } from "../src/_index/csv.ts";
import { parseJson } from "../src/_json.ts";
import { readIndexFrame, selectRows } from "../src/_index/read.ts";

const CRLF = "\r\n";

function indexText(exp: Experiment): string {
  return Deno.readTextFileSync(exp.indexPath);
}

function headerLine(exp: Experiment): string {
  return indexText(exp).split(CRLF)[0];
}

function indexRows(exp: Experiment): Record<string, string>[] {
  return parse(indexText(exp), { skipFirstRow: true }) as Record<string, string>[];
}

function rowOf(exp: Experiment, runId: string): Record<string, string> {
  const rows = indexRows(exp).filter((row) => row.run_id === runId);
  assertEquals(rows.length, 1, `expected exactly one row for ${runId}`);
  return rows[0];
}

function readMeta(exp: Experiment, runId: string): Record<string, unknown> {
  return JSON.parse(Deno.readTextFileSync(join(exp.runsDir, `log_${runId}`, "metadata.json")));
}

/** The rows as sorted "run_id|status|metric" strings: a set to compare. */
function rowTuples(exp: Experiment, metric: string): string[] {
  return indexRows(exp).map((row) => `${row.run_id}|${row.status}|${row[metric]}`).sort();
}

function finishSweep(exp: Experiment, omegas: number[]): void {
  for (const omega of omegas) {
    using log = exp.add({ omega })!;
    log.json("metrics", { energy: omega / 2 });
  }
}

Deno.test("index.csv after a small sweep holds the exact header and one CRLF row per run", () => {
  using exp = new TemporaryExperiment("sweep");
  for (const omega of [1, 2]) {
    using log = exp.add({ omega, dt: 0.001 })!;
    log.json("metrics", { final_energy: 0.5 * omega ** 2 });
  }
  const text = indexText(exp);
  // Params sorted by name, as the Python notata's rows list them.
  assertEquals(headerLine(exp), "run_id,dt,omega,status,final_energy,runtime_sec,failure_reason");
  const runtime1 = readMeta(exp, "sweep_dt_0.001_omega_1").runtime_sec;
  const runtime2 = readMeta(exp, "sweep_dt_0.001_omega_2").runtime_sec;
  assertEquals(typeof runtime1, "number");
  assertEquals(typeof runtime2, "number");
  assertEquals(
    text,
    "run_id,dt,omega,status,final_energy,runtime_sec,failure_reason\r\n" +
      `sweep_dt_0.001_omega_1,0.001,1,complete,0.5,${runtime1},\r\n` +
      `sweep_dt_0.001_omega_2,0.001,2,complete,2,${runtime2},\r\n`,
  );
  assertEquals(indexRows(exp), [
    {
      run_id: "sweep_dt_0.001_omega_1",
      omega: "1",
      dt: "0.001",
      status: "complete",
      final_energy: "0.5",
      runtime_sec: String(runtime1),
      failure_reason: "",
    },
    {
      run_id: "sweep_dt_0.001_omega_2",
      omega: "2",
      dt: "0.001",
      status: "complete",
      final_energy: "2",
      runtime_sec: String(runtime2),
      failure_reason: "",
    },
  ]);
});

Deno.test("a run finishing with the same columns appends one line and keeps the old bytes", () => {
  using exp = new TemporaryExperiment("sweep");
  finishSweep(exp, [1, 2]);
  const before = Deno.readFileSync(exp.indexPath);
  const inodeBefore = Deno.statSync(exp.indexPath).ino;
  finishSweep(exp, [3]);
  const after = Deno.readFileSync(exp.indexPath);
  assert(after.length > before.length, "the index did not grow");
  assertEquals(after.subarray(0, before.length), before);
  const added = new TextDecoder().decode(after.subarray(before.length));
  assertEquals(added.split(CRLF).length, 2, `expected one CRLF-terminated line, got ${added}`);
  assert(added.startsWith("sweep_omega_3,3,complete,1.5,"), added);
  assert(added.endsWith(",\r\n"), added);
  assertEquals(indexText(exp).split(CRLF).length, 5);
  // Appending keeps the file; an atomic rewrite would have replaced it.
  assertEquals(Deno.statSync(exp.indexPath).ino, inodeBefore);
});

Deno.test("a new metric in a later run is added in name order with empty older cells", () => {
  using exp = new TemporaryExperiment("sweep");
  {
    using log = exp.add({ omega: 1 })!;
    log.json("metrics", { energy: 1 });
  }
  {
    using log = exp.add({ omega: 2 })!;
    // Sorts before "energy": metrics are in name order, as the Python notata's rows.
    log.json("metrics", { energy: 2, a_drift: 0.25 });
  }
  assertEquals(headerLine(exp), "run_id,omega,status,a_drift,energy,runtime_sec,failure_reason");
  assertEquals(rowOf(exp, "sweep_omega_1").energy, "1");
  assertEquals(rowOf(exp, "sweep_omega_1").a_drift, "");
  assertEquals(rowOf(exp, "sweep_omega_2").energy, "2");
  assertEquals(rowOf(exp, "sweep_omega_2").a_drift, "0.25");
  assertEquals(indexRows(exp).length, 2);
});

Deno.test("a new param in a later run is inserted before status with empty older cells", () => {
  using exp = new TemporaryExperiment("sweep");
  {
    using log = exp.add({ omega: 1 })!;
    log.json("metrics", { energy: 1 });
  }
  {
    using log = exp.add({ omega: 2, method: "verlet" })!;
    log.json("metrics", { energy: 2 });
  }
  assertEquals(headerLine(exp), "run_id,method,omega,status,energy,runtime_sec,failure_reason");
  const rows = indexRows(exp);
  assertEquals(rows.map((row) => [row.run_id, row.omega, row.method, row.status, row.energy]), [
    ["sweep_omega_1", "1", "", "complete", "1"],
    ["sweep_method_verlet_omega_2", "2", "verlet", "complete", "2"],
  ]);
});

Deno.test("a failed run resumed with skipExisting and completed keeps exactly one row", () => {
  using exp = new TemporaryExperiment("sweep");
  finishSweep(exp, [1]);
  {
    const log = exp.add({ omega: 2 })!;
    log.markFailed("diverged");
  }
  assertEquals(rowOf(exp, "sweep_omega_2").status, "failed");
  {
    const log = exp.add({ omega: 2 }, { skipExisting: true });
    if (log === null) throw new Error("a failed run must be resumed, not skipped");
    log.json("metrics", { energy: 1 });
    log.markComplete();
  }
  const rows = indexRows(exp);
  assertEquals(rows.map((row) => row.run_id).sort(), ["sweep_omega_1", "sweep_omega_2"]);
  const row = rowOf(exp, "sweep_omega_2");
  assertEquals(row.status, "complete");
  assertEquals(row.energy, "1");
  assertEquals(row.failure_reason, "");
});

Deno.test("overwriting a complete run keeps exactly one row for it", () => {
  using exp = new TemporaryExperiment("sweep");
  finishSweep(exp, [1, 2]);
  {
    using log = exp.add({ omega: 1 }, { overwrite: true })!;
    log.json("metrics", { energy: 10 });
  }
  const rows = indexRows(exp);
  assertEquals(rows.map((row) => row.run_id).sort(), ["sweep_omega_1", "sweep_omega_2"]);
  assertEquals(rowOf(exp, "sweep_omega_1").energy, "10");
  assertEquals(rowOf(exp, "sweep_omega_1").status, "complete");
  assertEquals(rowOf(exp, "sweep_omega_2").energy, "1");
});

Deno.test("a failed run that wrote metrics has status failed, its metrics and the reason", () => {
  using exp = new TemporaryExperiment("sweep");
  finishSweep(exp, [1]);
  {
    const log = exp.add({ omega: 2 })!;
    log.json("metrics", { energy: 0.75 });
    log.markFailed(new Error('energy blew up, "NaN" at step 10'));
  }
  const row = rowOf(exp, "sweep_omega_2");
  assertEquals(row.status, "failed");
  assertEquals(row.energy, "0.75");
  assertEquals(row.failure_reason, 'energy blew up, "NaN" at step 10');
  assertEquals(rowOf(exp, "sweep_omega_1").failure_reason, "");
});

Deno.test("commas, quotes and newlines in params and metrics round-trip through the CSV and Polars", async () => {
  using exp = new TemporaryExperiment("sweep");
  const params = {
    label: "a,b",
    quote: 'say "hi"',
    multi: "line1\nline2",
    crlf: "win1\r\nwin2",
  };
  const metrics = { comment: 'c,"d"\ne', note: "x\r\ny" };
  {
    using log = exp.add(params)!;
    log.json("metrics", metrics);
  }
  const text = indexText(exp);
  // RFC 4180: such fields are quoted, inner quotes doubled, line breaks kept as they are.
  assertStringIncludes(text, ',"a,b",');
  assertStringIncludes(text, ',"say ""hi""",');
  assertStringIncludes(text, ',"line1\nline2",');
  assertStringIncludes(text, ',"win1\r\nwin2",');
  assertStringIncludes(text, ',"c,""d""\ne",');
  assertStringIncludes(text, ',"x\r\ny",');
  const rows = indexRows(exp);
  assertEquals(rows.length, 1);
  assertEquals(rows[0].label, params.label);
  assertEquals(rows[0].quote, params.quote);
  assertEquals(rows[0].multi, params.multi);
  assertEquals(rows[0].comment, metrics.comment);
  // @std/csv's parse (a port of Go's encoding/csv) folds CRLF inside a
  // quoted field to LF, so the CRLF values are checked in the raw text above
  // and through Polars below.
  const df = await exp.toDataFrame();
  assertEquals(df.height, 1);
  const record = df.toRecords()[0];
  assertEquals(record.label, params.label);
  assertEquals(record.quote, params.quote);
  assertEquals(record.multi, params.multi);
  assertEquals(record.crlf, params.crlf);
  assertEquals(record.comment, metrics.comment);
  assertEquals(record.note, metrics.note);
});

Deno.test("rewriting the index for a new column keeps CRLF and LF inside older cells", async () => {
  using exp = new TemporaryExperiment("sweep");
  {
    using log = exp.add({ omega: 1 })!;
    log.json("metrics", { note: "x\r\ny", comment: "p\nq" });
  }
  {
    // A new metric column makes the index be rewritten with the union header.
    using log = exp.add({ omega: 2 })!;
    log.json("metrics", { note: "plain", comment: "plain", extra: 1 });
  }
  assertEquals(
    headerLine(exp),
    "run_id,omega,status,comment,extra,note,runtime_sec,failure_reason",
  );
  const text = indexText(exp);
  assertStringIncludes(text, ',"p\nq",');
  assertStringIncludes(text, ',"x\r\ny",');
  const df = await exp.toDataFrame();
  assertEquals(df.getColumn("note").toArray(), ["x\r\ny", "plain"]);
  assertEquals(df.getColumn("comment").toArray(), ["p\nq", "plain"]);
});

Deno.test("nested metrics become dotted columns", () => {
  using exp = new TemporaryExperiment("sweep");
  {
    using log = exp.add({ omega: 1 })!;
    log.json("metrics", { loss: { train: 0.1, val: 0.2 } });
  }
  assertEquals(
    headerLine(exp),
    "run_id,omega,status,loss.train,loss.val,runtime_sec,failure_reason",
  );
  const row = rowOf(exp, "sweep_omega_1");
  assertEquals(row["loss.train"], "0.1");
  assertEquals(row["loss.val"], "0.2");
});

Deno.test("a corrupt metrics.json gives a complete row with empty metrics and a WARNING in log.txt", () => {
  using exp = new TemporaryExperiment("sweep");
  finishSweep(exp, [1]);
  let logPath: string;
  {
    using log = exp.add({ omega: 2 })!;
    Deno.writeTextFileSync(log.file("artifacts/metrics.json"), '{"energy": 0.5,');
    logPath = join(log.path, "log.txt");
  }
  const row = rowOf(exp, "sweep_omega_2");
  assertEquals(row.status, "complete");
  assertEquals(row.energy, "");
  assertEquals(rowOf(exp, "sweep_omega_1").energy, "0.5");
  assertEquals(indexRows(exp).length, 2);
  const warnings = Deno.readTextFileSync(logPath).split("\n").filter((line) =>
    line.includes(" WARNING ")
  );
  assertEquals(warnings.length, 1, `expected one WARNING line, got ${warnings}`);
  assertMatch(warnings[0], /metrics/);
});

Deno.test("a missing metrics.json gives a row with its status and no metric values", () => {
  using exp = new TemporaryExperiment("sweep");
  finishSweep(exp, [1]);
  {
    const log = exp.add({ omega: 2 })!;
    log.markFailed("no metrics written");
  }
  assertEquals(headerLine(exp), "run_id,omega,status,energy,runtime_sec,failure_reason");
  const row = rowOf(exp, "sweep_omega_2");
  assertEquals(row.status, "failed");
  assertEquals(row.energy, "");
  assertEquals(row.failure_reason, "no metrics written");
});

Deno.test("reindex after index.csv is deleted restores the finished runs and leaves out unfinished ones", () => {
  using exp = new TemporaryExperiment("sweep");
  finishSweep(exp, [1, 2]);
  {
    const log = exp.add({ omega: 3 })!;
    log.json("metrics", { energy: 1.5 });
    log.markFailed("diverged");
  }
  const before = rowTuples(exp, "energy");
  assertEquals(before.length, 3);
  const running = exp.add({ omega: 4 })!;
  try {
    Deno.removeSync(exp.indexPath);
    assertEquals(exp.reindex(), 3);
    assertEquals(rowTuples(exp, "energy"), before);
    assert(!indexRows(exp).some((row) => row.run_id === "sweep_omega_4"));
  } finally {
    running.markComplete();
  }
  assertEquals(rowOf(exp, "sweep_omega_4").status, "complete");
});

Deno.test("a run finishing after index.csv was truncated to half rebuilds the full index", () => {
  using exp = new TemporaryExperiment("sweep");
  finishSweep(exp, [1, 2, 3, 4]);
  const before = rowTuples(exp, "energy");
  const bytes = Deno.readFileSync(exp.indexPath);
  const header = headerLine(exp) + CRLF;
  Deno.writeFileSync(exp.indexPath, bytes.subarray(0, Math.floor(bytes.length / 2)));
  // The header survives the cut: only the rows are torn.
  assert(indexText(exp).startsWith(header));
  finishSweep(exp, [5]);
  assertEquals(rowTuples(exp, "energy"), [...before, "sweep_omega_5|complete|2.5"].sort());
  assertEquals(indexText(exp).split(CRLF).length, 7);
});

Deno.test("a run finishing after the header was edited by hand rebuilds the full index", () => {
  using exp = new TemporaryExperiment("sweep");
  finishSweep(exp, [1, 2]);
  const before = rowTuples(exp, "energy");
  // Remove the energy column, header and cells, as a spreadsheet would.
  const lines = indexText(exp).split(CRLF);
  const dropped = lines[0].split(",").indexOf("energy");
  assert(dropped > 0);
  Deno.writeTextFileSync(
    exp.indexPath,
    lines.map((line) => line.split(",").filter((_, i) => i !== dropped).join(",")).join(CRLF),
  );
  assertEquals(headerLine(exp), "run_id,omega,status,runtime_sec,failure_reason");
  finishSweep(exp, [3]);
  assertEquals(headerLine(exp), "run_id,omega,status,energy,runtime_sec,failure_reason");
  assertEquals(rowTuples(exp, "energy"), [...before, "sweep_omega_3|complete|1.5"].sort());
});

Deno.test("toDataFrame gives each param column the type of its values", async () => {
  using exp = new TemporaryExperiment("sweep");
  {
    using _log = exp.add({ code: "007", scale: "1e3", n: 3, x: 0.5, flag: true, mix: 1 })!;
  }
  {
    using _log = exp.add({ code: "042", scale: "2e3", n: 4, x: 1.5, flag: false, mix: 0.5 })!;
  }
  const df = await exp.toDataFrame();
  const dtype = (name: string) => String(df.getColumn(name).dtype);
  assertMatch(dtype("code"), /\bString\b|\bUtf8\b/);
  assertMatch(dtype("scale"), /\bString\b|\bUtf8\b/);
  assertMatch(dtype("n"), /\bInt64\b/);
  assertMatch(dtype("x"), /\bFloat64\b/);
  assertMatch(dtype("flag"), /\bBool(ean)?\b/);
  assertMatch(dtype("mix"), /\bFloat64\b/);
  assertEquals(df.getColumn("code").toArray(), ["007", "042"]);
  assertEquals(df.getColumn("scale").toArray(), ["1e3", "2e3"]);
  assertEquals(df.getColumn("n").toArray().map(Number), [3, 4]);
  assertEquals(df.getColumn("x").toArray(), [0.5, 1.5]);
  assertEquals(df.getColumn("flag").toArray(), [true, false]);
  assertEquals(df.getColumn("mix").toArray(), [1, 0.5]);
});

Deno.test("toDataFrame reads NaN and ±Infinity metrics back as floats", async () => {
  using exp = new TemporaryExperiment("sweep");
  {
    using log = exp.add({ omega: 1 })!;
    log.json("metrics", { drift: NaN, peak: Infinity, low: -Infinity });
  }
  {
    using log = exp.add({ omega: 2 })!;
    log.json("metrics", { drift: 0.25, peak: 3.5, low: -1.5 });
  }
  const row = rowOf(exp, "sweep_omega_1");
  assertEquals([row.drift, row.peak, row.low], ["NaN", "inf", "-inf"]);
  const df = await exp.toDataFrame();
  for (const name of ["drift", "peak", "low"]) {
    assertMatch(String(df.getColumn(name).dtype), /\bFloat64\b/);
  }
  const drift = df.getColumn("drift").toArray();
  assert(Number.isNaN(drift[0]), `drift[0] is ${drift[0]}`);
  assertEquals(drift[1], 0.25);
  assertEquals(df.getColumn("peak").toArray(), [Infinity, 3.5]);
  assertEquals(df.getColumn("low").toArray(), [-Infinity, -1.5]);
});

Deno.test("toDataFrame on an experiment without runs is an empty DataFrame", async () => {
  using exp = new TemporaryExperiment("sweep");
  const df = await exp.toDataFrame();
  assertEquals(df.height, 0);
  assertEquals(df.columns, []);
});

function selectSweep(exp: Experiment): void {
  for (const omega of [1, 2]) {
    for (const dt of [0.001, 0.002]) {
      const log = exp.add({ omega, dt })!;
      log.json("metrics", { energy: omega * dt });
      if (omega === 2 && dt === 0.002) log.markFailed("diverged");
      else log.markComplete();
    }
  }
}

Deno.test("select by a param value returns only the matching rows", async () => {
  using exp = new TemporaryExperiment("sweep");
  selectSweep(exp);
  const df = await exp.select({ omega: 1 });
  assertEquals(df.height, 2);
  assertEquals(df.getColumn("omega").toArray().map(Number), [1, 1]);
  assertEquals(df.getColumn("run_id").toArray().sort(), [
    "sweep_dt_0.001_omega_1",
    "sweep_dt_0.002_omega_1",
  ]);
});

Deno.test("select by status returns only the failed run", async () => {
  using exp = new TemporaryExperiment("sweep");
  selectSweep(exp);
  const df = await exp.select({ status: "failed" });
  assertEquals(df.height, 1);
  assertEquals(df.getColumn("run_id").toArray(), ["sweep_dt_0.002_omega_2"]);
  assertEquals(df.getColumn("failure_reason").toArray(), ["diverged"]);
});

Deno.test("select by an unknown column rejects with InvalidValueError listing the columns", async () => {
  using exp = new TemporaryExperiment("sweep");
  selectSweep(exp);
  const error = await assertRejects(() => exp.select({ nope: 1 }), InvalidValueError);
  assertInstanceOf(error, InvalidValueError);
  assertStringIncludes(error.message, '"nope"');
  for (const column of ["run_id", "omega", "dt", "status", "energy"]) {
    assertStringIncludes(error.message, `"${column}"`);
  }
});

Deno.test("params named like reserved index columns are rejected before any directory is made", () => {
  using exp = new TemporaryExperiment("sweep");
  const reserved: Params[] = [{ run_id: 1 }, { status: "x" }, { runtime_sec: 2 }, {
    failure_reason: "y",
  }];
  for (const params of reserved) {
    const error = assertThrows(() => exp.add(params), InvalidValueError);
    assertStringIncludes(error.message, `"${Object.keys(params)[0]}"`);
  }
  let entries: string[] = [];
  try {
    entries = [...Deno.readDirSync(exp.runsDir)].map((entry) => entry.name);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  assertEquals(entries, []);
  assertEquals([...Deno.readDirSync(exp.baseDir)].map((entry) => entry.name), []);
});

Deno.test("arrays are written as compact JSON with sorted keys that keeps NaN and Infinity", async () => {
  using exp = new TemporaryExperiment("sweep");
  {
    using log = exp.add({ omega: 1 })!;
    log.json("metrics", { m: [NaN, Infinity, -Infinity, 0.5], o: [{ b: 1, a: "x" }], e: [] });
  }
  const text = indexText(exp);
  assertStringIncludes(text, ',[],"[NaN,Infinity,-Infinity,0.5]","[{""a"":""x"",""b"":1}]",');
  const row = new IndexCsv(exp.dir).rows()[0];
  assertEquals([row.m, row.o, row.e], ["[NaN,Infinity,-Infinity,0.5]", '[{"a":"x","b":1}]', "[]"]);
  assertEquals(parseJson(row.m), [NaN, Infinity, -Infinity, 0.5]);
  assertEquals(
    new IndexCsv(exp.dir).columns()!.filter((column) => column.role === "metric"),
    [
      { name: "e", role: "metric", type: "json" },
      { name: "m", role: "metric", type: "json" },
      { name: "o", role: "metric", type: "json" },
    ],
  );
  const df = await exp.toDataFrame();
  assertEquals(df.getColumn("o").toArray(), ['[{"a":"x","b":1}]']);
});

Deno.test("an empty nested object is written as the cell {} in its own column", () => {
  using exp = new TemporaryExperiment("sweep");
  {
    using log = exp.add({ cfg: {}, omega: 1 })!;
    log.json("metrics", { stats: { inner: {} } });
  }
  assertEquals(
    headerLine(exp),
    "run_id,cfg,omega,status,stats.inner,runtime_sec,failure_reason",
  );
  const row = new IndexCsv(exp.dir).rows()[0];
  assertEquals([row.cfg, row["stats.inner"]], ["{}", "{}"]);
  const types = new IndexCsv(exp.dir).columns()!.map((column) => `${column.name}:${column.type}`);
  assertEquals(types.slice(1, 4), ["cfg:json", "omega:int", "status:string"]);
  assertEquals(types[4], "stats.inner:json");
});

Deno.test("whole numbers beyond 2^53 type their column float and read back as Float64", async () => {
  using exp = new TemporaryExperiment("sweep");
  {
    using log = exp.add({ omega: 1 })!;
    log.json("metrics", { big: 2 ** 63, low: -(2 ** 63), e21: 1e21, safe: 2 ** 53 - 1, mix: 1 });
  }
  {
    using log = exp.add({ omega: 2 })!;
    log.json("metrics", { big: 1e300, low: -1e300, e21: 2 ** 53, safe: 1, mix: 2 ** 60 });
  }
  const rows = new IndexCsv(exp.dir).rows();
  assertEquals(
    rows.map((row) => [row.big, row.low, row.e21, row.safe, row.mix]),
    [
      ["9223372036854776000", "-9223372036854776000", "1e+21", "9007199254740991", "1"],
      ["1e+300", "-1e+300", "9007199254740992", "1", "1152921504606847000"],
    ],
  );
  const types = Object.fromEntries(
    new IndexCsv(exp.dir).columns()!.map((column) => [column.name, column.type]),
  );
  assertEquals(
    [types.big, types.low, types.e21, types.safe, types.mix],
    ["float", "float", "float", "int", "float"],
  );
  const df = await exp.toDataFrame();
  for (const name of ["big", "low", "e21", "mix"]) {
    assertMatch(String(df.getColumn(name).dtype), /\bFloat64\b/);
  }
  assertMatch(String(df.getColumn("safe").dtype), /\bInt64\b/);
  assertEquals(df.getColumn("big").toArray(), [2 ** 63, 1e300]);
  assertEquals(df.getColumn("low").toArray(), [-(2 ** 63), -1e300]);
  assertEquals(df.getColumn("e21").toArray(), [1e21, 2 ** 53]);
  assertEquals(df.getColumn("mix").toArray(), [1, 2 ** 60]);
  assertEquals(df.getColumn("safe").toArray().map(Number), [2 ** 53 - 1, 1]);
});

Deno.test("toDataFrame keeps column names with quotes, empty ones and ones Polars reads as patterns", async () => {
  using exp = new TemporaryExperiment("sweep");
  {
    using log = exp.add({ 'a"b': 1, "*": 2, "^x$": 3, "^o.*$": true })!;
    log.json("metrics", { "": 0.5, '"': "q" });
  }
  const df = await exp.toDataFrame();
  assertEquals(df.columns, [
    "run_id",
    "*",
    "^o.*$",
    "^x$",
    'a"b',
    "status",
    "",
    '"',
    "runtime_sec",
    "failure_reason",
  ]);
  const dtypes = df.columns.slice(1, -2).map((name) => String(df.getColumn(name).dtype));
  assertEquals(dtypes.map((dtype) => dtype.replace(/^DataType\((.*)\)$/, "$1")), [
    "Int64",
    "Bool",
    "Int64",
    "Int64",
    "String",
    "Float64",
    "String",
  ]);
  assertEquals(df.columns.slice(1, -2).map((name) => df.getColumn(name).toArray()), [
    [2],
    [true],
    [3],
    [1],
    ["complete"],
    [0.5],
    ["q"],
  ]);
});

Deno.test("selectRows matches exact column names, never patterns, and null as an empty cell", async () => {
  using exp = new TemporaryExperiment("sweep");
  for (const star of [1, 2, 3]) {
    using log = exp.add({ "*": star, 'a"b': star % 2 === 1 })!;
    log.json("metrics", star === 3 ? {} : { "^e$": star / 2 });
  }
  const frame = await readIndexFrame(exp.dir);
  const ids = async (filter: Parameters<typeof selectRows>[1]) =>
    (await selectRows(frame, filter)).getColumn("*").toArray().map(Number);
  assertEquals(await ids({ "*": 2 }), [2]);
  assertEquals(await ids({ 'a"b': true }), [1, 3]);
  assertEquals(await ids({ 'a"b': true, "^e$": 0.5 }), [1]);
  assertEquals(await ids({ "^e$": null }), [3]);
  assertEquals(await ids({ status: "complete" }), [1, 2, 3]);
  assertEquals(await ids({}), [1, 2, 3]);
  assertEquals((await selectRows(frame, { "*": 4 })).columns, frame.columns);
  const error = await assertRejects(() => selectRows(frame, { "^.*$": 1 }), InvalidValueError);
  assertEquals(
    error.message,
    'Cannot select runs: column "^.*$" is not in the index, expected one of "run_id", "*", "a\\"b", "status", "^e$", "runtime_sec", "failure_reason"',
  );
});

Deno.test("params whose nested names meet in one dotted column are refused before anything is written", () => {
  using exp = new TemporaryExperiment("sweep");
  const error = assertThrows(() => exp.add({ "a.b": 1, a: { b: 2 } }), InvalidValueError);
  assertEquals(
    error.message,
    'Cannot add run: params["a.b"] and params["a"]["b"] are both index column "a.b", expected names that stay distinct when nested keys are joined with "."',
  );
  assertThrows(
    () => exp.add({ x: { "y.z": 1, y: { z: 2 } } }),
    InvalidValueError,
    'Cannot add run: params["x"]["y.z"] and params["x"]["y"]["z"] are both index column "x.y.z"',
  );
  assertEquals([...Deno.readDirSync(exp.baseDir)], []);
  // Distinct dotted names are fine, "{}" included.
  using log = exp.add({ "a.b": 1, a: { c: 2, d: {} } })!;
  assertEquals(log.status, "initialized");
});

Deno.test("metrics whose dotted names meet a param or each other are refused, metrics.json unwritten", () => {
  using exp = new TemporaryExperiment("sweep");
  using log = exp.add({ a: { b: 1 } })!;
  const metricsPath = join(log.path, "artifacts", "metrics.json");
  assertThrows(
    () => log.json("metrics", { "a.b": 2 }),
    InvalidValueError,
    'Cannot write artifact "metrics": params["a"]["b"] and metrics["a.b"] are both index column "a.b", expected names that stay distinct when nested keys are joined with "."',
  );
  assertThrows(
    () => log.json("metrics", { loss: { train: 1 }, "loss.train": 2 }),
    InvalidValueError,
    'Cannot write artifact "metrics": metrics["loss"]["train"] and metrics["loss.train"] are both index column "loss.train"',
  );
  assertThrows(
    () => log.json("metrics", { ok: 1, bad: { fn: () => 1 } }),
    InvalidValueError,
    'Cannot write artifact "metrics": metric "bad.fn" is a function, expected a JSON value',
  );
  assertThrows(() => Deno.lstatSync(metricsPath), Deno.errors.NotFound);
  log.json("metrics", { "a.c": 2 });
  log.markComplete();
  assertEquals(
    headerLine(exp),
    "run_id,a.b,status,a.c,runtime_sec,failure_reason",
  );
});

Deno.test("params and metrics holding a lone surrogate are refused before anything is written", () => {
  using exp = new TemporaryExperiment("sweep");
  assertThrows(
    () => exp.add({ s: "a\ud800" }),
    InvalidValueError,
    'Cannot add run: param "s" holds a lone surrogate (\\ud800), expected well-formed Unicode text',
  );
  assertThrows(
    () => exp.add({ ["k\udc00"]: 1 }),
    InvalidValueError,
    'Cannot add run: param name "k\\udc00" holds a lone surrogate (\\udc00), expected well-formed Unicode text',
  );
  assertEquals([...Deno.readDirSync(exp.baseDir)], []);
  using log = exp.add({ omega: 1 })!;
  assertThrows(
    () => log.json("metrics", { tags: ["\udfff"] }),
    InvalidValueError,
    'Cannot write artifact "metrics": metric "tags[0]" holds a lone surrogate (\\udfff), expected well-formed Unicode text',
  );
});
