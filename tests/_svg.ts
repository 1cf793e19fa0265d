// Copyright 2026 the notata authors. MIT license.
// Reading SVG documents in tests: a strict XML parse (a document that is not
// well-formed fails the test) into a tree of elements to look for marks in;
// and the chart the tests render.

import { assert, assertEquals } from "@std/assert";
// A strict XML parser for the tests only, so it is not in the import maps.
// deno-lint-ignore no-import-prefix
import { XMLParser, XMLValidator } from "npm:fast-xml-parser@5.12.1";

/** An SVG element: its tag, attributes, child elements and text. */
export interface Element {
  tag: string;
  attrs: Record<string, string>;
  children: Element[];
  text: string;
}

type OrderedNode = Record<string, unknown>;

function toElement(node: OrderedNode): Element {
  const tag = Object.keys(node).find((key) => key !== ":@")!;
  const content = node[tag] as OrderedNode[];
  return {
    tag,
    attrs: (node[":@"] ?? {}) as Record<string, string>,
    children: content.filter((child) => !("#text" in child)).map(toElement),
    text: content.map((child) => child["#text"] ?? "").join(""),
  };
}

/** Parses an SVG document strictly; fails the test unless it is well-formed XML. */
export function parseSvg(svg: string): Element {
  const valid = XMLValidator.validate(svg);
  assert(valid === true, `the SVG is not well-formed: ${JSON.stringify(valid)}`);
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: "",
    preserveOrder: true,
    parseAttributeValue: false,
    parseTagValue: false,
  });
  const roots = (parser.parse(svg) as OrderedNode[]).map(toElement);
  assertEquals(roots.map((root) => root.tag), ["svg"]);
  assertEquals(roots[0]!.attrs.xmlns, "http://www.w3.org/2000/svg");
  return roots[0]!;
}

/** Every element below `element`, depth first. */
export function descendants(element: Element): Element[] {
  return element.children.flatMap((child) => [child, ...descendants(child)]);
}

/** The `<g>` groups whose class list has `className`. */
export function groups(root: Element, className: string): Element[] {
  return descendants(root).filter((element) =>
    element.tag === "g" && (element.attrs.class ?? "").split(" ").includes(className)
  );
}

/** The text of every `<text>` inside the groups whose class list has `className`. */
export function texts(root: Element, className: string): string[] {
  return groups(root, className).flatMap((group) =>
    descendants(group).filter((element) => element.tag === "text").map((element) => element.text)
  );
}

/** The offsets of an element's `transform="translate(x,y)"`. */
export function translation(element: Element): [number, number] {
  const match = /^translate\(([-\d.e]+),([-\d.e]+)\)$/.exec(element.attrs.transform ?? "");
  assert(match, `no translate() in ${JSON.stringify(element.attrs)}`);
  return [Number(match![1]), Number(match![2])];
}

/** Five points of an energy series, for the line charts the tests render. */
export const ENERGY = [
  { t: 0, energy: 1.0 },
  { t: 1, energy: 1.5 },
  { t: 2, energy: 0.5 },
  { t: 3, energy: 2.0 },
  { t: 4, energy: 1.25 },
];

/** A Vega-Lite line chart of {@linkcode ENERGY}, with fixed scales so marks land at known places. */
export function lineSpec(): Record<string, unknown> {
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    width: 400,
    height: 200,
    data: { values: ENERGY },
    mark: "line",
    encoding: {
      x: { field: "t", type: "quantitative", title: "Time (s)", scale: { domain: [0, 4] } },
      y: { field: "energy", type: "quantitative", scale: { domain: [0, 2] } },
    },
  };
}
