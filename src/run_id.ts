// Copyright 2026 the notata authors. MIT license.
// Run ids: the readable, file-safe names of an experiment's runs. Users get
// them from `Experiment#runId`, whose examples show the rules below.

import { formatJson, formatJsonCompact } from "./_json.ts";
import type { JsonValue, Params } from "./types.ts";

/** Longest readable run id, in bytes, before it is cut and hashed. */
const MAX_READABLE_BYTES = 200;
const WORD = /^[A-Za-z0-9.+-]+$/;
// Case-insensitive: macOS and Windows compare file names without case, so a
// key token "1E+21" or "True" could be read there as a value.
const NUMBER_TOKEN = /^-?\d+(\.\d+)?(e[+-]\d+)?$/i;
const LITERAL_TOKEN = /^(true|false|null)$/i;
const UNSAFE = /[^A-Za-z0-9._+-]/g;

function isValueToken(token: string): boolean {
  return NUMBER_TOKEN.test(token) || LITERAL_TOKEN.test(token);
}

function formatValue(value: JsonValue): string {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean" || value === null) {
    return String(value);
  }
  return formatJsonCompact(value);
}

// Readable ids are read back in one of two ways, and each params object is
// kept readable only when its id can be read back one way alone, even by a
// file system that ignores case (macOS, Windows):
// - pairs: no key has "_", so tokens alternate key, value (a value is a
//   number, true/false/null, or a one-word string without capitals that
//   cannot be taken for one of those);
// - runs: some key has "_", every value is a number or literal and no key
//   token looks like one in any case, so values mark where keys end. Such an
//   id is hashed if it could also be read as pairs: an even number of tokens
//   whose would-be keys, in some case, ascend as sorted keys do.
// So two readable ids that differ only in case belong to params that differ
// only in the case of keys.
function isUnambiguous(keys: string[], params: Params): boolean {
  const tokens: string[] = [];
  for (const key of keys) {
    const keyTokens = key.split("_");
    if (!keyTokens.every((token) => WORD.test(token))) return false;
    tokens.push(...keyTokens);
    const value = params[key];
    if (typeof value === "object" && value !== null) return false;
    const text = formatValue(value);
    if (
      typeof value === "string" && (!WORD.test(text) || isValueToken(text) || /[A-Z]/.test(text))
    ) return false;
    tokens.push(text);
  }
  if (keys.every((key) => !key.includes("_"))) return true;
  if (keys.some((key) => typeof params[key] === "string")) return false;
  if (keys.some((key) => key.split("_").some(isValueToken))) return false;
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

/**
 * Returns the run id of `params` in the experiment `experiment`:
 * `<experiment>_<key>_<value>_...` over the params sorted by key, numbers in
 * their shortest round-trip form. Distinct params never share an id: when
 * the readable form could be read back as other params, needed characters
 * outside `[A-Za-z0-9._+-]`, holds a string value with capitals, ends in
 * `.` or would be longer than 200 bytes, a 12-digit hash of the canonical
 * params is appended after `__`. The same params always give the same id,
 * whatever the order of their keys, nested ones included.
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
  const keys = Object.keys(params).sort();
  const parts = [experiment];
  for (const key of keys) parts.push(key, formatValue(params[key]));
  const joined = parts.join("_");
  const readable = joined.replace(UNSAFE, "-");
  // Windows drops a trailing dot: "e_x_a." would open the directory "e_x_a".
  const needsHash = readable !== joined || !isUnambiguous(keys, params) ||
    readable.length > MAX_READABLE_BYTES || readable.endsWith(".");
  if (!needsHash) return readable;
  // Readable ids never hold "__" after the experiment name, so a hashed id
  // can never equal a readable one. `readable` is ASCII: length is bytes.
  const prefix = readable.slice(0, MAX_READABLE_BYTES - 14);
  return `${prefix}__${hashParams(params)}`;
}
