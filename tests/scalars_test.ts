// Copyright 2026 the notata authors. MIT license.
// Tests of Logbook.scalar and of the buffering of data/scalars.csv and
// log.txt: the long-format CSV (header, steps, quoting, NaN and infinities,
// time), input checks, reading it back (LogReader, Polars, pandas), resumed
// runs, and when buffered lines reach the disk: on flush, when the run ends,
// within a second without either, and in a process that is killed (in a
// subprocess) or ends without finishing its run.

import { withRun } from "./_run.ts";
import { assert, assertEquals, assertMatch, assertThrows } from "@std/assert";
import { parse } from "@std/csv";
import { fromFileUrl, join, toFileUrl } from "@std/path";
import pl from "nodejs-polars";
import { InvalidValueError, Logbook, LogReader } from "../mod.ts";
import { ignoredNote, python, pythonHas } from "./_python.ts";

// ---------------------------------------------------------------------------
// Helpers

const HAS_PANDAS = pythonHas("pandas");
const PANDAS_NOTE = ignoredNote(HAS_PANDAS, "pandas");

const HEADER = "step,name,value,time";
const TIME = /^\d+\.\d{6}$/;

function scalarsPath(log: Logbook): string {
  return join(log.path, "data", "scalars.csv");
}

function readText(path: string): string {
  try {
    return Deno.readTextFileSync(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return "";
    throw error;
  }
}

/** The file's lines; the file must end with a line end. */
function lines(path: string): string[] {
  const text = readText(path);
  assert(text === "" || text.endsWith("\n"), `${path} ends with a whole line`);
  return text === "" ? [] : text.slice(0, -1).split("\n");
}

/**
 * The rows of scalars.csv as raw text without the time field, checking the
 * header and that every time is seconds with six decimals.
 */
function rowsWithoutTime(path: string): string[] {
  const [header, ...rows] = lines(path);
  assertEquals(header, HEADER);
  return rows.map((row) => {
    const comma = row.lastIndexOf(",");
    assertMatch(row.slice(comma + 1), TIME);
    return row.slice(0, comma);
  });
}

/** The times of scalars.csv, in seconds. */
function times(path: string): number[] {
  return (parse(readText(path), { skipFirstRow: true }) as Record<string, string>[])
    .map((row) => Number(row.time));
}

/** log.txt's messages without timestamps: "INFO message". */
function logBodies(log: Logbook): string[] {
  return lines(join(log.path, "log.txt")).map((line) => line.slice(27));
}

function isDirectory(path: string): boolean {
  try {
    return Deno.statSync(path).isDirectory;
  } catch {
    return false;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Scalars of several series, interleaved, with values that need care in CSV. */
const LOGGED: [string, number][] = [
  ["energy", 1.5],
  ["drift", NaN],
  ["energy", Infinity],
  ["a,b", -Infinity],
  ['say "hi"', 0.1 + 0.2],
  ["energy", 1e21],
  ["drift", 5e-324],
  ["ünï µ", -2],
];

/** What LOGGED is in scalars.csv, without the time field. */
const LOGGED_ROWS = [
  "0,energy,1.5",
  "0,drift,NaN",
  "1,energy,inf",
  '0,"a,b",-inf',
  '0,"say ""hi""",0.30000000000000004',
  "2,energy,1e+21",
  "1,drift,5e-324",
  "0,ünï µ,-2",
];

function logAll(log: Logbook): void {
  for (const [name, value] of LOGGED) log.scalar(name, value);
}

// ---------------------------------------------------------------------------
// The file

Deno.test(
  "scalar: scalars.csv has the header step,name,value,time and one row per call",
  withRun((log) => {
    logAll(log);
    log.flush();
    assertEquals(rowsWithoutTime(scalarsPath(log)), LOGGED_ROWS);
    assertEquals(lines(scalarsPath(log))[0], "step,name,value,time");
  }),
);

Deno.test(
  "scalar: default steps count 0, 1, 2 per series independently",
  withRun((log) => {
    for (let i = 0; i < 3; i++) {
      log.scalar("energy", i);
      log.scalar("drift", 10 + i);
    }
    log.scalar("energy", 3);
    log.flush();
    assertEquals(rowsWithoutTime(scalarsPath(log)), [
      "0,energy,0",
      "0,drift,10",
      "1,energy,1",
      "1,drift,11",
      "2,energy,2",
      "2,drift,12",
      "3,energy,3",
    ]);
  }),
);

Deno.test(
  "scalar: an explicit step is written, and the series continues from it",
  withRun((log) => {
    log.scalar("energy", 1, { step: 100 });
    log.scalar("energy", 2);
    log.scalar("drift", 3);
    log.scalar("energy", 4, { step: 5 });
    log.scalar("energy", 5);
    log.scalar("energy", 6, { step: 0 });
    log.scalar("energy", 7, { step: Number.MAX_SAFE_INTEGER });
    log.flush();
    assertEquals(rowsWithoutTime(scalarsPath(log)), [
      "100,energy,1",
      "101,energy,2",
      "0,drift,3",
      "5,energy,4",
      "6,energy,5",
      "0,energy,6",
      "9007199254740991,energy,7",
    ]);
  }),
);

Deno.test(
  "scalar: names with a comma or quote are quoted as RFC 4180 says; others are not",
  withRun((log) => {
    const names = ["a,b", 'say "hi"', '"', ",", "plain name", "ünï µ", "x=1;y'2"];
    for (const name of names) log.scalar(name, 1);
    log.flush();
    assertEquals(rowsWithoutTime(scalarsPath(log)), [
      '0,"a,b",1',
      '0,"say ""hi""",1',
      '0,"""",1',
      '0,",",1',
      "0,plain name,1",
      "0,ünï µ,1",
      "0,x=1;y'2,1",
    ]);
    const records = parse(readText(scalarsPath(log)), { skipFirstRow: true }) as Record<
      string,
      string
    >[];
    assertEquals(records.map((record) => record.name), names);
  }),
);

Deno.test(
  "scalar: NaN and infinities are written NaN, inf and -inf; numbers round-trip",
  withRun((log) => {
    const values = [NaN, Infinity, -Infinity, 0.1 + 0.2, 1e21, 1e-7, 5e-324, Number.MAX_VALUE, -42];
    for (const value of values) log.scalar("v", value);
    log.flush();
    const fields = rowsWithoutTime(scalarsPath(log)).map((row) => row.split(",")[2]);
    assertEquals(fields, [
      "NaN",
      "inf",
      "-inf",
      "0.30000000000000004",
      "1e+21",
      "1e-7",
      "5e-324",
      "1.7976931348623157e+308",
      "-42",
    ]);
    assertEquals(fields.slice(3).map(Number), values.slice(3));
  }),
);

Deno.test(
  "scalar: time is seconds since the run started, six decimals, never decreasing",
  withRun(async (log) => {
    log.scalar("t", 0);
    await sleep(60);
    for (let i = 0; i < 500; i++) log.scalar("t", i);
    const elapsed = log.elapsed;
    log.flush();
    const seconds = times(scalarsPath(log));
    assertEquals(seconds.length, 501);
    assert(seconds[0]! >= 0 && seconds[0]! < 1, `first time ${seconds[0]}`);
    assert(
      seconds[1]! - seconds[0]! >= 0.055,
      `${seconds[1]} - ${seconds[0]} spans the 60 ms sleep`,
    );
    for (let i = 1; i < seconds.length; i++) assert(seconds[i]! >= seconds[i - 1]!, `row ${i}`);
    assert(seconds.at(-1)! <= elapsed, `last time ${seconds.at(-1)} <= elapsed ${elapsed}`);
  }),
);

// ---------------------------------------------------------------------------
// Input checks

const BAD_NAME = "the name is empty or not text or holds control characters, expected a " +
  "non-empty name";

Deno.test(
  "scalar: bad names, values and steps throw InvalidValueError and write nothing",
  withRun((log) => {
    const names: [unknown, string][] = [
      ["", '""'],
      ["a\nb", '"a\\nb"'],
      ["tab\there", '"tab\\there"'],
      ["nul\0", '"nul\\u0000"'],
      [5, "5"],
      [undefined, "undefined"],
    ];
    for (const [name, quoted] of names) {
      const error = assertThrows(() => log.scalar(name as string, 1), InvalidValueError);
      assertEquals(error.message, `Cannot log scalar ${quoted}: ${BAD_NAME}`);
    }
    const string = assertThrows(() => log.scalar("e", "1" as unknown as number), InvalidValueError);
    assertEquals(string.message, 'Cannot log scalar "e": value "1" is a string, expected a number');
    for (const [value, shown] of [[null, "null"], [undefined, "undefined"], [{}, "{}"]] as const) {
      const error = assertThrows(
        () => log.scalar("e", value as unknown as number),
        InvalidValueError,
      );
      assert(
        error.message.startsWith(`Cannot log scalar "e": value ${shown} is `),
        error.message,
      );
      assert(error.message.endsWith(", expected a number"), error.message);
    }
    for (const step of [-1, 1.5, NaN, Infinity, 2 ** 53]) {
      const error = assertThrows(() => log.scalar("e", 1, { step }), InvalidValueError);
      assertEquals(
        error.message,
        `Cannot log scalar "e": step ${step} is not valid, expected a non-negative integer`,
      );
    }
    const text = assertThrows(
      () => log.scalar("e", 1, { step: "3" as unknown as number }),
      InvalidValueError,
    );
    assert(text.message.endsWith("is not valid, expected a non-negative integer"), text.message);
    assertEquals(isDirectory(join(log.path, "data")), false);
    // The failed calls took no step: the series still starts at 0.
    log.scalar("e", 1);
    log.flush();
    assertEquals(rowsWithoutTime(scalarsPath(log)), ["0,e,1"]);
  }),
);

Deno.test(
  "scalar: a bigint value throws InvalidValueError",
  withRun((log) => {
    const error = assertThrows(() => log.scalar("e", 1n as unknown as number), InvalidValueError);
    assert(error.message.startsWith('Cannot log scalar "e": value '), error.message);
    assert(error.message.endsWith(" is a bigint, expected a number"), error.message);
    assertEquals(isDirectory(join(log.path, "data")), false);
  }),
);

// ---------------------------------------------------------------------------
// Reading it back

Deno.test(
  "scalar: LogReader.loadScalars gives Int64, String, Float64, Float64 and the values",
  withRun(async (log) => {
    logAll(log);
    log.markComplete();
    const frame = await new LogReader(log.path).loadScalars();
    assertEquals(frame.columns, ["step", "name", "value", "time"]);
    assertEquals(
      frame.dtypes.map(String),
      [pl.Int64, pl.String, pl.Float64, pl.Float64].map(String),
    );
    assertEquals(frame.getColumn("step").toArray(), [0, 0, 1, 0, 0, 2, 1, 0]);
    assertEquals(frame.getColumn("name").toArray(), LOGGED.map(([name]) => name));
    assertEquals(frame.getColumn("value").toArray(), LOGGED.map(([, value]) => value));
    assertEquals(frame.getColumn("time").toArray(), times(scalarsPath(log)));
  }),
);

const READ_CSV = `
import json, math, sys
import pandas as pd

# The default C parser may miss the last digit; round_trip reads every float exactly.
df = pd.read_csv(sys.argv[1], float_precision="round_trip")
print(json.dumps({
    "columns": [str(c) for c in df.columns],
    "dtypes": {str(c): str(t) for c, t in df.dtypes.items()},
    "steps": df["step"].tolist(),
    "names": df["name"].tolist(),
    "values": [repr(v) for v in df["value"].tolist()],
    "times": df["time"].tolist(),
}))
`;

Deno.test({
  name: "scalar: pandas.read_csv reads scalars.csv with its types and values" + PANDAS_NOTE,
  ignore: !HAS_PANDAS,
  fn: withRun(async (log) => {
    logAll(log);
    log.markComplete();
    const result = await python(READ_CSV, scalarsPath(log));
    assertEquals(result.columns, ["step", "name", "value", "time"]);
    assertEquals(result.dtypes, {
      step: "int64",
      name: "object",
      value: "float64",
      time: "float64",
    });
    assertEquals(result.steps, [0, 0, 1, 0, 0, 2, 1, 0]);
    assertEquals(result.names, LOGGED.map(([name]) => name));
    assertEquals(result.values, [
      "1.5",
      "nan",
      "inf",
      "-inf",
      "0.30000000000000004",
      "1e+21",
      "5e-324",
      "-2.0",
    ]);
    assertEquals(result.times, times(scalarsPath(log)));
  }),
});

Deno.test("scalar: a resumed run appends to scalars.csv under the one header", async () => {
  const baseDir = Deno.makeTempDirSync();
  try {
    const first = new Logbook("run", { baseDir });
    first.scalar("energy", 1);
    first.scalar("energy", 2);
    first.markFailed("diverged");
    const path = scalarsPath(first);
    const before = readText(path);
    {
      using second = new Logbook("run", { baseDir, resume: true });
      second.scalar("energy", 3, { step: 2 });
      second.scalar("drift", 0.5);
    }
    const after = readText(path);
    assert(after.startsWith(before), "the first attempt's rows are kept as they were");
    assertEquals(lines(path).filter((line) => line === HEADER).length, 1);
    assertEquals(rowsWithoutTime(path), ["0,energy,1", "1,energy,2", "2,energy,3", "0,drift,0.5"]);
    const frame = await new LogReader(join(baseDir, "log_run")).loadScalars();
    assertEquals(frame.height, 4);
  } finally {
    Deno.removeSync(baseDir, { recursive: true });
  }
});

// ---------------------------------------------------------------------------
// When lines reach the disk

Deno.test(
  "buffering: scalars and log lines are on disk after flush(), not torn before",
  withRun((log) => {
    const scalars = scalarsPath(log);
    const logFile = join(log.path, "log.txt");
    log.scalar("energy", 1);
    log.info("first");
    // Before flush the files may lag, but only by whole lines.
    const early = [readText(scalars), readText(logFile)];
    log.flush();
    assert(readText(scalars).startsWith(early[0]!));
    assert(readText(logFile).startsWith(early[1]!));
    assertEquals(rowsWithoutTime(scalars), ["0,energy,1"]);
    assertEquals(logBodies(log), ["INFO Run started", "INFO first"]);
    log.scalar("energy", 2);
    log.warning("second");
    log.flush();
    log.flush(); // nothing pending: writes nothing
    assertEquals(rowsWithoutTime(scalars), ["0,energy,1", "1,energy,2"]);
    assertEquals(logBodies(log), ["INFO Run started", "INFO first", "WARNING second"]);
  }),
);

Deno.test("buffering: the run's end writes everything; later calls append at once", () => {
  const baseDir = Deno.makeTempDirSync();
  try {
    const log = new Logbook("run", { baseDir });
    log.scalar("energy", 1);
    log.info("working");
    log.markComplete();
    assertEquals(rowsWithoutTime(scalarsPath(log)), ["0,energy,1"]);
    assertEquals(logBodies(log).slice(0, 2), ["INFO Run started", "INFO working"]);
    assertMatch(logBodies(log)[2]!, /^INFO Run complete in \d+\.\d{3} s$/);
    // After the end nothing is buffered: no flush needed, no handle left open.
    log.scalar("energy", 2);
    log.scalar("late", 3);
    log.info("afterwards");
    assertEquals(rowsWithoutTime(scalarsPath(log)), ["0,energy,1", "1,energy,2", "0,late,3"]);
    assertEquals(logBodies(log).at(-1), "INFO afterwards");
    log.flush();
    // A run that logs its first scalar after it ended gets the header too.
    const other = new Logbook("other", { baseDir });
    other.markComplete();
    other.scalar("x", 1);
    assertEquals(rowsWithoutTime(scalarsPath(other)), ["0,x,1"]);
  } finally {
    Deno.removeSync(baseDir, { recursive: true });
  }
});

Deno.test(
  "buffering: 64 KiB of pending rows are written without waiting",
  withRun((log) => {
    // 2000 rows of about 80 bytes: more than twice the 64 KiB buffer.
    const name = "a_series_with_a_rather_long_name_to_fill_the_buffer_sooner";
    for (let i = 0; i < 2000; i++) log.scalar(name, 0.123456789);
    const onDisk = Deno.statSync(scalarsPath(log)).size;
    assert(onDisk >= 64 * 1024, `${onDisk} bytes on disk before any flush`);
  }),
);

Deno.test(
  "buffering: within about a second, rows and log lines reach the disk without flush",
  withRun(async (log) => {
    log.scalar("energy", 1);
    log.info("waiting");
    await sleep(1100);
    assertEquals(rowsWithoutTime(scalarsPath(log)), ["0,energy,1"]);
    assertEquals(logBodies(log), ["INFO Run started", "INFO waiting"]);
  }),
);

const importMap = fromFileUrl(new URL("../import_map.npm.json", import.meta.url));
const modUrl = new URL("../mod.ts", import.meta.url).href;

/**
 * A script that opens run "crash" under Deno.args[0] and then, by
 * Deno.args[1]: "end" logs three scalars and lines and ends without
 * finishing the run; "exit" does the same and calls Deno.exit(3); "loop"
 * logs one scalar and one line every 5 ms in a loop that never yields to the
 * event loop, for at most 20 s, waiting to be killed.
 */
const CHILD = `import { Logbook } from ${JSON.stringify(modUrl)};
const [baseDir, mode] = Deno.args;
const log = new Logbook("crash", { baseDir });
if (mode === "loop") {
  const start = performance.now();
  for (let i = 0; performance.now() - start < 20_000; i++) {
    log.scalar("x", i);
    log.info(\`tick \${i}\`);
    const next = performance.now() + 5;
    while (performance.now() < next);
  }
} else {
  for (let i = 0; i < 3; i++) {
    log.scalar("x", i);
    log.info(\`tick \${i}\`);
  }
  if (mode === "exit") Deno.exit(3);
}
`;

function childCommand(dir: string, mode: string): Deno.Command {
  const script = join(dir, "child.ts");
  Deno.writeTextFileSync(script, CHILD);
  return new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--no-prompt",
      `--import-map=${importMap}`,
      `--allow-read=${dir}`,
      `--allow-write=${dir}`,
      toFileUrl(script).href,
      join(dir, "runs"),
      mode,
    ],
    stdout: "null",
    stderr: "piped",
  });
}

Deno.test("buffering: a script that ends without finishing its run still writes its lines", async () => {
  const dir = Deno.makeTempDirSync();
  try {
    for (const [mode, exitCode] of [["end", 0], ["exit", 3]] as const) {
      const run = join(dir, "runs", "log_crash");
      const { code, stderr } = await childCommand(dir, mode).output();
      assertEquals(code, exitCode, new TextDecoder().decode(stderr));
      const csv = join(run, "data", "scalars.csv");
      assertEquals(rowsWithoutTime(csv), ["0,x,0", "1,x,1", "2,x,2"], mode);
      assertEquals(
        lines(join(run, "log.txt")).map((line) => line.slice(27)),
        ["INFO Run started", "INFO tick 0", "INFO tick 1", "INFO tick 2"],
        mode,
      );
      Deno.removeSync(join(dir, "runs"), { recursive: true });
    }
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("buffering: a process killed with SIGKILL loses at most the last second of rows and lines", async () => {
  const dir = Deno.makeTempDirSync();
  try {
    const run = join(dir, "runs", "log_crash");
    const child = childCommand(dir, "loop").spawn();
    let killedAt = NaN;
    let status: Deno.CommandStatus;
    let stderr: string;
    try {
      // metadata.json is written just before the loop starts.
      const deadline = Date.now() + 30_000;
      while (readText(join(run, "metadata.json")) === "") {
        assert(Date.now() < deadline, "the child never started its run");
        await sleep(10);
      }
      await sleep(1500);
      killedAt = Date.now();
    } finally {
      child.kill("SIGKILL");
      status = await child.status;
      stderr = new TextDecoder().decode(await new Response(child.stderr).arrayBuffer());
    }
    assertEquals(status.signal, "SIGKILL", stderr);

    const startedAt = Date.parse(JSON.parse(readText(join(run, "metadata.json"))).start_time);
    const rows = rowsWithoutTime(join(run, "data", "scalars.csv"));
    const seconds = times(join(run, "data", "scalars.csv"));
    // Whole rows, in order, none missing: 0..n-1.
    assertEquals(rows, rows.map((_, i) => `${i},x,${i}`));
    // The loop never yielded, so no timer ran: rows were written by the
    // clock check inside scalar(), about once a second.
    assert(seconds.at(-1)! >= 0.5, `rows up to ${seconds.at(-1)} s written while the loop ran`);
    const lastRowAt = startedAt + 1000 * seconds.at(-1)!;
    assert(
      killedAt - lastRowAt < 1100,
      `the last row on disk was logged ${killedAt - lastRowAt} ms before the kill`,
    );

    const logLines = lines(join(run, "log.txt"));
    assertEquals(logLines[0]!.slice(27), "INFO Run started");
    const ticks = logLines.slice(1);
    assertEquals(ticks.map((line) => line.slice(27)), ticks.map((_, i) => `INFO tick ${i}`));
    const lastLineAt = Date.parse(ticks.at(-1)!.slice(1, 25));
    assert(
      killedAt - lastLineAt < 1100,
      `the last log line on disk was logged ${killedAt - lastLineAt} ms before the kill`,
    );
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
