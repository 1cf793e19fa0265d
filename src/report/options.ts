// Copyright 2026 the notata authors. MIT license.
/**
 * The options of the HTML report, in a module of their own: the reader
 * classes name them without importing the report (which they load only when
 * a report is written).
 *
 * @module
 */

/**
 * Options of {@linkcode Experiment.prototype.report} and
 * {@linkcode ExperimentReader.prototype.report}.
 *
 * @example Usage
 * ```ts
 * import type { ReportOptions } from "@notata/core";
 *
 * const options: ReportOptions = { path: "sweep.html", title: "Oscillator sweep", over: ["seed"] };
 * ```
 */
export interface ReportOptions {
  /**
   * Where to write the report; its directory must exist.
   *
   * @default {"<experiment>/report.html"}
   */
  path?: string;
  /**
   * The page's title and heading.
   *
   * @default {"the experiment's name"}
   */
  title?: string;
  /**
   * How many runs get a details section (params, metadata, last log lines,
   * plots, scalar series): every failed, crashed and running run first,
   * newest first, then the newest complete ones. Every run has its row in
   * the table either way.
   *
   * @default {50}
   */
  details?: number;
  /**
   * Params to aggregate over, such as `["seed"]`: the report then adds
   * charts of each metric against each other param as mean ± std error
   * bars over them (`aggregate({ over })`), and each scalar series as a
   * mean ± std band per configuration (`aggregateScalars({ over })`), over
   * the complete runs. Empty or not given: no such charts.
   *
   * @default {[]}
   */
  over?: readonly string[];
}
