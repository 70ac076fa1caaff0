/**
 * Reading an uploaded table (CSV or XLSX) into rows of trimmed strings, for the directory imports.
 * Row 1 of the result is the header row; numbers in reports are spreadsheet row numbers (1-based).
 */
import { z } from "@hono/zod-openapi";
import { ApiError } from "../lib/errors.ts";
import { countCells, notXlsx, storedZip, tooManyCells, unpackedTooLarge, unpackZip } from "./xlsx-unpack.ts";

export const CSV_TYPE = "text/csv";
export const XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

const FILE_BODY = { schema: z.string().openapi({ format: "binary" }) };

/** The request of an all-or-nothing table import: the file itself as the body, `?dryRun=1` to check only. */
export const tableImportRequest = {
  query: z.object({ dryRun: z.enum(["0", "1", "true", "false"]).optional() }),
  body: { required: true, content: { [CSV_TYPE]: FILE_BODY, [XLSX_TYPE]: FILE_BODY } },
};

/** Rows of a table file; `line` is the spreadsheet row number of each row (CSV: record number). */
export interface TableRow {
  line: number;
  cells: string[];
}

const invalidFile = (message: string) => new ApiError(422, "invalid_file", message);

/**
 * Decodes CSV bytes: UTF-8 with or without BOM. Excel on Chinese Windows saves "CSV" as GB18030 (GBK),
 * so bytes that are not UTF-8 are read as GB18030 when the runtime can, rather than turned into
 * replacement characters.
 */
export function decodeCsv(bytes: Uint8Array): string {
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    try {
      return new TextDecoder("gb18030", { fatal: true }).decode(bytes);
    } catch {
      throw invalidFile("文件不是 UTF-8 编码的 CSV；请在 Excel 中“另存为 → CSV UTF-8（逗号分隔）”后重试");
    }
  }
}

/**
 * RFC 4180 CSV: comma-separated, records end in CRLF (LF or CR alone are accepted too), fields may be
 * quoted with `"` and then hold commas, line breaks and doubled quotes. A leading BOM is dropped.
 * A quote inside an unquoted field is kept as a character; text after a closing quote, or a quote that
 * never closes, is an error rather than a silent guess.
 */
export function parseCsv(text: string): string[][] {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const records: string[][] = [];
  let record: string[] = [];
  let field = "";
  let i = 0;
  let recordNo = 1;
  let quoted = false;
  const n = text.length;
  const endField = () => {
    record.push(field);
    field = "";
    quoted = false;
  };
  const endRecord = () => {
    endField();
    records.push(record);
    record = [];
    recordNo++;
  };
  while (i < n) {
    const ch = text[i]!;
    if (ch === '"' && field === "" && !quoted) {
      // A quoted field: runs to the next lone quote.
      const startRecord = recordNo;
      i++;
      for (;;) {
        if (i >= n) throw invalidFile(`CSV 第 ${startRecord} 行有未闭合的引号`);
        const q = text[i]!;
        if (q === '"') {
          if (text[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        field += q;
        i++;
      }
      const next = text[i];
      if (next !== undefined && next !== "," && next !== "\r" && next !== "\n") {
        throw invalidFile(`CSV 第 ${startRecord} 行：引号闭合后还有多余字符`);
      }
      quoted = true;
      continue;
    }
    if (ch === ",") {
      endField();
      i++;
    } else if (ch === "\r" || ch === "\n") {
      endRecord();
      i += ch === "\r" && text[i + 1] === "\n" ? 2 : 1;
    } else {
      field += ch;
      i++;
    }
  }
  // The last record may or may not end in a line break.
  if (field !== "" || quoted || record.length > 0) endRecord();
  return records;
}

/**
 * Sums the uncompressed sizes a ZIP's central directory declares, or returns null when the bytes are
 * not a ZIP: a cheap first refusal of a file that admits being too big. A zip bomb declares small
 * sizes, so the limit is enforced again on the bytes actually inflated (xlsx-unpack.ts).
 */
export function declaredUnpackedSize(bytes: Uint8Array): number | null {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lowest = Math.max(0, bytes.length - 22 - 0xffff);
  let eocd = -1;
  for (let at = bytes.length - 22; at >= lowest; at--) {
    if (view.getUint32(at, true) === 0x06054b50) {
      eocd = at;
      break;
    }
  }
  if (eocd < 0) return null;
  const entries = view.getUint16(eocd + 10, true);
  let at = view.getUint32(eocd + 16, true);
  let total = 0;
  for (let k = 0; k < entries; k++) {
    if (at + 46 > bytes.length || view.getUint32(at, true) !== 0x02014b50) return null;
    const size = view.getUint32(at + 24, true);
    if (size === 0xffffffff) return Number.POSITIVE_INFINITY;
    total += size;
    at += 46 + view.getUint16(at + 28, true) + view.getUint16(at + 30, true) + view.getUint16(at + 32, true);
  }
  return total;
}

const pad = (n: number) => String(n).padStart(2, "0");

/** The text of one exceljs cell value: dates as YYYY-MM-DD, formulas as their cached result. */
function cellText(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (value instanceof Date) {
    // exceljs turns a date serial into the UTC instant of that calendar day.
    return `${value.getUTCFullYear()}-${pad(value.getUTCMonth() + 1)}-${pad(value.getUTCDate())}`;
  }
  if (typeof value === "object") {
    const v = value as Record<string, unknown>;
    if (Array.isArray(v.richText))
      return v.richText.map((r: { text?: unknown }) => String(r.text ?? "")).join("");
    if ("result" in v) return cellText(v.result);
    if ("text" in v) return cellText(v.text);
    if ("error" in v) return String(v.error);
  }
  return String(value);
}

/** Bounds of an XLSX upload (ImportConfig): bytes inflated, counted while inflating, and cells. */
export interface XlsxLimits {
  maxUnpackedBytes: number;
  maxCells: number;
}

/**
 * Reads the first worksheet of an XLSX file that inflates to at most `maxUnpackedBytes` and holds at
 * most `maxCells` cells (413 above either).
 */
export async function readXlsx(bytes: Uint8Array, limits: XlsxLimits): Promise<TableRow[]> {
  const unpacked = declaredUnpackedSize(bytes);
  if (unpacked === null) throw notXlsx();
  if (unpacked > limits.maxUnpackedBytes) throw unpackedTooLarge(limits.maxUnpackedBytes);
  const entries = await unpackZip(bytes, limits.maxUnpackedBytes);
  if (countCells(entries) > limits.maxCells) throw tooManyCells(limits.maxCells);
  const counted = storedZip(entries);
  // Loaded on demand: only imports need the spreadsheet reader.
  const { default: ExcelJS } = await import("exceljs");
  const workbook = new ExcelJS.Workbook();
  try {
    await workbook.xlsx.load(counted as unknown as ArrayBuffer);
  } catch {
    throw invalidFile("无法读取 XLSX 文件，请确认文件未损坏且为 .xlsx 格式");
  }
  const sheet = workbook.worksheets[0];
  if (!sheet) throw invalidFile("XLSX 文件中没有工作表");
  const rows: TableRow[] = [];
  sheet.eachRow({ includeEmpty: false }, (row, rowNumber) => {
    const values = Array.isArray(row.values) ? row.values : [];
    const cells: string[] = [];
    for (let col = 1; col < values.length; col++) cells.push(cellText(values[col]).trim());
    rows.push({ line: rowNumber, cells });
  });
  return rows;
}

/** Reads an uploaded CSV or XLSX body into rows (blank rows dropped, cells trimmed). */
export async function readTable(
  bytes: Uint8Array,
  contentType: string,
  limits: XlsxLimits,
): Promise<TableRow[]> {
  const type = contentType.split(";")[0]!.trim().toLowerCase();
  const rows: TableRow[] =
    type === XLSX_TYPE
      ? await readXlsx(bytes, limits)
      : parseCsv(decodeCsv(bytes)).map((cells, i) => ({ line: i + 1, cells: cells.map((c) => c.trim()) }));
  return rows.filter((r) => r.cells.some((c) => c !== ""));
}

/** Problems of one refused row listed at most; the rest are counted. */
const MAX_ERRORS_PER_ROW = 10;

const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max)}…` : text);

interface Refusal {
  row: number;
  creditCode: string;
  errors: string[];
}

/**
 * What a refusal echoes of the file, bounded whatever the file holds: the first `reportMaxRows` refused
 * rows (with at most ten problems each) and the first ignored header cells, every text clipped to
 * `echoMaxChars`. An XLSX shares one string among any number of cells, so a small file can name a
 * 100 KB text in each of its ten thousand rows; echoed whole, the refusal grew to ~700 times the file.
 */
export function boundedRefusals(
  refused: Refusal[],
  ignoredColumns: string[],
  limits: { reportMaxRows: number; echoMaxChars: number },
): { refused: Refusal[]; refusedTotal: number; ignoredColumns: string[] } {
  const max = limits.echoMaxChars;
  return {
    refusedTotal: refused.length,
    refused: refused.slice(0, limits.reportMaxRows).map((r) => ({
      row: r.row,
      creditCode: clip(r.creditCode, max),
      errors: [
        ...r.errors.slice(0, MAX_ERRORS_PER_ROW).map((e) => clip(e, max)),
        ...(r.errors.length > MAX_ERRORS_PER_ROW
          ? [`另有 ${r.errors.length - MAX_ERRORS_PER_ROW} 个问题未列出`]
          : []),
      ],
    })),
    ignoredColumns: ignoredColumns.slice(0, limits.reportMaxRows).map((c) => clip(c, max)),
  };
}

/** Header text reduced for matching: case, spaces, `_`/`-`, `*` marks and bracketed hints ignored. */
export function headerKey(text: string): string {
  return text
    .replace(/[（(][^）)]*[）)]/g, "")
    .replace(/[\s_\-*＊:：]/g, "")
    .toLowerCase();
}

/**
 * Maps header cells to fields by their aliases (Chinese and English). Returns the column of each field
 * found; an unknown column is ignored, a field named twice or a required field missing is an error.
 */
export function mapHeader<F extends string>(
  header: string[],
  aliases: Record<F, string[]>,
  required: F[],
  labels: Record<F, string>,
): { columns: Partial<Record<F, number>>; ignored: string[] } {
  const lookup = new Map<string, F>();
  for (const field of Object.keys(aliases) as F[]) {
    for (const alias of aliases[field]) lookup.set(headerKey(alias), field);
  }
  const columns: Partial<Record<F, number>> = {};
  const ignored: string[] = [];
  header.forEach((cell, col) => {
    if (cell === "") return;
    const field = lookup.get(headerKey(cell));
    if (!field) {
      ignored.push(cell);
      return;
    }
    if (columns[field] !== undefined) throw invalidFile(`表头中“${labels[field]}”列出现了两次`);
    columns[field] = col;
  });
  const missing = required.filter((f) => columns[f] === undefined).map((f) => labels[f]);
  if (missing.length) {
    throw invalidFile(`表头缺少必需的列：${missing.join("、")}（第一行应为表头）`);
  }
  return { columns, ignored };
}
