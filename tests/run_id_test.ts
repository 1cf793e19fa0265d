// Copyright 2026 the notata authors. MIT license.
import { assert, assertEquals, assertMatch, assertNotEquals, assertThrows } from "@std/assert";
import { join } from "@std/path";
import { Experiment, InvalidValueError, RunExistsError, TemporaryExperiment } from "../mod.ts";
import { formatRunId } from "../src/run_id.ts";
import type { JsonValue, Params } from "../mod.ts";
import { formatJson } from "../src/_json.ts";

const HASH_SUFFIX = /__[0-9a-f]{12}$/;
const FILE_SAFE = /^[A-Za-z0-9._+-]+$/;

function byteLength(text: string): number {
  return new TextEncoder().encode(text).length;
}

// A small seeded PRNG so the property test is the same on every run.
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

const KEY_POOL = ["a", "b", "c", "a_b", "a_b_c", "x1", "n_steps", "dt"];
const VALUE_POOL: JsonValue[] = [
  0,
  1,
  2,
  -1,
  10000,
  0.5,
  -2.5,
  1e-3,
  1e-7,
  1e21,
  -3.25e-12,
  "rk4",
  "b",
  "1",
  "true",
  "null",
  "a_b",
  "a b",
  "",
  "1e-7",
  "1e-07",
  "None",
  "True",
  1 / 3,
  0.33333,
  1e-5,
  123456.5,
  true,
  false,
  null,
  [],
  [1],
  [1, "a"],
  { k: 1 },
];

// Distinct params, deduplicated by their canonical JSON.
function generateParams(count: number, seed: number): Map<string, Params> {
  const random = mulberry32(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
  const distinct = new Map<string, Params>();
  for (let i = 0; i < count; i++) {
    const params: Params = {};
    const size = Math.floor(random() * 4);
    for (let j = 0; j < size; j++) params[pick(KEY_POOL)] = pick(VALUE_POOL);
    distinct.set(formatJson(params), params);
  }
  return distinct;
}

Deno.test("formatRunId joins the experiment and params sorted by key", () => {
  assertEquals(
    formatRunId("oscillator_sweep", { omega: 1, dt: 1e-3 }),
    "oscillator_sweep_dt_0.001_omega_1",
  );
});

Deno.test("formatRunId writes integers without separators or exponent", () => {
  assertEquals(formatRunId("oscillator_sweep", { steps: 10000 }), "oscillator_sweep_steps_10000");
});

Deno.test("formatRunId writes numbers as Python's .5g where that reads back as the number", () => {
  assertEquals(formatRunId("e", { x: 1e-7 }), "e_x_1e-07");
  assertEquals(formatRunId("e", { x: 2.5e-5 }), "e_x_2.5e-05");
  assertEquals(formatRunId("e", { x: 1e21 }), "e_x_1e+21");
  assertEquals(formatRunId("e", { x: -2.5 }), "e_x_-2.5");
  assertEquals(formatRunId("e", { x: 0.1 }), "e_x_0.1");
  assertEquals(formatRunId("e", { x: 0.0001 }), "e_x_0.0001");
});

Deno.test("formatRunId writes integers below 1e21 as Python's int digits", () => {
  assertEquals(formatRunId("e", { x: 123456 }), "e_x_123456");
  assertEquals(formatRunId("e", { x: 1e20 }), "e_x_100000000000000000000");
  assertEquals(formatRunId("e", { x: -0 }), "e_x_0");
});

Deno.test("formatRunId writes numbers .5g loses in their shortest round-trip form", () => {
  // The original's "0.33333", "1.2346e+05", "1.0312" (half to even) name
  // other numbers too: ours stay readable and distinct, and are not its ids.
  assertEquals(formatRunId("e", { x: 1 / 3 }), "e_x_0.3333333333333333");
  assertEquals(formatRunId("e", { x: 123456.5 }), "e_x_123456.5");
  assertEquals(formatRunId("e", { x: 1.03125 }), "e_x_1.03125");
  assertEquals(formatRunId("e", { x: 1.2345678e-7 }), "e_x_1.2345678e-7");
});

Deno.test("formatRunId writes booleans and null as Python's True, False and None", () => {
  assertEquals(formatRunId("e", { a: true, b: false, c: null }), "e_a_True_b_False_c_None");
});

Deno.test("formatRunId keeps simple word strings readable", () => {
  assertEquals(formatRunId("e", { method: "rk4" }), "e_method_rk4");
});

Deno.test("formatRunId of empty params is the experiment name and '_', as the original's", () => {
  assertEquals(formatRunId("oscillator_sweep", {}), "oscillator_sweep_");
});

Deno.test("formatRunId does not depend on the insertion order of params", () => {
  const first = formatRunId("e", { omega: 2, dt: 1e-3, method: "rk4", steps: 10 });
  const second = formatRunId("e", { steps: 10, method: "rk4", dt: 1e-3, omega: 2 });
  assertEquals(first, second);
  const hashedFirst = formatRunId("e", { tags: ["a", "b"], path: "a/b", n: 1 });
  const hashedSecond = formatRunId("e", { n: 1, path: "a/b", tags: ["a", "b"] });
  assertEquals(hashedFirst, hashedSecond);
  assertMatch(hashedFirst, HASH_SUFFIX);
});

Deno.test("formatRunId keeps the string '1' apart from the number 1 with a hash", () => {
  const text = formatRunId("e", { x: "1" });
  const number = formatRunId("e", { x: 1 });
  assertEquals(number, "e_x_1");
  assertMatch(text, HASH_SUFFIX);
  assertNotEquals(text, number);
});

Deno.test("formatRunId keeps the string 'true' apart from the boolean true with a hash", () => {
  const text = formatRunId("e", { x: "true" });
  const boolean = formatRunId("e", { x: true });
  assertEquals(boolean, "e_x_True");
  for (const literal of ["True", "TRUE", "None", "none", "null", "nan", "Infinity"]) {
    assertMatch(formatRunId("e", { x: literal }), HASH_SUFFIX);
  }
  assertMatch(text, HASH_SUFFIX);
  assertNotEquals(text, boolean);
});

Deno.test("formatRunId hashes strings with characters outside [A-Za-z0-9._+-]", () => {
  const ids = ["a b", "a/b", "ü", "a-b"].map((value) => formatRunId("e", { x: value }));
  for (const id of ids.slice(0, 3)) {
    assertMatch(id, HASH_SUFFIX);
    assertMatch(id, FILE_SAFE);
  }
  assert(ids[0].startsWith("e_x_a-b__"), ids[0]);
  // "a b" is written like the readable "a-b" but must not share its id.
  assertEquals(ids[3], "e_x_a-b");
  assertEquals(new Set(ids).size, ids.length);
});

Deno.test("formatRunId hashes array and object values", () => {
  const array = formatRunId("e", { x: [1, 2] });
  const object = formatRunId("e", { x: { y: 1 } });
  assertMatch(array, HASH_SUFFIX);
  assertMatch(object, HASH_SUFFIX);
  assertMatch(array, FILE_SAFE);
  assertMatch(object, FILE_SAFE);
  assertNotEquals(array, object);
  assertNotEquals(array, formatRunId("e", { x: [1, 3] }));
});

Deno.test("formatRunId keeps string params apart from keys with underscores", () => {
  const split = formatRunId("e", { a: "b", c: "d" });
  const joined = formatRunId("e", { a_b_c: "d" });
  assertNotEquals(split, joined);
  assertMatch(joined, HASH_SUFFIX);
});

Deno.test("formatRunId keeps number params apart from keys with underscores", () => {
  const split = formatRunId("e", { a: 1, b: 2 });
  const joined = formatRunId("e", { a_1_b: 2 });
  assertEquals(split, "e_a_1_b_2");
  assertNotEquals(split, joined);
  assertMatch(joined, HASH_SUFFIX);
});

Deno.test("formatRunId keeps a string param followed by a number apart from one underscored key", () => {
  // Both read "e_a_b_c_1" without a hash.
  assertNotEquals(formatRunId("e", { a: "b", c: 1 }), formatRunId("e", { a_b_c: 1 }));
  assertNotEquals(formatRunId("e", { x: "y", z: true }), formatRunId("e", { x_y_z: true }));
});

Deno.test("formatRunId hashes empty-string values", () => {
  const empty = formatRunId("e", { x: "" });
  assertMatch(empty, HASH_SUFFIX);
  assertNotEquals(empty, formatRunId("e", {}));
  assertNotEquals(empty, formatRunId("e", { x: "-" }));
});

Deno.test("formatRunId readable ids hold no '__' after the experiment prefix", () => {
  let readable = 0;
  for (const params of generateParams(3000, 7).values()) {
    const id = formatRunId("exp", params);
    if (HASH_SUFFIX.test(id)) continue;
    readable++;
    assert(id === "exp" || id.startsWith("exp_"), id);
    assert(!id.slice("exp".length).includes("__"), id);
  }
  // The check must have seen readable ids, not only hashed ones.
  assert(readable > 100, `only ${readable} readable ids`);
});

Deno.test("formatRunId ids of 50 long params are file-safe, at most 200 bytes and hashed", () => {
  const params: Params = {};
  for (let i = 0; i < 50; i++) params[`key${i}`] = `value${i}`.repeat(10);
  const id = formatRunId("sweep", params);
  assertMatch(id, FILE_SAFE);
  assert(byteLength(id) <= 200, `${byteLength(id)} bytes`);
  assertMatch(id, HASH_SUFFIX);
  assert(id.startsWith("sweep_key0_value0"), id);
});

Deno.test("formatRunId ids of a 1000-character string are file-safe, at most 200 bytes and hashed", () => {
  const long = formatRunId("sweep", { s: "x".repeat(1000) });
  const unsafe = formatRunId("sweep", { s: "ü/".repeat(500) });
  for (const id of [long, unsafe]) {
    assertMatch(id, FILE_SAFE);
    assert(byteLength(id) <= 200, `${byteLength(id)} bytes`);
    assertMatch(id, HASH_SUFFIX);
  }
});

Deno.test("formatRunId keeps long params apart that differ only after the cut", () => {
  const first = formatRunId("sweep", { s: "x".repeat(300) + "a" });
  const second = formatRunId("sweep", { s: "x".repeat(300) + "b" });
  assertNotEquals(first, second);
  assertEquals(first.replace(HASH_SUFFIX, ""), second.replace(HASH_SUFFIX, ""));
});

Deno.test("formatRunId gives distinct file-safe ids to thousands of distinct params", () => {
  const distinct = generateParams(5000, 42);
  assert(distinct.size > 1000, `only ${distinct.size} distinct params`);
  const owners = new Map<string, string>();
  const collisions: string[] = [];
  for (const [canonical, params] of distinct) {
    const id = formatRunId("exp", params);
    assertMatch(id, FILE_SAFE);
    assert(byteLength(id) <= 200, id);
    const owner = owners.get(id);
    if (owner !== undefined) {
      collisions.push(`${id}: ${JSON.stringify(JSON.parse(owner))} / ${JSON.stringify(params)}`);
    }
    owners.set(id, canonical);
  }
  assertEquals(collisions, []);
  assertEquals(owners.size, distinct.size);
});

Deno.test("Experiment#runId equals formatRunId with the experiment name", () => {
  const tempDir = Deno.makeTempDirSync();
  try {
    const exp = new Experiment("sweep", { baseDir: tempDir });
    const cases: Params[] = [
      { omega: 1, dt: 1e-3 },
      {},
      { x: "a b", tags: [1, 2] },
      { method: "rk4", steps: 10000 },
    ];
    for (const params of cases) {
      assertEquals(exp.runId(params), formatRunId("sweep", params));
    }
    assertEquals(exp.runId({ omega: 1, dt: 1e-3 }), "sweep_dt_0.001_omega_1");
    assertEquals([...Deno.readDirSync(tempDir)], []);
  } finally {
    Deno.removeSync(tempDir, { recursive: true });
  }
});

Deno.test("Experiment#runId throws InvalidValueError for a function param and writes nothing", () => {
  const tempDir = Deno.makeTempDirSync();
  try {
    const exp = new Experiment("sweep", { baseDir: tempDir });
    const params = { omega: 1, fn: () => 1 } as unknown as Params;
    assertThrows(
      () => exp.runId(params),
      InvalidValueError,
      'Cannot make run id: param "fn" is a function, expected a JSON value',
    );
    assertEquals([...Deno.readDirSync(tempDir)], []);
  } finally {
    Deno.removeSync(tempDir, { recursive: true });
  }
});

Deno.test("formatRunId does not depend on the key order of nested objects", () => {
  const sorted = formatRunId("e", { x: { a: 1, b: [{ c: 2, d: 3 }] } });
  assertEquals(sorted, formatRunId("e", { x: { b: [{ d: 3, c: 2 }], a: 1 } }));
  assertEquals(formatRunId("e", { x: { b: 2, a: 1 } }), "e_x_--a--1--b--2-__f9cbef18ee85");
});

Deno.test("formatRunId hashes string values with capitals, as macOS and Windows ignore case", () => {
  assertEquals(formatRunId("e", { x: "a" }), "e_x_a");
  assertEquals(formatRunId("e", { x: "A" }), "e_x_A__642cb6388b91");
  assertEquals(formatRunId("e", { method: "RK4" }), "e_method_RK4__2b0c027b937a");
  assertEquals(formatRunId("e", { method: "rk4" }), "e_method_rk4");
});

Deno.test("formatRunId keeps keys with capitals readable", () => {
  assertEquals(formatRunId("ising", { N: 64, L: 8, T: 2.5 }), "ising_L_8_N_64_T_2.5");
  assertEquals(formatRunId("e", { N: 64, dt: 0.1 }), "e_N_64_dt_0.1");
});

Deno.test("formatRunId gives params that differ only in the case of a key ids equal up to case", () => {
  // The documented limit: on macOS and Windows these are one directory.
  const upper = formatRunId("e", { N: 1 });
  const lower = formatRunId("e", { n: 1 });
  assertEquals([upper, lower], ["e_N_1", "e_n_1"]);
  assertEquals(upper.toLowerCase(), lower.toLowerCase());
});

Deno.test("formatRunId keeps underscored keys apart from capitalised pairs up to case", () => {
  // Readable, these were "e_b_x_a_1" / "e_B_x_a_1" and "e_x_TRUE_y_z_1" /
  // "e_x_true_y_z_1": one directory each on macOS and Windows.
  assertEquals(formatRunId("e", { B: "x", a: 1 }), "e_B_x_a_1");
  assertEquals(formatRunId("e", { b_x_a: 1 }), "e_b_x_a_1__c0636a65915d");
  assertEquals(formatRunId("e", { x: true, y_z: 1 }), "e_x_True_y_z_1");
  assertEquals(formatRunId("e", { x_TRUE_y_z: 1 }), "e_x_TRUE_y_z_1__3e41feed87b9");
  assertEquals(formatRunId("e", { x: 1e21, y_z: 1 }), "e_x_1e+21_y_z_1");
  assertMatch(formatRunId("e", { "x_1E+21_y_z": 1 }), /^e_x_1E\+21_y_z_1__[0-9a-f]{12}$/);
  // Underscored keys whose would-be pair keys cannot ascend stay readable.
  assertEquals(formatRunId("e", { n_steps: 100, t_max: 5 }), "e_n_steps_100_t_max_5");
  assertEquals(formatRunId("e", { n_steps: 1000, dt: 0.01 }), "e_dt_0.01_n_steps_1000");
});

Deno.test("formatRunId never ends an id in a dot, which Windows drops", () => {
  assertEquals(formatRunId("e", { x: "a." }), "e_x_a.__ec553cdda337");
  assertEquals(formatRunId("e", { x: "a.b" }), "e_x_a.b");
  assertEquals(formatRunId("x.", {}), "x._");
  assertMatch(formatRunId("e", { "a.": 1, x: "." }), /__[0-9a-f]{12}$/);
});

function runNames(exp: Experiment): string[] {
  return [...Deno.readDirSync(exp.runsDir)].map((entry) => entry.name).sort();
}

// A complete run of `params` whose directory is then renamed to `log_<id>`,
// as an earlier version of notata or the Python notata would have named it.
function completeRunNamed(exp: Experiment, params: Params, id: string): void {
  const log = exp.add(params)!;
  log.markComplete();
  Deno.renameSync(log.path, join(exp.runsDir, `log_${id}`));
}

Deno.test("skipExisting, statusOf and sweep find a run under the id of the previous rule", async () => {
  using exp = new TemporaryExperiment("e");
  // The ids earlier versions gave: JavaScript's spelling, no "_" for no params.
  const old: [Params, string][] = [
    [{ flag: true, tol: 1e-7, n: 1 }, "e_flag_true_n_1_tol_1e-7"],
    [{ seed: null, dt: 0.5 }, "e_dt_0.5_seed_null"],
    [{}, "e"],
    [{ method: "RK4", on: false }, "e_method_RK4_on_false__6f6ec1406ebf"],
  ];
  for (const [params, id] of old) {
    assertNotEquals(exp.runId(params), id);
    completeRunNamed(exp, params, id);
  }
  const names = runNames(exp);
  assertEquals(names, old.map(([, id]) => `log_${id}`).sort());
  for (const [params] of old) {
    assertEquals(exp.statusOf(params), "complete");
    assertEquals(exp.add(params, { skipExisting: true }), null);
  }
  let calls = 0;
  const summary = await exp.sweep(old.map(([params]) => params), () => {
    calls++;
  }, { progress: false });
  assertEquals([summary.skipped, calls], [old.length, 0]);
  assertEquals(runNames(exp), names);
});

Deno.test("overwrite replaces a run found under a former id in place", () => {
  using exp = new TemporaryExperiment("e");
  completeRunNamed(exp, { flag: true }, "e_flag_true");
  const log = exp.add({ flag: true }, { overwrite: true })!;
  assertEquals(log.runId, "e_flag_true");
  log.markFailed("again");
  assertEquals(runNames(exp), ["log_e_flag_true"]);
  assertEquals(exp.statusOf({ flag: true }), "failed");
});

Deno.test("a directory under a former id that holds other params is not taken", () => {
  using exp = new TemporaryExperiment("e");
  // The original's id of x = 0.333331 and of x = 1 / 3 alike: .5g gives 0.33333.
  const dir = join(exp.runsDir, "log_e_x_0.33333");
  Deno.mkdirSync(dir, { recursive: true });
  Deno.writeTextFileSync(join(dir, "params.yaml"), "x: 0.333331\n");
  Deno.writeTextFileSync(join(dir, "metadata.json"), '{"status": "complete"}\n');
  assertEquals(exp.statusOf({ x: 1 / 3 }), undefined);
  assertEquals(exp.statusOf({ x: 0.333331 }), "complete");
  const log = exp.add({ x: 1 / 3 }, { skipExisting: true })!;
  assertEquals(log.runId, "e_x_0.3333333333333333");
  log.markComplete();
  assertEquals(runNames(exp), ["log_e_x_0.33333", "log_e_x_0.3333333333333333"]);
  // The original's lossy id is our id of 0.33333: its directory is not ours to use.
  assertThrows(
    () => exp.add({ x: 0.33333 }, { skipExisting: true }),
    RunExistsError,
    'directory "' + dir + '" of run "e_x_0.33333" holds other params',
  );
});
