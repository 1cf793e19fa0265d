// Copyright 2026 the notata authors. MIT license.
// `notata status EXP`: how a sweep is doing, once or redrawn until interrupted.

import {
  type Command,
  openExperiment,
  Output,
  parseCommandArgs,
  positionals,
  singleOption,
  STATES,
  UsageError,
} from "./_common.ts";
import type { ExperimentReader } from "../experiment_reader.ts";
import { type RunSurvey, surveyRuns } from "./_survey.ts";
import { colorState, faint, formatSeconds, heading, renderTable, terminalWidth } from "./_table.ts";

const ACTION = "Cannot report status";

/** Failures listed, newest first. */
const FAILURES = 5;
/** The window of the recent throughput. */
const RECENT_MS = 10 * 60_000;
/** Seconds between redraws of --watch, by default. */
const INTERVAL = 2;

const HELP = `notata status EXP [options]

How the sweep in experiment directory EXP is doing: runs by status
(complete, failed, crashed, running) and by host, the newest failures with
their reasons, and the throughput (finished runs per minute, over the last
10 minutes and since the first run started). Reads every run's metadata.json.

Options:
  --json           print { total, complete, failed, crashed, running,
                   hosts: { host: { total, complete, ... } }, failures: [...],
                   throughput: {...} }
  --watch          redraw every few seconds until interrupted (Ctrl-C)
  --interval S     seconds between redraws with --watch (default ${INTERVAL})
  -h, --help       show this help

Example:
  notata status outputs/oscillator_sweep --watch`;

type Counts = { total: number } & Record<string, number>;

function countStates(runs: RunSurvey[]): Counts {
  const counts: Counts = { total: runs.length };
  for (const state of STATES) counts[state] = 0;
  for (const run of runs) counts[run.state] = (counts[run.state] ?? 0) + 1;
  return counts;
}

/** The figures `status` shows, as `--json` prints them. */
function summarize(runs: RunSurvey[], now: number) {
  const byHost = new Map<string, RunSurvey[]>();
  for (const run of runs) {
    const host = run.host ?? "(unknown)";
    const list = byHost.get(host);
    if (list === undefined) byHost.set(host, [run]);
    else list.push(run);
  }
  const when = (run: RunSurvey) => Number.isNaN(run.end) ? run.start : run.end;
  const failures = runs
    .filter((run) => run.state === "failed" || run.state === "crashed")
    .sort((a, b) => (when(b) || 0) - (when(a) || 0))
    .slice(0, FAILURES)
    .map((run) => ({
      run_id: run.runId,
      status: run.state,
      time: Number.isNaN(when(run)) ? null : new Date(when(run)).toISOString(),
      reason: run.failureReason,
    }));
  const ends = runs.map((run) => run.end).filter((end) => !Number.isNaN(end));
  const starts = runs.map((run) => run.start).filter((start) => !Number.isNaN(start));
  const first = starts.reduce((min, start) => Math.min(min, start), Infinity);
  const last = ends.reduce((max, end) => Math.max(max, end), -Infinity);
  const recent = ends.filter((end) => end > now - RECENT_MS).length;
  const minutes = (last - first) / 60_000;
  return {
    counts: countStates(runs),
    hosts: Object.fromEntries([...byHost].sort().map(([host, list]) => [host, countStates(list)])),
    failures,
    throughput: {
      finished: ends.length,
      first_start: Number.isFinite(first) ? new Date(first).toISOString() : null,
      last_end: Number.isFinite(last) ? new Date(last).toISOString() : null,
      runs_per_minute: Number.isFinite(minutes) && minutes > 0 ? ends.length / minutes : null,
      last_10_minutes: recent,
    },
  };
}

function render(out: Output, path: string, summary: ReturnType<typeof summarize>): void {
  const { counts } = summary;
  const shown = [...STATES, ...(counts.unknown ? ["unknown"] : [])];
  out.line(`${heading(path)}: ${counts.total} runs`);
  for (const state of shown) {
    const count = String(counts[state]).padStart(String(counts.total).length);
    out.line(`  ${colorState(state, state.padEnd(8))}  ${count}`);
  }
  const hosts = Object.entries(summary.hosts);
  if (hosts.length > 0) {
    out.line(heading("hosts"));
    const { lines } = renderTable(
      [
        { title: "host", cells: hosts.map(([host]) => host) },
        ...["total", ...shown].map((state) => ({
          title: state,
          cells: hosts.map(([, counts]) => String(counts[state] ?? 0)),
          right: true,
        })),
      ],
      terminalWidth(),
    );
    for (const line of lines) out.line(`  ${line}`);
  }
  if (summary.failures.length > 0) {
    out.line(heading(`newest failures`));
    const { lines } = renderTable(
      [
        { title: "time", cells: summary.failures.map((failure) => failure.time ?? "") },
        { title: "run_id", cells: summary.failures.map((failure) => failure.run_id) },
        {
          title: "status",
          cells: summary.failures.map((failure) => failure.status),
          paint: (padded, cell) => colorState(cell, padded),
        },
        { title: "reason", cells: summary.failures.map((failure) => failure.reason ?? "") },
      ],
      terminalWidth(),
    );
    for (const line of lines) out.line(`  ${line}`);
  }
  const { throughput } = summary;
  const rate = throughput.runs_per_minute;
  out.line(
    `${heading("throughput")}: ${throughput.last_10_minutes} runs finished in the last 10 min; ${
      rate === null
        ? throughput.finished === 0
          ? "no finished runs yet"
          : "no start and end times to rate them by"
        : `${Number(rate.toPrecision(3))} runs/min over ${
          formatSeconds(
            (Date.parse(throughput.last_end!) - Date.parse(throughput.first_start!)) / 1000,
          )
        } since the first start`
    }`,
  );
}

function report(out: Output, experiment: ExperimentReader, path: string, json: boolean): void {
  const summary = summarize(surveyRuns(experiment), Date.now());
  if (json) {
    const { counts, ...rest } = summary;
    out.line(JSON.stringify({ ...counts, ...rest }, null, 2));
  } else render(out, path, summary);
}

/** Redraws the status every `seconds` until SIGINT (or SIGTERM). */
async function watch(
  experiment: ExperimentReader,
  path: string,
  json: boolean,
  seconds: number,
): Promise<void> {
  let stop: () => void = () => {};
  let stopped = false;
  const interrupted = new Promise<void>((resolve) =>
    stop = () => {
      stopped = true;
      resolve();
    }
  );
  const signals: Deno.Signal[] = Deno.build.os === "windows" ? ["SIGINT"] : ["SIGINT", "SIGTERM"];
  for (const signal of signals) Deno.addSignalListener(signal, stop);
  const clear = Deno.stdout.isTerminal() && !json;
  try {
    while (!stopped) {
      const out = new Output();
      if (clear) out.write("\x1b[H\x1b[2J");
      report(out, experiment, path, json);
      if (!clear && !json) out.line(faint(`(every ${seconds} s; Ctrl-C to stop)`));
      out.flush();
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([
        interrupted,
        new Promise<void>((resolve) => timer = setTimeout(resolve, seconds * 1000)),
      ]);
      clearTimeout(timer);
    }
  } finally {
    for (const signal of signals) Deno.removeSignalListener(signal, stop);
  }
}

async function run(args: string[]): Promise<void> {
  const parsed = parseCommandArgs(ACTION, args, {
    boolean: ["json", "watch"],
    string: ["interval"],
  });
  const [path] = positionals(ACTION, parsed, 1, 1, "one experiment directory: notata status EXP");
  const intervalText = singleOption(ACTION, parsed, "interval");
  const seconds = intervalText === undefined ? INTERVAL : Number(intervalText);
  if (!(seconds > 0) || !Number.isFinite(seconds)) {
    throw new UsageError(
      `${ACTION}: --interval ${
        JSON.stringify(intervalText)
      } is not a number of seconds, expected a positive number such as 2`,
    );
  }
  if (intervalText !== undefined && !parsed.watch) {
    throw new UsageError(`${ACTION}: --interval needs --watch`);
  }
  const experiment = openExperiment(ACTION, path);
  if (parsed.watch) await watch(experiment, path, Boolean(parsed.json), seconds);
  else {
    const out = new Output();
    report(out, experiment, path, Boolean(parsed.json));
    out.flush();
  }
}

/** `notata status`. */
export const status: Command = {
  name: "status",
  help: HELP,
  action: ACTION,
  run,
};
