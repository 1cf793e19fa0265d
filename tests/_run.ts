// Copyright 2026 the notata authors. MIT license.
// A test body with an open run of its own, and runs crafted on disk as another
// process would leave them.

import { join } from "@std/path";
import { type Experiment, Logbook, type Params } from "../mod.ts";
import { HEARTBEAT_FILE } from "../src/_liveness.ts";

/**
 * A test body given an open run in a fresh temporary directory; the run is
 * finished (closing its files) and the directory removed afterwards.
 */
export function withRun(fn: (log: Logbook) => void | Promise<void>): () => Promise<void> {
  return async () => {
    const baseDir = Deno.makeTempDirSync();
    try {
      using log = new Logbook("run", { baseDir });
      await fn(log);
    } finally {
      Deno.removeSync(baseDir, { recursive: true });
    }
  };
}

/** Who left an unfinished run, and when it last showed life. */
export interface Owner {
  hostname: string | null;
  pid: number;
  /** Seconds before now. */
  startedAgo: number;
  /** Seconds before now, or no heartbeat file. */
  beatAgo?: number;
}

/** Lays out an unfinished run of `params` as its owner left it (negative ages: the future). */
export function craftRun(exp: Experiment, params: Params, owner: Owner): string {
  const runId = exp.runId(params);
  const runDir = join(exp.runsDir, `log_${runId}`);
  Deno.mkdirSync(join(runDir, "artifacts"), { recursive: true });
  const ago = (seconds: number) => new Date(Date.now() - seconds * 1000).toISOString();
  Deno.writeTextFileSync(join(runDir, "params.json"), JSON.stringify(params));
  Deno.writeTextFileSync(
    join(runDir, "metadata.json"),
    JSON.stringify({
      run_id: runId,
      status: "initialized",
      start_time: ago(owner.startedAgo),
      end_time: null,
      runtime_sec: null,
      pid: owner.pid,
      hostname: owner.hostname,
    }),
  );
  Deno.writeTextFileSync(join(runDir, "artifacts", "metrics.json"), '{"energy": 1.5}');
  if (owner.beatAgo !== undefined) {
    Deno.writeTextFileSync(join(runDir, HEARTBEAT_FILE), `${ago(owner.beatAgo)}\n`);
  }
  return runDir;
}
