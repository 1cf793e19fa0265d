// Copyright 2026 the notata authors. MIT license.
// examples/slurm/sweep.sbatch on a real Slurm: the job array runs the grid of
// examples/cluster_sweep.ts once, each task its own share; scancel leaves the
// runs that were open failed with "interrupted (SIGTERM)"; submitting again
// finishes the rest. Runs only where `sbatch` is on PATH and a controller
// answers `sinfo`, such as a one-node Slurm on this machine; ignored
// elsewhere. The experiment goes under the system temporary directory, which
// every node must share: on a cluster of several nodes, set TMPDIR.
import { assert, assertEquals, assertMatch } from "@std/assert";
import { parse } from "@std/csv";
import { fromFileUrl, join } from "@std/path";
import { Experiment, grid, type Params } from "../mod.ts";

const ROOT = fromFileUrl(new URL("../", import.meta.url));
const SCRIPT = join(ROOT, "examples", "slurm", "sweep.sbatch");
/** The grid of examples/cluster_sweep.ts, in its order. */
const POINTS = grid({ omega: [1, 2, 4, 8], gamma: [0, 0.1, 0.5] }, {
  dt: 1e-3,
  t_end: 10,
});
const TASKS = 4; // --array=0-3 in the script
/** How long each test may wait for Slurm in all, so that a stuck queue fails it. */
const BUDGET_MS = 28_000;
const decoder = new TextDecoder();

function succeeds(command: string, ...args: string[]): boolean {
  try {
    return new Deno.Command(command, { args, stdout: "null", stderr: "null" }).outputSync()
      .success;
  } catch {
    return false; // not on PATH
  }
}

/**
 * Whether sbatch is on PATH and a Slurm controller answers; decided once.
 * sinfo retries for about 10 s when no controller runs: `timeout` cuts that short.
 */
const HAS_SLURM = succeeds("sbatch", "--version") &&
  succeeds("timeout", "3", "sinfo", "--noheader");
const IGNORED = HAS_SLURM ? "" : " (ignored: sbatch is not on PATH or no Slurm controller answers)";

async function slurm(command: string, ...args: string[]): Promise<string> {
  const { success, stdout, stderr } = await new Deno.Command(command, { args }).output();
  assert(success, `${command} ${args.join(" ")}: ${decoder.decode(stderr)}`);
  return decoder.decode(stdout).trim();
}

/** A job array of the sweep script submitted from `dir`, each run taking `runSeconds` more. */
interface Submission {
  dir: string;
  /** The array's job id. */
  job: string;
}

async function submit(dir: string, runSeconds: number): Promise<Submission> {
  const { success, stdout, stderr } = await new Deno.Command("sbatch", {
    args: ["--parsable", SCRIPT],
    cwd: dir,
    env: {
      SWEEP: join(ROOT, "examples", "cluster_sweep.ts"),
      IMPORT_MAP: join(ROOT, "import_map.npm.json"),
      CLUSTER_SWEEP_BASE_DIR: join(dir, "outputs"),
      CLUSTER_SWEEP_RUN_SECONDS: String(runSeconds),
    },
  }).output();
  const job = decoder.decode(stdout).trim().split(";")[0];
  assert(success && /^\d+$/.test(job), `sbatch: ${decoder.decode(stderr)}`);
  return { dir, job };
}

async function waitFor(
  what: string,
  done: () => boolean | Promise<boolean>,
  deadline: number,
): Promise<void> {
  while (!(await done())) {
    assert(Date.now() < deadline, `Timed out waiting for ${what} (${BUDGET_MS} ms per test)`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function hasEnded(job: string): Promise<boolean> {
  const { success, stdout } = await new Deno.Command("squeue", {
    args: ["--noheader", "--jobs", job, "--states", "PD,CF,R,CG,S", "--format", "%i"],
    stderr: "null",
  }).output();
  // squeue fails for a job id the controller has already forgotten.
  return !success || decoder.decode(stdout).trim() === "";
}

function output(dir: string, name: string): string {
  return Deno.readTextFileSync(join(dir, name));
}

/** The report job the array's first task submitted, once it has ended: its output. */
async function report(sub: Submission, deadline: number): Promise<string> {
  const id = output(sub.dir, `cluster_sweep_${sub.job}_0.out`).match(/Submitted batch job (\d+)/)
    ?.[1];
  assert(id !== undefined, "task 0 submitted no report job");
  await waitFor(`report job ${id}`, () => hasEnded(id!), deadline);
  return output(sub.dir, `cluster_sweep_report_${id}.out`).trim();
}

/** Cancels what a test submitted from `dir` that is still queued or running. */
async function cancelAll(dir: string): Promise<void> {
  const jobs = new Set<string>();
  for (const entry of Deno.readDirSync(dir)) {
    const match = entry.name.match(/^cluster_sweep_(\d+)_\d+\.out$/);
    if (match === null) continue;
    jobs.add(match[1]);
    for (const [, id] of output(dir, entry.name).matchAll(/Submitted batch job (\d+)/g)) {
      jobs.add(id);
    }
  }
  if (jobs.size > 0) await new Deno.Command("scancel", { args: [...jobs] }).output();
}

function experiment(dir: string): Experiment {
  return new Experiment("cluster_sweep", { baseDir: join(dir, "outputs") });
}

function metadata(exp: Experiment, params: Params): Record<string, unknown> {
  return JSON.parse(
    Deno.readTextFileSync(join(exp.runsDir, `log_${exp.runId(params)}`, "metadata.json")),
  );
}

/** index.csv as one object per row, keyed by run id. */
function indexRows(exp: Experiment): Map<string, Record<string, string>> {
  const rows: Record<string, string>[] = parse(Deno.readTextFileSync(exp.indexPath), {
    skipFirstRow: true,
  });
  return new Map(rows.map((row) => [row.run_id, row]));
}

/** Runs `fn` in a fresh directory with a deadline, then cancels its jobs and removes it. */
function inTempDir(fn: (dir: string, deadline: number) => Promise<void>): () => Promise<void> {
  return async () => {
    const dir = Deno.makeTempDirSync({ prefix: "notata_slurm_" });
    try {
      await fn(dir, Date.now() + BUDGET_MS);
    } finally {
      await cancelAll(dir);
      Deno.removeSync(dir, { recursive: true });
    }
  };
}

Deno.test({
  name: "sweep.sbatch runs the grid once, each array task its own share" + IGNORED,
  ignore: !HAS_SLURM,
  fn: inTempDir(async (dir, deadline) => {
    const sub = await submit(dir, 0);
    await waitFor(`job ${sub.job} to end`, () => hasEnded(sub.job), deadline);
    const exp = experiment(dir);

    assertEquals(
      [...Deno.readDirSync(exp.runsDir)].map((entry) => entry.name).sort(),
      POINTS.map((params) => `log_${exp.runId(params)}`).sort(),
    );
    const pids = new Set<unknown>();
    for (let task = 0; task < TASKS; task++) {
      const share = POINTS.filter((_, position) => position % TASKS === task);
      const metas = share.map((params) => metadata(exp, params));
      const { pid, hostname } = metas[0];
      pids.add(pid);
      for (const meta of metas) {
        assertEquals(meta.status, "complete");
        assertEquals([meta.slurm_job, meta.pid, meta.hostname], [
          `${sub.job}_${task}`,
          pid,
          hostname,
        ]);
      }
      assertEquals(hostname, Deno.hostname());
      assertMatch(
        output(dir, `cluster_sweep_${sub.job}_${task}.out`),
        new RegExp(
          `array task ${task} \\(pid ${pid}\\): 3 runs in this share: 3 done, 0 skipped, 0 failed`,
        ),
      );
    }
    assertEquals(pids.size, TASKS);

    assertEquals(
      await report(sub, deadline),
      `${exp.dir}: 12 runs in the grid: 12 complete; ` +
        "index.csv: 12 rows as the tasks wrote it, 12 rebuilt from the run directories",
    );
    const rows = indexRows(exp);
    assertEquals(rows.size, POINTS.length);
    for (const params of POINTS) {
      const row = rows.get(exp.runId(params))!;
      assertEquals(row.status, "complete");
      // Classic Runge-Kutta at dt = 1e-3 over 10 time units: error O((omega dt)^4 omega t).
      assert(Number(row.abs_error) < 1e-8, `abs_error ${row.abs_error} of ${row.run_id}`);
    }
  }),
});

Deno.test({
  name: "scancel fails the open runs as interrupted (SIGTERM); resubmitting finishes the rest" +
    IGNORED,
  ignore: !HAS_SLURM,
  fn: inTempDir(async (dir, deadline) => {
    const exp = experiment(dir);
    const statuses = () =>
      POINTS.map((params) => {
        try {
          return metadata(exp, params).status as string;
        } catch {
          return "not started"; // no run directory, or its metadata.json is not written yet
        }
      });
    const count = (list: string[], status: string) => list.filter((s) => s === status).length;

    // Each run takes 2 s: cancel once every task has finished its first run and opened its second.
    const slow = await submit(dir, 2);
    let before: string[] = [];
    await waitFor("each task's first run to complete and its second to open", () => {
      before = statuses();
      return count(before, "complete") === TASKS && count(before, "initialized") === TASKS;
    }, deadline);
    await slurm("scancel", slow.job);
    await waitFor(`job ${slow.job} to end`, () => hasEnded(slow.job), deadline);

    const rows = indexRows(exp);
    const after = statuses();
    POINTS.forEach((params, position) => {
      const runId = exp.runId(params);
      const status = after[position];
      if (before[position] === "initialized") {
        const meta = metadata(exp, params);
        assertEquals([status, meta.failure_reason], ["failed", "interrupted (SIGTERM)"], runId);
        assertEquals(
          [rows.get(runId)?.status, rows.get(runId)?.failure_reason],
          ["failed", "interrupted (SIGTERM)"],
        );
        const log = Deno.readTextFileSync(join(exp.runsDir, `log_${runId}`, "log.txt"));
        assertMatch(log, /ERROR Run failed: interrupted \(SIGTERM\)\n$/);
      } else {
        assertEquals(status, before[position], runId);
        assertEquals(rows.get(runId)?.status, status === "complete" ? "complete" : undefined);
      }
    });
    assertEquals(
      await report(slow, deadline),
      `${exp.dir}: 12 runs in the grid: 4 complete, 4 failed, 4 not started; ` +
        "index.csv: 8 rows as the tasks wrote it, 8 rebuilt from the run directories",
    );

    const again = await submit(dir, 0);
    await waitFor(`job ${again.job} to end`, () => hasEnded(again.job), deadline);
    for (let task = 0; task < TASKS; task++) {
      assertMatch(
        output(dir, `cluster_sweep_${again.job}_${task}.out`),
        /3 runs in this share: 2 done, 1 skipped, 0 failed, 0 crashed before and run again/,
      );
    }
    POINTS.forEach((params, position) => {
      const meta = metadata(exp, params);
      assertEquals(meta.status, "complete");
      const task = position % TASKS;
      const ranIn = before[position] === "complete" ? slow.job : again.job;
      assertEquals(meta.slurm_job, `${ranIn}_${task}`);
      const attempts = meta.attempts as Record<string, unknown>[] | undefined;
      assertEquals(
        attempts?.map((attempt) => attempt.failure_reason),
        before[position] === "initialized" ? ["interrupted (SIGTERM)"] : undefined,
      );
    });
    assertEquals(
      await report(again, deadline),
      `${exp.dir}: 12 runs in the grid: 12 complete; ` +
        "index.csv: 12 rows as the tasks wrote it, 12 rebuilt from the run directories",
    );
  }),
});
