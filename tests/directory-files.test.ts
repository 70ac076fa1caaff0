import ExcelJS from "exceljs";
import { describe, expect, it } from "vitest";
import { credentialState, credentialSummary, credentialValidThrough } from "../src/directory/credentials.ts";
import { daysBetween } from "../src/lib/time.ts";
import { parseCreditGrade, parseRiskLevel } from "../src/directory/enterprise-import.ts";
import { declaredUnpackedSize, decodeCsv, mapHeader, parseCsv } from "../src/directory/table-file.ts";

describe("parseCsv (RFC 4180)", () => {
  it("splits records on CRLF, LF or CR, and keeps a last record without a line break", () => {
    expect(parseCsv("a,b\r\nc,d\ne,f\rg,h")).toEqual([
      ["a", "b"],
      ["c", "d"],
      ["e", "f"],
      ["g", "h"],
    ]);
  });

  it("reads quoted fields with commas, line breaks and doubled quotes", () => {
    expect(parseCsv('"a,1","line\r\nbreak","say ""hi"""\n')).toEqual([["a,1", "line\r\nbreak", 'say "hi"']]);
  });

  it("keeps empty fields, including a quoted empty last field", () => {
    expect(parseCsv('a,,""')).toEqual([["a", "", ""]]);
    expect(parseCsv('""')).toEqual([[""]]);
    expect(parseCsv(",\n")).toEqual([["", ""]]);
  });

  it("drops a leading BOM", () => {
    expect(parseCsv("\uFEFF名称\n甲")).toEqual([["名称"], ["甲"]]);
  });

  it("keeps a quote inside an unquoted field as a character", () => {
    expect(parseCsv('5"屏,x')).toEqual([['5"屏', "x"]]);
  });

  it("refuses a quote that never closes, or text after a closing quote, naming the record", () => {
    expect(() => parseCsv('a\n"b,c\n')).toThrow(/第 2 行.*未闭合/);
    expect(() => parseCsv('a\nb\n"c"d,e')).toThrow(/第 3 行/);
  });
});

describe("decodeCsv", () => {
  it("decodes UTF-8 with and without a BOM", () => {
    const utf8 = new TextEncoder().encode("名称");
    expect(decodeCsv(utf8)).toBe("名称");
    expect(parseCsv(decodeCsv(new Uint8Array([0xef, 0xbb, 0xbf, ...utf8])))).toEqual([["名称"]]);
  });

  it("falls back to GB18030 for bytes that are not UTF-8", () => {
    expect(decodeCsv(new Uint8Array([0xc3, 0xfb, 0xb3, 0xc6]))).toBe("名称");
  });
});

describe("mapHeader", () => {
  const aliases = { code: ["统一社会信用代码", "creditCode"], name: ["名称", "name"] };
  const labels = { code: "统一社会信用代码", name: "名称" };

  it("matches Chinese or English headers, ignoring case, spaces, marks and bracketed hints", () => {
    const { columns, ignored } = mapHeader(
      ["备注", "名称 *", "Credit_Code（18位）"],
      aliases,
      ["code"],
      labels,
    );
    expect(columns).toEqual({ name: 1, code: 2 });
    expect(ignored).toEqual(["备注"]);
  });

  it("refuses a missing required column or a column named twice", () => {
    expect(() => mapHeader(["名称"], aliases, ["code", "name"], labels)).toThrow(/缺少.*统一社会信用代码/);
    expect(() => mapHeader(["名称", "name", "creditCode"], aliases, ["code"], labels)).toThrow(/两次/);
  });
});

describe("grade and risk words", () => {
  it("reads grades, with B for an empty cell", () => {
    expect(["a", "A级", " d ", ""].map(parseCreditGrade)).toEqual(["A", "A", "D", "B"]);
    expect(parseCreditGrade("E")).toBeNull();
  });

  it("reads risk levels in English or Chinese, with medium for an empty cell", () => {
    expect(["HIGH", "高风险", "低", "中", ""].map(parseRiskLevel)).toEqual([
      "high",
      "high",
      "low",
      "medium",
      "medium",
    ]);
    expect(parseRiskLevel("很高")).toBeNull();
  });
});

describe("declaredUnpackedSize", () => {
  it("sums the sizes a workbook's ZIP directory declares, and gives null for other bytes", async () => {
    const workbook = new ExcelJS.Workbook();
    workbook.addWorksheet("s").addRow(["x".repeat(5000)]);
    const bytes = new Uint8Array(await workbook.xlsx.writeBuffer());
    const size = declaredUnpackedSize(bytes);
    expect(size).toBeGreaterThan(5000);
    expect(declaredUnpackedSize(new TextEncoder().encode("a,b\n"))).toBeNull();
  });
});

describe("credentials", () => {
  const base = {
    isHelper: false,
    status: "active" as const,
    credentialNo: "X",
    credentialIssuedOn: "2024-01-01",
    credentialExpiresOn: "2024-12-31",
  };

  it("counts both dates as valid days", () => {
    expect(credentialState(base, "2024-01-01")).toBe("valid");
    expect(credentialState(base, "2024-12-31")).toBe("valid");
    expect(credentialState(base, "2023-12-31")).toBe("not_yet_valid");
    expect(credentialState(base, "2025-01-01")).toBe("expired");
  });

  it("never counts a helper or an officer who is not active", () => {
    expect(credentialState({ ...base, isHelper: true }, "2024-06-01")).toBe("none");
    expect(credentialState({ ...base, status: "suspended" }, "2024-06-01")).toBe("inactive");
  });

  it("checks a whole window", () => {
    expect(credentialValidThrough(base, "2024-12-01", "2024-12-31")).toBe(true);
    expect(credentialValidThrough(base, "2024-12-01", "2025-01-01")).toBe(false);
  });

  it("flags a credential expiring within 30 days", () => {
    expect(credentialSummary(base, "2024-12-01")).toMatchObject({ expiresInDays: 30, expiringSoon: true });
    expect(credentialSummary(base, "2024-11-30")).toMatchObject({ expiresInDays: 31, expiringSoon: false });
    expect(daysBetween("2024-02-28", "2024-03-01")).toBe(2);
  });
});
