// Copyright 2026 the notata authors. MIT license.
// Reading back what a run directory holds, tolerant of missing and damaged
// files: a run with a torn metrics.json still has a status.

import { join } from "@std/path";
import { parseJson } from "./_json.ts";
import { readTextIfExists } from "./_files.ts";
import type { JsonValue, Params } from "./types.ts";

type JsonObject = { [key: string]: JsonValue };

/** A JSON object file: its value, `undefined` if missing, or the parse problem. */
export function readJsonObject(path: string): { value?: JsonObject; problem?: string } {
  const text = readTextIfExists(path);
  if (text === undefined) return {};
  try {
    const value = parseJson(text);
    if (value !== null && typeof value === "object" && !Array.isArray(value)) return { value };
    return {
      problem: `${path} holds ${
        Array.isArray(value) ? "an array" : typeof value
      }, expected an object`,
    };
  } catch (error) {
    return {
      problem: `${path} is not valid JSON (${
        error instanceof Error ? error.message : String(error)
      })`,
    };
  }
}

/** What a run directory records; `undefined` fields are missing or damaged. */
export interface RunRecord {
  metadata?: JsonObject;
  params?: Params;
  metrics?: JsonObject;
  metricsProblem?: string;
}

/** Reads metadata, params and metrics of the run directory `dir`. */
export function readRunRecord(dir: string): RunRecord {
  const metrics = readJsonObject(join(dir, "artifacts", "metrics.json"));
  return {
    metadata: readJsonObject(join(dir, "metadata.json")).value,
    params: readJsonObject(join(dir, "params.json")).value,
    metrics: metrics.value,
    metricsProblem: metrics.problem,
  };
}
