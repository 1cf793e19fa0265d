// Copyright 2026 the notata authors. MIT license.
// What a user may add to a run's `metadata.json`: anything but the keys
// notata manages.

import { assertJsonValue } from "../_json.ts";
import { InvalidValueError } from "../errors.ts";
import type { JsonValue } from "../types.ts";

/** The `metadata.json` keys notata manages; `meta()` may not set them. */
const MANAGED_METADATA = [
  "run_id",
  "status",
  "pid",
  "hostname",
  "start_time",
  "end_time",
  "runtime_sec",
  "failure_reason",
  "attempts",
];

/** Throws an {@linkcode InvalidValueError} unless `update` may be merged into a run's metadata. */
export function assertMetadataUpdate(action: string, update: { [key: string]: JsonValue }): void {
  for (const [key, value] of Object.entries(update)) {
    if (MANAGED_METADATA.includes(key)) {
      throw new InvalidValueError(
        `${action}: key "${key}" is managed by notata, expected a key other than ${
          MANAGED_METADATA.map((name) => `"${name}"`).join(", ")
        }`,
      );
    }
    assertJsonValue(key, value, { action, noun: "key", allowNonFinite: true });
  }
}
