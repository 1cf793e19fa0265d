// Copyright 2026 the notata authors. MIT license.
// Every reading path works on an experiment the original Python notata
// wrote, in a directory that may not be written, and writes nothing there:
// with Deno's permissions (no --allow-write, for anyone) and, as root where
// bindfs is installed, on a read-only mount.
import { assertEquals } from "@std/assert";
import { join } from "@std/path";
import { hasOriginalNotata, ignoredNote, NOTATA_PY, python } from "./_python.ts";

const HAS_ORIGINAL = hasOriginalNotata();
const IMPORT_MAP = new URL("../import_map.npm.json", import.meta.url).pathname;
const READER = new URL("./fixtures/interop_read_everything.ts", import.meta.url).pathname;
const CLI = new URL("../src/cli/main.ts", import.meta.url).pathname;
/** What reading needs: the DataFrames load nodejs-polars. Never --allow-write. */
const READ_ONLY = ["--allow-read", "--allow-env", "--allow-ffi", "--allow-sys"];

const BINDFS = (() => {
  try {
    return Deno.uid() === 0 && Deno.statSync("/usr/bin/bindfs").isFile &&
      !Deno.statSync("/dev/fuse").isDirectory;
  } catch {
    return false;
  }
})();

const ORIGINAL_SWEEP = `
import json, sys
sys.path.insert(0, sys.argv[2])
import numpy as np
from notata import Experiment
exp = Experiment("shared", base_dir=sys.argv[1])
for omega in (1.0, 2.0):
    with exp.add(omega=omega, label="1e3", flag=True) as log:
        log.array("trace", np.linspace(0, omega, 4))
        log.arrays("bundle", names=np.array(["a", "bc"]), z=np.array([1j]))
        log.json("metrics", {"energy": omega / 2})
try:
    with exp.add(omega=3.0, label="x", flag=False) as log:
        raise RuntimeError("diverged")
except RuntimeError:
    pass
print(json.dumps(None))
`;

/** Every file and directory under `dir` with its size, mode and modification time. */
function snapshot(dir: string): string[] {
  const out: string[] = [];
  const walk = (path: string) => {
    for (const entry of Deno.readDirSync(path)) {
      const child = join(path, entry.name);
      const info = Deno.lstatSync(child);
      out.push(`${child} ${info.size} ${info.mode} ${info.mtime?.getTime()}`);
      if (entry.isDirectory) walk(child);
    }
  };
  walk(dir);
  return out.sort();
}

async function deno(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", `--import-map=${IMPORT_MAP}`, ...args],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decoder = new TextDecoder();
  return {
    code: output.code,
    stdout: decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr),
  };
}

/** Reads `expDir` every way, with `permissions`; returns the reader's summary. */
async function readEverything(expDir: string, permissions: string[]): Promise<unknown> {
  const read = await deno(...permissions, READER, expDir);
  assertEquals([read.code, read.stderr], [0, ""]);
  const runsDir = join(expDir, "runs");
  const [run] = [...Deno.readDirSync(runsDir)].map((entry) => join(runsDir, entry.name)).sort();
  for (const args of [["ls", expDir], ["status", expDir], ["show", run]]) {
    const cli = await deno(...permissions, CLI, ...args);
    assertEquals([cli.code, cli.stderr], [0, ""], `notata ${args[0]}`);
  }
  return JSON.parse(read.stdout);
}

function summaryShape(summary: unknown): unknown {
  const { index, frame, experimentFrame, runs } = summary as {
    index: number;
    frame: number[];
    experimentFrame: number[];
    runs: { status: string; params: unknown; arrays: unknown; json: unknown[] }[];
  };
  return {
    index,
    rows: [frame[0], experimentFrame[0]],
    runs: runs.map(({ status, params, arrays, json }) => ({ status, params, arrays, json }))
      .sort((a, b) => JSON.stringify(a) < JSON.stringify(b) ? -1 : 1),
  };
}

const EXPECTED = {
  index: 3,
  rows: [3, 3],
  runs: [
    {
      status: "complete",
      params: { flag: true, label: "1e3", omega: 1 },
      arrays: { "bundle:names": [2], "bundle:z": [1], trace: [4] },
      json: [{ energy: 0.5 }],
    },
    {
      status: "complete",
      params: { flag: true, label: "1e3", omega: 2 },
      arrays: { "bundle:names": [2], "bundle:z": [1], trace: [4] },
      json: [{ energy: 1 }],
    },
    { status: "failed", params: { flag: false, label: "x", omega: 3 }, arrays: {}, json: [] },
  ],
};

Deno.test({
  name: "every reading path works on the original's experiment without write permission" +
    ignoredNote(HAS_ORIGINAL, "numpy, PyYAML and ../shared/notata-py"),
  ignore: !HAS_ORIGINAL,
  async fn() {
    const baseDir = Deno.makeTempDirSync({ prefix: "notata_interop_read_only_" });
    try {
      await python(ORIGINAL_SWEEP, baseDir, NOTATA_PY);
      const expDir = join(baseDir, "shared");
      const before = snapshot(baseDir);
      assertEquals(summaryShape(await readEverything(expDir, READ_ONLY)), EXPECTED);
      assertEquals(snapshot(baseDir), before);
    } finally {
      Deno.removeSync(baseDir, { recursive: true });
    }
  },
});

Deno.test({
  name: "every reading path works on a read-only mount of the original's experiment" +
    ignoredNote(HAS_ORIGINAL, "numpy, PyYAML and ../shared/notata-py") +
    (BINDFS ? "" : " (ignored: needs root, /usr/bin/bindfs and /dev/fuse for a read-only mount)"),
  ignore: !HAS_ORIGINAL || !BINDFS,
  async fn() {
    const baseDir = Deno.makeTempDirSync({ prefix: "notata_interop_read_only_" });
    const mount = join(baseDir, "mount");
    let mounted = false;
    try {
      await python(ORIGINAL_SWEEP, join(baseDir, "source"), NOTATA_PY);
      Deno.mkdirSync(mount);
      const bind = await new Deno.Command("/usr/bin/bindfs", {
        args: ["-r", join(baseDir, "source"), mount],
      }).output();
      assertEquals(bind.code, 0, new TextDecoder().decode(bind.stderr));
      mounted = true;
      const before = snapshot(join(baseDir, "source"));
      // Every permission: only the file system refuses writes here.
      const summary = await readEverything(join(mount, "shared"), [...READ_ONLY, "--allow-write"]);
      assertEquals(summaryShape(summary), EXPECTED);
      assertEquals(snapshot(join(baseDir, "source")), before);
    } finally {
      if (mounted) await new Deno.Command("umount", { args: [mount] }).output();
      Deno.removeSync(baseDir, { recursive: true });
    }
  },
});
