// Copyright 2026 the notata authors. MIT license.
// The one typed read of an experiment's index, for everything that reads
// it (Experiment, ExperimentReader, the command line, the report): each
// column gets one type, the one `index.schema.json` records when every cell
// fits it, else the one its cells' text gives (an index written by the
// Python notata or edited by hand), inferred as pandas would. Reading takes
// no lock and writes nothing.

import type { DataFrame, DataType } from "nodejs-polars";
import { join } from "@std/path";
import { splitCsvRecords, unquoteCsvField } from "../_csv.ts";
import { readTextIfExists } from "../_files.ts";
import { parseJson } from "../_json.ts";
import { loadPolars, type Polars } from "../_polars.ts";
import { InvalidValueError } from "../errors.ts";
import type { JsonValue } from "../types.ts";
import { type ColumnType, rowValues, widen } from "./cells.ts";
import { indexOf, mayHaveUnindexedRuns, runRowsOf, unindexedRows } from "./runs.ts";

/** Index columns that hold text even where it looks like a number (a run id "1"). */
const TEXT_COLUMNS = new Set(["run_id", "status", "failure_reason"]);

const INTEGER = /^[+-]?\d+$/;
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const NON_FINITE = /^([+-]?)(?:nan|inf|infinity)$/i;

function parseNumber(text: string): number | undefined {
  if (INTEGER.test(text)) {
    const value = Number(text);
    // Beyond 2^53 a number would silently change the value: keep the text.
    return Number.isSafeInteger(value) ? value : undefined;
  }
  if (DECIMAL.test(text)) return Number(text);
  const special = NON_FINITE.exec(text);
  if (special === null) return undefined;
  if (/nan/i.test(text)) return NaN;
  return special[1] === "-" ? -Infinity : Infinity;
}

function parseBoolean(text: string): boolean | undefined {
  if (text === "true" || text === "True" || text === "TRUE") return true;
  if (text === "false" || text === "False" || text === "FALSE") return false;
  return undefined;
}

/**
 * The cells pandas.read_csv reads as missing by default (its `na_values`).
 * A column typed from its cells (no schema says otherwise) reads them as
 * empty, as pandas does; a NaN spelling in a float column stays NaN.
 */
const PANDAS_MISSING = new Set([
  "-1.#IND",
  "1.#QNAN",
  "1.#IND",
  "-1.#QNAN",
  "#N/A N/A",
  "#N/A",
  "N/A",
  "n/a",
  "NA",
  "<NA>",
  "#NA",
  "NULL",
  "null",
  "NaN",
  "-NaN",
  "nan",
  "-nan",
  "None",
]);

// The value of a non-empty cell of a column of `type`, or `undefined` when
// the text does not fit the type.
function parseCell(text: string, type: ColumnType): JsonValue | undefined {
  switch (type) {
    case "int": {
      const value = parseNumber(text);
      return value !== undefined && INTEGER.test(text) ? value : undefined;
    }
    case "float":
      return parseNumber(text);
    case "bool":
      return parseBoolean(text);
    case "json":
      try {
        return parseJson(text);
      } catch {
        return undefined;
      }
    default:
      return text;
  }
}

function inferType(text: string): ColumnType {
  if (parseBoolean(text) !== undefined) return "bool";
  const value = parseNumber(text);
  if (value === undefined) return "string";
  return INTEGER.test(text) ? "int" : "float";
}

/** The index as text: its header and records, cells unquoted. */
interface IndexText {
  header: string[];
  records: string[][];
}

function readIndexText(path: string): IndexText | undefined {
  const text = readTextIfExists(path);
  if (text === undefined || text.length === 0) return undefined;
  const [header, ...records] = splitCsvRecords(text).map((fields) => fields.map(unquoteCsvField));
  return { header, records };
}

/**
 * A column's type, and whether it was inferred from its cells as pandas
 * infers it (reading pandas' missing-value cells as empty).
 */
interface Column {
  type: ColumnType;
  inferred: boolean;
}

// The type of column `i`: the recorded one when every cell fits it, else
// the widest of its cells' inferred types, as pandas.read_csv infers them.
function columnType(text: IndexText, i: number, recorded: ColumnType | undefined): Column {
  if (TEXT_COLUMNS.has(text.header[i])) return { type: "string", inferred: false };
  const cells = text.records.map((record) => record[i] ?? "").filter((cell) => cell !== "");
  // A column recorded empty has no type yet: any cell there was added by hand.
  const fits = (cell: string) => recorded !== "empty" && parseCell(cell, recorded!) !== undefined;
  if (recorded !== undefined && cells.every(fits)) {
    return { type: recorded, inferred: false };
  }
  const type = cells.filter((cell) => !PANDAS_MISSING.has(cell))
    .reduce<ColumnType>((type, cell) => widen(type, inferType(cell)), "empty");
  return { type, inferred: true };
}

function columnTypes(dir: string, text: IndexText): Column[] {
  // Columns kept from rows another writer added are typed from their cells.
  const recorded = new Map(
    (indexOf(dir).columns() ?? []).filter((column) => column.role !== "other")
      .map((column) => [column.name, column.type]),
  );
  return text.header.map((name, i) => columnType(text, i, recorded.get(name)));
}

/** The value of `cell` in `column`; empty cells, and pandas' missing ones where inferred, are `null`. */
function cellValue(cell: string, column: Column): JsonValue {
  if (cell === "") return null;
  if (column.inferred && PANDAS_MISSING.has(cell)) {
    const numeric = column.type === "float" || column.type === "empty";
    return numeric && /nan/i.test(cell) ? NaN : null;
  }
  return parseCell(cell, column.type)!;
}

/**
 * The rows of the index of the experiment in `dir`, one object per row keyed
 * by column name, each value of its column's type (arrays and objects for
 * JSON columns), empty cells `null`. Empty when there is no index.
 */
export function readIndexRows(dir: string): { [column: string]: JsonValue }[] {
  const text = readIndexText(join(dir, "index.csv"));
  if (text === undefined) return [];
  const columns = columnTypes(dir, text);
  return text.records.map((record) =>
    Object.fromEntries(text.header.map((name, i) => [name, cellValue(record[i] ?? "", columns[i])]))
  );
}

function polarsType(pl: Polars, type: ColumnType): DataType {
  switch (type) {
    case "int":
      return pl.Int64;
    case "float":
      return pl.Float64;
    case "bool":
      return pl.Bool;
    default:
      return pl.String;
  }
}

// The index as a DataFrame, typed as readIndexRows types it (JSON columns
// stay text). Polars parses an index that matches its schema straight into
// the recorded types, the common case and the fast one; anything else is
// typed here. `matches` tells, for the last rows, whether each holds its run
// directory's values: the others (another writer's misaligned appends, not
// yet repaired) are left out before the columns are typed.
async function readIndexOnly(dir: string, matches: boolean[]): Promise<DataFrame> {
  const pl = await loadPolars();
  const path = join(dir, "index.csv");
  const columns = indexOf(dir).columns();
  const misaligned = matches.includes(false);
  if (
    columns !== undefined && !misaligned && columns.every((column) => column.role !== "other")
  ) {
    // Placeholder names keep the schema in column order: an object lists
    // keys like "1" before all others, whatever order they were added in.
    const schema = Object.fromEntries(
      columns.map((column, i) => [`c${i}`, polarsType(pl, column.type)]),
    );
    try {
      const frame = pl.readCSV(path, { schema, hasHeader: true });
      frame.columns = columns.map((column) => column.name);
      return frame;
    } catch {
      // Missing, or edited by hand so that it no longer matches its schema.
    }
  }
  const text = readIndexText(path);
  if (text === undefined) return pl.DataFrame({});
  const first = text.records.length - matches.length;
  if (misaligned && first >= 0) {
    text.records = text.records.filter((_, i) => i < first || matches[i - first]);
  }
  const types = columnTypes(dir, text);
  return pl.DataFrame(text.header.map((name, i) => {
    const column = types[i];
    const values = text.records.map((record) => {
      const cell = record[i] ?? "";
      return column.type === "json" && cell !== "" ? cell : cellValue(cell, column);
    });
    // pandas reads a column of nothing but missing cells as float64.
    const type = column.inferred && column.type === "empty"
      ? pl.Float64
      : polarsType(pl, column.type);
    return pl.Series(name, values, type);
  }));
}

/**
 * `frame` with `records` appended as rows. A record's value takes the type
 * of its column in `frame` where it can, so the rows read from `index.csv`
 * keep their types; columns only the records have come last.
 */
async function appendRecords(
  frame: DataFrame,
  records: { [column: string]: string | number | boolean | null }[],
): Promise<DataFrame> {
  if (records.length === 0) return frame;
  const pl = await loadPolars();
  let extra = pl.readRecords(records, { inferSchemaLength: records.length });
  if (frame.width === 0) return extra;
  let base = frame;
  for (const name of extra.columns) {
    if (!base.columns.includes(name)) continue;
    const target = base.getColumn(name).dtype;
    const column = extra.getColumn(name);
    if (column.dtype.equals(target) || column.nullCount() === column.length) {
      extra = extra.withColumn(column.cast(target));
      continue;
    }
    // Polars reads every JS number as Float64: whole numbers keep an Int64 column.
    const whole = column.toArray().every((value) => value === null || Number.isSafeInteger(value));
    if (target.equals(pl.Int64) && column.dtype.equals(pl.Float64) && whole) {
      extra = extra.withColumn(column.cast(pl.Int64));
      continue;
    }
    const numeric = [pl.Int64, pl.Float64];
    const widened = numeric.some((t) => t.equals(target)) &&
        numeric.some((t) => t.equals(column.dtype))
      ? pl.Float64
      // Values of another kind (text in a number column): both become text.
      : pl.String;
    extra = extra.withColumn(column.cast(widened));
    base = base.withColumn(base.getColumn(name).cast(widened));
  }
  return pl.concat([base, extra], { how: "diagonal" });
}

/**
 * The index of the experiment in `dir` as a DataFrame, with a row for every
 * run `index.csv` does not list, or lists in a row that does not hold its
 * values: crashed runs (status `"crashed"`), runs still going (status
 * `"initialized"`), and runs whose row another writer misaligned, read from
 * their run directories.
 */
export async function readIndexFrame(dir: string): Promise<DataFrame> {
  const matches = indexOf(dir).uncheckedRowsMatch(runRowsOf(dir));
  const frame = await readIndexOnly(dir, matches);
  // The runs of rows left out are read from their directories.
  if (!matches.includes(false) && !mayHaveUnindexedRuns(dir, frame.height)) return frame;
  const indexed = new Set<string>(
    frame.height > 0 ? frame.getColumn("run_id").toArray().map(String) : [],
  );
  return appendRecords(frame, unindexedRows(dir, indexed, true).map(rowValues));
}

/**
 * The rows of an index frame whose columns equal all the given values
 * (`null` matches empty cells), compared as Polars compares a column with a
 * literal. Columns are found by their exact name, never as a pattern.
 */
export async function selectRows(
  frame: DataFrame,
  filter: { [column: string]: string | number | boolean | null },
): Promise<DataFrame> {
  for (const name of Object.keys(filter)) {
    if (!frame.columns.includes(name)) {
      throw new InvalidValueError(
        `Cannot select runs: column ${JSON.stringify(name)} is not in the index, expected one of ${
          frame.columns.map((column) => JSON.stringify(column)).join(", ")
        }`,
      );
    }
  }
  const pl = await loadPolars();
  let rows = frame;
  for (const [name, value] of Object.entries(filter)) {
    const column = rows.getColumn(name);
    rows = rows.filter(value === null ? column.isNull() : column.eq(pl.Series([value])));
  }
  return rows;
}
