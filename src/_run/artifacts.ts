// Copyright 2026 the notata authors. MIT license.
// The files a run writes into its directory: artifacts (JSON, text, bytes,
// files written by other code) and data (arrays, frames), each written
// atomically, its subdirectory created on first use.

import { join } from "@std/path";
import type { DataFrame } from "nodejs-polars";
import { ensureParentDir, inDirectory, writeFileAtomic } from "../_files.ts";
import { assertFrameColumns, isDataFrame, toParquet } from "../_frame.ts";
import { assertJsonValue, asWritten, formatJsonData } from "../_json.ts";
import { assertFileName, assertRelativePath } from "../_names.ts";
import { encodeNpz } from "../_npz.ts";
import { assertMetrics } from "../_params.ts";
import { type ArrayData, type NamedArrays, writeNpyFile } from "../npy.ts";
import type { FrameColumns, JsonValue, Params } from "../types.ts";

/** `name` with `extension` appended unless it ends with it. */
export function withExtension(name: string, extension: string): string {
  return name.endsWith(extension) ? name : name + extension;
}

// Checks a file's name and returns it with its extension.
function fileName(action: string, name: string, extension: string): string {
  assertFileName(action, "name", name);
  return withExtension(name, extension);
}

/**
 * Runs `write` on `<sub>/<file>` in the run directory `runDir`, creating
 * `sub` on first use, and returns the path. `write` checks its data before
 * it touches the disk, so bad input leaves no directory behind, and a
 * directory that exists costs no extra system call.
 */
export function writeInto(
  runDir: string,
  sub: string,
  file: string,
  write: (path: string) => void,
): string {
  const path = join(runDir, sub, file);
  inDirectory(join(runDir, sub), () => write(path));
  return path;
}

/** Writes `data` to `artifacts/<file>` atomically; returns the path. */
export function writeArtifact(runDir: string, file: string, data: string | Uint8Array): string {
  return writeInto(runDir, "artifacts", file, (path) => writeFileAtomic(path, data));
}

/**
 * Writes the JSON artifact `name` of the run of `params`; returns its path,
 * and for `metrics` the metrics as the file reads back (keys sorted), so the
 * index can get them without reading the file.
 */
export function writeJsonArtifact(
  runDir: string,
  params: Params,
  name: string,
  data: unknown,
): { path: string; metrics?: { [key: string]: JsonValue } } {
  const action = `Cannot write artifact ${JSON.stringify(name)}`;
  const file = fileName(action, name, ".json");
  const isMetrics = file === "metrics.json";
  if (isMetrics) assertMetrics(action, params, data);
  assertJsonValue(name, data, { action, noun: "value", allowNonFinite: true });
  const path = writeArtifact(runDir, file, formatJsonData(data));
  return isMetrics ? { path, metrics: asWritten(data as { [key: string]: JsonValue }) } : { path };
}

/** Writes the text artifact `name` (`.txt` added); returns its path. */
export function writeTextArtifact(runDir: string, name: string, content: string): string {
  const file = fileName(`Cannot write artifact ${JSON.stringify(name)}`, name, ".txt");
  return writeArtifact(runDir, file, content);
}

/** Writes the artifact `name` as it is; returns its path. */
export function writeBytesArtifact(runDir: string, name: string, data: Uint8Array): string {
  assertFileName(`Cannot write artifact ${JSON.stringify(name)}`, "name", name);
  return writeArtifact(runDir, name, data);
}

/** The path of `relativePath` in the run directory, its parents created. */
export function runFilePath(runDir: string, runId: string, relativePath: string): string {
  assertRelativePath(`Cannot make a path in run "${runId}"`, relativePath);
  const path = join(runDir, relativePath);
  ensureParentDir(path);
  return path;
}

/** Writes `data/<name>.npy`; returns the file name and path. */
export function writeArray(
  runDir: string,
  name: string,
  data: ArrayData,
  shape: readonly number[] | undefined,
): { file: string; path: string } {
  const file = fileName(`Cannot write array ${JSON.stringify(name)}`, name, ".npy");
  const path = writeInto(runDir, "data", file, (path) => {
    writeNpyFile(path, data, shape, `array ${JSON.stringify(name)}`);
  });
  return { file, path };
}

/** Writes `data/<name>.npz`; returns the file name and path. */
export function writeArrays(
  runDir: string,
  name: string,
  arrays: NamedArrays,
  compressed: boolean,
): { file: string; path: string } {
  const action = `Cannot write arrays ${JSON.stringify(name)}`;
  const file = fileName(action, name, ".npz");
  const archive = encodeNpz(arrays, compressed, action);
  return { file, path: writeInto(runDir, "data", file, (path) => writeFileAtomic(path, archive)) };
}

/** Writes `data/<name>.parquet`; returns the file name and path. */
export async function writeFrame(
  runDir: string,
  name: string,
  table: FrameColumns | DataFrame,
): Promise<{ file: string; path: string }> {
  const action = `Cannot write frame ${JSON.stringify(name)}`;
  if (!isDataFrame(table)) assertFrameColumns(action, table);
  const file = fileName(action, name, ".parquet");
  const parquet = await toParquet(table);
  return { file, path: writeInto(runDir, "data", file, (path) => writeFileAtomic(path, parquet)) };
}
