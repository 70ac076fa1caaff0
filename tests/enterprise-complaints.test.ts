/**
 * Issue 13 / R14: the enterprise complains (also about a visit nobody filed); the 司法局 sees it at once
 * as an alert, the department never does, and the enterprise reads back status and outcome.
 */
import { eq } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import { alerts, auditLog, complaints, enterprises, outbox } from "../src/db/schema.ts";
import { localDate } from "../src/lib/time.ts";
import { newId } from "../src/lib/ids.ts";
import { enterpriseCall, enterpriseSession } from "./enterprise-fixtures.ts";
import { DAY, makeInspection, makeWorld, type World } from "./evaluation-fixtures.ts";
import { makeTestApp, type TestApp } from "./helpers.ts";

let t: TestApp;
let w: World;
const TZ = "Asia/Shanghai";
const day = (offsetDays = 0) => localDate(Date.now() + offsetDays * DAY, TZ);

function complain(body: Record<string, unknown>, session = w.enterprise) {
  return enterpriseCall(t, session, "POST", "/api/enterprise/complaints", {
    kind: "unfiled_visit",
    departmentId: w.deptA,
    visitDate: day(-3),
    text: "两名自称市场监管的人员上午十点到店检查，未出示执法证，也查不到备案。",
    ...body,
  });
}

describe("enterprise complaints", () => {
  beforeEach(async () => {
    t = await makeTestApp();
    w = await makeWorld(t);
  });

  it("files a complaint with a receipt and raises a complaint alert the supervisor reads in full", async () => {
    const res = await complain({});
    expect(res.status).toBe(201);
    const { id, receiptNo } = await res.json();
    expect(receiptNo).toMatch(/^TS\d{8}-[0-9A-Z]{6}$/);
    const [row] = await t.db.select().from(complaints).where(eq(complaints.id, id));
    expect(row).toMatchObject({ enterpriseId: w.enterpriseId, departmentId: w.deptA, status: "received" });
    const [alert] = await t.db.select().from(alerts);
    expect(alert).toMatchObject({
      kind: "complaint",
      complaintId: id,
      departmentId: w.deptA,
      status: "open",
    });
    // The summary names the kind and date, never the enterprise's own words.
    expect(alert!.summary).toContain("未备案入企");
    expect(alert!.summary).not.toContain("执法证");
    const audit = await t.db.select().from(auditLog).where(eq(auditLog.action, "complaint.file"));
    expect(audit).toHaveLength(1);

    await t.user("sup", "supervisor");
    const sup = await t.login("sup");
    const list = await (await t.call(sup, "GET", "/api/alerts")).json();
    expect(list.items.map((a: { kind: string }) => a.kind)).toContain("complaint");
    const detail = await (await t.call(sup, "GET", `/api/alerts/${alert!.id}`)).json();
    expect(detail.complaint).toMatchObject({ receiptNo, kind: "unfiled_visit", unfiledVisit: true });
    expect(detail.complaint.text).toContain("未出示执法证");
    expect(detail.enterprise.name).toBe("济南示例食品有限公司");
  });

  it("never shows the complaint to the department's users", async () => {
    const { id: inspectionId, code } = await makeInspection(t, w, { status: "approved" });
    expect((await complain({ inspectionCode: code, kind: "conduct" })).status).toBe(201);
    expect((await complain({})).status).toBe(201);
    await t.user("a-head", "dept_admin", w.deptA);
    await t.user("a-officer", "officer", w.deptA);
    for (const name of ["a-head", "a-officer"]) {
      const s = await t.login(name);
      expect((await t.call(s, "GET", "/api/alerts")).status, name).toBe(403);
      // Nor through the enterprise's routes: a staff session is nobody there.
      expect((await t.call(s, "GET", "/api/enterprise/complaints")).status, name).toBe(401);
      for (const path of [
        "/api/inspections",
        `/api/inspections/${inspectionId}`,
        `/api/inspections/${inspectionId}/avoidance`,
      ]) {
        const res = await t.call(s, "GET", path);
        expect(res.status, `${name} ${path}`).toBe(200);
        const body = await res.text();
        expect(body).not.toContain("未出示执法证");
        expect(body).not.toMatch(/TS\d{8}-/);
      }
      const records = await t.call(
        s,
        "GET",
        `/api/dashboard/records?metric=complaints&departmentId=${w.deptA}`,
      );
      expect([403, 400], name).toContain(records.status);
    }
  });

  it("flags 未备案入企 without a filing covering the day, not with one", async () => {
    const unfiled = await (await complain({ visitDate: day(-2) })).json();
    // A filing of department A for this enterprise whose window covers yesterday.
    await makeInspection(t, w, { status: "approved", plannedStart: Date.now() - DAY });
    const filed = await (await complain({ visitDate: day(-1), kind: "conduct" })).json();
    // A withdrawn filing covers nothing.
    await makeInspection(t, w, { status: "cancelled", plannedStart: Date.now() - 5 * DAY });
    const withdrawn = await (await complain({ visitDate: day(-5) })).json();
    // Another department's filing says nothing about department A.
    await makeInspection(t, w, {
      status: "approved",
      plannedStart: Date.now() - 6 * DAY,
      departmentIds: [w.deptB],
    });
    const otherDept = await (await complain({ visitDate: day(-6) })).json();
    const flag = async (id: string) =>
      (await t.db.select().from(complaints).where(eq(complaints.id, id)))[0]!.unfiledVisit;
    expect(await flag(unfiled.id)).toBe(true);
    expect(await flag(filed.id)).toBe(false);
    expect(await flag(withdrawn.id)).toBe(true);
    expect(await flag(otherDept.id)).toBe(true);
  });

  it("refuses future and old dates, unknown departments, overlong text and another enterprise's code", async () => {
    const cases: [Record<string, unknown>, number][] = [
      [{ visitDate: day(1) }, 422],
      [{ visitDate: day(-400) }, 422],
      [{ visitDate: "2026-02-31" }, 422],
      [{ visitDate: "yesterday" }, 400],
      [{ departmentId: "nope" }, 422],
      [{ text: "x".repeat(2001) }, 400],
      [{ kind: "rude" }, 400],
      [{ inspectionCode: "garbage" }, 401],
    ];
    for (const [body, status] of cases) {
      const res = await complain(body);
      expect(res.status, JSON.stringify(body)).toBe(status);
      expect((await res.json()).error.message).toMatch(/[\u4e00-\u9fa5]/);
    }
    const otherId = newId();
    await t.db.insert(enterprises).values({
      id: otherId,
      creditCode: "91370100MA3C0000Y2",
      name: "另一家公司",
      createdAt: Date.now(),
      updatedAt: Date.now(),
    });
    const { code: foreign } = await makeInspection(t, w, { status: "approved", enterpriseId: otherId });
    expect((await complain({ inspectionCode: foreign })).status).toBe(422);
    const { id: own, code } = await makeInspection(t, w, { status: "approved" });
    const ok = await complain({ inspectionCode: code, kind: "conduct" });
    expect(ok.status).toBe(201);
    const [row] = await t.db.select().from(complaints);
    expect(row!.inspectionId).toBe(own);
    expect(await t.db.select().from(alerts)).toHaveLength(1);
  });

  it("shows the enterprise handling, then status and outcome once the 司法局 closes the alert", async () => {
    const { id } = await (await complain({})).json();
    const mine = async (session = w.enterprise) =>
      (await (await enterpriseCall(t, session, "GET", "/api/enterprise/complaints")).json()).items;
    expect((await mine())[0]).toMatchObject({ id, status: "received", outcome: null });
    await t.user("sup", "supervisor");
    const sup = await t.login("sup");
    const [alert] = await t.db.select().from(alerts);
    const supId = (await (await t.call(sup, "GET", "/api/alerts/assignees")).json()).items[0].id;
    expect((await t.call(sup, "POST", `/api/alerts/${alert!.id}/assign`, { userId: supId })).status).toBe(
      200,
    );
    expect(
      (await t.call(sup, "POST", `/api/alerts/${alert!.id}/notes`, { note: "内部：已约谈科长" })).status,
    ).toBe(200);
    expect((await mine())[0]).toMatchObject({ status: "handling", outcome: null });
    const close = await t.call(sup, "POST", `/api/alerts/${alert!.id}/close`, {
      outcome: "经核查属实，已责令整改",
    });
    expect(close.status).toBe(200);
    const [item] = await mine();
    expect(item).toMatchObject({
      status: "closed",
      statusLabel: "已办结",
      outcome: "经核查属实，已责令整改",
    });
    expect(JSON.stringify(item)).not.toContain("约谈科长");
    expect(JSON.stringify(item)).not.toContain("sup");
    // Another enterprise sees none of it.
    const otherId = newId();
    await t.db.insert(enterprises).values({
      id: otherId,
      creditCode: "91370100MA3C0000Z3",
      name: "第三家公司",
      createdAt: Date.now(),
      updatedAt: Date.now(),
    });
    expect(await mine(await enterpriseSession(t, otherId))).toEqual([]);
  });

  it("lists the listed departments for the form", async () => {
    const res = await enterpriseCall(t, w.enterprise, "GET", "/api/enterprise/departments");
    expect(res.status).toBe(200);
    const names = (await res.json()).items.map((d: { name: string }) => d.name);
    expect(names).toEqual(expect.arrayContaining(["济南市市场监督管理局", "济南市应急管理局"]));
  });

  it("limits the complaints of one enterprise per hour (429)", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) statuses.push((await complain({ kind: "other" })).status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(10);
    expect(statuses[10]).toBe(429);
  });
  it("tells the webhook the kind and the date, never the enterprise's words or name", async () => {
    t = await makeTestApp({
      ALERT_WEBHOOK_URL: "https://hooks.example/lianma",
      ALERT_WEBHOOK_SECRET: "s".repeat(40),
    });
    w = await makeWorld(t);
    expect((await complain({})).status).toBe(201);
    const [message] = await t.db.select().from(outbox);
    const payload = JSON.parse(message!.payload);
    expect(payload.alert).toMatchObject({
      kind: "complaint",
      complaintKind: "unfiled_visit",
      unfiledVisit: true,
    });
    expect(message!.payload).not.toContain("执法证");
    expect(message!.payload).not.toContain("济南示例食品有限公司");
    expect(message!.payload).not.toContain(w.enterpriseId);
  });
});
