// Copyright 2026 the notata authors. MIT license.
// One experiment written in turns by the original Python notata and by us.
// The original appends its rows with csv.DictWriter in its own column order
// without reading the header; afterwards every row of index.csv must hold
// its run directory's values, read by pandas.read_csv and by toDataFrame.

import { assert, assertEquals, assertStringIncludes } from "@std/assert";
import { join } from "@std/path";
import { Experiment, TemporaryExperiment } from "../mod.ts";
import { hasOriginalNotata, ignoredNote, NOTATA_PY, python, pythonHas } from "./_python.ts";

const HAS_ORIGINAL = hasOriginalNotata() && pythonHas("pandas");

/** The original adds the runs of one phase (argv[3]) to experiment "mixed". */
const ORIGINAL_PHASE = `
import json, sys
sys.path.insert(0, sys.argv[2])
from notata import Experiment
exp = Experiment("mixed", base_dir=sys.argv[1])
base = dict(flag=True, label="a")

def run(params, metrics=None, fail=None, raw_metrics=None):
    try:
        with exp.add(**{**base, **params}) as log:
            if metrics is not None:
                log.json("metrics", metrics)
            if raw_metrics is not None:
                log.bytes("metrics.json", raw_metrics)
            if fail:
                raise RuntimeError(fail)
    except RuntimeError:
        pass

if sys.argv[3] == "first":
    run(dict(alpha=0.1, n=1), {"energy": 1.5, "loss": 0.25})
    run(dict(alpha=0.2, n=2, label="b c", flag=False), {"energy": 2.5, "loss": 0.5})
    run(dict(alpha=0.3, n=3), {"energy": float("nan"), "loss": 1.0}, fail="diverged")
    run(dict(alpha=0.4, n=4), fail="no metrics")
else:
    # The same columns as the index: its rows line up with our header.
    run(dict(alpha=0.6, n=6), {"energy": 6.5, "loss": 1.5})
    run(dict(alpha=0.7, n=7), fail="no metrics again")
    # New columns: each row lands under the wrong columns of our header.
    run(dict(alpha=0.8, n=8, extra="x"), {"energy": 8.5, "loss": 2.0})
    run(dict(alpha=0.9, n=9), {"accuracy": 0.99, "energy": 9.5, "loss": 2.25})
    run(dict(alpha=1.0, n=10), raw_metrics=b"{not json")
    run(dict(alpha=1.1, n=11, opt={"a": 1, "b": "z"}), {"energy": 11.5, "loss": 2.75})
print(json.dumps(None))
`;

/**
 * index.csv read by pandas.read_csv, and each run directory's values (params
 * from params.yaml or params.json, nested ones dotted; metrics; the status
 * in metadata.json and the one the original writes). NaN becomes null.
 */
const READ_BY_PANDAS = `
import json, math, os, sys
import pandas as pd
import yaml
exp_dir = sys.argv[1]

def plain(value):
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value

def flat(obj, prefix=""):
    out = {}
    for key, value in obj.items():
        if isinstance(value, dict) and value:
            out.update(flat(value, prefix + key + "."))
        else:
            out[prefix + key] = plain(value)
    return out

try:
    df = pd.read_csv(os.path.join(exp_dir, "index.csv"))
    columns = [str(c) for c in df.columns]
    rows = [{str(c): plain(v) for c, v in zip(df.columns, row)}
            for row in df.itertuples(index=False, name=None)]
except pd.errors.ParserError:  # a row with more fields than the header
    columns, rows = None, None
runs = {}
for name in sorted(os.listdir(os.path.join(exp_dir, "runs"))):
    run_dir = os.path.join(exp_dir, "runs", name)
    with open(os.path.join(run_dir, "metadata.json")) as f:
        meta = json.load(f)
    if os.path.exists(os.path.join(run_dir, "params.yaml")):
        with open(os.path.join(run_dir, "params.yaml")) as f:
            params = yaml.safe_load(f) or {}
    else:
        with open(os.path.join(run_dir, "params.json")) as f:
            params = json.load(f)
    metrics_path = os.path.join(run_dir, "artifacts", "metrics.json")
    metrics, python_status = {}, "missing"
    if os.path.exists(metrics_path):
        try:
            with open(metrics_path) as f:
                metrics, python_status = json.load(f), "complete"
        except Exception:
            python_status = "error"
    runs[meta["run_id"]] = {
        "params": flat(params), "metrics": flat(metrics),
        "status": meta["status"], "python_status": python_status,
    }
print(json.dumps({"columns": columns, "rows": rows, "runs": runs}))
`;

type Cell = string | number | boolean | null;

interface RunTruth {
  params: Record<string, Cell>;
  metrics: Record<string, Cell>;
  status: string;
  python_status: string;
}

interface PandasRead {
  /** `null` where pandas cannot read index.csv. */
  columns: string[] | null;
  rows: Record<string, Cell>[] | null;
  runs: Record<string, RunTruth>;
}

function sameCell(cell: Cell | undefined, value: Cell): boolean {
  const missing = (x: Cell | undefined) => x === null || x === undefined || Number.isNaN(x);
  if (missing(value)) return missing(cell);
  if (typeof value === "number") return typeof cell === "number" && cell === value;
  return cell === value;
}

/**
 * Why the rows `rows` (read by `reader`) do not match the run directories:
 * one message per wrong cell, per run with no row or more than one.
 */
function mismatches(
  reader: string,
  rows: Record<string, Cell>[] | null,
  read: PandasRead,
): string[] {
  if (rows === null) return [`${reader} cannot read index.csv`];
  const problems: string[] = [];
  const given = new Set(
    Object.values(read.runs).flatMap((run) => [
      ...Object.keys(run.params),
      ...Object.keys(run.metrics),
    ]),
  );
  for (const runId of Object.keys(read.runs)) {
    const count = rows.filter((row) => row.run_id === runId).length;
    if (count !== 1) problems.push(`${reader}: ${count} rows for ${runId}`);
  }
  for (const row of rows) {
    const run = read.runs[String(row.run_id)];
    if (run === undefined) {
      problems.push(`${reader}: a row for no run: ${JSON.stringify(row)}`);
      continue;
    }
    const values = { ...run.params, ...run.metrics };
    for (const name of given) {
      const want = name in values ? values[name] : null;
      if (!sameCell(row[name], want)) {
        problems.push(`${reader}: ${row.run_id} ${name} is ${row[name]}, expected ${want}`);
      }
    }
    if (row.status !== run.status && row.status !== run.python_status) {
      problems.push(`${reader}: ${row.run_id} status is ${row.status}, expected ${run.status}`);
    }
  }
  return problems;
}

function addOurs(exp: Experiment, phase: "first" | "second"): void {
  const base = { flag: true, label: "a" };
  if (phase === "first") {
    {
      using log = exp.add({ ...base, alpha: 0.5, n: 5 })!;
      log.json("metrics", { energy: 5.5, loss: 1.25 });
    }
    using failed = exp.add({ ...base, alpha: 0.55, n: 55 })!;
    failed.json("metrics", { energy: 55.5, loss: 1.3 });
    failed.markFailed("diverged here too");
  } else {
    using log = exp.add({ ...base, alpha: 1.2, n: 12 })!;
    log.json("metrics", { energy: 12.5, loss: 3 });
  }
}

async function readBoth(
  dir: string,
): Promise<{ pandas: PandasRead; ours: Record<string, Cell>[] }> {
  const pandas = await python(READ_BY_PANDAS, dir) as unknown as PandasRead;
  const frame = await new Experiment("mixed", { baseDir: join(dir, "..") }).toDataFrame();
  return { pandas, ours: frame.toRecords() as Record<string, Cell>[] };
}

Deno.test({
  name:
    "a mixed experiment: every row of index.csv matches its run directory, in pandas and in ours" +
    ignoredNote(HAS_ORIGINAL, "pandas, numpy, PyYAML and ../shared/notata-py"),
  ignore: !HAS_ORIGINAL,
  async fn() {
    const baseDir = Deno.makeTempDirSync({ prefix: "notata_interop_mixed_" });
    const dir = join(baseDir, "mixed");
    try {
      await python(ORIGINAL_PHASE, baseDir, NOTATA_PY, "first");
      const exp = new Experiment("mixed", { baseDir });
      addOurs(exp, "first");
      let read = await readBoth(dir);
      assertEquals(mismatches("pandas", read.pandas.rows, read.pandas), []);
      assertEquals(mismatches("toDataFrame", read.ours, read.pandas), []);

      await python(ORIGINAL_PHASE, baseDir, NOTATA_PY, "second");
      // The original's appends with new columns are misaligned until we write again.
      // Our read, which writes nothing, already takes those runs from their directories.
      read = await readBoth(dir);
      assert(
        mismatches("pandas", read.pandas.rows, read.pandas).length > 0,
        "the original's appends should have landed under the wrong columns",
      );
      assertEquals(mismatches("toDataFrame", read.ours, read.pandas), []);

      addOurs(new Experiment("mixed", { baseDir }), "second");
      read = await readBoth(dir);
      assertEquals(Object.keys(read.pandas.runs).length, 13);
      assertEquals(mismatches("pandas", read.pandas.rows, read.pandas), []);
      assertEquals(mismatches("toDataFrame", read.ours, read.pandas), []);
      // Header order: run_id, params, status, metrics (each sorted), ours, kept columns.
      assertEquals(read.pandas.columns, [
        "run_id",
        "alpha",
        "extra",
        "flag",
        "label",
        "n",
        "opt.a",
        "opt.b",
        "status",
        "accuracy",
        "energy",
        "loss",
        "runtime_sec",
        "failure_reason",
        "error_reason",
        "opt",
      ]);
      const byId = (rows: Record<string, Cell>[]) =>
        Object.fromEntries(rows.map((row) => [row.run_id, row]));
      const errorRun = Object.keys(read.pandas.runs).find((id) =>
        read.pandas.runs[id].python_status === "error"
      )!;
      const reason = byId(read.pandas.rows!)[errorRun].error_reason;
      assert(typeof reason === "string" && reason.length > 0, "the original's error_reason");
      const nested = Object.keys(read.pandas.runs).find((id) =>
        "opt.a" in read.pandas.runs[id].params
      )!;
      assertEquals(byId(read.pandas.rows!)[nested].opt, "{'a': 1, 'b': 'z'}");

      // A rebuild keeps every value, the original's error_reason too.
      const text = Deno.readTextFileSync(join(dir, "index.csv"));
      assertEquals(exp.reindex(), 13);
      read = await readBoth(dir);
      assertEquals(mismatches("pandas", read.pandas.rows, read.pandas), []);
      assertEquals(mismatches("toDataFrame", read.ours, read.pandas), []);
      assertEquals(byId(read.pandas.rows!)[errorRun].error_reason, reason);
      assertEquals(byId(read.ours)[errorRun].error_reason, reason);
      assertEquals(read.pandas.columns, text.slice(0, text.indexOf("\r\n")).split(","));
    } finally {
      Deno.removeSync(baseDir, { recursive: true });
    }
  },
});

Deno.test("a row appended in another column order is read from its run, then repaired by the next run and by reindex()", async () => {
  using exp = new TemporaryExperiment("mixed");
  for (const n of [1, 2]) {
    using log = exp.add({ alpha: n / 10, n })!;
    log.json("metrics", { energy: n + 0.5 });
  }
  const schemaPath = join(exp.dir, "index.schema.json");
  const [index, schema] = [exp.indexPath, schemaPath].map((path) => Deno.readTextFileSync(path));
  // A run with a new metric whose row the Python notata appends: in its own
  // order, without reading the header, so 0.9 lands under energy.
  const original = exp.add({ alpha: 0.3, n: 3 })!;
  original.json("metrics", { accuracy: 0.9, energy: 3.5 });
  original.markComplete();
  const text = index + `${original.runId},0.3,3,complete,0.9,3.5\r\n` +
    "no_such_run,1,2,complete,3\r\n";
  Deno.writeTextFileSync(exp.indexPath, text);
  Deno.writeTextFileSync(schemaPath, schema);

  // Read: the misaligned row is left out and its run read from its directory;
  // the row of no run cannot be checked, and is shown as it stands.
  const frame = await exp.toDataFrame();
  assertEquals(frame.getColumn("run_id").toArray().slice(2), ["no_such_run", original.runId]);
  assertEquals(frame.getColumn("energy").toArray(), [1.5, 2.5, 3, 3.5]);
  assertEquals([...frame.getColumn("accuracy").toArray()], [null, null, null, 0.9]);
  assertEquals(Deno.readTextFileSync(exp.indexPath), text, "a read writes nothing");

  // The next finished run repairs it, and keeps the row of no run (on another
  // node a new run's directory may not show yet); reindex() drops that one.
  exp.add({ alpha: 0.4, n: 4 })!.markComplete();
  const repaired = Deno.readTextFileSync(exp.indexPath);
  assertEquals(
    repaired.split("\r\n")[0],
    "run_id,alpha,n,status,accuracy,energy,runtime_sec,failure_reason",
  );
  assertStringIncludes(repaired, `${original.runId},0.3,3,complete,0.9,3.5,`);
  assertStringIncludes(repaired, "no_such_run,1,2,complete,");
  assertEquals(exp.reindex(), 4);
  assertEquals(Deno.readTextFileSync(exp.indexPath).includes("no_such_run"), false);
  assertEquals(Deno.readTextFileSync(exp.indexPath).split("\r\n").length, 6);

  // reindex() checks every row.
  Deno.writeTextFileSync(exp.indexPath, text);
  Deno.writeTextFileSync(schemaPath, schema);
  assertEquals(exp.reindex(), 4);
  assertStringIncludes(
    Deno.readTextFileSync(exp.indexPath),
    `${original.runId},0.3,3,complete,0.9,3.5,`,
  );
});
