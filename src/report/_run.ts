// Copyright 2026 the notata authors. MIT license.
// One run's details, as the report and a notebook show them: params,
// metadata, the last lines of its log, its plots and its scalar series.
//
// Plots are embedded as <img> data: URIs, SVG as well as PNG. An SVG a run
// saved may hold scripts, event handlers or links to other files: a browser
// runs none of them and loads nothing for an SVG shown as an image, so
// no sanitiser has to be trusted to have found them all.

import { join } from "@std/path";
import { MissingEntryError } from "../errors.ts";
import type { RunSource } from "./_source.ts";
import { scalarChart } from "./_charts.ts";
import { escapeHtml, formatValue, valueList } from "./_html.ts";
import { shownState } from "./_model.ts";

/** Lines of `log.txt` shown per run. */
const LOG_LINES = 20;
/** Bytes read from the end of `log.txt`: enough for the last lines. */
const LOG_TAIL_BYTES = 16 * 1024;
/** A plot larger than this is listed, not embedded. */
const PLOT_LIMIT = 2 * 1024 * 1024;

/** Bytes of plots a whole report embeds at most; later plots are listed by name. */
export class PlotBudget {
  #left: number;
  constructor(bytes: number) {
    this.#left = bytes;
  }
  /** Whether `bytes` more fit; takes them if so. */
  take(bytes: number): boolean {
    if (bytes > PLOT_LIMIT || bytes > this.#left) return false;
    this.#left -= bytes;
    return true;
  }
}

const MIME = { png: "image/png", svg: "image/svg+xml" } as const;

function base64(bytes: Uint8Array): string {
  const chunks: string[] = [];
  for (let i = 0; i < bytes.length; i += 0x8000) {
    chunks.push(String.fromCharCode(...bytes.subarray(i, i + 0x8000)));
  }
  return btoa(chunks.join(""));
}

/** The run's PNG and SVG plots as figures of <img> data: URIs. */
export function plotFigures(run: RunSource, budget: PlotBudget): string {
  const figures: string[] = [];
  for (const name of run.plots) {
    const extension = name.slice(name.lastIndexOf(".") + 1).toLowerCase();
    if (extension !== "png" && extension !== "svg") continue;
    const bytes = Deno.readFileSync(join(run.path, "plots", name));
    const caption = `<figcaption>${escapeHtml(name)}</figcaption>`;
    if (!budget.take(bytes.length)) {
      figures.push(
        `<figure class="plot skipped">${caption}<p>${
          Math.ceil(bytes.length / 1024)
        } KB, not embedded (size limit): see plots/ in the run directory</p></figure>`,
      );
      continue;
    }
    figures.push(
      `<figure class="plot"><img src="data:${MIME[extension]};base64,${base64(bytes)}" alt="plot ${
        escapeHtml(name)
      } of run ${escapeHtml(run.runId)}">${caption}</figure>`,
    );
  }
  return figures.join("");
}

/** The last lines of the run's `log.txt`, or `undefined` when it has none. */
function logTail(run: RunSource): string[] | undefined {
  let file: Deno.FsFile;
  try {
    file = Deno.openSync(join(run.path, "log.txt"));
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw error;
  }
  using _ = file;
  const size = file.statSync().size;
  const start = Math.max(0, size - LOG_TAIL_BYTES);
  file.seekSync(start, Deno.SeekMode.Start);
  const bytes = new Uint8Array(size - start);
  let read = 0;
  while (read < bytes.length) {
    const count = file.readSync(bytes.subarray(read));
    if (count === null) break;
    read += count;
  }
  const lines = new TextDecoder().decode(bytes.subarray(0, read)).split("\n");
  if (start > 0) lines.shift(); // the first line is cut
  while (lines.length > 0 && lines.at(-1) === "") lines.pop();
  return lines.slice(-LOG_LINES);
}

/** The run's scalar series by name, in step order, or none. */
async function scalarSeries(
  run: RunSource,
): Promise<Map<string, { step: number; value: number }[]>> {
  const series = new Map<string, { step: number; value: number }[]>();
  let frame;
  try {
    frame = await run.loadScalars();
  } catch (error) {
    if (error instanceof MissingEntryError) return series;
    throw error;
  }
  const steps = frame.getColumn("step").toArray() as number[];
  const names = frame.getColumn("name").toArray() as string[];
  const values = frame.getColumn("value").toArray() as number[];
  for (let i = 0; i < names.length; i++) {
    let points = series.get(names[i]);
    if (points === undefined) series.set(names[i], points = []);
    points.push({ step: Number(steps[i]), value: values[i] });
  }
  return series;
}

function section(title: string, body: string): string {
  return `<section><h4>${title}</h4>${body}</section>`;
}

/**
 * The run's details: params, metadata, last log lines, plots and scalar
 * series. A run whose files cannot be read says so instead.
 */
export async function runDetails(run: RunSource, budget: PlotBudget): Promise<string> {
  try {
    const meta = run.meta;
    const parts = [
      section("Params", valueList(run.params)),
      section(
        "Metadata",
        valueList({ ...meta, status: shownState(run.status) }),
      ),
    ];
    const log = logTail(run);
    if (log !== undefined) {
      parts.push(
        section(
          `Last ${log.length === 1 ? "line" : `${log.length} lines`} of log.txt`,
          `<pre class="log">${escapeHtml(log.join("\n"))}</pre>`,
        ),
      );
    }
    const plots = plotFigures(run, budget);
    if (plots !== "") parts.push(section("Plots", `<div class="plots">${plots}</div>`));
    const series = await scalarSeries(run);
    if (series.size > 0) {
      parts.push(
        section(
          "Scalars",
          `<figure class="chart scalars">${await scalarChart(series, run.runId)}</figure>`,
        ),
      );
    }
    return parts.join("");
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return `<p class="error">Cannot read run ${escapeHtml(run.runId)}: ${escapeHtml(message)}</p>`;
  }
}

/** A line such as "failed: diverged" for a run, from its metadata. */
export function statusLine(run: RunSource): string {
  const state = shownState(run.status);
  const reason = run.meta.failure_reason;
  return reason === undefined || reason === null ? state : `${state}: ${formatValue(reason)}`;
}
