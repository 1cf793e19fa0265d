// Copyright 2026 the notata authors. MIT license.
/**
 * The errors notata throws. Each names the failed action first, quotes the
 * offending value, then says what would be accepted. Where a standard error
 * class fits, notata's extends it, as std's errors do: a bad argument is a
 * `TypeError`, an unreadable file a `SyntaxError`. Every one of them is also
 * an instance of {@linkcode NotataError}.
 *
 * @module
 */

// Marks notata's errors whatever their standard base: `instanceof NotataError`
// looks for it, as a class cannot extend both Error subclasses.
const NOTATA: unique symbol = Symbol("notata.error");

function brand(error: Error, name: string): void {
  Object.defineProperty(error, NOTATA, { value: true });
  error.name = name;
}

/**
 * Base class of every error notata throws on purpose: `error instanceof
 * NotataError` holds for each of them, also for those whose base class is
 * `TypeError` or `SyntaxError`.
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
    brand(this, new.target.name);
  }

  /**
   * Whether `value` is an error notata threw: any of its error classes.
   *
   * @param value The value to test.
   * @returns Whether it is one of notata's errors.
   */
  static override [Symbol.hasInstance](value: unknown): boolean {
    if (this !== NotataError) return Function.prototype[Symbol.hasInstance].call(this, value);
    return typeof value === "object" && value !== null && NOTATA in value;
  }
}

/**
 * A name (experiment, run or artifact) or a relative path is empty,
 * path-like or contains characters that no file name may hold. A
 * `TypeError`, as std's invalid arguments are.
 *
 * @example Usage
 * ```ts
 * import { Experiment, InvalidNameError } from "@notata/core";
 * import { assertThrows } from "@std/assert";
 *
 * assertThrows(() => new Experiment("../escape"), InvalidNameError);
 * ```
 */
export class InvalidNameError extends TypeError {
  /**
   * Constructs a new instance.
   *
   * @param message The error message.
   * @param options Standard error options, such as `cause`.
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    brand(this, new.target.name);
  }
}

/**
 * A param, metric or other value cannot be stored as given: it is not a JSON
 * value, uses a reserved column name, or is out of range. A `TypeError`,
 * as std's invalid arguments are.
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
export class InvalidValueError extends TypeError {
  /**
   * Constructs a new instance.
   *
   * @param message The error message.
   * @param options Standard error options, such as `cause`.
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    brand(this, new.target.name);
  }
}

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
 * JSON file). A `SyntaxError`, as `JSON.parse` throws for text it cannot read.
 *
 * @example Usage
 * ```ts
 * import { FileFormatError } from "@notata/core";
 * import { decodeNpy } from "@notata/core/npy";
 * import { assertThrows } from "@std/assert";
 *
 * assertThrows(() => decodeNpy(new Uint8Array(4), "broken.npy"), FileFormatError);
 * ```
 */
export class FileFormatError extends SyntaxError {
  /**
   * Constructs a new instance.
   *
   * @param message The error message.
   * @param options Standard error options, such as `cause`.
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    brand(this, new.target.name);
  }
}
