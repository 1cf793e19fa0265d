// Copyright 2026 the notata authors. MIT license.
/**
 * NumPy `.npy` files. {@linkcode encodeNpy} and {@linkcode writeNpyFile}
 * write format 1.0 byte for byte as `numpy.save` does;
 * {@linkcode decodeNpy} and {@linkcode readNpyFile} read formats 1.0, 2.0
 * and 3.0 in either byte order and either memory order, and return a view on
 * the file's bytes whenever the data can be used as it lies.
 *
 * @module
 */

import { writeChunksAtomic } from "./_files.ts";
import { FileFormatError, InvalidValueError, MissingEntryError } from "./errors.ts";

/**
 * The typed arrays notata stores, each as the NumPy dtype of the same
 * element type. `Float16Array` needs a runtime that has it.
 *
 * @example Usage
 * ```ts
 * import type { TypedArray } from "@notata/core/npy";
 *
 * const samples: TypedArray = new Float32Array([0.5, 1.5]);
 * ```
 */
export type TypedArray =
  | Float64Array
  | Float32Array
  | Float16Array
  | Int8Array
  | Int16Array
  | Int32Array
  | Uint8Array
  | Uint16Array
  | Uint32Array
  | BigInt64Array
  | BigUint64Array;

/**
 * What notata accepts as array data: a typed array, or plain numbers
 * (stored as float64).
 *
 * @example Usage
 * ```ts
 * import type { NumericArray } from "@notata/core/npy";
 *
 * const energies: NumericArray = [0.5, 0.25, 0.125];
 * const counts: NumericArray = new Int32Array([1, 2, 3]);
 * ```
 */
export type NumericArray = TypedArray | readonly number[];

/**
 * What notata writes as a NumPy array: numbers as {@linkcode NumericArray}
 * takes them, or strings, written as NumPy unicode (`<U<n>`, n the longest
 * string's length in code points) and read back by NumPy as `str` elements.
 * As in NumPy, trailing NUL characters of a string are not kept.
 *
 * @example Usage
 * ```ts
 * import type { ArrayData } from "@notata/core/npy";
 *
 * const labels: ArrayData = ["euler", "verlet", "rk4"];
 * const energies: ArrayData = new Float64Array([0.5, 0.25]);
 * ```
 */
export type ArrayData = NumericArray | readonly string[];

/**
 * Arrays by name, as {@linkcode Logbook.arrays} stores them in one `.npz`:
 * flat data (a 1-D array), or `{ data, shape }` for n-dimensional ones.
 *
 * @example Usage
 * ```ts
 * import type { NamedArrays } from "@notata/core/npy";
 *
 * const arrays: NamedArrays = { x: [0, 1, 2, 3], field: { data: new Float32Array(4), shape: [2, 2] } };
 * ```
 */
export type NamedArrays = {
  readonly [key: string]: ArrayData | { data: ArrayData; shape: readonly number[] };
};

/**
 * An n-dimensional array: flat data in C (row-major) order, its shape and
 * its NumPy dtype string (always little-endian or byte-order free, such as
 * `"<f8"` or `"|u1"`; `"|b1"` is NumPy's bool, one byte of 0 or 1).
 *
 * Two kinds of NumPy array read as something other than one typed-array
 * element per array element:
 * - complex (`"<c8"`, `"<c16"`): a `Float32Array` or `Float64Array` of
 *   twice the element count, real and imaginary parts interleaved
 *   (`[re0, im0, re1, im1, ...]`), as NumPy lays them out;
 * - strings: unicode (`"<U5"`) and byte strings (`"|S5"`) as a `string[]`,
 *   with trailing NULs removed as NumPy does. A byte string's bytes are
 *   read one character per byte (Latin-1), so every byte survives:
 *   `Uint8Array.from(s, (c) => c.charCodeAt(0))` gives them back.
 *
 * @example Usage
 * ```ts
 * import type { NdArray } from "@notata/core/npy";
 *
 * const grid: NdArray = { data: new Float64Array(6), shape: [2, 3], dtype: "<f8" };
 * ```
 */
export interface NdArray {
  /**
   * The elements in C (row-major) order: numbers in a typed array, complex
   * numbers as interleaved real and imaginary parts, strings as strings.
   */
  data: TypedArray | string[];
  /** The length of each axis; `[]` for a 0-d array holding one element. */
  shape: number[];
  /** The NumPy dtype string of the elements. */
  dtype: string;
}

interface TypedArrayConstructor {
  new (length: number): TypedArray;
  new (buffer: ArrayBufferLike, byteOffset: number, length: number): TypedArray;
  readonly BYTES_PER_ELEMENT: number;
}

// Float16Array is recent; where the runtime lacks it, `<f2` cannot be read.
const Float16: TypedArrayConstructor | undefined =
  (globalThis as { Float16Array?: TypedArrayConstructor }).Float16Array;

/** The dtype each typed array is written as, in the order they are tried. */
const WRITTEN_AS: [TypedArrayConstructor, string][] = [
  [Float64Array, "<f8"],
  [Float32Array, "<f4"],
  ...(Float16 ? [[Float16, "<f2"] as [TypedArrayConstructor, string]] : []),
  [Int8Array, "|i1"],
  [Int16Array, "<i2"],
  [Int32Array, "<i4"],
  [Uint8Array, "|u1"],
  [Uint16Array, "<u2"],
  [Uint32Array, "<u4"],
  [BigInt64Array, "<i8"],
  [BigUint64Array, "<u8"],
];

const ACCEPTED_DATA = "a typed array (Float64Array, Float32Array, Float16Array, Int8Array, " +
  "Int16Array, Int32Array, Uint8Array, Uint16Array, Uint32Array, BigInt64Array, " +
  "BigUint64Array), an array of numbers or an array of strings";

/** What a dtype's kind letter and size read as, and the dtype reported. */
const READ_AS: Record<string, [TypedArrayConstructor | undefined, string]> = {
  f8: [Float64Array, "<f8"],
  f4: [Float32Array, "<f4"],
  f2: [Float16, "<f2"],
  i8: [BigInt64Array, "<i8"],
  i4: [Int32Array, "<i4"],
  i2: [Int16Array, "<i2"],
  i1: [Int8Array, "|i1"],
  u8: [BigUint64Array, "<u8"],
  u4: [Uint32Array, "<u4"],
  u2: [Uint16Array, "<u2"],
  u1: [Uint8Array, "|u1"],
  b1: [Uint8Array, "|b1"],
};

/** Complex dtypes by size: what each part is read as, and the dtype reported. */
const COMPLEX_AS: Record<string, [TypedArrayConstructor, string]> = {
  c8: [Float32Array, "<c8"],
  c16: [Float64Array, "<c16"],
};

const READABLE = "<f8, <f4, <f2, <i8, <i4, <i2, |i1, <u8, <u4, <u2, |u1, |b1, <c16, <c8, " +
  '<U<n> or |S<n>, in either byte order (">" for big-endian)';

/** Names for the dtype kinds NumPy has and notata does not read. */
const KIND_NAMES: Record<string, string> = {
  c: "extended-precision complex",
  f: "extended-precision float",
  O: "Python object",
  V: "void",
  M: "datetime",
  m: "timedelta",
};

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // "\x93NUMPY"
const ALIGN = 64;
/** Digits `numpy.save` leaves room for, so the first axis can grow in place. */
const GROWTH_AXIS_MAX_DIGITS = 21;
/** NumPy's `NPY_MAXDIMS`: `numpy.load` rejects arrays of more dimensions. */
const MAX_DIMS = 32;

function describe(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "object" && value !== null) {
    return `of type ${value.constructor?.name ?? "Object"}`;
  }
  return String(value);
}

function formatShape(shape: readonly number[]): string {
  return `[${shape.join(", ")}]`;
}

function toTypedArray(action: string, data: unknown): TypedArray {
  if (Array.isArray(data)) {
    // An index loop, not `every`, so that holes in a sparse array are caught.
    for (let i = 0; i < data.length; i++) {
      if (typeof data[i] !== "number") {
        throw new InvalidValueError(
          `${action}: element ${i} is ${describe(data[i])}, expected ${ACCEPTED_DATA}`,
        );
      }
    }
    return Float64Array.from(data);
  }
  if (WRITTEN_AS.some(([type]) => data instanceof type)) return data as TypedArray;
  throw new InvalidValueError(`${action}: data is ${describe(data)}, expected ${ACCEPTED_DATA}`);
}

function checkShape(action: string, shape: readonly number[], count: number): number[] {
  if (
    !Array.isArray(shape) || shape.length > MAX_DIMS ||
    !shape.every((n) => Number.isSafeInteger(n) && n >= 0)
  ) {
    throw new InvalidValueError(
      `${action}: shape ${
        Array.isArray(shape) ? formatShape(shape) : describe(shape)
      } is not valid, expected an array of at most ${MAX_DIMS} non-negative integers`,
    );
  }
  const size = shape.reduce((product, n) => product * n, 1);
  if (size !== count) {
    throw new InvalidValueError(
      `${action}: shape ${formatShape(shape)} holds ${size} elements, but the data has ${count}`,
    );
  }
  return [...shape];
}

/** The format 1.0 header `numpy.save` writes for `descr` and `shape`. */
function encodeHeader(descr: string, shape: readonly number[]): Uint8Array {
  const tuple = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(", ")})`;
  let dict = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${tuple}, }`;
  if (shape.length > 0) dict += " ".repeat(GROWTH_AXIS_MAX_DIGITS - String(shape[0]).length);
  // Like NumPy, pads to the next multiple of 64 even when already aligned.
  const text = dict + " ".repeat(ALIGN - (10 + dict.length + 1) % ALIGN) + "\n";
  const header = new Uint8Array(10 + text.length);
  header.set(MAGIC);
  header[6] = 1;
  new DataView(header.buffer).setUint16(8, text.length, true);
  new TextEncoder().encodeInto(text, header.subarray(10));
  return header;
}

// The `<U<n>` elements of `strings`: n UTF-32LE code units each, NUL-padded;
// at least one, as NumPy makes an array of empty strings `<U1`.
function encodeStrings(action: string, strings: readonly string[]): [string, number, Uint8Array] {
  const codePoints: number[][] = [];
  // An index loop, not `map`, so that holes in a sparse array are caught.
  for (let i = 0; i < strings.length; i++) {
    const value = strings[i];
    if (typeof value !== "string") {
      throw new InvalidValueError(
        `${action}: element ${i} is ${describe(value)}, expected a string as element 0 is`,
      );
    }
    if (!value.isWellFormed()) {
      const unit = [...value].find((c) => c.length === 1 && /[\ud800-\udfff]/.test(c))!;
      throw new InvalidValueError(
        `${action}: element ${i} holds a lone surrogate (U+${
          unit.charCodeAt(0).toString(16).toUpperCase()
        }), expected well-formed Unicode`,
      );
    }
    codePoints.push([...value].map((c) => c.codePointAt(0)!));
  }
  const width = Math.max(1, ...codePoints.map((points) => points.length));
  const units = new Uint32Array(strings.length * width);
  codePoints.forEach((points, i) => units.set(points, i * width));
  // Little-endian like every typed array written here (all platforms Deno runs on).
  return [`<U${width}`, strings.length, new Uint8Array(units.buffer)];
}

/** Checks `data` and `shape` and returns the header and a view of the data bytes. */
function encodeParts(
  action: string,
  data: ArrayData,
  shape: readonly number[] | undefined,
): [Uint8Array, Uint8Array] {
  let descr: string, count: number, body: Uint8Array;
  if (Array.isArray(data) && typeof data[0] === "string") {
    [descr, count, body] = encodeStrings(action, data as readonly string[]);
  } else {
    const array = toTypedArray(action, data);
    descr = WRITTEN_AS.find(([type]) => array instanceof type)![1];
    count = array.length;
    body = new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
  }
  const dims = shape === undefined ? [count] : checkShape(action, shape, count);
  return [encodeHeader(descr, dims), body];
}

/**
 * Encodes an array as the bytes of a `.npy` file (format 1.0, as
 * `numpy.save` writes it). Typed arrays keep their element type; plain
 * numbers become float64, strings NumPy unicode (`<U<n>`).
 *
 * @example A 2 x 3 array
 * ```ts
 * import { decodeNpy, encodeNpy } from "@notata/core/npy";
 * import { assertEquals } from "@std/assert";
 *
 * const bytes = encodeNpy(new Int32Array([1, 2, 3, 4, 5, 6]), [2, 3]);
 * assertEquals(bytes.length, 128 + 6 * 4);
 * assertEquals(decodeNpy(bytes, "memory").shape, [2, 3]);
 * ```
 *
 * @param data The elements in C (row-major) order.
 * @param shape The array's shape; default `[data.length]`, `[]` for a 0-d array.
 * @param action How an error message starts. Default `"Cannot encode array"`.
 * @returns The whole file.
 * @throws {InvalidValueError} The shape does not hold the data, the data is
 * not a typed array, an array of numbers or one of strings, or a string
 * holds a lone surrogate.
 */
export function encodeNpy(
  data: ArrayData,
  shape?: readonly number[],
  action = "Cannot encode array",
): Uint8Array {
  const [header, body] = encodeParts(action, data, shape);
  const bytes = new Uint8Array(header.length + body.length);
  bytes.set(header);
  bytes.set(body, header.length);
  return bytes;
}

/**
 * Writes an array to a `.npy` file at `path`, atomically: a temporary file
 * beside it gets the header and then the array's own bytes (no copy of the
 * data is made), and is renamed over `path`. The arguments are checked
 * before anything is written.
 *
 * @example Usage
 * ```ts
 * import { readNpyFile, writeNpyFile } from "@notata/core/npy";
 * import { assertEquals } from "@std/assert";
 *
 * const dir = Deno.makeTempDirSync();
 * writeNpyFile(`${dir}/field.npy`, new Float64Array([1, 2, 3, 4]), [2, 2]);
 * assertEquals(readNpyFile(`${dir}/field.npy`).shape, [2, 2]);
 * Deno.removeSync(dir, { recursive: true });
 * ```
 *
 * @param path The file to write; its directory must exist.
 * @param data The elements in C (row-major) order.
 * @param shape The array's shape; default `[data.length]`, `[]` for a 0-d array.
 * @param label What error messages call the array. Default `array "<path>"`.
 * @throws {InvalidValueError} The shape does not hold the data, the data is
 * not a typed array, an array of numbers or one of strings, or a string
 * holds a lone surrogate.
 */
export function writeNpyFile(
  path: string,
  data: ArrayData,
  shape?: readonly number[],
  label = `array ${JSON.stringify(path)}`,
): void {
  writeChunksAtomic(path, encodeParts(`Cannot write ${label}`, data, shape));
}

type PyValue = string | number | boolean | null | PyValue[] | Map<string, PyValue>;

/**
 * Parses the Python literal a `.npy` header holds (a dict of strings,
 * booleans, integers, tuples and lists), without evaluating anything.
 * Tuples and lists both become arrays.
 */
function parsePyLiteral(text: string): PyValue {
  let pos = 0;
  const fail = (expected: string): never => {
    throw new SyntaxError(`expected ${expected} at offset ${pos}`);
  };
  const skipSpace = (): void => {
    while (pos < text.length && " \t\r\n".includes(text[pos])) pos++;
  };
  const eat = (char: string): boolean => {
    skipSpace();
    if (text[pos] !== char) return false;
    pos++;
    return true;
  };
  const string = (): string => {
    const quote = text[pos++];
    let out = "";
    while (text[pos] !== quote) {
      if (pos >= text.length) fail(`a closing ${quote}`);
      if (text[pos] === "\\") {
        const escaped = text[++pos];
        out += { n: "\n", t: "\t", r: "\r" }[escaped] ?? escaped;
      } else {
        out += text[pos];
      }
      pos++;
    }
    pos++;
    return out;
  };
  // Items separated by commas, with an optional trailing comma; returns
  // whether the last item was followed by one.
  const items = (close: string, item: () => void): boolean => {
    let comma = false;
    while (!eat(close)) {
      item();
      comma = eat(",");
      if (!comma) {
        if (!eat(close)) fail(`"," or "${close}"`);
        break;
      }
    }
    return comma;
  };
  const WORD = /True|False|None|-?\d+L?/y;
  const value = (): PyValue => {
    skipSpace();
    const char = text[pos];
    if (char === "'" || char === '"') return string();
    if (char === "{") {
      pos++;
      const dict = new Map<string, PyValue>();
      items("}", () => {
        skipSpace();
        if (text[pos] !== "'" && text[pos] !== '"') fail("a string key");
        const key = string();
        if (!eat(":")) fail('":"');
        dict.set(key, value());
      });
      return dict;
    }
    if (char === "(" || char === "[") {
      pos++;
      const list: PyValue[] = [];
      const comma = items(char === "(" ? ")" : "]", () => list.push(value()));
      // `(3)` is the number 3 in Python; only `(3,)` is a tuple.
      return char === "(" && list.length === 1 && !comma ? list[0] : list;
    }
    WORD.lastIndex = pos;
    const word = WORD.exec(text)?.[0] ?? fail("a value");
    pos += word.length;
    if (word === "True" || word === "False") return word === "True";
    return word === "None" ? null : Number.parseInt(word, 10);
  };
  const result = value();
  skipSpace();
  if (pos < text.length) fail("the end of the header");
  return result;
}

/**
 * How an element is read: as `per` numbers of `type` (1, or 2 for complex),
 * or as a string of `itemSize` bytes in UTF-32 or Latin-1.
 */
type Element =
  | { kind: "numbers"; type: TypedArrayConstructor; per: 1 | 2 }
  | { kind: "string"; utf32: boolean };

interface Header {
  element: Element;
  dtype: string;
  itemSize: number;
  /** The size of the units whose bytes a big-endian file stores reversed. */
  swapSize: number;
  bigEndian: boolean;
  fortranOrder: boolean;
  shape: number[];
  dataOffset: number;
}

function decodeHeader(bytes: Uint8Array, fail: (problem: string) => never): Header {
  if (bytes.length < 8 || MAGIC.some((byte, i) => bytes[i] !== byte)) {
    fail('it does not start with the NumPy magic string "\\x93NUMPY"');
  }
  const [major, minor] = [bytes[6], bytes[7]];
  if (major < 1 || major > 3 || minor !== 0) {
    fail(`format version ${major}.${minor} is not supported, expected 1.0, 2.0 or 3.0`);
  }
  const start = major === 1 ? 10 : 12;
  if (bytes.length < start) fail("the header is truncated");
  const view = new DataView(bytes.buffer, bytes.byteOffset, start);
  const length = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const dataOffset = start + length;
  if (dataOffset > bytes.length) {
    fail(
      `the header is truncated: it declares ${length} bytes, but ${bytes.length - start} follow`,
    );
  }
  const text = new TextDecoder(major === 3 ? "utf-8" : "latin1")
    .decode(bytes.subarray(start, dataOffset));
  let dict: PyValue;
  try {
    dict = parsePyLiteral(text);
  } catch (error) {
    return fail(
      `the header ${JSON.stringify(text.trim())} is not valid: ${(error as Error).message}`,
    );
  }
  const keys = dict instanceof Map ? [...dict.keys()].sort() : [];
  if (keys.join() !== "descr,fortran_order,shape") {
    fail(
      `the header ${
        JSON.stringify(text.trim())
      } is not valid, expected a dict of 'descr', 'fortran_order' and 'shape'`,
    );
  }
  const fields = dict as Map<string, PyValue>;
  const [descr, fortranOrder, shape] = ["descr", "fortran_order", "shape"].map((k) =>
    fields.get(k)
  );
  if (
    typeof fortranOrder !== "boolean" || !Array.isArray(shape) ||
    !shape.every((n) => Number.isSafeInteger(n) && (n as number) >= 0)
  ) {
    fail(`the header ${JSON.stringify(text.trim())} has an invalid fortran_order or shape`);
  }
  const parts = typeof descr === "string" ? /^([<>|=])([a-zA-Z])(\d+)$/.exec(descr) : null;
  const read = parts ? readAs(parts[2], Number(parts[3])) : undefined;
  if (read === undefined) {
    const kind = Array.isArray(descr)
      ? "structured"
      : typeof descr === "string"
      ? KIND_NAMES[descr.replace(/^[<>|=]/, "")[0]]
      : undefined;
    fail(
      `dtype ${JSON.stringify(descr)}${
        kind ? ` (${kind})` : ""
      } is not supported, expected ${READABLE}`,
    );
  }
  const [element, dtype, itemSize, swapSize] = read!;
  if (element.kind === "numbers" && element.type === undefined) {
    fail(`dtype "${dtype}" needs Float16Array, which this runtime lacks`);
  }
  return {
    element,
    dtype,
    itemSize,
    swapSize,
    bigEndian: parts![1] === ">" && swapSize > 1,
    fortranOrder: fortranOrder as boolean,
    shape: shape as number[],
    dataOffset,
  };
}

/**
 * How a dtype of `kind` letter and `size` is read: the element, the dtype
 * reported, the bytes per element and the size of its byte-swapped units;
 * `undefined` for a dtype notata does not read.
 */
function readAs(kind: string, size: number): [Element, string, number, number] | undefined {
  const key = `${kind}${size}`;
  if (Object.hasOwn(READ_AS, key)) {
    const [type, dtype] = READ_AS[key];
    return [{ kind: "numbers", type: type!, per: 1 }, dtype, size, size];
  }
  if (Object.hasOwn(COMPLEX_AS, key)) {
    const [type, dtype] = COMPLEX_AS[key];
    return [{ kind: "numbers", type, per: 2 }, dtype, size, size / 2];
  }
  if (kind === "U") return [{ kind: "string", utf32: true }, `<U${size}`, 4 * size, 4];
  if (kind === "S" || kind === "a") return [{ kind: "string", utf32: false }, `|S${size}`, size, 1];
  return undefined;
}

/**
 * Copies `count` elements of `itemSize` bytes from `source` into `target` in
 * one pass, reversing the bytes of each `swapSize`-byte unit of an element
 * when `swap`, and reading the source in Fortran (column-major) order when
 * `fortran`.
 */
function copyElements(
  source: Uint8Array,
  target: Uint8Array,
  shape: readonly number[],
  itemSize: number,
  swapSize: number,
  swap: boolean,
  fortran: boolean,
): void {
  if (!swap && !fortran) {
    target.set(source);
    return;
  }
  const count = itemSize === 0 ? 0 : target.length / itemSize;
  const unit = swap ? swapSize : 1;
  // In Fortran order, axis k advances by the product of the axes before it.
  const strides = shape.map((_, axis) => shape.slice(0, axis).reduce((a, b) => a * b, 1));
  const index = shape.map(() => 0);
  let from = 0;
  for (let to = 0; to < count; to++) {
    const s = from * itemSize;
    const t = to * itemSize;
    for (let u = 0; u < itemSize; u += unit) {
      for (let b = 0; b < unit; b++) target[t + u + b] = source[s + u + unit - 1 - b];
    }
    if (!fortran) {
      from++;
      continue;
    }
    for (let axis = shape.length - 1; axis >= 0; axis--) {
      if (++index[axis] < shape[axis]) {
        from += strides[axis];
        break;
      }
      index[axis] = 0;
      from -= strides[axis] * (shape[axis] - 1);
    }
  }
}

/**
 * Decodes the bytes of a `.npy` file (format 1.0, 2.0 or 3.0). Little-endian
 * C-order data that is aligned for its element type is returned as a view
 * on `bytes`, without copying; otherwise the data is copied once, converted
 * to native byte order and C order. The dtype reported is always the
 * little-endian (or byte-order free) one.
 *
 * @example Usage
 * ```ts
 * import { decodeNpy, encodeNpy } from "@notata/core/npy";
 * import { assertEquals } from "@std/assert";
 *
 * const bytes = encodeNpy(new Float32Array([0.5, 1.5]));
 * const array = decodeNpy(bytes, "memory");
 * assertEquals(array.dtype, "<f4");
 * assertEquals((array.data as Float32Array).buffer, bytes.buffer); // a view, not a copy
 * ```
 *
 * @param bytes The whole file.
 * @param source What error messages call the file, such as its path.
 * @returns The array.
 * @throws {FileFormatError} The bytes are not a `.npy` file, are truncated,
 * or hold a dtype notata does not read (objects, structured, datetime,
 * extended precision).
 */
export function decodeNpy(bytes: Uint8Array, source: string): NdArray {
  const fail = (problem: string): never => {
    throw new FileFormatError(`Cannot read array from ${JSON.stringify(source)}: ${problem}`);
  };
  const { element, dtype, itemSize, swapSize, bigEndian, fortranOrder, shape, dataOffset } =
    decodeHeader(bytes, fail);
  const count = shape.reduce((product, n) => product * n, 1);
  const byteLength = count * itemSize;
  if (bytes.length - dataOffset < byteLength) {
    fail(
      `the data is truncated: shape ${formatShape(shape)} of ${dtype} needs ${byteLength} bytes, ` +
        `but ${bytes.length - dataOffset} follow the header`,
    );
  }
  // With at most one axis longer than 1, Fortran and C order are the same.
  const fortran = fortranOrder && shape.filter((n) => n > 1).length > 1;
  const body = bytes.subarray(dataOffset, dataOffset + byteLength);
  if (element.kind === "string") {
    const ordered = bigEndian || fortran ? new Uint8Array(byteLength) : body;
    if (ordered !== body) {
      copyElements(body, ordered, shape, itemSize, swapSize, bigEndian, fortran);
    }
    return { data: decodeStrings(ordered, count, itemSize, element.utf32), shape, dtype };
  }
  const { type, per } = element;
  const offset = bytes.byteOffset + dataOffset;
  if (!bigEndian && !fortran && offset % type.BYTES_PER_ELEMENT === 0) {
    return { data: new type(bytes.buffer, offset, count * per), shape, dtype };
  }
  const data = new type(count * per);
  copyElements(body, new Uint8Array(data.buffer), shape, itemSize, swapSize, bigEndian, fortran);
  return { data, shape, dtype };
}

/**
 * The `count` strings of `itemSize` bytes each in `bytes` (little-endian
 * UTF-32 code points when `utf32`, else one character per byte), without
 * their trailing NULs, as NumPy reads them.
 */
function decodeStrings(
  bytes: Uint8Array,
  count: number,
  itemSize: number,
  utf32: boolean,
): string[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const width = utf32 ? 4 : 1;
  const strings: string[] = new Array(count);
  for (let i = 0; i < count; i++) {
    const start = i * itemSize;
    let end = start + itemSize;
    while (end > start && (utf32 ? view.getUint32(end - 4, true) : bytes[end - 1]) === 0) {
      end -= width;
    }
    let text = "";
    for (let at = start; at < end; at += width) {
      text += String.fromCodePoint(utf32 ? view.getUint32(at, true) : bytes[at]);
    }
    strings[i] = text;
  }
  return strings;
}

/**
 * Reads a `.npy` file with a single read; the array is a view on the bytes
 * read whenever {@linkcode decodeNpy} can make one.
 *
 * @example Usage
 * ```ts
 * import { readNpyFile, writeNpyFile } from "@notata/core/npy";
 * import { assertEquals } from "@std/assert";
 *
 * const dir = Deno.makeTempDirSync();
 * writeNpyFile(`${dir}/counts.npy`, new BigInt64Array([1n, -1n]));
 * const { data, dtype } = readNpyFile(`${dir}/counts.npy`);
 * assertEquals([dtype, [...data]], ["<i8", [1n, -1n]]);
 * Deno.removeSync(dir, { recursive: true });
 * ```
 *
 * @param path The file.
 * @returns The array.
 * @throws {MissingEntryError} There is no file at `path`.
 * @throws {FileFormatError} The file is not a `.npy` file notata reads.
 */
export function readNpyFile(path: string): NdArray {
  let bytes: Uint8Array;
  try {
    bytes = Deno.readFileSync(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new MissingEntryError(
        `Cannot read array from ${JSON.stringify(path)}: the file does not exist`,
        { cause: error },
      );
    }
    throw error;
  }
  return decodeNpy(bytes, path);
}
