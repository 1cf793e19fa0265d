// Copyright 2026 the notata authors. MIT license.
// Tests of the .npy encoder and decoder: the exact bytes written, round
// trips of every dtype and shape, input checks, every reading path (views,
// copies, byte swaps, Fortran order, versions), corrupt files, and NumPy
// itself reading our files and writing files for us to read.

import {
  assert,
  assertEquals,
  assertNotStrictEquals,
  assertStrictEquals,
  assertStringIncludes,
  assertThrows,
} from "@std/assert";
import { join } from "@std/path";
import { FileFormatError, InvalidValueError, MissingEntryError } from "../src/errors.ts";
import {
  decodeNpy,
  encodeNpy,
  type NdArray,
  readNpyFile,
  type TypedArray,
  writeNpyFile,
} from "../src/npy.ts";
import { ignoredNote, python, pythonHas } from "./_python.ts";

// ---------------------------------------------------------------------------
// Helpers

const HAS_NUMPY = pythonHas("numpy");
const NUMPY_NOTE = ignoredNote(HAS_NUMPY, "numpy");

function withTempDir(
  fn: (dir: string) => void | Promise<void>,
  options?: Deno.MakeTempOptions,
): () => Promise<void> {
  return async () => {
    const dir = Deno.makeTempDirSync(options);
    try {
      await fn(dir);
    } finally {
      Deno.removeSync(dir, { recursive: true });
    }
  };
}

const RAM_DISK = (() => {
  try {
    return Deno.statSync("/dev/shm").isDirectory ? { dir: "/dev/shm" } : undefined;
  } catch {
    return undefined;
  }
})();

function bytesOf(array: TypedArray): Uint8Array {
  return new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

const latin1 = new TextDecoder("latin1");

/** The header dict text of an encoded file, and its padding. */
function headerText(bytes: Uint8Array): string {
  const length = new DataView(bytes.buffer, bytes.byteOffset).getUint16(8, true);
  return latin1.decode(bytes.subarray(10, 10 + length));
}

/**
 * A .npy file with any header text, as other writers (or broken ones) may
 * produce it: `version` picks the 2- or 4-byte header length.
 */
function makeNpy(dict: string, body: Uint8Array, version = 1, align = 64): Uint8Array {
  const prefix = version === 1 ? 10 : 12;
  const padding = " ".repeat(align - 1 - (prefix + dict.length) % align);
  const header = new TextEncoder().encode(dict + padding + "\n");
  const bytes = new Uint8Array(prefix + header.length + body.length);
  bytes.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0]);
  const view = new DataView(bytes.buffer);
  if (version === 1) view.setUint16(8, header.length, true);
  else view.setUint32(8, header.length, true);
  bytes.set(header, prefix);
  bytes.set(body, prefix + header.length);
  return bytes;
}

function dict(descr: string, shape: string, fortran = false): string {
  return `{'descr': '${descr}', 'fortran_order': ${
    fortran ? "True" : "False"
  }, 'shape': ${shape}, }`;
}

/** The bytes of `values` as big-endian elements of `size` bytes. */
function bigEndian(array: TypedArray): Uint8Array {
  const size = array.BYTES_PER_ELEMENT;
  const out = new Uint8Array(array.byteLength);
  const bytes = bytesOf(array);
  for (let i = 0; i < out.length; i++) out[i] = bytes[i - (i % size) + size - 1 - (i % size)];
  return out;
}

/** Every typed array with its dtype, holding the extremes of its type. */
const CASES: [string, TypedArray][] = [
  ["<f8", new Float64Array([0, -0, 1.5, NaN, Infinity, -Infinity, 5e-324, 1.7976931348623157e308])],
  ["<f4", new Float32Array([0.1, NaN, -Infinity, 3.4028234663852886e38, 1e-45])],
  ["<f2", new Float16Array([0.5, 65504, -Infinity, NaN, 6e-8])],
  ["|i1", new Int8Array([-128, 0, 127])],
  ["<i2", new Int16Array([-32768, 1, 32767])],
  ["<i4", new Int32Array([-2147483648, 1, 2147483647])],
  ["|u1", new Uint8Array([0, 1, 255])],
  ["<u2", new Uint16Array([0, 1, 65535])],
  ["<u4", new Uint32Array([0, 1, 4294967295])],
  ["<i8", new BigInt64Array([-(2n ** 63n), -1n, 0n, 2n ** 63n - 1n])],
  ["<u8", new BigUint64Array([0n, 1n, 2n ** 64n - 1n])],
];

/** The typed array of a numeric array (fails for a string array). */
function typed(array: NdArray): TypedArray {
  if (Array.isArray(array.data)) throw new Error(`${array.dtype} read as strings`);
  return array.data;
}

function assertSameArray(actual: NdArray, expected: NdArray): void {
  assertEquals(actual.dtype, expected.dtype);
  assertEquals(actual.shape, expected.shape);
  assertStrictEquals(actual.data.constructor, expected.data.constructor);
  assertEquals(hex(bytesOf(typed(actual))), hex(bytesOf(typed(expected))));
}

// ---------------------------------------------------------------------------
// Writing

Deno.test("encodeNpy writes NumPy's 1.0 header and the raw bytes for every typed array", () => {
  for (const [dtype, data] of CASES) {
    const bytes = encodeNpy(data);
    assertEquals([...bytes.subarray(0, 8)], [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
    const text = headerText(bytes);
    const headerEnd = 10 + text.length;
    assertEquals(headerEnd % 64, 0, dtype);
    assertEquals(headerEnd, 128, dtype);
    const expected = `{'descr': '${dtype}', 'fortran_order': False, 'shape': (${data.length},), }`;
    assertEquals(text, expected.padEnd(text.length - 1) + "\n");
    assertEquals(hex(bytes.subarray(headerEnd)), hex(bytesOf(data)), dtype);
    assertSameArray(decodeNpy(bytes, "memory"), { data, shape: [data.length], dtype });
  }
});

Deno.test("plain numbers are stored as float64", () => {
  const array = decodeNpy(encodeNpy([1, -2.5, NaN, Infinity]), "memory");
  assertEquals(array.dtype, "<f8");
  assertEquals(array.shape, [4]);
  assertEquals([...array.data], [1, -2.5, NaN, Infinity]);
  assertStrictEquals(array.data.constructor, Float64Array);
});

Deno.test("n-d, 0-d and empty shapes are written as NumPy tuples and read back", () => {
  const cases: [number[], TypedArray, string][] = [
    [[2, 3, 4], Int16Array.from({ length: 24 }, (_, i) => i - 12), "(2, 3, 4)"],
    [[], new Float64Array([42]), "()"],
    [[0], new Float64Array(0), "(0,)"],
    [[2, 0], new Uint8Array(0), "(2, 0)"],
    [[1, 1, 1], new Float32Array([7]), "(1, 1, 1)"],
  ];
  for (const [shape, data, tuple] of cases) {
    const bytes = encodeNpy(data, shape);
    assertEquals((10 + headerText(bytes).length) % 64, 0);
    assertStringIncludes(headerText(bytes), `'shape': ${tuple}, }`);
    const array = decodeNpy(bytes, "memory");
    assertEquals(array.shape, shape);
    assertEquals([...array.data], [...data]);
  }
});

Deno.test("a shape that does not hold the data is rejected before anything is written", () => {
  const dir = Deno.makeTempDirSync();
  try {
    const path = join(dir, "energy.npy");
    assertThrows(
      () => encodeNpy(new Float64Array(10), [3, 4]),
      InvalidValueError,
      "Cannot encode array: shape [3, 4] holds 12 elements, but the data has 10",
    );
    assertThrows(
      () => writeNpyFile(path, new Float64Array(10), [3, 4]),
      InvalidValueError,
      `Cannot write array ${
        JSON.stringify(path)
      }: shape [3, 4] holds 12 elements, but the data has 10`,
    );
    assertThrows(
      () => writeNpyFile(path, [1, 2, 3], [2], 'array "energy"'),
      InvalidValueError,
      'Cannot write array "energy": shape [2] holds 2 elements, but the data has 3',
    );
    for (const shape of [[-1], [1.5], [NaN], [Infinity], new Array(33).fill(1), "3"]) {
      assertThrows(
        () => writeNpyFile(path, [1], shape as number[]),
        InvalidValueError,
        "is not valid, expected an array of at most 32 non-negative integers",
      );
    }
    assertEquals([...Deno.readDirSync(dir)], []);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("data that is not a typed array, an array of numbers or one of strings is rejected", () => {
  const dir = Deno.makeTempDirSync();
  try {
    const accepted = "expected a typed array (Float64Array, Float32Array, Float16Array";
    const cases: [unknown, string][] = [
      [[1, "2"], 'element 1 is "2"'],
      [[1, null], "element 1 is null"],
      [[1, , 3], "element 1 is undefined"], // a hole in a sparse array
      [[1, 2n], "element 1 is 2"],
      [new DataView(new ArrayBuffer(8)), "data is of type DataView"],
      [new Uint8ClampedArray(2), "data is of type Uint8ClampedArray"],
      [new ArrayBuffer(8), "data is of type ArrayBuffer"],
      ["123", 'data is "123"'],
      [null, "data is null"],
      [undefined, "data is undefined"],
      [{ length: 2, 0: 1, 1: 2 }, "data is of type Object"],
    ];
    for (const [data, problem] of cases) {
      const error = assertThrows(
        () => writeNpyFile(join(dir, "x.npy"), data as number[]),
        InvalidValueError,
        `: ${problem}, `,
      );
      assertStringIncludes(error.message, accepted);
      assertThrows(() => encodeNpy(data as number[]), InvalidValueError, accepted);
    }
    assertEquals([...Deno.readDirSync(dir)], []);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test(
  "writeNpyFile replaces a file whole and leaves no temporary file",
  withTempDir((dir) => {
    const path = join(dir, "x.npy");
    Deno.writeTextFileSync(path, "old");
    const data = new Int32Array([1, 2, 3, 4, 5, 6]);
    writeNpyFile(path, data, [3, 2]);
    assertEquals(Deno.readFileSync(path), encodeNpy(data, [3, 2]));
    assertEquals([...Deno.readDirSync(dir)].map((e) => e.name), ["x.npy"]);
  }),
);

Deno.test(
  "writeNpyFile into a missing directory throws and leaves nothing",
  withTempDir((dir) => {
    assertThrows(() => writeNpyFile(join(dir, "no", "x.npy"), [1]), Deno.errors.NotFound);
    assertEquals([...Deno.readDirSync(dir)], []);
  }),
);

Deno.test(
  "writeNpyFile writes a view of the data, not a joined copy: throughput close to writeFileSync",
  withTempDir((dir) => {
    // Alternating runs in RAM where there is a tmpfs (the disk here swings by
    // 10x); the best of each counts, as the requirement is about our overhead.
    const data = new Float64Array(12_500_000).map((_, i) => i); // 100 MB
    const raw = encodeNpy(data);
    let ours = Infinity;
    let baseline = Infinity;
    for (let round = 0; round < 4; round++) {
      let start = performance.now();
      Deno.writeFileSync(join(dir, "baseline.npy"), raw);
      baseline = Math.min(baseline, performance.now() - start);
      start = performance.now();
      writeNpyFile(join(dir, "ours.npy"), data);
      ours = Math.min(ours, performance.now() - start);
    }
    assertEquals(Deno.statSync(join(dir, "ours.npy")).size, raw.length);
    assert(
      baseline / ours >= 0.8,
      `writeNpyFile took ${ours.toFixed(1)} ms, writeFileSync ${baseline.toFixed(1)} ms`,
    );
  }, RAM_DISK),
);

// ---------------------------------------------------------------------------
// Reading

Deno.test("decodeNpy returns a view for aligned little-endian C-order data", () => {
  const bytes = encodeNpy(new Float64Array([1, 2, 3]));
  const array = decodeNpy(bytes, "memory");
  assertStrictEquals(typed(array).buffer, bytes.buffer);
  assertEquals(typed(array).byteOffset, 128);
  // The same file in old NumPy's 16-byte header alignment is still a view.
  const old = makeNpy(dict("<f8", "(3,)"), bytesOf(new Float64Array([1, 2, 3])), 1, 16);
  assertEquals(old.length, 80 + 24);
  assertStrictEquals(typed(decodeNpy(old, "old.npy")).buffer, old.buffer);
});

Deno.test("decodeNpy copies misaligned data once and reads it right", () => {
  for (const [dtype, data] of CASES) {
    if (data.BYTES_PER_ELEMENT === 1) continue;
    const encoded = encodeNpy(data);
    const shifted = new Uint8Array(encoded.length + 1);
    shifted.set(encoded, 1);
    const bytes = shifted.subarray(1);
    const array = decodeNpy(bytes, "memory");
    assertNotStrictEquals(typed(array).buffer, bytes.buffer);
    assertSameArray(array, { data, shape: [data.length], dtype });
  }
});

Deno.test("decodeNpy reads big-endian data in native order and reports the little-endian dtype", () => {
  for (const [dtype, data] of CASES) {
    const descr = dtype.startsWith("|") ? dtype : ">" + dtype.slice(1);
    const bytes = makeNpy(dict(descr, `(${data.length},)`), bigEndian(data));
    assertSameArray(decodeNpy(bytes, "big.npy"), { data, shape: [data.length], dtype });
  }
});

Deno.test("decodeNpy converts Fortran order to C order, also together with a byte swap", () => {
  // C order of a 2 x 3 array is [0 1 2; 3 4 5]; Fortran order stores columns.
  const fortran2d = new Float64Array([0, 3, 1, 4, 2, 5]);
  assertSameArray(
    decodeNpy(makeNpy(dict("<f8", "(2, 3)", true), bytesOf(fortran2d)), "f.npy"),
    { data: new Float64Array([0, 1, 2, 3, 4, 5]), shape: [2, 3], dtype: "<f8" },
  );
  // A 2 x 3 x 4 array whose C-order element i is i: Fortran order puts
  // element (a, b, c) at a + 2 * b + 6 * c.
  const fortran3d = new Int32Array(24);
  for (let a = 0; a < 2; a++) {
    for (let b = 0; b < 3; b++) {
      for (let c = 0; c < 4; c++) fortran3d[a + 2 * b + 6 * c] = a * 12 + b * 4 + c;
    }
  }
  const expected = { data: Int32Array.from({ length: 24 }, (_, i) => i), shape: [2, 3, 4] };
  assertSameArray(
    decodeNpy(makeNpy(dict("<i4", "(2, 3, 4)", true), bytesOf(fortran3d)), "f.npy"),
    { ...expected, dtype: "<i4" },
  );
  assertSameArray(
    decodeNpy(makeNpy(dict(">i4", "(2, 3, 4)", true), bigEndian(fortran3d)), "f.npy"),
    { ...expected, dtype: "<i4" },
  );
  // With one axis longer than 1 the orders coincide, and the data is a view.
  const column = makeNpy(dict("<f8", "(3, 1)", true), bytesOf(new Float64Array([1, 2, 3])));
  const array = decodeNpy(column, "column.npy");
  assertStrictEquals(typed(array).buffer, column.buffer);
  assertEquals([...array.data], [1, 2, 3]);
});

Deno.test("decodeNpy reads bool as Uint8Array with dtype |b1", () => {
  const array = decodeNpy(makeNpy(dict("|b1", "(3,)"), new Uint8Array([1, 0, 1])), "b.npy");
  assertEquals(array.dtype, "|b1");
  assertStrictEquals(array.data.constructor, Uint8Array);
  assertEquals([...array.data], [1, 0, 1]);
});

Deno.test("decodeNpy reads format versions 2.0 and 3.0 and Python 2 style headers", () => {
  const body = bytesOf(new Int16Array([1, -2, 3]));
  for (const version of [2, 3]) {
    const array = decodeNpy(makeNpy(dict("<i2", "(3,)"), body, version), "v.npy");
    assertEquals([array.dtype, array.shape, [...array.data]], ["<i2", [3], [1, -2, 3]]);
  }
  const python2 = makeNpy(`{"descr":"<i2","fortran_order":False,"shape":(3L,)}`, body);
  assertEquals(decodeNpy(python2, "py2.npy").shape, [3]);
});

Deno.test("decodeNpy rejects broken files with FileFormatError naming the source", () => {
  const good = encodeNpy(new Float64Array([1, 2, 3]));
  const cases: [Uint8Array, string][] = [
    [new Uint8Array(4), 'it does not start with the NumPy magic string "\\x93NUMPY"'],
    [new TextEncoder().encode("NUMPY not really"), "it does not start with the NumPy magic"],
    [Uint8Array.from([...good.subarray(0, 6), 4, 0]), "format version 4.0 is not supported"],
    [good.subarray(0, 9), "the header is truncated"],
    [good.subarray(0, 60), "the header is truncated: it declares 118 bytes, but 50 follow"],
    [
      good.subarray(0, good.length - 8),
      "the data is truncated: shape [3] of <f8 needs 24 bytes, but 16 follow the header",
    ],
    [
      makeNpy("hello", new Uint8Array()),
      'the header "hello" is not valid: expected a value at offset 0',
    ],
    [makeNpy("{'descr': '<f8', 'shape': (3,)", new Uint8Array()), 'expected "," or "}"'],
    [makeNpy("{'descr': '<f8', 'shape': (3,)}", new Uint8Array()), "expected a dict of 'descr'"],
    [
      makeNpy("{'descr': '<f8', 'fortran_order': False, 'shape': (3,), 'x': 1}", new Uint8Array()),
      "expected a dict of 'descr', 'fortran_order' and 'shape'",
    ],
    [makeNpy(dict("<f8", "(-3,)"), new Uint8Array()), "has an invalid fortran_order or shape"],
    [makeNpy(dict("<f8", "3"), new Uint8Array()), "has an invalid fortran_order or shape"],
    [makeNpy(dict("<f8", "(3)"), new Uint8Array()), "has an invalid fortran_order or shape"],
    [
      makeNpy("{'descr': '<f8', 'fortran_order': 1, 'shape': ()}", new Uint8Array()),
      "has an invalid fortran_order or shape",
    ],
  ];
  for (const [bytes, problem] of cases) {
    const error = assertThrows(
      () => decodeNpy(bytes, "run/data/broken.npy"),
      FileFormatError,
      'Cannot read array from "run/data/broken.npy": ',
    );
    assertStringIncludes(error.message, problem);
  }
});

Deno.test("decodeNpy rejects the dtypes it does not read, naming the dtype and what it reads", () => {
  const supported =
    "expected <f8, <f4, <f2, <i8, <i4, <i2, |i1, <u8, <u4, <u2, |u1, |b1, <c16, <c8, <U<n> or |S<n>";
  const cases: [string, string][] = [
    ["'<c32'", '"<c32" (extended-precision complex)'],
    ["'|O'", '"|O" (Python object)'],
    ["'<M8[ns]'", '"<M8[ns]" (datetime)'],
    ["'<m8[s]'", '"<m8[s]" (timedelta)'],
    ["'|V8'", '"|V8" (void)'],
    ["'<f16'", '"<f16" (extended-precision float)'],
    ["[('x', '<f8'), ('y', '<i4')]", '[["x","<f8"],["y","<i4"]] (structured)'],
  ];
  for (const [descr, shown] of cases) {
    const bytes = makeNpy(
      `{'descr': ${descr}, 'fortran_order': False, 'shape': (1,), }`,
      new Uint8Array(16),
    );
    assertThrows(
      () => decodeNpy(bytes, "odd.npy"),
      FileFormatError,
      `Cannot read array from "odd.npy": dtype ${shown} is not supported, ${supported}`,
    );
  }
});

Deno.test(
  "readNpyFile returns a view on the one buffer it read",
  withTempDir((dir) => {
    const path = join(dir, "x.npy");
    writeNpyFile(path, new Float64Array([1, 2, 3]));
    const array = readNpyFile(path);
    assertEquals(typed(array).buffer.byteLength, Deno.statSync(path).size);
    assertEquals([...array.data], [1, 2, 3]);
  }),
);

Deno.test(
  "readNpyFile of a missing file throws MissingEntryError naming the path",
  withTempDir((dir) => {
    const path = join(dir, "nope.npy");
    assertThrows(
      () => readNpyFile(path),
      MissingEntryError,
      `Cannot read array from ${JSON.stringify(path)}: the file does not exist`,
    );
  }),
);

// ---------------------------------------------------------------------------
// NumPy

const LOAD_OURS = `
import io, json, sys
import numpy as np
out = {}
for name in sys.argv[2:]:
    path = sys.argv[1] + "/" + name + ".npy"
    a = np.load(path)
    again = io.BytesIO()
    np.save(again, a)
    out[name] = {
        "dtype": a.dtype.str,
        "shape": list(a.shape),
        "data": a.tobytes().hex(),
        "ints": [str(x) for x in a.ravel().tolist()] if a.dtype.kind in "iu" else None,
        "same_file": again.getvalue() == open(path, "rb").read(),
    }
print(json.dumps(out))
`;

Deno.test({
  name: "numpy.load reads every dtype and shape we write, and numpy.save writes the same bytes" +
    NUMPY_NOTE,
  ignore: !HAS_NUMPY,
  fn: withTempDir(async (dir) => {
    const written: Record<string, { data: TypedArray; shape: number[]; dtype: string }> = {};
    for (const [dtype, data] of CASES) {
      written[dtype.slice(1)] = { data, shape: [data.length], dtype };
    }
    written.grid = {
      data: Int16Array.from({ length: 24 }, (_, i) => i),
      shape: [2, 3, 4],
      dtype: "<i2",
    };
    written.scalar = { data: new Float64Array([Math.PI]), shape: [], dtype: "<f8" };
    written.empty = { data: new Uint32Array(0), shape: [0], dtype: "<u4" };
    written.empty2d = { data: new Float32Array(0), shape: [3, 0], dtype: "<f4" };
    // Long enough that NumPy's growth padding takes the header to 192 bytes.
    written.deep = { data: new Float64Array([1]), shape: new Array(15).fill(1), dtype: "<f8" };
    for (const [name, { data, shape }] of Object.entries(written)) {
      writeNpyFile(join(dir, `${name}.npy`), data, shape);
    }
    const loaded = await python(LOAD_OURS, dir, ...Object.keys(written)) as Record<
      string,
      { dtype: string; shape: number[]; data: string; ints: string[] | null; same_file: boolean }
    >;
    for (const [name, { data, shape, dtype }] of Object.entries(written)) {
      const result = loaded[name];
      assertEquals(result.dtype, dtype, name);
      assertEquals(result.shape, shape, name);
      assertEquals(result.data, hex(bytesOf(data)), name);
      assertEquals(result.same_file, true, name);
      if (result.ints !== null) assertEquals(result.ints, [...data].map(String), name);
    }
    assertEquals(loaded.i8.ints, ["-9223372036854775808", "-1", "0", "9223372036854775807"]);
    assertEquals(loaded.u8.ints, ["0", "1", "18446744073709551615"]);
  }),
});

const SAVE_FOR_US = `
import json, sys
import numpy as np
from numpy.lib import format as npformat
d = sys.argv[1]
f16 = np.array([0.5, 65504, -np.inf, np.nan, 6e-8], dtype="f2")
arrays = {
    "f8": np.array([0, -0.0, 1.5, np.nan, np.inf, -np.inf, 5e-324, 1.7976931348623157e308]),
    "f4": np.array([0.1, np.nan, -np.inf, 3.4028234663852886e38], dtype="f4"),
    "f2": f16,
    "i1": np.array([-128, 0, 127], dtype="i1"),
    "i2": np.array([-32768, 32767], dtype="i2"),
    "i4": np.array([-2147483648, 2147483647], dtype="i4"),
    "i8": np.array([-2**63, -1, 0, 2**63 - 1], dtype="i8"),
    "u1": np.array([0, 255], dtype="u1"),
    "u2": np.array([0, 65535], dtype="u2"),
    "u4": np.array([0, 4294967295], dtype="u4"),
    "u8": np.array([0, 1, 2**64 - 1], dtype="u8"),
    "b1": np.array([True, False, True]),
    "scalar": np.array(2.5),
    "empty": np.zeros((0, 3), dtype="i4"),
    "fortran2d": np.asfortranarray(np.arange(6.0).reshape(2, 3)),
    "fortran3d": np.asfortranarray(np.arange(24, dtype="i4").reshape(2, 3, 4)),
}
out = {}
for name, a in list(arrays.items()):
    for order in "<>":
        b = a.astype(a.dtype.newbyteorder(order))
        if name.startswith("fortran"):
            b = np.asfortranarray(b)
        np.save(f"{d}/{name}{order}.npy", b)
        out[name + order] = {"fortran": bool(b.flags.f_contiguous and not b.flags.c_contiguous)}
with open(f"{d}/v2.npy", "wb") as f:
    npformat.write_array(f, arrays["fortran3d"], version=(2, 0))
out["v2"] = {"fortran": True}
arrays["v2"] = arrays["fortran3d"]
for name, info in out.items():
    a = arrays[name.rstrip("<>")]
    info.update(
        dtype=a.dtype.newbyteorder("<").str,
        shape=list(a.shape),
        data=np.ascontiguousarray(a.astype(a.dtype.newbyteorder("<"))).tobytes().hex(),
        header=open(f"{d}/{name}.npy", "rb").read(8).hex(),
    )
print(json.dumps(out))
`;

Deno.test({
  name: "decodeNpy reads what numpy.save writes: both byte orders, Fortran order, bool, f2, v2.0" +
    NUMPY_NOTE,
  ignore: !HAS_NUMPY,
  fn: withTempDir(async (dir) => {
    const expected = await python(SAVE_FOR_US, dir) as Record<
      string,
      { dtype: string; shape: number[]; data: string; fortran: boolean; header: string }
    >;
    assertEquals(Object.keys(expected).length, 33);
    assertEquals(expected["fortran3d>"].fortran, true);
    assertEquals(expected.v2.header, "934e554d50590200"); // really version 2.0
    for (const [name, { dtype, shape, data }] of Object.entries(expected)) {
      const array = readNpyFile(join(dir, `${name}.npy`));
      assertEquals(array.dtype, dtype, name);
      assertEquals(array.shape, shape, name);
      assertEquals(hex(bytesOf(typed(array))), data, name);
    }
    const i8 = readNpyFile(join(dir, "i8>.npy")).data;
    assertEquals([...i8], [-(2n ** 63n), -1n, 0n, 2n ** 63n - 1n]);
    const u8 = readNpyFile(join(dir, "u8>.npy")).data;
    assertEquals([...u8], [0n, 1n, 2n ** 64n - 1n]);
    const f2 = readNpyFile(join(dir, "f2>.npy")).data;
    assertEquals([...f2], [0.5, 65504, -Infinity, NaN, 5.960464477539063e-8]);
    assertEquals([...readNpyFile(join(dir, "fortran2d<.npy")).data], [0, 1, 2, 3, 4, 5]);
  }),
});

const SAVE_UNSUPPORTED = `
import json, sys
import numpy as np
d = sys.argv[1]
np.save(d + "/object.npy", np.array([{"a": 1}], dtype=object))
np.save(d + "/structured.npy", np.zeros(2, dtype=[("x", "<f8"), ("y", "<i4")]))
np.save(d + "/datetime.npy", np.array(["2024-01-01"], dtype="datetime64[D]"))
print(json.dumps(None))
`;

Deno.test({
  name: "object, structured and datetime arrays from NumPy are FileFormatErrors" +
    NUMPY_NOTE,
  ignore: !HAS_NUMPY,
  fn: withTempDir(async (dir) => {
    await python(SAVE_UNSUPPORTED, dir);
    const cases: [string, string][] = [
      ["object", '"|O" (Python object)'],
      ["structured", '[["x","<f8"],["y","<i4"]] (structured)'],
      ["datetime", '"<M8[D]" (datetime)'],
    ];
    for (const [name, shown] of cases) {
      const path = join(dir, `${name}.npy`);
      assertThrows(
        () => readNpyFile(path),
        FileFormatError,
        `Cannot read array from ${JSON.stringify(path)}: dtype ${shown} is not supported`,
      );
    }
  }),
});

// ---------------------------------------------------------------------------
// String arrays: written as NumPy unicode (<U n), read back by NumPy and by us

/** Strings at the edges of UTF-32: non-BMP, combining marks, empty, NUL inside. */
const STRINGS = ["euler", "", "𝔣(x) = ∫ ω", "e\u0301", "a\u0000b", "🙂🙂🙂🙂🙂🙂🙂"];

Deno.test("a string array is written as <U n with n the longest string's code points", () => {
  const bytes = encodeNpy(STRINGS, [2, 3]);
  const decoded = decodeNpy(bytes, "memory");
  assertEquals(decoded.dtype, "<U10");
  assertEquals(decoded.shape, [2, 3]);
  assertEquals(decoded.data, STRINGS);
  // Empty strings only: NumPy's smallest unicode dtype.
  assertEquals(decodeNpy(encodeNpy(["", ""]), "memory").dtype, "<U1");
  assertEquals(decodeNpy(encodeNpy(["", ""]), "memory").data, ["", ""]);
  // UTF-32LE, each string NUL-padded to the longest, as NumPy lays it out.
  const body = encodeNpy(["ab", "c"]).subarray(128);
  assertEquals([...new Uint32Array(body.buffer, body.byteOffset, 4)], [0x61, 0x62, 0x63, 0]);
});

Deno.test("a string array with a lone surrogate or a non-string is refused before writing", () => {
  withTempDir((dir) => {
    const path = join(dir, "labels.npy");
    assertThrows(
      () => writeNpyFile(path, ["ok", "bad\ud800"], undefined, 'array "labels"'),
      InvalidValueError,
      'Cannot write array "labels": element 1 holds a lone surrogate (U+D800), expected well-formed Unicode',
    );
    assertThrows(
      () => encodeNpy(["a", 1] as unknown as string[]),
      InvalidValueError,
      "Cannot encode array: element 1 is 1, expected a string as element 0 is",
    );
    assertThrows(
      () => encodeNpy(["a", "b", "c"], [2, 2]),
      InvalidValueError,
      "shape [2, 2] holds 4 elements, but the data has 3",
    );
    assertEquals([...Deno.readDirSync(dir)], []);
  })();
});

const LOAD_STRINGS = `
import json, sys
import numpy as np
a = np.load(sys.argv[1])
print(json.dumps({"dtype": a.dtype.str, "shape": list(a.shape),
                  "values": [str(s) for s in a.ravel().tolist()]}))
`;

Deno.test({
  name: "numpy.load reads our string arrays as <U n with the same strings" + NUMPY_NOTE,
  ignore: !HAS_NUMPY,
  fn: withTempDir(async (dir) => {
    const path = join(dir, "labels.npy");
    writeNpyFile(path, STRINGS, [3, 2]);
    const loaded = await python(LOAD_STRINGS, path);
    assertEquals(loaded.dtype, "<U10");
    assertEquals(loaded.shape, [3, 2]);
    // NumPy keeps a NUL inside a string and drops trailing ones, as we do.
    assertEquals(loaded.values, STRINGS);
  }),
});
