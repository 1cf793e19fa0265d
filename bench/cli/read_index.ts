// Copyright 2026 the notata authors. MIT license.
// Baseline of the `notata ls --json` bench row: a fresh process that loads
// Polars and reads index.csv with `pl.readCSV`, types inferred. Prints the
// row count. Args: <index.csv>.
import pl from "nodejs-polars";

console.log(pl.readCSV(Deno.args[0]).height);
