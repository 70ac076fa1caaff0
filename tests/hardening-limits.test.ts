/**
 * Issue 14's limits as the API answers them: dashboard periods (item 1), XLSX zip bombs (2), refusals
 * that echo the file (18) and the error log (19). tests/node/survive.test.ts runs the same attacks
 * against the server as a process.
 */
import ExcelJS from "exceljs";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { sha256Hex } from "../src/lib/ids.ts";
import { makeTestApp, type Session, type TestApp } from "./helpers.ts";
import { WORKER_TARGET } from "./worker/target.ts";
import { xlsxBomb } from "./zip-bomb.ts";

const XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

let t: TestApp;
let admin: Session;
let head: Session;

// A fresh app per test: two tests build apps of their own configuration, which on the Worker target
// empties the one database the file shares.
beforeEach(async () => {
  t = await makeTestApp();
  const dept = await t.department("D1");
  await t.user("admin", "admin");
  await t.user("head", "dept_admin", dept);
  admin = await t.login("admin");
  head = await t.login("head");
});

function upload(path: string, body: Uint8Array, session: Session = admin) {
  return t.app.request(path, {
    method: "POST",
    headers: { "Content-Type": XLSX, Cookie: session.cookie, "X-CSRF-Token": session.csrf },
    body: body as BodyInit,
  });
}

const DASHBOARD = [
  "visits",
  "frequency",
  "items",
  "evaluations",
  "problems",
  "alerts",
  "records?metric=filings",
];

describe("dashboard periods (issue 14, item 1)", () => {
  it("refuses a period over five years with 400 period_too_long on every route and the export", async () => {
    for (const session of [admin, head]) {
      for (const p of [...DASHBOARD, "export.xlsx"]) {
        const sep = p.includes("?") ? "&" : "?";
        const res = await t.call(session, "GET", `/api/dashboard/${p}${sep}from=1000-01-01&to=9999-12-31`);
        const body = await res.json();
        expect([p, res.status, body.error.code]).toEqual([p, 400, "period_too_long"]);
        expect(body.error.message).toMatch(/不能超过 5 年/);
      }
    }
  });

  it("takes exactly five years, and refuses one day more", async () => {
    const ok = await t.call(head, "GET", "/api/dashboard/evaluations?from=2020-01-01&to=2024-12-31");
    expect(ok.status).toBe(200);
    const over = await t.call(head, "GET", "/api/dashboard/evaluations?from=2020-01-01&to=2025-01-01");
    expect(over.status).toBe(400);
    expect((await over.json()).error.code).toBe("period_too_long");
  });

  it("refuses an end before the start, and dates that are no calendar day, with 400", async () => {
    const cases = [
      "from=2026-05-01&to=2026-04-01",
      "from=2026-02-31&to=2026-03-31",
      "from=2026-13-01&to=2026-12-31",
      "from=0000-01-01&to=0001-01-01",
      "from=2026-01-01T00:00:00Z&to=2026-02-30T00:00:00Z",
    ];
    for (const q of cases) {
      const res = await t.call(head, "GET", `/api/dashboard/evaluations?${q}`);
      expect([q, res.status, (await res.json()).error.code]).toEqual([q, 400, "invalid_request"]);
    }
  });

  it("takes DASHBOARD_MAX_PERIOD_YEARS from the environment", async () => {
    const short = await makeTestApp({ DASHBOARD_MAX_PERIOD_YEARS: "1" });
    await short.user("admin", "admin");
    const session = await short.login("admin");
    const twoYears = await short.call(session, "GET", "/api/dashboard/visits?from=2024-01-01&to=2025-12-31");
    expect(twoYears.status).toBe(400);
    expect((await twoYears.json()).error.message).toMatch(/不能超过 1 年/);
  });
});

describe("XLSX zip bombs (issue 14, item 2)", () => {
  it("answers 413 to a sheet that declares 1,000 bytes and inflates to 200 MB, on both imports", async () => {
    const bomb = await xlsxBomb(200);
    expect(bomb.length).toBeLessThan(400_000);
    for (const path of ["/api/enterprises/import", "/api/planning/tasks/import"]) {
      const res = await upload(path, bomb);
      const body = await res.json();
      expect([path, res.status, body.error.code]).toEqual([path, 413, "payload_too_large"]);
      expect(body.error.message).toMatch(/解压后超过 20 MB/);
    }
    expect((await t.app.request("/healthz")).status).toBe(200);
  });

  it("counts against IMPORT_MAX_UNPACKED_BYTES and IMPORT_MAX_CELLS, and still reads a workbook under them", async () => {
    const small = await makeTestApp({
      IMPORT_MAX_UNPACKED_BYTES: String(2 * 1024 * 1024),
      IMPORT_MAX_CELLS: "100",
    });
    await small.user("admin", "admin");
    const session = await small.login("admin");
    const send = (body: Uint8Array) =>
      small.app.request("/api/enterprises/import?dryRun=1", {
        method: "POST",
        headers: { "Content-Type": XLSX, Cookie: session.cookie, "X-CSRF-Token": session.csrf },
        body: body as BodyInit,
      });
    expect((await send(await xlsxBomb(3))).status).toBe(413);
    const wide = new ExcelJS.Workbook();
    const sheet = wide.addWorksheet("企业");
    for (let i = 0; i < 60; i++) sheet.addRow([`9137010000000000${i}`, "企业"]);
    const tooMany = await send(new Uint8Array(await wide.xlsx.writeBuffer()));
    expect(tooMany.status).toBe(413);
    expect((await tooMany.json()).error.message).toMatch(/单元格超过 100 个/);
    const book = new ExcelJS.Workbook();
    book.addWorksheet("企业").addRows([
      ["统一社会信用代码", "名称"],
      ["91370100MA00000019", "甲公司"],
    ]);
    const res = await send(new Uint8Array(await book.xlsx.writeBuffer()));
    expect(res.status).toBe(422);
    // Read and checked (the code's check digit is wrong), not refused as a file.
    expect((await res.json()).error.code).toBe("import_refused");
  });
});

describe("refused imports echo a bounded report (issue 14, item 18)", () => {
  it("lists 100 rows with clipped cells when 1,000 rows share one 20,000-character cell", async () => {
    const long = "码".repeat(20_000);
    const book = new ExcelJS.Workbook();
    const sheet = book.addWorksheet("企业");
    sheet.addRow(["统一社会信用代码", "名称", "信用等级", long]);
    for (let i = 0; i < 1000; i++) sheet.addRow([long, "企业", long]);
    const file = new Uint8Array(await book.xlsx.writeBuffer());
    expect(file.length).toBeLessThan(200_000);
    const res = await upload("/api/enterprises/import", file);
    expect(res.status).toBe(422);
    const text = await res.text();
    expect(text.length).toBeLessThan(200_000);
    const body = JSON.parse(text);
    expect(body.refusedTotal).toBe(1000);
    expect(body.error.message).toMatch(/^1000 行未通过校验/);
    expect(body.refused).toHaveLength(100);
    expect(body.refused[0].row).toBe(2);
    expect(body.refused[0].creditCode).toBe(`${"码".repeat(200)}…`);
    for (const e of body.refused[0].errors) expect(e.length).toBeLessThanOrEqual(201);
    expect(body.ignoredColumns).toEqual([`${"码".repeat(200)}…`]);
  });

  it("lists at most ten problems of a row, and says how many more there are", async () => {
    await t.department("D2");
    const items = Array.from({ length: 50 }, (_, i) => `NOPE-${i}`).join(";");
    const csv = `统一社会信用代码,部门代码,检查类型,计划开始日期,计划结束日期,检查事项编码\nX,D2,日常,2027-01-01,2027-01-02,${items}\n`;
    const res = await t.app.request("/api/planning/tasks/import", {
      method: "POST",
      headers: { "Content-Type": "text/csv", Cookie: admin.cookie, "X-CSRF-Token": admin.csrf },
      body: csv,
    });
    expect(res.status).toBe(422);
    const body = await res.json();
    expect(body.refusedTotal).toBe(1);
    expect(body.refused[0].errors).toHaveLength(11);
    expect(body.refused[0].errors[10]).toMatch(/^另有 \d+ 个问题未列出$/);
  });
});

describe.skipIf(WORKER_TARGET)("the error log (issue 14, item 19)", () => {
  afterEach(async () => {
    vi.restoreAllMocks();
  });

  it("names a failed statement but none of its values (the session hash)", async () => {
    const lines: string[] = [];
    vi.spyOn(console, "error").mockImplementation((line: unknown) => void lines.push(String(line)));
    const token = /lianma_session=([^;]+)/.exec(admin.cookie)![1]!;
    const client = t.database.client;
    await client.execute("ALTER TABLE sessions RENAME TO sessions_away");
    try {
      const res = await t.call(admin, "GET", "/api/auth/me");
      expect(res.status).toBe(500);
    } finally {
      await client.execute("ALTER TABLE sessions_away RENAME TO sessions");
    }
    const log = lines.map((line) => (JSON.parse(line) as { error: string }).error).join("\n");
    expect(log).toMatch(/Failed query: select .*"sessions"/);
    expect(log).toMatch(/no such table: sessions/);
    expect(log).not.toContain(sha256Hex(token));
    expect(log).not.toContain(admin.csrf);
    expect(log).not.toMatch(/params:/);
  });
});
