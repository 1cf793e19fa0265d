// Copyright 2026 the notata authors. MIT license.
// params.yaml typed as PyYAML types it: thousands of plain scalars, loaded by
// PyYAML's yaml.safe_load and by us, must agree; and the params of runs the
// original Python notata wrote read the same through LogReader and reindex.
import { assertEquals } from "@std/assert";
import { parse } from "@std/csv";
import { join } from "@std/path";
import { Experiment, LogReader } from "../mod.ts";
import { parsePyYaml } from "../src/_params_file.ts";
import { hasOriginalNotata, ignoredNote, NOTATA_PY, python, pythonHas } from "./_python.ts";

const HAS_YAML = pythonHas("yaml");
const HAS_ORIGINAL = hasOriginalNotata();

/** A value as both sides describe it: its type and its text. */
type Typed = [string, string] | "error";

/** Each document of argv[1] (a JSON list) loaded by PyYAML, described. */
const PYYAML_LOAD = `
import datetime, json, math, sys
import yaml

def describe(value):
    if value is None:
        return ["null", ""]
    if isinstance(value, bool):
        return ["bool", str(value)]
    if isinstance(value, int):
        return ["int", str(value)]
    if isinstance(value, float):
        return ["float", "nan" if math.isnan(value) else repr(value)]
    if isinstance(value, (datetime.date, datetime.datetime)):
        return ["date", ""]
    if isinstance(value, str):
        return ["str", value]
    if isinstance(value, list):
        return ["list", json.dumps([describe(v) for v in value], separators=(",", ":"))]
    if isinstance(value, dict):
        return ["dict", json.dumps({str(k): describe(v) for k, v in value.items()}, separators=(",", ":"))]
    return ["other", repr(value)]

out = []
for doc in json.loads(open(sys.argv[1]).read()):
    try:
        out.append(describe(yaml.safe_load(doc)["v"]))
    except Exception:
        out.append("error")
print(json.dumps({"values": out}))
`;

/** Python's `repr` of a float: shortest digits, exponent below 1e-4 and from 1e16. */
function floatRepr(x: number): string {
  if (Number.isNaN(x)) return "nan";
  if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
  const sign = x < 0 || Object.is(x, -0) ? "-" : "";
  const [mantissa, exponentText] = Math.abs(x).toExponential().split("e");
  const exponent = Number(exponentText);
  const digits = mantissa.replace(".", "");
  if (exponent < -4 || exponent >= 16) {
    const shown = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    return `${sign}${shown}e${exponent < 0 ? "-" : "+"}${
      String(Math.abs(exponent)).padStart(2, "0")
    }`;
  }
  if (exponent < 0) return `${sign}0.${"0".repeat(-exponent - 1)}${digits}`;
  const whole = digits.padEnd(exponent + 1, "0");
  const fraction = digits.slice(exponent + 1);
  return `${sign}${whole.slice(0, exponent + 1)}.${fraction || "0"}`;
}

/**
 * Ours, described as {@linkcode PYYAML_LOAD} does. A number that is a whole
 * number is an int only when PyYAML's int pattern matched the text, which
 * is why `text` comes along.
 */
function describe(value: unknown, text: string): [string, string] {
  if (value === null) return ["null", ""];
  if (typeof value === "boolean") return ["bool", value ? "True" : "False"];
  if (typeof value === "number") {
    const isInt = !/[.]|inf|nan/i.test(text);
    return isInt ? ["int", String(value)] : ["float", floatRepr(value)];
  }
  if (typeof value === "string") return ["str", value];
  if (Array.isArray(value)) {
    return ["list", JSON.stringify(value.map((v, i) => describe(v, String(text.split(",")[i]))))];
  }
  return ["other", String(value)];
}

/** Deterministic pseudo-random numbers (mulberry32). */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = [
  "yes",
  "Yes",
  "YES",
  "yEs",
  "no",
  "No",
  "NO",
  "true",
  "True",
  "TRUE",
  "tRue",
  "false",
  "False",
  "FALSE",
  "on",
  "On",
  "ON",
  "oN",
  "off",
  "Off",
  "OFF",
  "y",
  "Y",
  "n",
  "N",
  "~",
  "null",
  "Null",
  "NULL",
  "nUll",
  "",
  ".inf",
  ".Inf",
  ".INF",
  "-.inf",
  "+.inf",
  ".nan",
  ".NaN",
  ".NAN",
  "-.nan",
  "inf",
  "nan",
  "NaN",
  "Infinity",
  "1e3",
  "1E5",
  "1.0e5",
  "1.0e+5",
  "1.0E-5",
  "1e+3",
  ".5",
  "-.5",
  "+.5",
  "5.",
  "-5.",
  "1_000",
  "1_0.5",
  "0",
  "-0",
  "+0",
  "00",
  "007",
  "08",
  "0o17",
  "0b101",
  "-0b11",
  "0x1F",
  "0X1F",
  "0xff_ff",
  "1:30",
  "-1:30:15",
  "1:30.5",
  "190:20:30.15",
  "1:60",
  "0:30",
  "0.1",
  "3.14159",
  "-2.5e-3",
  "1e-07",
  "0.001",
  "12345678901234567890",
  "2024-01-01",
  "2024-1-1 10:00:00",
  "1,000",
  "'yes'",
  '"1e3"',
  "'007'",
  "[yes, 1e3, 0x10]",
  "hello",
  "Hello World",
  "1.2.3",
  "+",
  "_1",
  "1__0",
  "0b",
  "0x",
  "._5",
];

/** Plain scalars from the characters YAML 1.1 numbers and booleans use. */
function generatedScalars(count: number): string[] {
  const next = random(12);
  const pieces = ["0", "1", "7", "9", "_", ".", "e", "E", "+", "-", ":", "x", "b", "o", "5", "8"];
  const out = new Set<string>();
  while (out.size < count) {
    const length = 1 + Math.floor(next() * 7);
    let text = next() < 0.5 ? ["", "-", "+"][Math.floor(next() * 3)] : "";
    for (let i = 0; i < length; i++) text += pieces[Math.floor(next() * pieces.length)];
    out.add(text);
  }
  return [...out];
}

Deno.test({
  name: "params.yaml scalars are typed as PyYAML's safe_load types them" +
    ignoredNote(HAS_YAML, "PyYAML"),
  ignore: !HAS_YAML,
  async fn() {
    const texts = [...WORDS, ...generatedScalars(3000)];
    const docs = texts.map((text) => `v: ${text}\n`);
    const file = Deno.makeTempFileSync({ suffix: ".json" });
    try {
      Deno.writeTextFileSync(file, JSON.stringify(docs));
      const { values } = await python(PYYAML_LOAD, file) as { values: Typed[] };
      let compared = 0;
      const kinds = new Set<string>();
      const mismatches: string[] = [];
      texts.forEach((text, i) => {
        const theirs = values[i];
        let ours: Typed;
        try {
          ours = describe((parsePyYaml(docs[i]) as { v: unknown }).v, text.replace(/^\[|\]$/g, ""));
        } catch {
          ours = "error";
        }
        // PyYAML's dates are strings to us (params are JSON values), and
        // integers past 2^53 lose digits as every JSON number does.
        if (theirs === "error" || (theirs[0] === "date" && ours[0] === "str")) return;
        if (theirs[0] === "int" && !Number.isSafeInteger(Number(theirs[1]))) return;
        compared++;
        kinds.add(theirs[0]);
        if (JSON.stringify(ours) !== JSON.stringify(theirs)) {
          mismatches.push(`${JSON.stringify(text)}: PyYAML ${theirs}, ours ${ours}`);
        }
      });
      assertEquals(mismatches, []);
      assertEquals(compared > 2000, true, `only ${compared} scalars compared`);
      assertEquals([...kinds].sort(), ["bool", "float", "int", "list", "null", "str"]);
    } finally {
      Deno.removeSync(file);
    }
  },
});

const ORIGINAL_SWEEP = `
import json, sys
sys.path.insert(0, sys.argv[2])
from notata import Experiment
exp = Experiment("typed", base_dir=sys.argv[1])
rows = [
    dict(label="1e3", code="1E5", flag=True, word="yes", n=3, x=0.5, tiny=1e-07, nothing=None),
    dict(label="on", code="007", flag=False, word="no", n=-2, x=2.0, tiny=1e21, nothing=None),
]
for params in rows:
    with exp.add(**params) as log:
        log.json("metrics", {"energy": params["x"] * 2})
print(json.dumps(None))
`;

Deno.test({
  name:
    "params the original wrote to params.yaml read as PyYAML reads them, and reindex keeps them" +
    ignoredNote(HAS_ORIGINAL, "numpy, PyYAML and ../shared/notata-py"),
  ignore: !HAS_ORIGINAL,
  async fn() {
    const baseDir = Deno.makeTempDirSync({ prefix: "notata_interop_yaml_" });
    try {
      await python(ORIGINAL_SWEEP, baseDir, NOTATA_PY);
      const runsDir = join(baseDir, "typed", "runs");
      const byLabel = new Map(
        [...Deno.readDirSync(runsDir)].map(({ name }) => {
          const params = new LogReader(join(runsDir, name)).params;
          return [params.label, params];
        }),
      );
      assertEquals(byLabel.get("1e3"), {
        label: "1e3",
        code: "1E5",
        flag: true,
        word: "yes",
        n: 3,
        x: 0.5,
        tiny: 1e-7,
        nothing: null,
      });
      assertEquals(byLabel.get("on"), {
        label: "on",
        code: "007",
        flag: false,
        word: "no",
        n: -2,
        x: 2,
        tiny: 1e21,
        nothing: null,
      });
      const exp = new Experiment("typed", { baseDir });
      assertEquals(exp.reindex(), 2);
      const [header, ...rows] = parse(Deno.readTextFileSync(exp.indexPath)) as string[][];
      const cells = rows.map((row) => Object.fromEntries(header.map((name, i) => [name, row[i]])));
      const first = cells.find((row) => row.label === "1e3")!;
      assertEquals(
        [first.code, first.flag, first.word, first.n, first.x, first.tiny, first.energy],
        ["1E5", "true", "yes", "3", "0.5", "1e-7", "1"],
      );
    } finally {
      Deno.removeSync(baseDir, { recursive: true });
    }
  },
});

Deno.test("reading params.yaml needs only read permission", async () => {
  const dir = Deno.makeTempDirSync({ prefix: "notata_interop_yaml_" });
  try {
    Deno.writeTextFileSync(join(dir, "params.yaml"), "flag: on\nlabel: 1e3\nn: 0x10\n");
    Deno.writeTextFileSync(join(dir, "metadata.json"), '{"run_id": "r", "status": "complete"}');
    const script = `import { LogReader } from ${
      JSON.stringify(new URL("../mod.ts", import.meta.url).href)
    };
console.log(JSON.stringify(new LogReader(${JSON.stringify(dir)}).params));`;
    Deno.writeTextFileSync(join(dir, "read.ts"), script);
    const output = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        `--import-map=${new URL("../import_map.npm.json", import.meta.url).pathname}`,
        "--no-prompt",
        "--allow-read",
        join(dir, "read.ts"),
      ],
      stdout: "piped",
      stderr: "piped",
      env: { LOG_TOKENS: "1", LOG_STREAM: "1" },
    }).output();
    const text = new TextDecoder();
    assertEquals([output.code, text.decode(output.stderr)], [0, ""]);
    assertEquals(JSON.parse(text.decode(output.stdout)), { flag: true, label: "1e3", n: 16 });
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
