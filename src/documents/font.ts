import fontkit from "@pdf-lib/fontkit";
import { ApiError } from "../lib/errors.ts";
import { fixFontkitCff } from "./cff-subset-fix.ts";
import type { AppDeps } from "../env.ts";
import { logError } from "../lib/log.ts";

/** Noto Sans CJK SC (@embedpdf/fonts-sc, OFL), copied into public/fonts/ by scripts/copy-pdf-font.mjs. */
export const PDF_FONT_PATH = "/fonts/NotoSansHans-Regular.otf";
/** Printed for a character the font cannot draw, so a name never loses a character without a trace. */
const MISSING = "□";

export interface PdfFont {
  bytes: Uint8Array;
  /** The text with control characters dropped and characters without a glyph replaced. */
  clean(text: string): string;
}

// One font per process or isolate (every app serves the same public/): 8 MB read once, not per document.
let loaded: Promise<PdfFont> | undefined;

async function load(assets: AppDeps["assets"]): Promise<PdfFont> {
  const res = await assets(PDF_FONT_PATH, new Request(`http://local${PDF_FONT_PATH}`));
  if (!res || !res.ok) throw new Error(`the PDF font ${PDF_FONT_PATH} is missing (npm run build)`);
  const bytes = new Uint8Array(await res.arrayBuffer());
  const face = fontkit.create(bytes);
  fixFontkitCff(face);
  const known = new Map<number, boolean>();
  const drawable = (cp: number) => {
    let hit = known.get(cp);
    if (hit === undefined) {
      hit = face.hasGlyphForCodePoint(cp);
      known.set(cp, hit);
    }
    return hit;
  };
  const clean = (text: string) => {
    let out = "";
    for (const ch of text.replace(/\r\n?/g, "\n")) {
      const cp = ch.codePointAt(0)!;
      if (ch === "\n") out += ch;
      else if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0)) continue;
      else out += drawable(cp) ? ch : MISSING;
    }
    return out;
  };
  return { bytes, clean };
}

/** The documents' font, loaded once per app through the assets adapter (Node: disk; Workers: binding). */
export function pdfFont(deps: AppDeps): Promise<PdfFont> {
  loaded ??= load(deps.assets).catch((error: unknown) => {
    loaded = undefined;
    logError({ event: "pdf_font_missing" }, error);
    throw new ApiError(503, "documents_unavailable", "文书字体未安装，暂时无法生成文书，请联系管理员");
  });
  return loaded;
}
