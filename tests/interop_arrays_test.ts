// Copyright 2026 the notata authors. MIT license.
// String and complex arrays written by NumPy itself and by the original
// Python notata's Logbook, read by our decoder and LogReader.
import { assertEquals, assertInstanceOf } from "@std/assert";
import { join } from "@std/path";
import { LogReader } from "../mod.ts";
import { NpzArchive } from "../src/_npz.ts";
import { decodeNpy, type NdArray, readNpyFile } from "../src/npy.ts";
import { hasOriginalNotata, ignoredNote, NOTATA_PY, python, pythonHas } from "./_python.ts";

const HAS_NUMPY = pythonHas("numpy");
const HAS_ORIGINAL = hasOriginalNotata();

async function inTempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = Deno.makeTempDirSync({ prefix: "notata_interop_arrays_" });
  try {
    await fn(dir);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
}

/**
 * Saves each array `numpy.save` and `numpy.savez` make of the cases below,
 * and prints what NumPy reads back: strings as text (bytes as Latin-1),
 * complex numbers as [re, im] pairs, with the dtype and shape.
 */
const SAVE_ARRAYS = `
import json, sys
import numpy as np
d = sys.argv[1]
arrays = {
    "unicode": np.array(["ab", "", "x\\u00e9\\U0001F600", "a\\x00b"]),
    "unicode_be": np.array([["ab", "c"], ["de", "fgh"]], dtype=">U3"),
    "unicode_fortran": np.asfortranarray(np.array([["a", "bb", "c"], ["d", "e", "ffff"]])),
    "unicode_0d": np.array("scalar"),
    "bytes": np.array([b"ab", b"\\xff\\x00c", b""]),
    "bytes_2d": np.array([[b"a", b"bc"], [b"", b"d"]]),
    "c16": np.array([1 + 2j, -3.5 - 4j, complex("nan+infj")]),
    "c8": np.array([[1 + 2j, 3 - 4j], [0.5j, -1]], dtype=np.complex64),
    "c16_be": np.array([1 + 2j, 3 - 4j], dtype=">c16"),
    "c8_fortran": np.asfortranarray(np.arange(6).reshape(2, 3) * (1 + 1j)).astype(np.complex64),
    "c16_0d": np.array(2 - 1j),
}
def describe(a):
    if a.dtype.kind == "U":
        values = [str(x) for x in a.ravel(order="C")]
    elif a.dtype.kind == "S":
        values = [x.decode("latin1") for x in a.ravel(order="C")]
    else:
        values = [[repr(float(x.real)), repr(float(x.imag))] for x in a.ravel(order="C")]
    return {"dtype": a.dtype.str, "shape": list(a.shape), "values": values}
for name, a in arrays.items():
    np.save(f"{d}/{name}.npy", a)
np.savez_compressed(f"{d}/bundle.npz", **arrays)
print(json.dumps({name: describe(a) for name, a in arrays.items()}))
`;

interface Described {
  dtype: string;
  shape: number[];
  values: (string | [string, string])[];
}

/** What NumPy's `repr(float(x))` shows, for comparing without rounding. */
function pyRepr(x: number): string {
  if (Number.isNaN(x)) return "nan";
  if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
  return Number.isInteger(x) ? x.toFixed(1) : String(x);
}

/** An array as {@linkcode SAVE_ARRAYS} describes it; the dtype as we report it. */
function describe(array: NdArray): Described {
  const { data, shape, dtype } = array;
  if (Array.isArray(data)) return { dtype, shape, values: data };
  const count = shape.reduce((a, b) => a * b, 1);
  assertEquals(data.length, 2 * count, `${dtype}: two numbers per complex element`);
  const values: [string, string][] = [];
  for (let i = 0; i < count; i++) {
    values.push([pyRepr(Number(data[2 * i])), pyRepr(Number(data[2 * i + 1]))]);
  }
  return { dtype, shape, values };
}

/** NumPy's dtype as we report it: little-endian or byte-order free. */
function reported(dtype: string): string {
  return dtype.startsWith("|") ? dtype : `<${dtype.slice(1)}`;
}

Deno.test({
  name: "unicode, byte-string and complex arrays NumPy saves are read as NumPy reads them" +
    ignoredNote(HAS_NUMPY, "numpy"),
  ignore: !HAS_NUMPY,
  fn: () =>
    inTempDir(async (dir) => {
      const expected = await python(SAVE_ARRAYS, dir) as Record<string, Described>;
      const bundle = new NpzArchive(Deno.readFileSync(join(dir, "bundle.npz")), "bundle.npz");
      for (const [name, numpy] of Object.entries(expected)) {
        const want = { ...numpy, dtype: reported(numpy.dtype) };
        assertEquals(describe(readNpyFile(join(dir, `${name}.npy`))), want, name);
        assertEquals(describe(bundle.get(name)), want, `bundle.npz:${name}`);
      }
    }),
});

Deno.test("a complex array aligned in memory is a view of the file's bytes", () => {
  const text = "{'descr': '<c16', 'fortran_order': False, 'shape': (2,), }";
  const header = text + " ".repeat(128 - 10 - text.length - 1) + "\n";
  const bytes = new Uint8Array(128 + 32);
  bytes.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, header.length, 0]);
  new TextEncoder().encodeInto(header, bytes.subarray(10));
  new Float64Array(bytes.buffer, 128).set([1, 2, 3, -4]);
  const { data, shape, dtype } = decodeNpy(bytes, "memory");
  assertInstanceOf(data, Float64Array);
  assertEquals((data as Float64Array).buffer, bytes.buffer);
  assertEquals([...data, ...shape, dtype], [1, 2, 3, -4, 2, "<c16"]);
});

const ORIGINAL_WRITES_ARRAYS = `
import json, sys
import numpy as np
from notata import Logbook
base = sys.argv[1]
with Logbook("arrays", base_dir=base) as log:
    log.array("names", np.array(["alpha", "beta", "\\u03b3"]))
    log.array("codes", np.array([b"A1", b"B22"]))
    log.array("spectrum", np.array([[1 + 1j, 2], [3j, -4 - 0.5j]]))
    log.arrays("mixed", labels=np.array(["x", "yy"]), z=np.array([1j], dtype=np.complex64))
print(json.dumps(None))
`;

Deno.test({
  name: "LogReader reads the string and complex arrays the original Logbook saved" +
    ignoredNote(HAS_ORIGINAL, "numpy, PyYAML and ../shared/notata-py"),
  ignore: !HAS_ORIGINAL,
  fn: () =>
    inTempDir(async (dir) => {
      await python(
        `import sys; sys.path.insert(0, ${JSON.stringify(NOTATA_PY)})\n` +
          ORIGINAL_WRITES_ARRAYS,
        dir,
      );
      const run = new LogReader(join(dir, "log_arrays"));
      assertEquals(run.arrays, ["codes", "mixed:labels", "mixed:z", "names", "spectrum"]);
      const names = run.loadArray("names");
      assertEquals([names.data, names.shape, names.dtype], [["alpha", "beta", "γ"], [3], "<U5"]);
      const codes = run.loadArray("codes");
      assertEquals([codes.data, codes.dtype], [["A1", "B22"], "|S3"]);
      const spectrum = run.loadArray("spectrum");
      assertInstanceOf(spectrum.data, Float64Array);
      assertEquals([...spectrum.data], [1, 1, 2, 0, 0, 3, -4, -0.5]);
      assertEquals([spectrum.shape, spectrum.dtype], [[2, 2], "<c16"]);
      assertEquals(run.loadArray("mixed:labels").data, ["x", "yy"]);
      const z = run.loadArray("mixed:z");
      assertInstanceOf(z.data, Float32Array);
      assertEquals([[...z.data], z.dtype], [[0, 1], "<c8"]);
    }),
});
