import fontkit from "@pdf-lib/fontkit";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { fixFontkitCff } from "../src/documents/cff-subset-fix.ts";

// The font scripts/copy-pdf-font.mjs puts in public/fonts/ (npm postinstall / npm run build).
const bytes = readFileSync(new URL("../public/fonts/NotoSansHans-Regular.otf", import.meta.url));
const face = fontkit.create(bytes);
fixFontkitCff(face);

type Cff = {
  fdForGlyph(gid: number): number;
  topDict: { FDSelect: { ranges: { first: number; fd: number }[] } };
};
const cff = (face as unknown as Record<string, Cff>)["CFF "]!;

describe("fontkit's CFF code as the documents use it", () => {
  it("gives the first glyph of every FDSelect range its own font dict (the ASCII colon is one)", () => {
    const ranges = cff.topDict.FDSelect.ranges;
    expect(ranges.length).toBeGreaterThan(10);
    for (const range of ranges) expect(cff.fdForGlyph(range.first)).toBe(range.fd);
    const colon = face.glyphForCodePoint(":".codePointAt(0)!).id;
    const own = ranges.filter((r) => r.first <= colon).at(-1)!;
    expect(cff.fdForGlyph(colon)).toBe(own.fd);
  });

  it("maps each subset glyph to a copy of its own font dict, not the last one added", () => {
    const subset = face.createSubset() as unknown as {
      includeGlyph(gid: number): number;
      glyphs: number[];
      subsetFontdict(top: Record<string, any>): void;
    };
    const ids = [..."a中b"].map((ch) => face.glyphForCodePoint(ch.codePointAt(0)!).id);
    for (const id of ids) subset.includeGlyph(id);
    expect(cff.fdForGlyph(ids[0]!)).toBe(cff.fdForGlyph(ids[2]!));
    expect(cff.fdForGlyph(ids[0]!)).not.toBe(cff.fdForGlyph(ids[1]!));
    const top: Record<string, any> = {};
    subset.subsetFontdict(top);
    // glyphs: .notdef, a, 中, b — a and b share one FD, 中 has another.
    const fds = top.FDSelect.fds as number[];
    expect(fds[1]).toBe(fds[3]);
    expect(fds[1]).not.toBe(fds[2]);
    expect(top.FDArray).toHaveLength(new Set(fds).size);
  });
});
