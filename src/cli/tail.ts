// Copyright 2026 the notata authors. MIT license.
// `notata tail RUN`: the end of a run's log, and with -f what follows.

import {
  type Command,
  countOption,
  openRun,
  Output,
  parseCommandArgs,
  positionals,
  singleOption,
} from "./_common.ts";
import { logPath, readAt, readLastLines } from "./_run.ts";
import type { LogReader } from "../log_reader.ts";

const ACTION = "Cannot read log";

/** Lines shown by default. */
const LINES = 20;
/** How often -f looks for new lines and for the run's end. */
const POLL_MS = 250;

const HELP = `notata tail RUN [options]
notata tail EXP RUN_ID [options]

Print the last lines of a run's log (log.txt). With -f, keep printing lines
as the run writes them, until the run finishes (complete or failed) or is
found crashed; then exit 0.

Options:
  -n, --lines N   print the last N lines (default ${LINES}); 0 for none
  -f, --follow    follow the log until the run ends
  -h, --help      show this help

Example:
  notata tail outputs/oscillator_sweep/runs/log_oscillator_sweep_dt_0.001_omega_1_steps_10000 -f`;

// One decoder across reads: a character split between two reads comes out whole.
const decoder = new TextDecoder();

/** Prints what was appended to the log after byte `from`; returns the new end. */
function printFrom(out: Output, path: string, from: number): number {
  let file: Deno.FsFile;
  try {
    file = Deno.openSync(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return from;
    throw error;
  }
  using _ = file;
  const size = file.statSync().size;
  if (size <= from) return size < from ? 0 : from; // shorter: rewritten, start again
  const data = readAt(file, from, size - from);
  out.write(decoder.decode(data, { stream: true }));
  out.flush();
  return from + data.length;
}

async function follow(out: Output, run: LogReader, from: number): Promise<void> {
  const path = logPath(run);
  let end = from;
  for (;;) {
    // The state first, the log after: lines written before the run ended are all printed.
    const running = run.status === "initialized";
    end = printFrom(out, path, end);
    if (!running) return;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

async function run(args: string[]): Promise<void> {
  const parsed = parseCommandArgs(ACTION, args, {
    boolean: ["follow"],
    string: ["lines"],
    alias: { f: "follow", n: "lines" },
  });
  const where = positionals(ACTION, parsed, 1, 2, "RUN or EXP RUN_ID");
  const linesText = singleOption(ACTION, parsed, "lines");
  const count = linesText === undefined ? LINES : countOption(ACTION, linesText, "lines");
  const reader = openRun(ACTION, where);
  const { lines, size } = readLastLines(logPath(reader), count);
  const out = new Output();
  for (const line of lines) out.line(line);
  out.flush();
  if (parsed.follow) await follow(out, reader, size);
}

/** `notata tail`. */
export const tail: Command = {
  name: "tail",
  help: HELP,
  action: ACTION,
  run,
};
