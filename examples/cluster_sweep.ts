// Copyright 2026 the notata authors. MIT license.
// A sweep for a cluster: a damped harmonic oscillator integrated with classic
// Runge-Kutta over a grid of omega and gamma, each run compared with the exact
// solution. Run as one process it does the whole grid; as a Slurm job array
// (examples/slurm/sweep.sbatch) each array task does its own share, chosen
// from SLURM_ARRAY_TASK_ID. Run it again, or resubmit the array, and the
// complete runs are skipped while failed and crashed ones run again.
//
//   deno run --import-map=import_map.npm.json --allow-read --allow-write --allow-env \
//     --allow-sys=hostname examples/cluster_sweep.ts [BASE_DIR]
//   ... examples/cluster_sweep.ts --report [BASE_DIR]   # rebuild index.csv, count the runs
//
// BASE_DIR (or CLUSTER_SWEEP_BASE_DIR, default "outputs") holds the experiment
// directory; on a cluster it must be on a filesystem every node mounts.
// --allow-env lets the sweep read SLURM_ARRAY_TASK_*. --allow-sys=hostname
// lets notata record the host beside each run's pid: a later sweep on the
// same host then knows at once that a run whose pid is gone crashed (without
// the hostname it waits for the run's heartbeat to be 60 s old).
// CLUSTER_SWEEP_RUN_SECONDS=s makes every run block for s more seconds, as a
// long simulation loop does, to try cancelling a job while runs are open.

import {
  Experiment,
  ExperimentReader,
  grid,
  type Logbook,
  MissingEntryError,
  type Params,
} from "@notata/core";

interface DampedResult {
  final_x: number;
  exact_x: number;
  abs_error: number;
}

/** Integrates x'' = -2 gamma x' - omega^2 x from x = 1, v = 0 up to tEnd (gamma < omega). */
function simulate(omega: number, gamma: number, dt: number, tEnd: number): DampedResult {
  const acceleration = (x: number, v: number) => -2 * gamma * v - omega * omega * x;
  const steps = Math.round(tEnd / dt);
  let x = 1;
  let v = 0;
  for (let step = 0; step < steps; step++) {
    const k1x = v;
    const k1v = acceleration(x, v);
    const k2x = v + 0.5 * dt * k1v;
    const k2v = acceleration(x + 0.5 * dt * k1x, v + 0.5 * dt * k1v);
    const k3x = v + 0.5 * dt * k2v;
    const k3v = acceleration(x + 0.5 * dt * k2x, v + 0.5 * dt * k2v);
    const k4x = v + dt * k3v;
    const k4v = acceleration(x + dt * k3x, v + dt * k3v);
    x += (dt / 6) * (k1x + 2 * k2x + 2 * k3x + k4x);
    v += (dt / 6) * (k1v + 2 * k2v + 2 * k3v + k4v);
  }
  const t = steps * dt;
  const damped = Math.sqrt(omega * omega - gamma * gamma);
  const exact = Math.exp(-gamma * t) *
    (Math.cos(damped * t) + (gamma / damped) * Math.sin(damped * t));
  return { final_x: x, exact_x: exact, abs_error: Math.abs(x - exact) };
}

const extraSeconds = Number(Deno.env.get("CLUSTER_SWEEP_RUN_SECONDS") ?? 0);
if (!(extraSeconds >= 0)) {
  console.error(
    `CLUSTER_SWEEP_RUN_SECONDS is "${
      Deno.env.get("CLUSTER_SWEEP_RUN_SECONDS")
    }", expected a number of seconds`,
  );
  Deno.exit(2);
}

function run(log: Logbook, params: Params): void {
  const { omega, gamma, dt, t_end } = params as Record<string, number>;
  // The Slurm job and task that ran this run, in the %A_%a form of the output file's name.
  const arrayJob = Deno.env.get("SLURM_ARRAY_JOB_ID");
  const job = arrayJob === undefined
    ? Deno.env.get("SLURM_JOB_ID")
    : `${arrayJob}_${Deno.env.get("SLURM_ARRAY_TASK_ID")}`;
  if (job !== undefined) log.meta({ slurm_job: job });
  log.info(`integrating omega=${omega} gamma=${gamma}`);
  if (extraSeconds > 0) {
    // Blocks the thread, as a simulation loop that never awaits does: only
    // notata's watchdog thread can then react to SIGTERM.
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, extraSeconds * 1000);
  }
  log.json("metrics", simulate(omega, gamma, dt, t_end));
}

const args = Deno.args.filter((arg) => arg !== "--report");
const baseDir = args[0] ?? Deno.env.get("CLUSTER_SWEEP_BASE_DIR") ?? "outputs";
const exp = new Experiment("cluster_sweep", { baseDir });
// Every array task builds this same grid; each runs the points of its own share.
const points = grid({ omega: [1, 2, 4, 8], gamma: [0, 0.1, 0.5] }, {
  dt: 1e-3,
  t_end: 10,
});

function indexedRuns(): number {
  try {
    return new ExperimentReader(exp.dir).index().length;
  } catch (error) {
    if (error instanceof MissingEntryError) return 0; // no run has started yet
    throw error;
  }
}

if (Deno.args.includes("--report")) {
  // After the whole array: every grid point's state, and index.csv as the
  // tasks left it beside the index rebuilt from the run directories (fewer
  // rows as written means rows were lost: the filesystem's locks did not
  // hold across nodes). Exits 1 while any run is not complete.
  const written = indexedRuns();
  const rebuilt = exp.reindex();
  const counts: Record<string, number> = {};
  for (const params of points) {
    const state = exp.statusOf(params) ?? "not started";
    counts[state] = (counts[state] ?? 0) + 1;
  }
  const states = Object.entries(counts).map(([state, n]) => `${n} ${state}`).join(", ");
  console.log(
    `${exp.dir}: ${points.length} runs in the grid: ${states}; ` +
      `index.csv: ${written} rows as the tasks wrote it, ${rebuilt} rebuilt from the run directories`,
  );
  if (counts.complete !== points.length) Deno.exitCode = 1;
} else {
  const summary = await exp.sweep(points, run);
  const task = Deno.env.get("SLURM_ARRAY_TASK_ID");
  console.log(
    `${exp.dir}${task === undefined ? "" : `, array task ${task}`} (pid ${Deno.pid}): ` +
      `${summary.total} runs in this share: ${summary.done} done, ${summary.skipped} skipped, ` +
      `${summary.failed} failed, ${summary.crashedRerun} crashed before and run again, ` +
      `${summary.runningElsewhere} running elsewhere, ${summary.elapsedSec.toFixed(2)} s`,
  );
}
