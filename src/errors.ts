// Copyright 2026 the notata authors. MIT license.
/**
 * The errors notata throws. Each names the failed action first, quotes the
 * offending value, then says what would be accepted.
 *
 * @module
 */

/**
 * Base class of every error notata throws on purpose.
 *
 * @example Usage
 * ```ts
 * import { NotataError } from "@notata/core";
 *
 * const error: Error = new NotataError("Cannot do it: reason");
 * ```
 */
export class NotataError extends Error {
  /**
   * Constructs a new instance.
   *
   * @param message The error message.
   * @param options Standard error options, such as `cause`.
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/**
 * A name (experiment, run or artifact) or a relative path is empty,
 * path-like or contains characters that no file name may hold.
 *
 * @example Usage
 * ```ts
 * import { Experiment, InvalidNameError } from "@notata/core";
 * import { assertThrows } from "@std/assert";
 *
 * assertThrows(() => new Experiment("../escape"), InvalidNameError);
 * ```
 */
export class InvalidNameError extends NotataError {}

/**
 * A param, metric or other value cannot be stored as given: it is not a JSON
 * value, uses a reserved column name, or is out of range.
 *
 * @example Usage
 * ```ts
 * import { InvalidValueError, TemporaryExperiment } from "@notata/core";
 * import { assertThrows } from "@std/assert";
 *
 * using exp = new TemporaryExperiment("sweep");
 * assertThrows(() => exp.add({ status: "x" }), InvalidValueError);
 * ```
 */
export class InvalidValueError extends NotataError {}

/**
 * A run directory already exists and the call did not say to skip, resume
 * or overwrite it, or the directory belongs to different params.
 *
 * @example Usage
 * ```ts
 * import { RunExistsError, TemporaryExperiment } from "@notata/core";
 * import { assertThrows } from "@std/assert";
 *
 * using exp = new TemporaryExperiment("sweep");
 * exp.add({ omega: 1 })!.markComplete();
 * assertThrows(() => exp.add({ omega: 1 }), RunExistsError);
 * ```
 */
export class RunExistsError extends NotataError {}

/**
 * A file, array, artifact, key or run that was asked for does not exist.
 * The message names the missing path or key and what is there instead.
 *
 * @example Usage
 * ```ts
 * import { ExperimentReader, MissingEntryError, TemporaryExperiment } from "@notata/core";
 * import { assertThrows } from "@std/assert";
 *
 * using exp = new TemporaryExperiment("sweep");
 * exp.add({ omega: 1 })!.markComplete();
 * assertThrows(() => new ExperimentReader(exp.dir).get("nope"), MissingEntryError);
 * ```
 */
export class MissingEntryError extends NotataError {}

/**
 * A file exists but its content cannot be read as the format its name
 * promises (a corrupt `.npy` or `.npz`, an unsupported dtype, a truncated
 * JSON file).
 *
 * @example Usage
 * ```ts
 * import { FileFormatError, decodeNpy } from "@notata/core";
 * import { assertThrows } from "@std/assert";
 *
 * assertThrows(() => decodeNpy(new Uint8Array(4), "broken.npy"), FileFormatError);
 * ```
 */
export class FileFormatError extends NotataError {}
