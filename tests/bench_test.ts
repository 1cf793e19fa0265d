// Copyright 2026 the notata authors. MIT license.
// The benchmark suite must keep running: `deno task bench --quick --json`
// produces every row with numeric figures, so a change to the API it uses
// shows here and not months later.
import { assert, assertEquals, assertStringIncludes } from "@std/assert";
import { fromFileUrl, join } from "@std/path";
// A type import: `deno check tests/` then type-checks the whole suite.
import type { Report } from "../bench/main.ts";
import { chromiumMissing } from "./_browser.ts";

const ROWS = [
  "sweep",
  "sweep_disk",
  "index_cost",
  "memory",
  "rss",
  "rss_scoped",
  "to_data_frame",
  "reindex",
  "log_info",
  "log_scalar",
  "npy",
  "cold_start",
  "cli_ls",
  "cli_status",
  "scalars",
  "scalars_memory",
  "aggregate",
  "report_write",
  "report_size",
  // Skipped, with a line on stderr, where there is no Chromium.
  ...(chromiumMissing() === undefined ? ["report_usable"] : []),
  "durable_write_disk",
  "durable_write_fast",
  "durable_run_disk",
];

Deno.test("deno task bench --quick writes every row with numeric figures", async () => {
  const dir = Deno.makeTempDirSync();
  try {
    const json = join(dir, "bench.json");
    const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
      args: ["task", "bench", "--quick", "--json", json],
      cwd: fromFileUrl(new URL("../", import.meta.url)),
      env: { NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const table = new TextDecoder().decode(stdout);
    assertEquals(code, 0, new TextDecoder().decode(stderr));
    const report: Report = JSON.parse(Deno.readTextFileSync(json));
    assertEquals(report.mode, "quick");
    assertEquals(report.rows.map((row) => row.id), ROWS);
    for (const row of report.rows) {
      for (const field of ["library", "baseline", "ratio"] as const) {
        const value: unknown = row[field];
        assert(
          typeof value === "number" && Number.isFinite(value) && value > 0,
          `row "${row.id}" has ${field} ${value}, expected a positive number`,
        );
      }
      assert([true, false, null].includes(row.pass), `row "${row.id}" has pass ${row.pass}`);
      assertStringIncludes(table, `| ${row.name} `);
    }
    const cold = report.rows.find((row) => row.id === "cold_start")!;
    assertEquals(cold.extra.polarsLoaded, false, cold.notes);
    assertStringIncludes(table, "| row ");
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
