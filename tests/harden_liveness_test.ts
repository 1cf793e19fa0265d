// Copyright 2026 the notata authors. MIT license.
// Liveness that tells the truth: the heartbeat decides, against pid reuse,
// other pid namespaces and clocks that run ahead.

import { assert, assertEquals } from "@std/assert";
import { join } from "@std/path";
import { Experiment, TemporaryExperiment } from "../mod.ts";
import { HEARTBEAT_STALE_MS } from "../src/_liveness.ts";
import { craftRun, type Owner } from "./_run.ts";
import { fixture, IMPORT_MAP, signalChild, waitForLine } from "./_subprocess.ts";

const HOUR = 3_600;
const YEAR = 365 * 24 * HOUR;

Deno.test("a run whose pid now belongs to a live unrelated process is crashed once its heartbeat is stale", async () => {
  using exp = new TemporaryExperiment("reuse");
  const stranger = new Deno.Command("sleep", { args: ["30"] }).spawn();
  try {
    const hostname = Deno.hostname();
    craftRun(exp, { n: 1 }, { hostname, pid: stranger.pid, startedAgo: 2 * HOUR, beatAgo: HOUR });
    craftRun(exp, { n: 2 }, { hostname, pid: stranger.pid, startedAgo: 2 * HOUR, beatAgo: 1 });
    assertEquals(exp.statusOf({ n: 1 }), "crashed");
    assertEquals(exp.statusOf({ n: 2 }), "initialized");
    // A sweep reruns the first rather than skipping it as running elsewhere.
    const log = exp.add({ n: 1 }, { skipExisting: true });
    assert(log !== null, "the crashed run was skipped");
    log!.markComplete();
  } finally {
    stranger.kill("SIGKILL");
    await stranger.status;
  }
});

Deno.test("timestamps from the future count only up to the staleness window ahead", () => {
  using exp = new TemporaryExperiment("skew");
  const far = "other-host.example";
  const cases: [Owner, string][] = [
    [{ hostname: far, pid: 1, startedAgo: -YEAR, beatAgo: -YEAR }, "crashed"],
    [{ hostname: far, pid: 1, startedAgo: HOUR, beatAgo: -YEAR }, "crashed"],
    [{ hostname: far, pid: 1, startedAgo: -YEAR }, "crashed"],
    [
      { hostname: far, pid: 1, startedAgo: HOUR, beatAgo: -HEARTBEAT_STALE_MS / 2_000 },
      "initialized",
    ],
  ];
  cases.forEach(([owner], n) => craftRun(exp, { n }, owner));
  cases.forEach(([owner, state], n) =>
    assertEquals(exp.statusOf({ n }), state, JSON.stringify(owner))
  );
});

// `unshare` needs root (CI runs as root); elsewhere the test says it skipped.
async function canUnshare(): Promise<boolean> {
  if (Deno.build.os !== "linux") return false;
  try {
    const probe = new Deno.Command("unshare", {
      args: ["--pid", "--fork", "--mount-proc", "true"],
      stderr: "null",
    });
    return (await probe.output()).success;
  } catch {
    return false;
  }
}

const UNSHARE = await canUnshare();

// The writer's pid inside its namespace: `sh` is 1, each `true` before takes
// the next, so the run's process gets BURN + 2, a pid this host lacks.
const BURN = 700;

Deno.test({
  name:
    "a live run in another pid namespace on the same host reads running while its heartbeat is fresh",
  ignore: !UNSHARE,
  async fn() {
    const baseDir = Deno.makeTempDirSync();
    const child = new Deno.Command("unshare", {
      args: [
        "--pid",
        "--fork",
        "--mount-proc",
        "--kill-child",
        "sh",
        "-c",
        `i=0; while [ $i -lt ${BURN} ]; do true; /bin/true; i=$((i+1)); done; "$@"`,
        "sh",
        Deno.execPath(),
        "run",
        "--no-prompt",
        `--import-map=${IMPORT_MAP}`,
        "--allow-all",
        fixture("interrupted_run.ts"),
        baseDir,
        "async",
      ],
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const { found, finish } = await waitForLine(child, "ready");
    try {
      assert(found, "the writer in its own pid namespace did not start");
      const exp = new Experiment("interrupted", { baseDir });
      const meta = JSON.parse(
        Deno.readTextFileSync(join(exp.runsDir, "log_interrupted_omega_1", "metadata.json")),
      );
      assertEquals(meta.hostname, Deno.hostname());
      assert(typeof meta.pid_namespace === "number", JSON.stringify(meta));
      assert(!existsPid(meta.pid), `pid ${meta.pid} is visible on this host too`);
      assertEquals(exp.statusOf({ omega: 1 }), "initialized");
      assertEquals(exp.add({ omega: 1 }, { skipExisting: true }), null);
    } finally {
      signalChild(child, "SIGKILL");
      await finish();
      Deno.removeSync(baseDir, { recursive: true });
    }
  },
});

function existsPid(pid: number): boolean {
  try {
    Deno.statSync(`/proc/${pid}`);
    return true;
  } catch {
    return false;
  }
}
