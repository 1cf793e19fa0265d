// Copyright 2026 the notata authors. MIT license.
// The smaller points of issue 13: names no file system takes, params too
// deep to check, and a full disk, each with our error instead of a raw one.

import { assert, assertEquals, assertThrows } from "@std/assert";
import { join } from "@std/path";
import {
  Experiment,
  InvalidNameError,
  InvalidValueError,
  NotataError,
  TemporaryExperiment,
} from "../mod.ts";

const REFUSED: [string, string][] = [
  ["CON", "is a device name on Windows"],
  ["aux.json", "is a device name on Windows"],
  ["nul", "is a device name on Windows"],
  ["Com1.txt", "is a device name on Windows"],
  ["lpt9", "is a device name on Windows"],
  ["results.", "ends with a dot or a space, which Windows drops"],
  ["results ", "ends with a dot or a space, which Windows drops"],
  ["half\ud800", "holds a lone surrogate (\\ud800), which no file system can store"],
  ["\udc00tail", "holds a lone surrogate (\\udc00), which no file system can store"],
];

Deno.test("experiment and artifact names that Windows or any file system refuses give an InvalidNameError", () => {
  for (const [name, problem] of REFUSED) {
    assertThrows(
      () => new Experiment(name, { baseDir: "/nonexistent" }),
      InvalidNameError,
      `Cannot create experiment: name ${
        JSON.stringify(name)
      } ${problem}, expected a single file name`,
    );
  }
  using exp = new TemporaryExperiment("names");
  using log = exp.add({ omega: 1 })!;
  for (const [name, problem] of REFUSED) {
    assertThrows(() => log.json(name, { a: 1 }), InvalidNameError, problem);
  }
  // Names that only look like device names are fine.
  for (const name of ["console", "conf", "com10", "auxiliary", "lpt", "a.b"]) {
    log.json(name, { a: 1 });
  }
  assertThrows(
    () => log.file("eval/CON.txt"),
    InvalidNameError,
    'has the component "CON.txt", a device name or ending in a dot or space on Windows',
  );
  // Nothing reached the disk.
  assertEquals(
    [...Deno.readDirSync(join(log.path, "artifacts"))].map((entry) => entry.name).sort(),
    ["a.b.json", "auxiliary.json", "com10.json", "conf.json", "console.json", "lpt.json"],
  );
});

Deno.test("params nested 10,000 deep give an InvalidValueError, not a stack overflow", () => {
  using exp = new TemporaryExperiment("deep");
  let deep: unknown = 1;
  for (let i = 0; i < 10_000; i++) deep = { a: deep };
  const error = assertThrows(() => exp.add({ deep } as never), InvalidValueError);
  assert(error.message.startsWith('Cannot add run: param "deep.a.a.a'), error.message);
  assert(
    error.message.endsWith("nests deeper than 500 levels, expected at most 500"),
    error.message,
  );
  assertThrows(() => Deno.lstatSync(join(exp.dir, "runs")), Deno.errors.NotFound);
  using log = exp.add({ omega: 1 })!;
  let list: unknown = [];
  for (let i = 0; i < 10_000; i++) list = [list];
  assertThrows(() => log.json("metrics", { list } as never), InvalidValueError, "nests deeper");
});

// A 1 MiB tmpfs fills quickly; mounting one needs root (CI runs as root).
function mountSmallTmpfs(dir: string): boolean {
  if (Deno.build.os !== "linux") return false;
  try {
    return new Deno.Command("mount", {
      args: ["-t", "tmpfs", "-o", "size=1m", "tmpfs", dir],
      stdout: "null",
      stderr: "null",
    }).outputSync().success;
  } catch {
    return false;
  }
}

const probeDir = Deno.makeTempDirSync();
const CAN_MOUNT = mountSmallTmpfs(probeDir);
if (CAN_MOUNT) new Deno.Command("umount", { args: [probeDir] }).outputSync();
Deno.removeSync(probeDir);

Deno.test({
  name: `a full disk gives a NotataError naming the file${
    CAN_MOUNT ? "" : " (ignored: mounting a tmpfs needs root)"
  }`,
  ignore: !CAN_MOUNT,
  fn() {
    const baseDir = Deno.makeTempDirSync();
    assert(mountSmallTmpfs(baseDir));
    try {
      const exp = new Experiment("full", { baseDir });
      const error = assertThrows(() => {
        for (let i = 0; i < 1_000; i++) {
          const log = exp.add({ i })!;
          log.json("metrics", { big: "x".repeat(20_000) });
          log.markComplete();
        }
      }, NotataError);
      assert(error.message.startsWith(`Cannot write "${baseDir}/full/`), error.message);
      assert(
        error.message.includes(
          "no space is left on its device (os error 28), expected free space on its file system; once there is, exp.reindex() repairs the index",
        ),
        error.message,
      );
    } finally {
      new Deno.Command("umount", { args: [baseDir] }).outputSync();
      Deno.removeSync(baseDir, { recursive: true });
    }
  },
});
