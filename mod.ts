// Copyright 2026 the notata authors. MIT license.
/**
 * notata: structured, file-based records of simulation runs and parameter
 * sweeps, on disk in the layout of the Python notata.
 *
 * - {@linkcode Logbook}: one run, one directory: `params.json`,
 *   `metadata.json`, a timestamped `log.txt`, `data/`, `plots/`, `artifacts/`.
 * - {@linkcode Experiment}: the runs of a sweep under `runs/`, skip-if-done
 *   for resumable sweeps, and an `index.csv` that updates itself and loads
 *   into a Polars DataFrame.
 * - {@linkcode ExperimentReader}, {@linkcode LogReader}: read them back.
 *
 * The NumPy `.npy` codec is on its own entry point, `@notata/core/npy`.
 *
 * @example A sweep
 * ```ts
 * import { TemporaryExperiment } from "@notata/core";
 * import { assertEquals } from "@std/assert";
 *
 * using exp = new TemporaryExperiment("oscillator_sweep");
 * for (const omega of [1, 2]) {
 *   for (const dt of [1e-3, 2e-3]) {
 *     using log = exp.add({ omega, dt, steps: 10_000 }, { skipExisting: true });
 *     if (!log) continue;
 *     log.info(`omega=${omega}`);
 *     log.json("metrics", { final_energy: 0.993 });
 *   }
 * }
 * assertEquals(exp.reindex(), 4);
 * ```
 *
 * @module
 */

export {
  FileFormatError,
  InvalidNameError,
  InvalidValueError,
  MissingEntryError,
  NotataError,
  RunExistsError,
} from "./src/errors.ts";
export { type AddOptions, Experiment, type ExperimentOptions } from "./src/experiment.ts";
export { ExperimentReader } from "./src/experiment_reader.ts";
export type {
  AggregateOptions,
  AggregateScalarsOptions,
  CorruptScalars,
  ParamFilter,
  ScalarsOptions,
  StatusFilter,
} from "./src/_analysis.ts";
export { grid } from "./src/grid.ts";
export { LogReader } from "./src/log_reader.ts";
export {
  Logbook,
  type LogbookOptions,
  type PlotOptions,
  type VegaLiteSpec,
} from "./src/logbook.ts";
export type { ArrayData, NamedArrays, NdArray, NumericArray, TypedArray } from "./src/npy.ts";
export type { SweepOptions, SweepSummary } from "./src/sweep.ts";
export { TemporaryExperiment } from "./src/temporary_experiment.ts";
export type {
  FrameColumn,
  FrameColumns,
  JsonValue,
  Params,
  RunState,
  RunStatus,
} from "./src/types.ts";
export type { ReportOptions } from "./src/report/options.ts";
