// Copyright 2026 the notata authors. MIT license.
// `notata show RUN`: everything one run recorded, on one screen.

import {
  type Command,
  countOption,
  openRun,
  Output,
  parseCommandArgs,
  positionals,
  singleOption,
} from "./_common.ts";
import { type JsonObject, logPath, readLastLines, readRunDetails, runFiles } from "./_run.ts";
import {
  colorState,
  faint,
  formatBytes,
  formatValue,
  heading,
  oneLine,
  terminalWidth,
  truncate,
} from "./_table.ts";

const ACTION = "Cannot show run";

/** Log lines shown by default. */
const LOG_LINES = 20;

const HELP = `notata show RUN [options]
notata show EXP RUN_ID [options]

Show one run: its params, metadata (status, start and end, runtime, failure
reason, host, pid), metrics (artifacts/metrics.json), its files with sizes
and the last ${LOG_LINES} lines of its log. RUN is a run directory
(EXP/runs/log_<run id>); or give the experiment directory and the run id.

Options:
  -n, --lines N   show the last N log lines (default ${LOG_LINES})
  --json          print { params, metadata, metrics, files, log_tail }
  -h, --help      show this help

Example:
  notata show outputs/oscillator_sweep oscillator_sweep_dt_0.001_omega_1_steps_10000`;

/** Lines of `key  value`, keys padded to one width, values cut to the terminal. */
function keyValueLines(
  object: JsonObject,
  paint?: (key: string, text: string) => string,
): string[] {
  const keys = Object.keys(object);
  if (keys.length === 0) return [faint("  (none)")];
  const width = Math.max(...keys.map((key) => key.length));
  const room = terminalWidth();
  return keys.map((key) => {
    const prefix = `  ${key.padEnd(width)}  `;
    const text = oneLine(formatValue(object[key]));
    const cut = room === undefined ? text : truncate(text, Math.max(8, room - prefix.length));
    return prefix + (paint?.(key, cut) ?? cut);
  });
}

function run(args: string[]): void {
  const parsed = parseCommandArgs(ACTION, args, {
    boolean: ["json"],
    string: ["lines"],
    alias: { n: "lines" },
  });
  const where = positionals(ACTION, parsed, 1, 2, "RUN or EXP RUN_ID");
  const linesText = singleOption(ACTION, parsed, "lines");
  const count = linesText === undefined ? LOG_LINES : countOption(ACTION, linesText, "lines");
  const reader = openRun(ACTION, where);

  const details = readRunDetails(reader);
  const files = runFiles(reader.path);
  const logTail = readLastLines(logPath(reader), count).lines;
  const out = new Output();
  if (parsed.json) {
    const { params, metadata, metrics } = details;
    out.line(JSON.stringify({ params, metadata, metrics, files, log_tail: logTail }, null, 2));
    out.flush();
    return;
  }
  out.line(`${heading("run")}  ${details.runId}`);
  out.line(`${heading("path")} ${reader.path}`);
  out.line(heading("params"));
  for (const line of keyValueLines(details.params)) out.line(line);
  out.line(heading("metadata"));
  const paintStatus = (key: string, text: string) => key === "status" ? colorState(text) : text;
  for (const line of keyValueLines(details.metadata, paintStatus)) out.line(line);
  out.line(heading("metrics"));
  for (const line of keyValueLines(details.metrics)) out.line(line);
  out.line(heading("files"));
  const sizes = Object.fromEntries(files.map((file) => [file.path, formatBytes(file.size)]));
  for (const line of keyValueLines(sizes)) out.line(line);
  out.line(heading(`log.txt, last ${count} lines`));
  for (const line of logTail) out.line(`  ${line}`);
  if (logTail.length === 0) out.line(faint("  (empty)"));
  out.flush();
}

/** `notata show`. */
export const show: Command = {
  name: "show",
  help: HELP,
  action: ACTION,
  run,
};
