/**
 * Two fixes to fontkit's CFF code (1.1.1, as @pdf-lib/fontkit ships it), both hit by Noto Sans CJK,
 * whose CID-keyed CFF keeps Hanzi, kana, Latin and digits in different font dicts (FDs).
 *
 * 1. `fdForGlyph` searches FDSelect ranges with `gid > next.first` instead of `>=`, so the first glyph
 *    of each range gets the previous range's FD (in Noto, the ASCII colon): its outline is read with
 *    the wrong Private dict and it is drawn as nothing.
 * 2. The CFF subsetter (1.1.1, as @pdf-lib/fontkit ships it) gives a glyph the font dict (FD) that
 * was added last instead of its own when a CID-keyed font's glyphs come from several FDs — and Noto
 * Sans CJK keeps Hanzi, kana, Latin and digits in different FDs. The glyph then calls local subroutines
 * its Private dict does not hold (pdf.js: "Missing subrsIndex for callsubr"), and viewers draw it
 * wrong or not at all. This replaces the method with one that maps each FD to its own new index.
 */
interface FdSelectRanges {
  topDict: { FDSelect?: { version: number; fds?: number[]; ranges?: { first: number; fd: number }[] } };
}

function fdForGlyph(this: FdSelectRanges, gid: number): number | null {
  const select = this.topDict.FDSelect;
  if (!select) return null;
  if (select.version === 0) return select.fds![gid] ?? null;
  const ranges = select.ranges!;
  let low = 0;
  let high = ranges.length - 1;
  // The last range whose first glyph is ≤ gid.
  while (low < high) {
    const mid = (low + high + 1) >> 1;
    if (ranges[mid]!.first <= gid) low = mid;
    else high = mid - 1;
  }
  return ranges[low]?.fd ?? null;
}

interface CffSubsetLike {
  glyphs: number[];
  cff: {
    fdForGlyph(gid: number): number | null;
    topDict: { FDArray: { Private?: { Subrs?: unknown[] } & Record<string, unknown> }[] };
  };
  font: { getGlyph(gid: number): { path: unknown; _usedSubrs?: Record<string, boolean> } };
  subsetSubrs(subrs: unknown[], used: Record<string, boolean>): unknown[];
}

type TopDict = {
  FDArray: Record<string, unknown>[];
  FDSelect: { version: number; fds: number[] };
};

function subsetFontdict(this: CffSubsetLike, topDict: TopDict) {
  topDict.FDArray = [];
  topDict.FDSelect = { version: 0, fds: [] };
  const newIndex = new Map<number, number>();
  const usedSubrs: Record<string, boolean>[] = [];
  for (const gid of this.glyphs) {
    const fd = this.cff.fdForGlyph(gid) ?? 0;
    let at = newIndex.get(fd);
    if (at === undefined) {
      at = topDict.FDArray.length;
      newIndex.set(fd, at);
      topDict.FDArray.push({ ...this.cff.topDict.FDArray[fd] });
      usedSubrs.push({});
    }
    topDict.FDSelect.fds.push(at);
    const glyph = this.font.getGlyph(gid);
    void glyph.path; // parsing the outline records the subroutines it calls
    for (const subr in glyph._usedSubrs ?? {}) usedSubrs[at]![subr] = true;
  }
  topDict.FDArray.forEach((dict, i) => {
    delete dict.FontName;
    const priv = dict.Private as { Subrs?: unknown[] } | undefined;
    if (priv?.Subrs) dict.Private = { ...priv, Subrs: this.subsetSubrs(priv.Subrs, usedSubrs[i]!) };
  });
}

const patched = new WeakSet<object>();

function patch(instance: object | undefined, name: string, fn: unknown) {
  if (!instance) return;
  const proto = Object.getPrototypeOf(instance) as Record<string, unknown>;
  if (patched.has(proto) || typeof proto[name] !== "function") return;
  proto[name] = fn;
  patched.add(proto);
}

/**
 * Fixes fontkit's prototypes, found through a parsed CFF font: its CFF table (`face["CFF "]`) and a
 * subset (`face.createSubset()`). Every font fontkit parses afterwards uses the fixed methods.
 */
export function fixFontkitCff(face: { createSubset(): object }): void {
  patch((face as unknown as Record<string, object>)["CFF "], "fdForGlyph", fdForGlyph);
  patch(face.createSubset(), "subsetFontdict", subsetFontdict);
}
