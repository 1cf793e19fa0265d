// Copyright 2026 the notata authors. MIT license.
// A run's plots, under `plots/`: SVG documents and PNG images, checked by
// content (a file named `.png` is a PNG, one named `.svg` an SVG document,
// whatever the caller passed), and Vega-Lite specs, saved and rendered.

import { writeFileAtomic } from "../_files.ts";
import { assertJsonValue, formatJson } from "../_json.ts";
import { assertFileName } from "../_names.ts";
import { isVegaLiteSpec, renderVegaLiteSvg } from "../_vega.ts";
import { InvalidValueError } from "../errors.ts";
import { writeInto } from "./artifacts.ts";

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const SVG_START = /^\s*(<\?xml[^>]*>\s*)?(<!--[\s\S]*?-->\s*|<!DOCTYPE[^>]*>\s*)*<svg[\s>]/;
const SVG_END = /<\/svg>\s*$/;

/** The formats a Vega-Lite plot can be saved in. */
const SPEC_FORMATS = ["svg", "json"] as const;

/** A format a Vega-Lite plot can be saved in. */
type SpecFormat = typeof SPEC_FORMATS[number];

/** Returns the file extension of an image, or throws naming what is accepted. */
function imageExtension(action: string, image: string | Uint8Array): "svg" | "png" {
  if (typeof image === "string") {
    if (SVG_START.test(image) && SVG_END.test(image)) return "svg";
    throw new InvalidValueError(
      `${action}: the text ${
        JSON.stringify(image.slice(0, 40))
      } is not an SVG document, expected text from "<svg" to "</svg>", PNG bytes or a Vega-Lite spec`,
    );
  }
  if (PNG_SIGNATURE.every((byte, i) => image[i] === byte)) return "png";
  const head = Array.from(image.subarray(0, 8), (byte) => byte.toString(16).padStart(2, "0"));
  throw new InvalidValueError(
    `${action}: the bytes start ${
      head.join(" ") || "(empty)"
    }, not the PNG signature 89 50 4e 47 0d 0a 1a 0a; expected PNG bytes, an SVG document or a Vega-Lite spec`,
  );
}

/** Checks the requested formats of a Vega-Lite plot; returns them without repeats. */
function assertSpecFormats(action: string, formats: readonly string[]): SpecFormat[] {
  const unique = [...new Set(formats)];
  for (const format of unique) {
    if (!(SPEC_FORMATS as readonly string[]).includes(format)) {
      throw new InvalidValueError(
        `${action}: format "${format}" is not supported for a Vega-Lite spec, expected "svg" or "json"`,
      );
    }
  }
  if (unique.length === 0) {
    throw new InvalidValueError(`${action}: formats is empty, expected "svg", "json" or both`);
  }
  return unique as SpecFormat[];
}

/** Saves an SVG document or PNG bytes as `plots/<name>.<svg|png>`; returns the file and path. */
export function savePlotImage(
  runDir: string,
  name: string,
  image: string | Uint8Array,
): { file: string; path: string } {
  const action = `Cannot save plot ${JSON.stringify(name)}`;
  assertFileName(action, "name", name);
  const file = `${name}.${imageExtension(action, image)}`;
  return { file, path: writeInto(runDir, "plots", file, (path) => writeFileAtomic(path, image)) };
}

/**
 * Saves the Vega-Lite `spec` as `plots/<name>.<format>` for each of
 * `formats`; returns the formats and paths. Async all through, so every
 * problem rejects the promise.
 */
export async function savePlotSpec(
  runDir: string,
  name: string,
  spec: { readonly [key: string]: unknown },
  formats: readonly string[],
): Promise<{ formats: SpecFormat[]; paths: string[] }> {
  const action = `Cannot save plot ${JSON.stringify(name)}`;
  assertFileName(action, "name", name);
  if (!isVegaLiteSpec(spec)) {
    throw new InvalidValueError(
      `${action}: the object is not a Vega-Lite spec, expected an SVG document, PNG bytes or an object with "mark", "layer" or a view composition and its "data" or "encoding"`,
    );
  }
  const unique = assertSpecFormats(action, formats);
  assertJsonValue(name, spec, { action, noun: "spec", allowNonFinite: false });
  // Rendered even when only the spec is saved: rendering is what checks it,
  // and an invalid spec then leaves no file at all.
  const svg = await renderVegaLiteSvg(spec, name);
  const paths = unique.map((format) =>
    writeInto(runDir, "plots", `${name}.${format}`, (path) => {
      writeFileAtomic(path, format === "svg" ? svg : formatJson(spec as never));
    })
  );
  return { formats: unique, paths };
}
