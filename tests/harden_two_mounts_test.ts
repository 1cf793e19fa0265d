// Copyright 2026 the notata authors. MIT license.
// Node-local locks: two bindfs mounts of one directory behave as two cluster
// nodes whose flock locks do not exclude each other (Lustre `localflock`, NFS
// `local_lock=all`). Writers on both sweep one shared grid with skipExisting;
// every run must run exactly once, nobody may throw, and index.csv must hold
// exactly one row per run without a reindex.

import { assert, assertEquals } from "@std/assert";
import { join } from "@std/path";
import { parseJson } from "../src/_json.ts";
import { runFixture } from "./_subprocess.ts";

const POINTS = 80;
const WRITERS_PER_MOUNT = 3;

function commandWorks(command: string, args: string[]): boolean {
  try {
    return new Deno.Command(command, { args, stdout: "null", stderr: "null" }).outputSync().success;
  } catch {
    return false;
  }
}

function fuseAvailable(): boolean {
  try {
    return Deno.statSync("/dev/fuse").isCharDevice === true;
  } catch {
    return false;
  }
}

// Why the test cannot run here, if it cannot.
const missing = Deno.build.os !== "linux"
  ? "Linux"
  : Deno.uid() !== 0
  ? "root"
  : !commandWorks("bindfs", ["--version"])
  ? "bindfs (apt-get install bindfs)"
  : !fuseAvailable()
  ? "/dev/fuse"
  : undefined;
if (missing !== undefined) {
  console.warn(`harden_two_mounts_test: skipped, it needs ${missing}`);
}

function run(command: string, args: string[]): void {
  const output = new Deno.Command(command, { args, stdout: "null", stderr: "piped" }).outputSync();
  if (!output.success) {
    throw new Error(`${command} ${args.join(" ")}: ${new TextDecoder().decode(output.stderr)}`);
  }
}

function unmount(mountPoint: string): void {
  if (!commandWorks("fusermount", ["-u", mountPoint])) run("umount", [mountPoint]);
}

Deno.test({
  name:
    "writers on two mounts whose locks do not exclude each other run each run once and index it once",
  ignore: missing !== undefined,
  async fn() {
    const root = Deno.makeTempDirSync({ prefix: "notata_mounts_" });
    const source = join(root, "shared");
    const mounts = [join(root, "nodeA"), join(root, "nodeB")];
    for (const dir of [source, ...mounts]) Deno.mkdirSync(dir);
    const mounted: string[] = [];
    try {
      for (const mount of mounts) {
        run("bindfs", ["--no-allow-other", source, mount]);
        mounted.push(mount);
      }
      const writers = mounts.flatMap((mount, m) =>
        Array.from(
          { length: WRITERS_PER_MOUNT },
          (_, w) =>
            runFixture("two_mounts_writer.ts", [
              mount,
              String(m * WRITERS_PER_MOUNT + w),
              String(POINTS),
            ], {
              permissions: ["--allow-all"],
            }),
        )
      );
      const results = await Promise.all(writers);
      for (const result of results) {
        assertEquals(result.code, 0, `a writer failed:\n${result.stderr}`);
      }
      const summaries = results.map((result) =>
        parseJson(result.stdout) as { summary: { done: number; failed: number } }
      );
      // Every run's function ran exactly once, on one node or the other.
      const executions = join(source, "executions");
      const counts = [...Deno.readDirSync(executions)].map((entry) =>
        Deno.readTextFileSync(join(executions, entry.name)).trim().split("\n").length
      );
      assertEquals(counts.length, POINTS);
      assertEquals(counts.filter((count) => count !== 1), [], "runs executed more than once");
      assertEquals(summaries.reduce((sum, { summary }) => sum + summary.done, 0), POINTS);
      assertEquals(summaries.reduce((sum, { summary }) => sum + summary.failed, 0), 0);

      // One row per run, as written by the writers: no reindex.
      const experiment = join(source, "shared");
      const [header, ...rows] = Deno.readTextFileSync(join(experiment, "index.csv"))
        .split("\r\n").slice(0, -1);
      const ids = rows.map((row) => row.split(",")[0]).sort();
      const runIds = [...Deno.readDirSync(join(experiment, "runs"))]
        .map((entry) => entry.name.slice("log_".length)).sort();
      assertEquals(runIds.length, POINTS);
      assertEquals(ids, runIds);
      const schema = parseJson(
        Deno.readTextFileSync(join(experiment, "index.schema.json")),
      ) as { header: string };
      assertEquals(`${header}\r\n`, schema.header);
      for (const row of rows) assert(row.includes(",complete,"), `not complete: ${row}`);
    } finally {
      for (const mount of mounted) unmount(mount);
      Deno.removeSync(root, { recursive: true });
    }
  },
});
