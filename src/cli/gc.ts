// Copyright 2026 the notata authors. MIT license.
// `notata gc EXP --failed | --crashed | --status S`: delete runs and their
// index rows, under the experiment's lock, never a running run.

import { join } from "@std/path";
import { withFileLock } from "../_lock.ts";
import { experimentLockPath, reindexExperiment } from "../_index/runs.ts";
import { MissingEntryError } from "../errors.ts";
import { LogReader } from "../log_reader.ts";
import {
  type Command,
  listOption,
  openExperiment,
  Output,
  parseCommandArgs,
  positionals,
  shownState,
  statusOptions,
  UsageError,
} from "./_common.ts";
import { surveyRuns } from "./_survey.ts";
import { colorState, faint, renderTable, terminalWidth } from "./_table.ts";

const ACTION = "Cannot delete runs";

const HELP = `notata gc EXP (--failed | --crashed | --status S) [options]

Delete the runs of experiment directory EXP that have the given status: their
run directories and their rows in index.csv. It works under the experiment's
lock, so a sweep may keep adding runs meanwhile; each run's status is checked
again under the lock, and a running run is never touched. Asks before
deleting when stdin is a terminal; otherwise it needs --yes.

Options:
  --failed      select failed runs
  --crashed     select crashed runs (their process died without finishing)
  --status S    select runs with status S: failed, crashed or complete;
                repeatable
  --dry-run     list what would be deleted, delete nothing
  -y, --yes     delete without asking
  -h, --help    show this help

Examples:
  notata gc outputs/oscillator_sweep --crashed --dry-run
  notata gc outputs/oscillator_sweep --failed --crashed --yes`;

/**
 * Deletes the runs of the experiment in `dir` that are named in `runIds`
 * and, checked again under the experiment's lock, have a state in
 * `states` (never a running one); then rebuilds the index from the run
 * directories left. Returns the ids deleted and the index's row count.
 */
function deleteRuns(
  dir: string,
  runIds: string[],
  states: ReadonlySet<string>,
): { deleted: string[]; rows: number | undefined } {
  return withFileLock(experimentLockPath(dir), () => {
    const deleted: string[] = [];
    for (const runId of runIds) {
      const path = join(dir, "runs", `log_${runId}`);
      let state: string;
      try {
        state = shownState(new LogReader(path).status);
      } catch (error) {
        if (error instanceof MissingEntryError) continue; // deleted by another gc meanwhile
        throw error;
      }
      if (state === "running" || !states.has(state)) continue;
      Deno.removeSync(path, { recursive: true });
      deleted.push(runId);
    }
    return { deleted, rows: deleted.length > 0 ? reindexExperiment(dir) : undefined };
  });
}

function run(args: string[]): void {
  const parsed = parseCommandArgs(ACTION, args, {
    boolean: ["failed", "crashed", "dry-run", "yes"],
    string: ["status"],
    collect: ["status"],
    alias: { y: "yes" },
  });
  const [path] = positionals(
    ACTION,
    parsed,
    1,
    1,
    "one experiment directory: notata gc EXP --failed",
  );
  const states = statusOptions(ACTION, listOption(ACTION, parsed, "status"));
  if (parsed.failed) states.add("failed");
  if (parsed.crashed) states.add("crashed");
  if (states.size === 0) {
    throw new UsageError(
      `${ACTION}: no runs selected, expected --failed, --crashed or --status S (notata gc --help)`,
    );
  }
  if (states.has("running")) {
    throw new UsageError(
      `${ACTION}: --status running selects runs that are still going, which gc never deletes; expected failed, crashed or complete`,
    );
  }
  const experiment = openExperiment(ACTION, path);
  const selected = surveyRuns(experiment).filter((run) => states.has(run.state));
  const out = new Output();
  if (selected.length === 0) {
    out.line(`no ${[...states].join(" or ")} runs in ${path}`);
    out.flush();
    return;
  }
  const { lines } = renderTable(
    [
      { title: "run_id", cells: selected.map((run) => run.runId) },
      {
        title: "status",
        cells: selected.map((run) => run.state),
        paint: (padded, cell) => colorState(cell, padded),
      },
      { title: "failure_reason", cells: selected.map((run) => run.failureReason ?? "") },
    ],
    terminalWidth(),
  );
  const count = `${selected.length} run${selected.length === 1 ? "" : "s"}`;
  if (parsed["dry-run"]) {
    for (const line of lines) out.line(line);
    out.line(faint(`would delete ${count} (dry run: nothing deleted)`));
    out.flush();
    return;
  }
  if (!parsed.yes) {
    if (!Deno.stdin.isTerminal()) {
      throw new UsageError(
        `${ACTION}: stdin is not a terminal to confirm deleting ${count} of ${path}, expected --yes to delete them or --dry-run to list them`,
      );
    }
    for (const line of lines) out.line(line);
    out.flush();
    if (!confirm(`Delete ${selected.length === 1 ? "this run" : `these ${count}`}?`)) {
      throw new UsageError(`${ACTION}: not confirmed, nothing deleted`);
    }
  }
  const { deleted, rows } = deleteRuns(experiment.path, selected.map((run) => run.runId), states);
  const skipped = selected.length - deleted.length;
  out.line(
    `deleted ${deleted.length} run${deleted.length === 1 ? "" : "s"}${
      skipped > 0 ? ` (${skipped} changed meanwhile and stay)` : ""
    }${rows === undefined ? "" : `; index.csv has ${rows} rows`}`,
  );
  out.flush();
}

/** `notata gc`. */
export const gc: Command = {
  name: "gc",
  help: HELP,
  action: ACTION,
  run,
};
