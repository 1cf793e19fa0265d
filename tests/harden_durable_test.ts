// Copyright 2026 the notata authors. MIT license.
// Durability: a run's final metadata.json and index rewrites are flushed to
// the disk before their rename, and their directory after it, as strace sees.

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

Deno.test({
  name: `a run's final metadata.json and index rewrites are fsynced before and after the rename${
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
      const metadata = atomicWrites(
        text,
        join(exp, "runs", "log_durable_omega_1", "metadata.json"),
      );
      assertEquals(metadata, [{ dataSynced: true, directorySynced: true }]);
      const index = atomicWrites(text, join(exp, "index.csv"));
      assert(index.length >= 1, "reindex rewrote no index.csv");
      for (const write of index) assertEquals(write, { dataSynced: true, directorySynced: true });
    } finally {
      Deno.removeSync(baseDir, { recursive: true });
    }
  },
});
