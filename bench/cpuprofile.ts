// Copyright 2026 the notata authors. MIT license.
// Summarises a V8 .cpuprofile, as `deno run --cpu-prof` writes it: the
// functions with the most self time, and the frames in files under a path (src/ by
// default) with the most inclusive time, in ms and as a share of the run;
// with --under, only what ran inside the named function.
//
//   deno run --cpu-prof --cpu-prof-dir=prof -A --import-map=import_map.npm.json \
//     bench/main.ts --only sweep
//   deno run --allow-read bench/cpuprofile.ts prof/*.cpuprofile [--filter src/] [--top 25] [--under librarySweep]

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Self and inclusive milliseconds of one function (all its nodes together). */
export interface FunctionTime {
  name: string;
  selfMs: number;
  totalMs: number;
}

function label(frame: CallFrame): string {
  const file = frame.url.replace(/^file:\/\/.*?\/(src|bench|tests)\//, "$1/");
  const name = frame.functionName || "(anonymous)";
  return file === "" ? name : `${name} ${file}:${frame.lineNumber + 1}`;
}

/**
 * Self and inclusive time of every function of `profile`, and the total
 * sampled time; with `under`, only of the samples taken inside a function
 * whose name is `under`.
 */
export function summarise(
  profile: Profile,
  under?: string,
): { totalMs: number; functions: FunctionTime[] } {
  const parent = new Map<number, number>();
  const byId = new Map<number, ProfileNode>();
  for (const node of profile.nodes) {
    byId.set(node.id, node);
    for (const child of node.children ?? []) parent.set(child, node.id);
  }
  const times = new Map<string, FunctionTime>();
  const entry = (name: string) => {
    let time = times.get(name);
    if (time === undefined) times.set(name, time = { name, selfMs: 0, totalMs: 0 });
    return time;
  };
  let totalMs = 0;
  // timeDeltas[i + 1] is how long the sample i held: the time until the next one.
  for (let i = 0; i < profile.samples.length; i++) {
    const ms = (profile.timeDeltas[i + 1] ?? 0) / 1000;
    const stack: CallFrame[] = [];
    for (let id: number | undefined = profile.samples[i]; id !== undefined; id = parent.get(id)) {
      stack.push(byId.get(id)!.callFrame);
    }
    if (under !== undefined && !stack.some((frame) => frame.functionName === under)) continue;
    totalMs += ms;
    entry(label(stack[0])).selfMs += ms;
    for (const name of new Set(stack.map(label))) entry(name).totalMs += ms;
  }
  return { totalMs, functions: [...times.values()] };
}

function table(rows: FunctionTime[], key: "selfMs" | "totalMs", totalMs: number): string {
  return rows.map((row) =>
    `${row[key].toFixed(1).padStart(9)} ms ${
      (100 * row[key] / totalMs).toFixed(1).padStart(5)
    }%  ${row.name}`
  ).join("\n");
}

if (import.meta.main) {
  const files: string[] = [];
  let filter = "src/";
  let top = 25;
  let under: string | undefined;
  for (let i = 0; i < Deno.args.length; i++) {
    if (Deno.args[i] === "--filter") filter = Deno.args[++i];
    else if (Deno.args[i] === "--under") under = Deno.args[++i];
    else if (Deno.args[i] === "--top") top = Number(Deno.args[++i]);
    else files.push(Deno.args[i]);
  }
  for (const file of files) {
    const { totalMs, functions } = summarise(JSON.parse(Deno.readTextFileSync(file)), under);
    const bySelf = [...functions].sort((a, b) => b.selfMs - a.selfMs).slice(0, top);
    const inFilter = functions.filter((row) => row.name.includes(` ${filter}`));
    const byTotal = inFilter.sort((a, b) => b.totalMs - a.totalMs).slice(0, top);
    console.log(
      `${file}: ${totalMs.toFixed(0)} ms sampled${under === undefined ? "" : ` inside ${under}`}\n`,
    );
    console.log(`top ${top} by self time:\n${table(bySelf, "selfMs", totalMs)}\n`);
    console.log(
      `top ${top} frames in ${filter} by inclusive time:\n${table(byTotal, "totalMs", totalMs)}\n`,
    );
  }
}
