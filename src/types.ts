// Copyright 2026 the notata authors. MIT license.
/**
 * Value types shared by the notata modules.
 *
 * @module
 */

/**
 * A value that can be written to a JSON file: what params, metadata and
 * metrics are made of. Metrics and artifacts may also hold `NaN` and
 * `±Infinity`, written as Python's `json` module writes them.
 *
 * @example Usage
 * ```ts
 * import type { JsonValue } from "@notata/core";
 *
 * const value: JsonValue = { omega: 2, tags: ["a", "b"], converged: true };
 * ```
 */
export type JsonValue =
  | string
  | number
  | boolean
  | null
  | JsonValue[]
  | { [key: string]: JsonValue };

/**
 * The parameters of one run: a plain object of JSON values.
 *
 * @example Usage
 * ```ts
 * import type { Params } from "@notata/core";
 *
 * const params: Params = { omega: 2, dt: 1e-3, method: "verlet" };
 * ```
 */
export type Params = { [key: string]: JsonValue };

/**
 * The life cycle of a run, as stored in `metadata.json`: `initialized` while
 * it runs, then `complete` or `failed`.
 *
 * @example Usage
 * ```ts
 * import type { RunStatus } from "@notata/core";
 *
 * const status: RunStatus = "complete";
 * ```
 */
export type RunStatus = "initialized" | "complete" | "failed";
