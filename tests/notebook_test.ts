// Copyright 2026 the notata authors. MIT license.
// examples/analysis.ipynb, executed headless by Jupyter with Deno's kernel
// (`deno jupyter --install`), as CI runs it. Ignored, saying why, when
// jupyter or the kernel is missing.

import { assert, assertEquals, assertStringIncludes } from "@std/assert";
import { fromFileUrl, join } from "@std/path";

const root = fromFileUrl(new URL("../", import.meta.url));

/** Why the notebook cannot run here, or `undefined` when it can. */
function jupyterMissing(): string | undefined {
  try {
    const { success, stdout } = new Deno.Command("jupyter", {
      args: ["kernelspec", "list", "--json"],
      stdout: "piped",
      stderr: "null",
    }).outputSync();
    if (!success) return "jupyter kernelspec list failed";
    const specs = JSON.parse(new TextDecoder().decode(stdout)).kernelspecs ?? {};
    return "deno" in specs ? undefined : "no Deno kernel (deno jupyter --install)";
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      return "no jupyter (apt-get install jupyter-nbconvert python3-nbclient jupyter-client)";
    }
    throw error;
  }
}

interface Output {
  output_type: string;
  data?: Record<string, string | string[]>;
  ename?: string;
  evalue?: string;
}

const missing = jupyterMissing();

Deno.test({
  name: `examples/analysis.ipynb runs headless with no errors, showing HTML and SVG${
    missing === undefined ? "" : ` (ignored: ${missing})`
  }`,
  ignore: missing !== undefined,
  async fn() {
    const dir = Deno.makeTempDirSync({ prefix: "notata-notebook-" });
    try {
      Deno.copyFileSync(join(root, "examples", "analysis.ipynb"), join(dir, "analysis.ipynb"));
      // Deno's kernel reads the deno.json it finds from the notebook's
      // directory: here one that points at the npm import map (no JSR).
      Deno.writeTextFileSync(
        join(dir, "deno.json"),
        JSON.stringify({ importMap: join(root, "import_map.npm.json") }),
      );
      const { code, stderr } = await new Deno.Command("jupyter", {
        args: [
          "nbconvert",
          "--to",
          "notebook",
          "--execute",
          "--ExecutePreprocessor.timeout=300",
          // A display that reaches Jupyter after its cell's reply is waited for
          // this long (default 4 s), then dropped without an error: under a
          // loaded CI machine the run summary once came later than that.
          "--ExecutePreprocessor.iopub_timeout=60",
          "--output",
          "executed.ipynb",
          "analysis.ipynb",
        ],
        cwd: dir,
        stdout: "piped",
        stderr: "piped",
      }).output();
      assertEquals(code, 0, new TextDecoder().decode(stderr));
      const notebook = JSON.parse(Deno.readTextFileSync(join(dir, "executed.ipynb")));
      const outputs: Output[] = notebook.cells.flatMap((cell: { outputs?: Output[] }) =>
        cell.outputs ?? []
      );
      const errors = outputs.filter((output) => output.output_type === "error");
      assertEquals(errors.map((error) => `${error.ename}: ${error.evalue}`), []);
      const text = (output: Output, mime: string) => {
        const value = output.data?.[mime];
        return Array.isArray(value) ? value.join("") : value;
      };
      const html = outputs.map((output) => text(output, "text/html")).filter((value) =>
        value !== undefined
      );
      const svg = outputs.map((output) => text(output, "image/svg+xml")).filter((value) =>
        value !== undefined
      );
      // The runs table (4 runs), the selection, and a run's summary with its plot inline.
      const table = html.find((value) => value.includes('class="notata-experiment"'));
      assert(table !== undefined, "no runs table in the outputs");
      assertEquals(table!.match(/<tr /g)?.length, 4);
      assertStringIncludes(table!, "4 runs: 4 complete");
      const run = html.find((value) => value.includes('class="notata-run"'));
      assert(run !== undefined, "no run summary in the outputs");
      assertStringIncludes(run!, 'src="data:image/svg+xml;base64,');
      assertEquals(svg.length, 1);
      assert(svg[0].startsWith("<svg"), svg[0].slice(0, 80));
      assert(Deno.statSync(join(dir, "outputs", "oscillator_sweep", "report.html")).isFile);
    } finally {
      Deno.removeSync(dir, { recursive: true });
    }
  },
});
