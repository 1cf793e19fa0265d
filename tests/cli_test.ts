// Copyright 2026 the notata authors. MIT license.
// The `notata` command line, run as a user runs it (`deno run` of the "./cli"
// export in a fresh process), on a sweep with complete, failed, crashed
// (SIGKILLed) and running runs: what each command prints, as tables and as
// JSON, and its exit status.
import { assert, assertEquals, assertMatch, assertStringIncludes } from "@std/assert";
import { fromFileUrl, join } from "@std/path";
import denoJson from "../deno.json" with { type: "json" };
// A type import: `deno check tests/` then type-checks the command line too.
import type {} from "../src/cli/main.ts";
import {
  CLI_PERMISSIONS,
  type LiveSweep,
  liveSweep,
  notata,
  notataOk,
  parseTable,
  runIdOf,
  runSweepFixture,
  spawnNotata,
} from "./_cli.ts";
import { ignoredNote, PYTHON, pythonHas } from "./_python.ts";

const COMPLETE = [1, 2, 3].map(runIdOf);
const FAILED = runIdOf(4);
const RUNNING = runIdOf(5);
const CRASHED = runIdOf(6);

/** The lines of a table in `stdout`, from its header (the line starting with `first`). */
function tableLines(stdout: string, first: string, rows: number): string[] {
  const lines = stdout.split("\n");
  const start = lines.findIndex((line) => line.startsWith(first));
  assert(start >= 0, `no table starting with "${first}" in:\n${stdout}`);
  return lines.slice(start, start + 1 + rows);
}

async function withLiveSweep(fn: (sweep: LiveSweep) => Promise<void>): Promise<void> {
  const baseDir = Deno.makeTempDirSync({ prefix: "notata_cli_" });
  try {
    const sweep = await liveSweep(baseDir);
    try {
      await fn(sweep);
    } finally {
      await sweep.close();
    }
  } finally {
    Deno.removeSync(baseDir, { recursive: true });
  }
}

Deno.test("notata on a sweep with complete, failed, crashed and running runs", async (t) => {
  await withLiveSweep(async (sweep) => {
    const exp = sweep.dir;

    await t.step(
      "ls: a table of every run, varying params only, each with its status",
      async () => {
        const stdout = await notataOk(["ls", exp]);
        const lines = stdout.trimEnd().split("\n");
        assertEquals(lines[0], "the same in all 6 runs: seed=7");
        const { columns, rows } = parseTable(tableLines(stdout, "run_id", 6));
        assertEquals(columns, [
          "run_id",
          "omega",
          "status",
          "converged",
          "energy",
          "runtime_sec",
          "failure_reason",
        ]);
        const byId = Object.fromEntries(rows.map((row) => [row[0], row]));
        assertEquals(Object.keys(byId).sort(), [...COMPLETE, FAILED, RUNNING, CRASHED].sort());
        assertEquals(byId[runIdOf(2)].slice(1, 5), ["2", "complete", "true", "2"]);
        assertEquals(byId[FAILED].slice(1, 3), ["4", "failed"]);
        assertEquals(byId[FAILED].at(-1), "energy diverged");
        assertEquals(byId[CRASHED].slice(1, 5), ["6", "crashed", "", "18"]);
        assertEquals(byId[RUNNING], [RUNNING, "5", "running", "", "", "", ""]);
        assertEquals(lines.at(-1), "6 runs: 3 complete, 1 failed, 1 crashed, 1 running");
      },
    );

    await t.step("ls --json: every column, values typed", async () => {
      const runs = JSON.parse(await notataOk(["ls", exp, "--json"]));
      const byId = Object.fromEntries(runs.map((run: { run_id: string }) => [run.run_id, run]));
      assertEquals(byId[runIdOf(1)], {
        run_id: runIdOf(1),
        omega: 1,
        seed: 7,
        status: "complete",
        energy: 0.5,
        converged: true,
        runtime_sec: byId[runIdOf(1)].runtime_sec,
        failure_reason: null,
      });
      assert(typeof byId[runIdOf(1)].runtime_sec === "number");
      assertEquals(byId[FAILED].failure_reason, "energy diverged");
      assertEquals([byId[CRASHED].status, byId[CRASHED].energy], ["crashed", 18]);
      assertEquals([byId[RUNNING].status, byId[RUNNING].energy], ["running", null]);
    });

    await t.step("ls --status, --where, --sort --desc, --limit, --columns", async () => {
      const broken = JSON.parse(
        await notataOk(["ls", exp, "--json", "--status", "failed", "--status", "crashed"]),
      );
      assertEquals(broken.map((run: { run_id: string }) => run.run_id).sort(), [FAILED, CRASHED]);
      const running = JSON.parse(await notataOk(["ls", exp, "--json", "--status", "running"]));
      assertEquals(running.map((run: { run_id: string }) => run.run_id), [RUNNING]);
      // Typed: omega=2 matches the number 2, omega=2.0 too.
      for (const where of ["omega=2", "omega=2.0"]) {
        const rows = JSON.parse(await notataOk(["ls", exp, "--json", "--where", where]));
        assertEquals(rows.map((run: { run_id: string }) => run.run_id), [runIdOf(2)]);
      }
      const csv = await notataOk([
        "ls",
        exp,
        "--csv",
        "--where",
        "omega>1",
        "--where",
        "omega<6",
        "--sort",
        "energy",
        "--desc",
        "--limit",
        "3",
        "--columns",
        "run_id,energy",
      ]);
      // Omega 5 (running) has no energy yet: empty cells sort last either way.
      assertEquals(csv, `run_id,energy\n${runIdOf(3)},4.5\n${runIdOf(2)},2\n${FAILED},\n`);
      const converged = await notataOk([
        "ls",
        exp,
        "--where",
        "converged=true",
        "--columns",
        "run_id,omega",
      ]);
      assertEquals(parseTable(tableLines(converged, "run_id", 2)), {
        columns: ["run_id", "omega"],
        rows: [[runIdOf(1), "1"], [runIdOf(2), "2"]],
      });
      assertStringIncludes(converged, "2 of 6 runs: 2 complete");
      const all = await notataOk(["ls", exp, "--all-columns", "--where", "omega=1"]);
      assertEquals(parseTable(tableLines(all, "run_id", 1)).columns, [
        "run_id",
        "omega",
        "seed",
        "status",
        "converged",
        "energy",
        "runtime_sec",
        "failure_reason",
      ]);
    });

    await t.step("ls: a wide table fits the terminal width, cutting cells", async () => {
      const stdout = await notataOk(["ls", exp], {
        env: { COLUMNS: "60" },
        permissions: [...CLI_PERMISSIONS, "--allow-env=COLUMNS"],
      });
      // Without --allow-env it never asks: the table keeps whole cells.
      const whole = await notataOk(["ls", exp], { env: { COLUMNS: "60" } });
      assert(whole.split("\n").some((line) => line.length > 60));
      const table = tableLines(stdout, "run_id", 6);
      for (const line of table) assert(line.length <= 60, `${line.length} columns: ${line}`);
      assertStringIncludes(stdout, "…");
      assertEquals(table.length, 7, "one line per row, none wrapped");
    });

    await t.step("show: params, metadata, metrics, files, log tail", async () => {
      const text = await notataOk(["show", exp, FAILED]);
      assertStringIncludes(text, `run  ${FAILED}\n`);
      assertMatch(text, /\nparams\n {2}omega {2}4\n {2}seed {3}7\n/);
      assertMatch(text, /\n {2}status +failed\n/);
      assertMatch(text, /\n {2}failure_reason {2}energy diverged\n/);
      assertMatch(text, /\n {2}log\.txt +\d+ B\n/);
      assertMatch(text, /\n {2}\[[^\]]+\] INFO integrating omega=4\n/);

      const json = JSON.parse(
        await notataOk(["show", join(exp, "runs", `log_${CRASHED}`), "--json"]),
      );
      assertEquals(Object.keys(json), ["params", "metadata", "metrics", "files", "log_tail"]);
      assertEquals(json.params, { omega: 6, seed: 7 });
      assertEquals(json.metadata.status, "crashed");
      assertEquals(json.metadata.hostname, Deno.hostname());
      assertEquals(json.metrics, { energy: 18 });
      const files = json.files.map((file: { path: string }) => file.path);
      for (const file of ["artifacts/metrics.json", "log.txt", "metadata.json", "params.json"]) {
        assert(files.includes(file), `${file} in ${files}`);
      }
      assert(json.files.every((file: { size: number }) => file.size > 0));
      assertMatch(json.log_tail.at(-1), /INFO integrating omega=6$/);

      const running = JSON.parse(await notataOk(["show", exp, RUNNING, "--json", "-n", "1"]));
      assertEquals(running.metadata.status, "running");
      assertEquals(running.log_tail.length, 1);
    });

    await t.step("diff: only what differs, side by side and as JSON", async () => {
      const json = JSON.parse(await notataOk(["diff", exp, runIdOf(1), FAILED, "--json"]));
      assertEquals(json.params, { omega: [1, 4] });
      assertEquals(json.metrics, { energy: [0.5, null], converged: [true, null] });
      assertEquals(json.metadata.status, ["complete", "failed"]);
      assertEquals(json.metadata.failure_reason, [null, "energy diverged"]);
      assert(!("seed" in json.params) && !("hostname" in json.metadata));
      const text = await notataOk([
        "diff",
        join(exp, "runs", `log_${runIdOf(1)}`),
        join(exp, "runs", `log_${runIdOf(2)}`),
      ]);
      const { columns, rows } = parseTable(tableLines(text, " ", 6));
      assertEquals(columns, ["", runIdOf(1), runIdOf(2)]);
      assertEquals(rows.slice(0, 5), [
        ["params", "", ""],
        ["omega", "1", "2"],
        ["metrics", "", ""],
        ["energy", "0.5", "2"],
        ["metadata", "", ""],
      ]);
    });

    await t.step("status: counts by status and host, newest failures, throughput", async () => {
      const json = JSON.parse(await notataOk(["status", exp, "--json"]));
      assertEquals(
        [json.total, json.complete, json.failed, json.crashed, json.running],
        [6, 3, 1, 1, 1],
      );
      assertEquals(Object.keys(json.hosts), [Deno.hostname()]);
      assertEquals(json.hosts[Deno.hostname()].crashed, 1);
      assertEquals(json.failures.map((failure: { run_id: string }) => failure.run_id).sort(), [
        FAILED,
        CRASHED,
      ]);
      assertEquals(json.throughput.finished, 4);
      const text = await notataOk(["status", exp]);
      assertMatch(
        text,
        /\n {2}complete {2}3\n {2}failed {4}1\n {2}crashed {3}1\n {2}running {3}1\n/,
      );
      assertStringIncludes(text, "energy diverged");
      assertMatch(text, /throughput: 4 runs finished in the last 10 min/);
    });

    await t.step("tail: the end of the log; -f follows it until the run ends", async () => {
      assertMatch(
        await notataOk(["tail", exp, RUNNING]),
        /^\[[^\]]+\] INFO Run started\n\[[^\]]+\] INFO step 1\n$/,
      );
      const child = spawnNotata(["tail", "-f", exp, RUNNING, "-n", "1"]);
      const reader = child.stdout.getReader();
      let stdout = "";
      while (!stdout.includes("INFO step 1\n")) {
        const { value, done } = await reader.read();
        if (done) break;
        stdout += new TextDecoder().decode(value);
      }
      await sweep.tell("log step 2");
      await sweep.tell("finish");
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        stdout += new TextDecoder().decode(value);
      }
      const [status, stderr] = await Promise.all([child.status, new Response(child.stderr).text()]);
      assertEquals([status.code, stderr], [0, ""]);
      const lines = stdout.trimEnd().split("\n").map((line) => line.replace(/^\[[^\]]+\] /, ""));
      assertEquals(lines.slice(0, 2), ["INFO step 1", "INFO step 2"]);
      assertEquals(lines.at(-1), "INFO Run complete in " + lines.at(-1)!.split(" in ")[1]);
      await sweep.close();
      const after = JSON.parse(await notataOk(["ls", exp, "--json", "--where", "omega=5"]));
      assertEquals(after[0].status, "complete");
    });
  });
});

Deno.test("notata --version prints the version of deno.json; --help lists every command", async () => {
  assertEquals(await notataOk(["--version"]), `notata ${denoJson.version}\n`);
  const help = await notataOk(["--help"]);
  for (const command of ["ls", "show", "diff", "status", "tail", "gc", "report", "reindex"]) {
    assertMatch(help, new RegExp(`\\n {2}${command} `));
    const own = await notataOk([command, "--help"]);
    assertMatch(own, new RegExp(`^notata ${command} `));
  }
  const bare = await notata([]);
  assertEquals([bare.code, bare.stdout], [2, ""]);
  assertStringIncludes(bare.stderr, "Commands");
});

Deno.test("notata status --watch redraws as another process adds runs, until SIGINT", async () => {
  const baseDir = Deno.makeTempDirSync({ prefix: "notata_cli_" });
  try {
    await runSweepFixture(baseDir, "finished");
    const child = spawnNotata(["status", join(baseDir, "sweep"), "--watch", "--interval", "0.2"]);
    const reader = child.stdout.getReader();
    let stdout = "";
    const readUntil = async (text: string) => {
      while (!stdout.includes(text)) {
        const { value, done } = await reader.read();
        if (done) break;
        stdout += new TextDecoder().decode(value);
      }
    };
    await readUntil(": 4 runs\n");
    await runSweepFixture(baseDir, "writer", "3");
    await readUntil(": 7 runs\n");
    child.kill("SIGINT");
    await readUntil("\u0000"); // to the end of the output
    const [status, stderr] = await Promise.all([child.status, new Response(child.stderr).text()]);
    assertEquals([status.code, stderr], [0, ""]);
    assertMatch(stdout, /: 4 runs\n[^]*\(every 0\.2 s; Ctrl-C to stop\)\n[^]*: 7 runs\n/);
  } finally {
    Deno.removeSync(baseDir, { recursive: true });
  }
});

Deno.test("notata on the demo's output: ls, show, diff, status, tail, reindex, gc", async () => {
  const baseDir = Deno.makeTempDirSync({ prefix: "notata_cli_" });
  try {
    const demo = await new Deno.Command(Deno.execPath(), {
      args: ["task", "-q", "demo", baseDir],
      cwd: fromFileUrl(new URL("../", import.meta.url)),
      stdout: "null",
      stderr: "piped",
    }).output();
    assertEquals(demo.code, 0, new TextDecoder().decode(demo.stderr));
    const exp = join(baseDir, "oscillator_sweep");
    const id = (omega: number, dt: number) =>
      `oscillator_sweep_dt_${dt}_omega_${omega}_steps_10000`;
    const listing = await notataOk(["ls", exp, "--sort", "energy_drift"]);
    assertEquals(listing.split("\n")[0], "the same in all 4 runs: steps=10000");
    const { columns, rows } = parseTable(tableLines(listing, "run_id", 4));
    assertEquals(columns, [
      "run_id",
      "dt",
      "omega",
      "status",
      "energy_drift",
      "final_energy",
      "runtime_sec",
    ]);
    assertEquals(rows.map((row) => row[0]), [
      id(1, 0.001),
      id(1, 0.002),
      id(2, 0.001),
      id(2, 0.002),
    ]);
    assert(rows.every((row) => row[3] === "complete"));

    const show = JSON.parse(await notataOk(["show", exp, id(2, 0.001), "--json"]));
    assertEquals(show.params, { omega: 2, dt: 0.001, steps: 10000 });
    assertEquals(show.log_tail.length, 3);
    const diff = JSON.parse(await notataOk(["diff", exp, id(1, 0.001), id(1, 0.002), "--json"]));
    assertEquals(diff.params, { dt: [0.001, 0.002] });
    const status = JSON.parse(await notataOk(["status", exp, "--json"]));
    assertEquals([status.total, status.complete, status.failed], [4, 4, 0]);
    assertMatch(
      await notataOk(["tail", join(exp, "runs", `log_${id(1, 0.001)}`)]),
      /INFO Run complete in/,
    );
    assertEquals(await notataOk(["reindex", exp]), "index.csv: 4 rows\n");
    assertEquals(await notataOk(["gc", exp, "--failed", "--yes"]), `no failed runs in ${exp}\n`);
  } finally {
    Deno.removeSync(baseDir, { recursive: true });
  }
});

const NOTATA_PY = fromFileUrl(new URL("../../shared/notata-py", import.meta.url));
const hasNotataPy = (() => {
  try {
    return Deno.statSync(`${NOTATA_PY}/notata`).isDirectory && pythonHas("numpy", "yaml");
  } catch {
    return false;
  }
})();

Deno.test({
  name: `notata reads an experiment the Python notata wrote (no schema, params.yaml)${
    ignoredNote(hasNotataPy, "numpy, PyYAML and ../shared/notata-py")
  }`,
  ignore: !hasNotataPy,
  fn: async () => {
    const baseDir = Deno.makeTempDirSync({ prefix: "notata_cli_" });
    try {
      const { code, stderr } = await new Deno.Command(PYTHON, {
        args: [
          "-c",
          `import sys
from notata import Experiment
exp = Experiment("pysweep", base_dir=sys.argv[1])
for omega in [1.0, 2.0]:
    with exp.add(omega=omega, dt=0.1) as log:
        log.json("metrics", {"energy": omega / 2})`,
          baseDir,
        ],
        env: { PYTHONPATH: NOTATA_PY },
        stdout: "null",
        stderr: "piped",
      }).output();
      assertEquals(code, 0, new TextDecoder().decode(stderr));
      const exp = join(baseDir, "pysweep");
      const runs = JSON.parse(await notataOk(["ls", exp, "--json", "--where", "omega=2"]));
      assertEquals(runs, [
        { run_id: "pysweep_dt_0.1_omega_2", dt: 0.1, omega: 2, status: "complete", energy: 1 },
      ]);
      const table = await notataOk(["ls", exp]);
      assertEquals(table.split("\n")[0], "the same in all 2 runs: dt=0.1");
      const show = JSON.parse(await notataOk(["show", exp, "pysweep_dt_0.1_omega_1", "--json"]));
      assertEquals([show.params, show.metrics, show.metadata.status], [
        { dt: 0.1, omega: 1 },
        { energy: 0.5 },
        "complete",
      ]);
      assert(show.files.some((file: { path: string }) => file.path === "params.yaml"));
    } finally {
      Deno.removeSync(baseDir, { recursive: true });
    }
  },
});
