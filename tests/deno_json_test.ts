// Copyright 2026 the notata authors. MIT license.
// The project's configuration. deno.json maps the bare specifiers to jsr: for
// users and JSR; the tasks run through import_map.npm.json, which maps the
// same names to npm packages for machines that reach only the npm registry.
// The two must never drift. The test task must keep the sanitizers on.
import { assert, assertEquals, assertMatch, assertStringIncludes } from "@std/assert";
import { fromFileUrl } from "@std/path";

function readImports(file: string): Record<string, string> {
  const url = new URL(`../${file}`, import.meta.url);
  return JSON.parse(Deno.readTextFileSync(fromFileUrl(url))).imports;
}

Deno.test("deno.json and import_map.npm.json map the same bare specifiers", () => {
  const published = readImports("deno.json");
  const local = readImports("import_map.npm.json");
  assertEquals(Object.keys(local).sort(), Object.keys(published).sort());
});

Deno.test("deno.json maps @std to jsr: ^1 and import_map.npm.json to deno-std@1.4.0", () => {
  const published = readImports("deno.json");
  const local = readImports("import_map.npm.json");
  for (const name of Object.keys(published).filter((name) => name.startsWith("@std/"))) {
    // A subpath export such as "@std/cli/parse-args" maps to its own file (parse_args.js).
    const [module, subpath] = name.slice("@std/".length).split("/");
    const file = subpath === undefined ? "mod" : subpath.replaceAll("-", "_");
    assertEquals(
      published[name],
      `jsr:@std/${module}@^1${subpath === undefined ? "" : `/${subpath}`}`,
    );
    assertEquals(local[name], `npm:deno-std@1.4.0/${module}/${file}.js`);
  }
  assertMatch(published["nodejs-polars"], /^npm:nodejs-polars@0\.25\.2$/);
  assertEquals(local["nodejs-polars"], published["nodejs-polars"]);
});

Deno.test("every bare specifier imported by the code is in the import maps", () => {
  const mapped = new Set(Object.keys(readImports("deno.json")));
  const root = fromFileUrl(new URL("../", import.meta.url));
  const used = new Set<string>();
  const visit = (dir: string) => {
    for (const entry of Deno.readDirSync(dir)) {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory && !entry.name.startsWith(".") && entry.name !== "outputs") visit(path);
      if (!entry.isFile || !entry.name.endsWith(".ts")) continue;
      const text = Deno.readTextFileSync(path);
      // Static imports and re-exports start a line; dynamic ones are `import("...")`.
      const imports =
        /^\s*(?:import|export)\b[^;"]*?\bfrom\s*"([^".][^"]*)"|^\s*import\s*"([^".][^"]*)"|\bimport\(\s*"([^".][^"]*)"/gm;
      for (const match of text.matchAll(imports)) {
        const specifier = match[1] ?? match[2] ?? match[3];
        if (!/^(npm|jsr|node|https?):/.test(specifier)) used.add(specifier);
      }
    }
  };
  visit(root);
  for (const name of used) assertEquals(mapped.has(name), true, `"${name}" is not mapped`);
  assertEquals(used.has("@std/csv") && used.has("@std/path") && used.has("nodejs-polars"), true);
});

Deno.test("the test task runs with the resource and op sanitizers on", async () => {
  const config = JSON.parse(
    Deno.readTextFileSync(fromFileUrl(new URL("../deno.json", import.meta.url))),
  );
  const [command, ...flags] = (config.tasks.test as string).split(" ").slice(1);
  assertEquals(command, "test");
  assert(flags.includes("--sanitize-ops") && flags.includes("--sanitize-resources"));
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["test", ...flags.filter((flag) => flag !== "--doc"), "tests/fixtures/leaky_fixture.ts"],
    cwd: fromFileUrl(new URL("../", import.meta.url)),
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert(code !== 0);
  const output = new TextDecoder().decode(stdout) + new TextDecoder().decode(stderr);
  assertStringIncludes(output, "Leaks detected");
});
