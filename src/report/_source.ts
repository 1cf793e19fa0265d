// Copyright 2026 the notata authors. MIT license.
// What the report reads of an experiment and of its runs, as interfaces that
// ExperimentReader and LogReader satisfy. The readers hand themselves to the
// report; the report never imports them, so the modules import one way.

import type { DataFrame } from "nodejs-polars";
import type { AggregateOptions, AggregateScalarsOptions } from "../_analysis.ts";
import type { JsonValue, Params } from "../types.ts";

/** The members of a LogReader that the report reads. */
export interface RunSource {
  /** The run directory. */
  readonly path: string;
  /** The run id. */
  readonly runId: string;
  /** The run's params. */
  readonly params: Params;
  /** The run's metadata. */
  readonly meta: { [key: string]: JsonValue };
  /** The run's state, as readers report it. */
  readonly status: string;
  /** The files in `plots/`. */
  readonly plots: string[];
  /** The run's scalar series. */
  loadScalars(): Promise<DataFrame>;
  /** A readable summary. */
  toString(): string;
}

/** The members of an ExperimentReader that the report reads. */
export interface ExperimentSource {
  /** The experiment directory. */
  readonly path: string;
  /** The typed index with a row per run. */
  toDataFrame(): Promise<DataFrame>;
  /** The run whose id is `runId`; throws MissingEntryError when there is none. */
  get(runId: string): RunSource;
  /** The runs' metrics aggregated per configuration. */
  aggregate(options: AggregateOptions): Promise<DataFrame>;
  /** The runs' scalar series aggregated per configuration, series and step. */
  aggregateScalars(options: AggregateScalarsOptions): Promise<DataFrame>;
}
