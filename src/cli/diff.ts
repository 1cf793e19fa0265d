// Copyright 2026 the notata authors. MIT license.
// `notata diff RUN_A RUN_B`: the params, metrics and metadata that differ.

import { type Command, openRun, Output, parseCommandArgs, positionals } from "./_common.ts";
import { type JsonObject, readRunDetails } from "./_run.ts";
import { faint, formatValue, renderTable, terminalWidth } from "./_table.ts";
import type { JsonValue } from "../types.ts";

const ACTION = "Cannot compare runs";

const HELP = `notata diff RUN_A RUN_B [options]
notata diff EXP RUN_ID_A RUN_ID_B [options]

Show the params, metrics and metadata fields in which two runs differ, side
by side. RUN_A and RUN_B are run directories; or give the experiment
directory and two run ids. A field one run lacks shows as "(missing)".

Options:
  --json       print { params: { key: [a, b] }, metrics: {...}, metadata: {...} },
               differing keys only (a missing value is null)
  -h, --help   show this help

Example:
  notata diff outputs/oscillator_sweep oscillator_sweep_dt_0.001_omega_1_steps_10000 \\
    oscillator_sweep_dt_0.001_omega_2_steps_10000`;

const SECTIONS = ["params", "metrics", "metadata"] as const;

/** Metadata that names the run rather than describes it: the table's header shows it. */
const IDENTITY = new Set(["run_id"]);

function same(a: JsonValue | undefined, b: JsonValue | undefined): boolean {
  if (typeof a !== typeof b || (a === null) !== (b === null)) return false;
  // NaN is the same as NaN; 0 as -0.
  if (typeof a === "number") return a === b || Object.is(a, b);
  return JSON.stringify(a) === JSON.stringify(b);
}

/** The keys of `a` and `b` whose values differ, with both values (`undefined`: missing). */
function differences(
  a: JsonObject,
  b: JsonObject,
): [string, JsonValue | undefined, JsonValue | undefined][] {
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((key) =>
    !IDENTITY.has(key)
  );
  return keys.filter((key) => !same(a[key], b[key])).map((key) => [key, a[key], b[key]]);
}

function run(args: string[]): void {
  const parsed = parseCommandArgs(ACTION, args, { boolean: ["json"] });
  const given = positionals(ACTION, parsed, 2, 3, "RUN_A RUN_B, or EXP RUN_ID_A RUN_ID_B");
  const [a, b] = given.length === 3
    ? [openRun(ACTION, [given[0], given[1]]), openRun(ACTION, [given[0], given[2]])]
    : [openRun(ACTION, [given[0]]), openRun(ACTION, [given[1]])];
  const [left, right] = [readRunDetails(a), readRunDetails(b)];
  const diffs = Object.fromEntries(
    SECTIONS.map((section) => [section, differences(left[section], right[section])]),
  );
  const out = new Output();
  if (parsed.json) {
    const json = Object.fromEntries(
      SECTIONS.map((section) => [
        section,
        Object.fromEntries(diffs[section].map(([key, x, y]) => [key, [x ?? null, y ?? null]])),
      ]),
    );
    out.line(JSON.stringify(json, null, 2));
    out.flush();
    return;
  }
  const keys: string[] = [];
  const cells: [string[], string[]] = [[], []];
  const show = (value: JsonValue | undefined) =>
    value === undefined ? "(missing)" : formatValue(value);
  for (const section of SECTIONS) {
    if (diffs[section].length === 0) continue;
    keys.push(section);
    cells[0].push("");
    cells[1].push("");
    for (const [key, x, y] of diffs[section]) {
      keys.push(`  ${key}`);
      cells[0].push(show(x));
      cells[1].push(show(y));
    }
  }
  if (keys.length === 0) {
    out.line(
      faint(`${left.runId} and ${right.runId} do not differ in params, metrics or metadata`),
    );
  } else {
    const { lines } = renderTable(
      [
        { title: "", cells: keys },
        { title: left.runId, cells: cells[0] },
        { title: right.runId, cells: cells[1] },
      ],
      terminalWidth(),
    );
    for (const line of lines) out.line(line);
  }
  out.flush();
}

/** `notata diff`. */
export const diff: Command = {
  name: "diff",
  help: HELP,
  action: ACTION,
  run,
};
