// Copyright 2026 the notata authors. MIT license.
// Run ids against the original Python notata itself: ours equal its
// `_generate_run_id` wherever ours is readable and .5g loses no float (thousands of generated
// params and hand-picked ones), its id is always among the ids our lookups
// try, and a sweep resumes in both directions without repeating a run.
import { assert, assertEquals, assertMatch } from "@std/assert";
import { join } from "@std/path";
import { Experiment, ExperimentReader, type JsonValue, LogReader, type Params } from "../mod.ts";
import { formatRunId, formerRunIds } from "../src/run_id.ts";
import { hasOriginalNotata, ignoredNote, NOTATA_PY, python, pythonHas } from "./_python.ts";

const HAS_ORIGINAL = hasOriginalNotata();
const HAS_PANDAS = HAS_ORIGINAL && pythonHas("pandas");
const IGNORED = ignoredNote(HAS_ORIGINAL, "numpy, PyYAML and ../shared/notata-py");
const HASH_SUFFIX = /__[0-9a-f]{12}$/;

// The original's id of each params, read as Python's json reads our
// params.json ("as read") and with every number a float (as a Python user
// who wrote 1.0 has it).
const ORIGINAL_IDS = `
import json, sys
sys.path.insert(0, sys.argv[2])
from notata.experiment import Experiment
exp = Experiment.__new__(Experiment)  # no directory: only the id function
exp.name = sys.argv[3]
def floats(value):
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, list):
        return [floats(item) for item in value]
    return {key: floats(item) for key, item in value.items()}
with open(sys.argv[1]) as f:
    many = json.load(f)
def loses_a_float(params):
    return any(isinstance(v, float) and float(f"{v:.5g}") != v for v in params.values())
ids = [[exp._generate_run_id(p), exp._generate_run_id(floats(p))] for p in many]
print(json.dumps({"ids": ids, "lossy": [loses_a_float(p) for p in many]}))
`;

/** The original's ids of `many`: as read, as floats; and whether `.5g` loses a float. */
async function originalIds(
  experiment: string,
  many: Params[],
): Promise<{ ids: [string, string][]; lossy: boolean[] }> {
  const dir = Deno.makeTempDirSync({ prefix: "notata_interop_ids_" });
  try {
    const file = join(dir, "params.json");
    Deno.writeTextFileSync(file, JSON.stringify(many));
    const { ids, lossy } = await python(ORIGINAL_IDS, file, NOTATA_PY, experiment);
    return { ids: ids as [string, string][], lossy: lossy as boolean[] };
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
}

// A small seeded PRNG so the generated params are the same on every run.
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const KEYS = ["a", "b", "dt", "n", "N", "T", "method", "n_steps", "x1", "tol"];
const VALUES: JsonValue[] = [
  0,
  1,
  -1,
  42,
  10000,
  123456,
  2 ** 40,
  1e20,
  0.5,
  0.1,
  -2.5,
  1e-3,
  1e-7,
  2.5e-5,
  1e-5,
  0.0001,
  1e21,
  1.5e22,
  -3.25e-12,
  1 / 3,
  123456.5,
  1.03125,
  99999.5,
  5e-324,
  true,
  false,
  null,
  "rk4",
  "RK4",
  "Adam",
  "a b",
  "a/b",
  "",
  "1",
  "1e-07",
  "True",
  "None",
  "nan",
  "ü",
  "日本",
  "a.",
  "a-b",
  "x_y",
  [],
  [1, 2.5],
  ["a", true, null],
  { k: 1 },
  { b: 1, a: [true, null] },
];

function generated(count: number, seed: number): Params[] {
  const random = mulberry32(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
  const distinct = new Map<string, Params>();
  for (let i = 0; i < count; i++) {
    const params: Params = {};
    const size = Math.floor(random() * 4);
    for (let j = 0; j < size; j++) params[pick(KEYS)] = pick(VALUES);
    distinct.set(JSON.stringify(Object.entries(params).sort()), params);
  }
  return [...distinct.values()];
}

// Params whose original id loses nothing: ours must be exactly that id.
const LOSSLESS: Params[] = [
  {},
  { flag: true },
  { flag: false, seed: null },
  { tol: 1e-7 },
  { tol: 2.5e-5, dt: 0.1 },
  { x: 1e21 },
  { n: 10000, seed: -3 },
  { n: 123456 },
  { omega: 1, dt: 1e-3 },
  { method: "rk4", N: 64, T: 2.5 },
  { n_steps: 100, t_max: 5 },
  { adaptive: true, n_steps: 1000 },
];

Deno.test({
  name: "run ids equal the original's where ours is readable and .5g loses nothing" + IGNORED,
  ignore: !HAS_ORIGINAL,
  async fn() {
    const many = [...LOSSLESS, ...generated(4000, 12)];
    const { ids, lossy } = await originalIds("e", many);
    let readable = 0;
    const mismatches: string[] = [];
    many.forEach((params, i) => {
      const ours = formatRunId("e", params);
      // Where .5g loses a float, the original's id names other numbers too:
      // ours spells that number in full instead.
      if (HASH_SUFFIX.test(ours) || lossy[i]) return;
      readable++;
      if (ours !== ids[i][0]) mismatches.push(`${JSON.stringify(params)}: ${ours} / ${ids[i][0]}`);
    });
    assertEquals(mismatches, []);
    assert(readable > 300, `only ${readable} readable ids of ${many.length}`);
    assertEquals(
      LOSSLESS.map((params) => formatRunId("e", params)),
      ids.slice(0, LOSSLESS.length).map(([asRead]) => asRead),
    );
    // The other experiment names: "e_" for no params, as the original's.
    const { ids: [[sweepId]] } = await originalIds("oscillator_sweep", [{}]);
    assertEquals(formatRunId("oscillator_sweep", {}), sweepId);
  },
});

Deno.test({
  name: "the original's id of any params is one our lookups try" + IGNORED,
  ignore: !HAS_ORIGINAL,
  async fn() {
    const many = generated(4000, 99);
    const { ids } = await originalIds("e", many);
    const missed: string[] = [];
    many.forEach((params, i) => {
      const tried = [formatRunId("e", params), ...formerRunIds("e", params)];
      for (const id of ids[i]) {
        if (!tried.includes(id)) missed.push(`${JSON.stringify(params)}: ${id}`);
      }
    });
    assertEquals(missed, []);
  },
});
