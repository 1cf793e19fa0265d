// Copyright 2026 the notata authors. MIT license.
// Baseline of the `notata status` bench row: a fresh process that lists
// runs/ and parses every run's metadata.json (what a status count needs at
// least), counting runs by status. Prints the counts. Args: <experiment dir>.
const runsDir = `${Deno.args[0]}/runs`;
const counts: Record<string, number> = {};
for (const entry of Deno.readDirSync(runsDir)) {
  const metadata = JSON.parse(Deno.readTextFileSync(`${runsDir}/${entry.name}/metadata.json`));
  counts[metadata.status] = (counts[metadata.status] ?? 0) + 1;
}
console.log(JSON.stringify(counts));
