// Copyright 2026 the notata authors. MIT license.
// The sweep from notata's "Experiment Management" page: a harmonic oscillator
// integrated with velocity Verlet over a grid of omega and dt. The metric is
// how well the integrator conserves energy. Run it again and the finished
// runs are skipped.
//
//   deno task demo                 # writes outputs/oscillator_sweep/
//   deno task demo -- /tmp/my-out  # or under another directory

import { Experiment } from "@notata/core";

interface OscillatorResult {
  final_energy: number;
  energy_drift: number;
}

/** Integrates x'' = -omega^2 x from x = 1, v = 0; returns energy figures. */
function simulate(omega: number, dt: number, steps: number): OscillatorResult {
  const energy = (x: number, v: number) => 0.5 * v * v + 0.5 * omega * omega * x * x;
  let x = 1;
  let v = 0;
  let acceleration = -omega * omega * x;
  const initialEnergy = energy(x, v);
  for (let step = 0; step < steps; step++) {
    x += v * dt + 0.5 * acceleration * dt * dt;
    const next = -omega * omega * x;
    v += 0.5 * (acceleration + next) * dt;
    acceleration = next;
  }
  const finalEnergy = energy(x, v);
  return {
    final_energy: finalEnergy,
    energy_drift: Math.abs(finalEnergy - initialEnergy) / initialEnergy,
  };
}

const exp = new Experiment("oscillator_sweep", { baseDir: Deno.args[0] ?? "outputs" });

for (const omega of [1.0, 2.0]) {
  for (const dt of [1e-3, 2e-3]) {
    using log = exp.add({ omega, dt, steps: 10_000 }, { skipExisting: true });
    if (!log) continue; // this run is already complete
    log.info(`integrating omega=${omega} dt=${dt}`);
    log.json("metrics", simulate(omega, dt, 10_000));
  } // leaving the block marks the run complete and updates index.csv
}

const complete = await exp.select({ status: "complete" });
console.log(`Complete runs of ${exp.dir}:`);
console.log(complete.select("omega", "dt", "final_energy", "energy_drift").toString());
