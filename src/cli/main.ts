// Copyright 2026 the notata authors. MIT license.
/**
 * The `notata` command line: list, compare, watch and clean up the runs of
 * an experiment directory, on the files alone.
 *
 * ```sh
 * deno run --allow-read --allow-write --allow-ffi --allow-sys=cpus,hostname,networkInterfaces jsr:@notata/core/cli ls outputs/my_sweep
 * ```
 *
 * Run `notata --help` for the commands; docs/cli.md has the reference.
 *
 * @module
 */

import denoJson from "../../deno.json" with { type: "json" };
import { type Command, UsageError } from "./_common.ts";

/** A command's name and one line for `notata --help`; its module loads only when it runs. */
interface Entry {
  name: string;
  summary: string;
  load: () => Promise<Command>;
}

// Each command's module is imported when it runs: `notata status` never loads Polars.
const COMMANDS: Entry[] = [
  {
    name: "ls",
    summary: "ls EXP [options]     list the runs: varying params, status, metrics, runtime",
    load: () => import("./ls.ts").then((module) => module.ls),
  },
  {
    name: "show",
    summary: "show RUN             params, metadata, metrics, files and log tail of one run",
    load: () => import("./show.ts").then((module) => module.show),
  },
  {
    name: "diff",
    summary: "diff RUN_A RUN_B     the params, metrics and metadata in which two runs differ",
    load: () => import("./diff.ts").then((module) => module.diff),
  },
  {
    name: "status",
    summary: "status EXP           runs by status and host, newest failures, throughput",
    load: () => import("./status.ts").then((module) => module.status),
  },
  {
    name: "tail",
    summary: "tail RUN [-f]        the end of a run's log; -f follows it until the run ends",
    load: () => import("./tail.ts").then((module) => module.tail),
  },
  {
    name: "gc",
    summary: "gc EXP --failed ...  delete failed or crashed runs and their index rows",
    load: () => import("./gc.ts").then((module) => module.gc),
  },
  {
    name: "report",
    summary: "report EXP           write the HTML report of the runs and charts; prints its path",
    load: () => import("./report.ts").then((module) => module.report),
  },
  {
    name: "reindex",
    summary: "reindex EXP          rebuild index.csv from the run directories",
    load: () => import("./reindex.ts").then((module) => module.reindex),
  },
];

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
    if (name === undefined) {
      console.error(HELP);
      return 2;
    }
    const entry = name === "help"
      ? COMMANDS.find((command) => command.name === rest[0])
      : undefined;
    console.log(entry === undefined ? HELP : (await entry.load()).help);
    return 0;
  }
  if (name === "-V" || name === "--version") {
    console.log(`notata ${denoJson.version}`);
    return 0;
  }
  const entry = COMMANDS.find((command) => command.name === name);
  if (entry === undefined) {
    const what = name.startsWith("-") ? "option" : "command";
    console.error(
      `notata: Cannot run ${JSON.stringify(name)}: unknown ${what}, expected one of ${
        COMMANDS.map((command) => command.name).join(", ")
      } (notata --help lists them)`,
    );
    return 2;
  }
  const command = await entry.load();
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
