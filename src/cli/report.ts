// Copyright 2026 the notata authors. MIT license.
// `notata report EXP`: write the experiment's HTML report.

import {
  type Command,
  openExperiment,
  Output,
  parseCommandArgs,
  positionals,
  singleOption,
  UsageError,
} from "./_common.ts";
import { InvalidValueError, MissingEntryError } from "../errors.ts";

const ACTION = "Cannot write report";

const HELP = `notata report EXP [options]

Write the HTML report of experiment directory EXP: one self-contained file
with the runs table, charts of the metrics against the params, and the
details of the runs that most need a look. Prints the path written.

Options:
  -o, --output FILE  where to write the report (its directory must exist);
                     default EXP/report.html
  --title T          the page's title and heading; default the experiment's
                     name
  --over KEY[,KEY]   also chart each metric and scalar series as mean ± std
                     over these params (such as seed), per configuration of
                     the complete runs
  -h, --help         show this help

Examples:
  notata report outputs/oscillator_sweep
  notata report outputs/oscillator_sweep -o sweep.html --title "Oscillator sweep"
  notata report outputs/seed_sweep --over seed`;

async function run(args: string[]): Promise<void> {
  const parsed = parseCommandArgs(ACTION, args, {
    string: ["output", "title", "over"],
    alias: { o: "output" },
  });
  const [path] = positionals(ACTION, parsed, 1, 1, "one experiment directory: notata report EXP");
  const output = singleOption(ACTION, parsed, "output");
  const title = singleOption(ACTION, parsed, "title");
  const over = singleOption(ACTION, parsed, "over")?.split(",").map((name) => name.trim());
  const experiment = openExperiment(ACTION, path);
  let written: string;
  try {
    written = await experiment.report({ path: output, title, over });
  } catch (error) {
    // A bad option value or a missing directory: nothing was written.
    if (error instanceof InvalidValueError || error instanceof MissingEntryError) {
      throw new UsageError(error.message);
    }
    throw error;
  }
  const out = new Output();
  out.line(written);
  out.flush();
}

/** `notata report`. */
export const report: Command = {
  name: "report",
  help: HELP,
  action: ACTION,
  run,
};
