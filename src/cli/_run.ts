// Copyright 2026 the notata authors. MIT license.
// One run as `show` and `diff` present it, and the end of its log.

import { join } from "@std/path";
import { isTemporaryFile } from "../_files.ts";
import type { LogReader } from "../log_reader.ts";
import type { JsonValue } from "../types.ts";
import { shownState } from "./_common.ts";

/** A JSON object, such as params or metadata. */
export type JsonObject = { [key: string]: JsonValue };

/** What a run recorded: params, metadata (with its shown status) and metrics. */
export interface RunDetails {
  runId: string;
  params: JsonObject;
  metadata: JsonObject;
  metrics: JsonObject;
}

/** The metadata keys shown first, in this order; the others follow sorted. */
const METADATA_ORDER = [
  "status",
  "start_time",
  "end_time",
  "runtime_sec",
  "failure_reason",
  "hostname",
  "pid",
];

/** `object` with the keys in `first` (those it has) first, the rest sorted. */
function ordered(object: JsonObject, first: string[]): JsonObject {
  const keys = [
    ...first.filter((key) => key in object),
    ...Object.keys(object).filter((key) => !first.includes(key)).sort(),
  ];
  return Object.fromEntries(keys.map((key) => [key, object[key]]));
}

/**
 * Reads the params, metadata and metrics (`artifacts/metrics.json`, when
 * there is one) of `run`. The metadata's `status` is the run's state as
 * shown: `running`, `crashed`, `complete` or `failed`.
 */
export function readRunDetails(run: LogReader): RunDetails {
  const metadata = run.meta;
  if ("status" in metadata) metadata.status = shownState(run.status);
  const metrics = run.artifacts.includes("metrics.json") ? run.loadJson("metrics") : {};
  return {
    runId: run.runId,
    params: run.params,
    metadata: ordered(metadata, METADATA_ORDER),
    metrics: metrics !== null && typeof metrics === "object" && !Array.isArray(metrics)
      ? metrics
      : { metrics },
  };
}

/** One file of a run directory: its path relative to the run directory, and size. */
export interface RunFile {
  path: string;
  size: number;
}

/** Every file under the run directory, sorted, with sizes; temporary files left out. */
export function runFiles(dir: string): RunFile[] {
  const files: RunFile[] = [];
  const walk = (path: string, prefix: string): void => {
    for (const entry of Deno.readDirSync(path)) {
      const child = join(path, entry.name);
      if (entry.isDirectory) {
        walk(child, `${prefix}${entry.name}/`);
      } else if (!isTemporaryFile(entry.name)) {
        try {
          files.push({ path: prefix + entry.name, size: Deno.statSync(child).size });
        } catch (error) {
          // Gone since it was listed (a run still writing), or a dangling link.
          if (!(error instanceof Deno.errors.NotFound)) throw error;
        }
      }
    }
  };
  walk(dir, "");
  return files.sort((a, b) => a.path < b.path ? -1 : a.path > b.path ? 1 : 0);
}

/** The path of a run's text log. */
export function logPath(run: LogReader): string {
  return join(run.path, "log.txt");
}

const decoder = new TextDecoder();

/** Up to `length` bytes of `file` from byte `from`: fewer when the file ends before. */
export function readAt(file: Deno.FsFile, from: number, length: number): Uint8Array {
  const data = new Uint8Array(length);
  file.seekSync(from, Deno.SeekMode.Start);
  let read = 0;
  while (read < length) {
    const n = file.readSync(data.subarray(read));
    if (n === null) break;
    read += n;
  }
  return data.subarray(0, read);
}

/**
 * The last `count` lines of the file at `path` (none when it does not
 * exist), and its size: read backwards in blocks, so a long log costs no
 * more than its end.
 */
export function readLastLines(path: string, count: number): { lines: string[]; size: number } {
  let file: Deno.FsFile;
  try {
    file = Deno.openSync(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return { lines: [], size: 0 };
    throw error;
  }
  using _ = file;
  const size = file.statSync().size;
  const block = 64 * 1024;
  let start = size;
  let chunks: Uint8Array[] = [];
  let newlines = 0;
  // One more line end than lines wanted: the file's last byte is usually one.
  while (start > 0 && newlines <= count) {
    const from = Math.max(0, start - block);
    const chunk = readAt(file, from, start - from);
    for (const byte of chunk) if (byte === 10) newlines++;
    chunks = [chunk, ...chunks];
    start = from;
  }
  const text = decoder.decode(concat(chunks));
  const lines = text.split("\n");
  if (lines.at(-1) === "") lines.pop();
  return { lines: count === 0 ? [] : lines.slice(-count), size };
}

function concat(chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((sum, chunk) => sum + chunk.length, 0));
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}
