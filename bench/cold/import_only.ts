// Copyright 2026 the notata authors. MIT license.
// Cold start, a part of the library side: imports mod.ts, then writes one
// file under Deno.args[0] as the baseline does; no run, so no watchdog thread.
import { Experiment } from "../../mod.ts";

Deno.writeTextFileSync(`${Deno.args[0]}/hello.txt`, `${Experiment.name}\n`);
