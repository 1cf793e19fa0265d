// Copyright 2026 the notata authors. MIT license.
// A stuck lock holder does not freeze everyone: waits for `.index.lock` are
// bounded and the error names the lock and its holder; a signal during a
// wait is honoured at once; and the row of a run finished without the lock
// is added by the next writer or reindex, never lost.

import { assert, assertEquals, assertMatch } from "@std/assert";
import { join } from "@std/path";
import { Experiment } from "@notata/core";
import { exists, readTextIfExists } from "../src/_files.ts";
import { LOCK_TIMEOUT_ENV, TOKEN_STALE_MS, tryWithFileLock, withFileLock } from "../src/_lock.ts";
import {
  LOGGING_PERMISSIONS,
  readJsonFile,
  signalChild,
  sleep,
  spawnFixture,
  waitForLine,
} from "./_subprocess.ts";

// Longer than a bounded wait of 1 s takes, far shorter than an unbounded one.
const GIVE_UP_MS = 15_000;

// Starts the fixture `name` (by default one that adds a run to experiment
// "locked" under `baseDir` and prints the error it got), waiting at most
// `timeout` seconds for a lock.
function spawnWaiter(
  baseDir: string,
  timeout: string,
  name = "lock_failure.ts",
): Deno.ChildProcess {
  return spawnFixture(name, [baseDir], {
    permissions: [...LOGGING_PERMISSIONS, `--allow-env=${LOCK_TIMEOUT_ENV}`],
    env: { [LOCK_TIMEOUT_ENV]: timeout },
  });
}

Deno.test({
  name:
    "a writer waiting on a lock held by a stopped process gives up, naming the lock, pid and host",
  ignore: Deno.build.os === "windows",
  async fn() {
    const baseDir = Deno.makeTempDirSync();
    const holder = spawnFixture("harden_lock_holder.ts", [baseDir]);
    const { found, finish } = await waitForLine(holder, "locked");
    try {
      assert(found, "the holder did not take the lock");
      holder.kill("SIGSTOP");
      const waiter = spawnWaiter(baseDir, "1");
      const timer = setTimeout(() => waiter.kill("SIGKILL"), GIVE_UP_MS);
      const output = await waiter.output();
      clearTimeout(timer);
      assert(output.code === 0, `the waiter did not give up: ${output.signal ?? output.code}`);
      const error = JSON.parse(new TextDecoder().decode(output.stdout));
      const lock = join(baseDir, "locked", ".index.lock");
      assertEquals(error.name, "NotataError");
      assertEquals(
        error.message,
        `Cannot lock "${lock}": still held after 1 s (last taken by process ${holder.pid} on host "${Deno.hostname()}"), expected its holder to release it within ${LOCK_TIMEOUT_ENV} seconds (default 120); a stopped or hung process may hold it`,
      );
    } finally {
      holder.kill("SIGKILL");
      holder.kill("SIGCONT");
      await finish();
      Deno.removeSync(baseDir, { recursive: true });
    }
  },
});

Deno.test("a lock timeout that is not a number of seconds is refused", async () => {
  const baseDir = Deno.makeTempDirSync();
  const holder = spawnFixture("harden_lock_holder.ts", [baseDir]);
  const { found, finish } = await waitForLine(holder, "locked");
  try {
    assert(found);
    const output = await spawnWaiter(baseDir, "soon").output();
    assertMatch(
      new TextDecoder().decode(output.stdout),
      /NOTATA_LOCK_TIMEOUT \\"soon\\" is not a number of seconds, expected a positive number such as 30/,
    );
  } finally {
    holder.kill("SIGKILL");
    await finish();
    Deno.removeSync(baseDir, { recursive: true });
  }
});

const RUN_DIR = join("locked", "runs", "log_locked_omega_1");

// Starts a waiter that finishes its run once told to, with `timeout` seconds
// of lock timeout, and a holder that takes the experiment's lock and is then
// stopped; tells the waiter to finish, and resolves once the waiter is
// waiting for the lock (its last log line is written, its metadata is not).
async function finishBehindStoppedHolder(baseDir: string, timeout: string) {
  const waiter = spawnWaiter(baseDir, timeout, "lock_wait_finish.ts");
  const started = await waitForLine(waiter, "started");
  const holder = spawnFixture("harden_lock_holder.ts", [baseDir]);
  const locked = await waitForLine(holder, "locked");
  holder.kill("SIGSTOP");
  let stopped: Promise<unknown> | undefined;
  const stop = () =>
    stopped ??= (() => {
      holder.kill("SIGKILL");
      holder.kill("SIGCONT");
      return locked.finish();
    })();
  if (!started.found || !locked.found) {
    signalChild(waiter, "SIGKILL");
    await Promise.all([started.finish(), stop()]);
    throw new Error("the waiter did not start or the holder did not take the lock");
  }
  Deno.writeTextFileSync(join(baseDir, "go"), "");
  const logPath = join(baseDir, RUN_DIR, "log.txt");
  while (!(readTextIfExists(logPath) ?? "").includes("Run complete in")) await sleep(10);
  return { waiter, finish: started.finish, stopHolder: stop };
}

function readMetadata(baseDir: string): { [key: string]: unknown } {
  return readJsonFile(join(baseDir, RUN_DIR, "metadata.json"));
}

function indexedRunIds(baseDir: string): string[] {
  const text = readTextIfExists(join(baseDir, "locked", "index.csv")) ?? "";
  return text.split("\r\n").slice(1, -1).map((row) => row.split(",")[0]);
}

Deno.test({
  name:
    "SIGTERM while a finish waits for the lock ends the process at once, the run failed, its row left pending",
  ignore: Deno.build.os === "windows",
  async fn() {
    const baseDir = Deno.makeTempDirSync();
    const { waiter, finish, stopHolder } = await finishBehindStoppedHolder(baseDir, "60");
    try {
      const sentAt = performance.now();
      waiter.kill("SIGTERM");
      const timer = setTimeout(() => signalChild(waiter, "SIGKILL"), GIVE_UP_MS);
      const result = await finish();
      clearTimeout(timer);
      const exitMs = performance.now() - sentAt;
      assertEquals(result.code, 143, result.stderr);
      assert(exitMs < 2_000, `the process took ${exitMs} ms to exit`);
      const metadata = readMetadata(baseDir);
      assertEquals(metadata.status, "failed");
      assertEquals(metadata.failure_reason, "interrupted (SIGTERM)");
      const log = Deno.readTextFileSync(join(baseDir, RUN_DIR, "log.txt"));
      assertMatch(log, /ERROR Run failed: interrupted \(SIGTERM\)\n$/);
      // The lock is still held: no row, a note for the next writer.
      assertEquals(indexedRunIds(baseDir), []);
      assert(exists(join(baseDir, "locked", ".index.pending", "locked_omega_1")));
      await stopHolder();

      // The next run's finish records the pending row beside its own.
      const exp = new Experiment("locked", { baseDir });
      exp.add({ omega: 2 })!.markComplete();
      assertEquals(indexedRunIds(baseDir).sort(), ["locked_omega_1", "locked_omega_2"]);
      assert(!exists(join(baseDir, "locked", ".index.pending")), "the note is left");
      assertEquals((await exp.select({ omega: 1 })).getColumn("status").toArray(), ["failed"]);
    } finally {
      await stopHolder();
      Deno.removeSync(baseDir, { recursive: true });
    }
  },
});

Deno.test({
  name:
    "a finish whose lock wait times out records the run, throws the lock's error, and reindex adds its row",
  ignore: Deno.build.os === "windows",
  async fn() {
    const baseDir = Deno.makeTempDirSync();
    const { finish, stopHolder } = await finishBehindStoppedHolder(baseDir, "1");
    try {
      const result = await finish();
      assertEquals(result.code, 0, result.stderr);
      const error = JSON.parse(result.stdout.trim().split("\n").at(-1)!);
      assertEquals(error.name, "NotataError");
      assertMatch(error.message, /^Cannot lock ".*\.index\.lock": still held after 1 s/);
      assertEquals(readMetadata(baseDir).status, "complete");
      assertEquals(indexedRunIds(baseDir), []);
      await stopHolder();

      const exp = new Experiment("locked", { baseDir });
      assertEquals(exp.reindex(), 1);
      assertEquals(indexedRunIds(baseDir), ["locked_omega_1"]);
      assert(!exists(join(baseDir, "locked", ".index.pending")), "the note is left");
    } finally {
      await stopHolder();
      Deno.removeSync(baseDir, { recursive: true });
    }
  },
});

// The token a holder on another node leaves beside the lock file.
function plantToken(lock: string, owner: { [key: string]: unknown }): void {
  Deno.mkdirSync(join(lock, ".."), { recursive: true });
  Deno.writeTextFileSync(`${lock}.token`, JSON.stringify(owner));
}

Deno.test("a token held on another node keeps the lock taken, and the error names its holder", () => {
  const dir = Deno.makeTempDirSync();
  try {
    const lock = join(dir, ".index.lock");
    plantToken(lock, { pid: 4242, hostname: "node7", time: new Date().toISOString() });
    let ran = false;
    const result = tryWithFileLock(lock, () => ran = true, 100);
    assert(!ran);
    if (!("unavailable" in result)) throw new Error("the lock was taken");
    assertEquals(
      result.unavailable.message,
      `Cannot lock "${lock}": still held after 0.1 s (last taken by process 4242 on host "node7"), expected its holder to release it within ${LOCK_TIMEOUT_ENV} seconds (default 120); a stopped or hung process may hold it`,
    );
    assert(exists(`${lock}.token`));
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("a token older than the stale age, or whose holder on this host is gone, is broken", async () => {
  const dir = Deno.makeTempDirSync();
  try {
    const lock = join(dir, ".index.lock");
    const old = new Date(Date.now() - TOKEN_STALE_MS - 1_000).toISOString();
    plantToken(lock, { pid: 4242, hostname: "node7", time: old });
    assertEquals(withFileLock(lock, () => exists(`${lock}.token`)), true);
    // Released, and nothing left aside.
    assertEquals([...Deno.readDirSync(dir)].map((entry) => entry.name), [".index.lock"]);

    const child = new Deno.Command("true").spawn();
    await child.status;
    plantToken(lock, { pid: child.pid, hostname: Deno.hostname(), time: new Date().toISOString() });
    assertEquals(tryWithFileLock(lock, () => "taken", 100), { value: "taken" });
    assertEquals([...Deno.readDirSync(dir)].map((entry) => entry.name), [".index.lock"]);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
