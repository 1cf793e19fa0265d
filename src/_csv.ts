// Copyright 2026 the notata authors. MIT license.
// RFC 4180 records for index.csv. Rewrites copy earlier records as their raw
// text, never through a parse-and-format round trip, so every value stays
// byte for byte what was written (a parser may turn a quoted CRLF into LF).

const NEEDS_QUOTES = /[",\r\n]/;

/** A value as a raw field: quoted when it holds a quote, comma, CR or LF. */
export function quoteCsvField(value: string): string {
  return NEEDS_QUOTES.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/** A number as a CSV field, in the spellings pandas and Polars both read as floats. */
export function formatCsvNumber(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (!Number.isFinite(value)) return value > 0 ? "inf" : "-inf";
  // String(-0) is "0"; "-0.0" reads back as the float -0 everywhere.
  return Object.is(value, -0) ? "-0.0" : String(value);
}

/** Joins raw fields into one CRLF-terminated record. */
export function joinCsvRecord(rawFields: string[]): string {
  return rawFields.join(",") + "\r\n";
}

/**
 * Splits CSV text into records of raw fields: each field exactly as it
 * stands in the file, quotes and all. A last record without its line end
 * is returned too; callers that need whole records check the text's end.
 */
export function splitCsvRecords(text: string): string[][] {
  const records: string[][] = [];
  let fields: string[] = [];
  let start = 0;
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (quoted) {
      if (char === '"') quoted = text[i + 1] === '"' ? (i++, true) : false;
    } else if (char === '"') {
      quoted = true;
    } else if (char === ",") {
      fields.push(text.slice(start, i));
      start = i + 1;
    } else if (char === "\n" || char === "\r") {
      fields.push(text.slice(start, i));
      records.push(fields);
      fields = [];
      if (char === "\r" && text[i + 1] === "\n") i++;
      start = i + 1;
    }
  }
  if (start < text.length) {
    fields.push(text.slice(start));
    records.push(fields);
  }
  return records;
}

/** The value of a raw field: quotes removed, doubled quotes undone. */
export function unquoteCsvField(raw: string): string {
  return raw.startsWith('"') ? raw.slice(1, -1).replaceAll('""', '"') : raw;
}
