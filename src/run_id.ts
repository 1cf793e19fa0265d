// Copyright 2026 the notata authors. MIT license.
// Run ids: the readable, file-safe names of an experiment's runs, equal to
// the Python notata's wherever its id loses nothing. Users get them from
// `Experiment#runId`, whose examples show the rules below.

import { compareCodePoints, formatJson, formatJsonCompact } from "./_json.ts";
import { formatG5, isPythonInt, losslessG5, pythonStr, type PythonView } from "./_python_str.ts";
import type { JsonValue, Params } from "./types.ts";

/** Longest readable run id, in bytes, before it is cut and hashed. */
const MAX_READABLE_BYTES = 200;
const WORD = /^[A-Za-z0-9.+-]+$/;
const UNSAFE = /[^A-Za-z0-9._+-]/g;

// How one version of the rule writes values and which tokens it takes for
// values. Tokens are compared without case: macOS and Windows compare file
// names without case, so a key token "1E+21" or "TRUE" could be read there
// as a value.
interface Spelling {
  /** A number, boolean or null as the id writes it. */
  scalar(value: number | boolean | null): string;
  /** Whether a token reads as a number or literal, in any case. */
  isValueToken(token: string): boolean;
  /** What follows the experiment name in the id of empty params. */
  emptySuffix: string;
}

// Python's spelling, the original's: `str()` of an int, `.5g` of a float
// where it reads back as the same number (else the shortest form that does,
// which the original cannot match anyway), True, False, None. The id of
// empty params is the original's `f"{name}_"`.
const CURRENT: Spelling = {
  scalar(value) {
    if (value === null) return "None";
    if (typeof value === "boolean") return value ? "True" : "False";
    if (isPythonInt(value, "as-read")) return String(value);
    return losslessG5(value) ?? String(value);
  },
  isValueToken: (token) =>
    /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(token) ||
    /^(true|false|null|none|nan|inf|infinity)$/i.test(token),
  emptySuffix: "_",
};

// The rule of earlier versions, before ids followed the original's: kept
// only to find run directories it named, so upgrading reruns nothing.
const PREVIOUS: Spelling = {
  scalar: (value) => String(value),
  isValueToken: (token) =>
    /^-?\d+(\.\d+)?(e[+-]\d+)?$/i.test(token) || /^(true|false|null)$/i.test(token),
  emptySuffix: "",
};

function formatValue(value: JsonValue, spelling: Spelling): string {
  if (typeof value === "string") return value;
  if (typeof value === "object" && value !== null) return formatJsonCompact(value);
  return spelling.scalar(value);
}

// Readable ids are read back in one of two ways, and each params object is
// kept readable only when its id can be read back one way alone, even by a
// file system that ignores case (macOS, Windows):
// - pairs: no key has "_", so tokens alternate key, value (a value is a
//   number, a literal, or a one-word string without capitals that cannot be
//   taken for one of those);
// - runs: some key has "_", every value is a number or literal and no key
//   token looks like one in any case, so values mark where keys end. Such an
//   id is hashed if it could also be read as pairs: an even number of tokens
//   whose would-be keys, in some case, ascend as sorted keys do.
// So two readable ids that differ only in case belong to params that differ
// only in the case of keys.
function isUnambiguous(keys: string[], params: Params, spelling: Spelling): boolean {
  const tokens: string[] = [];
  for (const key of keys) {
    const keyTokens = key.split("_");
    if (!keyTokens.every((token) => WORD.test(token))) return false;
    tokens.push(...keyTokens);
    const value = params[key];
    if (typeof value === "object" && value !== null) return false;
    const text = formatValue(value, spelling);
    if (
      typeof value === "string" &&
      (!WORD.test(text) || spelling.isValueToken(text) || /[A-Z]/.test(text))
    ) return false;
    tokens.push(text);
  }
  if (keys.every((key) => !key.includes("_"))) return true;
  if (keys.some((key) => typeof params[key] === "string")) return false;
  if (keys.some((key) => key.split("_").some(spelling.isValueToken))) return false;
  return !readsAsPairs(tokens);
}

// Each would-be key must be able to sort before the next in some case: the
// one in capitals before the next in lower case. Checked pair by pair, this
// is looser than one casing for all, so a few ids are hashed needlessly.
function readsAsPairs(tokens: string[]): boolean {
  if (tokens.length % 2 !== 0) return false;
  for (let i = 2; i < tokens.length; i += 2) {
    if (!(tokens[i - 2].toUpperCase() < tokens[i].toLowerCase())) return false;
  }
  return true;
}

// 64-bit FNV-1a over the UTF-8 of the canonical params: a synchronous,
// dependency-free, stable hash; 48 of its bits are kept.
function hashParams(params: Params): string {
  let hash = 0xcbf29ce484222325n;
  for (const byte of new TextEncoder().encode(formatJson(params))) {
    hash ^= BigInt(byte);
    hash = (hash * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return hash.toString(16).padStart(16, "0").slice(0, 12);
}

function buildRunId(experiment: string, params: Params, spelling: Spelling): string {
  const keys = Object.keys(params).sort();
  const pairs = keys.map((key) => `${key}_${formatValue(params[key], spelling)}`);
  const joined = keys.length === 0
    ? experiment + spelling.emptySuffix
    : [experiment, ...pairs].join("_");
  const readable = joined.replace(UNSAFE, "-");
  // Windows drops a trailing dot: "e_x_a." would open the directory "e_x_a".
  const needsHash = readable !== joined || !isUnambiguous(keys, params, spelling) ||
    readable.length > MAX_READABLE_BYTES || readable.endsWith(".");
  if (!needsHash) return readable;
  // Readable ids never hold "__" after the experiment name, so a hashed id
  // can never equal a readable one. `readable` is ASCII: length is bytes.
  const prefix = readable.slice(0, MAX_READABLE_BYTES - 14);
  return `${prefix}__${hashParams(params)}`;
}

/**
 * Returns the run id of `params` in the experiment `experiment`, the Python
 * notata's id wherever that one loses nothing:
 * `<experiment>_<key>_<value>_...` over the params sorted by key; integers
 * as digits, other numbers as Python's `.5g` (`0.001`, `1e-07`) when that
 * reads back as the same number, else in their shortest round-trip form;
 * `True`, `False`, `None`; and `<experiment>_` for no params. Distinct
 * params never share an id: when the readable form could be read back as
 * other params, needed characters outside `[A-Za-z0-9._+-]`, holds a nested
 * value or a string value that is empty, has capitals or reads as a number
 * or literal, ends in `.` or would be longer than 200 bytes, a 12-digit hash
 * of the canonical params is appended after `__`. The same params always
 * give the same id, whatever the order of their keys, nested ones included.
 *
 * File systems that ignore case (macOS, Windows) see two ids that differ only
 * in case as one directory. Capitals in string values are hashed for that
 * reason (`{ x: "A" }` and `{ x: "a" }` get distinct directories), but keys
 * keep their case, as `N`, `L` and `T` deserve readable ids: params that
 * differ only in the case of a key (`{ N: 1 }` and `{ n: 1 }`) share a
 * directory there.
 *
 * Params must already be valid JSON values (see `Experiment.add`).
 *
 * @param experiment The experiment name, first part of the id.
 * @param params The run's params.
 * @returns The run id; the run directory is `log_<run id>`.
 */
export function formatRunId(experiment: string, params: Params): string {
  return buildRunId(experiment, params, CURRENT);
}

// The original's `_generate_run_id` for params as Python holds them under
// `view`: `f"{name}_" + "_".join(f"{k}_{safe(v)}")` over sorted keys, where
// safe(v) is `f"{v:.5g}"` for a float, else `str(v)` with "/" and " " as "_".
function originalRunId(experiment: string, params: Params, view: PythonView): string {
  const keys = Object.keys(params).sort(compareCodePoints);
  const parts = keys.map((key) => {
    const value = params[key];
    const text = typeof value === "number" && !isPythonInt(value, view.numbers)
      ? formatG5(value)
      : pythonStr(value, view).replaceAll("/", "_").replaceAll(" ", "_");
    return `${key}_${text}`;
  });
  return `${experiment}_${parts.join("_")}`;
}

// Whether `value` holds a dict (whose key order Python's repr shows) or an
// integer (which a Python user may have written as a float).
function holds(value: JsonValue, kind: "dict" | "integer"): boolean {
  if (typeof value === "number") return kind === "integer" && Number.isInteger(value);
  if (value === null || typeof value !== "object") return false;
  if (!Array.isArray(value) && kind === "dict") return true;
  return Object.values(value).some((item) => holds(item, kind));
}

// Linux takes any name up to 255 bytes without "/" or NUL; others cannot
// have been made.
function isFileName(id: string): boolean {
  if (/[/\0]/.test(id)) return false;
  // Each UTF-16 unit is at most 3 bytes of UTF-8.
  return id.length <= 83 || new TextEncoder().encode(`log_${id}`).length <= 255;
}

/**
 * The other ids the run of `params` may have been made under, most likely
 * first: the id of the previous rule (so an experiment made before the
 * upgrade reruns nothing), and the Python notata's for these params read
 * from our params file, written with floats (`1.0`), and with nested keys
 * in the given or sorted order. Only names a directory can have are listed;
 * {@linkcode formatRunId}'s may be among them. Several params can share an
 * original's id: a directory found under one must hold these params.
 *
 * @param experiment The experiment name.
 * @param params The run's params, valid JSON values.
 * @returns Distinct run ids.
 */
export function formerRunIds(experiment: string, params: Params): string[] {
  const ids = new Set([buildRunId(experiment, params, PREVIOUS)]);
  const values = Object.values(params);
  const numbers: PythonView["numbers"][] = values.some((value) => holds(value, "integer"))
    ? ["as-read", "floats"]
    : ["as-read"];
  const orders = values.some((value) => holds(value, "dict")) ? [false, true] : [false];
  for (const view of numbers) {
    for (const sortedKeys of orders) {
      ids.add(originalRunId(experiment, params, { numbers: view, sortedKeys }));
    }
  }
  return [...ids].filter(isFileName);
}
