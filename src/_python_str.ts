// Copyright 2026 the notata authors. MIT license.
// Python's spellings of JSON values, as the original notata puts them into its
// run ids: `str()` of a value, `repr()` inside lists and dicts, and
// `f"{x:.5g}"` for floats. Run ids (`run_id.ts`) match the original's with
// them and look up runs the original made.

import { compareCodePoints } from "./_json.ts";
import type { JsonValue } from "./types.ts";

/** Which JSON numbers Python holds as `float` rather than `int`. */
export type PythonNumbers =
  /**
   * As Python's `json`/PyYAML read our params files: integers written
   * without an exponent (below 1e21) are `int`, every other number `float`.
   */
  | "as-read"
  /** Every number a `float`, as a Python user who wrote `1.0` has it. */
  | "floats";

/** How {@linkcode pythonStr} sees a JSON value as a Python value. */
export interface PythonView {
  /** Which numbers are floats. */
  numbers: PythonNumbers;
  /** Dict keys sorted by code point (`true`) or in the object's order. */
  sortedKeys: boolean;
}

/** Whether `value` is a Python `int` (not a `float`) under `numbers`. */
export function isPythonInt(value: number, numbers: PythonNumbers): boolean {
  // JSON writes integers from 1e21 on with an exponent: Python reads a float.
  return numbers === "as-read" && Number.isInteger(value) && Math.abs(value) < 1e21;
}

// The exact decimal value of a finite double: digits (no leading zeros, "0"
// for zero) and the power of ten of the last digit.
function exactDecimal(value: number): { digits: string; exponent: number } {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, Math.abs(value));
  const bits = view.getBigUint64(0);
  const biased = Number(bits >> 52n);
  const fraction = bits & ((1n << 52n) - 1n);
  const mantissa = biased === 0 ? fraction : fraction | (1n << 52n);
  const power = (biased === 0 ? 1 : biased) - 1075;
  // m * 2^p = m * 5^-p / 10^-p for p < 0.
  if (power >= 0) return { digits: (mantissa << BigInt(power)).toString(), exponent: 0 };
  return { digits: (mantissa * 5n ** BigInt(-power)).toString(), exponent: power };
}

// `digits` rounded to `precision` significant digits, half to even on the
// exact value, as Python's float formatting rounds.
function roundDigits(digits: string, precision: number): { digits: string; carry: boolean } {
  if (digits.length <= precision) return { digits: digits.padEnd(precision, "0"), carry: false };
  const kept = BigInt(digits.slice(0, precision));
  const rest = digits.slice(precision);
  const half = rest[0] > "5" || (rest[0] === "5" && /[1-9]/.test(rest.slice(1)));
  const tie = rest[0] === "5" && !/[1-9]/.test(rest.slice(1));
  const up = half || (tie && kept % 2n === 1n);
  const rounded = (up ? kept + 1n : kept).toString();
  return rounded.length > precision
    ? { digits: rounded.slice(0, precision), carry: true }
    : { digits: rounded, carry: false };
}

// Python's exponent: a sign and at least two digits.
function exponentText(exponent: number): string {
  return `e${exponent < 0 ? "-" : "+"}${String(Math.abs(exponent)).padStart(2, "0")}`;
}

// Below this, doubles lose precision (subnormals): their shortest digits
// can be fewer than .5g shows ("5e-324" is "4.9407e-324" to Python).
const MIN_NORMAL = 2 ** -1022;

// `digits` (significant, no trailing zeros) whose first digit has
// `exponent`, in Python's g notation for precision 5.
function gNotation(sign: string, digits: string, exponent: number): string {
  if (exponent < -4 || exponent >= 5) {
    const tail = digits.slice(1);
    return `${sign}${digits[0]}${tail ? `.${tail}` : ""}${exponentText(exponent)}`;
  }
  return sign + placePoint(digits, exponent, false);
}

// The shortest digits that read back as |value| (JavaScript's and Python's
// repr agree on them), without trailing zeros, and the first one's exponent.
function shortestDigits(value: number): { digits: string; exponent: number } {
  return shortestOf(Math.abs(value).toExponential());
}

// The digits (without trailing zeros) and exponent of `toExponential` text.
function shortestOf(text: string): { digits: string; exponent: number } {
  const [mantissa, power] = text.split("e");
  return { digits: mantissa.replace(".", "").replace(/0+$/, "") || "0", exponent: Number(power) };
}

// -0 is 0: JSON, so our params file, writes it "0".
function signOf(value: number): string {
  return value < 0 ? "-" : "";
}

/**
 * Python's `f"{value:.5g}"` of a finite float: five significant digits,
 * fixed notation for exponents -4 to 4, else `1.2346e+05`; trailing zeros
 * dropped.
 */
export function formatG5(value: number): string {
  const sign = signOf(value);
  if (value === 0) return `${sign}0`;
  const shortest = shortestDigits(value);
  // A normal double that five digits read back is exactly those digits.
  if (shortest.digits.length <= 5 && Math.abs(value) >= MIN_NORMAL) {
    return gNotation(sign, shortest.digits, shortest.exponent);
  }
  // JavaScript rounds as Python does but for exact ties, which it rounds up
  // and Python to even: a tie shows a final 5 in six digits.
  const six = Math.abs(value).toExponential(5);
  if (six[6] !== "5") {
    const rounded = shortestOf(Math.abs(value).toExponential(4));
    return gNotation(sign, rounded.digits, rounded.exponent);
  }
  const exact = exactDecimal(value);
  const { digits, carry } = roundDigits(exact.digits, 5);
  // The exponent of the first digit, in scientific notation.
  const exponent = exact.exponent + exact.digits.length - 1 + (carry ? 1 : 0);
  return gNotation(sign, digits.replace(/0+$/, ""), exponent);
}

/**
 * {@linkcode formatG5} of `value` when it reads back as `value` (the
 * original's id loses nothing), else `undefined`.
 */
export function losslessG5(value: number): string | undefined {
  const normal = value === 0 || Math.abs(value) >= MIN_NORMAL;
  if (normal && shortestDigits(value).digits.length > 5) return undefined;
  const g5 = formatG5(value);
  return Number(g5) === value ? g5 : undefined;
}

// Fixed notation of significant digits whose first digit has `exponent`.
function placePoint(significant: string, exponent: number, pointZero: boolean): string {
  if (exponent < 0) return `0.${"0".repeat(-exponent - 1)}${significant}`;
  const whole = significant.slice(0, exponent + 1).padEnd(exponent + 1, "0");
  const tail = significant.slice(exponent + 1);
  return tail ? `${whole}.${tail}` : pointZero ? `${whole}.0` : whole;
}

// Python's `repr()` of a float: the shortest digits that read back (as
// JavaScript's), fixed notation for exponents -4 to 15 with at least ".0".
function floatRepr(value: number): string {
  const { digits, exponent } = shortestDigits(value);
  if (exponent < -4 || exponent >= 16) {
    const tail = digits.slice(1);
    return `${signOf(value)}${digits[0]}${tail ? `.${tail}` : ""}${exponentText(exponent)}`;
  }
  return signOf(value) + placePoint(digits, exponent, true);
}

// Characters Python's `str.isprintable()` rejects: other (control, format,
// surrogate, private use, unassigned) and separators other than the space.
const NOT_PRINTABLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Zs}]/u;

function escapeChar(char: string, quote: string): string {
  if (char === quote || char === "\\") return `\\${char}`;
  if (char === "\t") return "\\t";
  if (char === "\n") return "\\n";
  if (char === "\r") return "\\r";
  if (char === " " || !NOT_PRINTABLE.test(char)) return char;
  const code = char.codePointAt(0)!;
  const hex = code.toString(16);
  if (code <= 0xff) return `\\x${hex.padStart(2, "0")}`;
  if (code <= 0xffff) return `\\u${hex.padStart(4, "0")}`;
  return `\\U${hex.padStart(8, "0")}`;
}

// Python's `repr()` of a str: single quotes unless the text holds a single
// quote and no double quote.
function stringRepr(text: string): string {
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  let body = "";
  for (const char of text) body += escapeChar(char, quote);
  return quote + body + quote;
}

function numberStr(value: number, numbers: PythonNumbers): string {
  return isPythonInt(value, numbers) ? String(value) : floatRepr(value);
}

function repr(value: JsonValue, view: PythonView): string {
  if (typeof value === "string") return stringRepr(value);
  return pythonStr(value, view);
}

/**
 * Python's `str()` of `value` as Python would hold it (`True`, `None`,
 * `0.1`, `1.0`, `[1, 'a']`, `{'k': 1}`).
 */
export function pythonStr(value: JsonValue, view: PythonView): string {
  if (value === null) return "None";
  if (typeof value === "boolean") return value ? "True" : "False";
  if (typeof value === "number") return numberStr(value, view.numbers);
  if (typeof value === "string") return value;
  if (Array.isArray(value)) return `[${value.map((item) => repr(item, view)).join(", ")}]`;
  const keys = Object.keys(value);
  if (view.sortedKeys) keys.sort(compareCodePoints);
  return `{${keys.map((key) => `${stringRepr(key)}: ${repr(value[key], view)}`).join(", ")}}`;
}
