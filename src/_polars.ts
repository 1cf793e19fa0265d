// Copyright 2026 the notata authors. MIT license.
// nodejs-polars is a native addon that needs --allow-ffi, --allow-env and
// --allow-sys and takes noticeable time to load: it is imported only when a
// DataFrame is asked for, so logging never pays for it.

import { NotataError } from "./errors.ts";

/** The nodejs-polars module. */
export type Polars = typeof import("nodejs-polars")["default"];

let loading: Promise<Polars> | undefined;

/** Loads nodejs-polars once, with an error that names the flags it needs. */
export function loadPolars(): Promise<Polars> {
  loading ??= import("nodejs-polars").then(
    (module) => module.default,
    (error) => {
      loading = undefined;
      throw new NotataError(
        `Cannot load nodejs-polars for DataFrame export: ${
          error instanceof Error ? error.message : String(error)
        }; it needs --allow-read --allow-env --allow-ffi --allow-sys`,
        { cause: error },
      );
    },
  );
  return loading;
}
