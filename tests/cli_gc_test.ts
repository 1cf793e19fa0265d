// Copyright 2026 the notata authors. MIT license.
// `notata gc` and `notata reindex`, which change an experiment, and every kind
// of bad input, which must change nothing: exit status 2, one line on stderr.
import { assert, assertEquals, assertMatch, assertStringIncludes } from "@std/assert";
import { join } from "@std/path";
import { ExperimentReader } from "../mod.ts";
import {
  CLI_MODULE,
  CLI_PERMISSIONS,
  liveSweep,
  notata,
  notataOk,
  parseTable,
  runIdOf,
  runSweepFixture,
  snapshot,
  spawnSweepFixture,
} from "./_cli.ts";
import { IMPORT_MAP, waitForLine } from "./_subprocess.ts";

function tempDir(): string {
  return Deno.makeTempDirSync({ prefix: "notata_cli_" });
}

Deno.test("bad input exits 2 with one line on stderr and changes nothing", async () => {
  const baseDir = tempDir();
  try {
    await runSweepFixture(baseDir, "finished");
    const exp = join(baseDir, "sweep");
    const index = join(exp, "index.csv");
    const before = snapshot(baseDir);
    const cases: [string[], RegExp][] = [
      [
        ["ls", join(baseDir, "missing")],
        /^Cannot list runs: ".*missing" does not exist, expected an experiment directory/,
      ],
      [["ls", index], /^Cannot list runs: ".*index\.csv" is a file, not a directory/],
      [["ls", baseDir], /^Cannot list runs: ".*" is not an experiment directory, expected/],
      [
        ["ls", join(exp, "runs", `log_${runIdOf(1)}`)],
        /is not an experiment directory \(it is a run directory\)/,
      ],
      [["ls", exp, "--bogus"], /^Cannot list runs: unknown option "--bogus"/],
      [
        ["ls", exp, "--where", "omega"],
        /^Cannot list runs: --where "omega" is not a condition, expected KEY=VALUE/,
      ],
      [["ls", exp, "--where", "=2"], /^Cannot list runs: --where "=2" is not a condition/],
      [
        ["ls", exp, "--where", "omega>abc"],
        /compares the number column "omega" with "abc", expected a number/,
      ],
      [
        ["ls", exp, "--where", "nope=1"],
        /--where names column "nope", which the index does not have, expected one of run_id, omega/,
      ],
      [["ls", exp, "--sort", "nope"], /--sort names column "nope"/],
      [
        ["ls", exp, "--status", "done"],
        /--status "done" is not a run status, expected one of complete, failed, crashed, running/,
      ],
      [["ls", exp, "--limit=-3"], /--limit "-3" is not a count/],
      [["ls", exp, "--limit", "-3"], /unknown option "-3"/],
      [["ls", exp, "--json", "--csv"], /--json and --csv exclude each other/],
      [["ls"], /^Cannot list runs: expected one experiment directory/],
      [
        ["show", join(baseDir, "missing")],
        /^Cannot show run: ".*missing" does not exist, expected a run directory/,
      ],
      [["show", index], /^Cannot show run: ".*index\.csv" is a file, not a directory/],
      [["show", exp], /is not a run directory \(it is an experiment directory: add a run id\)/],
      [
        ["show", exp, "nope"],
        /^Cannot show run: experiment ".*" has no run "nope", expected a run id such as "sweep_/,
      ],
      [
        ["diff", exp, runIdOf(1), "nope"],
        /^Cannot compare runs: experiment ".*" has no run "nope"/,
      ],
      [["diff", exp], /^Cannot compare runs: expected RUN_A RUN_B, or EXP RUN_ID_A RUN_ID_B/],
      [["tail", exp, "nope"], /^Cannot read log: experiment ".*" has no run "nope"/],
      [["tail", exp, runIdOf(1), "-n", "x"], /--lines "x" is not a count/],
      [["status", index], /^Cannot report status: ".*index\.csv" is a file/],
      [["status", exp, "--interval", "0", "--watch"], /--interval "0" is not a number of seconds/],
      [
        ["gc", exp],
        /^Cannot delete runs: no runs selected, expected --failed, --crashed or --status S/,
      ],
      [["gc", exp, "--status", "running"], /never deletes; expected failed, crashed or complete/],
      [
        ["gc", exp, "--failed"],
        /stdin is not a terminal to confirm deleting 1 run of .*, expected --yes to delete them or --dry-run/,
      ],
      [
        ["gc", exp, "--failed", "--everything"],
        /^Cannot delete runs: unknown option "--everything"/,
      ],
      [
        ["gc", join(baseDir, "missing"), "--failed", "--yes"],
        /^Cannot delete runs: ".*missing" does not exist/,
      ],
      [["reindex", join(baseDir, "missing")], /^Cannot rebuild index: ".*missing" does not exist/],
      [
        ["frobnicate"],
        /^Cannot run "frobnicate": unknown command, expected one of ls, show, diff, status, tail, gc, report, reindex/,
      ],
      [["--frobnicate"], /^Cannot run "--frobnicate": unknown option/],
    ];
    for (const [args, message] of cases) {
      const { code, stdout, stderr } = await notata(args);
      const what = `notata ${args.join(" ")}`;
      assertEquals(code, 2, `${what}: ${stderr}`);
      assertEquals(stdout, "", what);
      assertEquals(stderr.split("\n").length, 2, `${what}: one line, no stack trace: ${stderr}`);
      assert(stderr.startsWith("notata: "), `${what}: ${stderr}`);
      assertMatch(stderr.slice("notata: ".length), message, what);
    }
    assertEquals(snapshot(baseDir), before);
  } finally {
    Deno.removeSync(baseDir, { recursive: true });
  }
});

Deno.test("notata gc deletes failed and crashed runs and their rows; never a running run", async () => {
  const baseDir = tempDir();
  try {
    const sweep = await liveSweep(baseDir);
    try {
      const exp = sweep.dir;
      const runDir = (omega: number) => join(exp, "runs", `log_${runIdOf(omega)}`);
      const before = snapshot(baseDir);
      const dry = await notataOk(["gc", exp, "--failed", "--crashed", "--dry-run"]);
      const lines = dry.trimEnd().split("\n");
      const { columns, rows } = parseTable(lines.slice(0, 3));
      assertEquals(columns, ["run_id", "status", "failure_reason"]);
      assertEquals(rows.sort(), [
        [runIdOf(4), "failed", "energy diverged"],
        [runIdOf(6), "crashed", ""],
      ]);
      assertEquals(lines.at(-1), "would delete 2 runs (dry run: nothing deleted)");
      assertEquals(snapshot(baseDir), before);

      const done = await notataOk(["gc", exp, "--failed", "--status", "crashed", "--yes"]);
      assertEquals(done, "deleted 2 runs; index.csv has 3 rows\n");
      for (const omega of [4, 6]) assert(!exists(runDir(omega)), `run omega=${omega} deleted`);
      const after = snapshot(baseDir);
      const running = `sweep/runs/log_${runIdOf(5)}/`;
      for (const [file, content] of Object.entries(before)) {
        if (file.startsWith(running)) assertEquals(after[file], content, `${file} untouched`);
      }
      const ids = new ExperimentReader(exp).index().map((row) => row.run_id);
      assertEquals(ids, [1, 2, 3].map(runIdOf));

      const nothing = await notataOk(["gc", exp, "--crashed", "--yes"]);
      assertEquals(nothing, `no crashed runs in ${exp}\n`);
      await sweep.close();
      const final = JSON.parse(await notataOk(["ls", exp, "--json"]));
      assertEquals(
        final.map((run: { run_id: string; status: string }) => [run.run_id, run.status]),
        [...[1, 2, 3].map((omega) => [runIdOf(omega), "complete"]), [runIdOf(5), "complete"]],
      );
    } finally {
      await sweep.close();
    }
  } finally {
    Deno.removeSync(baseDir, { recursive: true });
  }
});

function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}

Deno.test("notata gc while another process keeps adding runs: every run once in the index, no complete run lost", async () => {
  const baseDir = tempDir();
  const count = 240;
  try {
    const writer = spawnSweepFixture(baseDir, ["writer", String(count)]);
    const { found, finish } = await waitForLine(writer, "ready");
    const exp = join(baseDir, "sweep");
    let deleted = 0;
    try {
      assert(found, "the writer started");
      for (let round = 0; round < 3; round++) {
        const stdout = await notataOk(["gc", exp, "--failed", "--yes"]);
        deleted += Number(/^deleted (\d+) run/.exec(stdout)?.[1] ?? 0);
      }
    } finally {
      const result = await finish();
      assertEquals(result.code, 0, result.stderr);
    }
    assert(deleted > 0, "gc deleted failed runs while the writer ran");
    const reader = new ExperimentReader(exp);
    const ids = reader.index().map((row) => String(row.run_id));
    assertEquals(new Set(ids).size, ids.length, "no run twice in the index");
    assertEquals(
      [...ids].sort(),
      reader.runIds,
      "a row for every run directory, none for a deleted one",
    );
    const complete = [...Array(count).keys()].filter((i) => i % 3 !== 2).map((i) => `sweep_i_${i}`);
    for (const id of complete) assert(ids.includes(id), `complete run ${id} kept`);
    assertEquals(ids.length, complete.length + (count / 3 - deleted));
  } finally {
    Deno.removeSync(baseDir, { recursive: true });
  }
});

Deno.test("notata reindex rebuilds index.csv and prints its row count", async () => {
  const baseDir = tempDir();
  try {
    await runSweepFixture(baseDir, "finished");
    const exp = join(baseDir, "sweep");
    const index = Deno.readTextFileSync(join(exp, "index.csv"));
    Deno.removeSync(join(exp, "index.csv"));
    assertEquals(await notataOk(["reindex", exp]), "index.csv: 4 rows\n");
    assertEquals(Deno.readTextFileSync(join(exp, "index.csv")), index);
    assertStringIncludes(await notataOk(["ls", exp]), "4 runs: 3 complete, 1 failed");
  } finally {
    Deno.removeSync(baseDir, { recursive: true });
  }
});

/** `notata <args>` on a pseudo-terminal (script(1)), with `input` typed at it. */
async function onTerminal(
  args: string[],
  input: string,
  env: Record<string, string> = {},
): Promise<{ code: number; output: string }> {
  const quote = (arg: string) => `'${arg.replaceAll("'", `'\\''`)}'`;
  const line = [
    Deno.execPath(),
    "run",
    "--no-prompt",
    `--import-map=${IMPORT_MAP}`,
    ...CLI_PERMISSIONS,
    CLI_MODULE,
    ...args,
  ].map(quote).join(" ");
  const child = new Deno.Command("script", {
    args: ["-qec", line, "/dev/null"],
    clearEnv: true,
    env: { HOME: Deno.env.get("HOME") ?? "/root", PATH: Deno.env.get("PATH") ?? "", ...env },
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(input));
  await writer.close();
  const { code, stdout } = await child.output();
  return { code, output: new TextDecoder().decode(stdout) };
}

const hasScript =
  new Deno.Command("script", { args: ["--version"], stdout: "null", stderr: "null" })
    .outputSync().success;

Deno.test({
  name: "on a terminal: colours unless NO_COLOR is set; gc asks and deletes only on y",
  ignore: !hasScript,
  fn: async () => {
    const baseDir = tempDir();
    try {
      await runSweepFixture(baseDir, "finished");
      const exp = join(baseDir, "sweep");
      const colored = await onTerminal(["ls", exp], "");
      assertEquals(colored.code, 0, colored.output);
      // Green complete, red failed: the ANSI codes @std/fmt/colors writes.
      const esc = "\x1b";
      assertMatch(colored.output, new RegExp(`${esc}\\[32mcomplete *${esc}\\[39m`));
      assertMatch(colored.output, new RegExp(`${esc}\\[31mfailed *${esc}\\[39m`));
      const plain = await onTerminal(["ls", exp], "", { NO_COLOR: "1" });
      assertEquals(plain.code, 0, plain.output);
      assert(!plain.output.includes("\x1b["), plain.output);

      const before = snapshot(baseDir);
      const no = await onTerminal(["gc", exp, "--failed"], "n\n", { NO_COLOR: "1" });
      assertEquals(no.code, 2, no.output);
      assertStringIncludes(no.output, "Delete this run? [y/N]");
      assertStringIncludes(no.output, "notata: Cannot delete runs: not confirmed, nothing deleted");
      assertEquals(snapshot(baseDir), before);
      const yes = await onTerminal(["gc", exp, "--failed"], "y\n", { NO_COLOR: "1" });
      assertEquals(yes.code, 0, yes.output);
      assertStringIncludes(yes.output, "deleted 1 run; index.csv has 3 rows");
    } finally {
      Deno.removeSync(baseDir, { recursive: true });
    }
  },
});
