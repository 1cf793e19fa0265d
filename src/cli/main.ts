// Copyright 2026 the notata authors. MIT license.
/**
 * The `notata` command line: list, compare, watch and clean up the runs of
 * an experiment directory, on the files alone.
 *
 * ```sh
 * deno run --allow-read --allow-write --allow-env --allow-ffi --allow-sys jsr:@notata/core/cli ls outputs/my_sweep
 * ```
 *
 * Run `notata --help` for the commands; docs/cli.md has the reference.
 *
 * @module
 */

import denoJson from "../../deno.json" with { type: "json" };
import { type Command, UsageError } from "./_common.ts";
import { diff } from "./diff.ts";
import { gc } from "./gc.ts";
import { ls } from "./ls.ts";
import { reindex } from "./reindex.ts";
import { show } from "./show.ts";
import { status } from "./status.ts";
import { tail } from "./tail.ts";

const COMMANDS: Command[] = [ls, show, diff, status, tail, gc, reindex];

const HELP = `notata ${denoJson.version}: the runs of notata experiments, from the command line

Usage: notata <command> [arguments] [options]

Commands (EXP = an experiment directory; RUN = a run directory, or EXP RUN_ID):
${COMMANDS.map((command) => `  ${command.summary}`).join("\n")}

Options:
  -h, --help     show this help; notata <command> --help shows a command's
  -V, --version  print notata's version

Exit status: 0 success, 1 a failure while working, 2 bad usage or a bad path.
Colours are off when NO_COLOR is set or stdout is not a terminal.
Reference: https://jsr.io/@notata/core (docs/cli.md)`;

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The message of an error that does not name its action yet. */
function withAction(action: string, error: unknown): string {
  const text = errorText(error);
  return text.startsWith("Cannot ") ? text : `${action}: ${text}`;
}

/**
 * Runs the command line on `args` (as `Deno.args` holds them) and returns
 * the exit status: 0 success, 1 a failure while working, 2 bad usage or a
 * bad path.
 */
async function main(args: string[]): Promise<number> {
  const [name, ...rest] = args;
  if (name === undefined || name === "-h" || name === "--help" || name === "help") {
    const helpFor = name === "help"
      ? COMMANDS.find((command) => command.name === rest[0])
      : undefined;
    if (name === undefined) {
      console.error(HELP);
      return 2;
    }
    console.log(helpFor?.help ?? HELP);
    return 0;
  }
  if (name === "-V" || name === "--version") {
    console.log(`notata ${denoJson.version}`);
    return 0;
  }
  const command = COMMANDS.find((command) => command.name === name);
  if (command === undefined) {
    const what = name.startsWith("-") ? "option" : "command";
    console.error(
      `notata: Cannot run ${JSON.stringify(name)}: unknown ${what}, expected one of ${
        COMMANDS.map((command) => command.name).join(", ")
      } (notata --help lists them)`,
    );
    return 2;
  }
  if (rest.includes("--help") || rest.includes("-h")) {
    console.log(command.help);
    return 0;
  }
  try {
    await command.run(rest);
    return 0;
  } catch (error) {
    console.error(`notata: ${withAction(command.action, error)}`);
    return error instanceof UsageError ? 2 : 1;
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));
