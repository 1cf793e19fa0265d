// Copyright 2026 the notata authors. MIT license.
// `deno task check` runs this: fails when the project's own modules import
// each other in a cycle (type-only imports included), which the one-way
// design forbids. The graph comes from `deno info --json`, from mod.ts and
// every other module under src/ that mod.ts does not reach.
//
//   deno run --allow-read --allow-run tools/check_import_cycles.ts

import { fromFileUrl, relative, toFileUrl } from "@std/path";

const root = fromFileUrl(new URL("../", import.meta.url));

interface InfoModule {
  specifier: string;
  dependencies?: { code?: { specifier: string }; type?: { specifier: string } }[];
}

function info(entry: string): InfoModule[] {
  const { code, stdout, stderr } = new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", "--import-map=import_map.npm.json", entry],
    cwd: root,
    stdout: "piped",
    stderr: "piped",
  }).outputSync();
  if (code !== 0) {
    throw new Error(`deno info ${entry} failed: ${new TextDecoder().decode(stderr)}`);
  }
  return JSON.parse(new TextDecoder().decode(stdout)).modules;
}

function sourceFiles(dir: string): string[] {
  const files: string[] = [];
  for (const entry of Deno.readDirSync(dir)) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory) files.push(...sourceFiles(path));
    else if (entry.name.endsWith(".ts")) files.push(path);
  }
  return files;
}

const ownPrefix = toFileUrl(root).href;
const graph = new Map<string, Set<string>>();
for (const entry of [`${root}mod.ts`, ...sourceFiles(`${root}src`)]) {
  if (graph.has(toFileUrl(entry).href)) continue;
  for (const module of info(entry)) {
    if (!module.specifier.startsWith(ownPrefix) || graph.has(module.specifier)) continue;
    const targets = new Set<string>();
    for (const dependency of module.dependencies ?? []) {
      for (const target of [dependency.code?.specifier, dependency.type?.specifier]) {
        if (target?.startsWith(ownPrefix)) targets.add(target);
      }
    }
    graph.set(module.specifier, targets);
  }
}

// Tarjan's strongly connected components: each with more than one module
// (or a module importing itself) is a cycle.
const index = new Map<string, number>();
const low = new Map<string, number>();
const stack: string[] = [];
const onStack = new Set<string>();
const cycles: string[][] = [];
let counter = 0;
function visit(node: string): void {
  index.set(node, counter);
  low.set(node, counter++);
  stack.push(node);
  onStack.add(node);
  for (const next of graph.get(node) ?? []) {
    if (!index.has(next)) {
      visit(next);
      low.set(node, Math.min(low.get(node)!, low.get(next)!));
    } else if (onStack.has(next)) {
      low.set(node, Math.min(low.get(node)!, index.get(next)!));
    }
  }
  if (low.get(node) !== index.get(node)) return;
  const component: string[] = [];
  let member: string;
  do {
    member = stack.pop()!;
    onStack.delete(member);
    component.push(member);
  } while (member !== node);
  if (component.length > 1 || graph.get(node)?.has(node)) cycles.push(component);
}
for (const node of graph.keys()) if (!index.has(node)) visit(node);

const name = (specifier: string) => relative(root, fromFileUrl(specifier));
if (cycles.length > 0) {
  for (const cycle of cycles) {
    console.error(`import cycle among: ${cycle.map(name).sort().join(", ")}`);
  }
  console.error("expected modules to import one way only (see docs of the one-way design)");
  Deno.exit(1);
}
console.log(`no import cycles among ${graph.size} modules`);
