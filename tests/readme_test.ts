// Copyright 2026 the notata authors. MIT license.
// The README's TypeScript examples run: `deno test --doc` of a copy of
// README.md in a fresh directory, so examples that write `outputs/` under
// the working directory start clean each time and leave nothing in the
// repository. (deno.json's test config leaves README.md out of the suite's
// own `--doc` run for that reason.) Blocks marked `ts ignore` are skipped.

import { assert, assertEquals } from "@std/assert";
import { fromFileUrl, join } from "@std/path";

const README = fromFileUrl(new URL("../README.md", import.meta.url));
const IMPORT_MAP = fromFileUrl(new URL("../import_map.npm.json", import.meta.url));

Deno.test("README's examples run under deno test --doc", async () => {
  const dir = Deno.makeTempDirSync({ prefix: "notata-readme-" });
  try {
    Deno.copyFileSync(README, join(dir, "README.md"));
    const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
      args: ["test", "-A", "--doc", "--no-config", `--import-map=${IMPORT_MAP}`, "README.md"],
      cwd: dir,
      env: { NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const decoder = new TextDecoder();
    const output = decoder.decode(stdout) + decoder.decode(stderr);
    assertEquals(code, 0, output);
    const passed = Number(/(\d+) passed/.exec(output)?.[1] ?? 0);
    assert(passed > 0, `expected the README's examples to run, got:\n${output}`);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
