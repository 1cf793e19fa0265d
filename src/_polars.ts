// Copyright 2026 the notata authors. MIT license.
// nodejs-polars is a native addon that needs --allow-ffi, --allow-env and
// --allow-sys and takes noticeable time to load: it is imported only when a
// DataFrame is asked for, so logging never pays for it.

import type { DataFrame, DataType } from "nodejs-polars";
import { InvalidValueError, NotataError } from "./errors.ts";
import type { ColumnType, IndexColumn } from "./index_csv.ts";

type Polars = typeof import("nodejs-polars")["default"];

let loading: Promise<Polars> | undefined;

/** Loads nodejs-polars once, with an error that names the flags it needs. */
export function loadPolars(): Promise<Polars> {
  loading ??= import("nodejs-polars").then(
    (module) => module.default,
    (error) => {
      loading = undefined;
      throw new NotataError(
        `Cannot load nodejs-polars for DataFrame export: ${
          error instanceof Error ? error.message : String(error)
        }; it needs --allow-read --allow-env --allow-ffi --allow-sys`,
        { cause: error },
      );
    },
  );
  return loading;
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

/**
 * Reads `index.csv` into a DataFrame. With the column record, Polars parses
 * every column straight into the type its values had, then each gets its
 * recorded name (never read as a pattern, never garbled by the doubled
 * quotes of a header field); without one (an index written by other tools), or
 * when the file no longer matches it, Polars infers the types.
 */
export async function readIndexFrame(
  path: string,
  columns: IndexColumn[] | undefined,
): Promise<DataFrame> {
  const pl = await loadPolars();
  try {
    if (Deno.statSync(path).size === 0) return pl.DataFrame({});
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return pl.DataFrame({});
    throw error;
  }
  if (columns !== undefined) {
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
      // Edited by hand so that it no longer matches its record: infer instead.
    }
  }
  return pl.readCSV(path);
}

/**
 * `frame` with `records` appended as rows. A record's value takes the type
 * of its column in `frame` where it can, so the rows read from `index.csv`
 * keep their types; columns only the records have come last.
 */
export async function appendRecords(
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
    const numeric = [pl.Int64, pl.Float64];
    const widened = numeric.some((t) =>
        t.equals(target)
      ) && numeric.some((t) => t.equals(column.dtype))
      ? pl.Float64
      // Values of another kind (text in a number column): both become text.
      : pl.String;
    extra = extra.withColumn(column.cast(widened));
    base = base.withColumn(base.getColumn(name).cast(widened));
  }
  return pl.concat([base, extra], { how: "diagonal" });
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
