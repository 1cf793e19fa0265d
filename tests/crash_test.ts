// Copyright 2026 the notata authors. MIT license.
// Runs whose process died without finishing them: killed with SIGKILL at
// any moment (real processes, tests/fixtures/), or crafted on disk as another
// host would leave them. They are reported "crashed", never as running;
// no kill leaves a torn JSON or CSV file; and reindex() rebuilds the index
// after any damage.
import { assert, assertEquals, assertMatch, assertThrows } from "@std/assert";
import { parse as parseCsv } from "@std/csv";
import { join } from "@std/path";
import {
  Experiment,
  ExperimentReader,
  LogReader,
  RunExistsError,
  type RunState,
  TemporaryExperiment,
} from "../mod.ts";
import { IndexCsv } from "../src/_index/csv.ts";
import { craftRun } from "./_run.ts";
import { exists } from "../src/_files.ts";
import { parseJson } from "../src/_json.ts";
import { HEARTBEAT_FILE, HEARTBEAT_INTERVAL_MS, HEARTBEAT_STALE_MS } from "../src/_liveness.ts";
import {
  listTree,
  LOG_LINE,
  readJsonFile,
  scratchDir,
  scratchPermissions,
  signalChild,
  sleep,
  spawnFixture,
  waitForLine,
} from "./_subprocess.ts";

type Json = { [key: string]: unknown };

const SCALAR_LINE = /^\d+,energy,(-?\d[\d.e+-]*|NaN),\d+\.\d{6}$/;
/** A pid above Linux's maximum (2^22): no process has it. */
const DEAD_PID = 2 ** 22 + 1;

// ---------------------------------------------------------------------------
// A run killed with SIGKILL

/**
 * Starts experiment "interrupted"'s run {omega: 1} in a fixture process and
 * kills it with SIGKILL. Returns the experiment and the dead process's pid.
 */
async function killedRun(baseDir: string): Promise<{ exp: Experiment; pid: number }> {
  const child = spawnFixture("interrupted_run.ts", [baseDir, "async"]);
  const { found, finish } = await waitForLine(child, "ready");
  if (found) signalChild(child, "SIGKILL");
  const result = await finish();
  assert(found, result.stderr);
  assertEquals(result.signal, "SIGKILL", result.stderr);
  return { exp: new Experiment("interrupted", { baseDir }), pid: child.pid };
}

Deno.test("a run killed with SIGKILL stays initialized on disk; statusOf, toDataFrame, reindex and ExperimentReader report it crashed", async () => {
  const baseDir = Deno.makeTempDirSync();
  try {
    const { exp, pid } = await killedRun(baseDir);
    const runDir = join(exp.runsDir, "log_interrupted_omega_1");
    const meta = readJsonFile(join(runDir, "metadata.json"));
    assertEquals([meta.status, meta.pid, meta.hostname], ["initialized", pid, Deno.hostname()]);
    assert(!exists(exp.indexPath));
    assertEquals(exp.statusOf({ omega: 1 }), "crashed");

    const frame = await exp.toDataFrame();
    assertEquals(frame.toRecords(), [{
      run_id: "interrupted_omega_1",
      omega: 1,
      status: "crashed",
      energy: 0.5,
      runtime_sec: null,
      failure_reason: null,
    }]);
    assertEquals((await exp.toDataFrame()).height, 1, "a second export gives the same row");
    assert(!exists(exp.indexPath), "toDataFrame writes nothing");
    assertEquals(new ExperimentReader(exp.dir).index(), []);
    assertEquals(exp.reindex(), 1);
    const row = {
      run_id: "interrupted_omega_1",
      omega: "1",
      status: "crashed",
      energy: "0.5",
      runtime_sec: "",
      failure_reason: "",
    };
    assertEquals(new IndexCsv(exp.dir).rows(), [row]);
    assertEquals(new ExperimentReader(exp.dir).index().map((entry) => entry.status), ["crashed"]);

    Deno.removeSync(exp.indexPath);
    assertEquals(exp.reindex(), 1);
    assertEquals(new IndexCsv(exp.dir).rows(), [row]);
  } finally {
    Deno.removeSync(baseDir, { recursive: true });
  }
});

// A reader tells a dead run from a running one as statusOf does.
Deno.test("LogReader.status reports a run killed with SIGKILL as crashed", async () => {
  const baseDir = Deno.makeTempDirSync();
  try {
    const { exp } = await killedRun(baseDir);
    assertEquals(new LogReader(join(exp.runsDir, "log_interrupted_omega_1")).status, "crashed");
  } finally {
    Deno.removeSync(baseDir, { recursive: true });
  }
});

// Reported for issue 4: ExperimentReader.index() reads index.csv only, where
// a crashed run has no row until reindex() adds one.
Deno.test("skipExisting reruns a run killed with SIGKILL, records the attempt as crashed and replaces its index row", async () => {
  const baseDir = Deno.makeTempDirSync();
  try {
    const { exp } = await killedRun(baseDir);
    const before = readJsonFile(join(exp.runsDir, "log_interrupted_omega_1", "metadata.json"));
    exp.reindex(); // gives the crashed run its row
    assertEquals(new IndexCsv(exp.dir).rows().map((row) => row.status), ["crashed"]);
    {
      using log = exp.add({ omega: 1 }, { skipExisting: true });
      assert(log !== null, "the crashed run was skipped");
      log!.json("metrics", { energy: 0.75 });
    }
    const meta = readJsonFile(join(exp.runsDir, "log_interrupted_omega_1", "metadata.json"));
    assertEquals(meta.status, "complete");
    assertEquals(meta.attempts, [{
      status: "crashed",
      start_time: before.start_time,
      end_time: null,
    }]);
    const log = Deno.readTextFileSync(join(exp.runsDir, "log_interrupted_omega_1", "log.txt"));
    assertMatch(log, /\] WARNING Run resumed; previous attempt ended crashed\n/);
    const rows = new IndexCsv(exp.dir).rows();
    assertEquals(rows.map((row) => [row.run_id, row.status, row.energy]), [
      ["interrupted_omega_1", "complete", "0.75"],
    ]);
    assertEquals(exp.add({ omega: 1 }, { skipExisting: true }), null);
  } finally {
    Deno.removeSync(baseDir, { recursive: true });
  }
});

// The only slow test here: the first heartbeat comes HEARTBEAT_INTERVAL_MS
// after the run starts.
Deno.test("a run spinning in a loop that never yields records its owner and gets heartbeats; statusOf says it is running", async () => {
  const baseDir = Deno.makeTempDirSync();
  try {
    const child = spawnFixture("interrupted_run.ts", [baseDir, "sync"]);
    const { found, finish } = await waitForLine(child, "ready");
    const exp = new Experiment("interrupted", { baseDir });
    const runDir = join(exp.runsDir, "log_interrupted_omega_1");
    const heartbeat = join(runDir, HEARTBEAT_FILE);
    try {
      assert(found);
      const meta = readJsonFile(join(runDir, "metadata.json"));
      assertEquals([meta.status, meta.pid, meta.hostname], [
        "initialized",
        child.pid,
        Deno.hostname(),
      ]);
      assertEquals(exp.statusOf({ omega: 1 }), "initialized");
      const deadline = Date.now() + HEARTBEAT_INTERVAL_MS + 4_000;
      while (!exists(heartbeat) && Date.now() < deadline) await sleep(100);
      const beat = Deno.readTextFileSync(heartbeat);
      assertEquals(exp.statusOf({ omega: 1 }), "initialized");
      const started = Date.parse(meta.start_time as string);
      assertMatch(beat, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\n$/);
      const time = Date.parse(beat.trim());
      assert(
        time - started >= HEARTBEAT_INTERVAL_MS - 500 && time <= Date.now(),
        `heartbeat ${beat.trim()} for a run started at ${meta.start_time}, now ${
          new Date().toISOString()
        }`,
      );
    } finally {
      signalChild(child, "SIGTERM");
      await finish();
    }
    assertEquals(exp.statusOf({ omega: 1 }), "failed");
  } finally {
    Deno.removeSync(baseDir, { recursive: true });
  }
});

// ---------------------------------------------------------------------------
// Runs left as another host, or an older writer, would leave them (craftRun)

const OTHER_HOST = "other-host.example";
const STALE = HEARTBEAT_STALE_MS / 1000 + 5;

// [case, hostname, pid, started seconds ago, heartbeat seconds ago, state]
type LivenessCase = [string, string | null, number, number, number | undefined, RunState];
const LIVENESS_CASES: LivenessCase[] = [
  ["other host, heartbeat stale", OTHER_HOST, 1, 600, STALE, "crashed"],
  ["other host, heartbeat fresh", OTHER_HOST, 1, 600, 2, "initialized"],
  ["other host, no heartbeat, started long ago", OTHER_HOST, 1, STALE, undefined, "crashed"],
  ["other host, no heartbeat, started just now", OTHER_HOST, 1, 1, undefined, "initialized"],
  ["no hostname, dead pid, started just now", null, DEAD_PID, 1, undefined, "initialized"],
  ["no hostname, heartbeat stale", null, DEAD_PID, 600, STALE, "crashed"],
  // Where /proc tells whether a pid lives (Linux), the pid decides on this host.
  ...(Deno.build.os === "linux"
    ? [
      ["this host, dead pid, heartbeat fresh", Deno.hostname(), DEAD_PID, 1, 0, "crashed"],
      ["this host, live pid 1, no heartbeat", Deno.hostname(), 1, 600, undefined, "initialized"],
    ] as LivenessCase[]
    : []),
];

Deno.test("an unfinished run is crashed when its pid is gone on this host, or its heartbeat is stale elsewhere", () => {
  using exp = new TemporaryExperiment("liveness");
  LIVENESS_CASES.forEach(([, hostname, pid, startedAgo, beatAgo], n) =>
    craftRun(exp, { n }, { hostname, pid, startedAgo, beatAgo })
  );
  LIVENESS_CASES.forEach(([description, , , , , state], n) => {
    assertEquals(exp.statusOf({ n }), state, description);
  });
  const crashed = LIVENESS_CASES.flatMap(([, , , , , state], n) => state === "crashed" ? [n] : []);
  assertEquals(exp.reindex(), crashed.length);
  const rows = new IndexCsv(exp.dir).rows();
  assertEquals(
    rows.map((row) => [Number(row.n), row.status, row.energy]).sort(),
    crashed.map((n) => [n, "crashed", "1.5"]),
  );
});

Deno.test("add() leaves a run with a fresh heartbeat on another host to its owner and resumes a stale one", () => {
  using exp = new TemporaryExperiment("liveness");
  const fresh = { omega: 1 };
  craftRun(exp, fresh, { hostname: OTHER_HOST, pid: 1, startedAgo: 600, beatAgo: 2 });
  assertThrows(
    () => exp.add(fresh),
    RunExistsError,
    `Cannot add run: run "liveness_omega_1" is running in process 1 on host "${OTHER_HOST}", expected to wait for it, skipExisting: true to skip it, or overwrite: true`,
  );
  assertEquals(exp.add(fresh, { skipExisting: true }), null);

  const stale = { omega: 2 };
  craftRun(exp, stale, { hostname: OTHER_HOST, pid: 1, startedAgo: 600, beatAgo: STALE });
  const log = exp.add(stale, { skipExisting: true });
  assert(log !== null);
  log!.markComplete();
  assertEquals((log!.getMeta().attempts as Json[]).map((attempt) => attempt.status), ["crashed"]);
  assertEquals(new IndexCsv(exp.dir).rows().map((row) => [row.omega, row.status]), [[
    "2",
    "complete",
  ]]);
});

// Reported for issue 4: Experiment.add creates the run directory, then writes
// params.json and metadata.json, all under the experiment's lock; a kill in
// between leaves a directory without metadata.json, whose liveness falls
// back to the directory's mtime, so for a minute it counts as running and
// skipExisting skips it. Under the lock no live writer can be mid-creation.
Deno.test("skipExisting reruns a run directory that a kill left without metadata.json", () => {
  using exp = new TemporaryExperiment("torn");
  const runDir = join(exp.runsDir, `log_${exp.runId({ omega: 1 })}`);
  Deno.mkdirSync(join(runDir, "artifacts"), { recursive: true });
  Deno.writeTextFileSync(join(runDir, "params.json"), '{\n  "omega": 1\n}\n');
  const log = exp.add({ omega: 1 }, { skipExisting: true });
  assert(log !== null, `skipped as ${exp.statusOf({ omega: 1 })}`);
  log!.markComplete();
  assertEquals(new IndexCsv(exp.dir).rows().map((row) => row.status), ["complete"]);
});

// ---------------------------------------------------------------------------
// SIGKILL at random moments

/** A small seeded generator, so that a failure names its delays. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/** Checks that the text of an append-only line file has whole lines, except maybe the last. */
function assertWholeLines(path: string, text: string, line: RegExp, header?: string): void {
  const lines = text.split("\n");
  lines.pop(); // empty, or a last line cut short by the kill
  if (header !== undefined && lines.length > 0) assertEquals(lines.shift(), header, path);
  for (const each of lines) assertMatch(each, line, `${path}: a torn line in the middle`);
}

/** Checks index.csv: missing, or a header and whole CRLF-terminated records of its width. */
function assertIndexWellFormed(path: string): void {
  if (!exists(path)) return;
  const text = Deno.readTextFileSync(path);
  assert(text.endsWith("\r\n"), `index.csv ends in ${JSON.stringify(text.slice(-40))}`);
  const [header, ...records]: string[][] = parseCsv(text);
  assertEquals(header.slice(0, 3), ["run_id", "i", "status"]);
  assertEquals(header.slice(-2), ["runtime_sec", "failure_reason"]);
  for (const record of records) {
    assertEquals(record.length, header.length, `index.csv record ${record.join(",")}`);
    assert(["complete", "failed", "crashed"].includes(record[2]), record.join(","));
  }
  assertEquals(
    new Set(records.map((record) => record[0])).size,
    records.length,
    "a run has two rows",
  );
}

/** Checks every file under `dir` modified at or after `since` (ms); all when 0. */
function assertNothingTorn(dir: string, since: number): void {
  for (const path of listTree(dir)) {
    if (path.includes(".tmp-")) continue; // a kill's leftover, never read
    const full = join(dir, path);
    if ((Deno.statSync(full).mtime?.getTime() ?? Infinity) < since) continue;
    if (path.endsWith(".json")) {
      const text = Deno.readTextFileSync(full);
      try {
        parseJson(text);
      } catch (error) {
        throw new Error(`${path} is torn: ${JSON.stringify(text.slice(-60))}`, { cause: error });
      }
    } else if (path.endsWith("log.txt")) {
      assertWholeLines(path, Deno.readTextFileSync(full), LOG_LINE);
    } else if (path.endsWith("scalars.csv")) {
      assertWholeLines(path, Deno.readTextFileSync(full), SCALAR_LINE, "step,name,value,time");
    } else if (path.endsWith(".npy") || path.endsWith(".npz")) {
      const runDir = join(dir, path.slice(0, path.indexOf("/data/")));
      const name = path.slice(path.indexOf("/data/") + 6);
      new LogReader(runDir).loadArray(
        name.endsWith(".npy") ? name.slice(0, -4) : `${name.slice(0, -4)}:a`,
      );
    }
  }
  assertIndexWellFormed(join(dir, "index.csv"));
}

Deno.test("SIGKILL at random moments of a sweep never leaves a torn JSON, CSV, log or array file; reindex and a resumed sweep recover every run", async () => {
  const baseDir = scratchDir();
  const seed = Date.now() % 1_000_000;
  const next = random(seed);
  const exp = new Experiment("killed", { baseDir });
  const permissions = scratchPermissions(baseDir);
  const budget = Date.now() + 25_000;
  try {
    let kills = 0;
    for (; kills < 40 && Date.now() < budget; kills++) {
      const since = Date.now() - 50;
      const child = spawnFixture("kill_writer.ts", [baseDir, "1000000"], { permissions });
      const { found, finish } = await waitForLine(child, "ready");
      const delay = Math.floor(next() * 300);
      if (found) {
        await sleep(delay);
        signalChild(child, "SIGKILL");
      }
      const result = await finish();
      assert(found, result.stderr);
      assertEquals(result.signal, "SIGKILL", `kill ${kills} (seed ${seed}): ${result.stderr}`);
      try {
        assertNothingTorn(exp.dir, since);
      } catch (error) {
        throw new Error(`after kill ${kills} at ${delay} ms (seed ${seed})`, { cause: error });
      }
    }
    assert(kills >= 10, `only ${kills} kills in the time budget`);
    assertNothingTorn(exp.dir, 0);

    // Every run directory is finished or crashed now, and reindex lists each
    // once. A directory that a kill left without metadata.json is set aside
    // here and reported at the end (see the metadata.json test above).
    const runs = [...Deno.readDirSync(exp.runsDir)].map((entry) => entry.name.slice("log_".length));
    const hasMetadata = (runId: string) =>
      exists(join(exp.runsDir, `log_${runId}`, "metadata.json"));
    const states = new Map(
      runs.map((runId) => [runId, exp.statusOf({ i: Number(runId.split("_").at(-1)) })]),
    );
    const unfinished = [...states].filter(([runId, state]) =>
      state === "initialized" && hasMetadata(runId)
    );
    assertEquals(unfinished, [], "runs the kills left that count as running");
    const listed = [...states].filter(([, state]) => state !== "initialized");
    assertEquals(exp.reindex(), listed.length);
    const reindexed = new IndexCsv(exp.dir).rows();
    assertEquals<Map<string, string | undefined>>(
      new Map(reindexed.map((row) => [row.run_id, row.status])),
      new Map(listed),
    );

    // A last sweep over the same points, not killed, finishes every run.
    const child = spawnFixture("kill_writer.ts", [baseDir, String(runs.length)], { permissions });
    const { found, finish } = await waitForLine(child, "ready");
    const result = await finish();
    assert(found && result.stdout.endsWith("done\n"), result.stderr);
    assertEquals(result.code, 0);
    assertNothingTorn(exp.dir, 0);
    const torn = runs.filter((runId) => !hasMetadata(runId));
    const rows = new IndexCsv(exp.dir).rows();
    assertEquals(rows.map((row) => row.run_id).sort(), runs.filter(hasMetadata).sort());
    for (const row of rows) {
      const runDir = join(exp.runsDir, `log_${row.run_id}`);
      const meta = readJsonFile(join(runDir, "metadata.json"));
      assertEquals([row.status, meta.status], ["complete", "complete"], row.run_id);
      const metrics = readJsonFile(join(runDir, "artifacts", "metrics.json"));
      assertEquals(row.energy, String(metrics.energy));
      for (const attempt of (meta.attempts ?? []) as Json[]) {
        assert(["crashed", "failed", "unknown"].includes(attempt.status as string), row.run_id);
      }
    }
    assertEquals(
      torn,
      [],
      `after ${kills} kills (seed ${seed}), run directories without metadata.json that the last sweep skipped as running`,
    );
  } finally {
    Deno.removeSync(baseDir, { recursive: true });
  }
});

// ---------------------------------------------------------------------------
// reindex() after damage

/** An experiment with a varied index: quoting, a multi-line cell, NaN, a failed run. */
function damagedSubject(): TemporaryExperiment {
  const exp = new TemporaryExperiment("damaged");
  for (const omega of [1, 2, 3, 4]) {
    using log = exp.add({ omega })!;
    log.json("metrics", {
      energy: omega === 3 ? NaN : omega / 2,
      loss: { train: omega / 10 },
      note: omega === 2 ? 'two lines,\r\nand "quotes"' : `run ${omega}`,
    });
    if (omega === 4) log.markFailed('diverged, "badly"');
  }
  return exp;
}

const DAMAGES: [string, (text: string, path: string) => void][] = [
  ["deleted", (_, path) => Deno.removeSync(path)],
  ["emptied", (_, path) => Deno.writeTextFileSync(path, "")],
  ["truncated mid-line", (text, path) => Deno.writeTextFileSync(path, text.slice(0, -9))],
  [
    "truncated inside a quoted multi-line cell",
    (text, path) =>
      Deno.writeTextFileSync(path, text.slice(0, text.indexOf("two lines,\r\n") + 12)),
  ],
  [
    "truncated at a line boundary",
    (text, path) =>
      Deno.writeTextFileSync(path, text.slice(0, text.lastIndexOf("\r\n", text.length - 3) + 2)),
  ],
  ["a row removed", (text, path) => {
    const start = text.indexOf("damaged_omega_3");
    Deno.writeTextFileSync(
      path,
      text.slice(0, start) + text.slice(text.indexOf("\r\n", start) + 2),
    );
  }],
  [
    "a value changed",
    (text, path) =>
      Deno.writeTextFileSync(
        path,
        text.replace("damaged_omega_1,1,complete", "damaged_omega_1,7,failed"),
      ),
  ],
  // A renamed column would be kept as a column no run gives: one dropped.
  [
    "header changed",
    (text, path) => Deno.writeTextFileSync(path, text.replace(",energy", "")),
  ],
  ["garbage appended", (text, path) => Deno.writeTextFileSync(path, `${text}\u0000garbage,"x`)],
  ["a garbage line appended", (text, path) => Deno.writeTextFileSync(path, `${text}garbage,1\r\n`)],
  [
    "a row duplicated",
    (text, path) =>
      Deno.writeTextFileSync(
        path,
        text + text.slice(text.indexOf("damaged_omega_1")).split("\r\n")[0] + "\r\n",
      ),
  ],
];

for (const [damage, apply] of DAMAGES) {
  Deno.test(`reindex() rebuilds index.csv ${damage}`, () => {
    using exp = damagedSubject();
    const index = new IndexCsv(exp.dir);
    const live = Deno.readTextFileSync(exp.indexPath);
    const schema = Deno.readTextFileSync(index.schemaPath);
    assertEquals(exp.reindex(), 4);
    assertEquals(Deno.readTextFileSync(exp.indexPath), live, "a rebuild reproduces the live index");
    apply(live, exp.indexPath);
    assertEquals(exp.reindex(), 4);
    assertEquals(Deno.readTextFileSync(exp.indexPath), live);
    assertEquals(Deno.readTextFileSync(index.schemaPath), schema);
  });
}

Deno.test("reindex() rebuilds index.csv with index.schema.json deleted or broken", () => {
  using exp = damagedSubject();
  const index = new IndexCsv(exp.dir);
  const live = Deno.readTextFileSync(exp.indexPath);
  const schema = Deno.readTextFileSync(index.schemaPath);
  for (const broken of [undefined, schema.slice(0, 30)]) {
    if (broken === undefined) Deno.removeSync(index.schemaPath);
    else Deno.writeTextFileSync(index.schemaPath, broken);
    Deno.removeSync(exp.indexPath);
    assertEquals(exp.reindex(), 4);
    assertEquals(Deno.readTextFileSync(exp.indexPath), live);
    assertEquals(Deno.readTextFileSync(index.schemaPath), schema);
  }
});

// The damage a finishing run can see (the file does not start with the
// recorded header or does not end with a whole record) is repaired by that
// run, as README promises; the rest waits for reindex().
for (const damage of ["deleted", "truncated mid-line", "header changed", "garbage appended"]) {
  Deno.test(`the next finished run rebuilds index.csv ${damage}`, () => {
    using exp = damagedSubject();
    DAMAGES.find(([name]) => name === damage)![1](
      Deno.readTextFileSync(exp.indexPath),
      exp.indexPath,
    );
    exp.add({ omega: 5 })!.markComplete();
    const repaired = Deno.readTextFileSync(exp.indexPath);
    assertEquals(exp.reindex(), 5);
    assertEquals(repaired, Deno.readTextFileSync(exp.indexPath));
  });
}
