// Copyright 2026 the notata authors. MIT license.
// `notata ls EXP`: the runs of an experiment as a table, or as JSON or CSV.

import { formatCsvNumber, quoteCsvField } from "../_csv.ts";
import {
  type Command,
  countOption,
  listOption,
  openExperiment,
  Output,
  parseCommandArgs,
  positionals,
  type ShownState,
  singleOption,
  STATES,
  statusOptions,
  UsageError,
} from "./_common.ts";
import {
  type Cell,
  type Column,
  EXTRA_COLUMNS,
  filterRows,
  isConstant,
  readRunsTable,
  type RunsTable,
  sortRows,
  unknownColumn,
} from "./_runs_table.ts";
import { printAggregatedTable, readAggregatedTable } from "./_aggregated.ts";
import {
  colorState,
  faint,
  formatValue,
  hiddenColumnsNote,
  renderTable,
  terminalWidth,
} from "./_table.ts";

const ACTION = "Cannot list runs";

const HELP = `notata ls EXP [options]

List the runs of the experiment directory EXP: run id, the params that vary
across the listed runs (the constant ones are summarised above the table),
status, metrics and runtime. Runs that crashed or are still running are
listed even before index.csv has a row for them. Statuses: complete, failed,
crashed, running.

Options:
  --status S         only runs with status S (complete, failed, crashed,
                     running); repeatable
  --where COND       only runs meeting COND: KEY=VALUE, KEY!=VALUE, KEY>VALUE,
                     KEY<VALUE, KEY>=VALUE, KEY<=VALUE; VALUE is compared as
                     the column's type (omega=2 matches the number 2);
                     KEY= matches empty cells; repeatable (all must hold)
  --sort COL         sort by column COL (empty cells last)
  --desc             sort in descending order
  --columns A,B,C    show these columns, in this order
  --all-columns      show every column, constant params included
  --limit N          show the first N runs (after sorting)
  --over KEY[,KEY]   one row per configuration instead: the runs that differ
                     only in these params (such as seed) aggregated, with n
                     and each metric's mean ± std (complete runs unless
                     --status says otherwise); --where, --sort and --columns
                     then name the columns of the aggregate (final_mean)
  --json             print an array of objects, one per run (or
                     configuration), every column, values typed as in
                     toDataFrame
  --csv              print CSV, every column
  -h, --help         show this help

A table fits the terminal's width (or $COLUMNS): long cells are cut with "…".

Examples:
  notata ls outputs/oscillator_sweep
  notata ls outputs/oscillator_sweep --status failed --status crashed
  notata ls outputs/oscillator_sweep --where omega=2 --sort final_energy --desc --limit 5
  notata ls outputs/oscillator_sweep --json > runs.json
  notata ls outputs/seed_sweep --over seed --sort final_energy_mean`;

/** The columns a table shows by default, and the constant params summarised above it. */
function defaultColumns(table: RunsTable): { shown: string[]; constant: string[] } {
  const constant = table.params.filter((name) => isConstant(table.columns.get(name)!, table.rows));
  const hidden = new Set(constant);
  const reasons = table.columns.get("failure_reason");
  if (reasons === undefined || table.rows.every((row) => reasons[row] === null)) {
    hidden.add("failure_reason");
  }
  const extras = EXTRA_COLUMNS.filter((name) => table.columns.has(name) && !hidden.has(name));
  const shown = table.names.filter((name) => !hidden.has(name) && !EXTRA_COLUMNS.includes(name));
  return { shown: [...shown, ...extras], constant };
}

function printTable(
  out: Output,
  table: RunsTable,
  picked: string[] | undefined,
  total: number,
): void {
  if (table.rows.length === 0) {
    out.line(total === 0 ? "no runs" : `no runs match (of ${total})`);
    return;
  }
  const { shown, constant } = picked === undefined
    ? defaultColumns(table)
    : { shown: picked, constant: [] };
  if (constant.length > 0) {
    const first = table.rows[0];
    out.line(
      faint(`the same in all ${table.rows.length} runs: `) +
        constant.map((name) => `${name}=${formatValue(table.columns.get(name)![first])}`).join(
          "  ",
        ),
    );
  }
  const { lines, hidden } = renderTable(
    shown.map((name) => {
      const values = table.columns.get(name)!;
      return {
        title: name,
        cells: table.rows.map((row) => formatValue(values[row])),
        right: table.rows.some((row) => typeof values[row] === "number"),
        paint: name === "status" ? (padded, cell) => colorState(cell, padded) : undefined,
      };
    }),
    terminalWidth(),
  );
  for (const line of lines) out.line(line);
  const counts = new Map<string, number>();
  const status = table.columns.get("status") ?? [];
  for (const row of table.rows) {
    const state = String(status[row]);
    counts.set(state, (counts.get(state) ?? 0) + 1);
  }
  const order = [
    ...STATES,
    ...[...counts.keys()].filter((state) => !STATES.includes(state as ShownState)),
  ];
  const summary = order.filter((state) => counts.has(state)).map((state) =>
    colorState(state, `${counts.get(state)} ${state}`)
  );
  const of = table.rows.length < total ? ` of ${total}` : "";
  out.line(faint(`${table.rows.length}${of} runs: `) + summary.join(", "));
  if (hidden.length > 0) out.line(hiddenColumnsNote(hidden));
}

/** Text JSON needs no escapes for: no quote, backslash, control character or lone surrogate half. */
// deno-lint-ignore no-control-regex
const PLAIN_TEXT = /^[^"\\\u0000-\u001f\ud800-\udfff]*$/;

function jsonCell(value: Cell): string {
  if (typeof value === "string") {
    return PLAIN_TEXT.test(value) ? `"${value}"` : JSON.stringify(value);
  }
  // JSON has no NaN or Infinity: they become null, as JSON.stringify has it.
  return typeof value === "number" && !Number.isFinite(value) ? "null" : JSON.stringify(value);
}

/** How one column's values are written as JSON. */
function jsonEncoder(values: Column): (value: Cell) => string {
  // A float column without empty cells: numbers only, the common case made fast.
  return values instanceof Float64Array
    ? (value) => Number.isFinite(value) ? String(value) : "null"
    : jsonCell;
}

function printJson(out: Output, table: RunsTable, names: string[]): void {
  const keys = names.map((name, i) => `${i === 0 ? "{" : ","}${JSON.stringify(name)}:`);
  const columns = names.map((name) => table.columns.get(name)!);
  const encoders = columns.map(jsonEncoder);
  out.write("[");
  let separator = "\n";
  for (const row of table.rows) {
    let line = separator;
    for (let c = 0; c < columns.length; c++) line += keys[c] + encoders[c](columns[c][row]);
    out.write(line + "}");
    separator = ",\n";
  }
  out.line(table.rows.length === 0 ? "]" : "\n]");
}

function csvCell(value: Cell): string {
  if (value === null) return "";
  return typeof value === "number" ? formatCsvNumber(value) : quoteCsvField(String(value));
}

function printCsv(out: Output, table: RunsTable, names: string[]): void {
  const columns = names.map((name) => table.columns.get(name)!);
  out.line(names.map(quoteCsvField).join(","));
  for (const row of table.rows) out.line(columns.map((values) => csvCell(values[row])).join(","));
}

async function run(args: string[]): Promise<void> {
  const parsed = parseCommandArgs(ACTION, args, {
    boolean: ["desc", "all-columns", "json", "csv"],
    string: ["status", "where", "sort", "columns", "limit", "over"],
    collect: ["status", "where"],
  });
  const [path] = positionals(ACTION, parsed, 1, 1, "one experiment directory: notata ls EXP");
  const states = statusOptions(ACTION, listOption(ACTION, parsed, "status"));
  const where = listOption(ACTION, parsed, "where");
  const sort = singleOption(ACTION, parsed, "sort");
  const columnsText = singleOption(ACTION, parsed, "columns");
  const limitText = singleOption(ACTION, parsed, "limit");
  const limit = limitText === undefined ? undefined : countOption(ACTION, limitText, "limit");
  const over = singleOption(ACTION, parsed, "over")?.split(",").map((name) => name.trim());
  if (parsed.json && parsed.csv) {
    throw new UsageError(`${ACTION}: --json and --csv exclude each other, expected one`);
  }
  if (columnsText !== undefined && parsed["all-columns"]) {
    throw new UsageError(`${ACTION}: --columns and --all-columns exclude each other, expected one`);
  }
  if (parsed.desc && sort === undefined) throw new UsageError(`${ACTION}: --desc needs --sort COL`);
  const experiment = openExperiment(ACTION, path);

  const aggregated = over === undefined
    ? undefined
    : await readAggregatedTable(ACTION, experiment, over, states, where);
  const table = aggregated ?? await readRunsTable(experiment);
  const total = table.rows.length;
  const picked = columnsText?.split(",").map((name) => name.trim()) ??
    (parsed["all-columns"] ? table.names : undefined);
  for (const name of total > 0 ? picked ?? [] : []) {
    if (!table.columns.has(name)) throw unknownColumn(ACTION, "--columns", name, table.names);
  }
  // An experiment without runs has no columns yet: nothing to filter or sort.
  if (total > 0) {
    // The aggregate took only the runs of `states` already.
    filterRows(ACTION, table, over === undefined ? states : new Set(), where);
    if (sort !== undefined) sortRows(ACTION, table, sort, Boolean(parsed.desc));
  }
  if (limit !== undefined) table.rows = table.rows.slice(0, limit);

  const out = new Output();
  if (parsed.json) printJson(out, table, picked ?? table.names);
  else if (parsed.csv) printCsv(out, table, picked ?? table.names);
  else if (aggregated !== undefined) printAggregatedTable(out, aggregated, picked, total, states);
  else printTable(out, table, picked, total);
  out.flush();
}

/** `notata ls`. */
export const ls: Command = {
  name: "ls",
  help: HELP,
  action: ACTION,
  run,
};
