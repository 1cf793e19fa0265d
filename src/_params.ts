// Copyright 2026 the notata authors. MIT license.
// Params are checked whole before a run touches the disk.

import { assertJsonValue } from "./_json.ts";
import { CONTROL } from "./_names.ts";
import { InvalidValueError } from "./errors.ts";
import { RESERVED_COLUMNS } from "./index_csv.ts";
import type { Params } from "./types.ts";

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
    if (RESERVED_COLUMNS.includes(key)) {
      throw new InvalidValueError(
        `${action}: param "${key}" is a reserved index column, expected a name other than ${
          RESERVED_COLUMNS.map((name) => `"${name}"`).join(", ")
        }`,
      );
    }
    assertJsonValue(key, value, { action, noun: "param", allowNonFinite: false });
  }
}
