// Copyright 2026 the notata authors. MIT license.
// Params are checked whole before a run touches the disk.

import { assertJsonValue, flattenObject, loneSurrogate } from "./_json.ts";
import { CONTROL } from "./_names.ts";
import { InvalidValueError } from "./errors.ts";
import type { JsonValue, Params } from "./types.ts";

/** The column names the index itself uses: no param or metric may take them. */
export const RESERVED_COLUMNS: readonly string[] = [
  "run_id",
  "status",
  "runtime_sec",
  "failure_reason",
];

/** Throws an {@linkcode InvalidValueError} unless `params` can be stored and indexed. */
export function assertParams(action: string, params: unknown): asserts params is Params {
  if (params === null || typeof params !== "object" || Array.isArray(params)) {
    throw new InvalidValueError(
      `${action}: params ${
        Array.isArray(params) ? "is an array" : `is ${String(params)}`
      }, expected a plain object of JSON values`,
    );
  }
  for (const [key, value] of Object.entries(params)) {
    if (key.length === 0 || CONTROL.test(key)) {
      throw new InvalidValueError(
        `${action}: param name ${
          JSON.stringify(key)
        } is empty or has a control character, expected a printable name`,
      );
    }
    const lone = loneSurrogate(key);
    if (lone !== undefined) {
      throw new InvalidValueError(
        `${action}: param name ${
          JSON.stringify(key)
        } holds a lone surrogate (${lone}), expected well-formed Unicode text`,
      );
    }
    if (RESERVED_COLUMNS.includes(key)) {
      throw new InvalidValueError(
        `${action}: param "${key}" is a reserved index column, expected a name other than ${
          RESERVED_COLUMNS.map((name) => `"${name}"`).join(", ")
        }`,
      );
    }
    assertJsonValue(key, value, { action, noun: "param", allowNonFinite: false });
  }
  assertDistinctColumns(action, { params: params as Params });
}

// The common case, checked without flattening: objects whose values are all
// plain (not objects or arrays) and whose keys hold no "." and differ.
function haveDistinctFlatKeys(objects: { [key: string]: JsonValue }[]): boolean {
  const seen = new Set<string>();
  for (const object of objects) {
    for (const key in object) {
      const value = object[key];
      if (key.includes(".") || (value !== null && typeof value === "object")) return false;
      if (objects.length > 1) {
        if (seen.has(key)) return false;
        seen.add(key);
      }
    }
  }
  return true;
}

/**
 * Throws an {@linkcode InvalidValueError} unless the leaves of `objects`
 * (JSON values, keyed by what the message calls them: `params`, `metrics`)
 * all get index columns of their own. Nested keys are joined with "." into
 * one column name, so `{ "a.b": 1, a: { b: 2 } }` would write two values to
 * the column `a.b`.
 */
export function assertDistinctColumns(
  action: string,
  objects: { [root: string]: { [key: string]: JsonValue } },
): void {
  if (haveDistinctFlatKeys(Object.values(objects))) return;
  const spellings = new Map<string, string>();
  for (const [root, object] of Object.entries(objects)) {
    for (const { name, path } of flattenObject(object)) {
      const spelling = root + path.map((key) => `[${JSON.stringify(key)}]`).join("");
      const first = spellings.get(name);
      if (first !== undefined) {
        throw new InvalidValueError(
          `${action}: ${first} and ${spelling} are both index column ${
            JSON.stringify(name)
          }, expected names that stay distinct when nested keys are joined with "."`,
        );
      }
      spellings.set(name, spelling);
    }
  }
}

/**
 * Throws an {@linkcode InvalidValueError} unless `data` can be the metrics of
 * a run of `params`: a plain object of JSON values whose keys are not params
 * or reserved column names and stay distinct from them as index columns.
 */
export function assertMetrics(
  action: string,
  params: Params,
  data: unknown,
): asserts data is { [key: string]: JsonValue } {
  if (data === null || typeof data !== "object" || Array.isArray(data)) {
    throw new InvalidValueError(
      `${action}: metrics is ${JSON.stringify(data)}, expected a plain object of values`,
    );
  }
  for (const [key, value] of Object.entries(data)) {
    const isParam = Object.hasOwn(params, key);
    if (isParam || RESERVED_COLUMNS.includes(key)) {
      throw new InvalidValueError(
        `${action}: metric "${key}" is ${
          isParam ? "also a param" : "a reserved index column"
        }, expected a metric name distinct from params and from ${
          RESERVED_COLUMNS.map((name) => `"${name}"`).join(", ")
        }`,
      );
    }
    // Before flattening, which a circular value would never finish.
    assertJsonValue(key, value, { action, noun: "metric", allowNonFinite: true });
  }
  assertDistinctColumns(action, { params, metrics: data as { [key: string]: JsonValue } });
}
