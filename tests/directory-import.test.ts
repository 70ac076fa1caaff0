import ExcelJS from "exceljs";
import { eq } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import { auditLog, enterprises } from "../src/db/schema.ts";
import { creditCodeCheckChar } from "../src/directory/uscc.ts";
import { makeTestApp, type Session, type TestApp } from "./helpers.ts";

const CSV = "text/csv";
const XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
const HEADER = "统一社会信用代码,名称,地址,所属区县,行业,法定代表人,联系方式,信用等级,风险等级";

let t: TestApp;
let admin: Session;

const code = (n: number) => {
  const first17 = `91370100MA${String(n).padStart(7, "0")}`;
  return first17 + creditCodeCheckChar(first17);
};

beforeEach(async () => {
  t = await makeTestApp();
  await t.user("admin", "admin");
  admin = await t.login("admin");
});

/** Posts a file body the way the import page does: the session cookie, the CSRF header, the file's type. */
function upload(body: BodyInit | Uint8Array, type: string, query = "", session: Session | null = admin) {
  const headers: Record<string, string> = { "Content-Type": type };
  if (session) {
    headers.Cookie = session.cookie;
    headers["X-CSRF-Token"] = session.csrf;
  }
  return t.app.request(`/api/enterprises/import${query}`, {
    method: "POST",
    headers,
    body: body as BodyInit,
  });
}

const stored = async () => (await t.db.select().from(enterprises)).length;
const importAudits = async () => t.db.select().from(auditLog).where(eq(auditLog.action, "enterprise.import"));

async function xlsx(rows: unknown[][]): Promise<Uint8Array> {
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet("企业");
  for (const row of rows) sheet.addRow(row);
  return new Uint8Array(await workbook.xlsx.writeBuffer());
}

describe("POST /api/enterprises/import (CSV)", () => {
  it("imports a UTF-8 file with BOM, CRLF and quoted fields, and audits once", async () => {
    const csv =
      "\uFEFF" +
      [
        HEADER,
        `${code(1)},济南甲餐饮有限公司,"历下区泉城路 1 号,2 楼",历下区,餐饮,张三,0531-1,A,低`,
        `${code(2)},"济南""乙""化工有限公司","章丘区
工业园",章丘区,化工,李四,,d,高风险`,
        ",,,,,,,,",
        `${code(3).toLowerCase()},丙物流,,槐荫区,物流,,,,`,
      ].join("\r\n") +
      "\r\n";
    const res = await upload(csv, `${CSV}; charset=utf-8`);
    expect(res.status).toBe(201);
    expect(await res.json()).toEqual({
      dryRun: false,
      total: 3,
      valid: 3,
      imported: 3,
      ignoredColumns: [],
      refusedTotal: 0,
      refused: [],
    });
    const rows = await t.db.select().from(enterprises);
    const byCode = Object.fromEntries(rows.map((r) => [r.creditCode, r]));
    expect(byCode[code(1)]).toMatchObject({
      address: "历下区泉城路 1 号,2 楼",
      creditGrade: "A",
      riskLevel: "low",
    });
    expect(byCode[code(2)]).toMatchObject({
      name: '济南"乙"化工有限公司',
      creditGrade: "D",
      riskLevel: "high",
    });
    expect(byCode[code(2)]!.address).toBe("章丘区\n工业园");
    expect(byCode[code(3)]).toMatchObject({ name: "丙物流", creditGrade: "B", riskLevel: "medium" });
    const audits = await importAudits();
    expect(audits).toHaveLength(1);
    expect(JSON.parse(audits[0]!.detail).after.count).toBe(3);
  });

  it("accepts English header keys without a BOM, and reports unknown columns", async () => {
    const csv = `creditCode,name,riskLevel,note\n${code(1)},Alpha Ltd,high,whatever\n`;
    const res = await upload(csv, CSV);
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ imported: 1, ignoredColumns: ["note"] });
  });

  it("imports nothing when one row is bad, and names the row and the reason", async () => {
    const bad = "911100001000013446";
    const csv = [
      HEADER,
      `${code(1)},甲,,,,,,A,low`,
      `${bad},乙,,,,,,A,low`,
      `${code(3)},丙,,,,,,B,medium`,
    ].join("\n");
    const res = await upload(csv, CSV);
    expect(res.status).toBe(422);
    const body = await res.json();
    expect(body).toMatchObject({
      dryRun: false,
      total: 3,
      valid: 2,
      imported: 0,
      error: { code: "import_refused" },
    });
    expect(body.refused).toHaveLength(1);
    expect(body.refused[0]).toMatchObject({ row: 3, creditCode: bad });
    expect(body.refused[0].errors.join()).toMatch(/校验位/);
    expect(await stored()).toBe(0);
    expect(await importAudits()).toHaveLength(0);
  });

  it("reports every problem of every refused row: name, grade, risk, duplicates in the file and in the directory", async () => {
    const existing = await t.call(admin, "POST", "/api/enterprises", {
      creditCode: code(9),
      name: "已有企业",
    });
    expect(existing.status).toBe(201);
    const csv = [
      HEADER,
      `${code(1)},甲,,,,,,A,low`,
      `${code(2)},,,,,,,E,很高`,
      `${code(1)},甲（重复）,,,,,,A,low`,
      `${code(9)},已有企业,,,,,,A,low`,
      `9.13701E+17,科学计数,,,,,,A,low`,
    ].join("\n");
    const res = await upload(csv, CSV);
    expect(res.status).toBe(422);
    const { refused } = await res.json();
    const byRow = Object.fromEntries(
      refused.map((r: { row: number; errors: string[] }) => [r.row, r.errors.join("；")]),
    );
    expect(Object.keys(byRow).map(Number)).toEqual([3, 4, 5, 6]);
    expect(byRow[3]).toMatch(/缺少名称/);
    expect(byRow[3]).toMatch(/信用等级“E”无效/);
    expect(byRow[3]).toMatch(/风险等级“很高”无效/);
    expect(byRow[4]).toMatch(/与第 2 行重复/);
    expect(byRow[5]).toMatch(/已有此统一社会信用代码（已有企业）/);
    expect(byRow[6]).toMatch(/科学计数法/);
    expect(await stored()).toBe(1);
  });

  it("stores nothing on a dry run, whether the file passes or not", async () => {
    const good = [HEADER, `${code(1)},甲,,,,,,A,low`, `${code(2)},乙,,,,,,B,medium`].join("\n");
    const ok = await upload(good, CSV, "?dryRun=1");
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ dryRun: true, total: 2, valid: 2, imported: 0, refused: [] });
    const bad = await upload(`${good}\n123,丙,,,,,,A,low`, CSV, "?dryRun=1");
    expect(bad.status).toBe(422);
    expect((await bad.json()).refused[0]).toMatchObject({ row: 4, creditCode: "123" });
    expect(await stored()).toBe(0);
    expect(await importAudits()).toHaveLength(0);
  });

  it("refuses a file without the required header columns, or without rows, with 422 invalid_file", async () => {
    const noCode = await upload(`名称,地址\n甲,济南\n`, CSV);
    expect(noCode.status).toBe(422);
    expect((await noCode.json()).error).toMatchObject({ code: "invalid_file" });
    const headerOnly = await upload(`${HEADER}\n`, CSV);
    expect(headerOnly.status).toBe(422);
    const unclosed = await upload(`${HEADER}\n${code(1)},"甲,,,,,,,A,low\n`, CSV);
    expect(unclosed.status).toBe(422);
    expect((await unclosed.json()).error.message).toMatch(/引号/);
  });

  it("reads a GB18030 (GBK) file as Excel on Chinese Windows saves it", async () => {
    // "creditCode,name\n<code>,测试\n" with 测试 in GBK (B2 E2 CA D4).
    const head = new TextEncoder().encode(`creditCode,name\n${code(1)},`);
    const bytes = new Uint8Array([...head, 0xb2, 0xe2, 0xca, 0xd4, 0x0a]);
    const res = await upload(bytes, CSV);
    expect(res.status).toBe(201);
    const [row] = await t.db.select().from(enterprises);
    expect(row!.name).toBe("测试");
  });
});

describe("POST /api/enterprises/import (XLSX)", () => {
  it("imports the first worksheet of a workbook", async () => {
    const file = await xlsx([
      HEADER.split(","),
      [code(1), "甲公司", "历城区", "历城区", "制造", "王五", "13800000000", "C", "中"],
      [code(2), { richText: [{ text: "乙" }, { text: "公司" }] }, null, "", "", "", 5318888, "a", "high"],
    ]);
    const res = await upload(file, XLSX);
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ total: 2, imported: 2 });
    const rows = await t.db.select().from(enterprises);
    const b = rows.find((r) => r.creditCode === code(2))!;
    expect(b).toMatchObject({ name: "乙公司", contact: "5318888", creditGrade: "A", riskLevel: "high" });
  });

  it("imports nothing from a workbook with one bad row", async () => {
    const file = await xlsx([
      ["统一社会信用代码", "名称"],
      [code(1), "甲"],
      [code(2), ""],
    ]);
    const res = await upload(file, XLSX);
    expect(res.status).toBe(422);
    expect((await res.json()).refused).toEqual([{ row: 3, creditCode: code(2), errors: ["缺少名称"] }]);
    expect(await stored()).toBe(0);
  });

  it("refuses bytes that are not a workbook with 422", async () => {
    const res = await upload("not a zip", XLSX);
    expect(res.status).toBe(422);
    expect((await res.json()).error.code).toBe("invalid_file");
  });
});

describe("import access and transport", () => {
  const csv = `${HEADER}\n${code(1)},甲,,,,,,A,low\n`;

  it("refuses officers and supervisors with 403", async () => {
    const dept = await t.department("scjg");
    await t.user("o1", "officer", dept);
    await t.user("sup", "supervisor");
    for (const name of ["o1", "sup"])
      expect((await upload(csv, CSV, "", await t.login(name))).status).toBe(403);
    expect(await stored()).toBe(0);
  });

  it("still needs the CSRF token", async () => {
    const res = await t.app.request("/api/enterprises/import", {
      method: "POST",
      headers: { "Content-Type": CSV, Cookie: admin.cookie },
      body: csv,
    });
    expect(res.status).toBe(403);
    expect((await res.json()).error.code).toBe("csrf");
  });

  it("takes only CSV and XLSX bodies (415 otherwise), and JSON stays refused elsewhere", async () => {
    expect((await upload(csv, "text/plain")).status).toBe(415);
    expect((await upload(JSON.stringify({ rows: [] }), "application/json")).status).toBe(415);
    const elsewhere = await t.app.request("/api/enterprises", {
      method: "POST",
      headers: { "Content-Type": CSV, Cookie: admin.cookie, "X-CSRF-Token": admin.csrf },
      body: csv,
    });
    expect(elsewhere.status).toBe(415);
  });

  it("accepts a file above the general 2 MB limit and refuses one above 10 MB with 413", async () => {
    const filler = "济".repeat(95);
    const lines = [HEADER];
    for (let i = 1; i <= 9000; i++) lines.push(`${code(i)},企业${i},${filler},,,,,B,medium`);
    const big = lines.join("\n");
    expect(new TextEncoder().encode(big).length).toBeGreaterThan(2.5 * 1024 * 1024);
    const res = await upload(big, CSV);
    expect(res.status).toBe(201);
    expect((await res.json()).imported).toBe(9000);
    expect(await stored()).toBe(9000);
    const huge = new Uint8Array(10 * 1024 * 1024 + 1).fill(0x41);
    expect((await upload(huge, CSV)).status).toBe(413);
  });
});
