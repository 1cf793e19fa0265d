// Copyright 2026 the notata authors. MIT license.
// The report's charts over seeds (ReportOptions.over): each metric against
// each other param that varies, as mean ± std error bars per configuration
// (ExperimentReader#aggregate), and each scalar series as a mean ± std band
// per configuration (ExperimentReader#aggregateScalars). Rendered to SVG
// when the report is written, like the other charts.

import type { DataFrame } from "nodejs-polars";
import {
  type Chart,
  COLOUR_VALUES,
  colourDomain,
  finite,
  render,
  SERIES_POINTS,
} from "./_charts.ts";
import { formatValue } from "./_html.ts";
import type { Cell, RunRow } from "./_model.ts";
import type { ExperimentSource } from "./_source.ts";

/** A row of an aggregate, as `toRecords()` gives it. */
type Row = RunRow;

/** A mean with its spread: the ends of an error bar or band (no spread: both the mean). */
function spread(mean: number, std: Cell): { mean: number; low: number; high: number } {
  const width = typeof std === "number" && Number.isFinite(std) ? std : 0;
  return { mean, low: mean - width, high: mean + width };
}

/** The columns of an aggregate before `n`: the params that name a configuration. */
function keysOf(frame: DataFrame): string[] {
  return frame.columns.slice(0, frame.columns.indexOf("n"));
}

/** The key params with more than one value among `rows`. */
function varyingKeys(rows: Row[], keys: string[]): string[] {
  return keys.filter((name) => new Set(rows.map((row) => row[name] ?? null)).size > 1);
}

/** A configuration as text: `omega=1, dt=0.1` (its varying params). */
function configuration(row: Row, keys: string[]): string {
  return keys.map((name) => `${name}=${formatValue(row[name])}`).join(", ");
}

/**
 * One metric's mean against one param, an error bar of ± std per
 * configuration, coloured by another varying param with at most 10 values.
 */
async function metricErrorBars(
  rows: Row[],
  metric: string,
  param: string,
  keys: string[],
  over: string,
): Promise<Chart | undefined> {
  const colour = keys.find((name) =>
    name !== param && new Set(rows.map((row) => row[name] ?? null)).size <= COLOUR_VALUES
  );
  const values = rows
    .filter((row) => finite(row[`${metric}_mean`]) && row[param] !== null)
    .map((row) => ({
      x: row[param],
      ...spread(row[`${metric}_mean`] as number, row[`${metric}_std`]),
      n: row[`${metric}_count`],
      ...(colour === undefined ? {} : { c: formatValue(row[colour]) }),
    }));
  if (values.length === 0) return undefined;
  const numeric = values.every((value) => typeof value.x === "number");
  const x = numeric
    ? { field: "x", type: "quantitative", title: param, scale: { zero: false, padding: 12 } }
    : { field: "x", type: "ordinal", title: param };
  const color = colour === undefined ? {} : {
    color: {
      field: "c",
      type: "nominal",
      title: colour,
      scale: { domain: colourDomain(rows, colour) },
    },
  };
  const title = `${metric} vs ${param}, mean ± std over ${over}`;
  const description =
    `${metric} against ${param}: the mean over ${over} of each of ${values.length} configurations, with an error bar of ± one standard deviation${
      colour === undefined ? "" : `; colour: ${colour}`
    }`;
  const svg = await render({
    description,
    width: 300,
    height: 200,
    data: { values },
    layer: [
      {
        mark: { type: "errorbar", ticks: true },
        encoding: {
          x,
          y: { field: "low", type: "quantitative", title: metric, scale: { zero: false } },
          y2: { field: "high" },
          ...color,
        },
      },
      {
        mark: { type: "line", point: true },
        encoding: { x, y: { field: "mean", type: "quantitative" }, ...color },
      },
    ],
  }, title);
  return { title, description, svg };
}

/**
 * One scalar series: the mean per step of each configuration as a line in
 * a ± std band, for the first 10 configurations.
 */
async function seriesBands(
  rows: Row[],
  name: string,
  keys: string[],
  over: string,
): Promise<Chart> {
  const byConfiguration = new Map<string, Row[]>();
  for (const row of rows) {
    const label = configuration(row, keys) || "all runs";
    const group = byConfiguration.get(label);
    if (group === undefined) byConfiguration.set(label, [row]);
    else group.push(row);
  }
  const labels = [...byConfiguration.keys()].slice(0, COLOUR_VALUES);
  const values = labels.flatMap((label) => {
    const points = byConfiguration.get(label)!.filter((row) => finite(row.value_mean));
    const every = Math.ceil(points.length / SERIES_POINTS);
    return points
      .filter((_, i) => i % every === 0 || i === points.length - 1)
      .map((row) => ({
        c: label,
        step: row.step,
        ...spread(row.value_mean as number, row.value_std),
      }));
  });
  const color = { field: "c", type: "nominal", title: null, scale: { domain: labels } };
  const x = { field: "step", type: "quantitative" };
  const shown = byConfiguration.size > labels.length
    ? ` (the first ${labels.length} of ${byConfiguration.size})`
    : "";
  const title = `${name}, mean ± std over ${over}`;
  const description =
    `Scalar series ${name}: the mean per step over ${over} of ${labels.length} configurations${shown}, in a band of ± one standard deviation`;
  const svg = await render({
    description,
    width: 420,
    height: 200,
    data: { values },
    layer: [
      {
        mark: { type: "errorband", opacity: 0.25 },
        encoding: {
          x,
          y: { field: "low", type: "quantitative", title: name, scale: { zero: false } },
          y2: { field: "high" },
          color,
        },
      },
      {
        mark: { type: "line" },
        encoding: { x, y: { field: "mean", type: "quantitative" }, color },
      },
    ],
  }, title);
  return { title, description, svg };
}

/**
 * The charts over the params `over`: a metric-against-param chart with
 * error bars for each numeric metric and each other param that varies, then
 * a band chart for each scalar series. Complete runs only, as the
 * aggregates take them.
 */
export async function aggregatedCharts(
  experiment: ExperimentSource,
  over: readonly string[],
  limit: number,
): Promise<Chart[]> {
  if (over.length === 0) return [];
  const overText = over.join(", ");
  const metrics = await experiment.aggregate({ over });
  const rows = metrics.toRecords() as Row[];
  const keys = keysOf(metrics);
  const varying = varyingKeys(rows, keys);
  const metricNames = metrics.columns.slice(keys.length + 1)
    .filter((name) => name.endsWith("_mean"))
    .map((name) => name.slice(0, -"_mean".length));
  const charts: Chart[] = [];
  const pairs = metricNames.flatMap((metric) => varying.map((param) => [metric, param] as const))
    .slice(0, limit);
  for (const [metric, param] of pairs) {
    const chart = await metricErrorBars(rows, metric, param, varying, overText);
    if (chart !== undefined) charts.push(chart);
  }
  const scalars = await experiment.aggregateScalars({ over });
  const scalarRows = scalars.toRecords() as Row[];
  const series = new Map<string, Row[]>();
  for (const row of scalarRows) {
    const name = String(row.name);
    const points = series.get(name);
    if (points === undefined) series.set(name, [row]);
    else points.push(row);
  }
  const scalarKeys = varyingKeys(
    scalarRows,
    keysOf(scalars).filter((key) => key !== "name" && key !== "step"),
  );
  for (const [name, points] of series) {
    charts.push(await seriesBands(points, name, scalarKeys, overText));
  }
  return charts;
}
