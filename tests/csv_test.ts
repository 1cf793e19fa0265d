// Copyright 2026 the notata authors. MIT license.
import { assertEquals } from "@std/assert";
import { parse } from "@std/csv";
import { joinCsvRecord, quoteCsvField, splitCsvRecords, unquoteCsvField } from "../src/_csv.ts";

const TRICKY = [
  "plain",
  "a,b",
  'say "hi"',
  "line\nbreak",
  "crlf\r\nbreak",
  "lone\rcr",
  "",
  " pad ",
];

Deno.test("quoteCsvField quotes exactly the fields with a quote, comma, CR or LF", () => {
  assertEquals(TRICKY.map(quoteCsvField), [
    "plain",
    '"a,b"',
    '"say ""hi"""',
    '"line\nbreak"',
    '"crlf\r\nbreak"',
    '"lone\rcr"',
    "",
    " pad ",
  ]);
});

Deno.test("records written with quoteCsvField parse back exactly with @std/csv", () => {
  const values = TRICKY.filter((value) => !value.includes("\r"));
  const text = joinCsvRecord(["h1", "h2"].map(quoteCsvField)) +
    values.map((value) => joinCsvRecord([quoteCsvField(value), "x"])).join("");
  assertEquals(
    parse(text, { skipFirstRow: true }),
    values.map((value) => ({ h1: value, h2: "x" })),
  );
});

Deno.test("splitCsvRecords keeps raw fields, quotes and CR/LF inside quotes included", () => {
  const raw = TRICKY.map(quoteCsvField);
  const text = joinCsvRecord(raw) + joinCsvRecord(["1", "2"]);
  assertEquals(splitCsvRecords(text), [raw, ["1", "2"]]);
  assertEquals(splitCsvRecords(text)[0].map(unquoteCsvField), TRICKY);
});

Deno.test("splitCsvRecords accepts LF and bare CR line ends and a last record without one", () => {
  assertEquals(splitCsvRecords("a,b\n1,2\r3,4"), [["a", "b"], ["1", "2"], ["3", "4"]]);
  assertEquals(splitCsvRecords(""), []);
  assertEquals(splitCsvRecords("a,,\r\n"), [["a", "", ""]]);
});

Deno.test("unquoteCsvField undoes doubled quotes and leaves unquoted fields alone", () => {
  assertEquals(unquoteCsvField('"say ""hi"""'), 'say "hi"');
  assertEquals(unquoteCsvField('""'), "");
  assertEquals(unquoteCsvField("plain"), "plain");
});
