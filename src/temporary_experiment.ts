// Copyright 2026 the notata authors. MIT license.
/**
 * {@linkcode TemporaryExperiment}: an experiment in a fresh temporary
 * directory, removed on dispose, for `deno test` fixtures.
 *
 * @module
 */

import { assertFileName } from "./_names.ts";
import { Experiment } from "./experiment.ts";

function makeBaseDir(name: string): string {
  assertFileName("Cannot create experiment", "name", name);
  return Deno.makeTempDirSync({ prefix: "notata-" });
}

/**
 * An {@linkcode Experiment} created in a fresh temporary directory, which is
 * removed with everything in it when the `using` (or `await using`) block
 * ends: a fixture for tests of code that runs sweeps.
 *
 * @example In a test
 * ```ts
 * import { TemporaryExperiment } from "@notata/core";
 * import { assert } from "@std/assert";
 *
 * let dir: string;
 * {
 *   using exp = new TemporaryExperiment("sweep");
 *   dir = exp.baseDir;
 *   exp.add({ omega: 1 })!.markComplete();
 * }
 * assert(!(await Deno.stat(dir).then(() => true, () => false)));
 * ```
 */
export class TemporaryExperiment extends Experiment implements Disposable, AsyncDisposable {
  /**
   * Creates the temporary directory that will hold the experiment.
   *
   * @param name The experiment name. Default `"experiment"`.
   */
  constructor(name = "experiment") {
    super(name, { baseDir: makeBaseDir(name) });
  }

  /** Removes the temporary directory and everything in it. */
  [Symbol.dispose](): void {
    // The watchdog thread may write a heartbeat into a run directory while
    // it is being removed; the next attempt removes that file too.
    for (let attempt = 1;; attempt++) {
      try {
        Deno.removeSync(this.baseDir, { recursive: true });
        return;
      } catch (error) {
        if (error instanceof Deno.errors.NotFound) return;
        if (attempt === 3) throw error;
      }
    }
  }

  /** Removes the temporary directory and everything in it. */
  [Symbol.asyncDispose](): Promise<void> {
    this[Symbol.dispose]();
    return Promise.resolve();
  }
}
