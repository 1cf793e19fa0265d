// Copyright 2026 the notata authors. MIT license.
// Tests of .npz archives: round trips in both layouts, input checks, corrupt
// and foreign files, and NumPy reading ours and writing archives for us.

import { assertEquals, assertStringIncludes, assertThrows } from "@std/assert";
import { join } from "@std/path";
import { zipSync } from "fflate";
import { encodeNpz, NpzArchive } from "../src/_npz.ts";
import {
  FileFormatError,
  InvalidNameError,
  InvalidValueError,
  MissingEntryError,
} from "../src/errors.ts";
import { encodeNpy, type TypedArray } from "../src/npy.ts";
import { ignoredNote, python, pythonHas } from "./_python.ts";

// ---------------------------------------------------------------------------
// Helpers

const HAS_NUMPY = pythonHas("numpy");
const NUMPY_NOTE = ignoredNote(HAS_NUMPY, "numpy");

function withTempDir(fn: (dir: string) => void | Promise<void>): () => Promise<void> {
  return async () => {
    const dir = Deno.makeTempDirSync();
    try {
      await fn(dir);
    } finally {
      Deno.removeSync(dir, { recursive: true });
    }
  };
}

function hex(array: TypedArray): string {
  const bytes = new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Where `needle` starts in `bytes`, from `from` on; -1 when absent. */
function indexOf(bytes: Uint8Array, needle: Uint8Array, from = 0): number {
  for (let i = from; i + needle.length <= bytes.length; i++) {
    if (needle.every((b, j) => bytes[i + j] === b)) return i;
  }
  return -1;
}

const NPY_MAGIC = new Uint8Array([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]);

/** The offset of each zip member's data, from its local header (no ZIP64). */
function memberDataOffsets(zip: Uint8Array): Record<string, [number, number]> {
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  const offsets: Record<string, [number, number]> = {};
  for (let at = 0; view.getUint32(at, true) === 0x04034b50;) {
    const size = view.getUint32(at + 18, true);
    const nameLength = view.getUint16(at + 26, true);
    const name = new TextDecoder().decode(zip.subarray(at + 30, at + 30 + nameLength));
    const start = at + 30 + nameLength + view.getUint16(at + 28, true);
    offsets[name] = [start, size];
    at = start + size;
  }
  return offsets;
}

/** Members of every kind: plain numbers, typed arrays, n-d, 0-d, empty. */
function sampleMembers() {
  return {
    x: [0, 0.5, NaN, -Infinity],
    grid: { data: Int32Array.from({ length: 6 }, (_, i) => i - 3), shape: [2, 3] },
    big: new BigInt64Array([-(2n ** 63n), 2n ** 63n - 1n]),
    scalar: { data: new Float32Array([1.5]), shape: [] },
    empty: new Uint16Array(0),
  };
}

const EXPECTED = {
  big: { dtype: "<i8", shape: [2], data: new BigInt64Array([-(2n ** 63n), 2n ** 63n - 1n]) },
  empty: { dtype: "<u2", shape: [0], data: new Uint16Array(0) },
  grid: { dtype: "<i4", shape: [2, 3], data: Int32Array.from({ length: 6 }, (_, i) => i - 3) },
  scalar: { dtype: "<f4", shape: [], data: new Float32Array([1.5]) },
  x: { dtype: "<f8", shape: [4], data: new Float64Array([0, 0.5, NaN, -Infinity]) },
};

function assertArchiveHolds(archive: NpzArchive, expected: typeof EXPECTED): void {
  assertEquals(archive.keys(), Object.keys(expected));
  for (const [key, { dtype, shape, data }] of Object.entries(expected)) {
    const array = archive.get(key);
    assertEquals([array.dtype, array.shape], [dtype, shape], key);
    assertEquals(hex(array.data as TypedArray), hex(data), key);
  }
}

// ---------------------------------------------------------------------------
// Writing and reading our own archives

Deno.test("encodeNpz round-trips every kind of member, stored and deflated", () => {
  for (const compressed of [false, true]) {
    const bytes = encodeNpz(sampleMembers(), compressed);
    assertArchiveHolds(new NpzArchive(bytes, "mem.npz"), EXPECTED);
    // Stored members are the .npy files verbatim; deflated ones are not.
    const grid = encodeNpy(EXPECTED.grid.data, [2, 3]);
    assertEquals(indexOf(bytes, grid) !== -1, !compressed);
    const offsets = memberDataOffsets(bytes);
    assertEquals(Object.keys(offsets), ["x.npy", "grid.npy", "big.npy", "scalar.npy", "empty.npy"]);
    // The compression method of each local header: 0 stored, 8 deflated.
    assertEquals(bytes[8], compressed ? 8 : 0);
  }
});

Deno.test("a compressed archive of repetitive data is smaller than the stored one", () => {
  const arrays = { zeros: new Float64Array(10_000) };
  const stored = encodeNpz(arrays, false);
  const deflated = encodeNpz(arrays, true);
  assertEquals(stored.length > 80_000, true);
  assertEquals(deflated.length < 2_000, true);
  assertEquals(new NpzArchive(deflated, "z.npz").get("zeros").data.length, 10_000);
});

Deno.test("an empty archive has no keys", () => {
  assertEquals(new NpzArchive(encodeNpz({}, true), "none.npz").keys(), []);
});

Deno.test("keys that are not file names are InvalidNameErrors", () => {
  const cases: [string, string][] = [
    ["a/b", 'key "a/b" is path-like'],
    ["", 'key "" is empty'],
    [".hidden", 'key ".hidden" starts with "."'],
    ["tab\there", 'key "tab\\there" contains a control character'],
  ];
  for (const [key, problem] of cases) {
    assertThrows(
      () => encodeNpz({ good: [1], [key]: [1] }, false, 'Cannot write arrays "traj"'),
      InvalidNameError,
      `Cannot write arrays "traj": ${problem}, expected a single file name`,
    );
  }
});

Deno.test("a bad member is an InvalidValueError naming the member, whichever its place", () => {
  const action = 'Cannot write arrays "traj"';
  const cases: [unknown, string][] = [
    [{ data: [1, 2, 3], shape: [2, 2] }, "shape [2, 2] holds 4 elements, but the data has 3"],
    [[1, "a"], 'element 1 is "a", expected a typed array'],
    [["a", 1], "element 1 is 1, expected a string as element 0 is"],
    [{ shape: [1] }, "data is undefined, expected a typed array"],
    [null, "data is null, expected a typed array"],
    [new DataView(new ArrayBuffer(4)), "data is of type DataView, expected a typed array"],
  ];
  for (const [member, problem] of cases) {
    assertThrows(
      () => encodeNpz({ a: [1], y: member as number[], z: [2] }, true, action),
      InvalidValueError,
      `${action}, member "y": ${problem}`,
    );
  }
  assertThrows(
    () => encodeNpz({ y: { data: [1], shape: [2] } }, false),
    InvalidValueError,
    'Cannot encode npz archive, member "y": shape [2] holds 2 elements, but the data has 1',
  );
});

Deno.test("bytes that are not a zip archive are a FileFormatError at construction", () => {
  for (const bytes of [new Uint8Array(), new Uint8Array(100), encodeNpy([1, 2, 3])]) {
    assertThrows(
      () => new NpzArchive(bytes, "run/data/fake.npz"),
      FileFormatError,
      'Cannot read npz archive "run/data/fake.npz": it is not a zip archive',
    );
  }
});

Deno.test("get of a missing key is a MissingEntryError naming the key, archive and keys", () => {
  const archive = new NpzArchive(encodeNpz({ b: [1], a: [2] }, false), "run/data/t.npz");
  assertThrows(
    () => archive.get("c"),
    MissingEntryError,
    'Cannot read array "c" from "run/data/t.npz": no such member, expected one of: "a", "b"',
  );
  assertThrows(
    () => new NpzArchive(encodeNpz({}, false), "e.npz").get("a"),
    MissingEntryError,
    "expected one of: (none; the archive holds no arrays)",
  );
});

Deno.test("a corrupt stored member is left out of keys() and is a FileFormatError on get", () => {
  const bytes = encodeNpz({ a: [1, 2], b: [3, 4], c: new Int8Array([5]) }, false);
  const second = indexOf(bytes, NPY_MAGIC, indexOf(bytes, NPY_MAGIC) + 1);
  bytes.set(new TextEncoder().encode("BROKEN"), second);
  const archive = new NpzArchive(bytes, "t.npz");
  assertEquals(archive.keys(), ["a", "c"]);
  assertEquals([...archive.get("a").data], [1, 2]);
  assertThrows(
    () => archive.get("b"),
    FileFormatError,
    'Cannot read array from "t.npz/b.npy": it does not start with the NumPy magic string',
  );
});

Deno.test("a corrupt deflated member or one that is not .npy is left out of keys()", () => {
  const bytes = encodeNpz({ a: [1, 2], b: new Float64Array(100) }, true);
  const [start, size] = memberDataOffsets(bytes)["b.npy"];
  bytes.fill(0xff, start, start + size); // not a valid deflate stream
  const foreign = zipSync({
    "a.npy": encodeNpy([1]),
    "notes.txt": new TextEncoder().encode("hello"),
    "fake.npy": new TextEncoder().encode("not an array"),
  });
  for (const [archive, good, bad] of [[bytes, "a", "b"], [foreign, "a", "fake"]] as const) {
    const npz = new NpzArchive(archive, "t.npz");
    assertEquals(npz.keys(), [good]);
    assertThrows(
      () => npz.get(bad),
      FileFormatError,
      `Cannot read array from "t.npz/${bad}.npy": `,
    );
  }
  assertThrows(() => new NpzArchive(foreign, "t.npz").get("notes"), MissingEntryError);
});

// ---------------------------------------------------------------------------
// NumPy

const LOAD_OURS = `
import json, sys, zipfile
import numpy as np
out = {}
for path in sys.argv[1:]:
    with np.load(path) as npz:
        arrays = {k: {"dtype": npz[k].dtype.str, "shape": list(npz[k].shape),
                      "data": npz[k].tobytes().hex()} for k in npz.files}
        files = npz.files
    with zipfile.ZipFile(path) as z:
        methods = sorted({i.compress_type for i in z.infolist()})
        names = sorted(i.filename for i in z.infolist())
        ok = z.testzip() is None
    out[path] = {"files": sorted(files), "arrays": arrays, "methods": methods,
                 "names": names, "crc_ok": ok}
print(json.dumps(out))
`;

Deno.test({
  name: "numpy.load reads our archives in both layouts, stored and deflated" + NUMPY_NOTE,
  ignore: !HAS_NUMPY,
  fn: withTempDir(async (dir) => {
    const stored = join(dir, "stored.npz");
    const deflated = join(dir, "deflated.npz");
    Deno.writeFileSync(stored, encodeNpz(sampleMembers(), false));
    Deno.writeFileSync(deflated, encodeNpz(sampleMembers(), true));
    const result = await python(LOAD_OURS, stored, deflated) as Record<string, {
      files: string[];
      arrays: Record<string, { dtype: string; shape: number[]; data: string }>;
      methods: number[];
      names: string[];
      crc_ok: boolean;
    }>;
    for (const [path, method] of [[stored, 0], [deflated, 8]] as const) {
      const { files, arrays, methods, names, crc_ok } = result[path];
      assertEquals(files, Object.keys(EXPECTED));
      assertEquals(names, Object.keys(EXPECTED).map((k) => `${k}.npy`));
      assertEquals(methods, [method]); // ZIP_STORED or ZIP_DEFLATED
      assertEquals(crc_ok, true);
      for (const [key, { dtype, shape, data }] of Object.entries(EXPECTED)) {
        assertEquals(arrays[key], { dtype, shape, data: hex(data) }, key);
      }
    }
  }),
});

const SAVE_FOR_US = `
import json, sys, zipfile
import numpy as np
d = sys.argv[1]
arrays = {
    "field": np.asfortranarray(np.arange(12.0).reshape(3, 4)),
    "counts": np.array([[1, -2], [3, 2**31 - 1]], dtype=">i4"),
    "mask": np.array([True, False]),
    "u8": np.array([0, 2**64 - 1], dtype="u8"),
    "scalar": np.array(-0.0),
    "half": np.array([0.5, -65504], dtype="f2"),
    "empty": np.zeros((0, 2), dtype="i2"),
}
np.savez(d + "/savez.npz", **arrays)
np.savez_compressed(d + "/compressed.npz", **arrays)
np.savez(d + "/corrupt_stored.npz", a=np.arange(3.0), b=np.arange(4.0))
np.savez_compressed(d + "/corrupt_deflated.npz", a=np.arange(3.0), b=np.arange(400.0))
for name in ["corrupt_stored", "corrupt_deflated"]:
    path = f"{d}/{name}.npz"
    with zipfile.ZipFile(path) as z:
        info = z.getinfo("b.npy")
    with open(path, "r+b") as f:
        f.seek(info.header_offset + 26)
        name_length, extra_length = np.frombuffer(f.read(4), dtype="<u2")
        f.seek(info.header_offset + 30 + int(name_length) + int(extra_length))
        f.write(b"\\xff" * 8)
expected = {
    k: {"dtype": a.dtype.newbyteorder("<").str, "shape": list(a.shape),
        "data": np.ascontiguousarray(a.astype(a.dtype.newbyteorder("<"))).tobytes().hex()}
    for k, a in arrays.items()
}
print(json.dumps(expected))
`;

Deno.test({
  name: "NpzArchive reads numpy.savez and numpy.savez_compressed archives (ZIP64 headers)" +
    NUMPY_NOTE,
  ignore: !HAS_NUMPY,
  fn: withTempDir(async (dir) => {
    const expected = await python(SAVE_FOR_US, dir) as Record<
      string,
      { dtype: string; shape: number[]; data: string }
    >;
    for (const name of ["savez", "compressed"]) {
      const bytes = Deno.readFileSync(join(dir, `${name}.npz`));
      // NumPy writes each local header with a ZIP64 extra field (id 1).
      assertEquals(new DataView(bytes.buffer).getUint16(28, true), 20);
      assertEquals(new DataView(bytes.buffer).getUint16(30 + "field.npy".length, true), 1);
      const archive = new NpzArchive(bytes, name);
      assertEquals(archive.keys(), Object.keys(expected).sort());
      for (const [key, { dtype, shape, data }] of Object.entries(expected)) {
        const array = archive.get(key);
        assertEquals({
          dtype: array.dtype,
          shape: array.shape,
          data: hex(array.data as TypedArray),
        }, {
          dtype,
          shape,
          data,
        }, `${name}: ${key}`);
      }
      assertEquals([...archive.get("u8").data], [0n, 2n ** 64n - 1n]);
      assertEquals([...archive.get("field").data], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    }
    for (const name of ["corrupt_stored", "corrupt_deflated"]) {
      const path = join(dir, `${name}.npz`);
      const archive = new NpzArchive(Deno.readFileSync(path), path);
      assertEquals(archive.keys(), ["a"], name);
      assertEquals([...archive.get("a").data], [0, 1, 2]);
      const error = assertThrows(() => archive.get("b"), FileFormatError);
      assertStringIncludes(error.message, `Cannot read array from "${path}/b.npy": `);
    }
  }),
});
