// Copyright 2026 the notata authors. MIT license.
// Plots are rendered headless: Vega's "none" renderer lays the marks out with
// estimated text metrics (no canvas, no browser) and serialises them as SVG.
// vega and vega-lite are large, so they are imported only when a plot is
// rendered, never by importing mod.ts. With inline data they need no Deno
// permissions at all.

import type { TopLevelSpec } from "vega-lite";
import { InvalidValueError, NotataError } from "./errors.ts";

type Packages = [typeof import("vega"), typeof import("vega-lite")];

const VIEW_KEYS = ["mark", "layer", "concat", "hconcat", "vconcat", "facet", "repeat"];

let loading: Promise<Packages> | undefined;
// Vega numbers the gradients and clip paths of an SVG with process-wide
// counters. Renders take turns and reset them, so a spec always renders to
// the same bytes.
let previousRender: Promise<unknown> = Promise.resolve();

function quote(value: unknown): string {
  return JSON.stringify(value) ?? String(value);
}

function reason(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/\s*\n\s*/g, " ").replace(/\.$/, "");
}

async function loadPackages(source: string): Promise<Packages> {
  loading ??= Promise.all([import("vega"), import("vega-lite")]);
  try {
    return await loading;
  } catch (error) {
    loading = undefined;
    throw new NotataError(
      `Cannot render plot ${quote(source)}: the npm packages vega and vega-lite failed to load (${
        reason(error)
      }); they need no permission flags, but must be in Deno's npm cache or downloadable from the npm registry`,
      { cause: error },
    );
  }
}

/**
 * Whether a value looks like a Vega-Lite spec: a plain object whose
 * `"$schema"` mentions `vega-lite`, or that has a view key (`mark`, `layer`,
 * `concat`, `hconcat`, `vconcat`, `facet` or `repeat`) and `data` or
 * `encoding`.
 */
export function isVegaLiteSpec(value: unknown): boolean {
  if (typeof value !== "object" || value === null) return false;
  const prototype = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) return false;
  const spec = value as Record<string, unknown>;
  if (typeof spec.$schema === "string" && spec.$schema.includes("vega-lite")) return true;
  return VIEW_KEYS.some((key) => key in spec) && ("data" in spec || "encoding" in spec);
}

/**
 * Renders a Vega-Lite spec to an SVG document string, headless (no browser,
 * no canvas). `source` names the plot in error messages and warnings.
 *
 * Data must be inline (`"values"`, `"datasets"` or generators): a spec that
 * asks for a data URL is rejected rather than read from the network or from
 * paths relative to the working directory, so a saved spec always renders
 * the same, offline. An animated chart renders its first frame. The spec is
 * not modified, and the same spec always renders to the same bytes.
 *
 * @throws {InvalidValueError} Vega-Lite or Vega rejects the spec, or it
 * references data by URL.
 * @throws {NotataError} vega or vega-lite cannot be loaded.
 */
export function renderVegaLiteSvg(
  spec: Record<string, unknown>,
  source: string,
): Promise<string> {
  const render = previousRender.then(() => renderNow(spec, source));
  previousRender = render.catch(() => {});
  return render;
}

async function renderNow(spec: Record<string, unknown>, source: string): Promise<string> {
  const [vega, vegaLite] = await loadPackages(source);
  const reject = (problem: string, cause?: unknown): never => {
    throw new InvalidValueError(
      `Cannot render plot ${
        quote(source)
      }: ${problem}; expected a Vega-Lite spec with inline data (https://vega.github.io/vega-lite/docs/spec.html)`,
      { cause },
    );
  };
  const printWarnings = vega.logger(
    vega.Warn,
    "warn",
    (_method, level, args) => console.warn(`Plot ${quote(source)}: ${level}`, ...args),
  );
  // Vega tags every datum it ingests and Vega-Lite passes inline data through
  // by reference, so rendering a copy keeps the caller's objects untouched;
  // a JSON copy also renders exactly what a saved spec file holds.
  let copy: TopLevelSpec;
  try {
    copy = JSON.parse(JSON.stringify(spec));
  } catch (error) {
    return reject(`the spec is not JSON: ${reason(error)}`, error);
  }
  let runtime: ReturnType<typeof vega.parse>;
  try {
    const compiled = vegaLite.compile(copy, { logger: printWarnings });
    runtime = vega.parse(compiled.spec);
  } catch (error) {
    return reject(`Vega-Lite rejects the spec: ${reason(error)}`, error);
  }
  // A still image has no clock. Timer event streams (animations, selections
  // on a timer) are blocked: d3-timer would keep timeouts pending after
  // finalize(), which Deno's test sanitizers report as leaks.
  runtime.eventConfig = { ...runtime.eventConfig, timer: false };

  const urls: string[] = [];
  const loader = vega.loader();
  loader.load = (uri) => {
    urls.push(uri);
    return Promise.reject(new Error("Data URLs are not loaded"));
  };
  const errors: unknown[] = [];
  const logger = vega.logger(vega.Error, "error", (_method, _level, args) => errors.push(...args));
  const view = new vega.View(runtime, { renderer: "none", loader, logger });
  let svg: string;
  try {
    vega.resetSVGDefIds();
    svg = await view.toSVG();
  } catch (error) {
    errors.push(error);
  } finally {
    view.finalize();
  }
  if (urls.length > 0) {
    return reject(
      `it references data by URL (${urls.map(quote).join(", ")}), which is not loaded`,
    );
  }
  if (errors.length > 0) {
    return reject(`Vega cannot render it: ${reason(errors[0])}`, errors[0]);
  }
  return svg!;
}
