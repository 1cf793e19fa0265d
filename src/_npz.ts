// Copyright 2026 the notata authors. MIT license.
// NumPy `.npz` archives: a zip of `<key>.npy` members, stored as
// `numpy.savez` writes them or deflated as `numpy.savez_compressed` does.

import { unzipSync, type Zippable, zipSync } from "fflate";
import { assertFileName } from "./_names.ts";
import { FileFormatError, InvalidValueError, MissingEntryError } from "./errors.ts";
import { type ArrayData, decodeNpy, encodeNpy, type NamedArrays, type NdArray } from "./npy.ts";

/**
 * Zip fields are 32 bits wide and notata does not write ZIP64, so an archive
 * must stay below 4 GiB; each member adds at most this much to its data.
 */
const ZIP_LIMIT = 0xffffffff;
const MEMBER_OVERHEAD = 512;

/**
 * Encodes `arrays` as an `.npz` archive. Every key and member is checked,
 * and every member encoded, before the archive is built.
 *
 * @param arrays The members, by key; member `k` is stored as `k.npy`.
 * @param compressed Deflate the members, as `numpy.savez_compressed` does.
 * @param action How an error message starts.
 * @throws {InvalidNameError} A key is not a valid file name.
 * @throws {InvalidValueError} A member is not numeric, its shape does not
 * hold its data, or the archive would reach 4 GiB.
 */
export function encodeNpz(
  arrays: NamedArrays,
  compressed: boolean,
  action = "Cannot encode npz archive",
): Uint8Array {
  const members: Zippable = {};
  let size = 0;
  for (const [key, member] of Object.entries(arrays)) {
    assertFileName(action, "key", key);
    const memberAction = `${action}, member ${JSON.stringify(key)}`;
    const { data, shape } = typeof member === "object" && member !== null &&
        !ArrayBuffer.isView(member) && !Array.isArray(member)
      ? member as { data: ArrayData; shape: readonly number[] }
      : { data: member as ArrayData, shape: undefined };
    const bytes = encodeNpy(data, shape, memberAction);
    size += bytes.length + MEMBER_OVERHEAD;
    if (size >= ZIP_LIMIT) {
      throw new InvalidValueError(
        `${memberAction}: the archive would reach 4 GiB, expected less (write large arrays as .npy files)`,
      );
    }
    members[`${key}.npy`] = [bytes, { level: compressed ? 6 : 0 }];
  }
  return zipSync(members);
}

/**
 * An `.npz` archive read from memory: NumPy's `savez` and `savez_compressed`
 * layouts, and notata's own. Each member is decoded on request.
 */
export class NpzArchive {
  #bytes: Uint8Array;
  #source: string;
  /** The member names ending in `.npy`, from the central directory. */
  #members: string[];

  /**
   * Reads the archive's directory.
   *
   * @param bytes The whole `.npz` file.
   * @param source What error messages call the archive, such as its path.
   * @throws {FileFormatError} The bytes are not a zip archive.
   */
  constructor(bytes: Uint8Array, source: string) {
    this.#bytes = bytes;
    this.#source = source;
    const names: string[] = [];
    try {
      unzipSync(bytes, {
        filter: ({ name }) => {
          names.push(name);
          return false;
        },
      });
    } catch (error) {
      throw new FileFormatError(
        `Cannot read npz archive ${JSON.stringify(source)}: it is not a zip archive`,
        { cause: error },
      );
    }
    this.#members = names.filter((name) => name.endsWith(".npy"));
  }

  /**
   * The keys of the members that hold a readable array, sorted, without
   * the `.npy` suffix. Each member is decoded to check it, so this reads
   * (and for a compressed archive, inflates) the whole archive once.
   *
   * @returns The keys.
   */
  keys(): string[] {
    return this.#members
      .filter((name) => {
        try {
          this.#decode(name);
          return true;
        } catch (error) {
          if (error instanceof FileFormatError) return false;
          throw error;
        }
      })
      .map((name) => name.slice(0, -".npy".length))
      .sort();
  }

  /**
   * Decodes the member `<key>.npy`.
   *
   * @param key The member's key, without `.npy`.
   * @returns The array.
   * @throws {MissingEntryError} The archive has no such member.
   * @throws {FileFormatError} The member is corrupt or holds a dtype notata
   * does not read.
   */
  get(key: string): NdArray {
    const name = `${key}.npy`;
    if (!this.#members.includes(name)) {
      const available = this.keys().map((k) => JSON.stringify(k)).join(", ");
      throw new MissingEntryError(
        `Cannot read array ${JSON.stringify(key)} from ${JSON.stringify(this.#source)}: ` +
          `no such member, expected one of: ${available || "(none; the archive holds no arrays)"}`,
      );
    }
    return this.#decode(name);
  }

  #decode(name: string): NdArray {
    const source = `${this.#source}/${name}`;
    let bytes: Uint8Array;
    try {
      bytes = unzipSync(this.#bytes, { filter: (file) => file.name === name })[name];
    } catch (error) {
      throw new FileFormatError(
        `Cannot read array from ${JSON.stringify(source)}: the member cannot be extracted`,
        { cause: error },
      );
    }
    return decodeNpy(bytes, source);
  }
}
