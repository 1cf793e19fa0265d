// Copyright 2026 the notata authors. MIT license.
// Names become file and directory names, so they are checked before anything
// touches the disk.

import { InvalidNameError } from "./errors.ts";

/** Matches the characters no name may hold. */
// deno-lint-ignore no-control-regex
export const CONTROL = /[\u0000-\u001f\u007f]/;

function quote(value: unknown): string {
  return typeof value === "string" ? JSON.stringify(value) : String(value);
}

/**
 * Throws an {@linkcode InvalidNameError} unless `name` can be one file or
 * directory name on every common file system.
 */
export function assertFileName(
  action: string,
  noun: string,
  name: unknown,
): asserts name is string {
  const fail = (problem: string): never => {
    throw new InvalidNameError(
      `${action}: ${noun} ${
        quote(name)
      } ${problem}, expected a single file name without "/", "\\", control characters or a leading "."`,
    );
  };
  if (typeof name !== "string") fail("is not a string");
  const text = name as string;
  if (text.length === 0) fail("is empty");
  if (text.includes("/") || text.includes("\\")) fail("is path-like");
  if (CONTROL.test(text)) fail("contains a control character");
  if (text.startsWith(".")) fail('starts with "."');
  if (new TextEncoder().encode(text).length > 200) fail("is longer than 200 bytes");
}

/**
 * Throws an {@linkcode InvalidNameError} unless `path` is a relative path
 * that stays inside the directory it is resolved against.
 */
export function assertRelativePath(action: string, path: unknown): asserts path is string {
  const fail = (problem: string): never => {
    throw new InvalidNameError(
      `${action}: path ${
        quote(path)
      } ${problem}, expected a relative path inside the run directory such as "artifacts/eval/metrics.json"`,
    );
  };
  if (typeof path !== "string") fail("is not a string");
  const text = path as string;
  if (text.length === 0) fail("is empty");
  if (text.startsWith("/") || /^[A-Za-z]:/.test(text) || text.startsWith("\\")) fail("is absolute");
  if (CONTROL.test(text)) fail("contains a control character");
  const parts = text.split(/[\\/]/);
  if (parts.some((part) => part === "..")) fail('contains ".."');
  if (parts.some((part) => part === "" || part === ".")) fail('has an empty or "." component');
}

/** The first `limit` names, quoted, then how many more there are: for messages. */
export function quoteNames(names: readonly string[], limit: number): string {
  const shown = names.slice(0, limit).map((name) => JSON.stringify(name)).join(", ");
  return names.length > limit ? `${shown} and ${names.length - limit} more` : shown;
}
