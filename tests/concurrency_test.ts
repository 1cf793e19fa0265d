// Copyright 2026 the notata authors. MIT license.
// Many writers, one experiment: real processes (and Workers) add and finish
// runs at the same time, some racing for the same params. The index must
// hold exactly one well-formed row per finished run, and each contested run
// must have had exactly one writer.
import { assert, assertEquals } from "@std/assert";
import { parse as parseCsv } from "@std/csv";
import { join } from "@std/path";
import { Experiment } from "../mod.ts";
import { IndexCsv } from "../src/_index/csv.ts";
import type { CrowdResult } from "./fixtures/_crowd.ts";
import {
  listTree,
  readJsonFile,
  runFixture,
  scratchDir,
  scratchPermissions,
} from "./_subprocess.ts";

// A metric value as the index writes it.
function cellText(value: unknown): string {
  return value === null || value === undefined ? "" : String(value);
}

/**
 * Checks the experiment `crowd` under `baseDir` after `results.length`
 * writers ran `unique` own params and `shared` common params each.
 */
function checkCrowd(baseDir: string, results: CrowdResult[], unique: number, shared: number): void {
  const exp = new Experiment("crowd", { baseDir });
  const runs = [...Deno.readDirSync(exp.runsDir)].map((entry) => entry.name).sort();
  assertEquals(runs.length, results.length * unique + shared);

  // Every writer ran all its own params; every shared params had one winner.
  const winners = new Map<number, number>();
  results.forEach((result, writer) => {
    assertEquals(result.unique, Array.from({ length: unique }, (_, j) => j));
    for (const k of result.shared) {
      assert(!winners.has(k), `shared params ${k} ran in writers ${winners.get(k)} and ${writer}`);
      winners.set(k, writer);
    }
  });
  assertEquals([...winners.keys()].sort((a, b) => a - b), [...Array(shared).keys()]);

  // The file: a header and whole CRLF-terminated records, as @std/csv and
  // IndexCsv both read them, and the header index.schema.json records.
  const index = new IndexCsv(exp.dir);
  const text = Deno.readTextFileSync(index.path);
  assert(text.endsWith("\r\n"));
  const schema = readJsonFile(index.schemaPath) as { header: string; columns: { name: string }[] };
  assert(text.startsWith(schema.header), "index.csv header differs from index.schema.json");
  const [header, ...records] = parseCsv(text);
  assertEquals(header, schema.columns.map((column) => column.name));
  for (const record of records) assertEquals(record.length, header.length, record.join(","));
  const rows = index.rows();
  assertEquals(rows.length, runs.length);
  rows.forEach((row, i) => assertEquals(Object.values(row), records[i]));
  const extras = results.flatMap((_, w) =>
    [24, 49, 74, 99, 124, 149].filter((j) => j < unique).map((j) => `extra_w${w}_j${j}`)
  );
  assertEquals(
    new Set(header),
    new Set([
      "run_id",
      "shared",
      "writer",
      "j",
      "status",
      "by",
      "energy",
      "note",
      ...extras,
      "runtime_sec",
      "failure_reason",
    ]),
  );
  assertEquals([header[0], ...header.slice(-2)], ["run_id", "runtime_sec", "failure_reason"]);

  // One row per run directory, and each row says what the run's files say.
  assertEquals(rows.map((row) => `log_${row.run_id}`).sort(), runs);
  for (const row of rows) {
    const runDir = join(exp.runsDir, `log_${row.run_id}`);
    const meta = readJsonFile(join(runDir, "metadata.json"));
    const params = readJsonFile(join(runDir, "params.json"));
    const metrics = readJsonFile(join(runDir, "artifacts", "metrics.json"));
    const j = params.j as number | undefined;
    const writer = j === undefined ? winners.get(params.shared as number)! : params.writer;
    assertEquals(metrics.by, writer);
    assertEquals(meta.pid, results[writer as number].pid);
    const failed = j !== undefined && j % 10 === 7;
    assertEquals(meta.status, failed ? "failed" : "complete");
    assertEquals(row.status, meta.status);
    assertEquals(row.failure_reason, failed ? `diverged at j=${j}` : "");
    assertEquals(row.runtime_sec, cellText(meta.runtime_sec));
    for (const name of header) {
      if (name in params) assertEquals(row[name], cellText(params[name]), name);
      else if (name in metrics) assertEquals(row[name], cellText(metrics[name]), name);
      else if (!["run_id", "status", "runtime_sec", "failure_reason"].includes(name)) {
        assertEquals(row[name], "", `${row.run_id}: ${name}`);
      }
    }
    // Never two writers in one run directory.
    const log = Deno.readTextFileSync(join(runDir, "log.txt"));
    assertEquals(log.match(/ INFO Run started\n/g)?.length, 1, log);
    assert(!log.includes("Run resumed") && meta.attempts === undefined, log);
  }
  assertEquals(listTree(exp.dir).filter((path) => path.includes(".tmp-")), []);

  // A rebuild from the run directories agrees with the index kept live.
  const live = new Map(rows.map((row) => [row.run_id, row]));
  assertEquals(exp.reindex(), runs.length);
  assertEquals(new Map(index.rows().map((row) => [row.run_id, row])), live);
}

Deno.test("8 processes adding 200 runs each, 50 of them the same params, into one experiment: one row per run, one writer per run", async () => {
  const baseDir = scratchDir();
  try {
    const [writers, unique, shared] = [8, 150, 50];
    const outputs = await Promise.all(
      Array.from({ length: writers }, (_, writer) =>
        runFixture(
          "concurrent_writer.ts",
          [baseDir, String(writer), String(unique), String(shared)],
          { permissions: scratchPermissions(baseDir) },
        )),
    );
    for (const output of outputs) assertEquals([output.code, output.stderr], [0, ""]);
    const results = outputs.map((output) => JSON.parse(output.stdout) as CrowdResult);
    checkCrowd(baseDir, results, unique, shared);
  } finally {
    Deno.removeSync(baseDir, { recursive: true });
  }
});

Deno.test("4 Workers in one process adding runs into one experiment: one row per run, one writer per run", async () => {
  const baseDir = scratchDir();
  try {
    const [workers, unique, shared] = [4, 50, 20];
    const output = await runFixture(
      "concurrent_workers.ts",
      [baseDir, String(workers), String(unique), String(shared)],
      { permissions: scratchPermissions(baseDir) },
    );
    assertEquals([output.code, output.stderr], [0, ""]);
    checkCrowd(baseDir, JSON.parse(output.stdout), unique, shared);
  } finally {
    Deno.removeSync(baseDir, { recursive: true });
  }
});
