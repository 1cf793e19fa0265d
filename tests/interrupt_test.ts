// Copyright 2026 the notata authors. MIT license.
// Ctrl-C and SIGTERM, sent to real processes (tests/fixtures/interrupted_run.ts):
// every open run is marked failed, with its index row, before the process
// exits by the signal, whether the main thread awaits or spins in a loop
// that never yields.
import { assert, assertEquals, assertMatch } from "@std/assert";
import { parse as parseCsv } from "@std/csv";
import { join } from "@std/path";
import { IndexCsv } from "../src/_index/csv.ts";
import {
  type FixtureResult,
  listTree,
  LOG_LINE,
  readJsonFile,
  runFixture,
  signalChild,
  sleep,
  spawnFixture,
  waitForLine,
} from "./_subprocess.ts";

type Json = { [key: string]: unknown };
type Signal = "SIGINT" | "SIGTERM";

const EXIT_CODES: Record<Signal, number> = { SIGINT: 130, SIGTERM: 143 };
/** Long enough for the watchdog thread of a just-started process to be listening. */
const SETTLE_MS = 250;

interface Interrupted {
  result: FixtureResult;
  /** The child's pid. */
  pid: number;
  /** Milliseconds from the signal to the exit. */
  exitMs: number;
}

/**
 * Starts the fixture in `mode` logging into `baseDir`, waits for it to say
 * "ready" and `delayMs` more, runs `beforeSignal`, sends `signal` and waits
 * for the exit.
 */
async function interrupt(
  baseDir: string,
  mode: string,
  signal: Signal,
  options: { delayMs?: number; permissions?: string[]; beforeSignal?: () => void } = {},
): Promise<Interrupted> {
  const child = spawnFixture("interrupted_run.ts", [baseDir, mode], {
    permissions: options.permissions,
  });
  const { found, finish } = await waitForLine(child, "ready");
  let sentAt = performance.now();
  try {
    if (found) {
      await sleep(options.delayMs ?? SETTLE_MS);
      options.beforeSignal?.();
    }
  } finally {
    // Whatever happened, the fixture (which never ends by itself) must go.
    sentAt = performance.now();
    if (found) signalChild(child, signal);
  }
  const result = await finish();
  assert(found, `the fixture never got ready: ${result.stderr}`);
  return { result, pid: child.pid, exitMs: performance.now() - sentAt };
}

function assertExitedBy(result: FixtureResult, signal: Signal): void {
  assertEquals(
    [result.signal, result.code],
    [signal, EXIT_CODES[signal]],
    `exit code ${result.code}, stderr: ${result.stderr}`,
  );
}

/** Checks that the run in `runDir` was marked failed by `signal`, and returns its metadata. */
function assertInterrupted(runDir: string, signal: Signal): Json {
  const reason = `interrupted (${signal})`;
  const meta = readJsonFile(join(runDir, "metadata.json"));
  assertEquals([meta.status, meta.failure_reason], ["failed", reason]);
  const start = Date.parse(meta.start_time as string);
  const end = Date.parse(meta.end_time as string);
  assert(end >= start, `end_time ${meta.end_time} before start_time ${meta.start_time}`);
  assertEquals(meta.runtime_sec, (end - start) / 1000);
  const lines = Deno.readTextFileSync(join(runDir, "log.txt")).split("\n");
  assertEquals(lines.pop(), "", "log.txt ends without a line end");
  for (const line of lines) assertMatch(line, LOG_LINE);
  assertEquals(lines.at(-1)!.slice(lines.at(-1)!.indexOf("]") + 2), `ERROR Run failed: ${reason}`);
  return meta;
}

/** Checks the one-row index of the experiment in `dir` against its run. */
function assertIndexRow(dir: string, meta: Json, expected: { [column: string]: string }): void {
  const index = new IndexCsv(dir);
  const text = Deno.readTextFileSync(index.path);
  assert(text.endsWith("\r\n"));
  const [header, ...records] = parseCsv(text);
  assertEquals(header, ["run_id", "omega", "status", "energy", "runtime_sec", "failure_reason"]);
  assertEquals(index.rows(), [{
    run_id: meta.run_id as string,
    status: "failed",
    runtime_sec: String(meta.runtime_sec),
    failure_reason: meta.failure_reason as string,
    ...expected,
  }]);
  assertEquals(records.length, 1);
}

function assertNoTempFiles(dir: string): void {
  assertEquals(listTree(dir).filter((path) => path.includes(".tmp-")), []);
}

for (const mode of ["sync", "async"]) {
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    const doing = mode === "sync" ? "spins in a loop that never yields" : "awaits a timer";
    const withSys = !(mode === "async" && signal === "SIGINT");
    Deno.test(
      `${signal} while a run ${doing} marks it failed, updates the index and exits by the signal${
        withSys ? "" : " (no --allow-sys: hostname null)"
      }`,
      async () => {
        const baseDir = Deno.makeTempDirSync();
        try {
          const permissions = ["--allow-read", "--allow-write"];
          if (withSys) permissions.push("--allow-sys=hostname");
          const { result, pid } = await interrupt(baseDir, mode, signal, { permissions });
          assertExitedBy(result, signal);
          const dir = join(baseDir, "interrupted");
          const meta = assertInterrupted(join(dir, "runs", "log_interrupted_omega_1"), signal);
          assertEquals([meta.pid, meta.hostname], [pid, withSys ? Deno.hostname() : null]);
          assertIndexRow(dir, meta, { omega: "1", energy: "0.5" });
          assertNoTempFiles(baseDir);
        } finally {
          Deno.removeSync(baseDir, { recursive: true });
        }
      },
    );
  }
}

Deno.test("SIGTERM with two experiments' runs and a standalone Logbook open marks all three failed", async () => {
  const baseDir = Deno.makeTempDirSync();
  try {
    const { result } = await interrupt(baseDir, "nested", "SIGTERM");
    assertExitedBy(result, "SIGTERM");
    const first = join(baseDir, "interrupted");
    const firstMeta = assertInterrupted(join(first, "runs", "log_interrupted_omega_1"), "SIGTERM");
    assertIndexRow(first, firstMeta, { omega: "1", energy: "0.5" });
    const second = join(baseDir, "second");
    const secondMeta = assertInterrupted(join(second, "runs", "log_second_omega_2"), "SIGTERM");
    assertIndexRow(second, secondMeta, { omega: "2", energy: "2" });
    assertInterrupted(join(baseDir, "log_standalone"), "SIGTERM");
    assertNoTempFiles(baseDir);
  } finally {
    Deno.removeSync(baseDir, { recursive: true });
  }
});

Deno.test("SIGINT with no run open exits promptly by the signal and writes nothing", async () => {
  const baseDir = Deno.makeTempDirSync();
  try {
    // The fixture finished a run (so the watchdog is listening), then spins.
    let before: [string, string][] = [];
    const snapshot = () =>
      listTree(baseDir).map((path) =>
        [path, Deno.readTextFileSync(join(baseDir, path))] as [string, string]
      );
    const { result, exitMs } = await interrupt(baseDir, "idle", "SIGINT", {
      beforeSignal: () => before = snapshot(),
    });
    assertExitedBy(result, "SIGINT");
    assert(exitMs < 2_000, `the process took ${exitMs} ms to exit`);
    assertEquals(snapshot(), before);
    assertEquals(
      readJsonFile(join(baseDir, "interrupted/runs/log_interrupted_omega_1/metadata.json")).status,
      "complete",
    );
  } finally {
    Deno.removeSync(baseDir, { recursive: true });
  }
});

Deno.test("SIGTERM during a loop of short runs leaves every run finished, at most one interrupted, and one row each", async () => {
  const baseDir = Deno.makeTempDirSync();
  try {
    const { result } = await interrupt(baseDir, "sweep", "SIGTERM");
    assertExitedBy(result, "SIGTERM");
    const dir = join(baseDir, "interrupted");
    const runs = [...Deno.readDirSync(join(dir, "runs"))].map((entry) => entry.name);
    assert(runs.length > 20, `only ${runs.length} runs`);
    const rows = new IndexCsv(dir).rows();
    assertEquals(rows.map((row) => `log_${row.run_id}`).sort(), runs.sort());
    let interrupted = 0;
    for (const row of rows) {
      const runDir = join(dir, "runs", `log_${row.run_id}`);
      const meta = readJsonFile(join(runDir, "metadata.json"));
      assertEquals(row.status, meta.status);
      const square = String(Number(row.i) ** 2);
      if (meta.status === "failed") {
        interrupted++;
        assertInterrupted(runDir, "SIGTERM");
        assertEquals(row.failure_reason, "interrupted (SIGTERM)");
        // The signal may have come before the run wrote its metrics.
        assert([square, ""].includes(row.square), row.square);
      } else {
        assertEquals([meta.status, row.square], ["complete", square]);
      }
    }
    assert(interrupted <= 1, `${interrupted} runs interrupted`);
    assertNoTempFiles(baseDir);
  } finally {
    Deno.removeSync(baseDir, { recursive: true });
  }
});

// Known gap (see the report of issue 4): the watchdog thread starts with the
// process's first run and needs some milliseconds before it listens; a
// signal in that window kills the process by the default action and the
// run stays "initialized". The fixture signals itself to hit the window.
Deno.test("SIGTERM right after the first run started, before the watchdog thread is up, still marks it failed", async () => {
  const baseDir = Deno.makeTempDirSync();
  try {
    const result = await runFixture("interrupted_run.ts", [baseDir, "early"]);
    assertExitedBy(result, "SIGTERM");
    assertInterrupted(join(baseDir, "interrupted/runs/log_interrupted_omega_1"), "SIGTERM");
  } finally {
    Deno.removeSync(baseDir, { recursive: true });
  }
});

// Known gap (see the report of issue 4): log lines wait in a buffer that is
// flushed by a timer or by the next line; a loop that never yields and logs
// no more lines keeps them in memory, and the watchdog, another thread,
// cannot reach them.
Deno.test("SIGTERM during a loop that never yields keeps the log lines written more than a second before", async () => {
  const baseDir = Deno.makeTempDirSync();
  try {
    const { result } = await interrupt(baseDir, "sync", "SIGTERM", { delayMs: 1_500 });
    assertExitedBy(result, "SIGTERM");
    const runDir = join(baseDir, "interrupted/runs/log_interrupted_omega_1");
    assertInterrupted(runDir, "SIGTERM");
    const scalars = Deno.readTextFileSync(join(runDir, "data", "scalars.csv"));
    assert(scalars.split("\n").length > 100, "the scalars of the first second are on disk");
    const log = Deno.readTextFileSync(join(runDir, "log.txt"));
    assert(log.includes(" INFO Run started\n"), log);
    assert(log.includes(" INFO simulating\n"), log);
  } finally {
    Deno.removeSync(baseDir, { recursive: true });
  }
});

Deno.test("a thread blocked in a computation still gets its buffered lines written: by SIGTERM and within a second of SIGKILL", async () => {
  for (const signal of ["SIGTERM", "SIGKILL"] as const) {
    const baseDir = Deno.makeTempDirSync();
    try {
      const child = spawnFixture("interrupted_run.ts", [baseDir, "blocked"]);
      const { found, finish } = await waitForLine(child, "ready");
      // Longer than the watchdog's write-out interval; the main thread never
      // logs again, so only the watchdog can have written the lines.
      if (found) await sleep(1_500);
      signalChild(child, signal);
      const result = await finish();
      assert(found, result.stderr);
      assertEquals(result.signal, signal);
      const runDir = join(baseDir, "interrupted/runs/log_interrupted_omega_1");
      const log = Deno.readTextFileSync(join(runDir, "log.txt"));
      assert(log.includes(" INFO integrating\n"), `${signal}: ${log}`);
      const scalars = Deno.readTextFileSync(join(runDir, "data", "scalars.csv"));
      assertEquals(scalars.split("\n")[1]?.split(",").slice(0, 3), ["0", "energy", "0.5"]);
      if (signal === "SIGTERM") assertInterrupted(runDir, "SIGTERM");
    } finally {
      Deno.removeSync(baseDir, { recursive: true });
    }
  }
});
