// Copyright 2026 the notata authors. MIT license.
// The command line over a large experiment: `notata ls --json` against a
// fresh process doing `pl.readCSV` of the same index.csv, and `notata
// status` against a fresh process parsing every run's metadata.json. Each
// side is one `deno run`, so both pay Deno's start and Polars' load where
// they use it. The experiment is written directly (run directories, index
// and schema as the library writes them), not through the library: adding
// 100,000 runs through it takes minutes and is measured by the sweep rows.

import { fromFileUrl, join } from "@std/path";
import {
  alternate,
  formatNumber,
  pairedRow,
  progress,
  type Row,
  secondsSince,
} from "./_harness.ts";
import type { BenchContext } from "./_context.ts";

const IMPORT_MAP = fromFileUrl(new URL("../import_map.npm.json", import.meta.url));
const CLI = fromFileUrl(new URL("../src/cli/main.ts", import.meta.url));
const READ_INDEX = fromFileUrl(new URL("./cli/read_index.ts", import.meta.url));
const READ_METADATA = fromFileUrl(new URL("./cli/read_metadata.ts", import.meta.url));

const COLUMNS: [string, string, string][] = [
  ["run_id", "id", "string"],
  ["omega", "param", "float"],
  ["seed", "param", "int"],
  ["status", "status", "string"],
  ["drift", "metric", "float"],
  ["final_energy", "metric", "float"],
  ["runtime_sec", "extra", "float"],
  ["failure_reason", "extra", "string"],
];

/** Writes experiment "big" with `runs` runs under `root`, every tenth one failed. */
export function writeExperiment(root: string, runs: number): string {
  const dir = join(root, "big");
  Deno.mkdirSync(join(dir, "runs"), { recursive: true });
  const header = COLUMNS.map(([name]) => name).join(",") + "\r\n";
  const lines = [header];
  const start = Date.parse("2026-01-01T00:00:00Z");
  for (let i = 0; i < runs; i++) {
    const omega = 1 + (i % 100) / 10;
    const seed = Math.floor(i / 100);
    const runId = `big_omega_${omega}_seed_${seed}`;
    const failed = i % 10 === 9;
    const status = failed ? "failed" : "complete";
    const reason = failed ? "energy diverged" : null;
    const drift = 1e-6 * omega;
    const energy = omega ** 2 / 2;
    const runDir = join(dir, "runs", `log_${runId}`);
    Deno.mkdirSync(join(runDir, "artifacts"), { recursive: true });
    const startTime = new Date(start + i * 1000).toISOString();
    Deno.writeTextFileSync(join(runDir, "params.json"), JSON.stringify({ omega, seed }));
    Deno.writeTextFileSync(
      join(runDir, "metadata.json"),
      JSON.stringify({
        end_time: new Date(start + i * 1000 + 500).toISOString(),
        failure_reason: reason ?? undefined,
        hostname: `node${String(i % 8).padStart(2, "0")}`,
        pid: 1000 + i,
        run_id: runId,
        runtime_sec: 0.5,
        start_time: startTime,
        status,
      }),
    );
    Deno.writeTextFileSync(
      join(runDir, "artifacts", "metrics.json"),
      JSON.stringify({ drift, final_energy: energy }),
    );
    lines.push(`${runId},${omega},${seed},${status},${drift},${energy},0.5,${reason ?? ""}\r\n`);
  }
  Deno.writeTextFileSync(join(dir, "index.csv"), lines.join(""));
  Deno.writeTextFileSync(
    join(dir, "index.schema.json"),
    JSON.stringify({
      columns: COLUMNS.map(([name, role, type]) => ({ name, role, type })),
      header,
      version: 1,
    }),
  );
  return dir;
}

/** Runs `deno run -A <script> <args>`, returning milliseconds and stdout. */
async function timedRun(script: string, args: string[]): Promise<{ ms: number; stdout: string }> {
  const command = new Deno.Command(Deno.execPath(), {
    // -A: the files are on /dev/shm, which Deno grants to --allow-all only.
    args: ["run", "-A", `--import-map=${IMPORT_MAP}`, script, ...args],
    env: { NO_COLOR: "1" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  });
  const start = performance.now();
  const { code, stdout, stderr } = await command.output();
  const ms = performance.now() - start;
  if (code !== 0) {
    throw new Error(
      `Cannot benchmark the command line: ${script} ${args.join(" ")} exited ${code}: ${
        new TextDecoder().decode(stderr)
      }`,
    );
  }
  return { ms, stdout: new TextDecoder().decode(stdout) };
}

function assertCount(what: string, count: number, expected: number): void {
  if (count !== expected) {
    throw new Error(`Cannot benchmark ${what}: it saw ${count} runs, expected ${expected}`);
  }
}

/** The `notata ls --json` and `notata status` rows. */
export async function cliRows(ctx: BenchContext): Promise<Row[]> {
  const { cliRuns: runs, cliRepeats: repeats } = ctx.sizes;
  const root = Deno.makeTempDirSync({ dir: ctx.scratch.fast });
  try {
    const written = performance.now();
    const dir = writeExperiment(root, runs);
    progress(`wrote a ${runs}-run experiment in ${secondsSince(written).toFixed(1)} s`);
    const index = join(dir, "index.csv");
    const ls = () =>
      timedRun(CLI, ["ls", dir, "--json"]).then(({ ms, stdout }) => {
        assertCount("notata ls --json", stdout.split("\n{").length - 1, runs);
        return ms;
      });
    const readCsv = () =>
      timedRun(READ_INDEX, [index]).then(({ ms, stdout }) => {
        assertCount("pl.readCSV", Number(stdout), runs);
        return ms;
      });
    const status = () =>
      timedRun(CLI, ["status", dir, "--json"]).then(({ ms, stdout }) => {
        assertCount("notata status", JSON.parse(stdout).total, runs);
        return ms;
      });
    const readMetadata = () =>
      timedRun(READ_METADATA, [dir]).then(({ ms, stdout }) => {
        const counts: Record<string, number> = JSON.parse(stdout);
        assertCount(
          "the metadata baseline",
          Object.values(counts).reduce((a, b) => a + b, 0),
          runs,
        );
        return ms;
      });
    // Untimed warm-up: Deno's caches for both scripts, the files in the page cache.
    await ls();
    await readCsv();
    await status();
    await readMetadata();
    const lsPaired = await alternate(repeats, ls, readCsv);
    const statusPaired = await alternate(repeats, status, readMetadata);
    const count = formatNumber(runs);
    return [
      pairedRow(
        {
          id: "cli_ls",
          name: `notata ls --json, ${count} runs`,
          unit: "ms",
          ratioKind: "time",
          target: "≤ 2× and < 2 s",
          notes:
            `baseline: a fresh deno run that loads Polars and pl.readCSV's the same index.csv (types inferred); both are processes started with -A; median of ${repeats} alternated repetitions`,
          extra: { runs },
        },
        lsPaired,
        (ratio, ms) => ratio <= 2 && ms < 2000,
      ),
      pairedRow(
        {
          id: "cli_status",
          name: `notata status --json, ${count} runs`,
          unit: "ms",
          ratioKind: "time",
          target: "report",
          notes:
            `baseline: a fresh deno run that lists runs/ and JSON.parse's every run's metadata.json, counting statuses (status also needs hosts and times, which the index lacks); median of ${repeats} alternated repetitions`,
          extra: { runs },
        },
        statusPaired,
        () => null,
      ),
    ];
  } finally {
    Deno.removeSync(root, { recursive: true });
  }
}
