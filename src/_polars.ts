// Copyright 2026 the notata authors. MIT license.
// nodejs-polars is a native addon that needs --allow-ffi, --allow-env and
// --allow-sys and takes noticeable time to load: it is imported only when a
// DataFrame is asked for, so logging never pays for it.

import type { DataFrame, Series } from "nodejs-polars";
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

function castColumn(pl: Polars, series: Series, type: ColumnType | undefined): Series {
  switch (type) {
    case "int":
      return series.cast(pl.Int64);
    case "float":
      return series.cast(pl.Float64);
    case "bool":
      // Polars cannot cast text to Boolean.
      return pl.Series(
        series.name,
        series.toArray().map((cell) => cell === "true" ? true : cell === "false" ? false : null),
        pl.Bool,
      );
    default:
      return series;
  }
}

/**
 * Reads `index.csv` into a DataFrame. With the column record, every column
 * gets back the type its values had; without one (an index written by other
 * tools), Polars infers the types.
 */
export async function readIndexFrame(
  path: string,
  columns: IndexColumn[] | undefined,
): Promise<DataFrame> {
  const pl = await loadPolars();
  let text: string;
  try {
    text = Deno.readTextFileSync(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return pl.DataFrame({});
    throw error;
  }
  if (columns === undefined) return pl.readCSV(text);
  const frame = pl.readCSV(text, { inferSchemaLength: 0 });
  // nodejs-polars 0.25.2 leaves a quoted header field's quotes doubled (`a""b`
  // for `a"b`): when the record covers every column, it names them, by position.
  if (frame.width === columns.length) frame.columns = columns.map((column) => column.name);
  const types = new Map(columns.map((column) => [column.name, column.type]));
  // Cast as Series, never through pl.col(name), which reads "*" as every
  // column and "^…$" as a regex.
  const cast = pl.DataFrame(
    frame.getColumns().map((series) => castColumn(pl, series, types.get(series.name))),
  );
  cast.columns = frame.columns; // pl.DataFrame renames a column "" to "column_1"
  return cast;
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
