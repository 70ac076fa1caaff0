/**
 * Unpacking an uploaded XLSX (a ZIP) with a bound on what it inflates to. The sizes a ZIP declares in
 * its headers are the sender's word: a sheet of 8 GB can declare 1,000 bytes, and the XLSX reader
 * (exceljs over JSZip) inflates it whole before it compares, so the heap runs out. Here every entry is
 * inflated by the runtime's streaming DecompressionStream (off the event loop on Node) while the bytes
 * out are counted, and reading stops at the limit. The reader then gets a new ZIP of the very entries
 * that were counted, stored uncompressed, so it cannot read anything else from the original bytes.
 */
import { ApiError } from "../lib/errors.ts";

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

export const notXlsx = () =>
  new ApiError(422, "invalid_file", "文件不是有效的 XLSX（Excel 2007 及以上）文件");
export const unpackedTooLarge = (maxBytes: number) =>
  new ApiError(
    413,
    "payload_too_large",
    `XLSX 文件解压后超过 ${Math.floor(maxBytes / 1024 / 1024)} MB，拒绝读取；请删除无关内容或拆分后分批导入`,
  );

interface Entry {
  name: Uint8Array;
  data: Uint8Array;
}

/** The ZIP's entries, each inflated, or an ApiError: 422 when it is no readable ZIP, 413 over `maxBytes`. */
export async function unpackZip(bytes: Uint8Array, maxBytes: number): Promise<Entry[]> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const u16 = (at: number) => view.getUint16(at, true);
  const u32 = (at: number) => view.getUint32(at, true);
  let eocd = -1;
  for (let at = bytes.length - 22, lowest = Math.max(0, bytes.length - 22 - 0xffff); at >= lowest; at--) {
    if (u32(at) === EOCD) {
      eocd = at;
      break;
    }
  }
  if (eocd < 0) throw notXlsx();
  const count = u16(eocd + 10);
  let at = u32(eocd + 16);
  const entries: Entry[] = [];
  let budget = maxBytes;
  for (let k = 0; k < count; k++) {
    if (at + 46 > bytes.length || u32(at) !== CENTRAL) throw notXlsx();
    const flags = u16(at + 8);
    const method = u16(at + 10);
    const compressed = u32(at + 20);
    const nameLength = u16(at + 28);
    const local = u32(at + 42);
    // Encrypted entries and ZIP64 (sizes and offsets of 4 GB and more) have no place in an upload.
    if (flags & 1 || compressed === 0xffffffff || local === 0xffffffff) throw notXlsx();
    const name = bytes.subarray(at + 46, at + 46 + nameLength);
    at += 46 + nameLength + u16(at + 30) + u16(at + 32);
    if (local + 30 > bytes.length || u32(local) !== LOCAL) throw notXlsx();
    const start = local + 30 + u16(local + 26) + u16(local + 28);
    if (start + compressed > bytes.length) throw notXlsx();
    const raw = bytes.subarray(start, start + compressed);
    let data: Uint8Array;
    if (method === 0) data = raw;
    else if (method === 8) data = await inflateBounded(raw, budget, maxBytes);
    else throw notXlsx();
    if (data.length > budget) throw unpackedTooLarge(maxBytes);
    budget -= data.length;
    entries.push({ name, data });
  }
  return entries;
}

/** Inflates raw DEFLATE data, giving up as soon as more than `budget` bytes have come out. */
async function inflateBounded(raw: Uint8Array, budget: number, maxBytes: number): Promise<Uint8Array> {
  const reader = new Blob([raw as Uint8Array<ArrayBuffer>])
    .stream()
    .pipeThrough(new DecompressionStream("deflate-raw"))
    .getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.length;
      if (total > budget) throw unpackedTooLarge(maxBytes);
      chunks.push(value);
    }
  } catch (error) {
    await reader.cancel().catch(() => {});
    if (error instanceof ApiError) throw error;
    throw notXlsx();
  }
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}

const WORKSHEET = /^xl\/worksheets\/[^/]+\.xml$/;

/**
 * Cells in the workbook's sheets (`<c …>` elements), counted on the bytes. The XLSX reader builds an
 * object per cell and parses a sheet in one go: 8 MB of one-digit cells (324,000) held the event loop
 * for seconds and took ~200 MB of heap, so the cell count is bounded before it reads anything.
 */
export function countCells(entries: Entry[]): number {
  let cells = 0;
  for (const { name, data } of entries) {
    if (!WORKSHEET.test(new TextDecoder().decode(name))) continue;
    for (let i = data.indexOf(0x3c); i >= 0 && i + 2 < data.length; i = data.indexOf(0x3c, i + 1)) {
      // "<c " or "<c>" (not "<col", "<cfRule", …)
      if (data[i + 1] === 0x63 && (data[i + 2] === 0x20 || data[i + 2] === 0x3e)) cells++;
    }
  }
  return cells;
}

export const tooManyCells = (maxCells: number) =>
  new ApiError(
    413,
    "payload_too_large",
    `XLSX 文件的单元格超过 ${maxCells} 个，拒绝读取；请删除无关的工作表和内容，或拆分后分批导入`,
  );

let crcTable: Uint32Array | undefined;

function crc32(data: Uint8Array): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let crc = 0xffffffff;
  for (let i = 0; i < data.length; i++) crc = crcTable[(crc ^ data[i]!) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/** A ZIP of `entries` stored uncompressed, for a reader that must see exactly these bytes. */
export function storedZip(entries: Entry[]): Uint8Array {
  const size = entries.reduce((n, e) => n + 76 + 2 * e.name.length + e.data.length, 22);
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  let at = 0;
  const central: { entry: Entry; offset: number; crc: number }[] = [];
  for (const entry of entries) {
    const crc = crc32(entry.data);
    central.push({ entry, offset: at, crc });
    view.setUint32(at, LOCAL, true);
    view.setUint16(at + 4, 20, true);
    view.setUint32(at + 14, crc, true);
    view.setUint32(at + 18, entry.data.length, true);
    view.setUint32(at + 22, entry.data.length, true);
    view.setUint16(at + 26, entry.name.length, true);
    out.set(entry.name, at + 30);
    out.set(entry.data, at + 30 + entry.name.length);
    at += 30 + entry.name.length + entry.data.length;
  }
  const centralStart = at;
  for (const { entry, offset, crc } of central) {
    view.setUint32(at, CENTRAL, true);
    view.setUint16(at + 4, 20, true);
    view.setUint16(at + 6, 20, true);
    view.setUint32(at + 16, crc, true);
    view.setUint32(at + 20, entry.data.length, true);
    view.setUint32(at + 24, entry.data.length, true);
    view.setUint16(at + 28, entry.name.length, true);
    view.setUint32(at + 42, offset, true);
    out.set(entry.name, at + 46);
    at += 46 + entry.name.length;
  }
  view.setUint32(at, EOCD, true);
  view.setUint16(at + 8, entries.length, true);
  view.setUint16(at + 10, entries.length, true);
  view.setUint32(at + 12, at - centralStart, true);
  view.setUint32(at + 16, centralStart, true);
  return out;
}
