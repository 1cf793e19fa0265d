// Copyright 2026 the notata authors. MIT license.
// The Python side of the interoperability tests: /usr/bin/python3 with the
// packages a test needs, or a reason to ignore the test where it is missing.

/** The interpreter the interoperability tests run. */
export const PYTHON = "/usr/bin/python3";

const probed = new Map<string, boolean>();

/** Whether {@linkcode PYTHON} runs and imports every module of `modules`. */
export function pythonHas(...modules: string[]): boolean {
  const key = modules.join(",");
  let found = probed.get(key);
  if (found === undefined) {
    try {
      found = new Deno.Command(PYTHON, {
        args: ["-c", `import ${key}`],
        stdout: "null",
        stderr: "null",
      }).outputSync().success;
    } catch {
      found = false; // no interpreter at that path
    }
    probed.set(key, found);
  }
  return found;
}

/**
 * A suffix for a test's name saying why it is ignored: `""` when `available`,
 * else ` (ignored: /usr/bin/python3 with <what> is not available)`.
 */
export function ignoredNote(available: boolean, what: string): string {
  return available ? "" : ` (ignored: ${PYTHON} with ${what} is not available)`;
}

/** Runs a Python script with `args` as argv and returns the JSON it prints. */
export async function python(script: string, ...args: string[]): Promise<Record<string, unknown>> {
  const output = await new Deno.Command(PYTHON, {
    args: ["-c", script, ...args],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decoder = new TextDecoder();
  if (!output.success) {
    throw new Error(`python exited with ${output.code}: ${decoder.decode(output.stderr)}`);
  }
  return JSON.parse(decoder.decode(output.stdout));
}

/** The original Python notata's source, `../shared/notata-py` beside the repository. */
export const NOTATA_PY: string = new URL("../../shared/notata-py", import.meta.url).pathname;

/** Whether the original Python notata is there, with the numpy and PyYAML it imports. */
export function hasOriginalNotata(): boolean {
  try {
    return Deno.statSync(`${NOTATA_PY}/notata`).isDirectory && pythonHas("numpy", "yaml");
  } catch {
    return false;
  }
}
