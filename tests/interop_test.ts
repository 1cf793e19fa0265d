// Copyright 2026 the notata authors. MIT license.
// The other side of the files notata writes: Python's pandas and json, the
// shell's grep, and Polars read them as the Python notata's files are read.
import { assertAlmostEquals, assertEquals } from "@std/assert";
import { parse } from "@std/csv";
import { join } from "@std/path";
import pl from "nodejs-polars";
import { type Experiment, TemporaryExperiment } from "../mod.ts";
import { python, pythonHas } from "./_python.ts";

/** Whether /usr/bin/python3 runs and imports pandas; decided once. */
const HAS_PANDAS = pythonHas("pandas");

function headerNames(exp: Experiment): string[] {
  const text = Deno.readTextFileSync(exp.indexPath);
  return (parse(text) as string[][])[0];
}

const LABEL = 'a,b "quoted"\nsecond line';

interface SweepRun {
  omega: number;
  dt: number;
  label: string;
  flag: boolean;
  energy: number;
  count: number;
}

const SWEEP: SweepRun[] = [
  { omega: 1, dt: 0.001, label: LABEL, flag: true, energy: NaN, count: 7 },
  { omega: 2, dt: 0.002, label: "plain", flag: false, energy: 0.1 + 0.2, count: -3 },
  { omega: 3, dt: 1e-7, label: "third", flag: true, energy: 1 / 3, count: 0 },
];

function runSweep(exp: Experiment): Map<string, SweepRun> {
  const byRunId = new Map<string, SweepRun>();
  for (const run of SWEEP) {
    using log = exp.add({ omega: run.omega, dt: run.dt, label: run.label, flag: run.flag })!;
    log.json("metrics", { energy: run.energy, peak: Infinity, low: -Infinity, count: run.count });
    byRunId.set(log.runId, run);
  }
  return byRunId;
}

const PANDAS_SCRIPT = `
import json, math, sys
import pandas as pd

df = pd.read_csv(sys.argv[1])

def cell(value):
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value

print(json.dumps({
    "columns": [str(c) for c in df.columns],
    "dtypes": {str(c): str(t) for c, t in df.dtypes.items()},
    "rows": [{str(c): cell(v) for c, v in zip(df.columns, row)}
             for row in df.itertuples(index=False, name=None)],
    "energy_isnan": [bool(math.isnan(v)) for v in df["energy"]],
    "peak_is_pos_inf": [bool(math.isinf(v) and v > 0) for v in df["peak"]],
    "low_is_neg_inf": [bool(math.isinf(v) and v < 0) for v in df["low"]],
    "flag_python_types": [type(cell(v)).__name__ for v in df["flag"]],
}))
`;

Deno.test({
  name: "pandas.read_csv reads index.csv with the same columns, values and types",
  ignore: !HAS_PANDAS,
  async fn() {
    using exp = new TemporaryExperiment("sweep");
    const byRunId = runSweep(exp);
    const result = await python(PANDAS_SCRIPT, exp.indexPath);
    assertEquals(result.columns, headerNames(exp));
    assertEquals(result.columns, [
      "run_id",
      "dt",
      "flag",
      "label",
      "omega",
      "status",
      "count",
      "energy",
      "low",
      "peak",
      "runtime_sec",
      "failure_reason",
    ]);
    const dtypes = result.dtypes as Record<string, string>;
    assertEquals(dtypes.omega, "int64");
    assertEquals(dtypes.count, "int64");
    assertEquals(dtypes.dt, "float64");
    assertEquals(dtypes.energy, "float64");
    assertEquals(dtypes.peak, "float64");
    assertEquals(dtypes.low, "float64");
    assertEquals(dtypes.flag, "bool");
    const rows = result.rows as Record<string, unknown>[];
    assertEquals(rows.length, SWEEP.length);
    for (const row of rows) {
      const run = byRunId.get(row.run_id as string);
      if (run === undefined) throw new Error(`unknown run_id ${row.run_id}`);
      assertEquals(row.omega, run.omega);
      assertAlmostEquals(row.dt as number, run.dt, 1e-12);
      assertEquals(row.label, run.label);
      assertEquals(row.flag, run.flag);
      assertEquals(row.status, "complete");
      assertEquals(row.count, run.count);
      if (Number.isNaN(run.energy)) assertEquals(row.energy, null);
      else assertAlmostEquals(row.energy as number, run.energy, 1e-12);
    }
    const order = rows.map((row) => byRunId.get(row.run_id as string)!);
    assertEquals(result.energy_isnan, order.map((run) => Number.isNaN(run.energy)));
    assertEquals(result.peak_is_pos_inf, [true, true, true]);
    assertEquals(result.low_is_neg_inf, [true, true, true]);
    assertEquals(result.flag_python_types, ["bool", "bool", "bool"]);
  },
});

const JSON_SCRIPT = `
import json, math, sys
from os.path import join

run = sys.argv[1]
with open(join(run, "params.json")) as f:
    params = json.load(f)
with open(join(run, "metadata.json")) as f:
    metadata = json.load(f)
with open(join(run, "artifacts", "metrics.json")) as f:
    metrics = json.load(f)
drift = metrics.pop("drift")
print(json.dumps({
    "params": params,
    "metadata": metadata,
    "metrics": metrics,
    "drift_is_float": isinstance(drift, float),
    "drift_isnan": math.isnan(drift),
}))
`;

Deno.test({
  name: "Python's json.load reads params.json, metadata.json and metrics.json with NaN",
  ignore: !HAS_PANDAS,
  async fn() {
    using exp = new TemporaryExperiment("sweep");
    const params = { omega: 2, dt: 0.001, method: "verlet", tags: ["a", "b"], adaptive: false };
    const metrics = { energy: 0.25, drift: NaN, loss: { train: 0.1, val: 0.2 }, steps: 1000 };
    let meta: Record<string, unknown>;
    let path: string;
    {
      using log = exp.add(params)!;
      log.json("metrics", metrics);
      log.markComplete();
      meta = log.getMeta();
      path = log.path;
    }
    const result = await python(JSON_SCRIPT, path);
    assertEquals(result.params, params);
    assertEquals(result.metadata, meta);
    assertEquals((result.metadata as Record<string, unknown>).status, "complete");
    assertEquals(result.metrics, { energy: 0.25, loss: { train: 0.1, val: 0.2 }, steps: 1000 });
    assertEquals(result.drift_is_float, true);
    assertEquals(result.drift_isnan, true);
  },
});

Deno.test("grep on metadata.json lists exactly the complete runs", async () => {
  using exp = new TemporaryExperiment("sweep");
  for (const omega of [1, 2, 3]) {
    const log = exp.add({ omega })!;
    if (omega === 2) log.markFailed("diverged");
    else log.markComplete();
  }
  const output = await new Deno.Command("bash", {
    args: ["-c", `grep -l '"status": "complete"' runs/*/metadata.json`],
    cwd: exp.dir,
    stdout: "piped",
    stderr: "piped",
  }).output();
  assertEquals(new TextDecoder().decode(output.stderr), "");
  assertEquals(output.code, 0);
  const listed = new TextDecoder().decode(output.stdout).trim().split("\n").sort();
  assertEquals(listed, [
    join("runs", "log_sweep_omega_1", "metadata.json"),
    join("runs", "log_sweep_omega_3", "metadata.json"),
  ]);
});

Deno.test("Polars readCSV of index.csv has the index's rows and columns", () => {
  using exp = new TemporaryExperiment("sweep");
  runSweep(exp);
  const records = parse(Deno.readTextFileSync(exp.indexPath)) as string[][];
  const header = records[0];
  const df = pl.readCSV(exp.indexPath);
  assertEquals(df.height, SWEEP.length);
  assertEquals(df.height, records.length - 1);
  assertEquals(df.width, header.length);
  assertEquals(df.columns, header);
  assertEquals(df.getColumn("label").toArray().sort(), SWEEP.map((run) => run.label).sort());
});
