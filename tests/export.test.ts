import ExcelJS from "exceljs";
import { describe, expect, it } from "vitest";
import {
  csvStream,
  exportColumns,
  xlsxStream,
  type ExportRow,
  type ExportVersion,
} from "../src/responses/export.ts";
import { neutraliseCell } from "../src/lib/cells.ts";
import { localDateTimeSeconds } from "../src/lib/time.ts";

const SHANGHAI = { timeZone: "Asia/Shanghai" };
const NEW_YEAR_UTC = Date.parse("2026-01-01T00:00:00Z");

/** v1 → v2: choice "r" renamed, question "old" removed, question "added" added, "color" retitled. */
const V1: ExportVersion = {
  version: 1,
  schema: {
    pages: [
      {
        elements: [
          {
            type: "radiogroup",
            name: "color",
            title: "颜色",
            choices: [
              { value: "r", text: "红" },
              { value: "g", text: "绿" },
            ],
          },
          { type: "text", name: "old", title: "旧问题" },
          { type: "html", name: "intro", html: "<b>hi</b>" },
        ],
      },
    ],
  },
};
const V2: ExportVersion = {
  version: 2,
  schema: {
    pages: [
      {
        elements: [
          { type: "text", name: "added", title: { default: "Added", "zh-cn": "新增问题" } },
          {
            type: "radiogroup",
            name: "color",
            title: "颜色（新）",
            choices: [
              { value: "r", text: "大红" },
              { value: "g", text: "绿" },
            ],
          },
        ],
      },
    ],
  },
};

/** One form exercising every rendering rule. */
const RICH: ExportVersion = {
  version: 1,
  schema: {
    pages: [
      {
        elements: [
          {
            type: "checkbox",
            name: "fruits",
            title: { default: "Fruits", "zh-cn": "水果" },
            choices: ["apple|苹果", { value: "pear", text: { default: "Pear", "zh-cn": "梨" } }, "kiwi"],
            showOtherItem: true,
          },
          {
            type: "panel",
            name: "p1",
            elements: [
              { type: "boolean", name: "ok", title: "合格" },
              { type: "boolean", name: "custom", title: "自定义", labelTrue: "通过", labelFalse: "不通过" },
              {
                type: "panel",
                name: "p2",
                elements: [{ type: "rating", name: "score", title: "评分" }],
              },
            ],
          },
          {
            type: "matrix",
            name: "m",
            title: "矩阵",
            rows: [
              { value: "r1", text: "卫生" },
              { value: "r2", text: "安全" },
            ],
            columns: [
              { value: 1, text: "差" },
              { value: 2, text: "好" },
            ],
          },
          {
            type: "multipletext",
            name: "contact",
            title: "联系人",
            items: [{ name: "name", title: "姓名" }, { name: "phone" }],
          },
          { type: "ranking", name: "rank", title: "排序", choices: ["a|甲", "b|乙"] },
          { type: "file", name: "photos", title: "照片" },
          { type: "signaturepad", name: "sign", title: "签名" },
          {
            type: "paneldynamic",
            name: "items",
            title: "明细",
            templateElements: [
              { type: "text", name: "what" },
              { type: "file", name: "pic" },
            ],
          },
          { type: "text", name: "notes", title: "说明", showCommentArea: true },
        ],
      },
    ],
  },
};

const PNG = "data:image/png;base64," + "iVBORw0KGgo".repeat(50);

async function* fromArray(rows: ExportRow[]): AsyncGenerator<ExportRow> {
  for (const row of rows) yield row;
}

/** The DOM typings lack ReadableStream's async iterator, so read through a reader. */
async function* chunksOf(stream: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  const reader = stream.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    reader.releaseLock();
  }
}

async function readAll(stream: ReadableStream<Uint8Array>): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of chunksOf(stream)) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/** Minimal RFC 4180 parser, enough to check what a spreadsheet would see. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ",") {
      row.push(field);
      field = "";
    } else if (ch === "\r" && text[i + 1] === "\n") {
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
      i++;
    } else field += ch;
  }
  expect(field).toBe("");
  expect(row).toEqual([]);
  return rows;
}

async function csvRows(rows: ExportRow[], versions: ExportVersion[], timeZone = "Asia/Shanghai") {
  const buffer = await readAll(csvStream(fromArray(rows), versions, { timeZone }));
  return { buffer, table: parseCsv(buffer.subarray(3).toString("utf8")) };
}

function byHeader(table: string[][], rowIndex: number): Record<string, string> {
  return Object.fromEntries(table[0].map((header, i) => [header, table[rowIndex][i]]));
}

describe("neutraliseCell", () => {
  it.each(["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"])("prefixes %j", (value) => {
    expect(neutraliseCell(value)).toBe("'" + value);
  });

  it.each(["正常", "a=b", "", " =x", "1-2", "'quoted"])("leaves %j alone", (value) => {
    expect(neutraliseCell(value)).toBe(value);
  });
});

describe("localDateTimeSeconds", () => {
  it("formats in the given zone, 24h", () => {
    expect(localDateTimeSeconds(NEW_YEAR_UTC, "Asia/Shanghai")).toBe("2026-01-01 08:00:00");
    expect(localDateTimeSeconds(NEW_YEAR_UTC, "America/New_York")).toBe("2025-12-31 19:00:00");
    expect(localDateTimeSeconds(Date.parse("2026-11-26T00:30:00Z"), "Asia/Shanghai")).toBe(
      "2026-11-26 08:30:00",
    );
    expect(localDateTimeSeconds(Date.parse("2026-03-01T16:05:09Z"), "Asia/Shanghai")).toBe(
      "2026-03-02 00:05:09",
    );
  });

  it("rejects an unknown zone", () => {
    expect(() => localDateTimeSeconds(0, "Mars/Olympus")).toThrow(RangeError);
    expect(() => csvStream(fromArray([]), [V1], { timeZone: "Mars/Olympus" })).toThrow(RangeError);
  });
});

describe("exportColumns", () => {
  it("unions versions: newest order and labels, then older-only questions", () => {
    expect(exportColumns([V1, V2]).map((c) => c.header)).toEqual([
      "响应编号",
      "版本",
      "提交时间",
      "新增问题",
      "颜色（新）",
      "旧问题",
    ]);
  });

  it("uses exactly the labels of a single version", () => {
    expect(exportColumns([V1]).map((c) => c.header)).toEqual([
      "响应编号",
      "版本",
      "提交时间",
      "颜色",
      "旧问题",
    ]);
  });

  it("expands matrix rows, multipletext items and comments; skips dynamic panel templates", () => {
    expect(exportColumns([RICH]).map((c) => c.header)).toEqual([
      "响应编号",
      "版本",
      "提交时间",
      "水果",
      "水果（备注）",
      "合格",
      "自定义",
      "评分",
      "矩阵 - 卫生",
      "矩阵 - 安全",
      "联系人 - 姓名",
      "联系人 - phone",
      "排序",
      "照片",
      "签名",
      "明细",
      "说明",
      "说明（备注）",
    ]);
  });

  it("accepts schemas stored as JSON text", () => {
    const text: ExportVersion = { version: 1, schema: JSON.stringify(V1.schema) };
    expect(exportColumns([text]).map((c) => c.header)).toEqual(exportColumns([V1]).map((c) => c.header));
  });
});

describe("csvStream", () => {
  it("starts with a BOM, uses CRLF and Chinese headers", async () => {
    const { buffer, table } = await csvRows([], [V1]);
    expect([...buffer.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(buffer.subarray(3).toString("utf8")).toBe("响应编号,版本,提交时间,颜色,旧问题\r\n");
    expect(table).toEqual([["响应编号", "版本", "提交时间", "颜色", "旧问题"]]);
  });

  it("quotes commas, quotes and line breaks", async () => {
    const data = { old: 'a,b "c"\r\nline2' };
    const { buffer, table } = await csvRows([{ id: "x", version: 1, submittedAt: NEW_YEAR_UTC, data }], [V1]);
    expect(buffer.toString("utf8")).toContain(`,"a,b ""c""\r\nline2"\r\n`);
    expect(table[1]).toEqual(["x", "1", "2026-01-01 08:00:00", "", 'a,b "c"\r\nline2']);
  });

  it("neutralises formula-like headers and values", async () => {
    const evil: ExportVersion = {
      version: 1,
      schema: { elements: [{ type: "text", name: "q", title: "=HYPERLINK(1)" }] },
    };
    const row = { id: "@id", version: 1, submittedAt: NEW_YEAR_UTC, data: { q: '=cmd|" /C calc"!A0' } };
    const { table } = await csvRows([row], [evil]);
    expect(table[0][3]).toBe("'=HYPERLINK(1)");
    expect(table[1][0]).toBe("'@id");
    expect(table[1][3]).toBe(`'=cmd|" /C calc"!A0`);
  });

  it("renders each response with its own version's schema", async () => {
    const rows: ExportRow[] = [
      {
        id: "a",
        version: 1,
        submittedAt: NEW_YEAR_UTC,
        data: { color: "r", old: "旧答案", junk: "ignored" },
      },
      { id: "b", version: 2, submittedAt: NEW_YEAR_UTC, data: { color: "r", added: "新答案" } },
    ];
    const { table } = await csvRows(rows, [V2, V1]);
    expect(table[0]).toEqual(["响应编号", "版本", "提交时间", "新增问题", "颜色（新）", "旧问题"]);
    expect(table[1]).toEqual(["a", "1", "2026-01-01 08:00:00", "", "红", "旧答案"]);
    expect(table[2]).toEqual(["b", "2", "2026-01-01 08:00:00", "新答案", "大红", ""]);
    expect(table.flat()).not.toContain("ignored");
  });

  it("formats submission time in the requested zone", async () => {
    const row = { id: "a", version: 1, submittedAt: NEW_YEAR_UTC, data: {} };
    expect((await csvRows([row], [V1], "Asia/Shanghai")).table[1][2]).toBe("2026-01-01 08:00:00");
    expect((await csvRows([row], [V1], "Europe/Berlin")).table[1][2]).toBe("2026-01-01 01:00:00");
  });

  it("renders choices, booleans, matrices, items and comments; never dumps file data", async () => {
    const data = {
      fruits: ["apple", "pear", "other"],
      "fruits-Comment": "榴莲",
      ok: false,
      custom: true,
      score: 4,
      m: { r1: 2, r2: 1 },
      contact: { name: "张三", phone: "+86 138" },
      rank: ["b", "a"],
      photos: [
        { name: "a.png", type: "image/png", content: PNG },
        { name: "b.png", type: "image/png", content: PNG },
      ],
      sign: PNG,
      items: [{ what: "灭火器", pic: [{ name: "c.png", content: PNG }] }],
      notes: "-5 度",
      "notes-Comment": "补充",
    };
    const { buffer, table } = await csvRows([{ id: "a", version: 1, submittedAt: 0, data }], [RICH]);
    expect(buffer.toString("utf8")).not.toContain("iVBORw0KGgo");
    const cells = byHeader(table, 1);
    expect(cells["水果"]).toBe("苹果、梨、其他");
    expect(cells["水果（备注）"]).toBe("榴莲");
    expect(cells["合格"]).toBe("否");
    expect(cells["自定义"]).toBe("通过");
    expect(cells["评分"]).toBe("4");
    expect(cells["矩阵 - 卫生"]).toBe("好");
    expect(cells["矩阵 - 安全"]).toBe("差");
    expect(cells["联系人 - 姓名"]).toBe("张三");
    expect(cells["联系人 - phone"]).toBe("'+86 138");
    expect(cells["排序"]).toBe("乙、甲");
    expect(cells["照片"]).toBe("[文件 2 个]");
    expect(cells["签名"]).toBe("[签名]");
    expect(JSON.parse(cells["明细"])).toEqual([
      { what: "灭火器", pic: [{ name: "c.png", content: expect.any(String) }] },
    ]);
    expect(cells["说明"]).toBe("'-5 度");
    expect(cells["说明（备注）"]).toBe("补充");
  });

  it("maps rating rateValues and renders an unknown version with the newest schema", async () => {
    const rated: ExportVersion = {
      version: 3,
      schema: {
        elements: [
          {
            type: "rating",
            name: "s",
            title: "满意度",
            rateValues: [
              { value: 1, text: "差" },
              { value: 5, text: "好" },
            ],
          },
          { type: "radiogroup", name: "color", title: "颜色", choices: ["r|红"] },
        ],
      },
    };
    const rows: ExportRow[] = [
      { id: "a", version: 3, submittedAt: 0, data: { s: 5 } },
      { id: "b", version: 9, submittedAt: 0, data: { s: 1, color: "r" } },
    ];
    const { table } = await csvRows(rows, [rated]);
    expect(table.slice(1).map((row) => row.slice(3))).toEqual([
      ["好", ""],
      ["差", "红"],
    ]);
  });

  it("pulls rows only as the consumer reads and closes the source on cancel", async () => {
    const source = countingRows(100_000, 0);
    const reader = csvStream(source.rows, [benchVersion()], SHANGHAI).getReader();
    const first = await reader.read();
    expect(first.value?.byteLength).toBeGreaterThan(0);
    expect(source.pulled()).toBeLessThan(2_000);
    await reader.cancel();
    expect(source.closed()).toBe(true);
  });
});

describe("xlsxStream", () => {
  it("produces a workbook exceljs can read back", async () => {
    const rows: ExportRow[] = [
      { id: "a", version: 1, submittedAt: NEW_YEAR_UTC, data: { color: "r", old: "=1+1" } },
      { id: "b", version: 2, submittedAt: NEW_YEAR_UTC, data: { color: "g", added: -3 } },
    ];
    const buffer = await readAll(xlsxStream(fromArray(rows), [V1, V2], SHANGHAI));
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(buffer as unknown as ArrayBuffer);
    const sheet = workbook.getWorksheet("响应");
    expect(sheet).toBeDefined();
    const values = (n: number) => (sheet!.getRow(n).values as unknown[]).slice(1);
    expect(values(1)).toEqual(["响应编号", "版本", "提交时间", "新增问题", "颜色（新）", "旧问题"]);
    expect(values(2)).toEqual(["a", 1, "2026-01-01 08:00:00", undefined, "红", "'=1+1"]);
    expect(values(3)).toEqual(["b", 2, "2026-01-01 08:00:00", -3, "绿"]);
    expect(sheet!.getCell("D3").type).toBe(ExcelJS.ValueType.Number);
    expect(sheet!.getCell("F2").type).toBe(ExcelJS.ValueType.String);
    expect(sheet!.views[0]).toMatchObject({ state: "frozen", ySplit: 1 });
    expect(sheet!.rowCount).toBe(3);
  });

  it("pulls rows only as the consumer reads and stops on cancel", async () => {
    const source = countingRows(100_000, 0);
    const reader = xlsxStream(source.rows, [benchVersion()], SHANGHAI).getReader();
    await reader.read();
    const pulledAfterFirstChunk = source.pulled();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(source.pulled()).toBeLessThan(20_000);
    expect(pulledAfterFirstChunk).toBeLessThan(20_000);
    await reader.cancel();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(source.closed()).toBe(true);
  });

  it("propagates a failing row source as a stream error", async () => {
    async function* failing(): AsyncGenerator<ExportRow> {
      yield { id: "a", version: 1, submittedAt: 0, data: {} };
      throw new Error("db gone");
    }
    await expect(readAll(xlsxStream(failing(), [V1], SHANGHAI))).rejects.toThrow("db gone");
    await expect(readAll(csvStream(failing(), [V1], SHANGHAI))).rejects.toThrow("db gone");
  });
});

// ---------------------------------------------------------------------------------------------------------
// 100k-row streaming runs. Timing and memory are printed for the record, never asserted.

/** A 30-question inspection form with a realistic mix of types. */
function benchVersion(): ExportVersion {
  const elements: unknown[] = [];
  const choices = [
    { value: "y", text: "符合" },
    { value: "n", text: "不符合" },
    { value: "na", text: "不适用" },
  ];
  for (let i = 0; i < 12; i++)
    elements.push({ type: "radiogroup", name: `r${i}`, title: `检查项 ${i}`, choices });
  for (let i = 0; i < 4; i++) {
    elements.push({ type: "checkbox", name: `c${i}`, title: `多选 ${i}`, choices, showOtherItem: true });
  }
  for (let i = 0; i < 6; i++) elements.push({ type: "text", name: `t${i}`, title: `填空 ${i}` });
  for (let i = 0; i < 3; i++) elements.push({ type: "rating", name: `s${i}`, title: `评分 ${i}` });
  elements.push({ type: "boolean", name: "b0", title: "是否整改" });
  elements.push({ type: "dropdown", name: "d0", title: "区域", choices: ["east|东区", "west|西区"] });
  elements.push({ type: "comment", name: "memo", title: "备注" });
  elements.push({ type: "file", name: "photos", title: "照片" });
  elements.push({
    type: "matrix",
    name: "m0",
    title: "矩阵",
    rows: ["卫生", "安全"],
    columns: choices,
  });
  return { version: 1, schema: { pages: [{ elements }] } };
}

function benchData(i: number): Record<string, unknown> {
  const data: Record<string, unknown> = {};
  for (let q = 0; q < 12; q++) data[`r${q}`] = (i + q) % 3 === 0 ? "n" : "y";
  for (let q = 0; q < 4; q++) data[`c${q}`] = (i + q) % 4 === 0 ? ["y", "other"] : ["y", "na"];
  data["c0-Comment"] = "其他说明";
  for (let q = 0; q < 6; q++) data[`t${q}`] = `第 ${i} 条记录, 字段 ${q}`;
  for (let q = 0; q < 3; q++) data[`s${q}`] = ((i + q) % 5) + 1;
  data.b0 = i % 2 === 0;
  data.d0 = i % 2 === 0 ? "east" : "west";
  data.memo = i % 10 === 0 ? '含"引号"的备注' : "正常";
  data.photos = [{ name: "p.jpg", type: "image/jpeg", content: "https://files.example/p.jpg" }];
  data.m0 = { 卫生: "y", 安全: "n" };
  return data;
}

function countingRows(total: number, start: number) {
  let pulled = 0;
  let closed = false;
  async function* generate(): AsyncGenerator<ExportRow> {
    try {
      for (let i = 0; i < total; i++) {
        pulled++;
        yield { id: `resp-${i}`, version: 1, submittedAt: start + i * 1000, data: benchData(i) };
      }
    } finally {
      closed = true;
    }
  }
  return { rows: generate(), pulled: () => pulled, closed: () => closed };
}

async function measure(stream: ReadableStream<Uint8Array>, onChunk: (chunk: Uint8Array) => void) {
  globalThis.gc?.();
  const rssBefore = process.memoryUsage().rss;
  let peakRss = rssBefore;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 20);
  const started = performance.now();
  let bytes = 0;
  try {
    for await (const chunk of chunksOf(stream)) {
      bytes += chunk.byteLength;
      onChunk(chunk);
    }
  } finally {
    clearInterval(sampler);
  }
  const seconds = (performance.now() - started) / 1000;
  const rssAfter = process.memoryUsage().rss;
  peakRss = Math.max(peakRss, rssAfter);
  return { bytes, seconds, rssBefore, rssAfter, peakRss };
}

function report(label: string, rows: number, m: Awaited<ReturnType<typeof measure>>): void {
  const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`;
  console.info(
    `${label}: ${rows} rows, ${mb(m.bytes)} in ${m.seconds.toFixed(2)} s = ${Math.round(rows / m.seconds)} rows/s; ` +
      `rss before ${mb(m.rssBefore)}, peak ${mb(m.peakRss)}, after ${mb(m.rssAfter)}`,
  );
}

describe("100k rows", () => {
  const TOTAL = 100_000;

  it("streams CSV without buffering", { timeout: 120_000 }, async () => {
    const source = countingRows(TOTAL, NEW_YEAR_UTC);
    let lineEnds = 0;
    let lastWasCr = false;
    const m = await measure(csvStream(source.rows, [benchVersion()], SHANGHAI), (chunk) => {
      for (let i = 0; i < chunk.length; i++) {
        if (chunk[i] === 0x0a && (i > 0 ? chunk[i - 1] === 0x0d : lastWasCr)) lineEnds++;
      }
      lastWasCr = chunk[chunk.length - 1] === 0x0d;
    });
    report("CSV", TOTAL, m);
    expect(lineEnds).toBe(TOTAL + 1);
    expect(source.closed()).toBe(true);
  });

  it("streams XLSX without buffering", { timeout: 300_000 }, async () => {
    const source = countingRows(TOTAL, NEW_YEAR_UTC);
    let head: number[] = [];
    const m = await measure(xlsxStream(source.rows, [benchVersion()], SHANGHAI), (chunk) => {
      if (head.length === 0) head = [...chunk.subarray(0, 2)];
    });
    report("XLSX", TOTAL, m);
    expect(head).toEqual([0x50, 0x4b]); // "PK": a zip container
    expect(source.pulled()).toBe(TOTAL);
  });
});
