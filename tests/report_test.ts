// Copyright 2026 the notata authors. MIT license.
// The HTML report's file and the notebook bundles, read as text (what a
// browser makes of them is in report_browser_test.ts).

import {
  assert,
  assertAlmostEquals,
  assertEquals,
  assertMatch,
  assertNotMatch,
  assertRejects,
  assertStringIncludes,
  assertThrows,
} from "@std/assert";
import { join, resolve } from "@std/path";
import {
  Experiment,
  ExperimentReader,
  InvalidValueError,
  LogReader,
  MissingEntryError,
  TemporaryExperiment,
} from "../mod.ts";
import { parallelCoordinatesSvg } from "../src/report/_parallel.ts";
import { reportSweep, SCRIPTED_SVG, seedSweep } from "./_report_sweep.ts";
import { descendants, groups, parseSvg, texts } from "./_svg.ts";

/** Runs `fn` with a fresh temporary directory, removed afterwards. */
function inTempDir(fn: (dir: string) => Promise<void>): () => Promise<void> {
  return async () => {
    const dir = Deno.makeTempDirSync({ prefix: "notata-report-" });
    try {
      await fn(dir);
    } finally {
      Deno.removeSync(dir, { recursive: true });
    }
  };
}

function count(text: string, pattern: RegExp): number {
  return text.match(pattern)?.length ?? 0;
}

/** A notebook's display bundle of `value`. */
async function bundleOf(value: object): Promise<{ "text/html": string; "text/plain": string }> {
  return await Reflect.get(value, Symbol.for("Jupyter.display")).call(value);
}

Deno.test(
  "report(): one self-contained file with the header, a row per run and why runs failed",
  inTempDir(async (dir) => {
    const exp = await reportSweep(dir, true);
    const path = await exp.report();
    assertEquals(path, join(exp.dir, "report.html"));
    const html = Deno.readTextFileSync(path);

    assertStringIncludes(html, "<title>oscillator</title>");
    assertStringIncludes(html, `<code>${resolve(exp.dir)}</code>`);
    for (const state of ["8 runs", "5 complete", "1 failed", "1 crashed", "1 running"]) {
      assertStringIncludes(html, `${state}</li>`);
    }
    assertStringIncludes(html, "Same in every run: steps = 50");
    // Nothing to fetch: a policy that forbids it, and no URL to fetch from.
    assertStringIncludes(html, `content="default-src 'none'; img-src data:;`);
    assertNotMatch(html, /(src|href)="(https?:|\/\/|file:)/);
    assertEquals(count(html, /<script>/g), 2);
    // The SVG plot with a script is only in the file as an image's base64 data.
    assert(!html.includes("document.title = 'pwned'"));
    const scripted = btoa(SCRIPTED_SVG);
    assertStringIncludes(html, `<img src="data:image/svg+xml;base64,${scripted}"`);

    assertEquals(count(html, /<tr class="/g), 8);
    assertStringIncludes(html, '<td class="status">running</td>');
    assertMatch(
      html,
      /<tr class="failed">.*<td class="reason">diverged: energy grew 40-fold<\/td><\/tr>/,
    );
    assertMatch(
      html,
      /<tr class="crashed">.*<td class="reason">the process ended without finishing the run<\/td>/,
    );
    // Charts rendered to SVG: parallel coordinates and 2 metrics × 2 params.
    assertEquals(count(html, /<figure class="chart"><h3>/g), 5);
    assertEquals(count(html, /<details class="run /g), 8);
  }),
);

Deno.test(
  "report({ details }): failed, crashed and running runs first, then the newest",
  inTempDir(async (dir) => {
    const exp = await reportSweep(dir, true);
    const path = await new ExperimentReader(exp.dir).report({
      path: join(dir, "sweep.html"),
      title: "Sweep <1>",
      details: 4,
    });
    assertEquals(path, join(dir, "sweep.html"));
    const html = Deno.readTextFileSync(path);
    assertStringIncludes(html, "<h1>Sweep &lt;1&gt;</h1>");
    const ids = [...html.matchAll(/<details class="run (\w+)" id="run-([^"]+)"/g)]
      .map((match) => [match[1], match[2]]);
    assertEquals(ids, [
      ["running", "oscillator_running"],
      ["crashed", "oscillator_crashed"],
      ["failed", "oscillator_dt_0.002_omega_3_steps_50"],
      ["complete", "oscillator_dt_0.001_omega_3_steps_50"],
    ]);
    // Only runs with details link to them; every run keeps its row.
    assertEquals(count(html, /<th scope="row"><a href="#run-/g), 4);
    assertEquals(count(html, /<tr class="/g), 8);
    assertStringIncludes(html, "4 of 8 runs: failed, crashed and running runs first");
  }),
);

Deno.test(
  "report(): text from params and failure reasons is escaped",
  inTempDir(async (dir) => {
    const exp = new Experiment("escape", { baseDir: dir });
    for (const label of ["<b>bold</b>", "a&b"]) {
      using log = exp.add({ label })!;
      log.markFailed(`<img src=x onerror=alert(1)> in ${label}`);
    }
    const html = Deno.readTextFileSync(await exp.report());
    assertStringIncludes(html, "&lt;b&gt;bold&lt;/b&gt;");
    assertStringIncludes(html, "&lt;img src=x onerror=alert(1)&gt; in a&amp;b");
    assert(!html.includes("<b>bold</b>"));
    assert(!html.includes("<img src=x"));
  }),
);

Deno.test(
  "report() of an experiment with no runs, and of an index whose run directories are gone",
  inTempDir(async (dir) => {
    Deno.mkdirSync(join(dir, "empty", "runs"), { recursive: true });
    const html = Deno.readTextFileSync(await new ExperimentReader(join(dir, "empty")).report());
    assertStringIncludes(html, "<li>0 runs</li>");
    assertStringIncludes(html, "No charts");

    // An index as the Python notata writes it: no schema; params before
    // status, metrics after it.
    const copied = join(dir, "copied");
    Deno.mkdirSync(join(copied, "runs"), { recursive: true });
    Deno.writeTextFileSync(
      join(copied, "index.csv"),
      "run_id,alpha,status,loss\r\nr1,0.1,complete,2.5\r\nr2,0.2,complete,1.5\r\n",
    );
    const copy = Deno.readTextFileSync(await new ExperimentReader(copied).report());
    assertStringIncludes(copy, "<h3>loss vs alpha</h3>");
    assertStringIncludes(copy, "Cannot get run");
  }),
);

Deno.test(
  "report() checks its options before reading anything",
  inTempDir(async (dir) => {
    using exp = new TemporaryExperiment("options");
    exp.add({ omega: 1 })!.markComplete();
    await assertRejects(
      () => exp.report({ details: -1 }),
      InvalidValueError,
      `Cannot write report of "${exp.dir}": details is -1, expected a whole number of runs, 0 or more`,
    );
    await assertRejects(
      () => exp.report({ path: join(dir, "missing", "report.html") }),
      MissingEntryError,
      "the directory of",
    );
    assertThrows(() => new ExperimentReader(join(dir, "nothing")), MissingEntryError);
    assertEquals([...Deno.readDirSync(dir)], []);
  }),
);

Deno.test(
  "notebook display: the runs table for experiments, a run's summary with its plots",
  inTempDir(async (dir) => {
    const exp = await reportSweep(dir);
    for (const shown of [exp, new ExperimentReader(exp.dir)]) {
      const bundle = await bundleOf(shown);
      assertEquals(count(bundle["text/html"], /<tr class="/g), 7);
      assert(!bundle["text/html"].includes("<script"));
      assertEquals(
        bundle["text/plain"],
        [
          "oscillator: 7 runs: 5 complete, 1 failed, 1 crashed",
          "params that vary: dt, omega",
          "metrics: energy_drift, final_energy",
          "same in every run: steps = 50",
        ].join("\n"),
      );
    }
    const run = new LogReader(join(exp.runsDir, "log_oscillator_dt_0.001_omega_1_steps_50"));
    const bundle = await bundleOf(run);
    assertEquals(bundle["text/plain"], run.toString());
    const html = bundle["text/html"];
    assertStringIncludes(html, "<strong>oscillator_dt_0.001_omega_1_steps_50</strong>: complete");
    assertEquals(count(html, /<img src="data:image\/png;base64,/g), 1);
    assertEquals(count(html, /<img src="data:image\/svg\+xml;base64,/g), 2);
    assertStringIncludes(html, "INFO integrating omega=1 dt=0.001");
    assertStringIncludes(html, '<figure class="chart scalars"><svg');
    const failed = new LogReader(join(exp.runsDir, "log_oscillator_dt_0.002_omega_3_steps_50"));
    assertStringIncludes(
      (await bundleOf(failed))["text/html"],
      ": failed: diverged: energy grew 40-fold</p>",
    );
  }),
);

Deno.test("parallel coordinates: a path per run up to 2,000 runs, then one per colour band", () => {
  const axes = [{ name: "a", min: 0, max: 1 }, { name: "b", min: 0, max: 10 }];
  for (const [runs, paths] of [[2_000, 2_000], [2_001, 16]]) {
    const rows = Array.from({ length: runs }, (_, i) => [i / runs, (10 * i) / runs]);
    const svg = parallelCoordinatesSvg(axes, rows, 1, "test");
    const group = svg.slice(svg.indexOf('<g class="mark-line"'), svg.indexOf("</g>"));
    assertEquals(count(group, /<path /g), paths);
    // Every run is drawn: one move-to per line.
    assertEquals(count(group, /M/g), runs);
  }
});

/** The SVG of the report's chart titled `title`, parsed. */
function chartSvg(html: string, title: string): ReturnType<typeof parseSvg> {
  const start = html.indexOf(`<h3>${title}</h3>`);
  assert(start >= 0, `no chart "${title}"`);
  const svgStart = html.indexOf("<svg", start);
  return parseSvg(html.slice(svgStart, html.indexOf("</svg>", svgStart) + "</svg>".length));
}

Deno.test(
  "report({ over }): metrics as error bars and series as bands, mean ± std per configuration",
  inTempDir(async (dir) => {
    const reader = new ExperimentReader(seedSweep(dir));
    const plain = Deno.readTextFileSync(await reader.report());
    assertEquals(count(plain, /mean ± std over/g), 0);
    const html = Deno.readTextFileSync(await reader.report({ over: ["seed"] }));
    const titles = [...html.matchAll(/<figure class="chart"><h3>([^<]*)<\/h3>/g)]
      .map((match) => match[1]);
    assertEquals(titles.slice(-2), [
      "final vs omega, mean ± std over seed",
      "energy, mean ± std over seed",
    ]);

    // One error bar per configuration; their lengths are 2·std: 2·1 for omega 1 (seeds 1-3),
    // 2·√½ for omega 2 (seeds 1-2); the failed run (999) is not in them.
    const bars = chartSvg(html, "final vs omega, mean ± std over seed");
    const rules = groups(bars, "mark-rule").filter((group) =>
      group.attrs.class.includes("role-mark")
    );
    const lines = rules.flatMap((group) => group.children.filter((child) => child.tag === "line"));
    assertEquals(lines.length, 2);
    const [one, two] = lines.map((line) => Math.abs(Number(line.attrs.y2)));
    assertAlmostEquals(one / two, Math.SQRT2, 1e-6);
    assertEquals(groups(bars, "mark-symbol").length, 1);
    assertEquals(
      descendants(groups(bars, "mark-symbol")[0]).filter((mark) => mark.tag === "path").length,
      2,
    );

    // One band and one mean line per configuration, labelled by it.
    const bands = chartSvg(html, "energy, mean ± std over seed");
    const areas = groups(bands, "mark-area").filter((group) =>
      group.attrs.class.includes("role-mark")
    );
    assertEquals(areas.length, 2);
    const meanLines = groups(bands, "mark-line").filter((group) =>
      group.attrs.class.includes("role-mark")
    );
    assertEquals(meanLines.length, 2);
    assertEquals(texts(bands, "role-legend-label"), ["omega=1", "omega=2"]);
    // The failed run's 999 would stretch the value axis past 10.
    const values = texts(bands, "role-axis-label").map(Number).filter(Number.isFinite);
    assert(Math.max(...values) < 10, `axis labels ${values}`);

    await assertRejects(
      () => reader.report({ over: ["sed"], path: join(dir, "bad.html") }),
      InvalidValueError,
      'over names "sed", which is not a param',
    );
    await assertRejects(
      // @ts-expect-error: over is a list
      () => reader.report({ over: "seed", path: join(dir, "bad.html") }),
      InvalidValueError,
      'over is "seed", expected an array of param names',
    );
    assert(!Deno.readDirSync(dir).some((entry) => entry.name === "bad.html"));
  }),
);
