// Copyright 2026 the notata authors. MIT license.
// Running the `notata` command line as a user does: `deno run` of the
// module deno.json exports as "./cli", with the permission flags the README
// gives, in a fresh process; and the sweep the CLI tests look at.

import { assert, assertEquals, assertStringIncludes } from "@std/assert";
import { fromFileUrl, join } from "@std/path";
import denoJson from "../deno.json" with { type: "json" };
import { fixture, IMPORT_MAP, signalChild, waitForLine } from "./_subprocess.ts";

const root = fromFileUrl(new URL("../", import.meta.url));

/** The flags the README's install line gives `notata`. */
export const CLI_PERMISSIONS: readonly string[] = [
  "--allow-read",
  "--allow-write",
  "--allow-ffi",
  "--allow-sys=cpus,hostname,networkInterfaces",
];

/** The CLI module, as deno.json exports it. */
export const CLI_MODULE: string = join(root, denoJson.exports["./cli"]);

/** What one `notata` process printed, and how it exited. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** How to start `notata`. */
export interface CliOptions {
  /** Extra environment variables (NO_COLOR is always set). */
  env?: Record<string, string>;
  /** Permission flags; default {@linkcode CLI_PERMISSIONS}. */
  permissions?: readonly string[];
}

function command(args: readonly string[], options: CliOptions, piped: boolean): Deno.Command {
  return new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--no-prompt",
      `--import-map=${IMPORT_MAP}`,
      ...options.permissions ?? CLI_PERMISSIONS,
      CLI_MODULE,
      ...args,
    ],
    env: { NO_COLOR: "1", ...options.env },
    stdin: "null",
    stdout: "piped",
    stderr: piped ? "piped" : "inherit",
  });
}

/** Runs `notata <args>` to its end. */
export async function notata(
  args: readonly string[],
  options: CliOptions = {},
): Promise<CliResult> {
  const output = await command(args, options, true).output();
  const decoder = new TextDecoder();
  return {
    code: output.code,
    stdout: decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr),
  };
}

/** Starts `notata <args>` and leaves it running; stdout and stderr are piped. */
export function spawnNotata(args: readonly string[], options: CliOptions = {}): Deno.ChildProcess {
  return command(args, options, true).spawn();
}

/** Runs `notata <args>`, asserts exit status 0 and an empty stderr, and returns stdout. */
export async function notataOk(args: readonly string[], options: CliOptions = {}): Promise<string> {
  const result = await notata(args, options);
  assertEquals(result.code, 0, `notata ${args.join(" ")}: ${result.stderr}`);
  assertEquals(result.stderr, "");
  return result.stdout;
}

/**
 * A table as printed: the header's column names and each row's cells. Columns
 * are told apart by the runs of two or more positions blank on every line,
 * so empty cells stay in their place.
 */
export function parseTable(lines: string[]): { columns: string[]; rows: string[][] } {
  const width = Math.max(...lines.map((line) => line.length));
  const blank = [...Array(width).keys()].map((i) =>
    lines.every((line) => (line[i] ?? " ") === " ")
  );
  // A separator: a position blank on every line, next to another such position.
  const separator = blank.map((isBlank, i) => isBlank && (blank[i - 1] || (blank[i + 1] ?? true)));
  const spans: [number, number][] = [];
  for (let i = 0; i < width; i++) {
    if (separator[i]) continue;
    let end = i;
    while (end < width && !separator[end]) end++;
    spans.push([i, end]);
    i = end;
  }
  const cells = (line: string) => spans.map(([from, to]) => line.slice(from, to).trim());
  const [header, ...rows] = lines;
  return { columns: cells(header), rows: rows.map(cells) };
}

function sweepCommand(
  baseDir: string,
  args: readonly string[],
  io: { stdin: "piped" | "null"; stdout: "piped" | "null" },
): Deno.Command {
  return new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--no-prompt",
      `--import-map=${IMPORT_MAP}`,
      "--allow-read",
      "--allow-write",
      "--allow-sys=hostname",
      fixture("cli_sweep.ts"),
      baseDir,
      ...args,
    ],
    env: { NO_COLOR: "1" },
    ...io,
    stderr: "piped",
  });
}

/** Starts tests/fixtures/cli_sweep.ts with `args`; stdout piped. */
export function spawnSweepFixture(
  baseDir: string,
  args: readonly string[],
  stdin: "piped" | "null" = "null",
): Deno.ChildProcess {
  return sweepCommand(baseDir, args, { stdin, stdout: "piped" }).spawn();
}

/** Runs tests/fixtures/cli_sweep.ts with `args` to its end and asserts it succeeded. */
export async function runSweepFixture(baseDir: string, ...args: string[]): Promise<void> {
  const { code, stderr } = await sweepCommand(baseDir, args, { stdin: "null", stdout: "null" })
    .output();
  assertEquals(code, 0, new TextDecoder().decode(stderr));
}

/** Run ids of experiment "sweep": `sweep_omega_<omega>_seed_7`. */
export function runIdOf(omega: number): string {
  return `sweep_omega_${omega}_seed_7`;
}

/** A sweep with runs in every state, and the process that keeps one running. */
export interface LiveSweep {
  /** The experiment directory. */
  dir: string;
  /** Sends the open run's process one command line: "log <text>" or "finish". */
  tell(line: string): Promise<void>;
  /** Finishes the open run (if not yet) and waits for its process. */
  close(): Promise<void>;
}

/**
 * Makes the run in `runDir`, whose process died, look as it does a few
 * minutes later: its start and last heartbeat two minutes back. Without
 * --allow-all a process may not look in /proc (Deno's rule), so the CLI
 * under its narrow flags tells a dead run on its own host by the stopped
 * heartbeat, after a minute.
 */
export function ageDeadRun(runDir: string): void {
  const past = new Date(Date.now() - 120_000).toISOString();
  const metadataPath = join(runDir, "metadata.json");
  const metadata = JSON.parse(Deno.readTextFileSync(metadataPath));
  assertEquals(metadata.status, "initialized");
  Deno.writeTextFileSync(metadataPath, JSON.stringify({ ...metadata, start_time: past }, null, 2));
  Deno.writeTextFileSync(join(runDir, "heartbeat"), past);
}

/**
 * Builds experiment "sweep" under `baseDir`: omega 1-3 complete, 4 failed,
 * 6 crashed (its process killed with SIGKILL, then aged by
 * {@linkcode ageDeadRun}), 5 running (in a live process until `close()`).
 */
export async function liveSweep(baseDir: string): Promise<LiveSweep> {
  await runSweepFixture(baseDir, "finished");
  const crash = spawnSweepFixture(baseDir, ["crash"]);
  const crashed = await waitForLine(crash, "ready");
  if (crashed.found) signalChild(crash, "SIGKILL");
  const crashResult = await crashed.finish();
  assert(crashed.found, crashResult.stderr);
  assertEquals(crashResult.signal, "SIGKILL");
  // With --allow-all, notata sees at once that the process is gone.
  const killed = await notataOk([
    "ls",
    join(baseDir, "sweep"),
    "--csv",
    "--columns",
    "omega,status",
  ], {
    permissions: ["--allow-all"],
  });
  assertStringIncludes(killed, "\n6,crashed\n");
  ageDeadRun(join(baseDir, "sweep", "runs", `log_${runIdOf(6)}`));

  const open = spawnSweepFixture(baseDir, ["open"], "piped");
  const writer = open.stdin.getWriter();
  const opened = await waitForLine(open, "ready");
  let closing: Promise<void> | undefined;
  const close = () =>
    closing ??= (async () => {
      await writer.write(new TextEncoder().encode("finish\n")).catch(() => {});
      await writer.close().catch(() => {});
      const result = await opened.finish();
      assertEquals(result.code, 0, result.stderr);
    })();
  if (!opened.found) {
    await close();
    throw new Error("the open run's process did not say ready");
  }
  return {
    dir: join(baseDir, "sweep"),
    tell: (line) => writer.write(new TextEncoder().encode(`${line}\n`)),
    close,
  };
}

/** Every file under `dir` with its size and content, to show that a command changed nothing. */
export function snapshot(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (path: string, prefix: string): void => {
    for (const entry of Deno.readDirSync(path)) {
      const child = join(path, entry.name);
      if (entry.isDirectory) walk(child, `${prefix}${entry.name}/`);
      else if (entry.name !== "heartbeat") {
        files[prefix + entry.name] = Deno.readTextFileSync(child);
      }
    }
  };
  walk(dir, "");
  return files;
}
