/**
 * Issue 14 items 10–12 and 14 (R18): a department acts only in its own name. Joining another
 * department's inspection and being named in a joint filing need both administrators' consent; each
 * department brings its own credentialed officers; only the officers on the visit and the lead
 * department's administrator get the inspection code.
 */
import { eq } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import {
  auditLog,
  dashboardFacts,
  inspectionDepartments,
  inspectionItems,
  inspectionOfficers,
  inspections,
  plannedTasks,
} from "../src/db/schema.ts";
import { makeTestApp, type Session, type TestApp } from "./helpers.ts";
import {
  departmentWithStaff,
  enterprise,
  officer,
  pendingJoinRequest,
  window,
} from "./inspection-fixtures.ts";

type Json = Record<string, any>;
type Staff = Awaited<ReturnType<typeof departmentWithStaff>>;

let t: TestApp;
let market: Staff;
let fire: Staff;
let firm: string;
let marketOfficer: Session;
let fireOfficer: Session;
let marketHead: Session;
let fireHead: Session;

beforeEach(async () => {
  t = await makeTestApp({ INSPECTION_YEARLY_CAP: "3" });
  market = await departmentWithStaff(t, "scjg");
  fire = await departmentWithStaff(t, "xf");
  firm = await enterprise(t);
  marketOfficer = await t.login(market.officerLogin);
  fireOfficer = await t.login(fire.officerLogin);
  marketHead = await t.login(market.head);
  fireHead = await t.login(fire.head);
});

async function send(s: Session | null, method: string, path: string, body?: unknown) {
  const res = await t.call(s, method, path, body);
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : null) as Json };
}

const filing = (d: Staff, extra: Json = {}) => ({
  enterpriseId: firm,
  type: "routine",
  ...window(10),
  officerIds: d.officerIds,
  itemIds: [d.itemId],
  ...extra,
});

/** Market's filing, approved by its administrator. */
async function approvedFiling() {
  const filed = await send(marketOfficer, "POST", "/api/inspections", filing(market));
  expect(filed.status).toBe(201);
  expect((await send(marketHead, "POST", `/api/inspections/${filed.body.id}/approve`)).status).toBe(200);
  return filed.body.id as string;
}

const askToJoin = (id: string, s = fireOfficer, body: Json = {}) =>
  send(s, "POST", `/api/inspections/${id}/join-request`, {
    officerIds: fire.officerIds,
    itemIds: [fire.itemId],
    ...body,
  });

async function participation(id: string) {
  const departments = await t.db
    .select()
    .from(inspectionDepartments)
    .where(eq(inspectionDepartments.inspectionId, id));
  const items = await t.db.select().from(inspectionItems).where(eq(inspectionItems.inspectionId, id));
  const people = await t.db.select().from(inspectionOfficers).where(eq(inspectionOfficers.inspectionId, id));
  const facts = await t.db.select().from(dashboardFacts).where(eq(dashboardFacts.inspectionId, id));
  return {
    departments: departments.map((d) => d.departmentId).sort(),
    items: items.map((i) => i.itemId).sort(),
    officers: people.map((o) => o.officerId).sort(),
    dashboard: facts.map((f) => f.departmentId).sort(),
  };
}

async function publicDepartments(id: string) {
  const code = await send(marketOfficer, "GET", `/api/inspections/${id}/code`);
  expect(code.status).toBe(200);
  const page = await send(null, "GET", `/api/public/inspections/${code.body.code}`);
  return (page.body.departments as { name: string }[]).map((d) => d.name);
}

describe("item 10: joining is a request both administrators consent to", () => {
  it("grants the joining department nothing until the lead accepts and its own administrator approves", async () => {
    const id = await approvedFiling();
    // The duplicate refusal names the filing and its departments, and grants nothing.
    const refused = await send(fireOfficer, "POST", "/api/inspections", filing(fire));
    expect(refused.status).toBe(409);
    expect(refused.body.error.conflict).toMatchObject({ id, departments: ["scjg局"], joinable: true });
    expect((await send(fireOfficer, "GET", `/api/inspections/${id}`)).status).toBe(404);

    const asked = await askToJoin(id);
    expect(asked.status).toBe(202);
    expect(asked.body.request).toMatchObject({
      status: "pending",
      origin: "join",
      department: { id: fire.departmentId },
      leadDepartment: { id: market.departmentId },
      awaiting: ["lead", "department"],
    });
    const alone = {
      departments: [market.departmentId],
      items: [market.itemId],
      officers: [...market.officerIds].sort(),
      dashboard: [market.departmentId],
    };
    expect(await participation(id)).toEqual(alone);
    // No checklist, no writing "fail" on the lead's items, not on the public page.
    expect((await send(fireOfficer, "GET", `/api/inspections/${id}/checklist`)).status).toBe(404);
    const write = await send(fireOfficer, "PUT", `/api/inspections/${id}/checklist`, { data: {} });
    expect(write.status).toBe(404);
    expect(await publicDepartments(id)).toEqual(["scjg局"]);

    // Officers cannot consent; each administrator only for their own side.
    const requestId = asked.body.request.id;
    expect((await send(fireOfficer, "POST", `/api/join-requests/${requestId}/approve`)).status).toBe(403);
    expect((await send(marketOfficer, "POST", `/api/join-requests/${requestId}/accept`)).status).toBe(403);
    expect((await send(fireHead, "POST", `/api/join-requests/${requestId}/accept`)).status).toBe(403);
    expect((await send(marketHead, "POST", `/api/join-requests/${requestId}/approve`)).status).toBe(403);

    const approved = await send(fireHead, "POST", `/api/join-requests/${requestId}/approve`);
    expect(approved.status).toBe(200);
    expect(approved.body.request).toMatchObject({ status: "pending", awaiting: ["lead"] });
    expect(await participation(id)).toEqual(alone);
    expect((await send(fireOfficer, "GET", `/api/inspections/${id}`)).status).toBe(404);

    const accepted = await send(marketHead, "POST", `/api/join-requests/${requestId}/accept`);
    expect(accepted.status).toBe(200);
    expect(accepted.body.request).toMatchObject({ status: "joined", awaiting: [] });
    expect(await participation(id)).toEqual({
      departments: [market.departmentId, fire.departmentId].sort(),
      items: [market.itemId, fire.itemId].sort(),
      officers: [...market.officerIds, ...fire.officerIds].sort(),
      dashboard: [market.departmentId, fire.departmentId].sort(),
    });
    const got = await send(fireOfficer, "GET", `/api/inspections/${id}`);
    expect(got.status).toBe(200);
    expect(got.body.inspection.joint).toBe(true);
    expect(await publicDepartments(id)).toEqual(["scjg局", "xf局"]);
    expect((await askToJoin(id)).body.error.code).toBe("already_joined");
    expect((await send(marketHead, "POST", `/api/join-requests/${requestId}/accept`)).status).toBe(409);

    // The code's issues (audited with their address) are not steps of the join.
    const actions = (await t.db.select().from(auditLog).where(eq(auditLog.targetId, id)))
      .map((a) => a.action)
      .filter((a) => a !== "inspection.code_viewed");
    expect(actions).toEqual([
      "inspection.filed",
      "inspection.approved",
      "inspection.join.requested",
      "inspection.join.approved",
      "inspection.join.accepted",
      "inspection.joined",
    ]);
  });

  it("takes a request by the joining department's administrator as its approval", async () => {
    const id = await approvedFiling();
    const asked = await askToJoin(id, fireHead);
    expect(asked.status).toBe(202);
    expect(asked.body.request.awaiting).toEqual(["lead"]);
    expect((await askToJoin(id)).body.error.code).toBe("already_requested");
    const accepted = await send(marketHead, "POST", `/api/join-requests/${asked.body.request.id}/accept`);
    expect(accepted.body.request.status).toBe("joined");
  });

  it("lets either administrator refuse with a reason; a refused request grants nothing", async () => {
    const id = await approvedFiling();
    const asked = await askToJoin(id);
    const path = `/api/join-requests/${asked.body.request.id}`;
    expect((await send(marketHead, "POST", `${path}/refuse`, { reason: "" })).status).toBe(400);
    const refused = await send(marketHead, "POST", `${path}/refuse`, { reason: "本次检查不涉及消防事项" });
    expect(refused.status).toBe(200);
    expect(refused.body.request).toMatchObject({
      status: "refused",
      refusalReason: "本次检查不涉及消防事项",
    });
    expect((await send(fireHead, "POST", `${path}/approve`)).body.error.code).toBe("already_decided");
    expect((await participation(id)).departments).toEqual([market.departmentId]);
    const [line] = await t.db.select().from(auditLog).where(eq(auditLog.action, "inspection.join.refused"));
    expect(JSON.parse(line!.detail).reason).toBe("本次检查不涉及消防事项");
    // The department may ask again; the other administrator may refuse too.
    const again = await askToJoin(id);
    expect(again.status).toBe(202);
    const byFire = await send(fireHead, "POST", `/api/join-requests/${again.body.request.id}/refuse`, {
      reason: "人员另有安排",
    });
    expect(byFire.body.request.status).toBe("refused");
  });

  it("refuses joining an inspection in progress or later (409), and a consent once it began", async () => {
    const id = await approvedFiling();
    const pending = await askToJoin(id, fireHead);
    await t.db.update(inspections).set({ status: "in_progress" }).where(eq(inspections.id, id));
    const late = await send(marketHead, "POST", `/api/join-requests/${pending.body.request.id}/accept`);
    expect(late.status).toBe(409);
    expect(late.body.error.code).toBe("invalid_state");
    await send(marketHead, "POST", `/api/join-requests/${pending.body.request.id}/refuse`, {
      reason: "已开始",
    });
    for (const status of ["in_progress", "registered", "evaluated", "closed", "refused"] as const) {
      await t.db.update(inspections).set({ status }).where(eq(inspections.id, id));
      const res = await askToJoin(id);
      expect(res.status, status).toBe(409);
      expect(res.body.error.code).toBe("invalid_state");
    }
    expect((await participation(id)).departments).toEqual([market.departmentId]);
  });

  it("lists pending requests for the two departments' administrators and the bureau only", async () => {
    const id = await approvedFiling();
    const asked = await askToJoin(id);
    const requestId = asked.body.request.id;
    const ids = async (s: Session) =>
      ((await send(s, "GET", "/api/join-requests")).body.items as Json[]).map((r) => r.id);
    expect(await ids(marketHead)).toEqual([requestId]);
    expect(await ids(fireHead)).toEqual([requestId]);
    const stranger = await departmentWithStaff(t, "hb");
    expect(await ids(await t.login(stranger.head))).toEqual([]);
    await t.user("root", "admin");
    expect(await ids(await t.login("root"))).toEqual([requestId]);
    expect((await send(fireOfficer, "GET", "/api/join-requests")).status).toBe(403);
    expect(
      (await send(await t.login(stranger.head), "POST", `/api/join-requests/${requestId}/accept`)).status,
    ).toBe(404);
    // On the inspection: its readers see its requests; the asking department cannot read it yet.
    const onInspection = await send(marketOfficer, "GET", `/api/inspections/${id}/join-requests`);
    expect(onInspection.body.items.map((r: Json) => r.id)).toEqual([requestId]);
    expect((await send(fireHead, "GET", `/api/inspections/${id}/join-requests`)).status).toBe(404);
    expect((await pendingJoinRequest(t, fireHead, id)).awaiting).toEqual(["lead", "department"]);
  });
});

describe("item 11: a filing names another department only with its consent", () => {
  it("refuses a filing listing only another department's officers and items", async () => {
    const foreign = await send(marketOfficer, "POST", "/api/inspections", filing(fire));
    expect(foreign.status).toBe(422);
    expect(foreign.body.error.code).toBe("officer_outside_department");
    const named = await send(
      marketOfficer,
      "POST",
      "/api/inspections",
      filing(fire, { departmentIds: [fire.departmentId] }),
    );
    expect(named.status).toBe(422);
    expect(named.body.error.code).toBe("too_few_department_officers");
    expect(named.body.error.details).toEqual([market.departmentId]);
    expect(await t.db.select().from(inspections)).toEqual([]);
  });

  it("files a joint filing with the other department pending until its administrator approves", async () => {
    const filed = await send(marketOfficer, "POST", "/api/inspections", {
      ...filing(market),
      departmentIds: [fire.departmentId],
      officerIds: [...market.officerIds, ...fire.officerIds],
      itemIds: [market.itemId, fire.itemId],
    });
    expect(filed.status).toBe(201);
    expect(filed.body.pendingDepartmentIds).toEqual([fire.departmentId]);
    const id = filed.body.id;
    expect(await participation(id)).toEqual({
      departments: [market.departmentId],
      items: [market.itemId],
      officers: [...market.officerIds].sort(),
      dashboard: [market.departmentId],
    });
    const request = await pendingJoinRequest(t, fireHead, id);
    expect(request).toMatchObject({ origin: "filing", awaiting: ["department"] });
    expect((await send(fireOfficer, "GET", `/api/inspections/${id}`)).status).toBe(404);
    const approved = await send(fireHead, "POST", `/api/join-requests/${request.id}/approve`);
    expect(approved.body.request.status).toBe("joined");
    expect(await participation(id)).toEqual({
      departments: [market.departmentId, fire.departmentId].sort(),
      items: [market.itemId, fire.itemId].sort(),
      officers: [...market.officerIds, ...fire.officerIds].sort(),
      dashboard: [market.departmentId, fire.departmentId].sort(),
    });
  });

  it("does not count a pending department against its yearly cap", async () => {
    t = await makeTestApp({ INSPECTION_YEARLY_CAP: "1", INSPECTION_WINDOW_DAYS: "3" });
    market = await departmentWithStaff(t, "scjg");
    fire = await departmentWithStaff(t, "xf");
    firm = await enterprise(t);
    marketOfficer = await t.login(market.officerLogin);
    fireOfficer = await t.login(fire.officerLogin);
    // Two visits in one calendar year, outside each other's window.
    const year = new Date().getUTCFullYear() + 1;
    const visit = (day: string) => ({
      plannedStart: `${year}-03-${day}T01:00:00.000Z`,
      plannedEnd: `${year}-03-${day}T03:00:00.000Z`,
    });
    const joint = await send(marketOfficer, "POST", "/api/inspections", {
      ...filing(market, visit("02")),
      departmentIds: [fire.departmentId],
      officerIds: [...market.officerIds, ...fire.officerIds],
      itemIds: [market.itemId, fire.itemId],
    });
    expect(joint.status).toBe(201);
    const own = await send(fireOfficer, "POST", "/api/inspections", filing(fire, visit("20")));
    expect(own.status, JSON.stringify(own.body)).toBe(201);
    // Its one visit of the year is used now: approving the joint filing's request is refused.
    const request = await pendingJoinRequest(t, await t.login(fire.head), joint.body.id);
    const late = await send(await t.login(fire.head), "POST", `/api/join-requests/${request.id}/approve`);
    expect(late.status).toBe(422);
    expect(late.body.error.code).toBe("yearly_cap");
    expect((await pendingJoinRequest(t, await t.login(fire.head), joint.body.id)).awaiting).toEqual([
      "department",
    ]);
  });

  it("puts a refusing department's merged planned task back to planned", async () => {
    await t.user("root", "admin");
    const admin = await t.login("root");
    const task = async (s: Session, d: Staff) =>
      (
        await send(s, "POST", "/api/planning/tasks", {
          enterpriseId: firm,
          kind: "routine",
          ...window(5),
          itemIds: [d.itemId],
        })
      ).body.id as string;
    const ids = [await task(marketHead, market), await task(fireHead, fire)];
    const merged = await send(admin, "POST", "/api/planning/merge", {
      taskIds: ids,
      leadDepartmentId: market.departmentId,
      officerIds: [...market.officerIds, ...fire.officerIds],
      ...window(5),
    });
    expect(merged.status, JSON.stringify(merged.body)).toBe(201);
    expect(merged.body.pendingDepartmentIds).toEqual([fire.departmentId]);
    const request = await pendingJoinRequest(t, fireHead, merged.body.id);
    expect(request).toMatchObject({ origin: "merge", awaiting: ["department"] });
    await send(fireHead, "POST", `/api/join-requests/${request.id}/refuse`, { reason: "本月无检查力量" });
    const tasks = await t.db.select().from(plannedTasks);
    expect(tasks.find((x) => x.id === ids[1])).toMatchObject({ status: "planned", inspectionId: null });
    expect(tasks.find((x) => x.id === ids[0])).toMatchObject({
      status: "merged",
      inspectionId: merged.body.id,
    });
  });
});

describe("item 12: each participating department brings its own credentialed officers", () => {
  it("refuses a join with fewer than two own credentialed officers (helpers do not count)", async () => {
    const id = await approvedFiling();
    const res = await askToJoin(id, fireOfficer, { officerIds: [fire.officerIds[0], fire.helperId] });
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe("too_few_department_officers");
    expect(
      await t.db.select().from(auditLog).where(eq(auditLog.action, "inspection.join.requested")),
    ).toEqual([]);
  });

  it("refuses a joint filing where one department brings a single officer", async () => {
    const res = await send(marketOfficer, "POST", "/api/inspections", {
      ...filing(market),
      departmentIds: [fire.departmentId],
      officerIds: [...market.officerIds, fire.officerIds[0], fire.helperId],
      itemIds: [market.itemId, fire.itemId],
    });
    expect(res.status).toBe(422);
    expect(res.body.error.details).toEqual([fire.departmentId]);
  });

  it("takes the minimum from JOINT_MIN_OFFICERS_PER_DEPARTMENT", async () => {
    t = await makeTestApp({ JOINT_MIN_OFFICERS_PER_DEPARTMENT: "3" });
    market = await departmentWithStaff(t, "scjg");
    fire = await departmentWithStaff(t, "xf");
    firm = await enterprise(t);
    marketOfficer = await t.login(market.officerLogin);
    fireOfficer = await t.login(fire.officerLogin);
    const filed = await send(marketOfficer, "POST", "/api/inspections", filing(market));
    expect(filed.status).toBe(201);
    const two = await askToJoin(filed.body.id);
    expect(two.body.error.code).toBe("too_few_department_officers");
    const third = await officer(t, fire.departmentId, { name: "xf丙" });
    const three = await askToJoin(filed.body.id, fireOfficer, { officerIds: [...fire.officerIds, third] });
    expect(three.status).toBe(202);
  });
});

describe("item 14: who may see the inspection code", () => {
  it("gives the code and QR to the officers on the visit and the lead's administrator only", async () => {
    const id = await approvedFiling();
    await t.user("root", "admin");
    await t.user("watch", "supervisor");
    const colleagueUser = await t.user("scjg-colleague", "officer", market.departmentId);
    await officer(t, market.departmentId, { userId: colleagueUser, name: "scjg丁" });
    const asked = await askToJoin(id);
    await send(fireHead, "POST", `/api/join-requests/${asked.body.request.id}/approve`);
    await send(marketHead, "POST", `/api/join-requests/${asked.body.request.id}/accept`);

    const who: [string, Session, number][] = [
      ["officer on the visit", marketOfficer, 200],
      ["joined officer on the visit", fireOfficer, 200],
      ["lead administrator", marketHead, 200],
      ["colleague not on the visit", await t.login("scjg-colleague"), 403],
      ["joined department's administrator", fireHead, 403],
      ["system administrator", await t.login("root"), 403],
      ["supervisor", await t.login("watch"), 403],
    ];
    for (const [name, session, status] of who) {
      for (const path of ["code", "qr.svg", "qr.png"]) {
        expect(
          (await t.call(session, "GET", `/api/inspections/${id}/${path}`)).status,
          `${name} ${path}`,
        ).toBe(status);
      }
      // The facts stay readable to all of them.
      expect((await t.call(session, "GET", `/api/inspections/${id}`)).status, name).toBe(200);
    }
  });
});
