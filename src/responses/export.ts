/**
 * Streaming export of form responses to CSV and XLSX.
 *
 * A form can have many published versions and every response is tied to the version it was filled
 * against. Columns are the union of all versions' questions, but each value is rendered with the schema of
 * the response's own version, so a v1 answer keeps showing the choice text the respondent actually saw.
 *
 * The schemas are compiled once per export into flat per-version column plans; rendering a row is then a
 * tight loop over precomputed closures, which keeps 100k-row exports well above 20k rows/s.
 */
import { PassThrough } from "node:stream";
import { neutraliseCell } from "../lib/cells.ts";
import { secondsFormatter } from "../lib/time.ts";

/** One published version of a form. */
export interface ExportVersion {
  version: number;
  /** SurveyJS JSON of that published version (an object, or the JSON text as stored in the database). */
  schema: unknown;
}

/** One stored response. */
export interface ExportRow {
  id: string;
  version: number;
  /** Epoch milliseconds. */
  submittedAt: number;
  data: Record<string, unknown>;
}

/** Options shared by both export formats. */
export interface ExportOptions {
  /** IANA zone used for the 提交时间 column, e.g. "Asia/Shanghai". */
  timeZone: string;
  /** Which translation of localized titles/choices to use; default "zh-cn". */
  locale?: string;
}

/** What a column shows: response metadata, a whole answer, one matrix row, one multipletext item, or a comment. */
export type ExportColumnKind = "meta" | "value" | "row" | "item" | "comment";

/** One column of the export, in output order. */
export interface ExportColumn {
  /** Stable identity across versions (opaque; JSON of [dataKey, kind, sub?]). */
  key: string;
  /** Header text as written in the first row (before formula neutralisation). */
  header: string;
  kind: ExportColumnKind;
  /** The key in response data this column reads; undefined for meta columns. */
  dataKey?: string;
}

/** A cell before serialisation: numbers stay numbers so XLSX can keep them numeric. */
type Cell = string | number | null;
type Render = (value: unknown) => Cell;
type JsonObject = Record<string, unknown>;

interface ColumnSpec {
  key: string;
  kind: ExportColumnKind;
  header: string;
  dataKey: string;
  read: Render;
}

/** A version's columns resolved to output positions, ready for the per-row loop. */
interface VersionRenderer {
  indexes: number[];
  dataKeys: string[];
  reads: Render[];
}

interface ExportPlan {
  columns: ExportColumn[];
  renderRow(row: ExportRow): Cell[];
}

const DEFAULT_LOCALE = "zh-cn";
const COMMENT_SUFFIX = "-Comment";
const LIST_SEPARATOR = "、";
const META_COLUMNS: readonly ExportColumn[] = [
  { key: JSON.stringify(["", "meta", "id"]), header: "响应编号", kind: "meta" },
  { key: JSON.stringify(["", "meta", "version"]), header: "版本", kind: "meta" },
  { key: JSON.stringify(["", "meta", "submittedAt"]), header: "提交时间", kind: "meta" },
];
/** Elements that never carry a value; panels are walked into instead. */
const NO_VALUE_TYPES = new Set(["html", "image", "empty"]);
const SELECT_TYPES = new Set([
  "radiogroup",
  "dropdown",
  "checkbox",
  "tagbox",
  "ranking",
  "imagepicker",
  "buttongroup",
  "rating",
]);
/** Built-in special items of select questions: [flag properties, stored value, text property, default text]. */
const SPECIAL_ITEMS: ReadonlyArray<readonly [readonly string[], string, string, string]> = [
  [["showOtherItem", "hasOther"], "other", "otherText", "其他"],
  [["showNoneItem", "hasNone"], "none", "noneText", "无"],
  [["showRefuseItem"], "refused", "refuseText", "拒绝回答"],
  [["showDontKnowItem"], "dontknow", "dontKnowText", "不知道"],
];
/** Excel rejects longer cell text as corrupt content. */
const XLSX_MAX_CELL_CHARS = 32767;
const DATA_URL = /^data:[\w.+-]+\/[\w.+-]+(?:;[^,;]*)*;base64,/i;
const CSV_NEEDS_QUOTES = /[",\r\n]/;
const CSV_CHUNK_CHARS = 64 * 1024;
const XLSX_CHUNK_BYTES = 64 * 1024;
/** Rows written to exceljs between checks for consumer backpressure. */
const XLSX_ROWS_PER_BATCH = 200;

// ---------------------------------------------------------------------------------------------------------
// Cell rendering

function isRecord(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Base64 payloads (files, signatures, pasted images) would bloat a sheet to unusability. */
function scrubDataUrl(value: string): string {
  return DATA_URL.test(value) ? `[数据 ${value.length} 字符已省略]` : value;
}

function jsonReplacer(_key: string, value: unknown): unknown {
  return typeof value === "string" ? scrubDataUrl(value) : value;
}

/** Fallback rendering for answers without a type-specific renderer. */
function renderRaw(value: unknown): Cell {
  if (value === null || value === undefined) return null;
  if (typeof value === "string") return scrubDataUrl(value);
  if (typeof value === "number") return Number.isFinite(value) ? value : null;
  if (typeof value === "boolean") return value ? "是" : "否";
  if (typeof value === "object") return JSON.stringify(value, jsonReplacer);
  return String(value);
}

// ---------------------------------------------------------------------------------------------------------
// Schema walking

/** Picks the requested translation of a SurveyJS localizable string ({"default": .., "zh-cn": ..} or plain). */
function localized(value: unknown, locale: string): string | undefined {
  if (typeof value === "string") return value;
  if (typeof value === "number") return String(value);
  if (!isRecord(value)) return undefined;
  const exact = value[locale] ?? value[locale.toLowerCase()] ?? value["default"];
  if (typeof exact === "string") return exact;
  // A title translated only into other languages is still better than the bare question name
  return Object.values(value).find((text): text is string => typeof text === "string");
}

function parseSchema(schema: unknown): unknown {
  if (typeof schema !== "string") return schema;
  try {
    return JSON.parse(schema) as unknown;
  } catch {
    return undefined;
  }
}

/** Lists value-carrying questions in page order, descending into (nested) panels but not dynamic panels. */
function collectQuestions(schema: unknown): JsonObject[] {
  const root = parseSchema(schema);
  const out: JsonObject[] = [];
  if (!isRecord(root)) return out;
  const visit = (elements: unknown): void => {
    if (!Array.isArray(elements)) return;
    for (const element of elements) {
      if (!isRecord(element)) continue;
      const type = typeof element.type === "string" ? element.type.toLowerCase() : "";
      if (type === "panel") {
        visit(element.elements);
        visit(element.questions);
      } else if (!NO_VALUE_TYPES.has(type) && questionKey(element) !== undefined) {
        out.push(element);
      }
    }
  };
  if (Array.isArray(root.pages)) {
    for (const page of root.pages) {
      if (!isRecord(page)) continue;
      visit(page.elements);
      visit(page.questions);
    }
  }
  // Older or hand-written schemas may put elements on the root instead of pages
  visit(root.elements);
  visit(root.questions);
  return out;
}

/** The data key a question stores its answer under (valueName wins over name, as in SurveyJS). */
function questionKey(question: JsonObject): string | undefined {
  for (const candidate of [question.valueName, question.name]) {
    if (typeof candidate === "string" && candidate !== "") return candidate;
    if (typeof candidate === "number") return String(candidate);
  }
  return undefined;
}

interface ChoiceItem {
  value: string;
  text: string | undefined;
}

/** Normalises SurveyJS ItemValue forms: "a", 1, "a|Apple" and {value, text}. */
function choiceItems(list: unknown, locale: string): ChoiceItem[] {
  if (!Array.isArray(list)) return [];
  const items: ChoiceItem[] = [];
  for (const entry of list) {
    if (typeof entry === "string") {
      const bar = entry.indexOf("|");
      items.push(
        bar >= 0
          ? { value: entry.slice(0, bar), text: entry.slice(bar + 1) }
          : { value: entry, text: undefined },
      );
    } else if (typeof entry === "number" || typeof entry === "boolean") {
      items.push({ value: String(entry), text: undefined });
    } else if (isRecord(entry) && entry.value !== undefined && entry.value !== null) {
      items.push({ value: String(entry.value), text: localized(entry.text, locale) || undefined });
    }
  }
  return items;
}

/** Text lookup keyed by String(value): stored answers may be numbers while JSON choices are strings. */
function choiceTexts(items: ChoiceItem[]): Map<string, string> {
  const texts = new Map<string, string>();
  for (const item of items) {
    if (item.text !== undefined && !texts.has(item.value)) texts.set(item.value, item.text);
  }
  return texts;
}

function addSpecialItems(texts: Map<string, string>, question: JsonObject, locale: string): void {
  for (const [flags, value, textProperty, fallback] of SPECIAL_ITEMS) {
    if (texts.has(value) || !flags.some((flag) => question[flag] === true)) continue;
    texts.set(value, localized(question[textProperty], locale) || fallback);
  }
}

/** Renders a choice answer (single value or array) through a text lookup; unknown values pass through. */
function choiceRenderer(texts: Map<string, string>): Render {
  const one = (value: unknown): Cell => {
    if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") {
      const text = texts.get(String(value));
      if (text !== undefined) return text;
    }
    return renderRaw(value);
  };
  return (value) => {
    if (!Array.isArray(value)) return one(value);
    return value.map((item) => one(item) ?? "").join(LIST_SEPARATOR);
  };
}

function selectRenderer(question: JsonObject, type: string, locale: string): Render {
  const list = type === "rating" ? question.rateValues : question.choices;
  const texts = choiceTexts(choiceItems(list, locale));
  if (type !== "rating") addSpecialItems(texts, question, locale);
  // Even without known texts (choicesByUrl, choicesFromQuestion) a multi-select should read "a、b", not JSON
  return choiceRenderer(texts);
}

function booleanRenderer(question: JsonObject, locale: string): Render {
  const valueTrue = question.valueTrue ?? true;
  const valueFalse = question.valueFalse ?? false;
  const labelTrue = localized(question.labelTrue, locale) || "是";
  const labelFalse = localized(question.labelFalse, locale) || "否";
  return (value) => {
    if (value === valueTrue) return labelTrue;
    if (value === valueFalse) return labelFalse;
    return renderRaw(value);
  };
}

function fileRenderer(value: unknown): Cell {
  const count = Array.isArray(value) ? value.length : 1;
  return count === 0 ? null : `[文件 ${count} 个]`;
}

function signatureRenderer(value: unknown): Cell {
  return typeof value === "string" && value === "" ? null : "[签名]";
}

/** Chooses how a single-column answer of this question type is turned into a cell. */
function valueRenderer(question: JsonObject, type: string, locale: string): Render {
  if (SELECT_TYPES.has(type)) return selectRenderer(question, type, locale);
  if (type === "boolean") return booleanRenderer(question, locale);
  if (type === "file") return fileRenderer;
  if (type === "signaturepad") return signatureRenderer;
  return renderRaw;
}

function columnKey(dataKey: string, kind: ExportColumnKind, sub?: string): string {
  return JSON.stringify(sub === undefined ? [dataKey, kind] : [dataKey, kind, sub]);
}

/** Single-choice matrix: one column per row, showing the chosen column's text. */
function matrixColumns(question: JsonObject, dataKey: string, title: string, locale: string): ColumnSpec[] {
  const cell = choiceRenderer(choiceTexts(choiceItems(question.columns, locale)));
  return choiceItems(question.rows, locale).map((row) => ({
    key: columnKey(dataKey, "row", row.value),
    kind: "row",
    header: `${title} - ${row.text ?? row.value}`,
    dataKey,
    read: (value: unknown) => (isRecord(value) ? cell(value[row.value] ?? null) : null),
  }));
}

function multipleTextColumns(
  question: JsonObject,
  dataKey: string,
  title: string,
  locale: string,
): ColumnSpec[] {
  const items = Array.isArray(question.items) ? question.items.filter(isRecord) : [];
  return items.flatMap((item): ColumnSpec[] => {
    const name = questionKey({ name: item.name });
    if (name === undefined) return [];
    return [
      {
        key: columnKey(dataKey, "item", name),
        kind: "item",
        header: `${title} - ${localized(item.title, locale) || name}`,
        dataKey,
        read: (value: unknown) => (isRecord(value) ? renderRaw(value[name]) : null),
      },
    ];
  });
}

function hasCommentColumn(question: JsonObject): boolean {
  return ["showOtherItem", "hasOther", "hasComment", "showCommentArea"].some(
    (flag) => question[flag] === true,
  );
}

/** Expands one question into its columns for one version. */
function questionColumns(question: JsonObject, locale: string): ColumnSpec[] {
  const dataKey = questionKey(question) as string;
  const type = typeof question.type === "string" ? question.type.toLowerCase() : "";
  const title =
    localized(question.title, locale) || (typeof question.name === "string" ? question.name : dataKey);
  let columns: ColumnSpec[] = [];
  if (type === "matrix") columns = matrixColumns(question, dataKey, title, locale);
  else if (type === "multipletext") columns = multipleTextColumns(question, dataKey, title, locale);
  // A matrix without rows (or multipletext without items) still gets its raw value in one column
  if (columns.length === 0) {
    const read = valueRenderer(question, type, locale);
    columns = [{ key: columnKey(dataKey, "value"), kind: "value", header: title, dataKey, read }];
  }
  if (hasCommentColumn(question)) {
    const commentKey = dataKey + COMMENT_SUFFIX;
    const header = `${title}（备注）`;
    columns.push({
      key: columnKey(dataKey, "comment"),
      kind: "comment",
      header,
      dataKey: commentKey,
      read: renderRaw,
    });
  }
  return columns;
}

function versionColumns(version: ExportVersion, locale: string): ColumnSpec[] {
  const seen = new Set<string>();
  const columns: ColumnSpec[] = [];
  for (const question of collectQuestions(version.schema)) {
    const dataKey = questionKey(question) as string;
    // Questions sharing a valueName share one answer; the first one defines how it is shown
    if (seen.has(dataKey)) continue;
    seen.add(dataKey);
    columns.push(...questionColumns(question, locale));
  }
  return columns;
}

// ---------------------------------------------------------------------------------------------------------
// Planning

/** Newest first, so first-seen wins for both column order and header text. */
function newestFirst(versions: ExportVersion[]): ExportVersion[] {
  return [...versions].sort((a, b) => b.version - a.version);
}

/**
 * Unions columns over versions: question groups keep the newest version's order with older-only questions
 * appended; inside a group, sub-columns (matrix rows, items) are unioned the same way and the comment stays
 * last. Headers come from the newest version that has the column.
 */
function unionColumns(perVersion: ColumnSpec[][]): ExportColumn[] {
  const groups = new Map<string, Map<string, ExportColumn>>();
  for (const columns of perVersion) {
    for (const column of columns) {
      const group = questionGroup(column);
      let members = groups.get(group);
      if (!members) groups.set(group, (members = new Map()));
      if (!members.has(column.key)) {
        members.set(column.key, {
          key: column.key,
          header: column.header,
          kind: column.kind,
          dataKey: column.dataKey,
        });
      }
    }
  }
  const out: ExportColumn[] = [...META_COLUMNS];
  for (const members of groups.values()) {
    const list = [...members.values()];
    out.push(...list.filter((c) => c.kind !== "comment"), ...list.filter((c) => c.kind === "comment"));
  }
  return out;
}

/** The question a column belongs to (comment columns read "<key>-Comment" but group with "<key>"). */
function questionGroup(column: ColumnSpec | ExportColumn): string {
  return (JSON.parse(column.key) as string[])[0];
}

function compileRenderer(columns: ColumnSpec[], positions: Map<string, number>): VersionRenderer {
  const renderer: VersionRenderer = { indexes: [], dataKeys: [], reads: [] };
  for (const column of columns) {
    renderer.indexes.push(positions.get(column.key) as number);
    renderer.dataKeys.push(column.dataKey);
    renderer.reads.push(column.read);
  }
  return renderer;
}

function createPlan(versions: ExportVersion[], opts: ExportOptions): ExportPlan {
  const locale = opts.locale ?? DEFAULT_LOCALE;
  const formatTimeOf = secondsFormatter(opts.timeZone);
  const ordered = newestFirst(versions);
  const perVersion = ordered.map((version) => versionColumns(version, locale));
  const columns = unionColumns(perVersion);
  const positions = new Map(columns.map((column, index) => [column.key, index]));
  const renderers = new Map<number, VersionRenderer>();
  ordered.forEach((version, i) => {
    if (!renderers.has(version.version))
      renderers.set(version.version, compileRenderer(perVersion[i], positions));
  });
  // A response whose version was not passed in is shown with the newest schema rather than dropped
  const newest = ordered.length > 0 ? renderers.get(ordered[0].version) : undefined;
  const fallback: VersionRenderer = newest ?? { indexes: [], dataKeys: [], reads: [] };
  const width = columns.length;

  const renderRow = (row: ExportRow): Cell[] => {
    const cells = new Array<Cell>(width).fill(null);
    cells[0] = row.id;
    cells[1] = row.version;
    cells[2] = formatTimeOf(row.submittedAt);
    const data = isRecord(row.data) ? row.data : {};
    const { indexes, dataKeys, reads } = renderers.get(row.version) ?? fallback;
    for (let i = 0; i < indexes.length; i++) {
      const value = data[dataKeys[i]];
      if (value !== undefined && value !== null) cells[indexes[i]] = reads[i](value);
    }
    return cells;
  };
  return { columns, renderRow };
}

/**
 * Lists the export's columns in output order: 响应编号, 版本, 提交时间, then the union of the versions'
 * question columns (newest version's order first, then questions only older versions had).
 */
export function exportColumns(
  versions: ExportVersion[],
  opts: Pick<ExportOptions, "locale"> = {},
): ExportColumn[] {
  const locale = opts.locale ?? DEFAULT_LOCALE;
  return unionColumns(newestFirst(versions).map((version) => versionColumns(version, locale)));
}

// ---------------------------------------------------------------------------------------------------------
// CSV

function csvField(cell: Cell): string {
  if (cell === null) return "";
  // A JS number prints as digits/sign/exponent only, so it cannot carry a formula; keep "-3" numeric
  if (typeof cell === "number") return String(cell);
  const text = neutraliseCell(cell);
  return CSV_NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

function csvLine(cells: Cell[]): string {
  let line = csvField(cells[0]);
  for (let i = 1; i < cells.length; i++) line += "," + csvField(cells[i]);
  return line + "\r\n";
}

/**
 * Streams responses as UTF-8 CSV with a BOM (so Excel detects UTF-8), CRLF line ends and RFC 4180 quoting.
 * Rows are pulled from `rows` only as the consumer reads, in ~64 KB chunks. Throws synchronously (RangeError)
 * for an unknown time zone.
 */
export function csvStream(
  rows: AsyncIterable<ExportRow>,
  versions: ExportVersion[],
  opts: ExportOptions,
): ReadableStream<Uint8Array> {
  const plan = createPlan(versions, opts);
  const encoder = new TextEncoder();
  let iterator: AsyncIterator<ExportRow> | undefined;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        let text = "";
        if (!iterator) {
          iterator = rows[Symbol.asyncIterator]();
          text = "\uFEFF" + csvLine(plan.columns.map((column) => column.header));
        }
        while (text.length < CSV_CHUNK_CHARS) {
          const next = await iterator.next();
          if (next.done) {
            if (text) controller.enqueue(encoder.encode(text));
            controller.close();
            return;
          }
          text += csvLine(plan.renderRow(next.value));
        }
        controller.enqueue(encoder.encode(text));
      },
      async cancel(reason) {
        // Lets a database cursor behind the iterator close when the client disconnects
        await iterator?.return?.(reason);
      },
    },
    { highWaterMark: 0 },
  );
}

// ---------------------------------------------------------------------------------------------------------
// XLSX

function xlsxCell(cell: Cell): string | number | null {
  if (typeof cell !== "string") return cell;
  const text = neutraliseCell(cell);
  return text.length > XLSX_MAX_CELL_CHARS ? text.slice(0, XLSX_MAX_CELL_CHARS) : text;
}

function columnWidth(column: ExportColumn): number {
  if (column.kind === "meta") return column.header === "版本" ? 6 : 22;
  return 18;
}

/** The bit of a Node/readable-stream Writable's internal state we need to see backpressure. */
interface Drainable {
  _writableState: { needDrain: boolean };
  once(event: "drain", listener: () => void): unknown;
}

function isDrainable(value: unknown): value is Drainable {
  const state = (value as { _writableState?: { needDrain?: unknown } } | undefined)?._writableState;
  return typeof state?.needDrain === "boolean" && typeof (value as { once?: unknown }).once === "function";
}

/**
 * exceljs's StreamBuf writes committed rows into archiver's deflate pipe without ever waiting, so if rows
 * come faster than zlib compresses them the backlog grows without bound (kilobytes per row). The pipe
 * still records needDrain, so we watch it. This reaches into exceljs internals (worksheet.stream.pipes);
 * if their shape changes we degrade to only yielding between batches.
 */
function sheetPipe(sheet: unknown): Drainable | undefined {
  const pipes = (sheet as { stream?: { pipes?: unknown } }).stream?.pipes;
  const first: unknown = Array.isArray(pipes) ? pipes[0] : undefined;
  return isDrainable(first) ? first : undefined;
}

/** Makes the row producer wait for zlib and for the consumer, so memory stays flat. */
class Backpressure {
  private wakeOnRead: (() => void) | undefined;
  private wakeOnStop: (() => void) | undefined;
  stopped = false;

  constructor(private readonly out: PassThrough) {}

  private get outFull(): boolean {
    return this.out.writableNeedDrain || this.out.readableLength >= this.out.readableHighWaterMark;
  }

  async waitForRoom(sheet: unknown): Promise<void> {
    // Yield first so archiver/zlib can move the rows just committed along before we measure
    await new Promise<void>((resolve) => setImmediate(resolve));
    while (!this.stopped) {
      const pipe = sheetPipe(sheet);
      if (pipe?._writableState.needDrain) {
        await new Promise<void>((resolve) => {
          this.wakeOnStop = resolve;
          pipe.once("drain", resolve);
        });
      } else if (this.outFull) {
        await new Promise<void>((resolve) => {
          this.wakeOnRead = resolve;
          this.wakeOnStop = resolve;
        });
      } else {
        return;
      }
    }
  }

  /** The consumer took a chunk. */
  read(): void {
    const wake = this.wakeOnRead;
    this.wakeOnRead = undefined;
    wake?.();
  }

  /** The consumer gave up: the producer must not wait for a drain that will never come. */
  stop(): void {
    this.stopped = true;
    this.read();
    this.wakeOnStop?.();
    this.wakeOnStop = undefined;
  }
}

async function writeWorkbook(
  out: PassThrough,
  rows: AsyncIterable<ExportRow>,
  plan: ExportPlan,
  pressure: Backpressure,
): Promise<void> {
  // Loaded on the first export, not at start: exceljs adds much of the server's resident memory.
  const { default: ExcelJS } = await import("exceljs");
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({
    stream: out,
    useStyles: false,
    useSharedStrings: false,
  });
  const sheet = workbook.addWorksheet("响应", { views: [{ state: "frozen", ySplit: 1 }] });
  sheet.columns = plan.columns.map((column) => ({ width: columnWidth(column) }));
  sheet.addRow(plan.columns.map((column) => xlsxCell(column.header))).commit();
  let written = 0;
  for await (const row of rows) {
    if (pressure.stopped) return;
    sheet.addRow(plan.renderRow(row).map(xlsxCell)).commit();
    if (++written % XLSX_ROWS_PER_BATCH === 0) await pressure.waitForRoom(sheet);
    if (pressure.stopped) return;
  }
  sheet.commit();
  await workbook.commit();
}

/**
 * Streams responses as an .xlsx workbook (one sheet "响应", first row frozen) using exceljs's streaming
 * writer. Rows are pulled from `rows` only while the consumer keeps up, so memory stays flat. Throws
 * synchronously (RangeError) for an unknown time zone.
 */
export function xlsxStream(
  rows: AsyncIterable<ExportRow>,
  versions: ExportVersion[],
  opts: ExportOptions,
): ReadableStream<Uint8Array> {
  const plan = createPlan(versions, opts);
  const out = new PassThrough({ highWaterMark: XLSX_CHUNK_BYTES });
  const pressure = new Backpressure(out);
  const chunks = out[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  let started = false;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        if (!started) {
          started = true;
          writeWorkbook(out, rows, plan, pressure).catch((error: unknown) => out.destroy(toError(error)));
        }
        const next = await chunks.next();
        pressure.read();
        if (next.done) controller.close();
        else
          controller.enqueue(new Uint8Array(next.value.buffer, next.value.byteOffset, next.value.byteLength));
      },
      async cancel() {
        pressure.stop();
        out.destroy();
      },
    },
    { highWaterMark: 0 },
  );
}

function toError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
