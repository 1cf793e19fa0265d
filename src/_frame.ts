// Copyright 2026 the notata authors. MIT license.
// Tables a run saves as Parquet: plain columns are checked here, before
// nodejs-polars is even loaded, so a bad table costs no native load and
// leaves no file.

import type { DataFrame } from "nodejs-polars";
import { loadPolars } from "./_polars.ts";
import { InvalidValueError } from "./errors.ts";
import type { FrameColumn, FrameColumns } from "./types.ts";

function describe(column: unknown): string {
  if (Array.isArray(column)) return "an array of mixed or unsupported values";
  if (ArrayBuffer.isView(column)) return `a ${column.constructor.name}`;
  if (column === null || column === undefined) return String(column);
  return typeof column === "object" ? "an object" : `a ${typeof column}`;
}

const TYPED_ARRAYS = [
  Float64Array,
  Float32Array,
  Int8Array,
  Int16Array,
  Int32Array,
  Uint8Array,
  Uint16Array,
  Uint32Array,
  BigInt64Array,
  BigUint64Array,
];

function isColumn(column: unknown): column is FrameColumn {
  if (TYPED_ARRAYS.some((type) => column instanceof type)) return true;
  if (!Array.isArray(column)) return false;
  if (column.length === 0) return true;
  const first = column[0];
  const kind = typeof first;
  if (kind !== "number" && kind !== "string" && kind !== "boolean") return false;
  // `every` skips holes, so count the values it saw: a hole is not a value.
  let seen = 0;
  const uniform = column.every((value) => (seen++, typeof value === typeof first));
  return uniform && seen === column.length;
}

/**
 * Checks that `columns` is a table notata can store, and returns its row
 * count. Throws before anything is written.
 */
export function assertFrameColumns(action: string, columns: FrameColumns): number {
  const entries = Object.entries(columns);
  if (entries.length === 0) {
    throw new InvalidValueError(`${action}: the table has no columns, expected at least one`);
  }
  let rows: number | undefined;
  let first = "";
  for (const [name, column] of entries) {
    if (name === "") {
      throw new InvalidValueError(`${action}: a column name is empty, expected a non-empty name`);
    }
    if (!isColumn(column)) {
      throw new InvalidValueError(
        `${action}: column "${name}" is ${
          describe(column)
        }, expected a numeric typed array, or an array of only numbers, only strings or only booleans`,
      );
    }
    if (rows === undefined) {
      rows = column.length;
      first = name;
    } else if (column.length !== rows) {
      throw new InvalidValueError(
        `${action}: column "${name}" has ${column.length} ${
          column.length === 1 ? "row" : "rows"
        } but column "${first}" has ${rows}, expected columns of equal length`,
      );
    }
  }
  return rows!;
}

/** Whether `value` is a nodejs-polars DataFrame (checked without loading Polars). */
export function isDataFrame(value: unknown): value is DataFrame {
  return typeof value === "object" && value !== null &&
    typeof (value as { writeParquet?: unknown }).writeParquet === "function" &&
    typeof (value as { getColumns?: unknown }).getColumns === "function";
}

/** A table as the bytes of a Parquet file. */
export async function toParquet(table: FrameColumns | DataFrame): Promise<Uint8Array> {
  const frame = isDataFrame(table) ? table : await toDataFrame(table);
  return new Uint8Array(frame.writeParquet());
}

async function toDataFrame(columns: FrameColumns): Promise<DataFrame> {
  const pl = await loadPolars();
  return pl.DataFrame(
    Object.entries(columns).map(([name, column]) => pl.Series(name, column as unknown[])),
  );
}
