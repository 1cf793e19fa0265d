// Copyright 2026 the notata authors. MIT license.
// Tests of analysis across runs: Experiment#scalars, #aggregate and
// #aggregateScalars (and the same on ExperimentReader), checked against
// pandas 1.5 reading the same files, on a sweep with seeds missing from some
// configurations, a failed, a crashed and a running run, runs without
// scalars, NaN and missing metrics, and corrupt scalars files; an index
// written the Python notata's way; and the errors of malformed options.

import { assert, assertEquals, assertRejects, assertStringIncludes } from "@std/assert";
import { join } from "@std/path";
import {
  type CorruptScalars,
  ExperimentReader,
  InvalidValueError,
  type Logbook,
  TemporaryExperiment,
} from "../mod.ts";
import { ignoredNote, python, pythonHas } from "./_python.ts";

const HAS_PANDAS = pythonHas("pandas");

// The first run a process opens starts the watchdog thread, whose module
// `deno test` type-checks then: on a loaded machine that can outlast the
// thread's start-up timeout, and the fallback's signal listeners would be
// charged to whichever test came first. Start it here, outside any test.
{
  using warmUp = new TemporaryExperiment("warm_up");
  warmUp.add({ seed: 0 })![Symbol.dispose]();
}

/**
 * The configuration params every run shares, in index order (sorted by name);
 * `seed` is what results are aggregated over.
 */
const KEYS = ["dt", "method", "omega"];

/** The runs of the sweep: a configuration, its seeds, and what becomes of each run. */
interface Plan {
  omega: number;
  dt: number;
  method: string;
  seed: number;
  fate: "complete" | "failed" | "crashed" | "running";
  /** Recorded series, or none. */
  scalars: boolean;
  /** What replaces `data/scalars.csv` afterwards. */
  corrupt?: string;
}

const PLANS: Plan[] = [
  // omega 1: three seeds, one with a corrupt file, one without the "steps" metric.
  ...[1, 2, 3].map((seed): Plan => ({
    omega: 1,
    dt: 0.01,
    method: "rk4",
    seed,
    fate: "complete",
    scalars: true,
    corrupt: seed === 3 ? "step,name,value,time\n0,energy,abc,0.1\n1,energy,2,0.2\n" : undefined,
  })),
  // omega 2: seed 3 failed, seed 2 recorded no series, seed 4 crashed.
  ...[1, 2, 3, 4].map((seed): Plan => ({
    omega: 2,
    dt: 0.01,
    method: "rk4",
    seed,
    fate: seed === 3 ? "failed" : seed === 4 ? "crashed" : "complete",
    scalars: seed !== 2,
  })),
  // omega 3 with another method: seeds 1 and 2 (seed 3 missing), and seed 5 whose energy is NaN.
  ...[1, 2, 5].map((seed): Plan => ({
    omega: 3,
    dt: 0.005,
    method: "euler",
    seed,
    fate: "complete",
    scalars: true,
    corrupt: seed === 2 ? "epoch,metric,value\n0,energy,1\n" : undefined,
  })),
  // omega 4: one seed (no spread) whose file has a short line, and a run still going.
  {
    omega: 4,
    dt: 0.01,
    method: "rk4",
    seed: 1,
    fate: "complete",
    scalars: true,
    corrupt: "step,name,value,time\n0,energy,1.5,0.1\n1,energy,2.5\n",
  },
  { omega: 4, dt: 0.01, method: "rk4", seed: 2, fate: "running", scalars: true },
];

function energy(plan: Plan): number {
  return plan.omega === 3 && plan.seed === 5 ? NaN : Math.sin(plan.omega * plan.seed) + 1 / 3;
}

function series(plan: Plan, step: number): number {
  return Math.cos(plan.omega + plan.seed * step) / 7;
}

/** Runs the sweep; returns the run still open, which the caller disposes. */
async function runSweep(exp: TemporaryExperiment): Promise<Logbook[]> {
  const open: Logbook[] = [];
  for (const plan of PLANS) {
    const { omega, dt, method, seed } = plan;
    const log = exp.add({ omega, dt, method, seed })!;
    if (plan.scalars) {
      for (let step = 0; step < 5; step++) {
        log.scalar("energy", series(plan, step));
        if (step % 2 === 0) log.scalar("loss", series(plan, step) ** 2);
      }
    }
    const metrics: { [key: string]: number | boolean | string } = {
      energy: energy(plan),
      converged: plan.seed % 2 === 1,
      note: `seed ${seed}`,
    };
    if (!(omega === 1 && seed === 2)) metrics.steps = omega * 100 + seed;
    log.json("metrics", metrics);
    if (plan.fate === "complete") log.markComplete();
    else if (plan.fate === "failed") log.markFailed("diverged");
    else if (plan.fate === "running") {
      log.flush();
      // A line still being written when the frame is read.
      Deno.writeTextFileSync(join(log.path, "data", "scalars.csv"), "9,energy,0.12", {
        append: true,
      });
      open.push(log);
      continue;
    } else {
      open.push(log);
      await markCrashed(log);
      continue;
    }
    log[Symbol.dispose]();
    if (plan.corrupt !== undefined) {
      Deno.writeTextFileSync(join(log.path, "data", "scalars.csv"), plan.corrupt);
    }
  }
  return open;
}

/** Gives an open run the pid of a process that has exited: it reads as crashed. */
async function markCrashed(log: Logbook): Promise<void> {
  log.flush();
  const child = new Deno.Command("true").spawn();
  await child.status;
  const path = join(log.path, "metadata.json");
  Deno.writeTextFileSync(
    path,
    JSON.stringify({ ...JSON.parse(Deno.readTextFileSync(path)), pid: child.pid }),
  );
}

/** A sweep and its readers for one test; the open runs are closed at the end. */
async function withSweep(
  fn: (exp: TemporaryExperiment, corrupt: CorruptScalars[]) => Promise<void>,
): Promise<void> {
  using exp = new TemporaryExperiment("seeds");
  const open = await runSweep(exp);
  try {
    await fn(exp, []);
  } finally {
    for (const log of open) log[Symbol.dispose]();
  }
}

function runId(plan: Pick<Plan, "omega" | "dt" | "method" | "seed">): string {
  return new TemporaryExperiment("seeds").runId({
    omega: plan.omega,
    dt: plan.dt,
    method: plan.method,
    seed: plan.seed,
  });
}

/** Two numbers (or nulls) equal to 1e-12, relative to their size. */
function close(actual: unknown, expected: unknown): boolean {
  if (expected === null || actual === null) return actual === expected;
  if (typeof expected === "number" && typeof actual === "number") {
    return Math.abs(actual - expected) <= 1e-12 * Math.max(1, Math.abs(expected));
  }
  return actual === expected;
}

function assertRowsClose(
  actual: Record<string, unknown>[],
  expected: Record<string, unknown>[],
): void {
  assertEquals(actual.length, expected.length, "row count");
  expected.forEach((row, i) => {
    for (const [column, value] of Object.entries(row)) {
      assert(
        close(actual[i][column], value),
        `row ${i} column ${column}: ${actual[i][column]}, pandas ${value}\n${
          JSON.stringify(actual[i])
        }\n${JSON.stringify(row)}`,
      );
    }
  });
}

/** NaN as null, as JSON carries it from Python, and numbers from BigInt. */
function records(frame: { toRecords(): Record<string, unknown>[] }): Record<string, unknown>[] {
  return frame.toRecords().map((row) =>
    Object.fromEntries(
      Object.entries(row).map(([key, value]) => [
        key,
        typeof value === "number" && Number.isNaN(value)
          ? null
          : typeof value === "bigint"
          ? Number(value)
          : value,
      ]),
    )
  );
}

// The same numbers from pandas: the index and the scalars files read with
// read_csv, complete runs only, corrupt files and runs without one left out.
const PANDAS = `
import json, math, os, sys
import pandas as pd

exp_dir, keys, skip = sys.argv[1], json.loads(sys.argv[2]), set(json.loads(sys.argv[3]))
index = pd.read_csv(os.path.join(exp_dir, "index.csv"))
done = index[index.status == "complete"].copy()
done["converged"] = done["converged"].astype(float)
metrics = ["energy", "converged", "steps"]
stats = ["mean", "std", "min", "max", "count"]

def clean(value):
    if isinstance(value, float) and math.isnan(value):
        return None
    return value.item() if hasattr(value, "item") else value

def rows(grouped, columns, names):
    table = grouped[columns].agg(stats)
    sizes = grouped.size()
    out = []
    for key, row in table.iterrows():
        record = dict(zip(names, key if isinstance(key, tuple) else (key,)))
        record["n"] = int(sizes[key])
        for column in columns:
            for stat in stats:
                record[f"{column}_{stat}"] = row[(column, stat)]
        out.append({k: clean(v) for k, v in record.items()})
    return out

frames = []
for run_id in done.run_id:
    path = os.path.join(exp_dir, "runs", f"log_{run_id}", "data", "scalars.csv")
    if run_id in skip or not os.path.exists(path):
        continue
    frame = pd.read_csv(path)
    frame.insert(0, "run_id", run_id)
    frames.append(frame)
scalars = pd.concat(frames).merge(done[["run_id"] + keys], on="run_id")
series = scalars.rename(columns={"value": "v"})
print(json.dumps({
    "aggregate": rows(done.groupby(keys, dropna=False), metrics, keys),
    "series": [
        {("value" + k[1:] if k.startswith("v_") else k): v for k, v in row.items()}
        for row in rows(series.groupby(keys + ["name", "step"]), ["v"], keys + ["name", "step"])
    ],
    "scalars": [{k: clean(v) for k, v in row.items()} for row in
                scalars[["run_id", "step", "name", "value"]].to_dict("records")],
}))
`;

const CORRUPT = PLANS.filter((plan) => plan.corrupt !== undefined).map(runId);

Deno.test(
  `scalars, aggregate and aggregateScalars equal pandas on the same files${
    ignoredNote(HAS_PANDAS, "pandas")
  }`,
  { ignore: !HAS_PANDAS },
  () =>
    withSweep(async (exp) => {
      const corrupt: CorruptScalars[] = [];
      const onCorrupt = (file: CorruptScalars) => corrupt.push(file);
      const expected = await python(
        PANDAS,
        exp.dir,
        JSON.stringify(KEYS),
        JSON.stringify(CORRUPT),
      ) as { [part: string]: Record<string, unknown>[] };

      const scalars = await exp.scalars({ onCorrupt });
      const sortBy = (rows: Record<string, unknown>[], keys: string[]) =>
        rows.sort((a, b) => {
          for (const key of keys) {
            const [x, y] = [a[key], b[key]] as [string | number, string | number];
            if (x !== y) return x < y ? -1 : 1;
          }
          return 0;
        });
      const order = ["run_id", "name", "step"];
      assertRowsClose(sortBy(records(scalars), order), sortBy(expected.scalars, order));
      assertEquals(corrupt.map((file) => file.runId).sort(), [...CORRUPT].sort());

      const aggregate = await exp.aggregate({
        over: ["seed"],
        metrics: ["energy", "converged", "steps"],
      });
      assertRowsClose(records(aggregate), sortBy(expected.aggregate, KEYS));

      const bands = await exp.aggregateScalars({ over: ["seed"], onCorrupt });
      assertRowsClose(records(bands), sortBy(expected.series, [...KEYS, "name", "step"]));
    }),
);

Deno.test("scalars: columns typed as in the index, complete runs in index order", () =>
  withSweep(async (exp) => {
    const df = await exp.scalars({ onCorrupt: () => {} });
    assertEquals(df.columns, [
      "run_id",
      "dt",
      "method",
      "omega",
      "seed",
      "status",
      "step",
      "name",
      "value",
      "time",
    ]);
    // The run's columns typed as the index frame types them; the series' own.
    const index = await new ExperimentReader(exp.dir).toDataFrame();
    assertEquals(
      df.dtypes.map(String),
      [
        ...["run_id", ...KEYS, "seed", "status"].map((name) => String(index.getColumn(name).dtype)),
        "DataType(Int64)",
        "DataType(String)",
        "DataType(Float64)",
        "DataType(Float64)",
      ],
    );
    assertEquals(String(index.getColumn("method").dtype), "DataType(String)");
    const ids = df.getColumn("run_id").unique({ maintainOrder: true }).toArray();
    const readable = PLANS.filter((plan) =>
      plan.fate === "complete" && plan.scalars && plan.corrupt === undefined
    ).map(runId);
    assertEquals(ids, readable); // in the order of the index: here, the order they finished
    assertEquals(new Set(df.getColumn("status").toArray()), new Set(["complete"]));
    // Each run's rows in file order: energy 0, loss 0, energy 1, energy 2, loss 1, ...
    const first = records(df).filter((row) => row.run_id === ids[0]);
    assertEquals(first.slice(0, 5).map((row) => row.step), [0, 0, 1, 2, 1]);
    assertEquals(first.slice(0, 3).map((row) => row.name), ["energy", "loss", "energy"]);
  }));

Deno.test("scalars: names, where and status choose the series and runs", () =>
  withSweep(async (exp) => {
    const quiet = { onCorrupt: () => {} };
    const loss = await exp.scalars({ ...quiet, names: ["loss"], where: { omega: 2 } });
    assertEquals(new Set(loss.getColumn("name").toArray()), new Set(["loss"]));
    assertEquals(new Set(loss.getColumn("omega").toArray()), new Set([2]));
    // omega 2: seed 1 complete with series, seed 2 without any.
    assertEquals(loss.height, 3);

    const reader = new ExperimentReader(exp.dir);
    const others = await reader.scalars({ ...quiet, status: ["failed", "crashed"] });
    assertEquals(
      [...new Set(others.getColumn("status").toArray())].sort(),
      ["crashed", "failed"],
    );
    assertEquals(others.height, 2 * 8);

    // The running run's last line is still being written: left out.
    const running = await reader.scalars({ status: "running", names: ["energy"] });
    assertEquals(running.getColumn("status").toArray(), Array(5).fill("initialized"));
    assertEquals(running.getColumn("step").toArray(), [0, 1, 2, 3, 4]);
    assertEquals(
      running.getColumn("value").toArray(),
      [0, 1, 2, 3, 4].map((step) => series(PLANS.at(-1)!, step)),
    );
  }));

Deno.test("scalars: a corrupt file is reported once, with its run and why, and left out", () =>
  withSweep(async (exp) => {
    const warnings: string[] = [];
    const warn = console.warn;
    console.warn = (message: string) => warnings.push(message);
    let df;
    try {
      df = await exp.scalars();
    } finally {
      console.warn = warn;
    }
    const why = new Map([
      [1, "is not a CSV table of step, name, value, time (could not parse `abc` as dtype `f64`"],
      [3, 'its header is "epoch,metric,value", expected "step,name,value,time"'],
      [4, "is not a CSV table of step, name, value, time (a line has an empty or missing field)"],
    ]);
    assertEquals(warnings.length, CORRUPT.length);
    for (const plan of PLANS.filter((plan) => plan.corrupt !== undefined)) {
      const line = warnings.find((line) => line.includes(`run "${runId(plan)}"`));
      assertStringIncludes(line ?? "(no warning)", `skipped the scalars of run "${runId(plan)}"`);
      assertStringIncludes(line!, why.get(plan.omega)!);
    }
    const ids = new Set(df.getColumn("run_id").toArray());
    for (const id of CORRUPT) assert(!ids.has(id), `${id} is in the frame`);

    const strict = (file: CorruptScalars) => {
      throw new Error(`corrupt: ${file.path}`);
    };
    const error = await assertRejects(() => exp.scalars({ onCorrupt: strict }), Error);
    assertStringIncludes(error.message, "data/scalars.csv");
  }));

Deno.test("aggregate: n shows a missing seed; failed runs enter only when asked", () =>
  withSweep(async (exp) => {
    const df = await exp.aggregate({ over: ["seed"], metrics: ["energy"] });
    assertEquals(df.columns, [
      ...KEYS,
      "n",
      "energy_mean",
      "energy_std",
      "energy_min",
      "energy_max",
      "energy_count",
    ]);
    // Groups come in index column order (dt first): compare them by omega.
    const byOmega = (frame: typeof df) =>
      records(frame).sort((a, b) => Number(a.omega) - Number(b.omega));
    const rows = byOmega(df);
    assertEquals(rows.map((row) => [row.omega, row.n, row.energy_count]), [
      [1, 3, 3],
      [2, 2, 2],
      [3, 3, 2], // seed 3 missing; seed 5's energy is NaN, skipped
      [4, 1, 1],
    ]);
    assertEquals(rows[3].energy_std, null); // one value: no spread
    const withFailed = await exp.aggregate({
      over: ["seed"],
      metrics: ["energy"],
      status: ["complete", "failed", "crashed"],
    });
    assertEquals(byOmega(withFailed).map((row) => row.n), [3, 4, 3, 1]);
    // Every numeric or boolean metric by default, never text.
    const all = await exp.aggregate({ over: ["seed", "method", "dt"] });
    assertEquals(all.columns.filter((name) => name.endsWith("_mean")), [
      "converged_mean",
      "energy_mean",
      "steps_mean",
    ]);
    assertEquals(byOmega(all).map((row) => row.omega), [1, 2, 3, 4]);
    // Over every param: one row.
    const one = await exp.aggregate({ over: [...KEYS, "seed"], where: { method: "rk4" } });
    assertEquals(one.getColumn("n").toArray(), [6]);
  }));

Deno.test("an index written the Python notata's way: params before status, metrics after", async () => {
  const dir = Deno.makeTempDirSync({ prefix: "notata-analysis-" });
  try {
    const rows = [];
    for (const omega of [1, 2]) {
      for (const seed of [1, 2]) {
        const id = `py_omega_${omega}_seed_${seed}`;
        const runDir = join(dir, "runs", `log_${id}`);
        Deno.mkdirSync(join(runDir, "data"), { recursive: true });
        Deno.writeTextFileSync(
          join(runDir, "metadata.json"),
          JSON.stringify({ run_id: id, status: "complete" }),
        );
        Deno.writeTextFileSync(join(runDir, "params.json"), JSON.stringify({ omega, seed }));
        Deno.writeTextFileSync(
          join(runDir, "data", "scalars.csv"),
          `step,name,value,time\n0,x,${omega * seed},0.5\n`,
        );
        rows.push(`${id},${omega},${seed},complete,${omega + seed / 10}\n`);
      }
    }
    Deno.writeTextFileSync(
      join(dir, "index.csv"),
      "run_id,omega,seed,status,energy\n" + rows.join(""),
    );
    const reader = new ExperimentReader(dir);
    const df = await reader.aggregate({ over: ["seed"] });
    assertEquals(df.columns.slice(0, 3), ["omega", "n", "energy_mean"]);
    assertRowsClose(records(df), [
      { omega: 1, n: 2, energy_mean: 1.15, energy_min: 1.1, energy_max: 1.2, energy_count: 2 },
      { omega: 2, n: 2, energy_mean: 2.15, energy_min: 2.1, energy_max: 2.2, energy_count: 2 },
    ]);
    const bands = await reader.aggregateScalars({ over: ["seed"] });
    assertEquals(bands.getColumn("value_mean").toArray(), [1.5, 3]);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("an experiment without runs gives empty frames", async () => {
  using exp = new TemporaryExperiment("empty");
  const df = await exp.scalars();
  assertEquals(df.height, 0);
  assertEquals(df.columns, ["run_id", "status", "step", "name", "value", "time"]);
  assertEquals((await exp.aggregate({ over: ["seed"] })).height, 0);
  assertEquals((await exp.aggregateScalars({ over: ["seed"] })).height, 0);
});

Deno.test("malformed options: an InvalidValueError naming the value and what is accepted", () =>
  withSweep(async (exp) => {
    const cases: [() => Promise<unknown>, string][] = [
      [
        () => exp.aggregate({ over: ["sed"] }),
        'Cannot aggregate runs: over names "sed", which is not a param, expected one of the params: "dt", "method", "omega", "seed"',
      ],
      [
        () => exp.aggregate({ over: ["seed"], metrics: ["energie"] }),
        'Cannot aggregate runs: metric "energie" is not a metric, expected one of the numeric metrics: "converged", "energy", "steps"',
      ],
      [
        () => exp.aggregate({ over: ["seed"], metrics: ["note"] }),
        'metric "note" is not numeric',
      ],
      [
        () => exp.aggregate({ over: "seed" as unknown as string[] }),
        'Cannot aggregate runs: over "seed" is not a list of params, expected an array of param names',
      ],
      [
        () => exp.scalars({ status: "done" as "complete" }),
        'Cannot read scalars: status "done" is not a run status, expected one of "complete", "failed", "crashed", "running", "initialized"',
      ],
      [
        () => exp.scalars({ where: { energy: 1 } }),
        'Cannot read scalars: where names "energy", which is not a param, expected one of the params',
      ],
      [
        () => exp.scalars({ where: { omega: [1] as unknown as number } }),
        "Cannot read scalars: where.omega is [1], expected a string, number, boolean or null",
      ],
      [
        () => exp.scalars({ names: "energy" as unknown as string[] }),
        'Cannot read scalars: names "energy" is not a list of names, expected an array of strings',
      ],
      [
        () => exp.aggregateScalars({ over: ["sed"] }),
        'Cannot aggregate scalars: over names "sed", which is not a param',
      ],
    ];
    for (const [call, message] of cases) {
      const error = await assertRejects(call, InvalidValueError);
      assertStringIncludes(error.message, message);
    }
  }));

Deno.test("a param named like a column of the result is an error, not a clash", async () => {
  using exp = new TemporaryExperiment("clash");
  for (const seed of [1, 2]) {
    using log = exp.add({ n: 10, time: 5, seed })!;
    log.json("metrics", { energy: seed });
    log.scalar("energy", seed);
  }
  const scalars = await assertRejects(() => exp.scalars(), InvalidValueError);
  assertStringIncludes(
    scalars.message,
    'Cannot read scalars: param "time" has the name of a column of the result, expected params named other than "step", "name", "value", "time"',
  );
  const aggregate = await assertRejects(
    () => exp.aggregate({ over: ["seed", "time"] }),
    InvalidValueError,
  );
  assertStringIncludes(aggregate.message, 'Cannot aggregate runs: param "n" has the name');
  // Aggregated over, it is no column of the result.
  const df = await exp.aggregate({ over: ["seed", "n"] });
  assertEquals(df.getColumn("n").toArray(), [2]);
});

Deno.test("param and metric names that Polars would read as patterns are taken as names", async () => {
  using exp = new TemporaryExperiment("patterns");
  for (const seed of [1, 2]) {
    using log = exp.add({ "^w.*$": 3, seed })!;
    log.json("metrics", { "^e$": seed });
    log.scalar("energy", seed);
  }
  const df = await exp.aggregate({ over: ["seed"] });
  assertEquals(records(df), [{
    "^w.*$": 3,
    n: 2,
    "^e$_mean": 1.5,
    "^e$_std": Math.SQRT1_2,
    "^e$_min": 1,
    "^e$_max": 2,
    "^e$_count": 2,
  }]);
  const scalars = await exp.scalars();
  assertEquals(scalars.columns.slice(0, 3), ["run_id", "^w.*$", "seed"]);
  assertEquals(scalars.getColumn("^w.*$").toArray(), [3, 3]);
  const bands = await exp.aggregateScalars({ over: ["seed"] });
  assertEquals(bands.getColumn("value_mean").toArray(), [1.5]);
});
