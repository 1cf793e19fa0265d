// Copyright 2026 the notata authors. MIT license.
// A run's params file, read as the Python notata reads it: params.yaml with
// PyYAML's YAML 1.1 types (`yaml.safe_load`), else params.json.

import { join } from "@std/path";
import jsYaml from "js-yaml";
import { readTextIfExists } from "./_files.ts";
import { readJsonObject } from "./_json.ts";
import type { Params } from "./types.ts";

// PyYAML's implicit resolvers (yaml/resolver.py) and what its SafeConstructor
// makes of each match. A plain scalar matching none stays a string, so `1e3`
// (YAML 1.1 floats need a dot, exponents a sign) is the string "1e3".
// Timestamps, which PyYAML reads as dates, stay strings: params are JSON.
const BOOL = /^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$/;
const INT = new RegExp(
  "^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+" +
    "|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$",
);
const FLOAT = new RegExp(
  "^(?:[-+]?(?:[0-9][0-9_]*)\\.[0-9_]*(?:[eE][-+][0-9]+)?|\\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?" +
    "|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\\.[0-9_]*|[-+]?\\.(?:inf|Inf|INF)|\\.(?:nan|NaN|NAN))$",
);
const NULL = /^(?:~|null|Null|NULL|)$/;

/** `text` without `_`, as its sign and the rest. */
function signed(text: string): [number, string] {
  const digits = text.replaceAll("_", "");
  const sign = digits.startsWith("-") ? -1 : 1;
  return [sign, /^[-+]/.test(digits) ? digits.slice(1) : digits];
}

/** A `1:30:15`-style (base 60) number, as PyYAML reads it. */
function sexagesimal(text: string, part: (digits: string) => number): number {
  return text.split(":").reduce((total, digits) => total * 60 + part(digits), 0);
}

function toInt(text: string): number {
  const [sign, digits] = signed(text);
  if (digits.startsWith("0b")) return sign * Number.parseInt(digits.slice(2), 2);
  if (digits.startsWith("0x")) return sign * Number.parseInt(digits.slice(2), 16);
  if (digits.includes(":")) return sign * sexagesimal(digits, Number);
  if (digits.length > 1 && digits.startsWith("0")) return sign * Number.parseInt(digits, 8);
  return sign * Number(digits);
}

function toFloat(text: string): number {
  const [sign, digits] = signed(text.toLowerCase());
  if (digits === ".inf") return sign * Infinity;
  if (digits === ".nan") return NaN;
  if (digits.includes(":")) return sign * sexagesimal(digits, Number);
  return sign * Number(digits);
}

/** A YAML type that a plain scalar takes when it matches `pattern`. */
function implicitType(name: string, pattern: RegExp, construct: (text: string) => unknown) {
  return new jsYaml.Type(`tag:yaml.org,2002:${name}`, {
    kind: "scalar",
    resolve: (text: string | null) => pattern.test(text ?? ""),
    construct: (text: string | null) => construct(text ?? ""),
  });
}

// js-yaml resolves implicit types on plain scalars only: quoted ones stay
// strings. Unlike the npm `yaml` package, it reads no environment variable.
const PYYAML_SCHEMA = jsYaml.FAILSAFE_SCHEMA.extend({
  implicit: [
    implicitType("null", NULL, () => null),
    implicitType("bool", BOOL, (text) => /^(?:yes|true|on)$/i.test(text)),
    implicitType("int", INT, toInt),
    implicitType("float", FLOAT, toFloat),
    jsYaml.types.merge,
  ],
});

/**
 * Parses YAML text as PyYAML's `yaml.safe_load` types it (YAML 1.1 as
 * PyYAML applies it: `yes`/`on` are booleans, `1e3` is a string, `0o17`
 * a string but `017` the octal 15, `1_000` the integer 1000); repeated
 * keys keep the last value and `<<` merges, as in PyYAML.
 */
export function parsePyYaml(text: string): unknown {
  // `json: true` lets a repeated key override, as PyYAML does.
  return jsYaml.load(text, { schema: PYYAML_SCHEMA, json: true });
}

/**
 * A run directory's params, as the Python notata reads them: `params.yaml`
 * (PyYAML's types) if present, else `params.json`; `value` is `undefined`
 * when there is neither, and `problem` says what is wrong with a file that
 * is not a mapping.
 */
export function readParamsFile(runDir: string): { value?: Params; problem?: string } {
  const yamlPath = join(runDir, "params.yaml");
  const yaml = readTextIfExists(yamlPath);
  if (yaml === undefined) return readJsonObject(join(runDir, "params.json"));
  let value: unknown;
  try {
    value = parsePyYaml(yaml);
  } catch (error) {
    return {
      problem: `"${yamlPath}" is not valid YAML (${
        error instanceof Error ? error.message : String(error)
      })`,
    };
  }
  // An empty file is no params, as PyYAML's `safe_load(...) or {}` has it.
  if (value === null || value === undefined) return { value: {} };
  if (typeof value !== "object" || Array.isArray(value)) {
    return {
      problem: `"${yamlPath}" holds ${
        Array.isArray(value) ? "a list" : typeof value
      }, expected a mapping of names to values`,
    };
  }
  return { value: value as Params };
}
