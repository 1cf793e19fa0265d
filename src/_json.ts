// Copyright 2026 the notata authors. MIT license.
// JSON as the Python notata writes it: 2-space indent, sorted keys, and the
// tokens NaN / Infinity / -Infinity for non-finite numbers (Python's `json`
// default), so Python, jq and grep read our files as they read the original.

import { InvalidValueError } from "./errors.ts";
import { readTextIfExists } from "./_files.ts";
import type { JsonValue } from "./types.ts";

/** How {@linkcode assertJsonValue} treats non-finite numbers. */
export interface JsonCheckOptions {
  /** The failed action, first in the error message: "Cannot add run". */
  action: string;
  /** What the checked value is called in messages: "param", "metric". */
  noun: string;
  /** Allow `NaN` and `±Infinity` (metrics may hold them, params may not). */
  allowNonFinite: boolean;
}

function describe(value: unknown): string | undefined {
  switch (typeof value) {
    case "function":
      return "a function";
    case "symbol":
      return "a symbol";
    case "bigint":
      return "a bigint";
    case "undefined":
      return "undefined";
  }
  return undefined;
}

const WELL_FORMED = "well-formed Unicode text";

/**
 * The first lone surrogate in `text`, escaped as `\ud800`, or `undefined`
 * when `text` is well-formed. A lone surrogate is a valid JavaScript string
 * but has no UTF-8 encoding: files would hold U+FFFD in its place.
 */
export function loneSurrogate(text: string): string | undefined {
  if (text.isWellFormed()) return undefined;
  // By code point, a surrogate pair is one two-unit string; a lone one, one unit.
  const lone = Array.from(text).find((char) =>
    char.length === 1 && char >= "\ud800" && char <= "\udfff"
  )!;
  return `\\u${lone.charCodeAt(0).toString(16)}`;
}

/** How deeply arrays and objects may nest in a JSON value notata writes. */
export const MAX_DEPTH = 500;

/**
 * Throws an {@linkcode InvalidValueError} unless `value` is a JSON value made
 * of plain objects, arrays, well-formed strings, booleans, null and numbers.
 */
export function assertJsonValue(
  path: string,
  value: unknown,
  options: JsonCheckOptions,
  ancestors: object[] = [],
): asserts value is JsonValue {
  const fail = (problem: string, accepted = "a JSON value"): never => {
    throw new InvalidValueError(
      `${options.action}: ${options.noun} "${path}" ${problem}, expected ${accepted}`,
    );
  };
  if (typeof value === "string") {
    const lone = loneSurrogate(value);
    if (lone !== undefined) fail(`holds a lone surrogate (${lone})`, WELL_FORMED);
    return;
  }
  if (value === null || typeof value === "boolean") return;
  if (typeof value === "number") {
    if (!Number.isFinite(value) && !options.allowNonFinite) {
      fail(`is ${value}`, "a finite number");
    }
    return;
  }
  const kind = describe(value);
  if (kind !== undefined) fail(`is ${kind}`);
  // Deeper values would overflow the stack of this check, and Python's json.
  if (ancestors.length >= MAX_DEPTH) {
    fail(`nests deeper than ${MAX_DEPTH} levels`, `at most ${MAX_DEPTH}`);
  }
  const object = value as object;
  if (ancestors.includes(object)) fail("is a circular reference");
  const prototype = Object.getPrototypeOf(object);
  if (Array.isArray(object)) {
    ancestors.push(object);
    // An index loop, not forEach: holes in sparse arrays are undefined.
    for (let i = 0; i < object.length; i++) {
      assertJsonValue(`${path}[${i}]`, object[i], options, ancestors);
    }
    ancestors.pop();
    return;
  }
  if (prototype !== Object.prototype && prototype !== null) {
    const name = prototype?.constructor?.name ?? "unknown";
    fail(
      `is an instance of ${name}`,
      "a JSON value (plain object, array, string, number, boolean or null)",
    );
  }
  ancestors.push(object);
  for (const [key, item] of Object.entries(object)) {
    const lone = loneSurrogate(key);
    if (lone !== undefined) {
      fail(`has key ${JSON.stringify(key)}, which holds a lone surrogate (${lone})`, WELL_FORMED);
    }
    assertJsonValue(`${path}.${key}`, item, options, ancestors);
  }
  ancestors.pop();
}

/**
 * Orders strings by Unicode code point, as Python's `sort_keys` does; plain
 * `sort()` compares UTF-16 code units, which puts astral characters (stored
 * as surrogate pairs, 0xD800-0xDFFF) before U+E000-U+FFFF. A lone surrogate
 * counts as its own code point, as in Python.
 */
export function compareCodePoints(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    if (a.charCodeAt(i) === b.charCodeAt(i)) continue;
    // The strings may first differ in the low half of a pair: compare the
    // code points that start one unit earlier, then (both lone) these ones.
    const high = a.charCodeAt(i - 1);
    if (i > 0 && high >= 0xd800 && high <= 0xdbff) {
      const before = a.codePointAt(i - 1)! - b.codePointAt(i - 1)!;
      if (before !== 0) return before;
    }
    return a.codePointAt(i)! - b.codePointAt(i)!;
  }
  return a.length - b.length;
}

// `negativeZero` is how -0 is written: "0" where it must equal 0 (params,
// whose text is hashed into run ids), "-0.0" where it is data, as Python's
// json writes -0.0.
function formatNumber(value: number, negativeZero: string): string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Infinity) return "Infinity";
  if (value === -Infinity) return "-Infinity";
  if (Object.is(value, -0)) return negativeZero;
  return JSON.stringify(value);
}

// `indent` undefined writes compact JSON: no whitespace at all.
function write(value: JsonValue, indent: string | undefined, negativeZero = "0"): string {
  if (value === null || typeof value !== "object") {
    return typeof value === "number" ? formatNumber(value, negativeZero) : JSON.stringify(value);
  }
  const inner = indent === undefined ? undefined : indent + "  ";
  const [open, separator, close, colon] = inner === undefined
    ? ["", ",", "", ":"]
    : [`\n${inner}`, `,\n${inner}`, `\n${indent}`, ": "];
  if (Array.isArray(value)) {
    if (value.length === 0) return "[]";
    const items = value.map((item) => write(item, inner, negativeZero));
    return `[${open}${items.join(separator)}${close}]`;
  }
  const keys = Object.keys(value).sort(compareCodePoints);
  if (keys.length === 0) return "{}";
  const items = keys.map((key) =>
    `${JSON.stringify(key)}${colon}${write(value[key], inner, negativeZero)}`
  );
  return `{${open}${items.join(separator)}${close}}`;
}

function isFlatObject(
  value: JsonValue,
): value is { [key: string]: string | number | boolean | null } {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return false;
  for (const key in value) {
    const item = value[key];
    if (item !== null && typeof item === "object") return false;
  }
  return true;
}

/**
 * A copy of a checked JSON value. A flat object (the common params) is
 * copied by a spread, several times cheaper than `structuredClone`.
 */
export function copyJson<T extends JsonValue>(value: T): T {
  return isFlatObject(value) ? { ...(value as object) } as T : structuredClone(value);
}

/**
 * The checked JSON object `value` as `parseJson(formatJsonData(value))`
 * gives it back (keys sorted), without formatting and parsing a flat object.
 */
export function asWritten(value: { [key: string]: JsonValue }): { [key: string]: JsonValue } {
  if (!isFlatObject(value)) return parseJson(formatJsonData(value)) as { [key: string]: JsonValue };
  const copy: { [key: string]: JsonValue } = {};
  for (const key of Object.keys(value).sort(compareCodePoints)) copy[key] = value[key];
  return copy;
}

/**
 * Formats a JSON value with sorted keys and a 2-space indent, newline-
 * terminated. `-0` is written `0`: params `-0` and `0` are one run.
 */
export function formatJson(value: JsonValue): string {
  return write(value, "") + "\n";
}

/**
 * Formats a JSON value as {@linkcode formatJson} does, except `-0`, written
 * `-0.0` as Python's `json` writes it: for data (artifacts, metrics), which
 * must read back exactly.
 */
export function formatJsonData(value: JsonValue): string {
  return write(value, "", "-0.0") + "\n";
}

/**
 * Formats a JSON value on one line without whitespace, keys sorted and
 * non-finite numbers as `NaN` / `Infinity` / `-Infinity`, as Python's
 * `json.dumps(value, separators=(",", ":"), sort_keys=True)` writes it: the
 * canonical text of a value, the same for any key order.
 */
export function formatJsonCompact(value: JsonValue): string {
  return write(value, undefined);
}

/** One leaf of a flattened object: its dotted name and the keys that lead to it. */
export interface FlatEntry {
  /** The keys joined with ".": the index column name. */
  name: string;
  /** The keys from the top-level object down to the value. */
  path: string[];
  /** The value: a scalar, an array or an empty object. */
  value: JsonValue;
}

/**
 * Flattens nested plain objects into dotted names, as index columns are
 * named: `{ loss: { train: 1 } }` gives `loss.train`. Arrays and empty
 * objects are leaves. Two paths can give one name (`{ "a.b": 1, a: { b: 2 } }`):
 * every leaf is returned, so callers can see both.
 */
export function flattenObject(
  object: { [key: string]: JsonValue },
  path: string[] = [],
  into: FlatEntry[] = [],
): FlatEntry[] {
  for (const [key, value] of Object.entries(object)) {
    const keys = [...path, key];
    if (
      value !== null && typeof value === "object" && !Array.isArray(value) &&
      Object.keys(value).length > 0
    ) {
      flattenObject(value, keys, into);
    } else {
      into.push({ name: keys.join("."), path: keys, value });
    }
  }
  return into;
}

const NON_FINITE_TOKEN = /"(?:[^"\\]|\\.)*"|(-?Infinity|NaN)/g;
// A NUL-prefixed marker: no string in a real file starts with it.
const NON_FINITE_MARK = "\u0000notata-non-finite:";

/**
 * Parses JSON text, including the NaN / Infinity / -Infinity tokens that
 * Python's `json` writes.
 */
export function parseJson(text: string): JsonValue {
  try {
    return JSON.parse(text);
  } catch (error) {
    if (!/NaN|Infinity/.test(text)) throw error;
  }
  const marked = text.replace(
    NON_FINITE_TOKEN,
    (match, token) => token === undefined ? match : `"\\u0000notata-non-finite:${token}"`,
  );
  return JSON.parse(marked, (_key, value) => {
    if (typeof value === "string" && value.startsWith(NON_FINITE_MARK)) {
      return Number(value.slice(NON_FINITE_MARK.length));
    }
    return value;
  });
}

/** A JSON object file: its value, `undefined` if missing, or the parse problem. */
export function readJsonObject(
  path: string,
): { value?: { [key: string]: JsonValue }; problem?: string } {
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
