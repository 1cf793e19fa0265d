// Copyright 2026 the notata authors. MIT license.
// nodejs-polars is a native addon that needs --allow-ffi, --allow-env and
// --allow-sys and takes noticeable time to load: it is imported only when a
// DataFrame is asked for, so logging never pays for it.

import type { DataFrame, Expr } from "nodejs-polars";
import { NotataError } from "./errors.ts";
import type { IndexColumn } from "./index_csv.ts";

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

function castExpression(pl: Polars, column: IndexColumn): Expr {
  const cell = pl.col(column.name);
  switch (column.type) {
    case "int":
      return cell.cast(pl.Int64);
    case "float":
      return cell.cast(pl.Float64);
    case "bool":
      return pl.when(cell.eq(pl.lit("true"))).then(pl.lit(true))
        .when(cell.eq(pl.lit("false"))).then(pl.lit(false))
        .otherwise(pl.lit(null)).alias(column.name);
    default:
      return cell;
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
  const present = new Set(frame.columns);
  return frame.withColumns(
    ...columns.filter((column) => present.has(column.name)).map((column) =>
      castExpression(pl, column)
    ),
  );
}
