/**
 * Issue 13 / R14: 回避. Before the visit the enterprise names an officer and a reason; the lead
 * department's administrator replaces him (in the same batch) or refuses with a reason; audited.
 */
import { and, eq } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import {
  auditLog,
  avoidanceRequests,
  enterprises,
  inspectionOfficers,
  inspections,
  officers,
} from "../src/db/schema.ts";
import { newId } from "../src/lib/ids.ts";
import { enterpriseCall, enterpriseSession } from "./enterprise-fixtures.ts";
import { DAY, makeInspection, makeWorld, type World } from "./evaluation-fixtures.ts";
import { makeTestApp, type Session, type TestApp } from "./helpers.ts";

let t: TestApp;
let w: World;
let head: Session;
let spare: string;

async function addOfficer(departmentId: string, name: string, expires = "2099-12-31") {
  const id = newId();
  const now = Date.now();
  await t.db.insert(officers).values({
    id,
    departmentId,
    name,
    credentialNo: `3701${Math.floor(Math.random() * 1e8)}`,
    credentialIssuedOn: "2020-01-01",
    credentialExpiresOn: expires,
    createdAt: now,
    updatedAt: now,
  });
  return id;
}

/** An approved visit of department A three days ahead, with 张明, 李华, 王强 and the helper. */
const upcoming = (o: Parameters<typeof makeInspection>[2] = {}) =>
  makeInspection(t, w, { status: "approved", plannedStart: Date.now() + 3 * DAY, ...o });

function ask(
  id: string,
  officerId: string,
  session = w.enterprise,
  reason = "该执法人员系本企业负责人的近亲属",
) {
  return enterpriseCall(t, session, "POST", `/api/enterprise/inspections/${id}/avoidance`, {
    officerId,
    reason,
  });
}

async function officersOn(id: string) {
  const rows = await t.db.select().from(inspectionOfficers).where(eq(inspectionOfficers.inspectionId, id));
  return rows.map((r) => r.officerId).sort();
}

describe("回避 requests", () => {
  beforeEach(async () => {
    t = await makeTestApp();
    w = await makeWorld(t);
    await t.user("a-head", "dept_admin", w.deptA);
    head = await t.login("a-head");
    spare = await addOfficer(w.deptA, "孙备");
  });

  it("replaces the officer in the same batch, audited, and shows the answer to the enterprise", async () => {
    const { id } = await upcoming();
    const zhang = w.officerIds[0]!;
    const res = await ask(id, zhang);
    expect(res.status).toBe(201);
    const { id: requestId } = await res.json();
    expect((await ask(id, zhang)).status).toBe(409); // one pending per officer

    const list = await (await t.call(head, "GET", `/api/inspections/${id}/avoidance`)).json();
    expect(list.canAnswer).toBe(true);
    expect(list.items[0]).toMatchObject({ id: requestId, officerId: zhang, status: "pending" });
    // The expired 王强 is on it anyway; only 孙备 qualifies (same department, valid, not on it).
    expect(list.items[0].candidates.map((o: { id: string }) => o.id)).toEqual([spare]);

    const answer = await t.call(head, "POST", `/api/inspections/${id}/avoidance/${requestId}`, {
      decision: "replace",
      replacementOfficerId: spare,
      answer: "已改派孙备",
    });
    expect(answer.status).toBe(200);
    expect(await officersOn(id)).not.toContain(zhang);
    expect(await officersOn(id)).toContain(spare);
    const lines = await t.db.select().from(auditLog).where(eq(auditLog.targetId, id));
    expect(lines.map((l) => l.action)).toEqual(
      expect.arrayContaining(["inspection.avoidance_request", "inspection.avoidance_replace"]),
    );

    const detail = await (
      await enterpriseCall(t, w.enterprise, "GET", `/api/enterprise/inspections/${id}`)
    ).json();
    expect(detail.avoidance.requests[0]).toMatchObject({
      status: "replaced",
      answer: "已改派孙备",
      replacementName: "孙备",
    });
    expect(JSON.stringify(detail.avoidance)).not.toContain("a-head");
    // Answered once: a second answer is refused.
    const again = await t.call(head, "POST", `/api/inspections/${id}/avoidance/${requestId}`, {
      decision: "refuse",
      answer: "重复",
    });
    expect(again.status).toBe(409);
  });

  it("refuses with a reason and keeps the officer", async () => {
    const { id } = await upcoming();
    const li = w.officerIds[1]!;
    const { id: requestId } = await (await ask(id, li)).json();
    const noReason = await t.call(head, "POST", `/api/inspections/${id}/avoidance/${requestId}`, {
      decision: "refuse",
      answer: " ",
    });
    expect(noReason.status).toBe(400);
    const res = await t.call(head, "POST", `/api/inspections/${id}/avoidance/${requestId}`, {
      decision: "refuse",
      answer: "所述亲属关系经核实不存在",
    });
    expect(res.status).toBe(200);
    expect(await officersOn(id)).toContain(li);
    const [row] = await t.db.select().from(avoidanceRequests).where(eq(avoidanceRequests.id, requestId));
    expect(row).toMatchObject({ status: "refused", answer: "所述亲属关系经核实不存在" });
    expect(
      await t.db.select().from(auditLog).where(eq(auditLog.action, "inspection.avoidance_refuse")),
    ).toHaveLength(1);
  });

  it("refuses a replacement of another department, without a valid credential, or already on it (422)", async () => {
    const { id } = await upcoming();
    const { id: requestId } = await (await ask(id, w.officerIds[0]!)).json();
    const otherDept = await addOfficer(w.deptB, "钱乙");
    const expiring = await addOfficer(w.deptA, "周将", new Date(Date.now() + DAY).toISOString().slice(0, 10));
    for (const replacementOfficerId of [otherDept, expiring, w.officerIds[1]!, "nobody"]) {
      const res = await t.call(head, "POST", `/api/inspections/${id}/avoidance/${requestId}`, {
        decision: "replace",
        replacementOfficerId,
      });
      expect(res.status, replacementOfficerId).toBe(422);
    }
    expect(await officersOn(id)).toContain(w.officerIds[0]!);
  });

  it("answers 409 once the visit has started, and refuses requests then too", async () => {
    const { id } = await upcoming();
    const { id: requestId } = await (await ask(id, w.officerIds[0]!)).json();
    await t.db.update(inspections).set({ arrivedAt: Date.now() }).where(eq(inspections.id, id));
    const late = await t.call(head, "POST", `/api/inspections/${id}/avoidance/${requestId}`, {
      decision: "replace",
      replacementOfficerId: spare,
    });
    expect(late.status).toBe(409);
    expect(await officersOn(id)).toContain(w.officerIds[0]!);
    expect((await ask(id, w.officerIds[1]!)).status).toBe(409);
    // A visit whose planned start has passed takes no request either.
    const { id: past } = await makeInspection(t, w, {
      status: "approved",
      plannedStart: Date.now() - 60_000,
    });
    expect((await ask(past, w.officerIds[0]!)).status).toBe(409);
  });

  it("refuses an officer not on the inspection (422)", async () => {
    const { id } = await upcoming();
    expect((await ask(id, spare)).status).toBe(422);
    expect((await ask(id, "nobody")).status).toBe(422);
  });

  it("lets only the lead department's administrator answer: 404 for another department, 403 for the bureau", async () => {
    const { id } = await upcoming();
    const { id: requestId } = await (await ask(id, w.officerIds[0]!)).json();
    await t.user("b-head", "dept_admin", w.deptB);
    await t.user("sup", "supervisor");
    await t.user("a-officer", "officer", w.deptA);
    const body = { decision: "refuse", answer: "不予回避" };
    const path = `/api/inspections/${id}/avoidance/${requestId}`;
    expect((await t.call(await t.login("b-head"), "POST", path, body)).status).toBe(404);
    expect((await t.call(await t.login("b-head"), "GET", `/api/inspections/${id}/avoidance`)).status).toBe(
      404,
    );
    expect((await t.call(await t.login("sup"), "POST", path, body)).status).toBe(403);
    expect((await t.call(await t.login("a-officer"), "POST", path, body)).status).toBe(403);
    const [row] = await t.db.select().from(avoidanceRequests).where(eq(avoidanceRequests.id, requestId));
    expect(row!.status).toBe("pending");
    // The supervisor reads the requests but may not answer them.
    const read = await (await t.call(await t.login("sup"), "GET", `/api/inspections/${id}/avoidance`)).json();
    expect(read).toMatchObject({ canAnswer: false });
    expect(read.items[0].candidates).toEqual([]);
  });

  it("answers 404 to another enterprise", async () => {
    const { id } = await upcoming();
    const otherId = newId();
    await t.db.insert(enterprises).values({
      id: otherId,
      creditCode: "91370100MA3C0000Y2",
      name: "另一家公司",
      createdAt: Date.now(),
      updatedAt: Date.now(),
    });
    const other = await enterpriseSession(t, otherId);
    expect((await ask(id, w.officerIds[0]!, other)).status).toBe(404);
    expect(
      await t.db
        .select()
        .from(avoidanceRequests)
        .where(and(eq(avoidanceRequests.inspectionId, id))),
    ).toHaveLength(0);
  });
  it("keeps one pending request per officer under parallel submissions", async () => {
    const { id } = await upcoming();
    const results = await Promise.all(Array.from({ length: 8 }, () => ask(id, w.officerIds[0]!)));
    const statuses = results.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(7);
    expect(await t.db.select().from(avoidanceRequests)).toHaveLength(1);
    expect(
      await t.db.select().from(auditLog).where(eq(auditLog.action, "inspection.avoidance_request")),
    ).toHaveLength(1);
  });
  it("takes one answer of parallel ones: one swap, one audit line", async () => {
    const { id } = await upcoming();
    const { id: requestId } = await (await ask(id, w.officerIds[0]!)).json();
    const other = await addOfficer(w.deptA, "吴另");
    const path = `/api/inspections/${id}/avoidance/${requestId}`;
    const bodies = [
      { decision: "replace", replacementOfficerId: spare },
      { decision: "replace", replacementOfficerId: spare },
      { decision: "replace", replacementOfficerId: other },
      { decision: "refuse", answer: "不予回避" },
      { decision: "replace", replacementOfficerId: other },
    ];
    const results = await Promise.all(bodies.map((b) => t.call(head, "POST", path, b)));
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(4);
    const lines = (await t.db.select().from(auditLog).where(eq(auditLog.targetId, id))).filter((l) =>
      /avoidance_(replace|refuse)/.test(l.action),
    );
    expect(lines).toHaveLength(1);
    const on = await officersOn(id);
    const [row] = await t.db.select().from(avoidanceRequests).where(eq(avoidanceRequests.id, requestId));
    if (row!.status === "replaced") {
      expect(on).not.toContain(w.officerIds[0]!);
      expect(on.filter((o) => o === spare || o === other)).toEqual([row!.replacementOfficerId]);
    } else {
      expect(on).toContain(w.officerIds[0]!);
      expect(on).not.toContain(spare);
      expect(on).not.toContain(other);
    }
    expect(on).toHaveLength(4);
  });
});
