// Copyright 2026 the notata authors. MIT license.
// Running a simulation as the body of an open run, for `Experiment#run` and
// sweeps: they differ only in what they do with the outcome.

import type { Logbook } from "./logbook.ts";

/** What running a run's body came to. */
export type RunOutcome<T> = { ok: true; value: T } | { ok: false; error: unknown };

/**
 * Runs `body` for the open run `log`: marks the run failed with what `body`
 * throws (the stack goes to `artifacts/traceback.txt`), otherwise complete
 * unless `body` marked it itself. Errors from marking the run propagate:
 * they are not the body's.
 */
export async function runBody<T>(log: Logbook, body: () => T | Promise<T>): Promise<RunOutcome<T>> {
  let value: T;
  try {
    value = await body();
  } catch (error) {
    log.markFailed(error instanceof Error ? error : String(error));
    return { ok: false, error };
  }
  if (log.status === "initialized") log.markComplete();
  return { ok: true, value };
}
