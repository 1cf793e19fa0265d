// Copyright 2026 the notata authors. MIT license.
// The seams of the one-way design: one finish for every way a run ends (the
// user, the rescue of a run left by a fatal throw, a signal), the commit
// hook that writes an experiment's final metadata and index row together (a
// standalone Logbook has none), run directories that appear whole, and
// reads of an experiment that write nothing.
import { assert, assertEquals, assertMatch } from "@std/assert";
import { join } from "@std/path";
import { Experiment, ExperimentReader, Logbook, type Params, TemporaryExperiment } from "../mod.ts";
import { IndexCsv } from "../src/_index/csv.ts";
import {
  listTree,
  readJsonFile,
  runFixture,
  signalChild,
  spawnFixture,
  waitForLine,
} from "./_subprocess.ts";

const FINAL_KEYS = ["end_time", "hostname", "pid", "run_id", "runtime_sec", "start_time", "status"];

/**
 * Checks what every finish writes: the final metadata, the last log line,
 * and the index row that matches the metadata. Returns the metadata.
 */
function assertFinished(
  exp: Experiment,
  runId: string,
  expected: { status: "complete" | "failed"; reason?: string },
): { [key: string]: unknown } {
  const runDir = join(exp.runsDir, `log_${runId}`);
  const meta = readJsonFile(join(runDir, "metadata.json"));
  const keys = expected.reason === undefined ? FINAL_KEYS : [...FINAL_KEYS, "failure_reason"];
  assertEquals(Object.keys(meta).sort(), keys.sort(), runId);
  assertEquals([meta.status, meta.failure_reason], [expected.status, expected.reason], runId);
  assert(typeof meta.runtime_sec === "number" && meta.runtime_sec >= 0, runId);
  assert(Date.parse(meta.end_time as string) >= Date.parse(meta.start_time as string), runId);
  const lines = Deno.readTextFileSync(join(runDir, "log.txt")).trimEnd().split("\n");
  assertMatch(
    lines.at(-1)!,
    expected.status === "complete"
      ? /^\[\S+Z\] INFO Run complete in \d+\.\d{3} s$/
      : new RegExp(`^\\[\\S+Z\\] ERROR Run failed: ${RegExp.escape(expected.reason!)}$`),
    runId,
  );
  const rows = new IndexCsv(exp.dir).rows().filter((row) => row.run_id === runId);
  assertEquals(rows.length, 1, `${runId} has one index row`);
  assertEquals(
    [rows[0].status, rows[0].runtime_sec, rows[0].failure_reason],
    [expected.status, String(meta.runtime_sec), expected.reason ?? ""],
    runId,
  );
  return meta;
}

Deno.test("markComplete, markFailed, the rescue of a fatal throw and a signal finish a run alike", async () => {
  const baseDir = Deno.makeTempDirSync();
  try {
    // The user: markComplete and markFailed.
    const exp = new Experiment("finish", { baseDir });
    exp.add({ omega: 1 })!.markComplete();
    exp.add({ omega: 2 })!.markFailed("diverged");
    assertFinished(exp, "finish_omega_1", { status: "complete" });
    assertFinished(exp, "finish_omega_2", { status: "failed", reason: "diverged" });

    // The rescue: a run completed by its `using` block, then failed by the
    // throw that killed the script.
    const rescued = await runFixture("logbook_uncaught.ts", [baseDir, "experiment"]);
    assert(rescued.code !== 0, rescued.stderr);
    const sweep = new Experiment("sweep", { baseDir });
    assertFinished(sweep, "sweep_omega_1", { status: "complete" });
    assertFinished(sweep, "sweep_omega_2", { status: "failed", reason: "sim diverged" });

    // A signal: the watchdog thread finishes the run from its files.
    const child = spawnFixture("interrupted_run.ts", [baseDir, "sync"]);
    const { found, finish } = await waitForLine(child, "ready");
    if (found) signalChild(child, "SIGTERM");
    const result = await finish();
    assert(found, result.stderr);
    assertEquals(result.signal, "SIGTERM", result.stderr);
    const interrupted = new Experiment("interrupted", { baseDir });
    assertFinished(interrupted, "interrupted_omega_1", {
      status: "failed",
      reason: "interrupted (SIGTERM)",
    });
  } finally {
    Deno.removeSync(baseDir, { recursive: true });
  }
});

Deno.test("a standalone Logbook writes no index and takes no lock", () => {
  const baseDir = Deno.makeTempDirSync();
  try {
    {
      using log = new Logbook("alone", { baseDir, params: { omega: 1 } });
      log.json("metrics", { energy: 0.5 });
    }
    assertEquals(listTree(baseDir), [
      "log_alone/artifacts/metrics.json",
      "log_alone/log.txt",
      "log_alone/metadata.json",
      "log_alone/params.json",
    ]);
    assertEquals(readJsonFile(join(baseDir, "log_alone", "metadata.json")).status, "complete");
  } finally {
    Deno.removeSync(baseDir, { recursive: true });
  }
});

Deno.test("a run of an experiment appears whole, staged outside runs/, and leftovers of a killed start are ignored", () => {
  using exp = new TemporaryExperiment("whole");
  const log = exp.add({ omega: 1 })!;
  // Before anything else is written: the run directory came with its files.
  assertEquals(listTree(exp.runsDir), [
    "log_whole_omega_1/metadata.json",
    "log_whole_omega_1/params.json",
  ]);
  assertEquals(
    [...Deno.readDirSync(join(exp.runsDir, "log_whole_omega_1"))].map((entry) => entry.name).sort(),
    ["artifacts", "metadata.json", "params.json"],
  );
  assertEquals([...Deno.readDirSync(exp.dir)].map((entry) => entry.name).sort(), [
    ".index.lock",
    "runs",
  ]);
  log.markComplete();

  // What a process killed while building a run leaves: a hidden directory
  // with params and metadata. No reader takes it for a run.
  for (const dir of [exp.dir, exp.runsDir]) {
    const leftover = join(dir, ".log_whole_omega_2.tmp-99999-0000000010");
    Deno.mkdirSync(leftover);
    Deno.writeTextFileSync(join(leftover, "params.json"), '{"omega": 2}\n');
    Deno.writeTextFileSync(
      join(leftover, "metadata.json"),
      '{"run_id": "whole_omega_2", "status": "initialized", "pid": 99999}\n',
    );
  }
  assertEquals(new ExperimentReader(exp.dir).runIds, ["whole_omega_1"]);
  assertEquals(exp.reindex(), 1);
  assertEquals(exp.statusOf({ omega: 2 }), undefined);
  const again = exp.add({ omega: 2 })!;
  again.markComplete();
  assertEquals(new ExperimentReader(exp.dir).runIds, ["whole_omega_1", "whole_omega_2"]);
});

Deno.test("toDataFrame and select report a crashed run without writing anything", async () => {
  using exp = new TemporaryExperiment("readonly");
  exp.add({ omega: 1 })!.markComplete();
  // A run whose process is gone: metadata still says initialized.
  const crashed: Params = { omega: 2 };
  const runDir = join(exp.runsDir, `log_${exp.runId(crashed)}`);
  Deno.mkdirSync(runDir);
  Deno.writeTextFileSync(join(runDir, "params.json"), '{"omega": 2}\n');
  Deno.writeTextFileSync(
    join(runDir, "metadata.json"),
    JSON.stringify({
      run_id: exp.runId(crashed),
      status: "initialized",
      start_time: "2020-01-01T00:00:00.000Z",
      pid: 2 ** 22 + 1,
      hostname: "a host that is not this one",
    }),
  );
  const before = listTree(exp.dir).map((path) => [
    path,
    Deno.readTextFileSync(join(exp.dir, path)),
  ]);
  const frame = await exp.toDataFrame();
  assertEquals(frame.getColumn("status").toArray(), ["complete", "crashed"]);
  const selected = await exp.select({ status: "crashed" });
  assertEquals(selected.getColumn("omega").toArray(), [2]);
  const after = listTree(exp.dir).map((path) => [
    path,
    Deno.readTextFileSync(join(exp.dir, path)),
  ]);
  assertEquals(after, before, "nothing written, no lock file touched");
});
