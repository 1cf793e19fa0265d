// Copyright 2026 the notata authors. MIT license.
// A stuck lock holder does not freeze everyone: waits for `.index.lock` are
// bounded and the error names the lock and its holder.

import { assert, assertEquals, assertMatch } from "@std/assert";
import { join } from "@std/path";
import { LOCK_TIMEOUT_ENV } from "../src/_lock.ts";
import {
  fixture,
  IMPORT_MAP,
  LOGGING_PERMISSIONS,
  spawnFixture,
  waitForLine,
} from "./_subprocess.ts";

// Longer than a bounded wait of 1 s takes, far shorter than an unbounded one.
const GIVE_UP_MS = 15_000;

// Starts a process that adds a run to experiment "locked" under `baseDir`,
// waiting at most `timeout` seconds for its lock; it prints the error it got.
function spawnWaiter(baseDir: string, timeout: string): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--no-prompt",
      `--import-map=${IMPORT_MAP}`,
      ...LOGGING_PERMISSIONS,
      `--allow-env=${LOCK_TIMEOUT_ENV}`,
      fixture("lock_failure.ts"),
      baseDir,
    ],
    env: { [LOCK_TIMEOUT_ENV]: timeout },
    stdout: "piped",
    stderr: "piped",
  }).spawn();
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
