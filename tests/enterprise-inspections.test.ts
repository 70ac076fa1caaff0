/**
 * Issue 13, the enterprise portal's data: its own inspections only (advance notice of planned ones,
 * results of past ones, whether each is open for evaluation), arrival confirmed once.
 */
import { and, eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { auditLog, inspections } from "../src/db/schema.ts";
import { enterpriseCall, enterpriseSession, type EnterpriseSession } from "./enterprise-fixtures.ts";
import { DAY, makeInspection, makeWorld, type World } from "./evaluation-fixtures.ts";
import { makeTestApp, type TestApp } from "./helpers.ts";
import { enterprise } from "./inspection-fixtures.ts";

let t: TestApp;
let w: World;
let me: EnterpriseSession;
let planned: string;
let registered: string;
let foreign: string;
let pending: string;

beforeAll(async () => {
  t = await makeTestApp();
  w = await makeWorld(t);
  me = await enterpriseSession(t, w.enterpriseId);
  planned = (await makeInspection(t, w, { status: "approved", plannedStart: Date.now() + 3 * DAY })).id;
  registered = (await makeInspection(t, w, { status: "registered", departmentIds: [w.deptA, w.deptB] })).id;
  pending = (await makeInspection(t, w, { status: "filed" })).id;
  const other = await enterprise(t, "济南别家有限公司");
  foreign = (await makeInspection(t, w, { enterpriseId: other, status: "approved" })).id;
});

interface Summary {
  id: string;
  status: string;
  departments: string[];
  items: { name: string; legalBasis: string }[];
  upcoming: boolean;
  evaluationOpen: boolean;
  evaluated: boolean;
}

describe("GET /api/enterprise/inspections", () => {
  it("lists the enterprise's own approved inspections with departments, items and legal basis", async () => {
    const res = await enterpriseCall(t, me, "GET", "/api/enterprise/inspections");
    expect(res.status).toBe(200);
    const { items } = (await res.json()) as { items: Summary[] };
    const ids = items.map((i) => i.id);
    expect(ids).toEqual(expect.arrayContaining([planned, registered]));
    expect(ids).not.toContain(foreign);
    expect(ids).not.toContain(pending);
    const next = items.find((i) => i.id === planned)!;
    expect(next).toMatchObject({ upcoming: true, evaluationOpen: false, evaluated: false });
    expect(next.departments).toEqual(["济南市市场监督管理局"]);
    expect(next.items[0]).toEqual({
      name: "食品经营许可情况检查",
      legalBasis: "《中华人民共和国食品安全法》第一百一十条",
    });
    const past = items.find((i) => i.id === registered)!;
    expect(past).toMatchObject({ upcoming: false, evaluationOpen: true });
    expect(past.departments).toHaveLength(2);
  });

  it("answers 401 without an enterprise session", async () => {
    expect((await enterpriseCall(t, null, "GET", "/api/enterprise/inspections")).status).toBe(401);
  });
});

describe("GET /api/enterprise/inspections/:id", () => {
  it("shows officers with credential numbers, items and the evaluation form when open", async () => {
    const res = await enterpriseCall(t, me, "GET", `/api/enterprise/inspections/${registered}`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      officers: { name: string; credentialNo?: string }[];
      evaluation: { version: number } | null;
      evaluationOpen: boolean;
    };
    expect(body.officers.find((o) => o.name === "张明")!.credentialNo).toBe("37010001");
    expect(body.evaluationOpen).toBe(true);
    expect(body.evaluation?.version).toBe(1);
  });

  it("shows no form for a planned visit", async () => {
    const res = await enterpriseCall(t, me, "GET", `/api/enterprise/inspections/${planned}`);
    const body = (await res.json()) as { evaluation: unknown; canConfirmArrival: boolean };
    expect(body.evaluation).toBeNull();
    expect(body.canConfirmArrival).toBe(true);
  });

  it("answers 404 for another enterprise's inspection and for one not yet approved", async () => {
    expect((await enterpriseCall(t, me, "GET", `/api/enterprise/inspections/${foreign}`)).status).toBe(404);
    expect((await enterpriseCall(t, me, "GET", `/api/enterprise/inspections/${pending}`)).status).toBe(404);
  });
});

describe("POST /api/enterprise/inspections/:id/confirm-arrival", () => {
  it("records the enterprise's confirmation once, audited", async () => {
    const id = (await makeInspection(t, w, { status: "approved" })).id;
    const res = await enterpriseCall(t, me, "POST", `/api/enterprise/inspections/${id}/confirm-arrival`);
    expect(res.status).toBe(200);
    const { enterpriseArrivalAt } = (await res.json()) as { enterpriseArrivalAt: string };
    const [row] = await t.db.select().from(inspections).where(eq(inspections.id, id));
    expect(row!.enterpriseArrivalAt).toBe(Date.parse(enterpriseArrivalAt));
    const again = await enterpriseCall(t, me, "POST", `/api/enterprise/inspections/${id}/confirm-arrival`);
    expect(again.status).toBe(409);
    const [after] = await t.db.select().from(inspections).where(eq(inspections.id, id));
    expect(after!.enterpriseArrivalAt).toBe(row!.enterpriseArrivalAt);
    const lines = await t.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, "inspection.enterprise_arrival"), eq(auditLog.targetId, id)));
    expect(lines).toHaveLength(1);
    expect(lines[0]!.actorName).toBe("enterprise:91370100MA3C0000X1");
  });

  it("sets the time once under parallel confirmations", async () => {
    const id = (await makeInspection(t, w, { status: "in_progress" })).id;
    const statuses = await Promise.all(
      Array.from(
        { length: 5 },
        async () =>
          (await enterpriseCall(t, me, "POST", `/api/enterprise/inspections/${id}/confirm-arrival`)).status,
      ),
    );
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    const lines = await t.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, "inspection.enterprise_arrival"), eq(auditLog.targetId, id)));
    expect(lines).toHaveLength(1);
  });

  it("refuses a closed inspection (409) and another enterprise's (404)", async () => {
    const closed = (await makeInspection(t, w, { status: "closed" })).id;
    expect(
      (await enterpriseCall(t, me, "POST", `/api/enterprise/inspections/${closed}/confirm-arrival`)).status,
    ).toBe(409);
    expect(
      (await enterpriseCall(t, me, "POST", `/api/enterprise/inspections/${foreign}/confirm-arrival`)).status,
    ).toBe(404);
  });

  it("is refused to a staff session (401)", async () => {
    await t.user("ei-officer", "officer", w.deptA);
    const officer = await t.login("ei-officer");
    expect(
      (await t.call(officer, "POST", `/api/enterprise/inspections/${planned}/confirm-arrival`)).status,
    ).toBe(401);
  });
});

describe("POST /api/enterprise/inspections/:id/evaluation", () => {
  it("is the enterprise's own: another enterprise's inspection is 404, no session 401", async () => {
    const body = { version: 1, data: {} };
    expect(
      (await enterpriseCall(t, me, "POST", `/api/enterprise/inspections/${foreign}/evaluation`, body)).status,
    ).toBe(404);
    expect(
      (await enterpriseCall(t, null, "POST", `/api/enterprise/inspections/${registered}/evaluation`, body))
        .status,
    ).toBe(401);
  });
});
