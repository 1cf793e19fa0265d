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

/**
 * Throws an {@linkcode InvalidValueError} unless `value` is a JSON value made
 * of plain objects, arrays, strings, booleans, null and numbers.
 */
export function assertJsonValue(
  path: string,
  value: unknown,
  options: JsonCheckOptions,
  ancestors: object[] = [],
): asserts value is JsonValue {
  const fail = (problem: string, accepted = "a JSON value"): never => {
    throw new InvalidValueError(
      `${options.action}: ${options.noun} "${path}" is ${problem}, expected ${accepted}`,
    );
  };
  if (value === null || typeof value === "string" || typeof value === "boolean") {
    return;
  }
  if (typeof value === "number") {
    if (!Number.isFinite(value) && !options.allowNonFinite) {
      fail(String(value), "a finite number");
    }
    return;
  }
  const kind = describe(value);
  if (kind !== undefined) fail(kind);
  const object = value as object;
  if (ancestors.includes(object)) fail("a circular reference");
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
      `an instance of ${name}`,
      "a JSON value (plain object, array, string, number, boolean or null)",
    );
  }
  ancestors.push(object);
  for (const [key, item] of Object.entries(object)) {
    assertJsonValue(`${path}.${key}`, item, options, ancestors);
  }
  ancestors.pop();
}

/**
 * Orders strings by Unicode code point, as Python's `sort_keys` does; plain
 * `sort()` compares UTF-16 code units, which puts astral characters (stored
 * as surrogates, 0xD800-0xDFFF) before U+E000-U+FFFF.
 */
function compareCodePoints(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    const xSurrogate = x >= 0xd800 && x <= 0xdfff;
    const ySurrogate = y >= 0xd800 && y <= 0xdfff;
    if (xSurrogate !== ySurrogate) return xSurrogate ? 1 : -1;
    return x - y;
  }
  return a.length - b.length;
}

function formatNumber(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Infinity) return "Infinity";
  if (value === -Infinity) return "-Infinity";
  return JSON.stringify(value);
}

function write(value: JsonValue, indent: string): string {
  if (value === null || typeof value !== "object") {
    return typeof value === "number" ? formatNumber(value) : JSON.stringify(value);
  }
  const inner = indent + "  ";
  if (Array.isArray(value)) {
    if (value.length === 0) return "[]";
    const items = value.map((item) => inner + write(item, inner));
    return `[\n${items.join(",\n")}\n${indent}]`;
  }
  const keys = Object.keys(value).sort(compareCodePoints);
  if (keys.length === 0) return "{}";
  const items = keys.map((key) => `${inner}${JSON.stringify(key)}: ${write(value[key], inner)}`);
  return `{\n${items.join(",\n")}\n${indent}}`;
}

/** Formats a JSON value with sorted keys and a 2-space indent, newline-terminated. */
export function formatJson(value: JsonValue): string {
  return write(value, "") + "\n";
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
