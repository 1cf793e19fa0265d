// Copyright 2026 the notata authors. MIT license.
// What Deno's Jupyter kernel shows for an experiment or a run: a MIME bundle
// with `text/html` (the runs table; a run's summary with its plots inline)
// and `text/plain`. No script and no style sheet: a notebook shows output
// HTML without running scripts, in its own styles.

import type { ExperimentSource, RunSource } from "./_source.ts";
import { countsText, escapeHtml, formatValue, runsTable } from "./_html.ts";
import { readExperiment } from "./_model.ts";
import { PlotBudget, runDetails, statusLine } from "./_run.ts";

/** A MIME bundle, as `[Symbol.for("Jupyter.display")]()` returns it. */
export interface MimeBundle {
  "text/html": string;
  "text/plain": string;
}

/** Rows a notebook shows of the runs table; `report()` writes them all. */
const NOTEBOOK_ROWS = 100;
/** Bytes of plot images one run's summary embeds at most. */
const NOTEBOOK_PLOT_BUDGET = 4 * 1024 * 1024;

/** The runs table of `experiment`, its counts, and what is fixed. */
export async function experimentBundle(experiment: ExperimentSource): Promise<MimeBundle> {
  const model = await readExperiment(experiment);
  const rows = model.rows.slice(0, NOTEBOOK_ROWS);
  const fixed = model.fixed.map(({ name, value }) => `${name} = ${formatValue(value)}`);
  const summary = `${model.name}: ${countsText(model)}`;
  const more = model.rows.length - rows.length;
  const html = [
    `<div class="notata-experiment"><p><strong>${escapeHtml(model.name)}</strong> <code>${
      escapeHtml(model.path)
    }</code>: ${escapeHtml(countsText(model))}</p>`,
    fixed.length === 0 ? "" : `<p>Same in every run: ${escapeHtml(fixed.join(", "))}</p>`,
    runsTable(model, { rows }),
    more === 0 ? "" : `<p>… and ${more} more runs; <code>await exp.report()</code> shows all.</p>`,
    "</div>",
  ].join("");
  const plain = [
    summary,
    `params that vary: ${model.varying.map((column) => column.name).join(", ") || "(none)"}`,
    `metrics: ${model.metrics.map((column) => column.name).join(", ") || "(none)"}`,
    ...(fixed.length === 0 ? [] : [`same in every run: ${fixed.join(", ")}`]),
  ].join("\n");
  return { "text/html": html, "text/plain": plain };
}

/** One run's summary: status, params, metadata, last log lines, plots and scalar series. */
export async function runBundle(run: RunSource): Promise<MimeBundle> {
  const html = `<div class="notata-run"><p><strong>${escapeHtml(run.runId)}</strong>: ${
    escapeHtml(statusLine(run))
  }</p>${await runDetails(run, new PlotBudget(NOTEBOOK_PLOT_BUDGET))}</div>`;
  return { "text/html": html, "text/plain": run.toString() };
}
