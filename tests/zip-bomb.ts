/**
 * An XLSX zip bomb built in memory: a real workbook whose first sheet is replaced by `inflatedMb` MB of
 * one repeated byte, deflated, with both ZIP headers declaring 1,000 bytes. The DEFLATE stream is one
 * sync-flushed 1 MB segment repeated (each segment starts afresh, so the copies form a valid stream) and
 * a final empty block: ~1 KB per inflated MB, built in milliseconds, small on disk and in memory.
 */
import ExcelJS from "exceljs";
import { deflateRawSync, constants } from "node:zlib";
import { unpackZip } from "../src/directory/xlsx-unpack.ts";

const DECLARED = 1000;

export async function xlsxBomb(inflatedMb: number): Promise<Uint8Array> {
  const book = new ExcelJS.Workbook();
  book.addWorksheet("企业").addRow(["统一社会信用代码", "名称"]);
  const real = new Uint8Array(await book.xlsx.writeBuffer());
  const entries = await unpackZip(real, Number.MAX_SAFE_INTEGER);
  const segment = deflateRawSync(Buffer.alloc(1024 * 1024, 0x41), { finishFlush: constants.Z_SYNC_FLUSH });
  const bomb = Buffer.concat([...Array<Buffer>(inflatedMb).fill(segment), deflateRawSync(Buffer.alloc(0))]);
  const files = entries.map((e) => {
    const name = new TextDecoder().decode(e.name);
    return name === "xl/worksheets/sheet1.xml"
      ? { name: e.name, data: bomb, declared: DECLARED }
      : { name: e.name, data: deflateRawSync(e.data), declared: e.data.length };
  });
  return deflatedZip(files);
}

/** A ZIP of already-deflated entries, each declaring `declared` bytes unpacked in both headers. */
function deflatedZip(files: { name: Uint8Array; data: Uint8Array; declared: number }[]): Uint8Array {
  const size = files.reduce((n, f) => n + 76 + 2 * f.name.length + f.data.length, 22);
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  let at = 0;
  const offsets: number[] = [];
  for (const f of files) {
    offsets.push(at);
    view.setUint32(at, 0x04034b50, true);
    view.setUint16(at + 4, 20, true);
    view.setUint16(at + 8, 8, true);
    view.setUint32(at + 18, f.data.length, true);
    view.setUint32(at + 22, f.declared, true);
    view.setUint16(at + 26, f.name.length, true);
    out.set(f.name, at + 30);
    out.set(f.data, at + 30 + f.name.length);
    at += 30 + f.name.length + f.data.length;
  }
  const centralStart = at;
  files.forEach((f, i) => {
    view.setUint32(at, 0x02014b50, true);
    view.setUint16(at + 4, 20, true);
    view.setUint16(at + 6, 20, true);
    view.setUint16(at + 10, 8, true);
    view.setUint32(at + 20, f.data.length, true);
    view.setUint32(at + 24, f.declared, true);
    view.setUint16(at + 28, f.name.length, true);
    view.setUint32(at + 42, offsets[i]!, true);
    out.set(f.name, at + 46);
    at += 46 + f.name.length;
  });
  view.setUint32(at, 0x06054b50, true);
  view.setUint16(at + 8, files.length, true);
  view.setUint16(at + 10, files.length, true);
  view.setUint32(at + 12, at - centralStart, true);
  view.setUint32(at + 16, centralStart, true);
  return out;
}
