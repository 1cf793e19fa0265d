// Copyright 2026 the notata authors. MIT license.
// What a report or a notebook shows of an experiment, read once: the runs
// as a table (ExperimentReader#toDataFrame, never a second index parser),
// which columns are params that vary, which are fixed, which are metrics,
// and the counts by status.

import { basename, resolve } from "@std/path";
import { IndexCsv } from "../_index/csv.ts";
import type { JsonValue } from "../types.ts";
import type { ExperimentSource } from "./_source.ts";

/** A cell of the runs table: what a DataFrame row holds. */
export type Cell = string | number | boolean | null;

/** One run, as a row of the runs table. */
export type RunRow = { [column: string]: Cell };

/** The states a person reads; `initialized` is shown as `running`. */
export const SHOWN_STATES = ["complete", "failed", "crashed", "running"] as const;

/** A state as a person reads it. */
export type ShownState = typeof SHOWN_STATES[number] | "unknown";

/** A param or metric column of the runs table. */
export interface Column {
  name: string;
  /** Whether every value is a number (or empty). */
  numeric: boolean;
}

/** The runs of one experiment, ready to show. */
export interface ExperimentModel {
  /** The experiment's name: its directory's name. */
  name: string;
  /** The experiment directory, absolute. */
  path: string;
  rows: RunRow[];
  /** Params with more than one distinct value, in index order. */
  varying: Column[];
  /** Params with one value across all runs, and that value. */
  fixed: { name: string; value: Cell }[];
  /** Metric columns, in index order. */
  metrics: Column[];
  /** Runs by shown state. */
  counts: Record<ShownState, number>;
}

const RESERVED = new Set(["run_id", "status", "runtime_sec", "failure_reason"]);

/** How a person reads a run state. */
export function shownState(status: Cell | JsonValue | undefined): ShownState {
  if (status === "initialized") return "running";
  return (SHOWN_STATES as readonly unknown[]).includes(status) ? status as ShownState : "unknown";
}

/**
 * The role of each column: the index's schema says it where it has the
 * column; otherwise the position does, since an index header (this
 * library's and the Python notata's alike) lists params before `status` and
 * metrics after it. Columns only unindexed runs have (crashed or running:
 * they have params but rarely metrics) come last and are taken as params.
 */
function columnRoles(dir: string, names: string[]): Map<string, "param" | "metric"> {
  const known = new Map((new IndexCsv(dir).columns() ?? []).map((c) => [c.name, c.role]));
  const roles = new Map<string, "param" | "metric">();
  let afterStatus = false;
  for (const name of names) {
    if (name === "status") afterStatus = true;
    if (name === "failure_reason") afterStatus = false;
    if (RESERVED.has(name)) continue;
    const role = known.get(name);
    if (role === "param" || role === "metric") roles.set(name, role);
    else roles.set(name, afterStatus ? "metric" : "param");
  }
  return roles;
}

function isNumeric(rows: RunRow[], name: string): boolean {
  let seen = false;
  for (const row of rows) {
    const value = row[name];
    if (value === null || value === undefined) continue;
    if (typeof value !== "number") return false;
    seen = true;
  }
  return seen;
}

/** Reads the runs of `experiment` (Polars: `--allow-env --allow-ffi --allow-sys`). */
export async function readExperiment(experiment: ExperimentSource): Promise<ExperimentModel> {
  const dir = experiment.path;
  const frame = await experiment.toDataFrame();
  const rows = frame.height === 0 ? [] : frame.toRecords() as RunRow[];
  const roles = columnRoles(dir, frame.columns);
  const varying: Column[] = [];
  const fixed: { name: string; value: Cell }[] = [];
  const metrics: Column[] = [];
  for (const [name, role] of roles) {
    const column = { name, numeric: isNumeric(rows, name) };
    if (role === "metric") {
      metrics.push(column);
      continue;
    }
    const distinct = new Set(rows.map((row) => row[name] ?? null));
    if (distinct.size > 1) varying.push(column);
    else fixed.push({ name, value: rows[0]?.[name] ?? null });
  }
  const counts = { complete: 0, failed: 0, crashed: 0, running: 0, unknown: 0 };
  for (const row of rows) counts[shownState(row.status)]++;
  const path = resolve(dir);
  return { name: basename(path), path, rows, varying, fixed, metrics, counts };
}
