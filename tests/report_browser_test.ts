// Copyright 2026 the notata authors. MIT license.
/// <reference lib="dom" />
// The HTML report in a real Chromium: what a person sees and can do, with no
// network. Ignored, saying why, when /usr/bin/chromium is missing.
//
// NOTATA_REPORT_PNG=docs/report.png deno test -A --import-map=import_map.npm.json \
//   tests/report_browser_test.ts        # also writes the README's screenshot

import { assert, assertAlmostEquals, assertEquals, assertStringIncludes } from "@std/assert";
import { join, resolve, toFileUrl } from "@std/path";
import type { Page } from "puppeteer-core";
import { chromiumMissing, launchChromium, openReport } from "./_browser.ts";
import { reportSweep, seedSweep } from "./_report_sweep.ts";
import { Experiment, ExperimentReader } from "../mod.ts";

const missing = chromiumMissing();
const suffix = missing === undefined ? "" : ` (ignored: ${missing})`;

/** The texts of column `name` of the rows that are shown, top to bottom. */
function columnTexts(page: Page, name: string): Promise<string[]> {
  return page.evaluate((name) => {
    const table = document.querySelector("table.runs") as HTMLTableElement;
    const headers = Array.from(table.tHead!.rows[0].cells).map((cell) => cell.textContent);
    const index = headers.indexOf(name);
    if (index === -1) throw new Error(`no column ${name} in ${headers.join(", ")}`);
    return Array.from(table.tBodies[0].rows)
      .filter((row) => !row.hidden)
      .map((row) => row.cells[index].textContent ?? "");
  }, name);
}

async function clickHeader(page: Page, name: string): Promise<void> {
  const buttons = await page.$$("table.runs thead th button");
  for (const button of buttons) {
    if (await button.evaluate((element) => element.textContent) === name) {
      await button.click();
      return;
    }
  }
  throw new Error(`no header button ${name}`);
}

Deno.test({
  name: `report in Chromium: no network, one row per run, sort, filter, charts, plots${suffix}`,
  ignore: missing !== undefined,
  async fn() {
    const dir = Deno.makeTempDirSync({ prefix: "notata-report-" });
    try {
      const exp = await reportSweep(dir, true);
      const path = await exp.report({ title: "Oscillator sweep" });
      await using browser = await launchChromium();
      const { page, log } = await openReport(browser, path);

      assertEquals(log.errors, []);
      // The document itself is the only request that is not a data: URI.
      assertEquals(log.requests.filter((url) => !url.startsWith("data:")), [
        toFileUrl(resolve(path)).href,
      ]);
      // The SVG plot's script did not run.
      assertEquals(await page.title(), "Oscillator sweep");

      // One row per run: 6 of the grid, a crashed one and a running one.
      assertEquals((await columnTexts(page, "run")).length, 8);
      assertEquals((await columnTexts(page, "status")).sort(), [
        "complete",
        "complete",
        "complete",
        "complete",
        "complete",
        "crashed",
        "failed",
        "running",
      ]);

      // Sorting: numbers by value, both ways; empty cells last.
      await clickHeader(page, "omega");
      assertEquals(await columnTexts(page, "omega"), ["1", "1", "2", "2", "3", "3", "4", "5"]);
      await clickHeader(page, "omega");
      assertEquals(await columnTexts(page, "omega"), ["5", "4", "3", "3", "2", "2", "1", "1"]);
      await clickHeader(page, "final_energy");
      const energies = await columnTexts(page, "final_energy");
      const numbers = energies.filter((text) => text !== "").map(Number);
      assertEquals(numbers, [...numbers].sort((a, b) => a - b));
      assertEquals(energies.slice(numbers.length), ["", "", ""]);

      // Failed and crashed rows say why.
      const reasons = await page.$$eval(
        "table.runs tbody tr.failed .reason, table.runs tbody tr.crashed .reason",
        (cells) => cells.map((cell) => cell.textContent),
      );
      assertEquals(reasons.sort(), [
        "diverged: energy grew 40-fold",
        "the process ended without finishing the run",
      ]);

      // The text filter hides rows that do not match.
      await page.type("#filter", "diverged");
      assertEquals(await columnTexts(page, "status"), ["failed"]);
      assertStringIncludes(await page.$eval("#shown", (element) => element.textContent!), "1 of 8");
      await page.$eval("#filter", (input) => (input as HTMLInputElement).value = "");
      await page.type("#filter", "OMEGA_2");
      assertEquals(await columnTexts(page, "omega"), ["2", "2"]);
      await page.$eval("#filter", (input) => (input as HTMLInputElement).value = "");
      await page.type("#filter", " ");
      assertEquals((await columnTexts(page, "status")).length, 8);
      // Status checkboxes.
      await page.click('#controls input[value="complete"]');
      assertEquals((await columnTexts(page, "status")).sort(), ["crashed", "failed", "running"]);
      await page.click('#controls input[value="complete"]');
      assertEquals((await columnTexts(page, "status")).length, 8);

      // Every chart has a mark per datum: the parallel coordinates one line
      // per run with every value (the 5 complete runs), the others points.
      const marks = await page.$$eval("#charts figure.chart svg", (svgs) =>
        svgs.map((svg) => ({
          lines: svg.querySelectorAll("g.mark-line > path").length,
          points: svg.querySelectorAll("g.mark-symbol > path").length,
        })));
      assertEquals(marks.length, 1 + 2 * 2, "parallel coordinates and 2 metrics × 2 params");
      assertEquals(marks[0].lines, 5);
      for (const chart of marks.slice(1)) assert(chart.points >= 5, JSON.stringify(marks));
      // Each run's scalar series: one line per series.
      const series = await page.$$eval(
        "#details figure.scalars svg",
        (svgs) => svgs.map((svg) => svg.querySelectorAll("g.mark-line > path").length),
      );
      assertEquals(series.length, 8 - 2, "the crashed and the running run recorded no scalars");
      for (const lines of series) assertEquals(lines, 2);

      // A run id in the table opens its details; its plots render.
      const runId = "oscillator_dt_0.001_omega_1_steps_50";
      await page.click(`table.runs a[href="#run-${runId}"]`);
      assert(
        await page.$eval(`details[id="run-${runId}"]`, (element) => element.hasAttribute("open")),
      );
      const images = await page.$$eval(
        `details[id="run-${runId}"] img`,
        (images) =>
          images.map((image) => ({
            alt: image.getAttribute("alt"),
            width: (image as HTMLImageElement).naturalWidth,
            png: image.getAttribute("src")!.startsWith("data:image/png;base64,"),
          })),
      );
      assertEquals(images.map((image) => [image.alt, image.png]), [
        [`plot gradient.png of run ${runId}`, true],
        [`plot scripted.svg of run ${runId}`, false],
        [`plot trajectory.svg of run ${runId}`, false],
      ]);
      for (const image of images) assert(image.width > 0, JSON.stringify(images));
      assertEquals(images[0].width, 64);
      await page.$eval(`details[id="run-${runId}"]`, (element) => element.scrollIntoView());
      await page.screenshot({ path: join(dir, "report-details.png") });
      assertEquals(await page.title(), "Oscillator sweep");
      assertEquals(log.errors, []);
      assertEquals(log.requests.filter((url) => !url.startsWith("data:")).length, 1);

      // Screenshots: light and dark, to look at; one for the README on request.
      await page.evaluate(() => scrollTo(0, 0));
      await page.screenshot({ path: join(dir, "report.png"), fullPage: true });
      const dark = await openReport(browser, path, { dark: true });
      await dark.page.screenshot({ path: join(dir, "report-dark.png"), fullPage: true });
      assertEquals(dark.log.errors, []);
      const readme = Deno.env.get("NOTATA_REPORT_PNG");
      if (readme !== undefined) {
        const shot = await openReport(browser, path, { width: 1100, height: 1060 });
        await shot.page.screenshot({ path: readme });
      }
      console.log(`screenshots in ${dir}`);
    } finally {
      if (Deno.env.get("NOTATA_KEEP") === undefined) Deno.removeSync(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: `report without JavaScript: table, charts and details are in the HTML${suffix}`,
  ignore: missing !== undefined,
  async fn() {
    const dir = Deno.makeTempDirSync({ prefix: "notata-report-" });
    try {
      const exp = await reportSweep(dir);
      const path = await exp.report();
      await using browser = await launchChromium();
      const page = await browser.newPage();
      await page.setJavaScriptEnabled(false);
      await page.goto(toFileUrl(path).href, { waitUntil: "load" });
      assertEquals(await page.$$eval("table.runs tbody tr", (rows) => rows.length), 7);
      assertEquals(await page.$$eval("#charts svg", (svgs) => svgs.length), 5);
      assertEquals(await page.$$eval("details.run", (items) => items.length), 7);
      // The controls need the script, so they stay hidden without it.
      assertEquals(
        await page.$eval("#controls", (element) => element.hasAttribute("hidden")),
        true,
      );
    } finally {
      Deno.removeSync(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: `report in Chromium: past 500 matching rows, the rest on "show all"${suffix}`,
  ignore: missing !== undefined,
  async fn() {
    const dir = Deno.makeTempDirSync({ prefix: "notata-report-" });
    try {
      const exp = new Experiment("many", { baseDir: dir });
      for (let seed = 0; seed < 520; seed++) {
        using log = exp.add({ seed })!;
        log.json("metrics", { score: seed % 7 });
      }
      const path = await exp.report({ details: 0 });
      await using browser = await launchChromium();
      const { page, log } = await openReport(browser, path);
      const shownRows = () =>
        page.$$eval(
          "table.runs tbody tr",
          (rows) => rows.filter((row) => (row as HTMLElement).offsetParent !== null).length,
        );
      assertEquals(await shownRows(), 500);
      assertEquals(await page.$eval("#more", (button) => button.textContent), "Show all 520");
      // Sorting keeps the limit, over the new order: the 500 highest seeds.
      await clickHeader(page, "seed");
      await clickHeader(page, "seed");
      const seeds = (await columnTexts(page, "seed")).map(Number);
      assertEquals([seeds.length, seeds[0], seeds.at(-1)], [500, 519, 20]);
      await page.click("#more");
      assertEquals(await shownRows(), 520);
      assert(await page.$eval("#more", (button) => (button as HTMLElement).hidden));
      await page.type("#filter", "many_seed_51");
      assertEquals(
        (await columnTexts(page, "seed")).sort(),
        ["51", ...Array.from({ length: 10 }, (_, i) => String(510 + i))].sort(),
      );
      assertEquals(log.errors, []);
    } finally {
      Deno.removeSync(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: `report over seeds in Chromium: error bars 2·std high, one band per configuration${suffix}`,
  ignore: missing !== undefined,
  async fn() {
    const dir = Deno.makeTempDirSync({ prefix: "notata-report-" });
    try {
      const path = await new ExperimentReader(seedSweep(dir)).report({ over: ["seed"] });
      await using browser = await launchChromium();
      const { page, log } = await openReport(browser, path);
      assertEquals(log.errors, []);
      const shown = await page.$$eval("#charts figure.chart", (figures) =>
        figures
          .filter((figure) => figure.querySelector("h3")!.textContent!.includes("mean ± std"))
          .map((figure) => ({
            title: figure.querySelector("h3")!.textContent,
            // Drawn heights on the screen, as a person sees them.
            bars: Array.from(figure.querySelectorAll("g.mark-rule.role-mark > line"))
              .map((line) => line.getBoundingClientRect().height),
            bands: Array.from(figure.querySelectorAll("g.mark-area.role-mark > path"))
              .map((area) => area.getBoundingClientRect().height),
            legend: Array.from(figure.querySelectorAll("g.role-legend-label text"))
              .map((text) => text.textContent),
          })));
      assertEquals(shown.map((chart) => chart.title), [
        "final vs omega, mean ± std over seed",
        "energy, mean ± std over seed",
      ]);
      const [bars, bands] = shown;
      // std 1 (omega 1, seeds 1-3) against √½ (omega 2, seeds 1-2).
      assertEquals(bars.bars.length, 2);
      assertAlmostEquals(bars.bars[0] / bars.bars[1], Math.SQRT2, 0.05);
      assertEquals(bands.bands.length, 2);
      assert(bands.bands.every((height) => height > 5), JSON.stringify(bands.bands));
      assertEquals(bands.legend, ["omega=1", "omega=2"]);
    } finally {
      Deno.removeSync(dir, { recursive: true });
    }
  },
});
