import { eq } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import { auditLog } from "../src/db/schema.ts";
import { makeTestApp, type Session, type TestApp } from "./helpers.ts";

let t: TestApp;
let admin: Session;

beforeEach(async () => {
  t = await makeTestApp();
  await t.user("admin", "admin");
  admin = await t.login("admin");
});

describe("departments: listed and district", () => {
  it("creates a department listed by default, with its district", async () => {
    const res = await t.call(admin, "POST", "/api/departments", {
      code: "scjg",
      name: "市场监管局",
      district: "历下区",
    });
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ code: "scjg", listed: true, district: "历下区" });
    const list = await (await t.call(admin, "GET", "/api/departments")).json();
    expect(list.items[0]).toMatchObject({ name: "市场监管局", listed: true, district: "历下区" });
  });

  it("lets an administrator take a department off the list, audited with before/after", async () => {
    const id = await t.department("scjg", "市场监管局");
    const res = await t.call(admin, "PATCH", `/api/departments/${id}`, { listed: false, district: "章丘区" });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ id, listed: false, district: "章丘区", name: "市场监管局" });
    const [line] = await t.db.select().from(auditLog).where(eq(auditLog.action, "department.update"));
    const detail = JSON.parse(line!.detail);
    expect([detail.before.listed, detail.after.listed]).toEqual([true, false]);
  });

  it("refuses department administrators with 403, a taken code with 409, an unknown id with 404", async () => {
    const a = await t.department("a");
    await t.department("b");
    await t.user("head", "dept_admin", a);
    const head = await t.login("head");
    expect((await t.call(head, "PATCH", `/api/departments/${a}`, { listed: false })).status).toBe(403);
    expect((await t.call(admin, "PATCH", `/api/departments/${a}`, { code: "b" })).status).toBe(409);
    expect((await t.call(admin, "PATCH", "/api/departments/missing", { listed: false })).status).toBe(404);
    expect((await t.call(admin, "PATCH", `/api/departments/${a}`, { listed: "no" })).status).toBe(400);
  });
});
