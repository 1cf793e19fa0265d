// Copyright 2026 the notata authors. MIT license.
// The experiment lock on a file system without file locks: flock(2) is made
// to fail with strace's fault injection, as NFS mounted with `nolock` or
// Lustre without `-o flock` make it fail.

import { assertEquals, assertStringIncludes } from "@std/assert";
import { join } from "@std/path";
import { fixture, hasStrace, IMPORT_MAP } from "./_subprocess.ts";

const STRACE = hasStrace();

Deno.test({
  name: `a file system without locks gives a NotataError that names the lock file${
    STRACE ? "" : " (ignored: strace is not installed)"
  }`,
  ignore: !STRACE,
  fn: async () => {
    const baseDir = Deno.makeTempDirSync();
    try {
      const { stdout, stderr } = await new Deno.Command("strace", {
        args: [
          "-f",
          "-qq",
          "-o",
          "/dev/null",
          "-e",
          "inject=flock:error=ENOLCK",
          Deno.execPath(),
          "run",
          `--import-map=${IMPORT_MAP}`,
          "-A",
          fixture("lock_failure.ts"),
          baseDir,
        ],
        stdout: "piped",
        stderr: "piped",
      }).output();
      const text = new TextDecoder().decode(stdout).trim();
      const error = JSON.parse(text || "{}");
      assertEquals(error.name, "NotataError", new TextDecoder().decode(stderr));
      const lockPath = join(baseDir, "locked", ".index.lock");
      assertStringIncludes(error.message, `Cannot lock "${lockPath}": `);
      assertStringIncludes(error.message, "expected a file system with file locks (flock)");
      // Nothing was claimed: the run can be added once locks work.
      assertEquals([...Deno.readDirSync(join(baseDir, "locked"))].map((entry) => entry.name), [
        ".index.lock",
      ]);
    } finally {
      Deno.removeSync(baseDir, { recursive: true });
    }
  },
});
