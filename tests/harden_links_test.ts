// Copyright 2026 the notata authors. MIT license.
// Issue 13, item 1: a symbolic link planted below the experiment directory
// (or a lone run's base directory) never makes notata write outside it. Each
// scenario leaves the link's target as it was: same bytes, same times, no new
// entry; notata refuses with an error naming the link, or replaces the link
// itself (atomic writes rename over it). Links at or above that directory,
// the user's own layout, keep working.

import { assert, assertEquals, assertThrows } from "@std/assert";
import { join } from "@std/path";
import { Experiment, Logbook, NotataError, TemporaryExperiment } from "../mod.ts";
import { exists, temporaryName } from "../src/_files.ts";
import { HEARTBEAT_FILE, HEARTBEAT_INTERVAL_MS } from "../src/_liveness.ts";

const REFUSED = "is a symbolic link, expected a file or directory notata made";

/** Another user's files, which a planted link points at. */
class Victim implements Disposable {
  readonly dir = Deno.makeTempDirSync({ prefix: "victim-" });
  readonly file = join(this.dir, "secret.txt");
  #before = "";

  constructor() {
    Deno.writeTextFileSync(this.file, "the victim's own bytes\n");
    Deno.mkdirSync(join(this.dir, "sub"));
    Deno.writeTextFileSync(join(this.dir, "sub", "keep.txt"), "kept\n");
  }

  /** Records the state the target must keep; call once everything is planted. */
  snapshot(): void {
    this.#before = this.#state();
  }

  assertUntouched(): void {
    assertEquals(this.#state(), this.#before, "the link's target changed");
  }

  // Every entry under the victim's directory, with its bytes and times.
  #state(): string {
    const lines: string[] = [];
    const walk = (dir: string) => {
      for (const entry of [...Deno.readDirSync(dir)].sort((a, b) => a.name < b.name ? -1 : 1)) {
        const path = join(dir, entry.name);
        const info = Deno.lstatSync(path);
        const bytes = info.isFile ? Deno.readTextFileSync(path) : "";
        lines.push(`${path} ${info.size} ${info.mtime?.getTime()} ${JSON.stringify(bytes)}`);
        if (info.isDirectory) walk(path);
      }
    };
    walk(this.dir);
    return lines.join("\n");
  }

  [Symbol.dispose](): void {
    Deno.removeSync(this.dir, { recursive: true });
  }
}

/** A run of `exp` that failed, so that `skipExisting` resumes it. */
function failedRun(exp: Experiment, params: { n: number }): string {
  using log = exp.add(params)!;
  log.scalar("loss", 1);
  log.markFailed("boom");
  return log.path;
}

function assertRefused(fn: () => unknown, link: string): void {
  assertThrows(fn, NotataError, `"${link}" ${REFUSED}`);
}

Deno.test("a link planted as runs/ is refused when a run is created", () => {
  using victim = new Victim();
  using exp = new TemporaryExperiment("links");
  Deno.mkdirSync(exp.dir, { recursive: true });
  Deno.symlinkSync(victim.dir, exp.runsDir);
  victim.snapshot();
  assertRefused(() => exp.add({ n: 1 }), exp.runsDir);
  victim.assertUntouched();
});

Deno.test("a run directory planted as a link is refused when resumed or overwritten", () => {
  using victim = new Victim();
  using exp = new TemporaryExperiment("links");
  const runDir = failedRun(exp, { n: 1 });
  // The victim's copy of the run: resuming it would rewrite its files.
  Deno.renameSync(runDir, join(victim.dir, "run"));
  Deno.symlinkSync(join(victim.dir, "run"), runDir);
  victim.snapshot();
  assertRefused(() => exp.add({ n: 1 }, { skipExisting: true }), runDir);
  assertRefused(() => exp.add({ n: 1 }, { overwrite: true }), runDir);
  victim.assertUntouched();
  // The link is still there: refused, not replaced.
  assert(Deno.lstatSync(runDir).isSymlink);
});

Deno.test("links planted in a failed run directory are refused when it is resumed", () => {
  const planted: [string, "file" | "dir"][] = [
    ["params.json", "file"],
    ["metadata.json", "file"],
    ["log.txt", "file"],
    [HEARTBEAT_FILE, "file"],
    ["artifacts", "dir"],
    ["data", "dir"],
    ["plots", "dir"],
    [join("data", "scalars.csv"), "file"],
  ];
  for (const [entry, kind] of planted) {
    using victim = new Victim();
    using exp = new TemporaryExperiment("links");
    const runDir = failedRun(exp, { n: 1 });
    const link = join(runDir, entry);
    // The entry's own content, copied to the target: the link looks like the real thing.
    const target = kind === "dir" ? join(victim.dir, "sub") : victim.file;
    if (kind === "file" && exists(link)) Deno.copyFileSync(link, target);
    if (exists(link)) Deno.removeSync(link, { recursive: true });
    Deno.symlinkSync(target, link);
    victim.snapshot();
    assertRefused(() => exp.add({ n: 1 }, { skipExisting: true }), link);
    victim.assertUntouched();
  }
});

Deno.test("a link planted as .index.lock or index.csv is refused when a run finishes", () => {
  for (const file of [".index.lock", "index.csv"]) {
    using victim = new Victim();
    using exp = new TemporaryExperiment("links");
    exp.add({ n: 1 })!.markComplete();
    const link = join(exp.dir, file);
    // The target is a valid index of the same columns, so only the link check stops an append.
    Deno.copyFileSync(link, victim.file);
    Deno.removeSync(link);
    Deno.symlinkSync(victim.file, link);
    victim.snapshot();
    const log = exp.add({ n: 2 })!;
    assertRefused(() => log.markComplete(), link);
    victim.assertUntouched();
  }
});

Deno.test("a link planted at the staging name of a run is refused", () => {
  using victim = new Victim();
  using exp = new TemporaryExperiment("links");
  Deno.mkdirSync(exp.dir, { recursive: true });
  const runId = exp.runId({ n: 1 });
  // Temporary names end in a counter: the next few are predictable in this process.
  const probe = temporaryName(join(exp.dir, `.log_${runId}`));
  const counter = Number(/(\d+)$/.exec(probe)![1]);
  const stem = probe.slice(0, probe.length - String(counter).length);
  const links = [1, 2, 3].map((step) => `${stem}${counter + step}`);
  for (const link of links) Deno.symlinkSync(join(victim.dir, "sub"), link);
  victim.snapshot();
  assertThrows(() => exp.add({ n: 1 }), NotataError, REFUSED);
  victim.assertUntouched();
});

Deno.test("a lone run directory planted as a link is refused when resumed or overwritten", () => {
  using victim = new Victim();
  const baseDir = Deno.makeTempDirSync();
  try {
    const runDir = join(baseDir, "log_lone");
    Deno.mkdirSync(join(victim.dir, "run"));
    Deno.writeTextFileSync(join(victim.dir, "run", "metadata.json"), '{"status": "failed"}\n');
    Deno.symlinkSync(join(victim.dir, "run"), runDir);
    victim.snapshot();
    assertRefused(() => new Logbook("lone", { baseDir, resume: true }), runDir);
    assertRefused(() => new Logbook("lone", { baseDir, overwrite: true }), runDir);
    victim.assertUntouched();
  } finally {
    Deno.removeSync(baseDir, { recursive: true });
  }
});

Deno.test("links planted in an open run: appends refuse them, the heartbeat and atomic writes replace them", async () => {
  using victim = new Victim();
  const baseDir = Deno.makeTempDirSync();
  try {
    const log = new Logbook("open", { baseDir });
    const plant = (entry: string) => {
      Deno.removeSync(join(log.path, entry));
      Deno.symlinkSync(victim.file, join(log.path, entry));
    };
    log.scalar("loss", 1);
    log.json("metrics", { loss: 1 });
    log.flush();
    await waitFor(() => exists(join(log.path, HEARTBEAT_FILE)));
    for (const entry of ["log.txt", join("data", "scalars.csv"), HEARTBEAT_FILE]) plant(entry);
    plant(join("artifacts", "metrics.json"));
    victim.snapshot();
    log.info("after the link was planted");
    log.scalar("loss", 2);
    // The watchdog writes the lines out within a second, and beats within an interval.
    await waitFor(() => !Deno.lstatSync(join(log.path, HEARTBEAT_FILE)).isSymlink);
    victim.assertUntouched();
    // An atomic write renames over the link: the link is gone, its target untouched.
    log.json("metrics", { loss: 2 });
    assertEquals(JSON.parse(Deno.readTextFileSync(join(log.path, "artifacts", "metrics.json"))), {
      loss: 2,
    });
    // The main thread's write-out refuses the link, naming it.
    assertRefused(() => log.flush(), join(log.path, "log.txt"));
    victim.assertUntouched();
    for (const entry of ["log.txt", join("data", "scalars.csv")]) {
      Deno.removeSync(join(log.path, entry));
    }
    log.markComplete();
    victim.assertUntouched();
  } finally {
    Deno.removeSync(baseDir, { recursive: true });
  }
});

Deno.test("links at or above the experiment directory, the user's own layout, are followed", () => {
  const real = Deno.makeTempDirSync();
  const linked = Deno.makeTempDirSync();
  try {
    // The base directory is a link, and so is the experiment directory in it.
    Deno.mkdirSync(join(real, "elsewhere"));
    Deno.symlinkSync(real, join(linked, "base"));
    Deno.symlinkSync(join(real, "elsewhere"), join(real, "exp"));
    const exp = new Experiment("exp", { baseDir: join(linked, "base") });
    exp.add({ n: 1 })!.markComplete();
    exp.add({ n: 1 }, { overwrite: true })!.markComplete();
    assertEquals(exp.statusOf({ n: 1 }), "complete");
    assert(exists(join(real, "elsewhere", "index.csv")));
    const lone = new Logbook("lone", { baseDir: join(linked, "base") });
    lone.markComplete();
    assert(exists(join(real, "log_lone", "metadata.json")));
  } finally {
    Deno.removeSync(real, { recursive: true });
    Deno.removeSync(linked, { recursive: true });
  }
});

async function waitFor(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 2 * HEARTBEAT_INTERVAL_MS + 2_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((done) => setTimeout(done, 100));
  }
}
