// Copyright 2026 the notata authors. MIT license.
/**
 * The HTML report of an experiment: one self-contained file (styles, script,
 * charts and plots inline; no network request when opened) with the runs
 * table, charts rendered to SVG when it is written, and the details of the
 * runs that most need a look. See docs/report.md.
 *
 * @module
 */

import { dirname, join, resolve } from "@std/path";
import { exists, writeFileAtomic } from "../_files.ts";
import { InvalidValueError, MissingEntryError } from "../errors.ts";
import { aggregatedCharts } from "./_aggregated.ts";
import { type Chart, CHART_LIMIT, experimentCharts } from "./_charts.ts";
import {
  escapeHtml,
  failureReason,
  formatValue,
  numberColumnsStyle,
  runAnchor,
  runsTable,
} from "./_html.ts";
import {
  type ExperimentModel,
  readExperiment,
  type RunRow,
  SHOWN_STATES,
  shownState,
} from "./_model.ts";
import { CONTENT_SECURITY_POLICY, HEAD_SCRIPT, SCRIPT, STYLE } from "./_page.ts";
import { PlotBudget, runDetails } from "./_run.ts";
import type { ReportOptions } from "./options.ts";
import type { ExperimentSource } from "./_source.ts";

export type { ReportOptions } from "./options.ts";

/** Runs with a details section, by default (documented in ReportOptions). */
const DEFAULT_DETAILS = 50;
/** Bytes of plot images one report embeds at most. */
const PLOT_BUDGET = 8 * 1024 * 1024;

function checkOptions(experimentDir: string, options: ReportOptions): Required<ReportOptions> {
  const action = `Cannot write report of "${experimentDir}"`;
  const path = options.path ?? join(experimentDir, "report.html");
  if (typeof path !== "string" || path === "") {
    throw new InvalidValueError(`${action}: path is ${JSON.stringify(path)}, expected a file path`);
  }
  const details = options.details ?? DEFAULT_DETAILS;
  if (!Number.isSafeInteger(details) || details < 0) {
    throw new InvalidValueError(
      `${action}: details is ${details}, expected a whole number of runs, 0 or more`,
    );
  }
  const title = options.title;
  if (title !== undefined && typeof title !== "string") {
    throw new InvalidValueError(`${action}: title is ${typeof title}, expected a string`);
  }
  const over = options.over ?? [];
  if (!Array.isArray(over) || over.some((name) => typeof name !== "string")) {
    throw new InvalidValueError(
      `${action}: over is ${
        JSON.stringify(over)
      }, expected an array of param names such as ["seed"]`,
    );
  }
  if (!exists(dirname(resolve(path)))) {
    throw new MissingEntryError(
      `${action}: the directory of "${path}" does not exist, expected an existing directory`,
    );
  }
  return { path, details, title: title ?? "", over };
}

/**
 * The runs that get details: failed, crashed and running runs (newest
 * first), then the newest complete ones. The table lists runs as they
 * finished, so the newest are last.
 */
function detailedRuns(model: ExperimentModel, limit: number): RunRow[] {
  const newest = [...model.rows].reverse();
  const needsLook = newest.filter((row) => shownState(row.status) !== "complete");
  const complete = newest.filter((row) => shownState(row.status) === "complete");
  return [...needsLook, ...complete].slice(0, limit);
}

function header(model: ExperimentModel, title: string, written: Date): string {
  const counts = SHOWN_STATES.map((state) =>
    `<li class="${state}">${model.counts[state]} ${state}</li>`
  ).join("");
  const fixed = model.fixed.length === 0
    ? ""
    : `<p class="meta">Same in every run: ${
      model.fixed.map(({ name, value }) =>
        `${escapeHtml(name)} = ${escapeHtml(formatValue(value))}`
      )
        .join(", ")
    }</p>`;
  return `<header>
<h1>${escapeHtml(title)}</h1>
<p class="meta">Experiment <strong>${escapeHtml(model.name)}</strong> in <code>${
    escapeHtml(model.path)
  }</code>; report written <time datetime="${written.toISOString()}">${written.toISOString()}</time></p>
<ul class="counts" aria-label="runs by status"><li>${model.rows.length} runs</li>${counts}</ul>
${fixed}
<nav><a href="#runs">Runs</a><a href="#charts">Charts</a><a href="#details">Run details</a></nav>
</header>`;
}

function controls(model: ExperimentModel): string {
  const states = [...SHOWN_STATES, "unknown" as const].filter((state) =>
    SHOWN_STATES.includes(state as typeof SHOWN_STATES[number]) || model.counts[state] > 0
  );
  const boxes = states.map((state) =>
    `<label><input type="checkbox" value="${state}" checked> ${state} (${
      model.counts[state]
    })</label>`
  ).join("");
  return `<div id="controls" hidden><label>Filter <input id="filter" type="search" placeholder="text in any column" aria-controls="runs-table"></label>
<fieldset style="border:0;padding:0;margin:0"><legend class="meta" style="float:left;margin-right:0.5rem">Status</legend>${boxes}</fieldset>
<span id="shown" role="status">${model.rows.length} of ${model.rows.length} runs shown</span>
<button id="more" type="button" hidden></button></div>`;
}

function chartsSection(model: ExperimentModel, charts: Chart[]): string {
  const figures = charts.map((chart) =>
    `<figure class="chart"><h3>${escapeHtml(chart.title)}</h3>${chart.svg}<figcaption>${
      escapeHtml(chart.description)
    }</figcaption></figure>`
  );
  const pairs = model.metrics.filter((metric) => metric.numeric).length * model.varying.length;
  const more = pairs > CHART_LIMIT
    ? `<p class="meta">The first ${CHART_LIMIT} of ${pairs} metric-against-param charts are shown.</p>`
    : "";
  return `<section id="charts"><h2>Charts</h2>${
    figures.length === 0
      ? "<p>No charts: they need numeric metrics, or params that vary.</p>"
      : `${more}<div class="charts">${figures.join("\n")}</div>`
  }</section>`;
}

/** A run's details, or why there are none: an index may list a run whose directory is gone. */
async function runBody(
  experiment: ExperimentSource,
  runId: string,
  budget: PlotBudget,
): Promise<string> {
  let run;
  try {
    run = experiment.get(runId);
  } catch (error) {
    if (!(error instanceof MissingEntryError)) throw error;
    return `<p class="error">${escapeHtml(error.message)}</p>`;
  }
  return await runDetails(run, budget);
}

async function detailsSection(
  experiment: ExperimentSource,
  model: ExperimentModel,
  rows: RunRow[],
): Promise<string> {
  const budget = new PlotBudget(PLOT_BUDGET);
  const items: string[] = [];
  for (const row of rows) {
    const runId = String(row.run_id);
    const state = shownState(row.status);
    const reason = failureReason(row);
    const path = join(model.path, "runs", `log_${runId}`);
    items.push(
      `<details class="run ${state}" id="${escapeHtml(runAnchor(runId))}"><summary><strong>${
        escapeHtml(runId)
      }</strong>: ${state}${reason === "" ? "" : ` (${escapeHtml(reason)})`}</summary>
<p class="meta"><code>${escapeHtml(path)}</code></p><div class="run-body">${await runBody(
        experiment,
        runId,
        budget,
      )}</div></details>`,
    );
  }
  const total = model.rows.length;
  const note = rows.length === total
    ? `Every run, with its params, metadata, last log lines, plots and scalar series.`
    : `${rows.length} of ${total} runs: failed, crashed and running runs first, then the newest complete ones. Every run has its row in the table above; the others' files are in their run directories.`;
  return `<section id="details"><h2>Run details</h2><p class="meta">${note}</p>\n${
    items.join("\n")
  }</section>`;
}

/**
 * Writes the HTML report of `experiment` (an ExperimentReader) and returns
 * its path. Reading the runs loads nodejs-polars (`--allow-env --allow-ffi
 * --allow-sys`); the charts load vega and vega-lite.
 *
 * @param experiment The experiment, as its reader.
 * @param options Where to write, the title, how many runs get details.
 * @returns The path written: `options.path`, or `<experiment>/report.html`.
 * @throws {MissingEntryError} The report's directory does not exist.
 * @throws {InvalidValueError} An option has the wrong type or range.
 *
 * @example Usage
 * ```ts
 * import { ExperimentReader, TemporaryExperiment } from "@notata/core";
 * import { writeReport } from "./report.ts";
 * import { assertStringIncludes } from "@std/assert";
 *
 * using exp = new TemporaryExperiment("sweep");
 * exp.add({ omega: 1 })!.markComplete();
 * const path = await writeReport(new ExperimentReader(exp.dir), { title: "A sweep" });
 * assertStringIncludes(Deno.readTextFileSync(path), "<h1>A sweep</h1>");
 * ```
 */
export async function writeReport(
  experiment: ExperimentSource,
  options: ReportOptions = {},
): Promise<string> {
  const checked = checkOptions(experiment.path, options);
  const model = await readExperiment(experiment);
  const title = checked.title || model.name;
  const detailed = detailedRuns(model, checked.details);
  const charts = [
    ...await experimentCharts(model),
    ...await aggregatedCharts(experiment, checked.over, CHART_LIMIT),
  ];
  const written = new Date();
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${CONTENT_SECURITY_POLICY}">
<meta name="color-scheme" content="light dark">
<meta name="generator" content="notata">
<title>${escapeHtml(title)}</title>
<style>${STYLE}${numberColumnsStyle(model)}</style>
<script>${HEAD_SCRIPT}</script>
</head>
<body>
${header(model, title, written)}
<main>
<section id="runs"><h2>Runs</h2>
${controls(model)}
<div class="table-wrap" id="runs-table">${
    runsTable(model, {
      sortable: true,
      linked: new Set(detailed.map((row) => String(row.run_id))),
    })
  }</div>
</section>
${chartsSection(model, charts)}
${await detailsSection(experiment, model, detailed)}
</main>
<script>${SCRIPT}</script>
</body>
</html>
`;
  writeFileAtomic(checked.path, html);
  return checked.path;
}
