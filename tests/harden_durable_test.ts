// Copyright 2026 the notata authors. MIT license.
// Durability: a run's final metadata.json, params.json updates, index and
// schema rewrites are flushed to the disk before their rename, and their
// directory after it; a new run directory's params.json before the staged
// directory is renamed into place: as strace sees.

import { assert, assertEquals } from "@std/assert";
import { dirname, join } from "@std/path";
import { fixture, hasStrace, IMPORT_MAP } from "./_subprocess.ts";

const STRACE = hasStrace();

/** A flush of the file or directory `path`, or a rename, in the order strace logged them. */
type Call = { sync: string } | { from: string; to: string };

// Follows one thread's openat/fdatasync/fsync/rename calls in strace's log,
// naming each flushed descriptor by the path it was opened with.
function calls(log: string): Call[] {
  const openFds = new Map<number, string>();
  const found: Call[] = [];
  for (const line of log.split("\n")) {
    const open = /openat\(AT_FDCWD, "([^"]+)", [^)]*\) = (\d+)$/.exec(line);
    const sync = /(fdatasync|fsync)\((\d+)\)\s+= 0$/.exec(line);
    const rename = /rename\("([^"]+)", "([^"]+)"\) = 0$/.exec(line);
    if (open) openFds.set(Number(open[2]), open[1]);
    else if (sync) found.push({ sync: openFds.get(Number(sync[2]))! });
    else if (rename) found.push({ from: rename[1], to: rename[2] });
  }
  return found;
}

/** What happened to each atomic write of `target`, in order. */
interface Write {
  /** The temporary file's data was flushed before the rename. */
  dataSynced: boolean;
  /** The target's directory was flushed after the rename. */
  directorySynced: boolean;
}

function atomicWrites(log: Call[], target: string): Write[] {
  const writes: Write[] = [];
  const synced = new Set<string>();
  for (const call of log) {
    if ("sync" in call) {
      synced.add(call.sync);
      const last = writes.at(-1);
      if (last !== undefined && call.sync === dirname(target)) last.directorySynced = true;
    } else if (call.to === target) {
      writes.push({ dataSynced: synced.has(call.from), directorySynced: false });
    }
  }
  return writes;
}

/** Whether the staged directory renamed to `runDir` had its params.json flushed first. */
function stagedParamsSynced(log: Call[], runDir: string): boolean | undefined {
  const synced = new Set<string>();
  for (const call of log) {
    if ("sync" in call) synced.add(call.sync);
    else if (call.to === runDir) return synced.has(join(call.from, "params.json"));
  }
  return undefined;
}

Deno.test({
  name:
    `a run's metadata.json, params.json, index and schema rewrites, and a new run directory are fsynced around their rename${
      STRACE ? "" : " (ignored: strace is not installed)"
    }`,
  ignore: !STRACE || Deno.build.os !== "linux",
  fn: async () => {
    const baseDir = Deno.makeTempDirSync();
    const log = join(baseDir, "strace.log");
    try {
      const { success, stderr } = await new Deno.Command("strace", {
        args: [
          "-qq",
          "-o",
          log,
          "-e",
          "trace=openat,fdatasync,fsync,rename",
          Deno.execPath(),
          "run",
          `--import-map=${IMPORT_MAP}`,
          "-A",
          fixture("harden_durable.ts"),
          baseDir,
        ],
        stderr: "piped",
      }).output();
      assert(success, new TextDecoder().decode(stderr));
      const text = calls(Deno.readTextFileSync(log));
      const exp = join(baseDir, "durable");
      const runDir = join(exp, "runs", "log_durable_omega_1");
      const durable = { dataSynced: true, directorySynced: true };
      assertEquals(atomicWrites(text, join(runDir, "metadata.json")), [durable]);
      assertEquals(atomicWrites(text, join(runDir, "params.json")), [durable]);
      for (const file of ["index.csv", "index.schema.json"]) {
        const writes = atomicWrites(text, join(exp, file));
        assert(writes.length >= 1, `reindex rewrote no ${file}`);
        for (const write of writes) assertEquals(write, durable, file);
      }
      assertEquals(
        stagedParamsSynced(text, runDir),
        true,
        "params.json was not flushed before the rename",
      );
    } finally {
      Deno.removeSync(baseDir, { recursive: true });
    }
  },
});
