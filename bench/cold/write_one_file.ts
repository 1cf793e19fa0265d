// Copyright 2026 the notata authors. MIT license.
// Cold start, baseline side: writes one file under Deno.args[0].
Deno.writeTextFileSync(`${Deno.args[0]}/hello.txt`, "hello\n");
