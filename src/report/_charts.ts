// Copyright 2026 the notata authors. MIT license.
// The report's charts, as SVG made when the report is written, so the page
// needs no runtime and shows them without JavaScript: Vega-Lite specs
// rendered by src/_vega.ts, and parallel coordinates drawn directly. Specs use their own short
// field names: a column such as "loss.train" would be a nested field to
// Vega-Lite.

import { renderVegaLiteSvg } from "../_vega.ts";
import { formatValue } from "./_html.ts";
import { parallelCoordinatesSvg } from "./_parallel.ts";
import type { Cell, Column, ExperimentModel, RunRow } from "./_model.ts";

/** A rendered chart. */
export interface Chart {
  title: string;
  /** What it shows, for the caption and screen readers. */
  description: string;
  svg: string;
}

/** Above this many runs, charts draw means instead of one mark per run. */
const POINT_LIMIT = 2_000;
/** A param with at most this many values is drawn as a line through the mean per value. */
const LINE_VALUES = 30;
/** Bins of a continuous param whose means are drawn, beyond 2,000 runs. */
const BINS = 40;
/** A colour param has at most this many values. */
export const COLOUR_VALUES = 10;
/** At most this many metric-against-param charts. */
export const CHART_LIMIT = 24;
/** Points per scalar series drawn; longer series are thinned evenly. */
export const SERIES_POINTS = 400;

const BASE = {
  $schema: "https://vega.github.io/schema/vega-lite/v6.json",
  background: "transparent",
  // No ARIA label per mark: the figure's caption says what a chart shows, and 10,000 labels
  // would double its size.
  config: { aria: false, view: { stroke: null }, axis: { labelColor: "#777", titleColor: "#777" } },
};

/**
 * Vega writes coordinates with up to 15 digits; a tenth of a pixel is
 * plenty, and a 10,000-run chart shrinks by more than half.
 */
function compact(svg: string): string {
  return svg.replace(
    / (d|transform)="([^"]*)"/g,
    (_match, name: string, value: string) =>
      ` ${name}="${value.replace(/(\d\.\d)\d+/g, "$1").replace(/\.0(?=\D|$)/g, "")}"`,
  );
}

/** `spec` (with the report's defaults) as compact SVG; `source` names it in errors. */
export async function render(spec: Record<string, unknown>, source: string): Promise<string> {
  return compact(await renderVegaLiteSvg({ ...BASE, ...spec }, source));
}

/** Whether `value` is a finite number. */
export function finite(value: unknown): value is number {
  return typeof value === "number" && Number.isFinite(value);
}

function distinctCount(rows: RunRow[], name: string): number {
  return new Set(rows.map((row) => row[name] ?? null)).size;
}

/**
 * Parallel coordinates (drawn by _parallel.ts, not Vega): one line per run
 * across the numeric params that vary and the numeric metrics, each axis
 * scaled from its minimum (bottom) to its maximum (top), coloured by the
 * first metric.
 */
function parallelCoordinates(model: ExperimentModel): Chart | undefined {
  const axes = [...model.varying, ...model.metrics].filter((column) => column.numeric)
    .map((column) => column.name);
  if (axes.length < 2) return undefined;
  const rows = model.rows.filter((row) => axes.every((name) => finite(row[name])));
  if (rows.length === 0) return undefined;
  const ranges = axes.map((name) => {
    let min = Infinity;
    let max = -Infinity;
    for (const row of rows) {
      const value = row[name] as number;
      if (value < min) min = value;
      if (value > max) max = value;
    }
    return { name, min, max };
  });
  const colourName = model.metrics.find((column) => column.numeric)?.name;
  const colour = colourName === undefined ? undefined : axes.indexOf(colourName);
  const description = `Parallel coordinates of ${rows.length} runs over ${
    axes.join(", ")
  }; each axis runs from its minimum (bottom) to its maximum (top)${
    colourName === undefined ? "" : `; colour: ${colourName}`
  }`;
  const svg = parallelCoordinatesSvg(
    ranges,
    rows.map((row) => axes.map((name) => row[name] as number)),
    colour,
    description,
  );
  return { title: "Parallel coordinates", description, svg };
}

/** The varying param (other than `x`) with the fewest values, 2 to 10 of them. */
function colourParam(model: ExperimentModel, x: string): Column | undefined {
  let best: { column: Column; count: number } | undefined;
  for (const column of model.varying) {
    if (column.name === x) continue;
    const count = distinctCount(model.rows, column.name);
    if (count <= COLOUR_VALUES && (best === undefined || count < best.count)) {
      best = { column, count };
    }
  }
  return best?.column;
}

/** One run in a metric-against-param chart: param, metric, colour param. */
interface Point {
  x: Cell;
  y: number;
  c?: string;
}

/** The values of column `name` among `rows`, sorted (numbers by value), as table text. */
export function colourDomain(rows: RunRow[], name: string): string[] {
  const values = [...new Set(rows.map((row) => row[name] ?? null))];
  values.sort((a, b) =>
    typeof a === "number" && typeof b === "number" ? a - b : String(a).localeCompare(String(b))
  );
  return values.map(formatValue);
}

/**
 * The mean metric per param value (or per one of 40 equal bins of a
 * continuous param) and colour: what the line is drawn through. Computed
 * here, so Vega renders a few dozen points however many runs there are.
 */
function meanPoints(points: Point[], binned: boolean): Point[] {
  let place = (x: Cell): Cell => x;
  if (binned) {
    const xs = points.map((point) => point.x as number);
    const min = Math.min(...xs);
    const width = (Math.max(...xs) - min) / BINS || 1;
    place = (x) =>
      min + (Math.min(BINS - 1, Math.floor(((x as number) - min) / width)) + 0.5) * width;
  }
  const groups = new Map<string, { x: Cell; c?: string; sum: number; count: number }>();
  for (const point of points) {
    const x = place(point.x);
    const key = JSON.stringify([x, point.c ?? null]);
    const group = groups.get(key) ?? { x, c: point.c, sum: 0, count: 0 };
    group.sum += point.y;
    group.count++;
    groups.set(key, group);
  }
  return [...groups.values()].map(({ x, c, sum, count }) =>
    c === undefined ? { x, y: sum / count } : { x, y: sum / count, c }
  );
}

/**
 * One metric against one param that varies: a point per run (up to 2,000
 * runs) and, where the param takes few values, a line through the mean at
 * each value; beyond 2,000 runs only the means (over bins of a continuous
 * param). Coloured by another varying param where there is one.
 */
async function metricAgainstParam(
  model: ExperimentModel,
  metric: Column,
  param: Column,
): Promise<Chart | undefined> {
  const colour = colourParam(model, param.name);
  const points: Point[] = model.rows
    .filter((row) => finite(row[metric.name]) && row[param.name] !== null)
    .map((row) => ({
      x: row[param.name],
      y: row[metric.name] as number,
      ...(colour === undefined ? {} : { c: formatValue(row[colour.name]) }),
    }));
  if (points.length === 0) return undefined;
  const few = new Set(points.map((point) => point.x)).size <= LINE_VALUES;
  if (!param.numeric && !few) return undefined; // a category axis with that many values says nothing
  const many = points.length > POINT_LIMIT;
  const x = param.numeric
    ? { field: "x", type: "quantitative", title: param.name, scale: { zero: false } }
    : { field: "x", type: "ordinal", title: param.name };
  const encoding = {
    x,
    y: { field: "y", type: "quantitative", title: metric.name },
    ...(colour === undefined ? {} : {
      color: {
        field: "c",
        type: "nominal",
        title: colour.name,
        // The legend in the param's order (1, 2, 10), shown as the table shows it.
        scale: { domain: colourDomain(model.rows, colour.name) },
      },
    }),
  };
  const layer: Record<string, unknown>[] = [];
  if (!many) {
    layer.push({
      data: { values: points },
      mark: { type: "point", filled: true, size: 24, opacity: few ? 0.35 : 0.7 },
      encoding,
    });
  }
  if (few || many) {
    layer.push({
      data: { values: meanPoints(points, !few) },
      mark: { type: "line", point: true },
      encoding,
    });
  }
  const line = !few
    ? `, mean per bin of ${param.name}`
    : many
    ? ", mean per value"
    : ", with the mean per value";
  const description = `${metric.name} against ${param.name} over ${points.length} runs${
    few || many ? line : ""
  }${colour === undefined ? "" : `; colour: ${colour.name}`}`;
  const svg = await render(
    { description, width: 300, height: 200, layer },
    `${metric.name} vs ${param.name}`,
  );
  return { title: `${metric.name} vs ${param.name}`, description, svg };
}

/** The experiment's charts: parallel coordinates, then each metric against each varying param. */
export async function experimentCharts(model: ExperimentModel): Promise<Chart[]> {
  const charts: (Chart | undefined)[] = [parallelCoordinates(model)];
  const pairs = model.metrics.filter((metric) => metric.numeric)
    .flatMap((metric) => model.varying.map((param) => [metric, param] as const))
    .slice(0, CHART_LIMIT);
  for (const [metric, param] of pairs) charts.push(await metricAgainstParam(model, metric, param));
  return charts.filter((chart) => chart !== undefined);
}

/** One run's scalar series as line charts, one row per series, each on its own scale. */
export async function scalarChart(
  series: Map<string, { step: number; value: number }[]>,
  runId: string,
): Promise<string> {
  const values: { name: string; step: number; value: number }[] = [];
  for (const [name, points] of series) {
    const every = Math.ceil(points.length / SERIES_POINTS);
    points.forEach((point, i) => {
      if (i % every === 0 || i === points.length - 1) values.push({ name, ...point });
    });
  }
  const unit = {
    mark: { type: "line", point: values.length <= 60 },
    encoding: {
      x: { field: "step", type: "quantitative" },
      y: { field: "value", type: "quantitative", title: null, scale: { zero: false } },
    },
  };
  return await render(
    {
      description: `Scalar series of run ${runId}: ${[...series.keys()].join(", ")}`,
      data: { values },
      facet: {
        row: {
          field: "name",
          type: "nominal",
          title: null,
          header: { labelAngle: 0, labelAlign: "left" },
        },
      },
      spec: { width: 420, height: 90, ...unit },
      resolve: { scale: { y: "independent" } },
    },
    `scalars of ${runId}`,
  );
}
