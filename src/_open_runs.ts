// Copyright 2026 the notata authors. MIT license.
// What a signal does to the open runs (see _watchdog.ts): each is marked
// failed. The watchdog thread imports this module when the first signal
// comes; the main thread calls it when the thread could not.

import { failOpenRun, type WatchedRun } from "./_interrupt.ts";

/** Marks every run of `runs` failed with `reason`; one broken directory does not stop the others. */
export function failOpenRuns(runs: readonly WatchedRun[], reason: string): void {
  for (const run of runs) {
    try {
      failOpenRun(run, reason);
    } catch {
      // One run's broken directory must not keep the others unmarked.
    }
  }
}
