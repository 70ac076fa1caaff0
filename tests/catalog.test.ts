import { eq } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import { auditLog, forms, formVersions, type FormKind } from "../src/db/schema.ts";
import { newId } from "../src/lib/ids.ts";
import { makeTestApp, type Session, type TestApp } from "./helpers.ts";

let t: TestApp;
let admin: Session;
let deptA: string;
let deptB: string;
let checklist: string;

const SCHEMA = JSON.stringify({ pages: [{ name: "p1", elements: [{ type: "text", name: "q1" }] }] });

/** A form straight in the database: `published` gives it version 1 as its live version. */
async function form(
  kind: FormKind,
  published: boolean,
  departmentId: string | null = null,
  title = "食品经营检查表",
) {
  const id = newId();
  const now = Date.now();
  await t.db.insert(forms).values({
    id,
    kind,
    title,
    departmentId,
    draftSchema: SCHEMA,
    status: published ? "published" : "draft",
    latestVersion: published ? 1 : null,
    publishedVersion: published ? 1 : null,
    createdAt: now,
    updatedAt: now,
  });
  if (published) {
    await t.db
      .insert(formVersions)
      .values({ formId: id, version: 1, title, schema: SCHEMA, publishedAt: now });
  }
  return id;
}

const item = (over: Record<string, unknown> = {}) => ({
  code: "JN-SCJG-001",
  departmentId: deptA,
  name: "食品经营许可事项检查",
  legalBasis: "《中华人民共和国食品安全法》第一百一十条",
  method: "现场检查",
  yearlyCap: 2,
  checklistFormId: checklist,
  ...over,
});

beforeEach(async () => {
  t = await makeTestApp();
  deptA = await t.department("SCJG", "市场监管局");
  deptB = await t.department("YJJ", "应急管理局");
  await t.user("admin", "admin");
  admin = await t.login("admin");
  checklist = await form("checklist", true);
});

const post = async (session: Session, body: Record<string, unknown>) => {
  const res = await t.call(session, "POST", "/api/catalog/items", body);
  return { res, body: await res.json() };
};

describe("POST /api/catalog/items", () => {
  it("creates an item linked to a published checklist and audits it", async () => {
    const { res, body } = await post(admin, item({ code: "jn-scjg-001" }));
    expect(res.status).toBe(201);
    expect(body).toMatchObject({
      code: "JN-SCJG-001",
      departmentId: deptA,
      departmentName: "市场监管局",
      yearlyCap: 2,
      status: "active",
      checklistForm: { id: checklist, title: "食品经营检查表", publishedVersion: 1 },
    });
    const [line] = await t.db.select().from(auditLog).where(eq(auditLog.action, "catalog.create"));
    expect(JSON.parse(line!.detail).after).toMatchObject({ code: "JN-SCJG-001", checklistFormId: checklist });
  });

  it("refuses a duplicate code with 409", async () => {
    expect((await post(admin, item())).res.status).toBe(201);
    const { res, body } = await post(admin, item({ code: "jn-scjg-001", name: "另一个" }));
    expect(res.status).toBe(409);
    expect(body.error.message).toContain("食品经营许可事项检查");
  });

  it("refuses a form that is not a checklist, not published, unknown or another department's with 422", async () => {
    const survey = await form("survey", true);
    const draft = await form("checklist", false);
    const elsewhere = await form("checklist", true, deptB);
    for (const [formId, pattern] of [
      [survey, /不是检查表/],
      [draft, /尚未发布/],
      ["missing", /不存在/],
      [elsewhere, /不存在/],
    ] as const) {
      const { res, body } = await post(admin, item({ checklistFormId: formId }));
      expect(res.status, formId).toBe(422);
      expect(body.error.code).toBe("invalid_checklist_form");
      expect(body.error.message).toMatch(pattern);
    }
    const own = await form("checklist", true, deptA);
    expect((await post(admin, item({ checklistFormId: own }))).res.status).toBe(201);
  });

  it("accepts an item without a checklist form yet", async () => {
    const { res, body } = await post(admin, item({ checklistFormId: null, yearlyCap: null }));
    expect(res.status).toBe(201);
    expect(body).toMatchObject({ checklistForm: null, yearlyCap: null });
  });

  it("validates the input with 400", async () => {
    expect((await post(admin, item({ code: "含中文" }))).res.status).toBe(400);
    expect((await post(admin, item({ legalBasis: "  " }))).res.status).toBe(400);
    expect((await post(admin, item({ yearlyCap: 0 }))).res.status).toBe(400);
  });
});

describe("catalog access by department", () => {
  let itemB: string;
  beforeEach(async () => {
    await post(admin, item());
    itemB = (
      await post(
        admin,
        item({ code: "JN-YJJ-001", departmentId: deptB, name: "安全生产检查", legalBasis: "《安全生产法》" }),
      )
    ).body.id;
    await t.user("heada", "dept_admin", deptA);
    await t.user("oa", "officer", deptA);
  });

  it("lets a department administrator write only their own department's items", async () => {
    const head = await t.login("heada");
    const own = await post(head, item({ code: "JN-SCJG-002", departmentId: undefined }));
    expect(own.res.status).toBe(201);
    expect(own.body.departmentId).toBe(deptA);
    expect((await post(head, item({ code: "JN-YJJ-002", departmentId: deptB }))).res.status).toBe(403);
    expect((await t.call(head, "PATCH", `/api/catalog/items/${itemB}`, { status: "retired" })).status).toBe(
      404,
    );
    expect((await t.call(head, "GET", `/api/catalog/items/${itemB}`)).status).toBe(404);
    const list = await (await t.call(head, "GET", "/api/catalog/items")).json();
    expect(list.items.map((i: { code: string }) => i.code)).toEqual(["JN-SCJG-001", "JN-SCJG-002"]);
  });

  it("lets officers read their department's items and write none", async () => {
    const officer = await t.login("oa");
    const list = await t.call(officer, "GET", "/api/catalog/items");
    expect(list.status).toBe(200);
    expect((await list.json()).items.map((i: { code: string }) => i.code)).toEqual(["JN-SCJG-001"]);
    expect((await post(officer, item({ code: "X-1" }))).res.status).toBe(403);
  });

  it("shows administrators every department, filtered by department, status and text", async () => {
    const all = await (await t.call(admin, "GET", "/api/catalog/items")).json();
    expect(all.items).toHaveLength(2);
    const inB = await (await t.call(admin, "GET", `/api/catalog/items?department=${deptB}`)).json();
    expect(inB.items.map((i: { name: string }) => i.name)).toEqual(["安全生产检查"]);
    const byText = await (await t.call(admin, "GET", "/api/catalog/items?q=食品安全法")).json();
    expect(byText.items.map((i: { code: string }) => i.code)).toEqual(["JN-SCJG-001"]);
    const retired = await (await t.call(admin, "GET", "/api/catalog/items?status=retired")).json();
    expect(retired.items).toHaveLength(0);
  });
});

describe("PATCH /api/catalog/items/:id", () => {
  it("retires an item, audits before/after, and re-checks a changed form", async () => {
    const { body: created } = await post(admin, item());
    const res = await t.call(admin, "PATCH", `/api/catalog/items/${created.id}`, {
      status: "retired",
      yearlyCap: null,
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      status: "retired",
      yearlyCap: null,
      checklistForm: { id: checklist },
    });
    const [line] = await t.db.select().from(auditLog).where(eq(auditLog.action, "catalog.update"));
    const detail = JSON.parse(line!.detail);
    expect([detail.before.status, detail.after.status]).toEqual(["active", "retired"]);
    const survey = await form("survey", true);
    const bad = await t.call(admin, "PATCH", `/api/catalog/items/${created.id}`, { checklistFormId: survey });
    expect(bad.status).toBe(422);
    await post(admin, item({ code: "JN-SCJG-009" }));
    const dup = await t.call(admin, "PATCH", `/api/catalog/items/${created.id}`, { code: "JN-SCJG-009" });
    expect(dup.status).toBe(409);
    expect((await t.call(admin, "PATCH", "/api/catalog/items/missing", { name: "x" })).status).toBe(404);
  });
});

describe("GET /api/public/catalog", () => {
  it("lists, without a login, only active items of listed departments", async () => {
    await post(admin, item());
    const retired = (await post(admin, item({ code: "JN-SCJG-002", name: "已停用事项" }))).body.id;
    await t.call(admin, "PATCH", `/api/catalog/items/${retired}`, { status: "retired" });
    await post(admin, item({ code: "JN-YJJ-001", departmentId: deptB, name: "安全生产检查" }));
    const unlist = await t.call(admin, "PATCH", `/api/departments/${deptB}`, { listed: false });
    expect(unlist.status).toBe(200);

    const res = await t.app.request("/api/public/catalog");
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.items).toEqual([
      {
        code: "JN-SCJG-001",
        departmentCode: "SCJG",
        departmentName: "市场监管局",
        name: "食品经营许可事项检查",
        legalBasis: "《中华人民共和国食品安全法》第一百一十条",
        method: "现场检查",
      },
    ]);
    expect(body.departments.map((d: { name: string }) => d.name)).toEqual(["市场监管局"]);
    expect(JSON.stringify(body)).not.toContain(checklist);
  });
});
