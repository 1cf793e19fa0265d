// Copyright 2026 the notata authors. MIT license.
// `notata report` and `notata ls --over`, run as a user runs them, on a sweep
// with seeds: omega 1 with seeds 1-3, omega 2 with seeds 1-2 (seed 3
// missing), and a failed run (omega 1, seed 4) that no aggregate counts.
import { assert, assertEquals, assertMatch, assertStringIncludes } from "@std/assert";
import { join } from "@std/path";
import { notata, notataOk, parseTable, snapshot } from "./_cli.ts";
import { seedSweep } from "./_report_sweep.ts";

function count(text: string, pattern: RegExp): number {
  return text.match(pattern)?.length ?? 0;
}

async function withSeedSweep(fn: (exp: string, baseDir: string) => Promise<void>): Promise<void> {
  const baseDir = Deno.makeTempDirSync({ prefix: "notata_cli_" });
  try {
    await fn(seedSweep(baseDir), baseDir);
  } finally {
    Deno.removeSync(baseDir, { recursive: true });
  }
}

Deno.test("notata report writes the report with every run and prints its path", async () => {
  await withSeedSweep(async (exp, baseDir) => {
    assertEquals(await notataOk(["report", exp]), `${join(exp, "report.html")}\n`);
    const html = Deno.readTextFileSync(join(exp, "report.html"));
    assertStringIncludes(html, "<title>seeds</title>");
    for (const runId of ["seeds_omega_1_seed_1", "seeds_omega_2_seed_2", "seeds_omega_1_seed_4"]) {
      assertStringIncludes(html, `>${runId}<`);
    }
    const other = join(baseDir, "other.html");
    assertEquals(
      await notataOk(["report", exp, "-o", other, "--title", "Seeds & omega"]),
      `${other}\n`,
    );
    assertStringIncludes(Deno.readTextFileSync(other), "<h1>Seeds &amp; omega</h1>");
    assertEquals(count(Deno.readTextFileSync(other), /mean ± std over seed/g), 0);
    await notataOk(["report", exp, "-o", other, "--over", "seed"]);
    assertEquals(count(Deno.readTextFileSync(other), /<h3>[^<]*mean ± std over seed<\/h3>/g), 2);
  });
});

Deno.test("notata report with a bad path exits 2 and writes nothing", async () => {
  await withSeedSweep(async (exp, baseDir) => {
    const before = snapshot(baseDir);
    const cases: [string[], RegExp][] = [
      [
        ["report", exp, "-o", join(baseDir, "missing", "r.html")],
        /^notata: Cannot write report of ".*": the directory of ".*missing.r\.html" does not exist/,
      ],
      [["report", join(baseDir, "nope")], /^notata: Cannot write report: ".*nope" does not exist/],
      [["report", exp, "--output"], /^notata: Cannot write report: --output needs a value/],
      [["report"], /^notata: Cannot write report: expected one experiment directory/],
      [
        ["report", exp, "--over", "sed"],
        /^notata: Cannot aggregate runs: over names "sed", which is not a param/,
      ],
    ];
    for (const [args, message] of cases) {
      const result = await notata(args);
      assertEquals([result.code, result.stdout], [2, ""], args.join(" "));
      assertMatch(result.stderr, message);
      assertEquals(result.stderr.trimEnd().split("\n").length, 1);
    }
    assertEquals(snapshot(baseDir), before);
    assert(!Deno.readDirSync(exp).some((entry) => entry.name.endsWith(".html")));
  });
});

Deno.test("notata ls --over seed: one row per configuration, n and mean ± std", async () => {
  await withSeedSweep(async (exp) => {
    const listing = await notataOk(["ls", exp, "--over", "seed"]);
    const lines = listing.trimEnd().split("\n");
    assertEquals(parseTable(lines.slice(0, 3)), {
      columns: ["omega", "n", "final"],
      rows: [["1", "3", "12 ± 1"], ["2", "2", "21.5 ± 0.707107"]],
    });
    assertMatch(lines[3], /^2 configurations of 5 complete runs/);

    const rows = JSON.parse(await notataOk(["ls", exp, "--over", "seed", "--json"]));
    assertEquals(rows, [
      {
        omega: 1,
        n: 3,
        final_mean: 12,
        final_std: 1,
        final_min: 11,
        final_max: 13,
        final_count: 3,
      },
      {
        omega: 2,
        n: 2,
        final_mean: 21.5,
        final_std: Math.SQRT1_2,
        final_min: 21,
        final_max: 22,
        final_count: 2,
      },
    ]);
    const csv = await notataOk(["ls", exp, "--over", "seed", "--csv"]);
    assertEquals(csv.split("\n").slice(0, 2), [
      "omega,n,final_mean,final_std,final_min,final_max,final_count",
      "1,3,12,1,11,13,3",
    ]);
    // The failed run joins its configuration only when asked for.
    const withFailed = JSON.parse(
      await notataOk([
        "ls",
        exp,
        "--over",
        "seed",
        "--status",
        "complete",
        "--status",
        "failed",
        "--json",
      ]),
    );
    assertEquals(withFailed.map((row: { n: number }) => row.n), [4, 2]);
    assertEquals(withFailed[0].final_mean, (11 + 12 + 13 + 999) / 4);
    // Over both params: one configuration of every complete run.
    const all = JSON.parse(await notataOk(["ls", exp, "--over", "seed,omega", "--json"]));
    assertEquals([all[0].n, all[0].final_mean], [5, (11 + 12 + 13 + 21 + 22) / 5]);

    const second = await notataOk([
      "ls",
      exp,
      "--over",
      "seed",
      "--where",
      "omega>1",
      "--csv",
      "--columns",
      "omega,final_mean",
    ]);
    assertEquals(second, "omega,final_mean\n2,21.5\n");
  });
});

Deno.test("notata ls --over with a bad key or a --where on it exits 2", async () => {
  await withSeedSweep(async (exp) => {
    const cases: [string[], RegExp][] = [
      [
        ["ls", exp, "--over", "sed"],
        /^notata: Cannot aggregate runs: over names "sed", which is not a param, expected one of the params: "omega", "seed"$/,
      ],
      [
        ["ls", exp, "--over", "seed", "--where", "seed=1"],
        /^notata: Cannot list runs: --where "seed=1" names seed, which --over aggregates over/,
      ],
      [["ls", exp, "--over="], /^notata: Cannot list runs: --over needs a value$/],
    ];
    for (const [args, message] of cases) {
      const result = await notata(args);
      assertEquals([result.code, result.stdout], [2, ""], args.join(" "));
      assertMatch(result.stderr.trimEnd(), message);
    }
  });
});
