// Copyright 2026 the notata authors. MIT license.
// `Symbol.dispose` cannot see the exception that unwinds a `using` block, so
// a run left by a throw is first marked complete. When that throw goes on to
// kill the script, the "error" / "unhandledrejection" event carries it. Its
// stack passes through the function that held the block, at a line between
// the line that created the run and the line where the block was disposed:
// such runs are re-marked failed before the process exits.

/** What the rescue needs of a run. */
export interface Failable {
  markFailed(reason: Error | string): void;
}

/** A stack captured lazily: V8 formats `stack` only when it is read. */
export interface CapturedStack {
  stack?: string;
}

interface Frame {
  functionName: string;
  url: string;
  line: number;
}

interface Candidate {
  run: Failable;
  created: CapturedStack;
  disposed: CapturedStack;
}

const candidates: Candidate[] = [];
let listening = false;
const LIBRARY_DIR = new URL(".", import.meta.url).href;
const FRAME =
  /^\s*at (?:async )?(?:(.*?) \()?((?:file|https?|jsr|npm|data|blob):.+?):(\d+):\d+\)?$/;

function parseFrames(stack: string | undefined): Frame[] {
  const frames: Frame[] = [];
  for (const line of stack?.split("\n") ?? []) {
    const match = line.match(FRAME);
    if (match === null) continue;
    frames.push({ functionName: match[1] ?? "", url: match[2], line: Number(match[3]) });
  }
  return frames;
}

function userFrame(captured: CapturedStack): Frame | undefined {
  return parseFrames(captured.stack).find((frame) => !frame.url.startsWith(LIBRARY_DIR));
}

function leftByThrow(candidate: Candidate, errorFrames: Frame[]): boolean {
  const created = userFrame(candidate.created);
  const disposed = userFrame(candidate.disposed);
  if (created === undefined || disposed === undefined) return false;
  return errorFrames.some((frame) =>
    frame.url === disposed.url && frame.functionName === disposed.functionName &&
    frame.line >= created.line && frame.line <= disposed.line
  );
}

function rescue(error: unknown): void {
  if (!(error instanceof Error)) return;
  const errorFrames = parseFrames(error.stack);
  for (const candidate of candidates.splice(0)) {
    if (!leftByThrow(candidate, errorFrames)) continue;
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

/** Captures the current stack cheaply; it is formatted only if a rescue reads it. */
export function captureStack(above?: (...args: never[]) => unknown): CapturedStack {
  const captured: CapturedStack = {};
  Error.captureStackTrace(captured, above);
  return captured;
}

/** A new run started: runs disposed before it were not left by a fatal throw. */
export function forgetDisposedRuns(): void {
  candidates.length = 0;
}

/**
 * Remembers a run that its `using` block completed, with the stacks of its
 * creation and of its disposal (`disposeMethod` is left out of the latter).
 */
export function rememberDisposedRun(
  run: Failable,
  created: CapturedStack,
  disposeMethod: (...args: never[]) => unknown,
): void {
  if (!listening) {
    globalThis.addEventListener("error", onError);
    globalThis.addEventListener("unhandledrejection", onUnhandledRejection);
    listening = true;
  }
  candidates.push({ run, created, disposed: captureStack(disposeMethod) });
}
