// Copyright 2026 the notata authors. MIT license.
/// <reference lib="dom" />
// The HTML report of a large sweep (10,000 runs in a full run): the time to
// write it, its size, and the time until Chromium shows it usable. The
// baseline is the least a report can be: the same runs, read with
// toDataFrame(), written as one plain HTML <table>.

import { join } from "@std/path";
import { Experiment, ExperimentReader } from "../mod.ts";
import { chromiumMissing, launchChromium, openReport } from "../tests/_browser.ts";
import { deadPid, gradientPng, writeUnfinishedRun } from "../tests/_report_sweep.ts";
import { type BenchContext, QUICK } from "./_context.ts";
import { alternate, pairedRow, progress, type Row, secondsSince } from "./_harness.ts";

const MB = 1024 * 1024;

/**
 * A sweep as a report meets it: omega × dt × seed, two metrics, 20 scalar
 * values per run, one run in 20 failed, a PNG plot on one run in 500, and
 * ten crashed runs.
 */
function buildSweep(dir: string, runs: number): Experiment {
  const exp = new Experiment("report_bench", { baseDir: dir });
  const png = gradientPng(200, 120);
  for (let i = 0; i < runs; i++) {
    const params = { omega: 1 + (i % 10), dt: 0.001 * (1 + (Math.floor(i / 10) % 10)), seed: i };
    using log = exp.add(params)!;
    log.info(`omega=${params.omega} dt=${params.dt}`);
    for (let step = 0; step < 20; step++) log.scalar("energy", 1 + params.dt * step, { step });
    if (i % 500 === 0) log.plot("energy", png);
    if (i % 20 === 19) {
      log.markFailed(`diverged at step ${i % 97}`);
      continue;
    }
    log.json("metrics", { final_energy: params.omega * (1 + params.dt), drift: params.dt * i });
  }
  return exp;
}

function escape(text: string): string {
  return text.replace(/[&<>"]/g, (char) => `&#${char.charCodeAt(0)};`);
}

/** The baseline: toDataFrame(), then every row as one plain HTML table. */
async function plainTable(dir: string, path: string): Promise<void> {
  const frame = await new ExperimentReader(dir).toDataFrame();
  const columns = frame.columns;
  const rows = frame.toRecords().map((row) =>
    `<tr>${columns.map((name) => `<td>${escape(String(row[name] ?? ""))}</td>`).join("")}</tr>`
  );
  Deno.writeTextFileSync(
    path,
    `<!doctype html><html lang="en"><meta charset="utf-8"><title>runs</title><table><thead><tr>${
      columns.map((name) => `<th>${escape(name)}</th>`).join("")
    }</tr></thead><tbody>\n${rows.join("\n")}\n</tbody></table>\n`,
  );
}

/** The report rows: write time, size and, where Chromium is installed, time to usable. */
export async function reportRows(ctx: BenchContext): Promise<Row[]> {
  const runs = ctx.sizes.sweepRuns;
  const repeats = ctx.sizes === QUICK ? 1 : 3;
  const dir = Deno.makeTempDirSync({ dir: ctx.scratch.fast });
  try {
    progress(`report: building a sweep of ${runs} runs`);
    const exp = buildSweep(dir, runs);
    const pid = await deadPid();
    for (let i = 0; i < 10; i++) {
      writeUnfinishedRun(exp, `crashed_${i}`, { omega: 1, dt: 1, seed: -i }, pid);
    }
    const total = runs + 10;
    const reportPath = join(dir, "report.html");
    const plainPath = join(dir, "plain.html");
    // Untimed warm-up: Polars, vega and vega-lite load, and both paths run once.
    await exp.report({ path: reportPath });
    await plainTable(exp.dir, plainPath);
    const write = await alternate(
      repeats,
      async () => {
        const start = performance.now();
        await exp.report({ path: reportPath });
        const seconds = secondsSince(start);
        progress(`report: written in ${seconds.toFixed(2)} s`);
        return seconds;
      },
      async () => {
        const start = performance.now();
        await plainTable(exp.dir, plainPath);
        return secondsSince(start);
      },
    );
    const count = total.toLocaleString("en-US");
    const reportMb = Deno.statSync(reportPath).size / MB;
    const plainMb = Deno.statSync(plainPath).size / MB;
    const rows = [
      pairedRow(
        {
          id: "report_write",
          name: `report(), ${count} runs`,
          unit: "s",
          ratioKind: "time",
          target: "≤ 10 s",
          notes:
            `baseline: toDataFrame() and every row written as one plain HTML <table>; median of ${repeats} alternated repetitions after a warm-up`,
          extra: { runs: total },
        },
        write,
        (_ratio, seconds) => seconds <= 10,
      ),
      pairedRow(
        {
          id: "report_size",
          name: `report size, ${count} runs`,
          unit: "MB",
          ratioKind: "time",
          target: "≤ 20 MB",
          notes: "baseline: the plain HTML table of the same runs; the ratio is size / size",
          extra: { runs: total, indexMb: Deno.statSync(exp.indexPath).size / MB },
        },
        { library: [reportMb], baseline: [plainMb] },
        (_ratio, mb) => mb <= 20,
      ),
    ];
    const missing = chromiumMissing();
    if (missing !== undefined) {
      progress(`report_usable skipped: ${missing}`);
      return rows;
    }
    await using browser = await launchChromium();
    // Usable: the page parsed and laid out, its script run, and a filter applied to every row.
    const usable = async (path: string, filter: boolean): Promise<number> => {
      const start = performance.now();
      const { page } = await openReport(browser, path);
      if (filter) {
        await page.evaluate(() => {
          const input = document.getElementById("filter") as HTMLInputElement;
          input.value = "diverged";
          input.dispatchEvent(new Event("input"));
        });
      }
      const ms = performance.now() - start;
      await page.close();
      return ms;
    };
    // The plain table has no script; it is usable once loaded.
    Deno.writeTextFileSync(
      plainPath,
      Deno.readTextFileSync(plainPath) +
        "<script>document.documentElement.dataset.ready = ''</script>\n",
    );
    await usable(reportPath, true);
    await usable(plainPath, false);
    const open = await alternate(
      repeats,
      () => usable(reportPath, true),
      () => usable(plainPath, false),
    );
    progress(`report: usable in ${open.library.map((ms) => ms.toFixed(0)).join(", ")} ms`);
    rows.push(
      pairedRow(
        {
          id: "report_usable",
          name: `report usable in Chromium, ${count} runs`,
          unit: "ms",
          ratioKind: "time",
          target: "≤ 3,000 ms",
          notes:
            `from navigation to the page loaded, its script run and a text filter applied to every row, headless ${"/usr/bin/chromium"}; baseline: the plain table loaded; median of ${repeats} alternated repetitions after a warm-up`,
          extra: { runs: total },
        },
        open,
        (_ratio, ms) => ms <= 3000,
      ),
    );
    return rows;
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
}
