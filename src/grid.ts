// Copyright 2026 the notata authors. MIT license.
/**
 * {@linkcode grid}: the params of a parameter sweep, as the cartesian product
 * of its axes.
 *
 * @module
 */

import { assertParams } from "./_params.ts";
import { InvalidValueError } from "./errors.ts";
import type { JsonValue, Params } from "./types.ts";

const ACTION = "Cannot build grid";

function describe(value: unknown): string {
  if (Array.isArray(value)) return value.length === 0 ? "an empty array" : "an array";
  return value === undefined ? "undefined" : JSON.stringify(value) ?? String(value);
}

/**
 * The cartesian product of `axes`, each combination merged with `fixed`: one
 * params object per run of the sweep.
 *
 * The order is that of nested loops over the axes in the order their names
 * are given (the order `Object.keys` gives, so integer-like names come
 * first), the last axis varying fastest, as Python's `itertools.product`
 * orders it. In each params object the axes come first, in that order, then
 * the fixed params; this is the column order of a fresh `index.csv`. No axes
 * give one params object, `fixed`. Values are shared with the arguments, not
 * copied.
 *
 * Everything is checked before the product is built.
 *
 * @param axes Each swept param's name and its values, a non-empty array.
 * @param fixed Params shared by every run. Default `{}`.
 * @returns The params of every run of the sweep.
 * @throws {InvalidValueError} An axis is not a non-empty array, a name is an
 * axis and a fixed param at once, or a name or value cannot be a param.
 *
 * @example Usage
 * ```ts
 * import { grid } from "@notata/core";
 * import { assertEquals } from "@std/assert";
 *
 * assertEquals(grid({ omega: [1, 2], dt: [1e-3, 2e-3] }, { steps: 10_000 }), [
 *   { omega: 1, dt: 1e-3, steps: 10_000 },
 *   { omega: 1, dt: 2e-3, steps: 10_000 },
 *   { omega: 2, dt: 1e-3, steps: 10_000 },
 *   { omega: 2, dt: 2e-3, steps: 10_000 },
 * ]);
 * ```
 */
export function grid(
  axes: { readonly [name: string]: readonly JsonValue[] },
  fixed: Params = {},
): Params[] {
  if (axes === null || typeof axes !== "object" || Array.isArray(axes)) {
    throw new InvalidValueError(
      `${ACTION}: axes is ${describe(axes)}, expected an object of non-empty arrays`,
    );
  }
  const names = Object.keys(axes);
  for (const name of names) {
    const values: unknown = axes[name];
    if (!Array.isArray(values) || values.length === 0) {
      throw new InvalidValueError(
        `${ACTION}: axis "${name}" is ${describe(values)}, expected a non-empty array of values`,
      );
    }
  }
  // An axis is checked whole, so a bad value is named by its position: "omega[2]".
  assertParams(ACTION, axes);
  assertParams(ACTION, fixed);
  for (const name of names) {
    if (Object.hasOwn(fixed, name)) {
      throw new InvalidValueError(
        `${ACTION}: "${name}" is both an axis and a fixed param, expected each name once`,
      );
    }
  }
  let combinations: Params[] = [{}];
  for (const name of names) {
    combinations = combinations.flatMap((combination) =>
      axes[name].map((value) => ({ ...combination, [name]: value }))
    );
  }
  return combinations.map((combination) => ({ ...combination, ...fixed }));
}
