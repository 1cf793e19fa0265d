// Copyright 2026 the notata authors. MIT license.
// Cold start, library side: imports mod.ts and logs one run under Deno.args[0].
// The benchmark runs it without --allow-ffi, --allow-sys and --allow-env, so
// it fails if logging ever loads Polars.
import { Experiment } from "../../mod.ts";

const exp = new Experiment("cold", { baseDir: Deno.args[0] });
{
  using log = exp.add({ omega: 1 })!;
  log.info("hello");
  log.json("metrics", { energy: 0.5 });
}
