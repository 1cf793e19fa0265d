// Copyright 2026 the notata authors. MIT license.
// Plot images are checked by content, so a file named `.png` is a PNG and a
// file named `.svg` is an SVG document, whatever the caller passed.

import { InvalidValueError } from "./errors.ts";

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const SVG_START = /^\s*(<\?xml[^>]*>\s*)?(<!--[\s\S]*?-->\s*|<!DOCTYPE[^>]*>\s*)*<svg[\s>]/;
const SVG_END = /<\/svg>\s*$/;

/** The formats a Vega-Lite plot can be saved in. */
export const SPEC_FORMATS = ["svg", "json"] as const;

/** A format a Vega-Lite plot can be saved in. */
export type SpecFormat = typeof SPEC_FORMATS[number];

/** Returns the file extension of an image, or throws naming what is accepted. */
export function imageExtension(action: string, image: string | Uint8Array): "svg" | "png" {
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
export function assertSpecFormats(action: string, formats: readonly string[]): SpecFormat[] {
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
