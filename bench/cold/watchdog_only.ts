// Copyright 2026 the notata authors. MIT license.
// Cold start, a part of the library side: starts the watchdog thread (as the
// first run does, and waits until it listens for signals), then writes one
// file under Deno.args[0] as the baseline does; imports only the watchdog.
import { watchAppender } from "../../src/_watchdog.ts";
import { slots } from "../../src/_watchdog_slots.ts";

const path = `${Deno.args[0]}/hello.txt`;
watchAppender(path, slots.take(path));
Deno.writeTextFileSync(path, "hello\n");
