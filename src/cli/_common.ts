// Copyright 2026 the notata authors. MIT license.
// What every `notata` command shares: parsing its arguments, the two kinds
// of error and their exit codes, resolving EXP and RUN arguments, and
// writing to stdout in large chunks.

import { parseArgs } from "@std/cli/parse-args";
import { join } from "@std/path";
import { ExperimentReader } from "../experiment_reader.ts";
import { LogReader } from "../log_reader.ts";
import type { RunState } from "../types.ts";

/** Bad usage or a bad path: the command did nothing. Exit status 2. */
export class UsageError extends Error {
  /** @param message The whole message, starting with the failed action. */
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** One `notata` command: its help text and what it does. */
export interface Command {
  /** The command name, as typed. */
  name: string;
  /** The full `--help` text. */
  help: string;
  /** The action that the command's error messages start with: "Cannot list runs". */
  action: string;
  /** Runs the command on its arguments (the command name left out). */
  run(args: string[]): void | Promise<void>;
}

/** How a command's options are declared. */
export interface OptionSpec {
  /** Options that take no value. */
  boolean?: string[];
  /** Options that take a value. */
  string?: string[];
  /** Options that may be given more than once. */
  collect?: string[];
  /** Short names: `{ f: "follow" }`. */
  alias?: Record<string, string>;
}

/** The parsed arguments: positionals in `_`, options by name. */
export interface ParsedArgs {
  _: string[];
  [option: string]: unknown;
}

/**
 * Parses `args` by `spec` with `@std/cli`'s `parseArgs`. Every command also
 * takes `--help`/`-h`. Unknown options are a {@linkcode UsageError}.
 */
export function parseCommandArgs(action: string, args: string[], spec: OptionSpec): ParsedArgs {
  const known = new Set([
    "help",
    "h",
    ...spec.boolean ?? [],
    ...spec.string ?? [],
    ...Object.keys(spec.alias ?? {}),
  ]);
  const parsed = parseArgs(args, {
    boolean: ["help", ...spec.boolean ?? []],
    // "_" keeps positionals as text: a run id "1e3" is not a number.
    string: ["_", ...spec.string ?? []],
    collect: spec.collect ?? [],
    alias: { h: "help", ...spec.alias },
    unknown: (arg: string, key?: string) => {
      if (key === undefined || known.has(key)) return true;
      throw new UsageError(
        `${action}: unknown option "${arg.split("=")[0]}", see the command's --help`,
      );
    },
  });
  return { ...parsed, _: parsed._.map(String) };
}

/** The positionals of `parsed`, checked to be between `min` and `max` in number. */
export function positionals(
  action: string,
  parsed: ParsedArgs,
  min: number,
  max: number,
  synopsis: string,
): string[] {
  const given = parsed._;
  if (given.length < min || given.length > max) {
    throw new UsageError(
      `${action}: expected ${synopsis}, got ${
        given.length === 0 ? "no arguments" : given.map((arg) => JSON.stringify(arg)).join(" ")
      }`,
    );
  }
  return given;
}

/** A value option given once at most, or `undefined`. */
export function singleOption(action: string, parsed: ParsedArgs, name: string): string | undefined {
  const value = parsed[name];
  if (Array.isArray(value)) {
    throw new UsageError(`${action}: --${name} was given ${value.length} times, expected once`);
  }
  if (value === undefined) return undefined;
  if (value === "") throw new UsageError(`${action}: --${name} needs a value`);
  return String(value);
}

/** A repeatable value option, as a list (empty when not given). */
export function listOption(action: string, parsed: ParsedArgs, name: string): string[] {
  const value = parsed[name];
  const values = value === undefined ? [] : Array.isArray(value) ? value.map(String) : [];
  if (values.some((item) => item === "")) {
    throw new UsageError(`${action}: --${name} needs a value`);
  }
  return values;
}

/** A positive whole number given to option `name`. */
export function countOption(action: string, text: string, name: string): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(value)) {
    throw new UsageError(
      `${action}: --${name} ${
        JSON.stringify(text)
      } is not a count, expected a whole number such as 20`,
    );
  }
  return value;
}

function statOrUndefined(path: string): Deno.FileInfo | undefined {
  try {
    return Deno.statSync(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw error;
  }
}

const EXPERIMENT_LAYOUT = "expected an experiment directory holding index.csv and runs/";
const RUN_LAYOUT = "expected a run directory holding metadata.json, or EXP RUN_ID";

/** Checks that `path` is a directory, or says what it is instead, ending with `layout`. */
function assertDirectory(action: string, path: string, layout: string): void {
  const stat = statOrUndefined(path);
  const quoted = JSON.stringify(path);
  if (stat === undefined) throw new UsageError(`${action}: ${quoted} does not exist, ${layout}`);
  if (!stat.isDirectory) {
    throw new UsageError(`${action}: ${quoted} is a file, not a directory, ${layout}`);
  }
}

/** Opens the experiment directory `path`, or says why it is not one. */
export function openExperiment(action: string, path: string): ExperimentReader {
  assertDirectory(action, path, EXPERIMENT_LAYOUT);
  if (!statOrUndefined(join(path, "runs"))?.isDirectory) {
    const hint = statOrUndefined(join(path, "metadata.json")) ? " (it is a run directory)" : "";
    throw new UsageError(
      `${action}: ${
        JSON.stringify(path)
      } is not an experiment directory${hint}, ${EXPERIMENT_LAYOUT}`,
    );
  }
  return new ExperimentReader(path);
}

/** The run that `args` name: one run directory, or an experiment directory and a run id. */
export function openRun(action: string, args: string[]): LogReader {
  if (args.length === 2) {
    const experiment = openExperiment(action, args[0]);
    const runDir = join(experiment.runsDir, `log_${args[1]}`);
    if (!statOrUndefined(join(runDir, "metadata.json"))?.isFile) {
      const ids = experiment.runIds;
      throw new UsageError(
        `${action}: experiment ${JSON.stringify(args[0])} has no run ${JSON.stringify(args[1])}, ${
          ids.length === 0
            ? "and it has no runs"
            : `expected a run id such as ${JSON.stringify(ids[0])} (notata ls lists them)`
        }`,
      );
    }
    return new LogReader(runDir);
  }
  const [path] = args;
  assertDirectory(action, path, RUN_LAYOUT);
  if (!statOrUndefined(join(path, "metadata.json"))?.isFile) {
    const hint = statOrUndefined(join(path, "runs"))?.isDirectory
      ? " (it is an experiment directory: add a run id)"
      : "";
    throw new UsageError(
      `${action}: ${JSON.stringify(path)} is not a run directory${hint}, ${RUN_LAYOUT}`,
    );
  }
  return new LogReader(path);
}

/** The states a user names: `running` for a run still going, which files call `initialized`. */
export const STATES = ["complete", "failed", "crashed", "running"] as const;

/** A run state as the user sees it. */
export type ShownState = typeof STATES[number];

/** `state` as the user sees it: `initialized` is shown as `running`. */
export function shownState(state: RunState | "unknown" | string): string {
  return state === "initialized" ? "running" : state;
}

/** Checks `--status` values: each one of {@linkcode STATES}. */
export function statusOptions(action: string, values: string[]): Set<string> {
  for (const value of values) {
    if (!(STATES as readonly string[]).includes(value)) {
      throw new UsageError(
        `${action}: --status ${JSON.stringify(value)} is not a run status, expected one of ${
          STATES.join(", ")
        }`,
      );
    }
  }
  return new Set(values);
}

const encoder = new TextEncoder();
const BUFFER_SIZE = 1 << 20;

/**
 * Text for stdout, encoded into a 1 MiB buffer and written when it fills:
 * one system call per MiB, and no joined copy of the whole output. A
 * reader that stops early (`notata ls | head`) ends the writing without an
 * error.
 */
export class Output {
  #buffer = new Uint8Array(BUFFER_SIZE);
  #used = 0;
  #closed = false;

  /** Adds `text`; writes when the buffer is full. */
  write(text: string): void {
    if (this.#closed) return;
    // UTF-8 takes at most 3 bytes per UTF-16 code unit.
    if (this.#used + text.length * 3 > BUFFER_SIZE) {
      this.flush();
      if (text.length * 3 > BUFFER_SIZE) {
        this.#writeAll(encoder.encode(text));
        return;
      }
    }
    this.#used += encoder.encodeInto(text, this.#buffer.subarray(this.#used)).written;
  }

  /** Adds `text` and a line end. */
  line(text = ""): void {
    this.write(text + "\n");
  }

  /** Writes what the buffer holds. */
  flush(): void {
    if (this.#used === 0) return;
    this.#writeAll(this.#buffer.subarray(0, this.#used));
    this.#used = 0;
  }

  #writeAll(data: Uint8Array): void {
    if (this.#closed) return;
    try {
      let written = 0;
      while (written < data.length) written += Deno.stdout.writeSync(data.subarray(written));
    } catch (error) {
      if (!(error instanceof Deno.errors.BrokenPipe)) throw error;
      this.#closed = true;
    }
  }
}
