/**
 * Issue 13: the enterprise directory's mobile number, which receives the enterprise's sign-in codes.
 * Validated (mainland mobile) and set only by the administrator: whoever sets it can sign in as the
 * enterprise, so an inspecting department must not.
 */
import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { enterpriseLoginCodes, enterprises } from "../src/db/schema.ts";
import { creditCodeCheckChar } from "../src/directory/uscc.ts";
import { normalizePhone, phoneProblem } from "../src/lib/phone.ts";
import { makeTestApp, type Session, type TestApp } from "./helpers.ts";

let t: TestApp;
let admin: Session;
let head: Session;
let serial = 0;

const code = () => {
  const first17 = `91370100PH${String(++serial).padStart(7, "0")}`;
  return first17 + creditCodeCheckChar(first17);
};

beforeAll(async () => {
  t = await makeTestApp({
    SMS_GATEWAY: "webhook",
    SMS_WEBHOOK_URL: "https://sms.invalid/",
    SMS_WEBHOOK_SECRET: "s".repeat(40),
  });
  await t.user("ph-admin", "admin");
  await t.user("ph-head", "dept_admin", await t.department("PH"));
  admin = await t.login("ph-admin");
  head = await t.login("ph-head");
});

const json = async <T = Record<string, unknown>>(res: Response) => (await res.json()) as T;

describe("phone rules", () => {
  it("takes mainland mobile numbers, with spaces, hyphens or +86", () => {
    expect(normalizePhone("+86 138-0013-8000")).toBe("13800138000");
    expect(phoneProblem("13800138000")).toBeNull();
    expect(phoneProblem("12800138000")).toMatch(/手机号/);
    expect(phoneProblem("0531-88888888".replace("-", ""))).toMatch(/座机/);
    expect(phoneProblem("1380013800")).not.toBeNull();
  });
});

describe("POST/PATCH /api/enterprises contactPhone", () => {
  it("stores a valid number given by the administrator, normalized", async () => {
    const res = await t.call(admin, "POST", "/api/enterprises", {
      creditCode: code(),
      name: "济南手机甲有限公司",
      contactPhone: "138 0013 8000",
    });
    expect(res.status).toBe(201);
    expect((await json(res)).contactPhone).toBe("13800138000");
  });

  it("refuses an invalid number with 422 invalid_phone and a Chinese message", async () => {
    const res = await t.call(admin, "POST", "/api/enterprises", {
      creditCode: code(),
      name: "济南手机乙有限公司",
      contactPhone: "0531-8888888",
    });
    expect(res.status).toBe(422);
    const body = await json<{ error: { code: string; message: string } }>(res);
    expect(body.error.code).toBe("invalid_phone");
    expect(body.error.message).toMatch(/11 位/);
  });

  it("lets a department administrator edit other fields but not the phone (403)", async () => {
    const created = await json<{ id: string }>(
      await t.call(admin, "POST", "/api/enterprises", { creditCode: code(), name: "济南手机丙有限公司" }),
    );
    const ok = await t.call(head, "PATCH", `/api/enterprises/${created.id}`, { address: "经十路 1 号" });
    expect(ok.status).toBe(200);
    const refused = await t.call(head, "PATCH", `/api/enterprises/${created.id}`, {
      contactPhone: "13900000000",
    });
    expect(refused.status).toBe(403);
    const [row] = await t.db.select().from(enterprises).where(eq(enterprises.id, created.id));
    expect(row!.contactPhone).toBeNull();
  });

  it("removes the number with an empty string, and drops a code sent to the old number", async () => {
    const created = await json<{ id: string; creditCode: string }>(
      await t.call(admin, "POST", "/api/enterprises", {
        creditCode: code(),
        name: "济南手机丁有限公司",
        contactPhone: "13900000001",
      }),
    );
    const sent = await t.call(null, "POST", "/api/public/enterprise/code", {
      creditCode: created.creditCode,
    });
    expect(sent.status).toBe(202);
    expect(
      await t.db.select().from(enterpriseLoginCodes).where(eq(enterpriseLoginCodes.enterpriseId, created.id)),
    ).toHaveLength(1);
    const res = await t.call(admin, "PATCH", `/api/enterprises/${created.id}`, { contactPhone: "" });
    expect(res.status).toBe(200);
    expect((await json(res)).contactPhone).toBeNull();
    expect(
      await t.db.select().from(enterpriseLoginCodes).where(eq(enterpriseLoginCodes.enterpriseId, created.id)),
    ).toHaveLength(0);
  });
});

function upload(csv: string, session: Session, query = "") {
  return t.app.request(`/api/enterprises/import${query}`, {
    method: "POST",
    headers: { "Content-Type": "text/csv", Cookie: session.cookie, "X-CSRF-Token": session.csrf },
    body: csv,
  });
}

describe("POST /api/enterprises/import with a 联系电话/手机 column", () => {
  it("imports valid numbers (联系电话 column), normalized", async () => {
    const a = code();
    const b = code();
    const csv = `统一社会信用代码,名称,联系电话\n${a},济南导入甲,+86 137-0000-0001\n${b},济南导入乙,\n`;
    const res = await upload(csv, admin);
    expect(res.status).toBe(201);
    const rows = await t.db.select().from(enterprises);
    expect(rows.find((r) => r.creditCode === a)!.contactPhone).toBe("13700000001");
    expect(rows.find((r) => r.creditCode === b)!.contactPhone).toBeNull();
  });

  it("refuses the file when a number is not a mobile number, naming the row (手机 column)", async () => {
    const csv = `统一社会信用代码,名称,手机\n${code()},济南导入丙,0531-88886666\n`;
    const res = await upload(csv, admin, "?dryRun=1");
    expect(res.status).toBe(422);
    const report = await json<{ refused: { row: number; errors: string[] }[] }>(res);
    expect(report.refused[0]!.row).toBe(2);
    expect(report.refused[0]!.errors.join()).toMatch(/手机号“053188886666”无效/);
  });

  it("refuses grades other than the default in a department administrator's file", async () => {
    const csv = `统一社会信用代码,名称,信用等级,风险等级\n${code()},济南导入戊,A,低\n${code()},济南导入己,B,中\n`;
    const res = await upload(csv, head, "?dryRun=1");
    expect(res.status).toBe(422);
    const report = await json<{ refused: { row: number; errors: string[] }[] }>(res);
    expect(report.refused.map((r) => r.row)).toEqual([2]);
    expect(report.refused[0]!.errors.join()).toMatch(/只能由系统管理员设定/);
    expect((await upload(csv, admin, "?dryRun=1")).status).toBe(200);
  });

  it("refuses numbers in a department administrator's file", async () => {
    const csv = `统一社会信用代码,名称,手机号\n${code()},济南导入丁,13700000002\n`;
    const res = await upload(csv, head, "?dryRun=1");
    expect(res.status).toBe(422);
    const report = await json<{ refused: { errors: string[] }[] }>(res);
    expect(report.refused[0]!.errors.join()).toMatch(/只能由管理员导入/);
  });
});
