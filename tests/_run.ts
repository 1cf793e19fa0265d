// Copyright 2026 the notata authors. MIT license.
// A test body with an open run of its own.

import { Logbook } from "../mod.ts";

/**
 * A test body given an open run in a fresh temporary directory; the run is
 * finished (closing its files) and the directory removed afterwards.
 */
export function withRun(fn: (log: Logbook) => void | Promise<void>): () => Promise<void> {
  return async () => {
    const baseDir = Deno.makeTempDirSync();
    try {
      using log = new Logbook("run", { baseDir });
      await fn(log);
    } finally {
      Deno.removeSync(baseDir, { recursive: true });
    }
  };
}
