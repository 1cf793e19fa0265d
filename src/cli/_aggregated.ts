// Copyright 2026 the notata authors. MIT license.
// `notata ls EXP --over KEY`: the runs grouped by the params not in KEY, one
// row per configuration, from `ExperimentReader#aggregate`.

import { InvalidValueError } from "../errors.ts";
import type { StatusFilter } from "../_analysis_runs.ts";
import type { ExperimentReader } from "../experiment_reader.ts";
import { type Output, UsageError } from "./_common.ts";
import { type Column, frameColumns, isConstant, type RunsTable } from "./_runs_table.ts";
import {
  faint,
  formatValue,
  hiddenColumnsNote,
  renderTable,
  type TableColumn,
  terminalWidth,
} from "./_table.ts";

/** The statistic columns aggregate() gives each metric, in order. */
const STATISTICS = ["mean", "std", "min", "max", "count"];

/** The configurations of `experiment` as a table, and the metrics aggregated. */
export interface AggregatedTable extends RunsTable {
  /** The metrics, each with the five columns of {@linkcode STATISTICS}. */
  metrics: string[];
}

/**
 * Aggregates the runs of `experiment` with `states` (complete when empty)
 * over the params `over`. `where` conditions may not name a param of
 * `over`: they filter configurations, after aggregating.
 */
export async function readAggregatedTable(
  action: string,
  experiment: ExperimentReader,
  over: string[],
  states: Set<string>,
  where: string[],
): Promise<AggregatedTable> {
  for (const condition of where) {
    const column = condition.split(/[=<>!]/)[0].trim();
    if (over.includes(column)) {
      throw new UsageError(
        `${action}: --where ${
          JSON.stringify(condition)
        } names ${column}, which --over aggregates over, expected a condition on another param, n or a statistic such as energy_mean`,
      );
    }
  }
  let frame;
  try {
    frame = await experiment.aggregate({
      over,
      status: states.size === 0 ? undefined : [...states] as StatusFilter[],
    });
  } catch (error) {
    if (error instanceof InvalidValueError) throw new UsageError(error.message);
    throw error;
  }
  const names = frame.columns;
  const countAt = names.indexOf("n");
  const metrics = names.slice(countAt + 1)
    .filter((_, i) => i % STATISTICS.length === 0)
    .map((name) => name.slice(0, -"_mean".length));
  return {
    names,
    columns: await frameColumns(frame),
    params: names.slice(0, countAt),
    rows: [...Array(frame.height).keys()],
    metrics,
  };
}

/** `mean ± std`, the mean alone when there is no std (one value), empty when no mean. */
function meanAndStd(mean: unknown, std: unknown): string {
  if (mean === null || mean === undefined) return "";
  const spread = typeof std === "number" && !Number.isNaN(std) ? ` ± ${formatValue(std)}` : "";
  return formatValue(mean) + spread;
}

/**
 * Prints the configurations: the params that vary, `n`, and `mean ± std`
 * per metric; with `picked`, those columns of aggregate() as they are.
 */
export function printAggregatedTable(
  out: Output,
  table: AggregatedTable,
  picked: string[] | undefined,
  total: number,
  states: Set<string>,
): void {
  const runs = states.size === 0 ? "complete runs" : `${[...states].join(" or ")} runs`;
  if (table.rows.length === 0) {
    out.line(total === 0 ? `no ${runs}` : `no configurations match (of ${total})`);
    return;
  }
  const column = (name: string): Column => table.columns.get(name)!;
  const raw = (name: string): TableColumn => ({
    title: name,
    cells: table.rows.map((row) => formatValue(column(name)[row])),
    right: table.rows.some((row) => typeof column(name)[row] === "number"),
  });
  let shown: TableColumn[];
  if (picked !== undefined) {
    shown = picked.map(raw);
  } else {
    const constant = table.params.filter((name) => isConstant(column(name), table.rows));
    if (constant.length > 0) {
      const first = table.rows[0];
      out.line(
        faint(`the same in all ${table.rows.length} configurations: `) +
          constant.map((name) => `${name}=${formatValue(column(name)[first])}`).join("  "),
      );
    }
    shown = [
      ...table.params.filter((name) => !constant.includes(name)).map(raw),
      raw("n"),
      ...table.metrics.map((metric) => ({
        title: metric,
        cells: table.rows.map((row) =>
          meanAndStd(column(`${metric}_mean`)[row], column(`${metric}_std`)[row])
        ),
        right: true,
      })),
    ];
  }
  const { lines, hidden } = renderTable(shown, terminalWidth());
  for (const line of lines) out.line(line);
  const counts = column("n");
  const runCount = table.rows.reduce((sum, row) => sum + Number(counts[row]), 0);
  const of = table.rows.length < total ? ` of ${total}` : "";
  out.line(
    faint(
      `${table.rows.length}${of} configurations of ${runCount} ${runs}` +
        (picked === undefined ? "; metrics as mean ± std (sample)" : ""),
    ),
  );
  if (hidden.length > 0) out.line(hiddenColumnsNote(hidden));
}
