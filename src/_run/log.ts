// Copyright 2026 the notata authors. MIT license.
// The lines of a run's `log.txt`, whoever writes them.

/** The levels of a log line. */
export type Level = "DEBUG" | "INFO" | "WARNING" | "ERROR";

/** One line of `log.txt`: `[ISO time] LEVEL message`, newlines in the message escaped. */
export function formatLogLine(level: Level, message: string, time: Date = new Date()): string {
  const text = String(message).replaceAll("\r", "\\r").replaceAll("\n", "\\n");
  return `[${time.toISOString()}] ${level} ${text}\n`;
}
