// Copyright 2026 the notata authors. MIT license.
/**
 * Run ids: the readable, file-safe names of an experiment's runs.
 *
 * @module
 */

import { formatJson } from "./_json.ts";
import type { JsonValue, Params } from "./types.ts";

/** Longest readable run id, in bytes, before it is cut and hashed. */
const MAX_READABLE_BYTES = 200;
const WORD = /^[A-Za-z0-9.+-]+$/;
const NUMBER_TOKEN = /^-?\d+(\.\d+)?(e[+-]\d+)?$/;
const LITERAL_TOKEN = /^(true|false|null)$/;
const UNSAFE = /[^A-Za-z0-9._+-]/g;

function isValueToken(token: string): boolean {
  return NUMBER_TOKEN.test(token) || LITERAL_TOKEN.test(token);
}

function formatValue(value: JsonValue): string {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean" || value === null) {
    return String(value);
  }
  return JSON.stringify(value);
}

// The readable form `key_value_key_value` decodes to exactly one params
// object only under these rules; anything else gets a hash suffix.
function isUnambiguous(params: Params): boolean {
  const keys = Object.keys(params);
  const keysHaveUnderscores = keys.some((key) => key.includes("_"));
  for (const key of keys) {
    const value = params[key];
    const tokens = key.split("_");
    if (!tokens.every((token) => WORD.test(token))) return false;
    // With multi-token keys, value tokens are told apart by their form alone.
    if (keysHaveUnderscores && tokens.some(isValueToken)) return false;
    if (typeof value === "string") {
      // A string must not read as a number, a literal, or two tokens.
      if (keysHaveUnderscores || !WORD.test(value) || isValueToken(value)) return false;
    } else if (typeof value === "object" && value !== null) {
      return false;
    }
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
 * outside `[A-Za-z0-9._+-]`, or would be longer than 200 bytes, a 12-digit
 * hash of the canonical params is appended after `__`. The same params always give the
 * same id.
 *
 * Params must already be valid JSON values (see `Experiment.add`).
 *
 * @param experiment The experiment name, first part of the id.
 * @param params The run's params.
 * @returns The run id; the run directory is `log_<run id>`.
 *
 * @example Readable ids for plain sweeps
 * ```ts
 * import { formatRunId } from "@notata/core";
 * import { assertEquals } from "@std/assert";
 *
 * assertEquals(
 *   formatRunId("oscillator_sweep", { omega: 1, dt: 1e-3 }),
 *   "oscillator_sweep_dt_0.001_omega_1",
 * );
 * ```
 *
 * @example A hash keeps ambiguous params apart
 * ```ts
 * import { formatRunId } from "@notata/core";
 * import { assertNotEquals } from "@std/assert";
 *
 * assertNotEquals(formatRunId("e", { x: "1" }), formatRunId("e", { x: 1 }));
 * ```
 */
export function formatRunId(experiment: string, params: Params): string {
  const parts = [experiment];
  for (const key of Object.keys(params).sort()) {
    parts.push(key, formatValue(params[key]));
  }
  const joined = parts.join("_");
  const readable = joined.replace(UNSAFE, "-");
  const needsHash = readable !== joined || !isUnambiguous(params) ||
    readable.length > MAX_READABLE_BYTES;
  if (!needsHash) return readable;
  // Readable ids never hold "__" after the experiment name, so a hashed id
  // can never equal a readable one. `readable` is ASCII: length is bytes.
  const prefix = readable.slice(0, MAX_READABLE_BYTES - 14);
  return `${prefix}__${hashParams(params)}`;
}
