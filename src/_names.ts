// Copyright 2026 the notata authors. MIT license.
// Names become file and directory names, so they are checked before anything
// touches the disk.

import { InvalidNameError } from "./errors.ts";
import { loneSurrogate } from "./_json.ts";

/** Matches the characters no name may hold. */
// deno-lint-ignore no-control-regex
export const CONTROL = /[\u0000-\u001f\u007f]/;

// Names Windows keeps for devices, with any extension (`aux.json` too).
const WINDOWS_DEVICE =
  /^(?:con|prn|aux|nul|com[0-9\u00b9\u00b2\u00b3]|lpt[0-9\u00b9\u00b2\u00b3])(?:\..*)?$/i;

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
  const lone = loneSurrogate(text);
  if (lone !== undefined) fail(`holds a lone surrogate (${lone}), which no file system can store`);
  if (WINDOWS_DEVICE.test(text)) fail("is a device name on Windows");
  if (/[. ]$/.test(text)) fail("ends with a dot or a space, which Windows drops");
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
  const lone = loneSurrogate(text);
  if (lone !== undefined) fail(`holds a lone surrogate (${lone}), which no file system can store`);
  const device = parts.find((part) => WINDOWS_DEVICE.test(part) || /[. ]$/.test(part));
  if (device !== undefined) {
    fail(
      `has the component ${
        JSON.stringify(device)
      }, a device name or ending in a dot or space on Windows`,
    );
  }
}

/** The first `limit` names, quoted, then how many more there are: for messages. */
export function quoteNames(names: readonly string[], limit: number): string {
  const shown = names.slice(0, limit).map((name) => JSON.stringify(name)).join(", ");
  return names.length > limit ? `${shown} and ${names.length - limit} more` : shown;
}
