// Copyright 2026 the notata authors. MIT license.
// Text for a person: values formatted for reading, colours (off when
// NO_COLOR is set or stdout is not a terminal), and tables that fit the
// terminal's width by truncating cells, never by wrapping rows.

import { bold, dim, green, red, setColorEnabled, yellow } from "@std/fmt/colors";

let colorDecided = false;

/** Turns colours on only for a terminal, and never under NO_COLOR. */
function decideColor(): void {
  if (colorDecided) return;
  colorDecided = true;
  setColorEnabled(!Deno.noColor && Deno.stdout.isTerminal());
}

/** `text` in bold, when colours are on. */
export function heading(text: string): string {
  decideColor();
  return bold(text);
}

/** `text` dimmed, when colours are on. */
export function faint(text: string): string {
  decideColor();
  return dim(text);
}

/** A shown run state in its colour: green complete, red failed and crashed, yellow running. */
export function colorState(state: string, text: string = state): string {
  decideColor();
  switch (state) {
    case "complete":
      return green(text);
    case "failed":
    case "crashed":
      return red(text);
    case "running":
      return yellow(text);
    default:
      return text;
  }
}

/** A value for a table cell: numbers to 6 significant digits, empty for null. */
export function formatValue(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "number") {
    if (Number.isInteger(value) || !Number.isFinite(value)) return String(value);
    const magnitude = Math.abs(value);
    // Six significant digits, in exponent form where plain would be long: 2.22067e-6.
    return magnitude < 1e-4 || magnitude >= 1e15
      ? value.toExponential(5).replace(/\.?0+e/, "e")
      : String(Number(value.toPrecision(6)));
  }
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

/** A duration in seconds as `0.12 s`, `3.4 min`, `1.5 h`. */
export function formatSeconds(seconds: number): string {
  if (seconds < 120) return `${Number(seconds.toPrecision(3))} s`;
  if (seconds < 7200) return `${Number((seconds / 60).toPrecision(3))} min`;
  return `${Number((seconds / 3600).toPrecision(3))} h`;
}

/** A size in bytes as `812 B`, `4.2 KiB`, `1.3 MiB`. */
export function formatBytes(bytes: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${bytes} B` : `${Number(value.toPrecision(2))} ${units[unit]}`;
}

const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;
/** Characters a terminal shows two columns wide: CJK, Hangul, full-width forms, emoji. */
const WIDE =
  /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6\u{1f300}-\u{1faff}\u{20000}-\u{3fffd}]/u;

/** The columns `text` takes in a terminal. */
function textWidth(text: string): number {
  if (PRINTABLE_ASCII.test(text)) return text.length;
  let width = 0;
  for (const char of text) width += WIDE.test(char) ? 2 : 1;
  return width;
}

/** Control characters (a line break in a value) would break a row: shown as spaces. */
export function oneLine(text: string): string {
  // deno-lint-ignore no-control-regex
  return text.replace(/[\u0000-\u001f\u007f]/g, " ");
}

/** `text` cut to `width` columns, ending in `…` when cut. */
export function truncate(text: string, width: number): string {
  if (textWidth(text) <= width) return text;
  if (width <= 1) return "…".slice(0, width);
  let out = "";
  let used = 0;
  for (const char of text) {
    const w = textWidth(char);
    if (used + w > width - 1) break;
    out += char;
    used += w;
  }
  return out + "…";
}

/**
 * The terminal's width in columns: the console's when stdout is a
 * terminal, else `$COLUMNS` when set (and --allow-env grants it), else
 * `undefined` (no limit: output
 * piped to a file or another program keeps whole cells).
 */
export function terminalWidth(): number | undefined {
  if (Deno.stdout.isTerminal()) {
    try {
      // A pseudo-terminal nobody sized (script(1), some CI runners) says 0.
      const { columns } = Deno.consoleSize();
      if (columns > 0) return columns;
    } catch {
      // Not a console after all: fall through.
    }
  }
  // Asked first, so that a run without --allow-env=COLUMNS never prompts for it.
  const granted =
    Deno.permissions.querySync({ name: "env", variable: "COLUMNS" }).state === "granted";
  const columns = granted ? Deno.env.get("COLUMNS") : undefined;
  const width = Number(columns);
  return columns !== undefined && Number.isInteger(width) && width > 0 ? width : undefined;
}

/** The line below a table that names the columns {@linkcode renderTable} left out. */
export function hiddenColumnsNote(hidden: string[]): string {
  return faint(`not shown (too wide for the terminal): ${hidden.join(", ")}; pick with --columns`);
}

/** One column of a {@linkcode renderTable} table. */
export interface TableColumn {
  /** The header. */
  title: string;
  /** The cells, one per row, as text. */
  cells: string[];
  /** Right-aligned (numbers). */
  right?: boolean;
  /** Colours a cell's padded text; the cell's plain text is given too. */
  paint?: (padded: string, cell: string) => string;
}

/** The narrowest a column is cut to before columns are left out. */
const MIN_WIDTH = 6;
const GAP = "  ";

/**
 * The lines of a table: a header, then one line per row, columns separated
 * by two spaces. When `maxWidth` is given, the widest columns are cut
 * (cells end in `…`) until the lines fit; when even columns of
 * {@linkcode MIN_WIDTH} do not fit, the last columns are left out and the
 * returned `hidden` names them.
 */
export function renderTable(
  columns: TableColumn[],
  maxWidth?: number,
): { lines: string[]; hidden: string[] } {
  const cells = columns.map((column) => column.cells.map(oneLine));
  const widths = columns.map((column, i) =>
    cells[i].reduce((max, cell) => Math.max(max, textWidth(cell)), textWidth(column.title))
  );
  let shown = columns.length;
  const total = () =>
    widths.slice(0, shown).reduce((sum, width) => sum + width, 0) + GAP.length * (shown - 1);
  if (maxWidth !== undefined) {
    while (
      shown > 1 &&
      widths.slice(0, shown).reduce((sum, w) => sum + Math.min(w, MIN_WIDTH), 0) +
            GAP.length * (shown - 1) > maxWidth
    ) {
      shown--;
    }
    while (total() > maxWidth) {
      let widest = 0;
      for (let i = 1; i < shown; i++) if (widths[i] > widths[widest]) widest = i;
      if (widths[widest] <= MIN_WIDTH) break;
      widths[widest] = Math.max(MIN_WIDTH, widths[widest] - (total() - maxWidth));
    }
  }
  const pad = (text: string, i: number): string => {
    const cut = truncate(text, widths[i]);
    const fill = " ".repeat(widths[i] - textWidth(cut));
    return columns[i].right ? fill + cut : cut + fill;
  };
  const lines = [
    heading(columns.slice(0, shown).map((column, i) => pad(column.title, i)).join(GAP).trimEnd()),
  ];
  const rows = columns[0]?.cells.length ?? 0;
  for (let row = 0; row < rows; row++) {
    const parts: string[] = [];
    for (let i = 0; i < shown; i++) {
      const padded = pad(cells[i][row], i);
      const paint = columns[i].paint;
      parts.push(paint === undefined ? padded : paint(padded, cells[i][row]));
    }
    lines.push(parts.join(GAP).trimEnd());
  }
  return { lines, hidden: columns.slice(shown).map((column) => column.title) };
}
