// Copyright 2026 the notata authors. MIT license.
// Tests of headless Vega-Lite rendering: the SVG is parsed as XML and its
// marks are checked against the data; errors, permissions (in subprocesses)
// and what importing mod.ts loads.

import {
  assert,
  assertEquals,
  assertInstanceOf,
  assertMatch,
  assertRejects,
  assertStringIncludes,
} from "@std/assert";
import { fromFileUrl, join, toFileUrl } from "@std/path";
import { isVegaLiteSpec, renderVegaLiteSvg } from "../src/_vega.ts";
import { InvalidValueError } from "../src/errors.ts";
import { descendants, ENERGY, groups, lineSpec, parseSvg, texts, translation } from "./_svg.ts";

// ---------------------------------------------------------------------------
// Helpers

const importMap = fromFileUrl(new URL("../import_map.npm.json", import.meta.url));
const vegaModule = new URL("../src/_vega.ts", import.meta.url).href;

/**
 * Runs a script that renders each spec of `specs` as plot "p" and prints the
 * SVG length or the error, with the given flags and environment.
 */
async function renderInSubprocess(
  dir: string,
  specs: unknown[],
  flags: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const script = join(dir, "render.ts");
  Deno.writeTextFileSync(
    script,
    `import { renderVegaLiteSvg } from ${JSON.stringify(vegaModule)};
for (const spec of JSON.parse(Deno.args[0])) {
  try {
    console.log("svg", (await renderVegaLiteSvg(spec, "p")).length);
  } catch (error) {
    console.log(\`\${error.name}: \${error.message}\`);
  }
}
`,
  );
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--no-prompt",
      `--import-map=${importMap}`,
      ...flags,
      toFileUrl(script).href,
      JSON.stringify(specs),
    ],
    env,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decoder = new TextDecoder();
  return { code, stdout: decoder.decode(stdout), stderr: decoder.decode(stderr) };
}

// energy(t) at five times; the scales are fixed so positions are exact:
// x = 100 t, y = 200 - 100 energy.
const POINTS = [
  { omega: 1, drift: 0.5, method: "verlet" },
  { omega: 2, drift: 1.5, method: "euler <explicit>" },
  { omega: 3, drift: 1, method: "verlet" },
  { omega: 4, drift: 2, method: 'rk4 & "adaptive"' },
  { omega: 5, drift: 0, method: "euler <explicit>" },
  { omega: 6, drift: 0.25, method: "verlet" },
  { omega: 7, drift: 1.75, method: 'rk4 & "adaptive"' },
];

function pointSpec(): Record<string, unknown> {
  return {
    width: 350,
    height: 100,
    data: { values: POINTS },
    mark: "point",
    encoding: {
      x: { field: "omega", type: "quantitative", scale: { domain: [0, 7] } },
      y: {
        field: "drift",
        type: "quantitative",
        title: "Drift & error",
        scale: { domain: [0, 2] },
      },
      color: { field: "method", type: "nominal" },
    },
  };
}

// ---------------------------------------------------------------------------
// Rendering

Deno.test("renderVegaLiteSvg draws a line chart: one path through every point, axis titles", async () => {
  const svg = await renderVegaLiteSvg(lineSpec(), "energy");
  const root = parseSvg(svg);
  const lines = groups(root, "mark-line");
  assertEquals(lines.length, 1);
  const paths = lines[0]!.children.filter((child) => child.tag === "path");
  assertEquals(paths.length, 1);
  const d = paths[0]!.attrs.d!;
  assertMatch(d, /^M[^ML]+(L[^ML]+)+$/);
  const points = d.slice(1).split("L").map((point) => point.split(",").map(Number));
  assertEquals(points, ENERGY.map(({ t, energy }) => [100 * t, 200 - 100 * energy]));
  assertEquals(texts(root, "role-axis-title"), ["Time (s)", "energy"]);
});

Deno.test("renderVegaLiteSvg draws a point chart: one symbol per point at its position, a legend", async () => {
  const svg = await renderVegaLiteSvg(pointSpec(), "drift");
  const root = parseSvg(svg);
  const symbols = groups(root, "mark-symbol").filter((group) =>
    group.attrs.class!.includes("role-mark")
  );
  assertEquals(symbols.length, 1);
  const paths = symbols[0]!.children.filter((child) => child.tag === "path");
  assertEquals(paths.length, POINTS.length);
  assertEquals(
    paths.map(translation),
    POINTS.map(({ omega, drift }) => [50 * omega, 100 - 50 * drift]),
  );
  // The points of one method share its colour; three methods, three colours.
  const colors = paths.map((path) => path.attrs.stroke);
  assertEquals(new Set(colors).size, 3);
  assertEquals(colors[0], colors[2]);
  assertEquals(colors[1], colors[4]);
  assertEquals(colors[3], colors[6]);
  assertEquals(texts(root, "role-axis-title"), ["omega", "Drift & error"]);
  // Markup in the data is escaped: the parser gets the labels back verbatim.
  assertEquals(texts(root, "role-legend-title"), ["method"]);
  assertEquals(texts(root, "role-legend-label").sort(), [
    "euler <explicit>",
    'rk4 & "adaptive"',
    "verlet",
  ]);
  assertStringIncludes(svg, "euler &lt;explicit&gt;");
});

Deno.test("renderVegaLiteSvg leaves the spec as it was and renders it to the same bytes", async () => {
  // A clipped area with a gradient: Vega numbers clip paths and gradients.
  const spec = {
    data: { values: ENERGY },
    mark: {
      type: "area",
      clip: true,
      line: true,
      color: {
        gradient: "linear",
        x1: 1,
        y1: 1,
        x2: 1,
        y2: 0,
        stops: [{ offset: 0, color: "white" }, { offset: 1, color: "darkgreen" }],
      },
    },
    encoding: {
      x: { field: "t", type: "quantitative", scale: { domain: [1, 3] } },
      y: { field: "energy", type: "quantitative" },
    },
  };
  const before = structuredClone(spec);
  const first = await renderVegaLiteSvg(spec, "area");
  assertEquals(spec, before);
  // Vega tags the data it ingests; the caller's objects stay untagged.
  for (const datum of spec.data.values) assertEquals(Object.getOwnPropertySymbols(datum), []);
  await renderVegaLiteSvg(lineSpec(), "other");
  assertEquals(await renderVegaLiteSvg(spec, "area"), first);
  const ids = descendants(parseSvg(first)).map((element) => element.attrs.id).filter(Boolean);
  assertEquals(ids, ["gradient_0", "clip1", "clip2"]);
  // Renders started together take turns and give the same bytes.
  const together = await Promise.all([
    renderVegaLiteSvg(spec, "area"),
    renderVegaLiteSvg(lineSpec(), "line"),
    renderVegaLiteSvg(spec, "area"),
  ]);
  assertEquals(together[0], first);
  assertEquals(together[2], first);
  assertEquals(together[1], await renderVegaLiteSvg(lineSpec(), "line"));
});

Deno.test("an animated chart renders its first frame and leaves no timer running", async () => {
  // Vega-Lite animates with a timer event stream; the sanitizers catch any
  // timer it leaves behind.
  const spec = {
    data: {
      values: [
        { omega: 1, drift: 0.5, year: 2000 },
        { omega: 2, drift: 1.5, year: 2000 },
        { omega: 3, drift: 1, year: 2001 },
      ],
    },
    params: [{ name: "frame", select: { type: "point", fields: ["year"], on: "timer" } }],
    transform: [{ filter: { param: "frame" } }],
    mark: "point",
    encoding: {
      x: { field: "omega", type: "quantitative" },
      y: { field: "drift", type: "quantitative" },
      time: { field: "year", type: "ordinal", sort: "ascending" },
    },
  };
  // A timer would outlive the test only if it starts while d3-timer is idle
  // and the render ends within its 17 ms frame: the first render warms the
  // code up, the pause lets any timer of it finish, the second is checked.
  const first = await renderVegaLiteSvg(spec, "animated");
  await new Promise((resolve) => setTimeout(resolve, 40));
  assertEquals(await renderVegaLiteSvg(spec, "animated"), first);
  const root = parseSvg(first);
  const symbols = groups(root, "mark-symbol").flatMap((group) =>
    group.children.filter((child) => child.tag === "path")
  );
  assertEquals(symbols.map((symbol) => symbol.attrs["aria-label"]), [
    "omega: 1; drift: 0.5; year: 2000",
    "omega: 2; drift: 1.5; year: 2000",
  ]);
});

Deno.test("renderVegaLiteSvg prints Vega-Lite's warnings with the plot name", async () => {
  const warnings: string[] = [];
  const original = console.warn;
  console.warn = (...args: unknown[]) => warnings.push(args.join(" "));
  try {
    const spec = lineSpec();
    (spec.encoding as Record<string, Record<string, unknown>>).y!.aggregate = "bogus";
    parseSvg(await renderVegaLiteSvg(spec, "energy"));
  } finally {
    console.warn = original;
  }
  assertEquals(warnings, ['Plot "energy": WARN Invalid aggregation operator "bogus".']);
});

// ---------------------------------------------------------------------------
// Errors

Deno.test("a spec Vega-Lite rejects gives InvalidValueError naming the plot and the reason", async () => {
  const cases: [Record<string, unknown>, string][] = [
    [{}, "Invalid specification {}"],
    [
      { data: { values: ENERGY }, mark: "line", encoding: { x: { field: "t", type: "time-ish" } } },
      'Invalid field type "undefined"',
    ],
    [{ ...lineSpec(), transform: [{ calculate: "sqrt(", as: "z" }] }, "Unexpected end of input"],
  ];
  for (const [spec, reason] of cases) {
    const error = await assertRejects(() => renderVegaLiteSvg(spec, "broken"), InvalidValueError);
    assert(
      error.message.startsWith('Cannot render plot "broken": Vega-Lite rejects the spec: '),
      error.message,
    );
    assertStringIncludes(error.message, reason);
    assertStringIncludes(error.message, "; expected a Vega-Lite spec with inline data");
    assert(error.cause instanceof Error);
  }
});

Deno.test("a spec that is not JSON gives InvalidValueError", async () => {
  const spec = { mark: "point", data: { values: [{ x: 1n }] } };
  const error = await assertRejects(() => renderVegaLiteSvg(spec, "big"), InvalidValueError);
  assertEquals(
    error.message,
    'Cannot render plot "big": the spec is not JSON: Do not know how to serialize a BigInt; expected a Vega-Lite spec with inline data (https://vega.github.io/vega-lite/docs/spec.html)',
  );
});

Deno.test("an expression that fails while rendering gives InvalidValueError, not an empty plot", async () => {
  const spec = { ...lineSpec(), transform: [{ filter: "datum.missing.field > 1" }] };
  const error = await assertRejects(() => renderVegaLiteSvg(spec, "energy"), InvalidValueError);
  assertEquals(
    error.message,
    `Cannot render plot "energy": Vega cannot render it: Cannot read properties of undefined (reading 'field'); expected a Vega-Lite spec with inline data (https://vega.github.io/vega-lite/docs/spec.html)`,
  );
  assertInstanceOf(error.cause, TypeError);
});

Deno.test("data URLs, local or remote, are refused without being read", async () => {
  const dir = Deno.makeTempDirSync();
  try {
    const file = join(dir, "energy.json");
    Deno.writeTextFileSync(file, JSON.stringify(ENERGY));
    const local = { ...lineSpec(), data: { url: toFileUrl(file).href } };
    const remote = {
      ...lineSpec(),
      transform: [{
        lookup: "t",
        from: { data: { url: "https://example.invalid/drift.csv" }, key: "t", fields: ["drift"] },
      }],
    };
    for (
      const [spec, url] of [[local, toFileUrl(file).href], [
        remote,
        "https://example.invalid/drift.csv",
      ]] as const
    ) {
      const error = await assertRejects(() => renderVegaLiteSvg(spec, "energy"), InvalidValueError);
      assertEquals(
        error.message,
        `Cannot render plot "energy": it references data by URL (${
          JSON.stringify(url)
        }), which is not loaded; expected a Vega-Lite spec with inline data (https://vega.github.io/vega-lite/docs/spec.html)`,
      );
    }
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("rendering needs no permissions; a data URL is refused, not a permission prompt", async () => {
  const dir = Deno.makeTempDirSync();
  try {
    const relative = { ...lineSpec(), data: { url: "energy.csv" } };
    const result = await renderInSubprocess(dir, [lineSpec(), pointSpec(), relative], []);
    assertEquals(result.code, 0, result.stderr);
    const lines = result.stdout.trimEnd().split("\n");
    assertEquals(lines.length, 3, result.stdout);
    assertMatch(lines[0]!, /^svg \d{4,}$/);
    assertMatch(lines[1]!, /^svg \d{4,}$/);
    assertEquals(
      lines[2],
      'InvalidValueError: Cannot render plot "p": it references data by URL ("energy.csv"), which is not loaded; expected a Vega-Lite spec with inline data (https://vega.github.io/vega-lite/docs/spec.html)',
    );
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("packages that cannot be loaded give a NotataError naming them", async () => {
  const dir = Deno.makeTempDirSync();
  try {
    // An empty Deno cache with --cached-only: vega and vega-lite are missing.
    const result = await renderInSubprocess(dir, [lineSpec()], ["--cached-only"], {
      DENO_DIR: join(dir, "deno_dir"),
    });
    assertEquals(result.code, 0, result.stderr);
    assertMatch(
      result.stdout,
      /^NotataError: Cannot render plot "p": the npm packages vega and vega-lite failed to load \(.*npm package not found in cache.*\); they need no permission flags, but must be in Deno's npm cache or downloadable from the npm registry\n$/s,
    );
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

// ---------------------------------------------------------------------------
// isVegaLiteSpec

Deno.test("isVegaLiteSpec accepts plain objects with a Vega-Lite schema or a view and data", () => {
  const accepted: unknown[] = [
    lineSpec(),
    { $schema: "https://vega.github.io/schema/vega-lite/v5.json" },
    { mark: "point", data: { values: [] } },
    { mark: { type: "line" }, encoding: {} },
    { layer: [], data: { values: [] } },
    { hconcat: [], data: { values: [] } },
    { vconcat: [], encoding: {} },
    { concat: [], data: { url: "x.csv" } },
    { facet: { row: { field: "a" } }, spec: {}, data: { values: [] } },
    { repeat: ["a"], spec: {}, data: { values: [] } },
    JSON.parse('{"mark":"bar","data":{"values":[]}}'),
    Object.assign(Object.create(null), { mark: "bar", encoding: {} }),
  ];
  for (const value of accepted) assert(isVegaLiteSpec(value), JSON.stringify(value));
});

Deno.test("isVegaLiteSpec rejects documents, bytes, other objects and Vega specs", () => {
  const rejected: unknown[] = [
    '<svg xmlns="http://www.w3.org/2000/svg"></svg>',
    JSON.stringify(lineSpec()),
    new Uint8Array([0x89, 0x50, 0x4e, 0x47]),
    { omega: 1, energy: [1, 2] },
    { mark: "point" },
    { data: { values: [] }, encoding: {} },
    { $schema: "https://vega.github.io/schema/vega/v5.json", marks: [], data: [] },
    { $schema: 42, mark: "point" },
    [{ mark: "point", data: {} }],
    new Map<string, unknown>([["mark", "point"], ["data", {}]]),
    new (class Chart {
      mark = "point";
      data = {};
    })(),
    null,
    undefined,
    42,
  ];
  for (const value of rejected) assert(!isVegaLiteSpec(value), String(value));
});
