// Copyright 2026 the notata authors. MIT license.
// The experiment index: `index.csv`, one row per finished run, and its
// companion `index.schema.json`, which records each column's role and the
// type of the values it was given, so that a DataFrame gets them back.
// Writing it is safe only under the experiment's lock (see runs.ts).

import { flattenObject, formatJson, formatJsonCompact, parseJson } from "../_json.ts";
import {
  formatCsvNumber,
  joinCsvRecord,
  quoteCsvField,
  splitCsvRecords,
  unquoteCsvField,
} from "../_csv.ts";
import {
  appendBytes,
  ensureDir,
  readTextIfExists,
  refuseLink,
  writeAll,
  writeFileAtomic,
} from "../_files.ts";
import { dirname, join } from "@std/path";
import type { JsonValue, RunState } from "../types.ts";

/**
 * The type of the values a column was given. `int` and `float` are both
 * numbers; a column given both is `float`. `int` is a safe integer
 * (|v| < 2^53): larger whole numbers are `float`, as JavaScript holds them.
 * `json` holds arrays and empty objects, written as JSON text. `empty` has
 * seen no value yet. A column given values of different kinds is `string`.
 */
export type ColumnType = "int" | "float" | "bool" | "string" | "json" | "empty";

/**
 * Where a column's values come from; the header is ordered by role.
 */
export type ColumnRole = "id" | "param" | "status" | "metric" | "extra";

/**
 * One column of the index, as `index.schema.json` records it.
 */
export interface IndexColumn {
  /** The header name: a param or metric key, dotted for nested objects. */
  name: string;
  /** Where its values come from. */
  role: ColumnRole;
  /** The type of the values written so far. */
  type: ColumnType;
}

/**
 * One finished run, as the index records it.
 */
export interface IndexRow {
  /** The run id, first column. */
  runId: string;
  /** The run's params; nested objects become dotted columns. */
  params: { [key: string]: JsonValue };
  /** The run's status. */
  status: RunState;
  /** The run's metrics; nested objects become dotted columns. */
  metrics: { [key: string]: JsonValue };
  /** Seconds from start to finish, when known. */
  runtimeSec: number | null;
  /** Why the run failed, for failed runs. */
  failureReason: string | null;
}

const ROLE_ORDER: ColumnRole[] = ["id", "param", "status", "metric", "extra"];
const SCHEMA_VERSION = 1;

interface IndexSchema {
  version: number;
  header: string;
  columns: IndexColumn[];
}

function typeOf(value: JsonValue): ColumnType {
  switch (typeof value) {
    case "number":
      // Beyond 2^53 a whole number is a rounded float; its text ("1e+21",
      // "-9223372036854776000") may not fit Int64, but always reads as Float64.
      // An Int64 has no -0.
      return Number.isSafeInteger(value) && !Object.is(value, -0) ? "int" : "float";
    case "boolean":
      return "bool";
    case "string":
      return "string";
  }
  return value === null ? "empty" : "json";
}

/** The type of a column given values of types `a` and `b`. */
export function widen(a: ColumnType, b: ColumnType): ColumnType {
  if (a === b || b === "empty") return a;
  if (a === "empty") return b;
  const numbers = new Set<ColumnType>(["int", "float"]);
  if (numbers.has(a) && numbers.has(b)) return "float";
  return "string";
}

function formatCell(value: JsonValue | undefined): string {
  if (value === undefined || value === null) return "";
  if (typeof value === "number") return formatCsvNumber(value);
  if (typeof value === "string") return value;
  if (typeof value === "boolean") return String(value);
  return formatJsonCompact(value);
}

function rowCells(row: IndexRow): Map<string, [ColumnRole, JsonValue]> {
  const cells = new Map<string, [ColumnRole, JsonValue]>();
  cells.set("run_id", ["id", row.runId]);
  // Params as params.json holds them: -0 is 0 there (one run with 0).
  for (const { name, value } of flattenObject(row.params)) {
    cells.set(name, ["param", Object.is(value, -0) ? 0 : value]);
  }
  cells.set("status", ["status", row.status]);
  for (const { name, value } of flattenObject(row.metrics)) {
    if (!cells.has(name)) cells.set(name, ["metric", value]);
  }
  cells.set("runtime_sec", ["extra", row.runtimeSec]);
  cells.set("failure_reason", ["extra", row.failureReason]);
  return cells;
}

/**
 * The cells of `row` by column name, in column order, as the index would
 * hold them: JSON values (arrays) as their compact text, empty cells `null`.
 */
export function rowValues(row: IndexRow): { [column: string]: string | number | boolean | null } {
  const values: { [column: string]: string | number | boolean | null } = {};
  for (const [name, [, value]] of rowCells(row)) {
    values[name] = value !== null && typeof value === "object" ? formatCell(value) : value;
  }
  return values;
}

const encoder = new TextEncoder();

function openForAppend(path: string): Deno.FsFile | undefined {
  refuseLink("Cannot record run", path);
  try {
    return Deno.openSync(path, { read: true, append: true });
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw error;
  }
}

// Appending is safe only to a file that starts with the recorded header and
// ends with a whole record; anything else is rebuilt. Returns the file's
// inode and size when it is intact.
function intactFile(
  file: Deno.FsFile,
  header: string,
): { ino: number | null; size: number } | undefined {
  const expected = encoder.encode(header);
  const { ino, size } = file.statSync();
  if (size < expected.length) return undefined;
  const start = readExactly(file, expected.length);
  file.seekSync(size - 2, Deno.SeekMode.Start);
  const end = readExactly(file, 2);
  const intact = start.every((byte, i) => byte === expected[i]) && end[0] === 0x0d &&
    end[1] === 0x0a;
  return intact ? { ino, size } : undefined;
}

function readExactly(file: Deno.FsFile, length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  let read = 0;
  while (read < length) {
    const count = file.readSync(bytes.subarray(read));
    if (count === null) break;
    read += count;
  }
  return bytes;
}

function formatRecord(values: string[]): string {
  return joinCsvRecord(values.map(quoteCsvField));
}

function orderColumns(columns: IndexColumn[]): IndexColumn[] {
  return ROLE_ORDER.flatMap((role) => columns.filter((column) => column.role === role));
}

/** What tells one state of a file from another without reading it. */
interface FileIdentity {
  ino: number | null;
  size: number;
  mtime: number | undefined;
}

function identify(path: string): FileIdentity | undefined {
  try {
    const { ino, size, mtime } = Deno.statSync(path);
    return { ino, size, mtime: mtime?.getTime() };
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw error;
  }
}

function sameFile(a: FileIdentity, b: FileIdentity | undefined): boolean {
  return b !== undefined && a.ino === b.ino && a.size === b.size && a.mtime === b.mtime;
}

/**
 * Reads and writes one experiment's `index.csv`. Finishing a run appends one
 * line; the file is rewritten (atomically) only when a new column appears or
 * a run that already has a row finishes again.
 */
export class IndexCsv {
  /** Path of `index.csv`. */
  readonly path: string;
  /** Path of `index.schema.json`, the column roles and types. */
  readonly schemaPath: string;
  // The schema as last read or written, with its file's identity: notata
  // replaces the schema file by renaming, so an unchanged identity means an
  // unchanged schema, and a stat saves reading and parsing it.
  #known: { schema: IndexSchema; file: FileIdentity } | undefined;
  // index.csv as this process last appended to it, with its schema. While
  // the file keeps that inode and size nobody else has written it (notata
  // replaces the file by renaming, and appends grow it), so the next row is
  // appended without reading the file or its schema again.
  #appended: { ino: number; size: number; schema: IndexSchema } | undefined;

  /**
   * Constructs a new instance for the index in directory `dir`.
   *
   * @param dir The experiment directory.
   */
  constructor(dir: string) {
    this.path = join(dir, "index.csv");
    this.schemaPath = join(dir, "index.schema.json");
  }

  /**
   * The columns in header order, with their roles and types, or `undefined`
   * when there is no schema (no index yet, or one written by other tools).
   *
   * @returns The columns, or `undefined`.
   */
  columns(): IndexColumn[] | undefined {
    // A copy: the schema stays cached.
    return structuredClone(this.#readSchema()?.columns);
  }

  /**
   * Adds or replaces the row of one run. Returns `false`, writing nothing,
   * when the index is missing or does not match its schema: the caller
   * rebuilds it from the run directories instead.
   *
   * @param row The finished run.
   * @param replace Whether the run may already have a row to replace.
   * @returns Whether the row was recorded.
   */
  record(row: IndexRow, replace: boolean): boolean {
    const cells = rowCells(row);
    if (!replace && this.#appendKnown(cells)) return true;
    this.#appended = undefined;
    const schema = this.#readSchema();
    if (schema === undefined) return false;
    // One handle both checks the file and appends to it.
    using file = openForAppend(this.path);
    const intact = file === undefined ? undefined : intactFile(file, schema.header);
    if (intact === undefined) return false;
    const columns = this.#merge(schema.columns, cells);
    const names = columns.map((column) => column.name);
    const headerChanged = names.join(",") !== schema.columns.map((column) => column.name).join(",");
    const typesChanged = headerChanged ||
      columns.some((column, i) => column.type !== schema.columns[i].type);
    const record = formatRecord(columns.map((column) => formatCell(cells.get(column.name)?.[1])));
    if (headerChanged || replace) {
      const [header, ...records] = splitCsvRecords(Deno.readTextFileSync(this.path));
      const position = new Map(header.map((raw, i) => [unquoteCsvField(raw), i]));
      const kept = records
        .filter((fields) => unquoteCsvField(fields[0]) !== row.runId)
        .map((fields) =>
          joinCsvRecord(names.map((name) => fields[position.get(name) ?? -1] ?? ""))
        );
      this.#write(columns, kept.join("") + record);
    } else {
      if (typesChanged) this.#writeSchema(columns, schema.header);
      const bytes = encoder.encode(record);
      writeAll(file!, bytes);
      if (!typesChanged && intact.ino !== null) {
        this.#appended = { ino: intact.ino, size: intact.size + bytes.length, schema };
      }
    }
    return true;
  }

  // Appends the row of `cells` to the index as this process last left it, if
  // the file is unchanged since and the row needs no new column or type.
  #appendKnown(cells: Map<string, [ColumnRole, JsonValue]>): boolean {
    const known = this.#appended;
    if (known === undefined) return false;
    const { ino, size } = identify(this.path) ?? {};
    if (ino !== known.ino || size !== known.size) return false;
    const old = known.schema.columns;
    const columns = this.#merge(old, cells);
    const same = columns.length === old.length &&
      columns.every((column, i) => column.name === old[i].name && column.type === old[i].type);
    if (!same) return false;
    const bytes = encoder.encode(
      formatRecord(columns.map((column) => formatCell(cells.get(column.name)?.[1]))),
    );
    appendBytes(this.path, bytes, false);
    known.size += bytes.length;
    return true;
  }

  /**
   * Writes a new index holding exactly `rows`, in order, replacing the old
   * one atomically.
   *
   * @param rows The finished runs.
   */
  rebuild(rows: IndexRow[]): void {
    const all = rows.map(rowCells);
    const required = rowCells({
      runId: "",
      params: {},
      status: "complete",
      metrics: {},
      runtimeSec: null,
      failureReason: null,
    });
    const columns = [...all, required].reduce(
      (merged, cells) => this.#merge(merged, cells),
      [] as IndexColumn[],
    );
    const records = all.map((cells) =>
      formatRecord(columns.map((column) => formatCell(cells.get(column.name)?.[1])))
    );
    ensureDir(dirname(this.path));
    this.#write(columns, records.join(""));
  }

  /**
   * The rows of `index.csv` as objects of cell text, keyed by header name,
   * each value exactly as written. Empty when there is no index.
   *
   * @returns The rows.
   */
  rows(): Record<string, string>[] {
    const text = readTextIfExists(this.path);
    if (text === undefined || text.length === 0) return [];
    const [header, ...records] = splitCsvRecords(text).map((fields) => fields.map(unquoteCsvField));
    return records.map((fields) =>
      Object.fromEntries(header.map((name, i) => [name, fields[i] ?? ""]))
    );
  }

  #merge(columns: IndexColumn[], cells: Map<string, [ColumnRole, JsonValue]>): IndexColumn[] {
    const merged = columns.map((column) => ({ ...column }));
    const byName = new Map(merged.map((column) => [column.name, column]));
    for (const [name, [role, value]] of cells) {
      const column = byName.get(name);
      if (column === undefined) {
        const added = { name, role, type: typeOf(value) };
        merged.push(added);
        byName.set(name, added);
      } else {
        column.type = widen(column.type, typeOf(value));
      }
    }
    return orderColumns(merged);
  }

  #write(columns: IndexColumn[], records: string): void {
    this.#appended = undefined;
    const header = formatRecord(columns.map((column) => column.name));
    writeFileAtomic(this.path, header + records, { durable: true });
    this.#writeSchema(columns, header);
  }

  #writeSchema(columns: IndexColumn[], header: string): void {
    const schema: IndexSchema = { version: SCHEMA_VERSION, header, columns };
    writeFileAtomic(this.schemaPath, formatJson(schema as unknown as JsonValue), { durable: true });
    const file = identify(this.schemaPath);
    this.#known = file === undefined ? undefined : { schema, file };
  }

  #readSchema(): IndexSchema | undefined {
    const file = identify(this.schemaPath);
    if (file === undefined) return undefined;
    if (this.#known !== undefined && sameFile(this.#known.file, file)) {
      return this.#known.schema;
    }
    const text = readTextIfExists(this.schemaPath);
    if (text === undefined) return undefined;
    try {
      const schema = parseJson(text) as unknown as IndexSchema;
      if (schema.version !== SCHEMA_VERSION || !Array.isArray(schema.columns)) return undefined;
      this.#known = { schema, file };
      return schema;
    } catch {
      return undefined;
    }
  }
}
