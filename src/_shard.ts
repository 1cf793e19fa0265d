// Copyright 2026 the notata authors. MIT license.
// Which share of a sweep's grid this process runs, when an array scheduler
// (a SLURM job array, a Kubernetes Indexed Job) starts one process per share.
// Position i of the grid belongs to share i % count: every process computes
// the same split from the same grid, the shares are disjoint and cover it.

import { InvalidValueError } from "./errors.ts";

const ACTION = "Cannot run sweep";

/** One share of a grid: the positions `i` with `i % count === index`. */
export interface Shard {
  index: number;
  count: number;
}

/** The `shard` option of a sweep: `index` absent means `JOB_COMPLETION_INDEX`. */
export interface ShardOption {
  index?: number;
  count: number;
}

/** The whole grid, for a process that is not part of an array. */
const WHOLE: Shard = { index: 0, count: 1 };

// querySync never prompts: without --allow-env a variable reads as unset,
// so a sweep outside a scheduler needs no env permission at all.
function readEnv(name: string): string | undefined {
  if (Deno.permissions.querySync({ name: "env", variable: name }).state !== "granted") {
    return undefined;
  }
  const value = Deno.env.get(name);
  return value === "" ? undefined : value;
}

function envInteger(name: string): number | undefined {
  const text = readEnv(name);
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(Number(text))) {
    throw new InvalidValueError(
      `${ACTION}: ${name} is ${JSON.stringify(text)}, expected a non-negative integer`,
    );
  }
  return Number(text);
}

function checkIndex(index: number, count: number, source: string): Shard {
  if (index >= count) {
    throw new InvalidValueError(
      `${ACTION}: ${source} is out of range for ${count} shards, expected a shard index in [0, ${count})`,
    );
  }
  return { index, count };
}

function fromOption(option: ShardOption): Shard {
  if (option === null || typeof option !== "object") {
    throw new InvalidValueError(
      `${ACTION}: shard is ${String(option)}, expected { index, count } or { count }`,
    );
  }
  const { index, count } = option;
  if (!Number.isSafeInteger(count) || count < 1) {
    throw new InvalidValueError(
      `${ACTION}: shard.count is ${String(count)}, expected a positive integer`,
    );
  }
  if (index === undefined) {
    const completion = envInteger("JOB_COMPLETION_INDEX");
    if (completion === undefined) {
      throw new InvalidValueError(
        `${ACTION}: shard has a count but no index and JOB_COMPLETION_INDEX is not set (or not readable without --allow-env), expected shard.index or a Kubernetes Indexed Job`,
      );
    }
    return checkIndex(completion, count, `JOB_COMPLETION_INDEX "${completion}"`);
  }
  if (!Number.isSafeInteger(index) || index < 0) {
    throw new InvalidValueError(
      `${ACTION}: shard.index is ${String(index)}, expected an integer in [0, ${count})`,
    );
  }
  return checkIndex(index, count, `shard.index ${index}`);
}

function fromSlurm(id: number): Shard {
  const min = envInteger("SLURM_ARRAY_TASK_MIN");
  const max = envInteger("SLURM_ARRAY_TASK_MAX");
  const step = envInteger("SLURM_ARRAY_TASK_STEP") ?? 1;
  const taskCount = envInteger("SLURM_ARRAY_TASK_COUNT");
  if (step === 0) {
    throw new InvalidValueError(
      `${ACTION}: SLURM_ARRAY_TASK_STEP is "0", expected a positive integer`,
    );
  }
  if (min !== undefined && max !== undefined && max < min) {
    throw new InvalidValueError(
      `${ACTION}: SLURM_ARRAY_TASK_MAX "${max}" is below SLURM_ARRAY_TASK_MIN "${min}", expected a range min-max`,
    );
  }
  const rangeCount = min !== undefined && max !== undefined
    ? Math.floor((max - min) / step) + 1
    : undefined;
  // A list such as --array=0,3,7 has no step that maps task ids onto 0..count-1:
  // guessing would drop or repeat grid points.
  if (taskCount !== undefined && rangeCount !== undefined && taskCount !== rangeCount) {
    throw new InvalidValueError(
      `${ACTION}: SLURM_ARRAY_TASK_COUNT "${taskCount}" does not match the ${rangeCount} tasks of the range ${min}-${max}:${step}, expected a uniform --array range such as 0-15 or 0-15:4; pass the shard option for an array given as a list`,
    );
  }
  const count = taskCount ?? rangeCount;
  if (count === undefined || count === 0) {
    throw new InvalidValueError(
      `${ACTION}: SLURM_ARRAY_TASK_ID is "${id}" but the number of tasks is unknown, expected SLURM_ARRAY_TASK_COUNT or SLURM_ARRAY_TASK_MIN and SLURM_ARRAY_TASK_MAX as sbatch --array sets them`,
    );
  }
  const offset = id - (min ?? 0);
  if (offset < 0 || offset % step !== 0) {
    throw new InvalidValueError(
      `${ACTION}: SLURM_ARRAY_TASK_ID "${id}" is not in the range ${min ?? 0}-${
        max ?? "?"
      }:${step}, expected a task id of that range`,
    );
  }
  return checkIndex(offset / step, count, `SLURM_ARRAY_TASK_ID "${id}"`);
}

/**
 * This process's share of the grid: the `shard` option when given, else the
 * SLURM job array task, else the whole grid. Throws an
 * {@linkcode InvalidValueError} naming the option or variable that is not a
 * valid shard.
 */
export function resolveShard(option: ShardOption | undefined): Shard {
  if (option !== undefined) return fromOption(option);
  const id = envInteger("SLURM_ARRAY_TASK_ID");
  return id === undefined ? WHOLE : fromSlurm(id);
}

/** The items of `items` at the positions that belong to `shard`. */
export function shardItems<T>(items: readonly T[], shard: Shard): T[] {
  return items.filter((_, position) => position % shard.count === shard.index);
}
