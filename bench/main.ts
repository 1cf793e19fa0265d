// Copyright 2026 the notata authors. MIT license.
// `deno task bench [--quick] [--json <path>] [--dir <path>] [--only <group,...>]`: runs every
// row, prints the table, writes it as JSON. Exits 0 whether or not targets
// are met (misses are marked in the table); non-zero only when a row fails
// to run. See bench/README.md.

import { dirname } from "@std/path";
import { type BenchContext, FULL, QUICK } from "./_context.ts";
import {
  formatReport,
  makeScratch,
  parseOptions,
  progress,
  removeScratch,
  removeTree,
  type Report,
  type Row,
  secondsSince,
} from "./_harness.ts";
import { diskSweepRows, sweepRows } from "./sweep.ts";
import { growthRows, runGrowthSweep } from "./growth.ts";
import { indexFrameRows } from "./index_frame.ts";
import { logLineRows } from "./log_lines.ts";
import { npyRows } from "./npy.ts";
import { coldStartRows } from "./cold_start.ts";
import { rssRows } from "./rss.ts";
import { cliRows } from "./cli.ts";
import { analysisRows } from "./analysis.ts";
import { reportRows } from "./report.ts";
import { durableWriteRows } from "./durable.ts";

export type { Report, Row } from "./_harness.ts";

/** The row groups `--only` accepts. */
const GROUPS = [
  "sweep",
  "growth",
  "frame",
  "lines",
  "npy",
  "cold",
  "disk",
  "rss",
  "cli",
  "analysis",
  "report",
  "durable",
];

/** The order of the rows in the report. */
const ROW_ORDER = [
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
  "report_usable",
  "durable_write_disk",
  "durable_write_fast",
  "durable_run_disk",
];

async function runRows(ctx: BenchContext, only: string[]): Promise<Row[]> {
  const unknown = only.filter((group) => !GROUPS.includes(group));
  if (unknown.length > 0) {
    throw new Error(
      `Cannot run benchmark: unknown group "${unknown[0]}", expected one of ${GROUPS.join(", ")}`,
    );
  }
  const wanted = (group: string) => only.length === 0 || only.includes(group);
  const rows: Row[] = [];
  if (wanted("sweep")) rows.push(...await sweepRows(ctx));
  if (wanted("growth") || wanted("frame")) {
    const dir = Deno.makeTempDirSync({ dir: ctx.scratch.fast });
    try {
      progress(`long sweep of ${ctx.sizes.growthRuns} runs`);
      const sweep = runGrowthSweep(ctx, dir);
      if (wanted("growth")) rows.push(...growthRows(ctx, sweep));
      if (wanted("frame")) rows.push(...await indexFrameRows(ctx, sweep.exp, sweep.runs));
    } finally {
      removeTree(dir);
    }
  }
  if (wanted("lines")) rows.push(...await logLineRows(ctx));
  if (wanted("npy")) rows.push(...await npyRows(ctx));
  if (wanted("cold")) rows.push(...await coldStartRows(ctx));
  if (wanted("disk")) rows.push(...await diskSweepRows(ctx));
  if (wanted("rss")) rows.push(...await rssRows(ctx));
  if (wanted("cli")) rows.push(...await cliRows(ctx));
  if (wanted("analysis")) rows.push(...await analysisRows(ctx));
  if (wanted("report")) rows.push(...await reportRows(ctx));
  if (wanted("durable")) rows.push(...await durableWriteRows(ctx));
  return rows.sort((a, b) => ROW_ORDER.indexOf(a.id) - ROW_ORDER.indexOf(b.id));
}

async function main(): Promise<void> {
  const options = parseOptions(Deno.args);
  const started = performance.now();
  const scratch = makeScratch(options.dir);
  const cleanUp = () => {
    removeScratch(scratch);
    Deno.exit(130);
  };
  Deno.addSignalListener("SIGINT", cleanUp);
  let rows: Row[];
  try {
    progress(`${options.quick ? "quick" : "full"} run, files on ${scratch.fastKind}`);
    if (scratch.fastKind !== "/dev/shm" && options.dir === undefined) {
      progress(
        "for figures on /dev/shm, run with -A (Deno grants paths under /dev to nothing less) or pass --dir <a tmpfs mount>; see bench/README.md",
      );
    }
    rows = await runRows(
      { sizes: options.quick ? QUICK : FULL, scratch },
      options.only,
    );
  } finally {
    Deno.removeSignalListener("SIGINT", cleanUp);
    removeScratch(scratch);
  }
  const report: Report = {
    mode: options.quick ? "quick" : "full",
    date: new Date().toISOString(),
    deno: Deno.version.deno,
    v8: Deno.version.v8,
    os: `${Deno.build.os}-${Deno.build.arch}`,
    cpus: navigator.hardwareConcurrency,
    scratch: scratch.fastKind,
    disk: dirname(scratch.disk),
    seconds: secondsSince(started),
    rows,
  };
  console.log(formatReport(report));
  if (options.json !== undefined) {
    Deno.writeTextFileSync(options.json, JSON.stringify(report, null, 2) + "\n");
    progress(`wrote ${options.json}`);
  }
}

if (import.meta.main) await main();
