import { rgb, type PDFDocument, type PDFFont, type PDFImage, type PDFPage } from "pdf-lib";

export const A4: [number, number] = [595.28, 841.89];
const MARGIN = { top: 64, bottom: 64, side: 62 };
const INK = rgb(0.12, 0.14, 0.16);
const FAINT = rgb(0.45, 0.47, 0.5);
/** Never at the start of a line in Chinese typesetting (避头点): they stay with the previous character. */
const NO_LINE_START = new Set([..."，。、；：？！）》」』】〕”’·…%,.;:?!)]"]);
/** A run of Latin letters, digits and the marks inside numbers and addresses, or any single character. */
const WORD_OR_CHAR = /[A-Za-z0-9_.:/@%+#=?&-]+|[\s\S]/gu;

export interface TextOptions {
  size?: number;
  /** First-line indent in characters of the text's size (公文: two). */
  indent?: number;
  /** Left offset of every line, in points. */
  left?: number;
  /** Space kept free at the right, in points. */
  right?: number;
  align?: "left" | "center" | "right";
  color?: "ink" | "faint";
  /** Space after the paragraph, in points. */
  after?: number;
}

/**
 * A top-to-bottom writer of A4 pages: wraps Chinese text anywhere (keeping closing punctuation on its
 * line), starts a new page when the next block does not fit, and leaves the footer for `finish`.
 */
export class Layout {
  page!: PDFPage;
  y = 0;
  readonly width = A4[0] - 2 * MARGIN.side;

  constructor(
    private readonly doc: PDFDocument,
    private readonly font: PDFFont,
    /** Replaces characters the font has no glyph for, so no text silently disappears. */
    private readonly clean: (text: string) => string,
  ) {
    this.newPage();
  }

  newPage() {
    this.page = this.doc.addPage(A4);
    this.y = A4[1] - MARGIN.top;
  }

  /** Starts a new page unless `height` points still fit above the bottom margin. */
  ensure(height: number) {
    if (this.y - height < MARGIN.bottom) this.newPage();
  }

  get left() {
    return MARGIN.side;
  }

  /**
   * Splits text into lines no wider than `width` at `size`: between any two Chinese characters, but
   * never inside a run of letters and digits (a credential number, a date, a URL) that fits a line.
   */
  wrap(text: string, size: number, width: number, indentChars = 0): string[] {
    const lines: string[] = [];
    for (const paragraph of this.clean(text).split("\n")) {
      let line = "";
      let lineWidth = indentChars * size;
      for (const token of paragraph.match(WORD_OR_CHAR) ?? []) {
        const w = this.font.widthOfTextAtSize(token, size);
        const fitsAlone = w <= width;
        if (lineWidth + w > width && line && !NO_LINE_START.has(token) && fitsAlone) {
          lines.push(line);
          line = "";
          lineWidth = 0;
        }
        if (fitsAlone || token.length === 1) {
          line += token;
          lineWidth += w;
          continue;
        }
        for (const ch of token) {
          const cw = this.font.widthOfTextAtSize(ch, size);
          if (lineWidth + cw > width && line) {
            lines.push(line);
            line = "";
            lineWidth = 0;
          }
          line += ch;
          lineWidth += cw;
        }
      }
      lines.push(line);
    }
    return lines;
  }

  text(text: string, opts: TextOptions = {}) {
    const size = opts.size ?? 11;
    const leading = size * 1.6;
    const left = this.left + (opts.left ?? 0);
    const width = this.width - (opts.left ?? 0) - (opts.right ?? 0);
    const lines = this.wrap(text, size, width, opts.indent ?? 0);
    lines.forEach((line, i) => {
      this.ensure(leading);
      const indent = i === 0 ? (opts.indent ?? 0) * size : 0;
      const lineWidth = this.font.widthOfTextAtSize(line, size);
      const x =
        opts.align === "center"
          ? left + (width - lineWidth) / 2
          : opts.align === "right"
            ? left + width - lineWidth
            : left + indent;
      this.y -= leading;
      this.page.drawText(line, {
        x,
        y: this.y + (leading - size) / 2,
        size,
        font: this.font,
        color: opts.color === "faint" ? FAINT : INK,
      });
    });
    this.y -= opts.after ?? 0;
  }

  rule(after = 8) {
    this.ensure(after + 2);
    this.page.drawLine({
      start: { x: this.left, y: this.y - 2 },
      end: { x: this.left + this.width, y: this.y - 2 },
      thickness: 0.6,
      color: FAINT,
    });
    this.y -= after;
  }

  gap(points: number) {
    this.y -= points;
  }

  /** An image fitted into a box of `w`×`h` points at `x` (from the left margin); the row's height is the caller's. */
  image(image: PDFImage, x: number, top: number, w: number, h: number) {
    const scale = Math.min(w / image.width, h / image.height);
    const dw = image.width * scale;
    const dh = image.height * scale;
    this.page.drawImage(image, {
      x: this.left + x + (w - dw) / 2,
      y: top - h + (h - dh) / 2,
      width: dw,
      height: dh,
    });
  }

  /** A caption centred under a box. */
  caption(text: string, x: number, y: number, w: number, size = 8) {
    const line = this.wrap(text, size, w)[0] ?? "";
    const lw = this.font.widthOfTextAtSize(line, size);
    this.page.drawText(line, { x: this.left + x + (w - lw) / 2, y, size, font: this.font, color: FAINT });
  }

  /** A QR code drawn as squares (vector, so it prints sharp and costs no image). */
  qr(
    modules: { size: number; get(row: number, col: number): number | boolean },
    x: number,
    top: number,
    side: number,
  ) {
    const cell = side / modules.size;
    for (let r = 0; r < modules.size; r++) {
      for (let col = 0; col < modules.size; col++) {
        if (!modules.get(r, col)) continue;
        this.page.drawRectangle({
          x: this.left + x + col * cell,
          y: top - (r + 1) * cell,
          width: cell,
          height: cell,
          color: INK,
        });
      }
    }
  }

  /** Footer on every page: the document's number and 第 n 页 共 m 页. */
  finish(footer: string) {
    const pages = this.doc.getPages();
    pages.forEach((page, i) => {
      const text = this.clean(`${footer}　第 ${i + 1} 页 共 ${pages.length} 页`);
      const w = this.font.widthOfTextAtSize(text, 8);
      page.drawText(text, {
        x: (A4[0] - w) / 2,
        y: MARGIN.bottom / 2,
        size: 8,
        font: this.font,
        color: FAINT,
      });
    });
  }
}
