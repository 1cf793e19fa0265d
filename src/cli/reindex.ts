// Copyright 2026 the notata authors. MIT license.
// `notata reindex EXP`: rebuild index.csv from the run directories.

import { basename, dirname, resolve } from "@std/path";
import { Experiment } from "../experiment.ts";
import { type Command, openExperiment, Output, parseCommandArgs, positionals } from "./_common.ts";

const ACTION = "Cannot rebuild index";

const HELP = `notata reindex EXP

Rebuild index.csv of experiment directory EXP from its run directories
(finished and crashed runs, by start time), under the experiment's lock, and
print the number of rows. Runs still going get their row when they finish.

Options:
  -h, --help   show this help`;

function run(args: string[]): void {
  const parsed = parseCommandArgs(ACTION, args, {});
  const [path] = positionals(ACTION, parsed, 1, 1, "one experiment directory: notata reindex EXP");
  openExperiment(ACTION, path);
  const dir = resolve(path);
  const rows = new Experiment(basename(dir), { baseDir: dirname(dir) }).reindex();
  const out = new Output();
  out.line(`index.csv: ${rows} rows`);
  out.flush();
}

/** `notata reindex`. */
export const reindex: Command = {
  name: "reindex",
  help: HELP,
  action: ACTION,
  run,
};
