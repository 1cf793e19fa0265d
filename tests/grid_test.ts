// Copyright 2026 the notata authors. MIT license.
import { assertEquals, assertThrows } from "@std/assert";
import { grid, InvalidValueError } from "../mod.ts";
import type { JsonValue, Params } from "../mod.ts";

Deno.test("grid orders combinations as nested loops, last axis fastest, fixed params last", () => {
  const points = grid({ omega: [1, 2, 4], dt: [1e-3, 2e-3] }, { steps: 10_000 });
  assertEquals(points, [
    { omega: 1, dt: 1e-3, steps: 10_000 },
    { omega: 1, dt: 2e-3, steps: 10_000 },
    { omega: 2, dt: 1e-3, steps: 10_000 },
    { omega: 2, dt: 2e-3, steps: 10_000 },
    { omega: 4, dt: 1e-3, steps: 10_000 },
    { omega: 4, dt: 2e-3, steps: 10_000 },
  ]);
  // Key order is axes in the order given, then fixed: the column order of a fresh index.
  for (const point of points) assertEquals(Object.keys(point), ["omega", "dt", "steps"]);
});

Deno.test("grid has the product of the axis lengths, each combination once", () => {
  const axes = { a: [0, 1, 2], b: ["x", "y"], c: [true, false], d: [null, [1, 2], { k: 1 }] };
  const points = grid(axes);
  assertEquals(points.length, 3 * 2 * 2 * 3);
  assertEquals(new Set(points.map((point) => JSON.stringify(point))).size, points.length);
  // Position i is the mixed-radix number (a, b, c, d) with d the least significant digit.
  const expected: Params[] = [];
  for (const a of axes.a) {
    for (const b of axes.b) {
      for (const c of axes.c) {
        for (const d of axes.d as JsonValue[]) expected.push({ a, b, c, d });
      }
    }
  }
  assertEquals(points, expected);
});

Deno.test("grid with one axis, or none, and without fixed params", () => {
  assertEquals(grid({ omega: [3] }), [{ omega: 3 }]);
  assertEquals(grid({}, { steps: 5 }), [{ steps: 5 }]);
  assertEquals(grid({}), [{}]);
});

Deno.test("grid rejects axes that are not non-empty arrays, naming the axis", () => {
  assertThrows(
    () => grid({ omega: [] }),
    InvalidValueError,
    'Cannot build grid: axis "omega" is an empty array, expected a non-empty array of values',
  );
  assertThrows(
    () => grid({ dt: 1e-3 } as unknown as { dt: number[] }),
    InvalidValueError,
    'Cannot build grid: axis "dt" is 0.001, expected a non-empty array of values',
  );
  assertThrows(
    () => grid({ dt: undefined } as unknown as { dt: number[] }),
    InvalidValueError,
    'Cannot build grid: axis "dt" is undefined, expected a non-empty array of values',
  );
  assertThrows(
    () => grid([[1, 2]] as unknown as { a: number[] }),
    InvalidValueError,
    "Cannot build grid: axes is an array, expected an object of non-empty arrays",
  );
  assertThrows(
    () => grid(null as unknown as { a: number[] }),
    InvalidValueError,
    "Cannot build grid: axes is null, expected an object of non-empty arrays",
  );
});

Deno.test("grid rejects a name that is both an axis and a fixed param", () => {
  assertThrows(
    () => grid({ omega: [1, 2], steps: [10] }, { steps: 100 }),
    InvalidValueError,
    'Cannot build grid: "steps" is both an axis and a fixed param, expected each name once',
  );
});

Deno.test("grid rejects values and names that cannot be params, naming the position", () => {
  assertThrows(
    () => grid({ omega: [1, 2, NaN] }),
    InvalidValueError,
    'Cannot build grid: param "omega[2]" is NaN, expected a finite number',
  );
  assertThrows(
    () => grid({ f: [() => 1] as unknown as JsonValue[] }),
    InvalidValueError,
    'Cannot build grid: param "f[0]" is a function, expected a JSON value',
  );
  assertThrows(
    () => grid({ status: ["a"] }),
    InvalidValueError,
    'Cannot build grid: param "status" is a reserved index column',
  );
  assertThrows(
    () => grid({ omega: [1] }, { when: new Date(0) as unknown as JsonValue }),
    InvalidValueError,
    'Cannot build grid: param "when" is an instance of Date',
  );
});
