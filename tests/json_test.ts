// Copyright 2026 the notata authors. MIT license.
import { assert, assertEquals, assertThrows } from "@std/assert";
import {
  assertJsonValue,
  flattenObject,
  formatJson,
  formatJsonCompact,
  type JsonCheckOptions,
  loneSurrogate,
  parseJson,
} from "../src/_json.ts";
import { InvalidValueError, NotataError } from "../src/errors.ts";
import type { JsonValue } from "../src/types.ts";

const PARAM: JsonCheckOptions = {
  action: "Cannot add run",
  noun: "param",
  allowNonFinite: false,
};
const METRIC: JsonCheckOptions = {
  action: "Cannot log metrics",
  noun: "metric",
  allowNonFinite: true,
};

const PYTHON = "/usr/bin/python3";
const hasPython = (() => {
  try {
    return Deno.statSync(PYTHON).isFile;
  } catch {
    return false;
  }
})();

// Python's own formatting of the value that `json` text decodes to, indented
// by default, compact with `separators=(",", ":")`.
function pythonJson(json: string, format = "indent=2"): string {
  const script = "import json, sys\n" +
    "value = json.loads(sys.argv[1])\n" +
    `sys.stdout.write(json.dumps(value, ${format}, sort_keys=True, ensure_ascii=False) + '\\n')\n`;
  const output = new Deno.Command(PYTHON, {
    args: ["-c", script, json],
    env: { PYTHONUTF8: "1", PYTHONIOENCODING: "utf-8" },
    stdout: "piped",
    stderr: "piped",
  }).outputSync();
  const stderr = new TextDecoder().decode(output.stderr);
  assert(output.success, `python3 failed: ${stderr}`);
  return new TextDecoder().decode(output.stdout);
}

// ---------------------------------------------------------------- formatJson

Deno.test("formatJson indents by two spaces, sorts keys and ends with a newline", () => {
  assertEquals(
    formatJson({ b: 1, a: { d: [1, "x"], c: null } }),
    `{
  "a": {
    "c": null,
    "d": [
      1,
      "x"
    ]
  },
  "b": 1
}
`,
  );
});

Deno.test("formatJson sorts keys at every depth, also inside arrays", () => {
  assertEquals(
    formatJson([{ z: { y: 1, x: 2 }, a: true }]),
    `[
  {
    "a": true,
    "z": {
      "x": 2,
      "y": 1
    }
  }
]
`,
  );
});

Deno.test("formatJson writes empty objects and arrays as {} and []", () => {
  assertEquals(formatJson({}), "{}\n");
  assertEquals(formatJson([]), "[]\n");
  assertEquals(formatJson({ b: [], a: {} }), '{\n  "a": {},\n  "b": []\n}\n');
  assertEquals(formatJson([[], {}]), "[\n  [],\n  {}\n]\n");
});

Deno.test("formatJson writes top-level scalars on one newline-terminated line", () => {
  assertEquals(formatJson(1), "1\n");
  assertEquals(formatJson(-2.5), "-2.5\n");
  assertEquals(formatJson(null), "null\n");
  assertEquals(formatJson(true), "true\n");
  assertEquals(formatJson("x"), '"x"\n');
});

Deno.test("formatJson escapes strings and keys as JSON.stringify does", () => {
  const text = 'quote " backslash \\ newline \n tab \t nul \u0000 bell \u0007 é 😀 \u2028';
  assertEquals(formatJson(text), JSON.stringify(text) + "\n");
  assertEquals(
    formatJson({ [text]: text }),
    `{\n  ${JSON.stringify(text)}: ${JSON.stringify(text)}\n}\n`,
  );
});

Deno.test("formatJson output parses back to the same value", () => {
  const value: JsonValue = {
    s: 'a"b\\c\n',
    n: [0, -1, 0.5, 1e-7, 1e21, 123456789.125],
    nested: { empty: {}, list: [], flags: [true, false, null] },
  };
  assertEquals(JSON.parse(formatJson(value)), value);
});

Deno.test({
  name: "formatJson matches Python's json.dumps(indent=2, sort_keys=True, ensure_ascii=False)",
  ignore: !hasPython,
  fn() {
    const values: JsonValue[] = [
      { b: 1, a: { d: [1, "x"], c: null } },
      {},
      [],
      { empty_object: {}, empty_array: [], nested: [[], [{}], [[1]]] },
      {
        ints: [0, 1, -1, 10000, 9007199254740991, 1e16],
        floats: [0.5, -2.5, 0.001, 0.1, 123456789.125, 1e21, -1e300, 5e-324],
        literals: [true, false, null],
      },
      {
        "Z": 1,
        "a": 2,
        "é": 3,
        "_": 4,
        "10": 5,
        "9": 6,
        "": 7,
        "ü": { "ß": "straße", "ä": "ä" },
      },
      {
        text: 'quote " backslash \\ slash / newline \n cr \r tab \t bs \b ff \f',
        control: "\u0000\u0001\u001f\u007f",
        unicode: "é 中文 😀 \u2028\u2029",
      },
      "top-level string",
      42,
      null,
    ];
    for (const value of values) {
      assertEquals(formatJson(value), pythonJson(JSON.stringify(value)));
    }
  },
});

Deno.test("formatJson sorts keys outside the Basic Multilingual Plane by code point, as Python does", () => {
  // U+FF5A (fullwidth z) sorts before U+1F600 (emoji) by code point, although
  // the emoji's first UTF-16 unit (U+D83D) is smaller.
  assertEquals(formatJson({ "😀": 1, "\uff5a": 2 }), '{\n  "\uff5a": 2,\n  "😀": 1\n}\n');
});

Deno.test("formatJson writes non-finite numbers as the bare tokens NaN, Infinity and -Infinity", () => {
  assertEquals(
    formatJson({ a: NaN, b: Infinity, c: -Infinity, d: [NaN] }),
    '{\n  "a": NaN,\n  "b": Infinity,\n  "c": -Infinity,\n  "d": [\n    NaN\n  ]\n}\n',
  );
  assertEquals(formatJson(NaN), "NaN\n");
  assertEquals(formatJson(-Infinity), "-Infinity\n");
});

// ----------------------------------------------------------------- parseJson

Deno.test("parseJson reads the top-level tokens NaN, Infinity and -Infinity", () => {
  assert(Number.isNaN(parseJson("NaN")));
  assertEquals(parseJson("Infinity"), Infinity);
  assertEquals(parseJson("-Infinity"), -Infinity);
  assertEquals(parseJson(" NaN\n"), NaN);
});

Deno.test("parseJson reads non-finite tokens nested in arrays and objects", () => {
  const value = parseJson('{"a": [NaN, 1, Infinity], "b": {"c": -Infinity, "d": [[NaN]]}}');
  assertEquals(value, { a: [NaN, 1, Infinity], b: { c: -Infinity, d: [[NaN]] } });
  const a = (value as { a: number[] }).a;
  assert(Number.isNaN(a[0]));
  assertEquals(typeof a[0], "number");
});

Deno.test("parseJson reads back what formatJson writes, non-finite numbers included", () => {
  const value: JsonValue = { loss: [0.5, NaN, Infinity], best: -Infinity, name: "NaN run" };
  assertEquals(parseJson(formatJson(value)), value);
});

Deno.test("parseJson keeps strings that contain NaN or Infinity as strings", () => {
  assertEquals(parseJson('{"s": "NaN"}'), { s: "NaN" });
  assertEquals(parseJson('{"s": "x Infinity"}'), { s: "x Infinity" });
  // With bare tokens in the same text, the strings still stay strings.
  assertEquals(
    parseJson('{"s": "NaN", "t": "x Infinity", "u": "-Infinity", "n": NaN, "NaN": Infinity}'),
    { s: "NaN", t: "x Infinity", u: "-Infinity", n: NaN, NaN: Infinity },
  );
  assertEquals(
    parseJson('{"q": "say \\"NaN\\" and \\\\", "r": "\\"Infinity", "n": -Infinity}'),
    { q: 'say "NaN" and \\', r: '"Infinity', n: -Infinity },
  );
  assertEquals(parseJson('["NaN", NaN]'), ["NaN", NaN]);
});

Deno.test("parseJson parses ordinary JSON exactly like JSON.parse", () => {
  const texts = [
    '{"b": 1, "a": {"d": [1, "x"], "c": null}}',
    "[]",
    "{}",
    '"text with \\u00e9 and \\n"',
    "-0.5e-3",
    "1e21",
    "true",
    "null",
    '{"a": "", "b": [true, false, null, 1.5, -2]}',
    '{"__proto__": {"x": 1}}',
    formatJson({ z: [1, { y: "NaN-free" }], a: 0 }),
  ];
  for (const text of texts) {
    assertEquals(parseJson(text), JSON.parse(text), text);
  }
});

Deno.test("parseJson throws a SyntaxError on invalid JSON", () => {
  assertThrows(() => parseJson('{"a": 1'), SyntaxError);
  assertThrows(() => parseJson(""), SyntaxError);
  assertThrows(() => parseJson("{a: 1}"), SyntaxError);
  // Truncated text that also holds a non-finite token.
  assertThrows(() => parseJson('{"a": NaN'), SyntaxError);
  assertThrows(() => parseJson("[NaNa]"), SyntaxError);
});

Deno.test("formatJson sorts lone surrogates in keys by their code point, as Python does", () => {
  // U+D800 < U+E000 < U+1F600 (whose first UTF-16 unit is U+D83D).
  assertEquals(
    // From entries: deno lint reads lone surrogates in object literal keys as one key.
    formatJson(Object.fromEntries([
      ["😀", 1],
      ["\ue000", 2],
      ["\ud800", 3],
      ["\ud83d", 4],
      ["\ud83d\ue000", 5],
    ])),
    '{\n  "\\ud800": 3,\n  "\\ud83d": 4,\n  "\\ud83d\ue000": 5,\n  "\ue000": 2,\n  "😀": 1\n}\n',
  );
});

// --------------------------------------------------------- formatJsonCompact

Deno.test("formatJsonCompact writes one line without whitespace, keys sorted at every depth", () => {
  assertEquals(
    formatJsonCompact({ b: [1, { z: "x y", a: null }], a: { d: true, c: [] }, e: {} }),
    '{"a":{"c":[],"d":true},"b":[1,{"a":null,"z":"x y"}],"e":{}}',
  );
  assertEquals(formatJsonCompact([]), "[]");
  assertEquals(formatJsonCompact("a\nb"), '"a\\nb"');
  assertEquals(formatJsonCompact(-0), "0");
});

Deno.test("formatJsonCompact keeps NaN, Infinity and -Infinity as bare tokens", () => {
  const value = { m: [NaN, Infinity, -Infinity, 0.5], n: { x: NaN } };
  const text = formatJsonCompact(value);
  assertEquals(text, '{"m":[NaN,Infinity,-Infinity,0.5],"n":{"x":NaN}}');
  assertEquals(parseJson(text), value);
});

Deno.test("formatJsonCompact gives the same text for any key order", () => {
  assertEquals(
    formatJsonCompact({ x: { b: 2, a: [{ d: 1, c: 2 }] } }),
    formatJsonCompact({ x: { a: [{ c: 2, d: 1 }], b: 2 } }),
  );
});

Deno.test({
  name: 'formatJsonCompact matches Python\'s json.dumps(separators=(",", ":"), sort_keys=True)',
  ignore: !hasPython,
  fn() {
    const values: JsonValue[] = [
      { b: 1, a: { d: [1, "x"], c: null } },
      [{}, [], [[1.5, -2, 1e21, 5e-324]]],
      { "😀": 1, "\uff5a": 2, "é": "ü", "": true },
      { text: 'quote " backslash \\ newline \n tab \t \u2028' },
    ];
    for (const value of values) {
      assertEquals(
        formatJsonCompact(value) + "\n",
        pythonJson(JSON.stringify(value), 'separators=(",", ":")'),
      );
    }
  },
});

// ------------------------------------------------------------- flattenObject

Deno.test("flattenObject joins nested keys with dots; arrays and empty objects are leaves", () => {
  assertEquals(
    flattenObject({ a: 1, loss: { train: 0.5, eval: { top1: 2 } }, l: [{ x: 1 }], e: {} }),
    [
      { name: "a", path: ["a"], value: 1 },
      { name: "loss.train", path: ["loss", "train"], value: 0.5 },
      { name: "loss.eval.top1", path: ["loss", "eval", "top1"], value: 2 },
      { name: "l", path: ["l"], value: [{ x: 1 }] },
      { name: "e", path: ["e"], value: {} },
    ],
  );
});

Deno.test("flattenObject returns every leaf when two paths give one name", () => {
  assertEquals(flattenObject({ "a.b": 1, a: { b: 2 } }), [
    { name: "a.b", path: ["a.b"], value: 1 },
    { name: "a.b", path: ["a", "b"], value: 2 },
  ]);
});

// ------------------------------------------------------------- loneSurrogate

Deno.test("loneSurrogate names the first lone surrogate, escaped, and passes pairs", () => {
  assertEquals(loneSurrogate("plain é 😀"), undefined);
  assertEquals(loneSurrogate(""), undefined);
  assertEquals(loneSurrogate("\ud800"), "\\ud800");
  assertEquals(loneSurrogate("a\udc00b\ud801"), "\\udc00");
  assertEquals(loneSurrogate("😀\ud83d"), "\\ud83d");
  assertEquals(loneSurrogate("\ude00\ud83d"), "\\ude00");
});

// ----------------------------------------------------------- assertJsonValue

Deno.test("assertJsonValue rejects strings with a lone surrogate, at any depth", () => {
  assertThrows(
    () => assertJsonValue("s", "a\ud800b", PARAM),
    InvalidValueError,
    'Cannot add run: param "s" holds a lone surrogate (\\ud800), expected well-formed Unicode text',
  );
  const error = assertThrows(
    () => assertJsonValue("m", { tags: ["ok", "\udfff"] }, METRIC),
    InvalidValueError,
  );
  assertEquals(
    error.message,
    'Cannot log metrics: metric "m.tags[1]" holds a lone surrogate (\\udfff), expected well-formed Unicode text',
  );
});

Deno.test("assertJsonValue rejects object keys with a lone surrogate", () => {
  const error = assertThrows(
    () => assertJsonValue("cfg", { ok: 1, inner: { "k\udc00": 1 } }, PARAM),
    InvalidValueError,
  );
  assertEquals(
    error.message,
    'Cannot add run: param "cfg.inner" has key "k\\udc00", which holds a lone surrogate (\\udc00), expected well-formed Unicode text',
  );
  assert(error.message.isWellFormed());
});

Deno.test("assertJsonValue accepts surrogate pairs in strings and keys", () => {
  assertEquals(assertJsonValue("s", { "😀": "😀 \ud83d\ude00" }, PARAM), undefined);
});

Deno.test("assertJsonValue rejects a function with an exact InvalidValueError message", () => {
  const error = assertThrows(
    () => assertJsonValue("fn", () => 1, PARAM),
    InvalidValueError,
  );
  assertEquals(error.message, 'Cannot add run: param "fn" is a function, expected a JSON value');
  assert(error instanceof NotataError);
  assertEquals(error.name, "InvalidValueError");
});

Deno.test("assertJsonValue rejects a symbol", () => {
  const error = assertThrows(() => assertJsonValue("s", Symbol("x"), PARAM), InvalidValueError);
  assertEquals(error.message, 'Cannot add run: param "s" is a symbol, expected a JSON value');
});

Deno.test("assertJsonValue rejects a bigint", () => {
  const error = assertThrows(() => assertJsonValue("n", 1n, PARAM), InvalidValueError);
  assertEquals(error.message, 'Cannot add run: param "n" is a bigint, expected a JSON value');
});

Deno.test("assertJsonValue rejects undefined", () => {
  const error = assertThrows(() => assertJsonValue("u", undefined, PARAM), InvalidValueError);
  assertEquals(error.message, 'Cannot add run: param "u" is undefined, expected a JSON value');
});

Deno.test("assertJsonValue rejects holes in sparse arrays as undefined", () => {
  const sparse: number[] = [1];
  sparse[2] = 3;
  const error = assertThrows(() => assertJsonValue("p", sparse, PARAM), InvalidValueError);
  assertEquals(error.message, 'Cannot add run: param "p[1]" is undefined, expected a JSON value');
});

Deno.test("assertJsonValue rejects circular objects and arrays", () => {
  const object: Record<string, unknown> = { a: 1 };
  object.self = object;
  assertThrows(
    () => assertJsonValue("cfg", object, PARAM),
    InvalidValueError,
    'Cannot add run: param "cfg.self" is a circular reference, expected a JSON value',
  );
  const array: unknown[] = [1];
  array.push({ back: array });
  assertThrows(
    () => assertJsonValue("list", array, PARAM),
    InvalidValueError,
    'Cannot add run: param "list[1].back" is a circular reference, expected a JSON value',
  );
});

Deno.test("assertJsonValue accepts the same object reached twice without a cycle", () => {
  const shared = { x: 1 };
  assertEquals(assertJsonValue("p", { a: shared, b: [shared, shared] }, PARAM), undefined);
});

Deno.test("assertJsonValue rejects class instances such as Date and Map", () => {
  assertThrows(
    () => assertJsonValue("when", new Date(0), PARAM),
    InvalidValueError,
    'Cannot add run: param "when" is an instance of Date, expected a JSON value',
  );
  assertThrows(
    () => assertJsonValue("lookup", new Map(), PARAM),
    InvalidValueError,
    'param "lookup" is an instance of Map',
  );
  class Point {
    x = 1;
  }
  assertThrows(
    () => assertJsonValue("pt", new Point(), PARAM),
    InvalidValueError,
    "an instance of Point",
  );
});

Deno.test("assertJsonValue names nested paths with dots and indexes", () => {
  assertThrows(
    () => assertJsonValue("cfg", { inner: [1, () => 2] }, PARAM),
    InvalidValueError,
    'Cannot add run: param "cfg.inner[1]" is a function, expected a JSON value',
  );
  assertThrows(
    () => assertJsonValue("cfg", { a: { b: [[1, undefined]] } }, PARAM),
    InvalidValueError,
    'Cannot add run: param "cfg.a.b[0][1]" is undefined, expected a JSON value',
  );
});

Deno.test("assertJsonValue rejects non-finite numbers when allowNonFinite is false", () => {
  assertThrows(
    () => assertJsonValue("x", NaN, PARAM),
    InvalidValueError,
    'Cannot add run: param "x" is NaN, expected a finite number',
  );
  assertThrows(
    () => assertJsonValue("x", Infinity, PARAM),
    InvalidValueError,
    'param "x" is Infinity, expected a finite number',
  );
  assertThrows(
    () => assertJsonValue("cfg", { y: [-Infinity] }, PARAM),
    InvalidValueError,
    'param "cfg.y[0]" is -Infinity, expected a finite number',
  );
});

Deno.test("assertJsonValue accepts non-finite numbers when allowNonFinite is true", () => {
  assertEquals(assertJsonValue("loss", NaN, METRIC), undefined);
  assertEquals(
    assertJsonValue("m", { a: Infinity, b: [-Infinity, NaN] }, METRIC),
    undefined,
  );
});

Deno.test("assertJsonValue uses the action and noun of its options in messages", () => {
  assertThrows(
    () => assertJsonValue("loss", () => 0, METRIC),
    InvalidValueError,
    'Cannot log metrics: metric "loss" is a function, expected a JSON value',
  );
});

Deno.test("assertJsonValue accepts plain JSON values", () => {
  const nullPrototype = Object.create(null) as Record<string, JsonValue>;
  nullPrototype.x = 1;
  const accepted: unknown[] = [
    { a: 1, b: "two", c: [true, false, null], d: { e: -2.5 } },
    nullPrototype,
    {},
    [],
    [1, "a", [null]],
    "",
    "text",
    true,
    false,
    null,
    0,
    -1e-7,
    1e21,
  ];
  for (const value of accepted) {
    assertEquals(assertJsonValue("v", value, PARAM), undefined);
  }
});
