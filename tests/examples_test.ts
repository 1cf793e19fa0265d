// Copyright 2026 the notata authors. MIT license.
// The README's demo: examples/oscillator_sweep.ts, run as `deno task demo` runs it.
import { assert, assertEquals, assertMatch, assertStringIncludes } from "@std/assert";
import { parse } from "@std/csv";
import { fromFileUrl, join } from "@std/path";

const root = fromFileUrl(new URL("../", import.meta.url));

async function runDemo(outDir: string): Promise<string> {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      `--import-map=${join(root, "import_map.npm.json")}`,
      "--allow-read",
      "--allow-write",
      "--allow-env",
      "--allow-ffi",
      "--allow-sys",
      join(root, "examples", "oscillator_sweep.ts"),
      outDir,
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assertEquals(code, 0, new TextDecoder().decode(stderr));
  return new TextDecoder().decode(stdout);
}

Deno.test("the oscillator sweep prints the table of complete runs", async () => {
  const outDir = Deno.makeTempDirSync();
  try {
    const output = await runDemo(outDir);
    assertStringIncludes(output, "shape: (4, 4)");
    assertMatch(output, /omega\s+┆ dt\s+┆ final_energy\s+┆ energy_drift/);
    const rows = parse(Deno.readTextFileSync(join(outDir, "oscillator_sweep", "index.csv")), {
      skipFirstRow: true,
    });
    assertEquals(rows.length, 4);
    for (const row of rows) {
      const omega = Number(row.omega);
      const dt = Number(row.dt);
      assertEquals(row.status, "complete");
      assertEquals(Number(row.steps), 10_000);
      // Velocity Verlet keeps energy to O(dt^2): E(0) = omega^2 / 2 for x = 1, v = 0.
      const drift = Number(row.energy_drift);
      assert(drift > 0 && drift < (omega * dt) ** 2, `drift ${drift} for omega=${omega} dt=${dt}`);
      assert(Math.abs(Number(row.final_energy) - omega ** 2 / 2) <= drift * omega ** 2);
    }
  } finally {
    Deno.removeSync(outDir, { recursive: true });
  }
});

Deno.test("running the oscillator sweep again skips the complete runs", async () => {
  const outDir = Deno.makeTempDirSync();
  try {
    await runDemo(outDir);
    const index = Deno.readTextFileSync(join(outDir, "oscillator_sweep", "index.csv"));
    const output = await runDemo(outDir);
    assertStringIncludes(output, "shape: (4, 4)");
    assertEquals(Deno.readTextFileSync(join(outDir, "oscillator_sweep", "index.csv")), index);
    const runsDir = join(outDir, "oscillator_sweep", "runs");
    for (const entry of Deno.readDirSync(runsDir)) {
      const log = Deno.readTextFileSync(join(runsDir, entry.name, "log.txt"));
      assertEquals(log.match(/Run started/g)?.length, 1);
    }
  } finally {
    Deno.removeSync(outDir, { recursive: true });
  }
});
