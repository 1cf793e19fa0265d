// Copyright 2026 the notata authors. MIT license.
// `Symbol.dispose` cannot see the exception that unwinds a `using` block, so
// a run left by a throw is first marked complete. When that throw goes on to
// kill the script, the "error" / "unhandledrejection" event carries it, and
// its stack holds the frame that was executing when the block was left: the
// very frame recorded when the run was disposed. Such runs are re-marked
// failed before the process exits.

/** What the rescue needs of a run. */
export interface Failable {
  markFailed(reason: Error | string): void;
}

interface Candidate {
  run: Failable;
  frame: string;
}

const candidates: Candidate[] = [];
let listening = false;
const LOCATION = /\(?((?:file|https?|jsr|npm):[^\s()]+:\d+:\d+)\)?$/;

function location(stackLine: string | undefined): string | undefined {
  return stackLine?.trim().match(LOCATION)?.[1];
}

function rescue(error: unknown): void {
  if (!(error instanceof Error) || error.stack === undefined) return;
  const frames = new Set(error.stack.split("\n").map(location));
  for (const candidate of candidates.splice(0)) {
    if (!frames.has(candidate.frame)) continue;
    try {
      candidate.run.markFailed(error);
    } catch {
      // Never mask the error that is killing the process.
    }
  }
}

function onError(event: Event): void {
  rescue((event as ErrorEvent).error);
}

function onUnhandledRejection(event: Event): void {
  rescue((event as PromiseRejectionEvent).reason);
}

/** A new run started: runs disposed before it were not left by a fatal throw. */
export function forgetDisposedRuns(): void {
  candidates.length = 0;
}

/**
 * Remembers a run that its `using` block completed, with the caller's frame
 * (`disposeMethod` is left out of the captured stack).
 */
export function rememberDisposedRun(
  run: Failable,
  disposeMethod: (...args: never[]) => unknown,
): void {
  const holder: { stack?: string } = {};
  Error.captureStackTrace(holder, disposeMethod);
  const frame = location(holder.stack?.split("\n")[1]);
  if (frame === undefined) return;
  if (!listening) {
    globalThis.addEventListener("error", onError);
    globalThis.addEventListener("unhandledrejection", onUnhandledRejection);
    listening = true;
  }
  candidates.push({ run, frame });
}
