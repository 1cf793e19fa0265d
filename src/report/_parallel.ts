// Copyright 2026 the notata authors. MIT license.
// Parallel coordinates, drawn directly as SVG. Vega-Lite draws a line per
// run as a faceted group of its own: for 10,000 runs that took over 10 s
// and 5 MB. Here a run is one <path> (beyond 2,000 runs, one path per
// colour band holds them all): 10,000 runs take tens of milliseconds and
// about half a megabyte. The look follows the Vega charts beside it.

import { escapeHtml, formatNumber } from "./_html.ts";

/** One axis: a column and its range over the runs drawn. */
export interface Axis {
  name: string;
  min: number;
  max: number;
}

// Viridis, sampled at six stops.
const VIRIDIS = ["#440154", "#414487", "#2a788e", "#22a884", "#7ad151", "#fde725"];

function hex(value: number): string {
  return Math.round(value).toString(16).padStart(2, "0");
}

/** The colour of `t` in [0, 1] on the viridis scale. */
function viridis(t: number): string {
  const position = Math.min(1, Math.max(0, t)) * (VIRIDIS.length - 1);
  const i = Math.min(VIRIDIS.length - 2, Math.floor(position));
  const f = position - i;
  const [a, b] = [VIRIDIS[i], VIRIDIS[i + 1]].map((colour) =>
    [1, 3, 5].map((start) => parseInt(colour.slice(start, start + 2), 16))
  );
  return `#${a.map((channel, k) => hex(channel + (b[k] - channel) * f)).join("")}`;
}

function round(value: number): string {
  return String(Math.round(value * 10) / 10);
}

function scale(value: number, axis: Axis): number {
  return axis.max === axis.min ? 0.5 : (value - axis.min) / (axis.max - axis.min);
}

const TOP = 24;
const HEIGHT = 280;
const LEFT = 40;
const SPACING = 110;
const LEGEND = 130;
/** Up to this many runs, each run's line is a <path> of its own. */
const PATH_PER_RUN = 2_000;
/** Beyond that, runs are drawn as one path per colour band. */
const BANDS = 16;

/**
 * The chart: `rows[i][k]` is run i's value on axis k, every value finite;
 * `colour` is the index of the axis whose value colours a run's line.
 */
export function parallelCoordinatesSvg(
  axes: Axis[],
  rows: number[][],
  colour: number | undefined,
  description: string,
): string {
  const xs = axes.map((_, k) => LEFT + k * SPACING);
  const width = xs.at(-1)! + LEFT + (colour === undefined ? 0 : LEGEND);
  const height = TOP + HEIGHT + 44;
  const y = (value: number, axis: Axis) => TOP + (1 - scale(value, axis)) * HEIGHT;
  const opacity = Math.min(0.8, Math.max(0.06, 40 / rows.length));
  const path = (values: number[]) =>
    values.map((value, k) => `${k === 0 ? "M" : "L"}${xs[k]},${round(y(value, axes[k]))}`).join("");
  const shade = (values: number[]) =>
    colour === undefined ? 0 : scale(values[colour], axes[colour]);
  let lines: string[];
  if (rows.length <= PATH_PER_RUN) {
    lines = rows.map((values) =>
      `<path d="${path(values)}" stroke="${
        colour === undefined ? "#4c78a8" : viridis(shade(values))
      }"/>`
    );
  } else {
    // One path per colour band: a browser parses and draws 16 elements
    // much faster than 10,000, and the picture is the same.
    const bands: string[][] = Array.from({ length: BANDS }, () => []);
    for (const values of rows) {
      bands[Math.min(BANDS - 1, Math.floor(shade(values) * BANDS))].push(path(values));
    }
    lines = bands.flatMap((paths, band) =>
      paths.length === 0 ? [] : [
        `<path d="${paths.join("")}" stroke="${
          colour === undefined ? "#4c78a8" : viridis((band + 0.5) / BANDS)
        }"/>`,
      ]
    );
  }
  const axisMarks = axes.map((axis, k) =>
    `<line x1="${xs[k]}" y1="${TOP}" x2="${xs[k]}" y2="${TOP + HEIGHT}" stroke="#888"/>` +
    `<text x="${xs[k]}" y="${TOP - 5}" text-anchor="middle">${formatNumber(axis.max)}</text>` +
    `<text x="${xs[k]}" y="${TOP + HEIGHT + 14}" text-anchor="middle">${
      formatNumber(axis.min)
    }</text>` +
    `<text x="${xs[k]}" y="${TOP + HEIGHT + 34}" text-anchor="middle" font-weight="bold">${
      escapeHtml(axis.name)
    }</text>`
  );
  let legend = "";
  if (colour !== undefined) {
    const axis = axes[colour];
    const x = xs.at(-1)! + LEFT;
    legend =
      `<g class="legend"><defs><linearGradient id="notata-pc-viridis" x1="0" y1="0" x2="0" y2="1">${
        VIRIDIS.map((_, i) =>
          `<stop offset="${i / (VIRIDIS.length - 1)}" stop-color="${
            VIRIDIS[VIRIDIS.length - 1 - i]
          }"/>`
        ).join("")
      }</linearGradient></defs>` +
      `<text x="${x}" y="${TOP - 5}" font-weight="bold">${escapeHtml(axis.name)}</text>` +
      `<rect x="${x}" y="${TOP}" width="14" height="150" fill="url(#notata-pc-viridis)"/>` +
      `<text x="${x + 20}" y="${TOP + 10}">${formatNumber(axis.max)}</text>` +
      `<text x="${x + 20}" y="${TOP + 150}">${formatNumber(axis.min)}</text></g>`;
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${
    escapeHtml(description)
  }" font-family="sans-serif" font-size="10">` +
    `<g class="mark-line" fill="none" stroke-width="1" stroke-opacity="${opacity}">\n${
      lines.join("\n")
    }\n</g><g class="axes">${axisMarks.join("")}</g>${legend}</svg>`;
}
