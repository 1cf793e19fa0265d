// Copyright 2026 the notata authors. MIT license.
// Durability: a run's final metadata.json, params.json updates, index and
// schema rewrites are flushed to the disk before their rename, and their
// directory after it; a new run directory's params.json before the staged
// directory is renamed into place, and the directory and its parent after:
// as strace sees.

import { assert, assertEquals } from "@std/assert";
import { dirname, join } from "@std/path";
import { fixture, hasStrace, IMPORT_MAP } from "./_subprocess.ts";

const STRACE = hasStrace();

/** What happened to each atomic write of `target`, in order. */
interface Write {
  /** The temporary file's data was flushed before the rename. */
  dataSynced: boolean;
  /** The target's directory was flushed after the rename. */
  directorySynced: boolean;
}

// Follows one thread's openat/fdatasync/fsync/rename calls in strace's log.
function atomicWrites(log: string, target: string): Write[] {
  const writes: Write[] = [];
  const synced = new Set<number>();
  const openFds = new Map<number, string>();
  let pending: Write | undefined;
  for (const line of log.split("\n")) {
    const open = /openat\(AT_FDCWD, "([^"]+)", [^)]*\) = (\d+)$/.exec(line);
    const sync = /(fdatasync|fsync)\((\d+)\)\s+= 0$/.exec(line);
    const rename = /rename\("([^"]+)", "([^"]+)"\) = 0$/.exec(line);
    if (open) {
      openFds.set(Number(open[2]), open[1]);
      synced.delete(Number(open[2]));
    } else if (sync) {
      synced.add(Number(sync[2]));
      if (pending && openFds.get(Number(sync[2])) === dirname(target)) {
        pending.directorySynced = true;
      }
    } else if (rename && rename[2] === target) {
      const fd = [...openFds].findLast(([, path]) => path === rename[1])?.[0];
      pending = { dataSynced: fd !== undefined && synced.has(fd), directorySynced: false };
      writes.push(pending);
    }
  }
  return writes;
}

/** What happened to the staged directory renamed to `runDir`. */
interface StagedDirectory {
  /** Its params.json was flushed before the rename. */
  paramsSynced: boolean;
  /** The directory itself, then its parent, were flushed after it. */
  directoriesSynced: string[];
}

function stagedDirectory(log: string, runDir: string): StagedDirectory | undefined {
  const syncedPaths = new Set<string>();
  const openFds = new Map<number, string>();
  let found: StagedDirectory | undefined;
  for (const line of log.split("\n")) {
    const open = /openat\(AT_FDCWD, "([^"]+)", [^)]*\) = (\d+)$/.exec(line);
    const sync = /(fdatasync|fsync)\((\d+)\)\s+= 0$/.exec(line);
    const rename = /rename\("([^"]+)", "([^"]+)"\) = 0$/.exec(line);
    if (open) {
      openFds.set(Number(open[2]), open[1]);
    } else if (sync) {
      const path = openFds.get(Number(sync[2]))!;
      syncedPaths.add(path);
      found?.directoriesSynced.push(path);
    } else if (rename && rename[2] === runDir && found === undefined) {
      const paramsSynced = syncedPaths.has(join(rename[1], "params.json"));
      found = { paramsSynced, directoriesSynced: [] };
    }
  }
  return found;
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
      const text = Deno.readTextFileSync(log);
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
      const staged = stagedDirectory(text, runDir);
      assertEquals(staged?.paramsSynced, true, "params.json was not flushed before the rename");
      assertEquals(staged?.directoriesSynced.slice(0, 2), [runDir, dirname(runDir)]);
    } finally {
      Deno.removeSync(baseDir, { recursive: true });
    }
  },
});
