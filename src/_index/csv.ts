// Copyright 2026 the notata authors. MIT license.
// The experiment index: `index.csv`, one row per finished run, and its
// companion `index.schema.json`, which records each column's role and the
// type of the values it was given, so that a DataFrame gets them back.
// Writing it is safe only under the experiment's lock (see runs.ts).

import { compareCodePoints, formatJson, parseJson } from "../_json.ts";
import { joinCsvRecord, quoteCsvField, splitCsvRecords, unquoteCsvField } from "../_csv.ts";
import {
  appendBytes,
  ensureDir,
  readTextIfExists,
  refuseLink,
  writeAll,
  writeFileAtomic,
} from "../_files.ts";
import { dirname, join } from "@std/path";
import type { JsonValue } from "../types.ts";
import {
  type ColumnRole,
  formatCell,
  type IndexColumn,
  type IndexRow,
  rowCells,
  type RunRow,
  type RunRows,
  typeOf,
  widen,
} from "./cells.ts";
import { judge, keptCells, repairedCells, type Verdict } from "./check.ts";

const ROLE_ORDER: ColumnRole[] = ["id", "param", "status", "metric", "extra", "other"];
// Roles whose columns are sorted by name, as the Python notata orders them.
const SORTED_ROLES = new Set<ColumnRole>(["param", "metric"]);
const SCHEMA_VERSION = 1;
// A process appending row after row records how far it has checked the
// index every this many rows, so that another process checks at most these.
const CHECKPOINT_ROWS = 64;

interface IndexSchema {
  version: number;
  header: string;
  columns: IndexColumn[];
  /**
   * How many bytes of `index.csv` hold rows known to line up with the header
   * and their run directories. Rows past it were appended by another process
   * or another writer (the Python notata), and are checked before the next
   * write. Absent in schemas of earlier versions: every row is checked once.
   */
  checked?: number;
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

// The header order: run_id, params, status, metrics as the Python notata
// writes its rows (both sorted by name: PyYAML and json.dump sort the keys it
// reads them from), then runtime_sec and failure_reason, then other columns.
function orderColumns(columns: IndexColumn[]): IndexColumn[] {
  return ROLE_ORDER.flatMap((role) => {
    const ofRole = columns.filter((column) => column.role === role);
    return SORTED_ROLES.has(role)
      ? ofRole.sort((a, b) => compareCodePoints(a.name, b.name))
      : ofRole;
  });
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
 * line; the file is rewritten (atomically) when a new column appears, a run
 * that already has a row finishes again, or a row another writer appended
 * does not match its run directory (it is then repaired from there).
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
  // appended without reading the file or its schema again. `unchecked`
  // counts the rows appended since the schema last recorded how far the
  // file is checked.
  #appended: { ino: number; size: number; schema: IndexSchema; unchecked: number } | undefined;

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
   * Adds or replaces the row of one run. Rows appended since the index was
   * last checked (by another process, or by the Python notata, whose rows
   * follow its own column order) are first checked against their run
   * directories, found with `runRows`; one that does not match is repaired.
   * Returns `false`, writing nothing, when the index is missing or does not
   * match its schema: the caller rebuilds it from the run directories instead.
   *
   * @param row The finished run.
   * @param replace Whether the run may already have a row to replace.
   * @param runRows The rows of runs as their run directories give them.
   * @returns Whether the row was recorded.
   */
  record(row: IndexRow, replace: boolean, runRows: RunRows): boolean {
    const cells = rowCells(row);
    if (!replace && this.#appendKnown(cells)) return true;
    this.#appended = undefined;
    const schema = this.#readSchema();
    if (schema === undefined) return false;
    // One handle both checks the file and appends to it.
    using file = openForAppend(this.path);
    const intact = file === undefined ? undefined : intactFile(file, schema.header);
    if (intact === undefined) return false;
    const oldNames = schema.columns.map((column) => column.name);
    const verdicts = this.#checkNewRecords(file!, schema, intact.size, runRows);
    const given = new Set(
      schema.columns.filter((column) => column.role !== "other").map((column) => column.name),
    );
    let columns = this.#merge(schema.columns, cells);
    const repairs = verdicts.map((verdict) =>
      typeof verdict === "object" ? repairedCells(verdict.run, verdict.kept, given) : undefined
    );
    for (const cells of repairs) if (cells !== undefined) columns = this.#merge(columns, cells);
    const names = columns.map((column) => column.name);
    const headerChanged = names.join(",") !== oldNames.join(",");
    const typesChanged = headerChanged ||
      columns.some((column, i) => column.type !== schema.columns[i].type);
    const record = formatRecord(columns.map((column) => formatCell(cells.get(column.name)?.[1])));
    if (headerChanged || replace || verdicts.some((verdict) => verdict !== "keep")) {
      const [header, ...records] = splitCsvRecords(Deno.readTextFileSync(this.path));
      const position = new Map(header.map((raw, i) => [unquoteCsvField(raw), i]));
      const firstNew = records.length - verdicts.length;
      const kept = records.flatMap((fields, i) => {
        if (unquoteCsvField(fields[0]) === row.runId) return [];
        const repaired = repairs[i - firstNew];
        if (repaired !== undefined) {
          return [formatRecord(names.map((name) => formatCell(repaired.get(name)?.[1])))];
        }
        return [joinCsvRecord(names.map((name) => fields[position.get(name) ?? -1] ?? ""))];
      });
      this.#write(columns, kept.join("") + record);
      return true;
    }
    const bytes = encoder.encode(record);
    writeAll(file!, bytes);
    const size = intact.size + bytes.length;
    // The rows just checked, and this one, need no check by the next writer.
    const current = typesChanged || verdicts.length > 0
      ? this.#writeSchema(columns, schema.header, size)
      : schema;
    if (intact.ino !== null) {
      this.#appended = { ino: intact.ino, size, schema: current, unchecked: 0 };
    }
    return true;
  }

  /**
   * Whether each row past the part of the index checked so far (rows other
   * processes or other writers appended), in file order, holds the values
   * its run directory gives; a row whose run has no directory is taken as
   * it is. Reads only: takes no lock and writes nothing.
   *
   * @param runRows The rows of runs as their run directories give them.
   * @returns One entry per unchecked row; empty without a schema, or with
   * one that records no checked part (an earlier version's: the next
   * write checks every row).
   */
  uncheckedRowsMatch(runRows: RunRows): boolean[] {
    const schema = this.#readSchema();
    if (schema?.checked === undefined) return [];
    let file: Deno.FsFile;
    try {
      file = Deno.openSync(this.path);
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return [];
      throw error;
    }
    using _ = file;
    return this.#checkNewRecords(file, schema, file.statSync().size, runRows)
      .map((verdict) => typeof verdict !== "object");
  }

  // The verdict on each record past the part of the file the schema records
  // as checked, in file order.
  #checkNewRecords(
    file: Deno.FsFile,
    schema: IndexSchema,
    size: number,
    runRows: RunRows,
  ): Verdict[] {
    const headerBytes = encoder.encode(schema.header).length;
    const checked = schema.checked ?? headerBytes;
    const start = checked >= headerBytes && checked <= size ? checked : headerBytes;
    if (start === size) return [];
    file.seekSync(start, Deno.SeekMode.Start);
    const text = new TextDecoder().decode(readExactly(file, size - start));
    const header = schema.columns.map((column) => column.name);
    const free = new Set(
      schema.columns.filter((column) => column.role === "other").map((column) => column.name),
    );
    return splitCsvRecords(text).map((fields) =>
      judge(header, fields.map(unquoteCsvField), runRows, free)
    );
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
    if (++known.unchecked === CHECKPOINT_ROWS) {
      known.schema = this.#writeSchema(old, known.schema.header, known.size);
      known.unchecked = 0;
    }
    return true;
  }

  /**
   * Writes a new index holding exactly `runs`, in order, replacing the old
   * one atomically. Columns of the old index that no run gives (`other`
   * columns) keep their values in the rows of runs whose old row matched
   * the run directory.
   *
   * @param runs The finished runs, as their run directories give them.
   */
  rebuild(runs: RunRow[]): void {
    const all = runs.map(({ row }) => rowCells(row));
    const required = rowCells({
      runId: "",
      params: {},
      status: "complete",
      metrics: {},
      runtimeSec: null,
      failureReason: null,
    });
    let columns = [...all, required].reduce(
      (merged, cells) => this.#merge(merged, cells),
      [] as IndexColumn[],
    );
    const derived = new Set(columns.map((column) => column.name));
    const kept = this.#otherCells(runs, derived);
    const others = [...new Set([...kept.values()].flatMap((cells) => [...cells.keys()]))];
    columns = [
      ...columns,
      ...others.map((name) => ({ name, role: "other" as const, type: "string" as const })),
    ];
    const records = runs.map(({ row }, i) =>
      formatRecord(
        columns.map((column) =>
          column.role === "other"
            ? kept.get(row.runId)?.get(column.name) ?? ""
            : formatCell(all[i].get(column.name)?.[1])
        ),
      )
    );
    ensureDir(dirname(this.path));
    this.#write(columns, records.join(""));
  }

  // The non-empty cells of the old index in columns not in `derived`, by run
  // id, from the rows that match their run in `runs`.
  #otherCells(runs: RunRow[], derived: ReadonlySet<string>): Map<string, Map<string, string>> {
    const kept = new Map<string, Map<string, string>>();
    const text = readTextIfExists(this.path);
    if (text === undefined || text.length === 0) return kept;
    const [header, ...records] = splitCsvRecords(text).map((fields) => fields.map(unquoteCsvField));
    const free = new Set(header.filter((name) => !derived.has(name)));
    const byId = new Map(runs.map((run) => [run.row.runId, run]));
    for (const values of records) {
      const run = byId.get(values[0] ?? "");
      const found = run === undefined ? undefined : keptCells(header, values, run, free)?.cells;
      const cells = [...found ?? []].filter(([name]) => !derived.has(name));
      if (cells.length > 0) kept.set(run!.row.runId, new Map(cells));
    }
    return kept;
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
    let added = false;
    for (const [name, [role, value]] of cells) {
      const column = byName.get(name);
      if (column === undefined) {
        const column = { name, role, type: typeOf(value) };
        merged.push(column);
        byName.set(name, column);
        added = true;
      } else {
        column.type = widen(column.type, typeOf(value));
      }
    }
    // An index written in an earlier order keeps it until a column is added.
    return added ? orderColumns(merged) : merged;
  }

  #write(columns: IndexColumn[], records: string): void {
    this.#appended = undefined;
    const header = formatRecord(columns.map((column) => column.name));
    const text = header + records;
    writeFileAtomic(this.path, text, { durable: true });
    this.#writeSchema(columns, header, encoder.encode(text).length);
  }

  #writeSchema(columns: IndexColumn[], header: string, checked: number): IndexSchema {
    const schema: IndexSchema = { version: SCHEMA_VERSION, header, columns, checked };
    writeFileAtomic(this.schemaPath, formatJson(schema as unknown as JsonValue), { durable: true });
    const file = identify(this.schemaPath);
    this.#known = file === undefined ? undefined : { schema, file };
    return schema;
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
