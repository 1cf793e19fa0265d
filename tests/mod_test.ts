// Copyright 2026 the notata authors. MIT license.
// The package as a user's script sees it: permissions and what importing
// mod.ts loads.
import { assert, assertEquals, assertStringIncludes } from "@std/assert";
import { fromFileUrl, join } from "@std/path";

const importMap = fromFileUrl(new URL("../import_map.npm.json", import.meta.url));
const script = fromFileUrl(new URL("./fixtures/log_one_run.ts", import.meta.url));

async function runScript(flags: string[], args: string[]) {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--no-prompt", `--import-map=${importMap}`, ...flags, script, ...args],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decoder = new TextDecoder();
  return { code, stdout: decoder.decode(stdout), stderr: decoder.decode(stderr) };
}

Deno.test("logging needs only read and write access scoped to the output directory", async () => {
  const dir = Deno.makeTempDirSync();
  try {
    const result = await runScript([`--allow-read=${dir}`, `--allow-write=${dir}`], [dir]);
    assertEquals(result.code, 0, result.stderr);
    assertEquals(result.stdout, "logged\n");
    const meta = JSON.parse(
      Deno.readTextFileSync(join(dir, "perm", "runs", "log_perm_omega_1", "metadata.json")),
    );
    assertEquals(meta.status, "complete");
    assertStringIncludes(Deno.readTextFileSync(join(dir, "perm", "index.csv")), "perm_omega_1,1,");
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("a missing write permission fails with an error that names --allow-write", async () => {
  const dir = Deno.makeTempDirSync();
  try {
    const result = await runScript([`--allow-read=${dir}`], [dir]);
    assert(result.code !== 0);
    assertStringIncludes(result.stderr, "--allow-write");
    assertEquals([...Deno.readDirSync(dir)], []);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("DataFrame export without --allow-ffi names the flags Polars needs", async () => {
  const dir = Deno.makeTempDirSync();
  try {
    const result = await runScript([`--allow-read`, `--allow-write=${dir}`], [dir, "frame"]);
    assertEquals(result.code, 0, result.stderr);
    assertStringIncludes(
      result.stdout,
      "NotataError: Cannot load nodejs-polars for DataFrame export",
    );
    assertStringIncludes(result.stdout, "--allow-env --allow-ffi --allow-sys");
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("DataFrame export works with the documented permissions", async () => {
  const dir = Deno.makeTempDirSync();
  try {
    const flags = [
      "--allow-read",
      `--allow-write=${dir}`,
      "--allow-env",
      "--allow-ffi",
      "--allow-sys",
    ];
    const result = await runScript(flags, [dir, "frame"]);
    assertEquals(result.code, 0, result.stderr);
    assertEquals(result.stdout, "rows=1\nlogged\n");
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("mod.ts reaches nodejs-polars, vega and vega-lite only through a dynamic import or for types", async () => {
  const { code, stdout } = await new Deno.Command(Deno.execPath(), {
    args: [
      "info",
      "--json",
      `--import-map=${importMap}`,
      fromFileUrl(new URL("../mod.ts", import.meta.url)),
    ],
    stdout: "piped",
    stderr: "null",
  }).output();
  assertEquals(code, 0);
  const graph = JSON.parse(new TextDecoder().decode(stdout));
  const lazy = ["nodejs-polars", "vega", "vega-lite"];
  const edges = graph.modules.flatMap((module: { dependencies?: { specifier: string }[] }) =>
    (module.dependencies ?? []).filter((dep) => lazy.includes(dep.specifier))
  ) as { specifier: string; code?: unknown; isDynamic?: boolean }[];
  assertEquals(new Set(edges.map((edge) => edge.specifier)), new Set(lazy));
  for (const edge of edges) {
    assert(edge.code === undefined || edge.isDynamic === true, edge.specifier);
  }
});
