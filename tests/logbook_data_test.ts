// Copyright 2026 the notata authors. MIT license.
// Tests of the Logbook's data methods: arrays (.npy, read back by NumPy),
// archives (.npz in both layouts), tables (.parquet, read back by Polars and,
// where it can, pandas), plots (SVG, PNG, Vega-Lite), their input checks
// (nothing is written for bad input) and the log lines they leave.

import { withRun } from "./_run.ts";
import { assert, assertEquals, assertMatch, assertRejects, assertThrows } from "@std/assert";
import { fromFileUrl, join, toFileUrl } from "@std/path";
import { serialize } from "node:v8";
import pl from "nodejs-polars";
import { encodeNpy } from "../src/npy.ts";
import { renderVegaLiteSvg } from "../src/_vega.ts";
import {
  type FrameColumns,
  InvalidNameError,
  InvalidValueError,
  type Logbook,
  type NamedArrays,
  type TypedArray,
  type VegaLiteSpec,
} from "../mod.ts";
import { ignoredNote, python, pythonHas } from "./_python.ts";
import { ENERGY, groups, lineSpec, parseSvg } from "./_svg.ts";

// ---------------------------------------------------------------------------
// Helpers

const HAS_NUMPY = pythonHas("numpy");
const NUMPY_NOTE = ignoredNote(HAS_NUMPY, "numpy");
const HAS_PARQUET = pythonHas("pandas", "pyarrow") || pythonHas("pandas", "fastparquet");
const PARQUET_NOTE = ignoredNote(HAS_PARQUET, "pandas and pyarrow or fastparquet");

/** The names in `dir`, sorted; `[]` when it does not exist. */
function entries(dir: string): string[] {
  try {
    return [...Deno.readDirSync(dir)].map((entry) => entry.name).sort();
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return [];
    throw error;
  }
}

function isDirectory(path: string): boolean {
  try {
    return Deno.statSync(path).isDirectory;
  } catch {
    return false;
  }
}

/** The log lines after the first ("Run started"), without timestamps, flushed first. */
function laterLogLines(log: Logbook): string[] {
  log.flush();
  const lines = Deno.readTextFileSync(join(log.path, "log.txt")).trimEnd().split("\n");
  for (const line of lines) assertMatch(line, /^\[\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\] /);
  assertEquals(lines[0]!.slice(27), "INFO Run started");
  return lines.slice(1).map((line) => line.slice(27));
}

function bytesOf(data: TypedArray): Uint8Array {
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

const ACCEPTED_NAME = 'expected a single file name without "/", "\\", control characters or a ' +
  'leading "."';
const ACCEPTED_DATA = "expected a typed array (Float64Array, Float32Array, Float16Array, " +
  "Int8Array, Int16Array, Int32Array, Uint8Array, Uint16Array, Uint32Array, BigInt64Array, " +
  "BigUint64Array), an array of numbers or an array of strings";

/** Names no data or plot method accepts, with how the message describes each. */
const BAD_NAMES: [string, string][] = [
  ["", "is empty"],
  ["a/b", "is path-like"],
  ["..", 'starts with "."'],
  ["../up", "is path-like"],
  ["a\\b", "is path-like"],
  ["/abs", "is path-like"],
  [".hidden", 'starts with "."'],
  ["tab\there", "contains a control character"],
  ["x".repeat(201), "is longer than 200 bytes"],
];

// ---------------------------------------------------------------------------
// array

/** Loads each `<dir>/<name>.npy` with numpy.load and describes what it got. */
const LOAD_NPY = `
import json, sys
import numpy as np

out = {}
for name in sys.argv[2:]:
    a = np.load(sys.argv[1] + "/" + name + ".npy")
    out[name] = {
        "dtype": a.dtype.str,
        "shape": list(a.shape),
        "hex": a.tobytes(order="C").hex(),
        "c_order": bool(a.flags.c_contiguous),
        "ints": [str(x) for x in a.ravel().tolist()] if a.dtype.kind in "iu" else None,
        "nested": a.tolist() if a.dtype.kind in "iu" and a.ndim > 1 else None,
    }
print(json.dumps(out))
`;

interface LoadedNpy {
  dtype: string;
  shape: number[];
  hex: string;
  c_order: boolean;
  ints: string[] | null;
  nested: unknown[] | null;
}

// Float16Array is recent; where the runtime lacks it, notata does not write "<f2".
const Float16 = (globalThis as { Float16Array?: { from(values: number[]): TypedArray } })
  .Float16Array;
const HALF: [string, TypedArray, string][] = Float16
  ? [["f2", Float16.from([1.5, -0.5, 65504, NaN, -Infinity, 6e-8]), "<f2"]]
  : [];

/** One array of every dtype notata writes, with the dtype NumPy must report. */
const EVERY_DTYPE: [string, TypedArray | number[], string][] = [
  [
    "f8",
    new Float64Array([0, -0, 1.5, NaN, Infinity, -Infinity, Number.MAX_VALUE, 5e-324, 0.1 + 0.2]),
    "<f8",
  ],
  [
    "f4",
    new Float32Array([1.5, -2.25, NaN, Infinity, -Infinity, 3.4028234663852886e38, 1e-45]),
    "<f4",
  ],
  ...HALF,
  ["i1", new Int8Array([-128, -1, 0, 127]), "|i1"],
  ["i2", new Int16Array([-32768, -1, 0, 32767]), "<i2"],
  ["i4", new Int32Array([-(2 ** 31), -1, 0, 2 ** 31 - 1]), "<i4"],
  ["i8", new BigInt64Array([-(2n ** 63n), -1n, 0n, 2n ** 63n - 1n]), "<i8"],
  ["u1", new Uint8Array([0, 1, 128, 255]), "|u1"],
  ["u2", new Uint16Array([0, 1, 65535]), "<u2"],
  ["u4", new Uint32Array([0, 1, 2 ** 32 - 1]), "<u4"],
  ["u8", new BigUint64Array([0n, 1n, 2n ** 64n - 1n]), "<u8"],
  ["plain", [0.5, -1, 3, 1e300, -1e-300], "<f8"],
];

Deno.test({
  name: "array: numpy.load reads every dtype with the same dtype, shape and bytes" + NUMPY_NOTE,
  ignore: !HAS_NUMPY,
  fn: withRun(async (log) => {
    for (const [name, data] of EVERY_DTYPE) log.array(name, data);
    const dataDir = join(log.path, "data");
    const loaded = await python(LOAD_NPY, dataDir, ...EVERY_DTYPE.map(([name]) => name)) as Record<
      string,
      LoadedNpy
    >;
    for (const [name, data, dtype] of EVERY_DTYPE) {
      const typed = Array.isArray(data) ? Float64Array.from(data) : data;
      const got = loaded[name]!;
      assertEquals(got.dtype, dtype, name);
      assertEquals(got.shape, [data.length], name);
      assertEquals(got.hex, hex(bytesOf(typed)), name);
      assertEquals(got.c_order, true, name);
      if (got.ints !== null) assertEquals(got.ints, Array.from(typed, String), name);
    }
    assertEquals(entries(dataDir), EVERY_DTYPE.map(([name]) => `${name}.npy`).sort());
  }),
});

Deno.test({
  name: "array: n-dimensional shapes are written in C order and load with their shape" +
    NUMPY_NOTE,
  ignore: !HAS_NUMPY,
  fn: withRun(async (log) => {
    const field = Float64Array.from({ length: 64 * 64 }, (_, i) => i + 0.5);
    const cube = Int16Array.from({ length: 24 }, (_, i) => i - 12);
    log.array("field", field, { shape: [64, 64] });
    log.array("cube", cube, { shape: [2, 3, 4] });
    log.array("zero_d", new Float32Array([2.5]), { shape: [] });
    log.array("empty", new Int32Array(0), { shape: [0, 3] });
    log.array("column", [1, 2, 3], { shape: [3, 1] });
    const loaded = await python(
      LOAD_NPY,
      join(log.path, "data"),
      "field",
      "cube",
      "zero_d",
      "empty",
      "column",
    ) as Record<string, LoadedNpy>;
    assertEquals(loaded.field!.shape, [64, 64]);
    assertEquals(loaded.field!.dtype, "<f8");
    assertEquals(loaded.field!.hex, hex(bytesOf(field)));
    assertEquals(loaded.cube!.shape, [2, 3, 4]);
    // C order: the last axis varies fastest.
    assertEquals(loaded.cube!.nested, [
      [[-12, -11, -10, -9], [-8, -7, -6, -5], [-4, -3, -2, -1]],
      [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10, 11]],
    ]);
    assertEquals([loaded.zero_d!.shape, loaded.zero_d!.hex], [
      [],
      hex(bytesOf(new Float32Array([2.5]))),
    ]);
    assertEquals([loaded.empty!.shape, loaded.empty!.dtype, loaded.empty!.hex], [
      [0, 3],
      "<i4",
      "",
    ]);
    assertEquals([loaded.column!.shape, loaded.column!.dtype], [[3, 1], "<f8"]);
    for (const got of Object.values(loaded)) assertEquals(got.c_order, true);
  }),
});

Deno.test(
  "array: the file is the .npy numpy.save writes, at the path returned",
  withRun((log) => {
    const data = new Float32Array([0.5, 1.5, 2.5, 3.5, 4.5, 5.5]);
    const path = log.array("energy", data, { shape: [2, 3] });
    assertEquals(path, join(log.path, "data", "energy.npy"));
    assertEquals(Deno.readFileSync(path), encodeNpy(data, [2, 3]));
  }),
);

Deno.test(
  "array: the .npy suffix is optional and never doubled",
  withRun((log) => {
    const plain = log.array("energy", [1, 2]);
    const suffixed = log.array("drift.npy", [3, 4]);
    assertEquals(plain, join(log.path, "data", "energy.npy"));
    assertEquals(suffixed, join(log.path, "data", "drift.npy"));
    assertEquals(entries(join(log.path, "data")), ["drift.npy", "energy.npy"]);
    assertEquals(Deno.readFileSync(suffixed), encodeNpy([3, 4]));
  }),
);

Deno.test(
  "array: logs an INFO line 'Saved array <name> in data/<file>'",
  withRun((log) => {
    log.array("energy", [1, 2]);
    log.array("drift.npy", new Int8Array(1));
    assertEquals(laterLogLines(log), [
      "INFO Saved array energy in data/energy.npy",
      "INFO Saved array drift.npy in data/drift.npy",
    ]);
  }),
);

Deno.test(
  "array: writing again replaces the file whole",
  withRun((log) => {
    log.array("energy", new Float64Array(1000));
    const path = log.array("energy", new Int8Array([7]));
    assertEquals(Deno.readFileSync(path), encodeNpy(new Int8Array([7])));
    assertEquals(entries(join(log.path, "data")), ["energy.npy"]);
  }),
);

Deno.test(
  "array: a shape that does not hold the data throws InvalidValueError naming both, writing nothing",
  withRun((log) => {
    const error = assertThrows(
      () => log.array("field", new Float64Array(10), { shape: [3, 4] }),
      InvalidValueError,
    );
    assertEquals(
      error.message,
      'Cannot write array "field": shape [3, 4] holds 12 elements, but the data has 10',
    );
    const invalid: [unknown, string][] = [
      [[-1], "shape [-1] is not valid"],
      [[2.5, 2], "shape [2.5, 2] is not valid"],
      [[Infinity], "shape [Infinity] is not valid"],
      ["4", 'shape "4" is not valid'],
      [new Array(33).fill(1), `shape [${new Array(33).fill(1).join(", ")}] is not valid`],
    ];
    for (const [shape, problem] of invalid) {
      const error = assertThrows(
        () => log.array("field", [1, 2, 3, 4], { shape: shape as number[] }),
        InvalidValueError,
      );
      assertEquals(
        error.message,
        `Cannot write array "field": ${problem}, expected an array of at most 32 non-negative integers`,
      );
    }
    assertEquals(entries(join(log.path, "data")), []);
    assertEquals(laterLogLines(log), []);
  }),
);

Deno.test(
  "array: data that is neither numbers nor strings throws InvalidValueError, writing nothing",
  withRun((log) => {
    const cases: [unknown, string][] = [
      [[1, "2", 3], 'element 1 is "2"'],
      [[1, null], "element 1 is null"],
      [[1n], "element 0 is 1"],
      // deno-lint-ignore no-sparse-arrays
      [[1, , 3], "element 1 is undefined"],
      [new Uint8ClampedArray(2), "data is of type Uint8ClampedArray"],
      [new DataView(new ArrayBuffer(8)), "data is of type DataView"],
      ["123", 'data is "123"'],
      [undefined, "data is undefined"],
    ];
    for (const [data, problem] of cases) {
      const error = assertThrows(() => log.array("x", data as number[]), InvalidValueError);
      assertEquals(error.message, `Cannot write array "x": ${problem}, ${ACCEPTED_DATA}`);
    }
    assertEquals(entries(join(log.path, "data")), []);
    assertEquals(laterLogLines(log), []);
  }),
);

Deno.test(
  "array: bad names throw InvalidNameError before anything is created",
  withRun((log) => {
    for (const [name, problem] of BAD_NAMES) {
      const error = assertThrows(() => log.array(name, [1]), InvalidNameError);
      assertEquals(
        error.message,
        `Cannot write array ${JSON.stringify(name)}: name ${
          JSON.stringify(name)
        } ${problem}, ${ACCEPTED_NAME}`,
      );
    }
    assertEquals(isDirectory(join(log.path, "data")), false);
  }),
);

Deno.test(
  "array: a write that fails leaves no temporary file in data/",
  withRun((log) => {
    // A directory where the file should go: the rename over it fails.
    Deno.mkdirSync(join(log.path, "data", "energy.npy"), { recursive: true });
    assertThrows(() => log.array("energy", new Float64Array(4096)), Deno.errors.IsADirectory);
    assertEquals(entries(join(log.path, "data")), ["energy.npy"]);
    assertEquals(entries(join(log.path, "data", "energy.npy")), []);
    assertEquals(laterLogLines(log), []);
  }),
);

// ---------------------------------------------------------------------------
// arrays

/** For each archive: np.load's members, and zipfile's member names and methods. */
const LOAD_NPZ = `
import json, sys, zipfile
import numpy as np

out = {}
for path in sys.argv[1:]:
    with np.load(path) as z:
        arrays = {k: {"dtype": z[k].dtype.str, "shape": list(z[k].shape),
                      "hex": z[k].tobytes().hex()} for k in z.files}
        files = list(z.files)
    with zipfile.ZipFile(path) as archive:
        members = [[info.filename, info.compress_type] for info in archive.infolist()]
        bad = archive.testzip()
    out[path] = {"files": files, "arrays": arrays, "members": members, "bad_member": bad}
print(json.dumps(out))
`;

const TRAJECTORY = {
  x: new Float64Array([0, 0.1, 0.2, 0.30000000000000004]),
  v: new Float32Array([1, 0.5, -0.25, NaN]),
  n: { data: new Int32Array([1, 2, 3, 4, 5, 6]), shape: [2, 3] },
  t: [0, 0.5, 1, 1.5],
  k: new BigInt64Array([-(2n ** 63n), 2n ** 63n - 1n]),
} as const;

Deno.test({
  name: "arrays: numpy.load reads both layouts; zipfile sees stored and deflated members" +
    NUMPY_NOTE,
  ignore: !HAS_NUMPY,
  fn: withRun(async (log) => {
    const stored = log.arrays("trajectory", TRAJECTORY);
    const deflated = log.arrays("trajectory_z", TRAJECTORY, { compressed: true });
    const result = await python(LOAD_NPZ, stored, deflated) as Record<string, {
      files: string[];
      arrays: Record<string, { dtype: string; shape: number[]; hex: string }>;
      members: [string, number][];
      bad_member: string | null;
    }>;
    const expected = {
      x: { dtype: "<f8", shape: [4], hex: hex(bytesOf(TRAJECTORY.x)) },
      v: { dtype: "<f4", shape: [4], hex: hex(bytesOf(TRAJECTORY.v)) },
      n: { dtype: "<i4", shape: [2, 3], hex: hex(bytesOf(TRAJECTORY.n.data)) },
      t: { dtype: "<f8", shape: [4], hex: hex(bytesOf(Float64Array.from(TRAJECTORY.t))) },
      k: { dtype: "<i8", shape: [2], hex: hex(bytesOf(TRAJECTORY.k)) },
    };
    const names = ["x.npy", "v.npy", "n.npy", "t.npy", "k.npy"];
    // zipfile's compress_type: 0 is ZIP_STORED (savez), 8 is ZIP_DEFLATED (savez_compressed).
    for (const [path, method] of [[stored, 0], [deflated, 8]] as const) {
      const got = result[path]!;
      assertEquals(got.files, ["x", "v", "n", "t", "k"]);
      assertEquals(got.arrays, expected);
      assertEquals(got.members, names.map((name) => [name, method]));
      assertEquals(got.bad_member, null);
    }
  }),
});

Deno.test(
  "arrays: the .npz suffix is optional; returns the path; logs 'Saved arrays'",
  withRun((log) => {
    const plain = log.arrays("trajectory", { x: [1] });
    const suffixed = log.arrays("state.npz", { v: [2] }, { compressed: true });
    assertEquals(plain, join(log.path, "data", "trajectory.npz"));
    assertEquals(suffixed, join(log.path, "data", "state.npz"));
    assertEquals(entries(join(log.path, "data")), ["state.npz", "trajectory.npz"]);
    assertEquals(laterLogLines(log), [
      "INFO Saved arrays trajectory in data/trajectory.npz",
      "INFO Saved arrays state.npz in data/state.npz",
    ]);
  }),
);

Deno.test(
  "arrays: a bad member anywhere writes nothing and leaves an existing archive as it was",
  withRun((log) => {
    const path = log.arrays("trajectory", { x: [1, 2] });
    const before = Deno.readFileSync(path);
    const good = new Float64Array(100_000); // large enough that a partial write would show
    const cases: [NamedArrays, typeof InvalidValueError | typeof InvalidNameError, string][] = [
      [
        { a: good, b: good, c: { data: [1, 2, 3], shape: [2, 2] } },
        InvalidValueError,
        'member "c": shape [2, 2] holds 4 elements, but the data has 3',
      ],
      [
        { a: [1, "1"] as unknown as number[], b: good },
        InvalidValueError,
        `member "a": element 1 is "1", ${ACCEPTED_DATA}`,
      ],
      [
        { a: good, b: new Uint8ClampedArray(1) as unknown as Uint8Array, c: good },
        InvalidValueError,
        `member "b": data is of type Uint8ClampedArray, ${ACCEPTED_DATA}`,
      ],
      [
        { a: good, "../b": good },
        InvalidNameError,
        `key "../b" is path-like, ${ACCEPTED_NAME}`,
      ],
      [{ a: good, "": good }, InvalidNameError, `key "" is empty, ${ACCEPTED_NAME}`],
    ];
    for (const name of ["trajectory", "fresh"]) {
      for (const [arrays, ErrorClass, problem] of cases) {
        for (const compressed of [false, true]) {
          const error = assertThrows(
            () => log.arrays(name, arrays, { compressed }),
            ErrorClass as typeof InvalidValueError,
          );
          const separator = ErrorClass === InvalidNameError ? ": " : ", ";
          assertEquals(error.message, `Cannot write arrays "${name}"${separator}${problem}`);
        }
      }
    }
    assertEquals(Deno.readFileSync(path), before);
    assertEquals(entries(join(log.path, "data")), ["trajectory.npz"]);
    assertEquals(laterLogLines(log), ["INFO Saved arrays trajectory in data/trajectory.npz"]);
  }),
);

Deno.test(
  "arrays: bad archive names throw InvalidNameError before anything is created",
  withRun((log) => {
    for (const [name, problem] of BAD_NAMES) {
      const error = assertThrows(() => log.arrays(name, { x: [1] }), InvalidNameError);
      assertEquals(
        error.message,
        `Cannot write arrays ${JSON.stringify(name)}: name ${
          JSON.stringify(name)
        } ${problem}, ${ACCEPTED_NAME}`,
      );
    }
    assertEquals(isDirectory(join(log.path, "data")), false);
  }),
);

// ---------------------------------------------------------------------------
// frame

/** A column of every supported kind, with the Polars dtype it must have on disk. */
function everyKind(): { columns: FrameColumns; dtypes: Record<string, string> } {
  const columns: FrameColumns = {
    f64: new Float64Array([1.5, NaN, -Infinity, 0.1 + 0.2]),
    f32: new Float32Array([1.5, -2.25, Infinity, 3.4028234663852886e38]),
    i8: new Int8Array([-128, -1, 0, 127]),
    i16: new Int16Array([-32768, -1, 0, 32767]),
    i32: new Int32Array([-(2 ** 31), -1, 0, 2 ** 31 - 1]),
    i64: new BigInt64Array([-(2n ** 63n), -1n, 0n, 2n ** 63n - 1n]),
    u8: new Uint8Array([0, 1, 128, 255]),
    u16: new Uint16Array([0, 1, 2, 65535]),
    u32: new Uint32Array([0, 1, 2, 2 ** 32 - 1]),
    u64: new BigUint64Array([0n, 1n, 2n, 2n ** 64n - 1n]),
    numbers: [0.5, -1, 1e300, 2],
    whole: [1, 2, 3, 4], // whole numbers stay floats: plain numbers are Float64
    text: ["a", "", 'comma, "quote"', "ümlaut\nline"],
    flag: [true, false, false, true],
  };
  const dtypes = {
    f64: pl.Float64,
    f32: pl.Float32,
    i8: pl.Int8,
    i16: pl.Int16,
    i32: pl.Int32,
    i64: pl.Int64,
    u8: pl.UInt8,
    u16: pl.UInt16,
    u32: pl.UInt32,
    u64: pl.UInt64,
    numbers: pl.Float64,
    whole: pl.Float64,
    text: pl.String,
    flag: pl.Bool,
  };
  return {
    columns,
    dtypes: Object.fromEntries(Object.entries(dtypes).map(([name, type]) => [name, String(type)])),
  };
}

Deno.test(
  "frame: every column kind reads back with Polars' readParquet with its dtype and values",
  withRun(async (log) => {
    const { columns, dtypes } = everyKind();
    const path = await log.frame("samples", columns);
    assertEquals(path, join(log.path, "data", "samples.parquet"));
    const frame = pl.readParquet(path);
    assertEquals(frame.columns, Object.keys(columns));
    assertEquals(frame.height, 4);
    assertEquals(
      Object.fromEntries(frame.columns.map((name) => [name, String(frame.getColumn(name).dtype)])),
      dtypes,
    );
    for (const [name, column] of Object.entries(columns)) {
      const series = frame.getColumn(name);
      if (column instanceof BigInt64Array || column instanceof BigUint64Array) {
        // Polars hands 64-bit integers to JavaScript as numbers; compare them as text.
        assertEquals(series.cast(pl.String).toArray(), Array.from(column, String), name);
      } else {
        assertEquals(series.toArray(), Array.from(column as ArrayLike<unknown>), name);
      }
    }
    assertEquals(laterLogLines(log), ["INFO Saved frame samples in data/samples.parquet"]);
  }),
);

const READ_PARQUET = `
import json, sys
import pandas as pd

df = pd.read_parquet(sys.argv[1])
print(json.dumps({
    "columns": [str(c) for c in df.columns],
    "dtypes": {str(c): str(t) for c, t in df.dtypes.items()},
    "values": {str(c): [repr(v) for v in df[c].tolist()] for c in df.columns},
}))
`;

Deno.test({
  name: "frame: pandas.read_parquet reads every column kind with its dtype" + PARQUET_NOTE,
  ignore: !HAS_PARQUET,
  fn: withRun(async (log) => {
    const { columns } = everyKind();
    const result = await python(READ_PARQUET, await log.frame("samples", columns));
    assertEquals(result.columns, Object.keys(columns));
    assertEquals(result.dtypes, {
      f64: "float64",
      f32: "float32",
      i8: "int8",
      i16: "int16",
      i32: "int32",
      i64: "int64",
      u8: "uint8",
      u16: "uint16",
      u32: "uint32",
      u64: "uint64",
      numbers: "float64",
      whole: "float64",
      text: "object",
      flag: "bool",
    });
    const values = result.values as Record<string, string[]>;
    assertEquals(values.f64, ["1.5", "nan", "-inf", "0.30000000000000004"]);
    assertEquals(values.f32, ["1.5", "-2.25", "inf", "3.4028234663852886e+38"]);
    assertEquals(values.i64, ["-9223372036854775808", "-1", "0", "9223372036854775807"]);
    assertEquals(values.u64, ["0", "1", "2", "18446744073709551615"]);
    assertEquals(values.whole, ["1.0", "2.0", "3.0", "4.0"]);
    assertEquals(values.text, ["'a'", "''", `'comma, "quote"'`, "'ümlaut\\nline'"]);
    assertEquals(values.flag, ["True", "False", "False", "True"]);
  }),
});

Deno.test(
  "frame: a nodejs-polars DataFrame is written as it is",
  withRun(async (log) => {
    const frame = pl.DataFrame({
      step: pl.Series("step", [0, 1, 2], pl.Int32),
      label: ["a", "b", null],
      energy: [1, 0.5, null],
    });
    const path = await log.frame("table.parquet", frame);
    assertEquals(path, join(log.path, "data", "table.parquet"));
    const back = pl.readParquet(path);
    assertEquals(back.columns, ["step", "label", "energy"]);
    assertEquals(back.dtypes.map(String), [pl.Int32, pl.String, pl.Float64].map(String));
    assert(back.frameEqual(frame, true), back.toString());
    // nodejs-polars types toArray() without the nulls it returns.
    assertEquals<unknown[]>(back.getColumn("label").toArray(), ["a", "b", null]);
    assertEquals(laterLogLines(log), ["INFO Saved frame table.parquet in data/table.parquet"]);
  }),
);

const ACCEPTED_COLUMN = "expected a numeric typed array, or an array of only numbers, only " +
  "strings or only booleans";

/** Tables frame() refuses, and the message each gets after 'Cannot write frame "s": '. */
const BAD_TABLES: [string, unknown, string][] = [
  [
    "unequal lengths",
    { t: [0, 1, 2], x: new Float64Array(2) },
    'column "x" has 2 rows but column "t" has 3, expected columns of equal length',
  ],
  ["no columns", {}, "the table has no columns, expected at least one"],
  [
    "mixed values",
    { t: [1, "a"] },
    `column "t" is an array of mixed or unsupported values, ${ACCEPTED_COLUMN}`,
  ],
  [
    "nulls",
    { t: [null, null] },
    `column "t" is an array of mixed or unsupported values, ${ACCEPTED_COLUMN}`,
  ],
  // deno-lint-ignore no-sparse-arrays
  [
    "holes",
    { t: [1, , 3] },
    `column "t" is an array of mixed or unsupported values, ${ACCEPTED_COLUMN}`,
  ],
  [
    "bigints",
    { t: [1n, 2n] },
    `column "t" is an array of mixed or unsupported values, ${ACCEPTED_COLUMN}`,
  ],
  [
    "clamped",
    { t: new Uint8ClampedArray(2) },
    `column "t" is a Uint8ClampedArray, ${ACCEPTED_COLUMN}`,
  ],
  ["a number", { t: 5 }, `column "t" is a number, ${ACCEPTED_COLUMN}`],
  ["null column", { t: null }, `column "t" is null, ${ACCEPTED_COLUMN}`],
  ["empty name", { "": [1] }, "a column name is empty, expected a non-empty name"],
];

Deno.test(
  "frame: bad tables throw InvalidValueError and create nothing",
  withRun(async (log) => {
    for (const [label, table, problem] of BAD_TABLES) {
      const error = await assertRejects(
        () => log.frame("s", table as FrameColumns),
        InvalidValueError,
        undefined,
        label,
      );
      assertEquals(error.message, `Cannot write frame "s": ${problem}`, label);
    }
    for (const [name, problem] of BAD_NAMES) {
      const error = await assertRejects(() => log.frame(name, { t: [1] }), InvalidNameError);
      assertEquals(
        error.message,
        `Cannot write frame ${JSON.stringify(name)}: name ${
          JSON.stringify(name)
        } ${problem}, ${ACCEPTED_NAME}`,
      );
    }
    assertEquals(isDirectory(join(log.path, "data")), false);
    assertEquals(laterLogLines(log), []);
  }),
);

const importMap = fromFileUrl(new URL("../import_map.npm.json", import.meta.url));
const modUrl = new URL("../mod.ts", import.meta.url).href;

Deno.test("frame: bad tables and names are refused without loading Polars (no --allow-ffi)", async () => {
  const dir = Deno.makeTempDirSync();
  try {
    // The calls, as V8 serializes them: typed arrays, holes and bigints intact.
    const calls = [
      ...BAD_TABLES.map(([, table]) => ["s", table]),
      ["../s", { t: [1] }],
      ["s", { t: [1] }],
    ];
    Deno.writeFileSync(join(dir, "calls.bin"), serialize(calls));
    const script = join(dir, "frames.ts");
    Deno.writeTextFileSync(
      script,
      `import { deserialize } from "node:v8";
import { Logbook } from ${JSON.stringify(modUrl)};
const [dir] = Deno.args;
const log = new Logbook("run", { baseDir: dir });
for (const [name, table] of deserialize(Deno.readFileSync(dir + "/calls.bin"))) {
  try {
    await log.frame(name, table);
    console.log("written");
  } catch (error) {
    console.log(\`\${error.name}: \${error.message}\`);
  }
}
log.markComplete();
`,
    );
    const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--no-prompt",
        `--import-map=${importMap}`,
        `--allow-read=${dir}`,
        `--allow-write=${dir}`,
        toFileUrl(script).href,
        dir,
      ],
      stdout: "piped",
      stderr: "piped",
    }).output();
    const decoder = new TextDecoder();
    assertEquals(code, 0, decoder.decode(stderr));
    const lines = decoder.decode(stdout).trimEnd().split("\n");
    assertEquals(lines.slice(0, -1), [
      ...BAD_TABLES.map(([, , problem]) => `InvalidValueError: Cannot write frame "s": ${problem}`),
      `InvalidNameError: Cannot write frame "../s": name "../s" is path-like, ${ACCEPTED_NAME}`,
    ]);
    // The control: a good table does need Polars, which cannot load here.
    assertMatch(
      lines.at(-1)!,
      /^NotataError: Cannot load nodejs-polars for DataFrame export: .*; it needs --allow-read --allow-env --allow-ffi --allow-sys$/,
    );
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

// ---------------------------------------------------------------------------
// plot

const SVGS: [string, string][] = [
  ["dot", '<svg xmlns="http://www.w3.org/2000/svg"><circle r="1"/></svg>'],
  [
    "prolog",
    '<?xml version="1.0" encoding="UTF-8"?>\n<!-- made by hand -->\n' +
    '<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" ' +
    '"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">\n' +
    '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">\r\n' +
    "  <text>Énergie ≤ 1 µJ 🚀</text>\r\n</svg>\n",
  ],
  ["spaced", '  \n<svg\n  xmlns="http://www.w3.org/2000/svg"></svg>  \n'],
];

// A 1x1 PNG.
const PNG = Uint8Array.from(
  atob(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==",
  ),
  (char) => char.charCodeAt(0),
);

Deno.test(
  "plot: SVG text is saved byte for byte as plots/<name>.svg",
  withRun((log) => {
    for (const [name, svg] of SVGS) {
      const path = log.plot(name, svg);
      assertEquals(path, join(log.path, "plots", `${name}.svg`));
      assertEquals(Deno.readFileSync(path), new TextEncoder().encode(svg));
    }
    assertEquals(entries(join(log.path, "plots")), ["dot.svg", "prolog.svg", "spaced.svg"]);
    assertEquals(
      laterLogLines(log),
      SVGS.map(([name]) => `INFO Saved plot ${name} in plots/${name}.svg`),
    );
  }),
);

Deno.test(
  "plot: PNG bytes are saved byte for byte as plots/<name>.png",
  withRun((log) => {
    const path = log.plot("phase_space", PNG);
    assertEquals(path, join(log.path, "plots", "phase_space.png"));
    assertEquals(Deno.readFileSync(path), PNG);
    // A view into a larger buffer: only the view's bytes are written.
    const buffer = new Uint8Array(PNG.length + 20).fill(0xff);
    buffer.set(PNG, 10);
    const view = log.plot("view", buffer.subarray(10, 10 + PNG.length));
    assertEquals(Deno.readFileSync(view), PNG);
    assertEquals(laterLogLines(log), [
      "INFO Saved plot phase_space in plots/phase_space.png",
      "INFO Saved plot view in plots/view.png",
    ]);
  }),
);

Deno.test(
  "plot: text that is not an SVG document throws InvalidValueError, writing nothing",
  withRun((log) => {
    const cases = [
      "hello",
      "",
      "<svg",
      '<svg xmlns="http://www.w3.org/2000/svg">',
      "<svgx></svgx>",
      "<html><svg></svg></html>",
      "<p>not an svg</p> and a long tail that is cut at forty characters",
    ];
    for (const text of cases) {
      const error = assertThrows(() => log.plot("p", text), InvalidValueError);
      assertEquals(
        error.message,
        `Cannot save plot "p": the text ${
          JSON.stringify(text.slice(0, 40))
        } is not an SVG document, expected text from "<svg" to "</svg>", PNG bytes or a Vega-Lite spec`,
      );
    }
    assertEquals(isDirectory(join(log.path, "plots")), false);
    assertEquals(laterLogLines(log), []);
  }),
);

Deno.test(
  "plot: bytes without the PNG signature throw InvalidValueError, writing nothing",
  withRun((log) => {
    const cases: [Uint8Array, string][] = [
      [new TextEncoder().encode("GIF89a\x01\x00\x01\x00"), "47 49 46 38 39 61 01 00"],
      [new Uint8Array(0), "(empty)"],
      [PNG.subarray(0, 7), "89 50 4e 47 0d 0a 1a"],
      [Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0b, 0), "89 50 4e 47 0d 0a 1a 0b"],
    ];
    for (const [bytes, head] of cases) {
      const error = assertThrows(() => log.plot("p", bytes), InvalidValueError);
      assertEquals(
        error.message,
        `Cannot save plot "p": the bytes start ${head}, not the PNG signature 89 50 4e 47 0d 0a 1a 0a; expected PNG bytes, an SVG document or a Vega-Lite spec`,
      );
    }
    assertEquals(isDirectory(join(log.path, "plots")), false);
  }),
);

Deno.test(
  "plot: bad names throw InvalidNameError for SVG, PNG and specs alike",
  withRun(async (log) => {
    for (const [name, problem] of BAD_NAMES) {
      const message = `Cannot save plot ${JSON.stringify(name)}: name ${
        JSON.stringify(name)
      } ${problem}, ${ACCEPTED_NAME}`;
      assertEquals(
        assertThrows(() => log.plot(name, SVGS[0]![1]), InvalidNameError).message,
        message,
      );
      assertEquals(assertThrows(() => log.plot(name, PNG), InvalidNameError).message, message);
      const error = await assertRejects(
        async () => await log.plot(name, lineSpec()),
        InvalidNameError,
      );
      assertEquals(error.message, message);
    }
    assertEquals(isDirectory(join(log.path, "plots")), false);
  }),
);

// Energy at five times on fixed scales: x = 100 t, y = 200 - 100 energy.
Deno.test(
  "plot: a Vega-Lite spec is saved as its JSON and rendered as an SVG with its marks",
  withRun(async (log) => {
    const spec = lineSpec();
    const paths = await log.plot("energy", spec);
    const plots = join(log.path, "plots");
    assertEquals(paths, [join(plots, "energy.svg"), join(plots, "energy.json")]);
    assertEquals(entries(plots), ["energy.json", "energy.svg"]);
    assertEquals(spec, lineSpec());
    assertEquals(JSON.parse(Deno.readTextFileSync(paths[1]!)), spec);
    const svg = Deno.readTextFileSync(paths[0]!);
    assertEquals(svg, await renderVegaLiteSvg(spec as Record<string, unknown>, "energy"));
    const lines = groups(parseSvg(svg), "mark-line");
    assertEquals(lines.length, 1);
    const path = lines[0]!.children.filter((child) => child.tag === "path");
    assertEquals(path.length, 1);
    const points = path[0]!.attrs.d!.slice(1).split("L").map((point) =>
      point.split(",").map(Number)
    );
    assertEquals(points, ENERGY.map(({ t, energy }) => [100 * t, 200 - 100 * energy]));
    assertEquals(laterLogLines(log), ["INFO Saved plot energy (svg/json) in plots/"]);
  }),
);

Deno.test(
  "plot: a spec with a point mark renders one symbol per datum",
  withRun(async (log) => {
    const spec = { ...lineSpec(), mark: "point" };
    const [svgPath] = await log.plot("points", spec, { formats: ["svg"] });
    assertEquals(entries(join(log.path, "plots")), ["points.svg"]);
    const symbols = groups(parseSvg(Deno.readTextFileSync(svgPath!)), "mark-symbol")
      .flatMap((group) => group.children.filter((child) => child.tag === "path"));
    assertEquals(symbols.length, ENERGY.length);
    assertEquals(laterLogLines(log), ["INFO Saved plot points (svg) in plots/"]);
  }),
);

Deno.test(
  "plot: formats ['json'] writes only the spec; repeated formats write once",
  withRun(async (log) => {
    const spec = lineSpec();
    const paths = await log.plot("energy", spec, { formats: ["json"] });
    assertEquals(paths, [join(log.path, "plots", "energy.json")]);
    assertEquals(entries(join(log.path, "plots")), ["energy.json"]);
    assertEquals(JSON.parse(Deno.readTextFileSync(paths[0]!)), spec);
    const twice = await log.plot("drift", spec, { formats: ["json", "svg", "json"] });
    assertEquals(twice, [
      join(log.path, "plots", "drift.json"),
      join(log.path, "plots", "drift.svg"),
    ]);
    assertEquals(entries(join(log.path, "plots")), ["drift.json", "drift.svg", "energy.json"]);
    assertEquals(laterLogLines(log), [
      "INFO Saved plot energy (json) in plots/",
      "INFO Saved plot drift (json/svg) in plots/",
    ]);
  }),
);

const RENDER_HINT =
  "; expected a Vega-Lite spec with inline data (https://vega.github.io/vega-lite/docs/spec.html)";

/** Specs that look like Vega-Lite but cannot be saved, and their messages. */
const INVALID_SPECS: [string, VegaLiteSpec, string][] = [
  [
    "a field type Vega-Lite rejects",
    { data: { values: ENERGY }, mark: "line", encoding: { x: { field: "t", type: "time-ish" } } },
    'Cannot render plot "energy": Vega-Lite rejects the spec: Invalid field type "undefined"' +
    RENDER_HINT,
  ],
  [
    "data by URL",
    { ...lineSpec(), data: { url: "energy.csv" } },
    'Cannot render plot "energy": it references data by URL ("energy.csv"), which is not loaded' +
    RENDER_HINT,
  ],
  [
    "an expression that fails",
    { ...lineSpec(), transform: [{ filter: "datum.missing.field > 1" }] },
    `Cannot render plot "energy": Vega cannot render it: Cannot read properties of undefined (reading 'field')` +
    RENDER_HINT,
  ],
  [
    "NaN in the data",
    { mark: "point", data: { values: [{ x: NaN }] } },
    'Cannot save plot "energy": spec "energy.data.values[0].x" is NaN, expected a finite number',
  ],
];

Deno.test(
  "plot: an invalid spec throws InvalidValueError and writes no file",
  withRun(async (log) => {
    for (const [label, spec, message] of INVALID_SPECS) {
      for (const formats of [undefined, ["svg"] as const, ["json", "svg"] as const]) {
        const error = await assertRejects(
          async () => await log.plot("energy", spec, { formats }),
          InvalidValueError,
          undefined,
          label,
        );
        assertEquals(error.message, message, label);
      }
    }
    assertEquals(isDirectory(join(log.path, "plots")), false);
    assertEquals(laterLogLines(log), []);
  }),
);

Deno.test(
  "plot: an invalid spec throws InvalidValueError with formats ['json'] too",
  withRun(async (log) => {
    for (const [label, spec, message] of INVALID_SPECS) {
      const error = await assertRejects(
        async () => await log.plot("energy", spec, { formats: ["json"] }),
        InvalidValueError,
        undefined,
        label,
      );
      assertEquals(error.message, message, label);
    }
    assertEquals(isDirectory(join(log.path, "plots")), false);
  }),
);

Deno.test(
  "plot: an unknown or empty format list throws InvalidValueError, writing nothing",
  withRun(async (log) => {
    const cases: [string[], string][] = [
      [["png"], 'format "png" is not supported for a Vega-Lite spec, expected "svg" or "json"'],
      [
        ["svg", "pdf"],
        'format "pdf" is not supported for a Vega-Lite spec, expected "svg" or "json"',
      ],
      [[], 'formats is empty, expected "svg", "json" or both'],
    ];
    for (const [formats, problem] of cases) {
      const error = await assertRejects(
        async () => await log.plot("energy", lineSpec(), { formats: formats as ["svg"] }),
        InvalidValueError,
      );
      assertEquals(error.message, `Cannot save plot "energy": ${problem}`);
    }
    assertEquals(isDirectory(join(log.path, "plots")), false);
  }),
);

Deno.test(
  "plot: an object that is not a Vega-Lite spec throws InvalidValueError",
  withRun(async (log) => {
    for (const value of [{ omega: 1 }, { mark: "point" }, new Map([["mark", "point"]])]) {
      const error = await assertRejects(
        async () => await log.plot("p", value as unknown as VegaLiteSpec),
        InvalidValueError,
      );
      assertEquals(
        error.message,
        'Cannot save plot "p": the object is not a Vega-Lite spec, expected an SVG document, PNG bytes or an object with "mark", "layer" or a view composition and its "data" or "encoding"',
      );
    }
    assertEquals(isDirectory(join(log.path, "plots")), false);
  }),
);
