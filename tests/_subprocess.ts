// Copyright 2026 the notata authors. MIT license.
// Running the scripts in tests/fixtures/ as real processes, with the
// npm-backed import map every deno command here needs, and a scratch
// directory on tmpfs where there is one (many small files, many processes);
// and reading what they leave on disk.

import { fromFileUrl } from "@std/path";
import { parseJson } from "../src/_json.ts";

/** The import map every `deno` command in this repository must pass. */
export const IMPORT_MAP: string = fromFileUrl(new URL("../import_map.npm.json", import.meta.url));

/** Logging needs these; `--allow-sys=hostname` lets runs record their host. */
export const LOGGING_PERMISSIONS: readonly string[] = [
  "--allow-read",
  "--allow-write",
  "--allow-sys=hostname",
];

/** The path of `tests/fixtures/<name>`. */
export function fixture(name: string): string {
  return fromFileUrl(new URL(`./fixtures/${name}`, import.meta.url));
}

/**
 * A fresh directory, on /dev/shm when it exists (faster for many small
 * files). Deno grants paths under /dev only to --allow-all: start fixtures
 * that write here with {@linkcode scratchPermissions}.
 */
export function scratchDir(): string {
  let onShm = false;
  try {
    onShm = Deno.statSync("/dev/shm").isDirectory;
  } catch {
    // No /dev/shm (macOS, Windows): the system temporary directory.
  }
  return Deno.makeTempDirSync({ dir: onShm ? "/dev/shm" : undefined, prefix: "notata_" });
}

/** The permissions a fixture needs to log into `dir`. */
export function scratchPermissions(dir: string): readonly string[] {
  return dir.startsWith("/dev/") ? ["--allow-all"] : LOGGING_PERMISSIONS;
}

/** How to start a fixture. */
export interface FixtureOptions {
  /** Permission flags; default {@linkcode LOGGING_PERMISSIONS}. */
  permissions?: readonly string[];
  /** Whether to pipe stdout (for {@linkcode readLine}); default piped. */
  stdout?: "piped" | "null";
  /** Environment variables beside `NO_COLOR=1`. */
  env?: Record<string, string>;
}

/** Starts `deno run` on the fixture `name` with `args`; stderr is piped. */
export function spawnFixture(
  name: string,
  args: readonly string[],
  options: FixtureOptions = {},
): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--no-prompt",
      `--import-map=${IMPORT_MAP}`,
      ...(options.permissions ?? LOGGING_PERMISSIONS),
      fixture(name),
      ...args,
    ],
    env: { NO_COLOR: "1", ...options.env },
    stdin: "null",
    stdout: options.stdout ?? "piped",
    stderr: "piped",
  }).spawn();
}

/** What a finished fixture process left. */
export interface FixtureResult {
  code: number;
  signal: Deno.Signal | null;
  stdout: string;
  stderr: string;
}

/** Runs the fixture `name` to its end. */
export async function runFixture(
  name: string,
  args: readonly string[],
  options: FixtureOptions = {},
): Promise<FixtureResult> {
  const output = await spawnFixture(name, args, options).output();
  const decoder = new TextDecoder();
  return {
    code: output.code,
    signal: output.signal,
    stdout: options.stdout === "null" ? "" : decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr),
  };
}

/**
 * Reads `child`'s stdout up to the first line equal to `line`, and returns
 * a reader of the rest and a way to finish: `finish()` drains stdout and
 * stderr and awaits the exit (call it whatever happens, or the test leaks).
 */
export async function waitForLine(
  child: Deno.ChildProcess,
  line: string,
): Promise<{ found: boolean; finish: () => Promise<FixtureResult> }> {
  const reader = child.stdout.getReader();
  const decoder = new TextDecoder();
  let seen = "";
  let found = false;
  while (!found) {
    const { value, done } = await reader.read();
    if (done) break;
    seen += decoder.decode(value, { stream: true });
    found = seen.split("\n").slice(0, -1).includes(line);
  }
  const finish = async (): Promise<FixtureResult> => {
    const rest = (async () => {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        seen += decoder.decode(value, { stream: true });
      }
    })();
    const [status, stderr] = await Promise.all([
      child.status,
      new Response(child.stderr).text(),
      rest,
    ]);
    return { code: status.code, signal: status.signal, stdout: seen, stderr };
  };
  return { found, finish };
}

/**
 * Sends `signal` to `child`, unless it has exited already (then its exit
 * status, awaited next, tells what happened).
 */
export function signalChild(child: Deno.ChildProcess, signal: Deno.Signal): void {
  try {
    child.kill(signal);
  } catch (error) {
    // Deno throws a TypeError for a child that has already terminated.
    if (!(error instanceof TypeError)) throw error;
  }
}

/** Every file under `dir`, as paths relative to it, sorted. */
export function listTree(dir: string): string[] {
  const files: string[] = [];
  const walk = (path: string, prefix: string): void => {
    for (const entry of Deno.readDirSync(path)) {
      if (entry.isDirectory) walk(`${path}/${entry.name}`, `${prefix}${entry.name}/`);
      else files.push(prefix + entry.name);
    }
  };
  walk(dir, "");
  return files.sort();
}

/** A line of log.txt: `[<ISO time>] LEVEL message`. */
export const LOG_LINE: RegExp =
  /^\[\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\] (DEBUG|INFO|WARNING|ERROR) /;

/** A JSON object file as notata writes it (NaN and Infinity included). */
export function readJsonFile(path: string): { [key: string]: unknown } {
  return parseJson(Deno.readTextFileSync(path)) as { [key: string]: unknown };
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Whether `strace` runs here (tests that watch or fail system calls need it). */
export function hasStrace(): boolean {
  try {
    return new Deno.Command("strace", { args: ["-V"], stdout: "null", stderr: "null" })
      .outputSync().success;
  } catch {
    return false;
  }
}
