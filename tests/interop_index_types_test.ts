// Copyright 2026 the notata authors. MIT license.
// An index with no index.schema.json (one the original Python notata wrote,
// or one edited by hand) is typed as pandas.read_csv types it: the same
// dtype per column and the same values, through toDataFrame and index().
import { assertEquals } from "@std/assert";
import { join } from "@std/path";
import { ExperimentReader } from "../mod.ts";
import { hasOriginalNotata, ignoredNote, NOTATA_PY, python, pythonHas } from "./_python.ts";

const HAS_PANDAS = pythonHas("pandas");
const HAS_ORIGINAL = HAS_PANDAS && hasOriginalNotata();

/**
 * pandas' dtype and values of each column of argv[1], missing and NaN as
 * null. pandas before 2.0 did not yet read "None" as missing; we follow 2.x.
 */
const PANDAS_READ = `
import json, math, sys
import pandas as pd
from pandas._libs.parsers import STR_NA_VALUES
df = pd.read_csv(sys.argv[1], na_values=[] if "None" in STR_NA_VALUES else ["None"])
def cell(value):
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float):
        if math.isnan(value):
            return None
        if math.isinf(value):
            return "Infinity" if value > 0 else "-Infinity"
    return value
print(json.dumps({
    str(name): {"dtype": str(df[name].dtype), "values": [cell(v) for v in df[name]]}
    for name in df.columns
}))
`;

interface PandasColumn {
  dtype: string;
  values: (string | number | boolean | null)[];
}

/** pandas' dtype as the Polars dtype we give the column. */
function polarsDtype({ dtype, values }: PandasColumn): string {
  if (dtype === "int64") return "Int64";
  // pandas has no missing integers: a column of whole numbers and empty
  // cells is float64 there, nullable Int64 here.
  if (dtype === "float64") {
    const present = values.filter((v) => v !== null);
    const whole = present.length > 0 &&
      present.every((v) => typeof v === "number" && Number.isInteger(v));
    return whole && present.length < values.length ? "Int64?" : "Float64";
  }
  if (dtype === "bool") return "Bool";
  // Nor missing booleans: booleans and empty cells are objects there.
  const present = values.filter((v) => v !== null);
  const bools = present.length > 0 && present.every((v) => typeof v === "boolean");
  return bools && present.length < values.length ? "Bool?" : "String";
}

/** Our value as {@linkcode PANDAS_READ} writes pandas': NaN is missing there. */
function pandasValue(value: unknown): string | number | boolean | null {
  if (value === null || value === undefined) return null;
  if (typeof value === "number") {
    if (Number.isNaN(value)) return null;
    if (!Number.isFinite(value)) return value > 0 ? "Infinity" : "-Infinity";
    return value;
  }
  if (typeof value === "bigint") return Number(value);
  return value as string | boolean;
}

async function assertTypedAsPandas(expDir: string): Promise<void> {
  const pandas = await python(PANDAS_READ, join(expDir, "index.csv")) as Record<
    string,
    PandasColumn
  >;
  const reader = new ExperimentReader(expDir);
  const frame = await reader.toDataFrame();
  const rows = reader.index();
  assertEquals(frame.columns, Object.keys(pandas));
  for (const [name, column] of Object.entries(pandas)) {
    const expected = polarsDtype(column);
    const ours = frame.getColumn(name).dtype.variant;
    assertEquals(ours, expected.replace("?", ""), name);
    const values = frame.getColumn(name).toArray().map(pandasValue);
    assertEquals(values, column.values, `toDataFrame() column ${name}`);
    assertEquals(rows.map((row) => pandasValue(row[name])), column.values, `index() ${name}`);
  }
}

const ORIGINAL_SWEEP = `
import json, math, sys
sys.path.insert(0, sys.argv[2])
from notata import Experiment
exp = Experiment("sweep", base_dir=sys.argv[1])
runs = [
    dict(omega=1.0, n=1, flag=True, label="a", nested={"k": 1}, maybe=None),
    dict(omega=2.5, n=-3, flag=False, label="b c", nested={"k": 2}, maybe=None),
    dict(omega=1e-07, n=0, flag=True, label="1e3", nested={"k": 3}, maybe=None),
]
metrics = [
    {"energy": 0.5, "steps": 10, "ok": True, "note": "fine", "drift": float("nan")},
    {"energy": float("inf"), "steps": 20, "ok": False, "note": "None", "drift": 1.5},
    {"energy": -float("inf"), "steps": 30, "ok": True, "note": "NA", "drift": 2.0},
]
for params, m in zip(runs, metrics):
    with exp.add(**params) as log:
        log.json("metrics", m)
try:
    with exp.add(omega=9.0, n=9, flag=False, label="boom", nested={"k": 9}, maybe=None) as log:
        raise RuntimeError("boom")
except RuntimeError:
    pass
print(json.dumps(None))
`;

Deno.test({
  name: "toDataFrame and index() type the original's index as pandas.read_csv does" +
    ignoredNote(HAS_ORIGINAL, "pandas, numpy, PyYAML and ../shared/notata-py"),
  ignore: !HAS_ORIGINAL,
  async fn() {
    const baseDir = Deno.makeTempDirSync({ prefix: "notata_interop_types_" });
    try {
      await python(ORIGINAL_SWEEP, baseDir, NOTATA_PY);
      await assertTypedAsPandas(join(baseDir, "sweep"));
    } finally {
      Deno.removeSync(baseDir, { recursive: true });
    }
  },
});

/** Columns of cells as people and other tools write them, one column per case. */
const HAND_WRITTEN: Record<string, string[]> = {
  ints: ["1", "+2", "-3", "0"],
  ints_missing: ["1", "", "3", ""],
  floats: ["1.5", "1e5", "-2E-3", ".5"],
  non_finite: ["nan", "inf", "-inf", "NaN"],
  infinity: ["Infinity", "-Infinity", "1", "2"],
  ints_and_floats: ["1", "2.5", "3", "4"],
  bools: ["True", "False", "TRUE", "false"],
  bools_missing: ["True", "", "False", "True"],
  bools_and_numbers: ["True", "1", "False", "0"],
  text: ["a", "1", "True", "x y"],
  na_tokens: ["NA", "None", "null", "n/a"],
  text_and_na: ["a", "NA", "b", "None"],
  ints_and_na: ["1", "NA", "3", "None"],
  floats_and_na: ["1.5", "N/A", "-nan", "#N/A"],
  underscored: ["1_000", "2", "3", "4"],
  empty: ["", "", "", ""],
};

Deno.test({
  name: "toDataFrame and index() type hand-written cells of an index as pandas.read_csv does" +
    ignoredNote(HAS_PANDAS, "pandas"),
  ignore: !HAS_PANDAS,
  async fn() {
    const expDir = Deno.makeTempDirSync({ prefix: "notata_interop_types_" });
    try {
      const names = ["run_id", "status", ...Object.keys(HAND_WRITTEN)];
      const lines = [names.join(",")];
      for (let row = 0; row < 4; row++) {
        lines.push(
          [`r${row}`, "complete", ...Object.values(HAND_WRITTEN).map((c) => c[row])].join(","),
        );
      }
      Deno.mkdirSync(join(expDir, "runs"));
      Deno.writeTextFileSync(join(expDir, "index.csv"), lines.join("\n") + "\n");
      await assertTypedAsPandas(expDir);
    } finally {
      Deno.removeSync(expDir, { recursive: true });
    }
  },
});
