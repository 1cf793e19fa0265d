// Copyright 2026 the notata authors. MIT license.
/**
 * Value types shared by the notata modules.
 *
 * @module
 */

import type { NumericArray } from "./npy.ts";

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

/**
 * A run's status as readers report it: {@linkcode RunStatus}, or
 * `"crashed"` for a run whose file still says `"initialized"` but whose
 * process is gone (same host: no process with its pid; other host: its
 * heartbeat stopped more than a minute ago).
 *
 * @example Usage
 * ```ts
 * import type { RunState } from "@notata/core";
 *
 * const state: RunState = "crashed";
 * ```
 */
export type RunState = RunStatus | "crashed";

/**
 * One column of a table given to {@linkcode Logbook.frame}: a typed array
 * (its dtype is kept), plain numbers (float64), strings or booleans.
 *
 * @example Usage
 * ```ts
 * import type { FrameColumn } from "@notata/core";
 *
 * const column: FrameColumn = new Float32Array([0.5, 0.25]);
 * ```
 */
export type FrameColumn =
  | Exclude<NumericArray, Float16Array>
  | readonly string[]
  | readonly boolean[];

/**
 * A table as named columns of equal length.
 *
 * @example Usage
 * ```ts
 * import type { FrameColumns } from "@notata/core";
 *
 * const table: FrameColumns = { t: [0, 0.1, 0.2], x: new Float64Array([1, 0.99, 0.96]) };
 * ```
 */
export type FrameColumns = { readonly [name: string]: FrameColumn };
