import { eq } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import { auditLog, catalogItems, plannedTasks } from "../src/db/schema.ts";
import { makeTestApp, type Session, type TestApp } from "./helpers.ts";
import {
  catalogItem,
  consentToJoin,
  departmentWithStaff,
  enterprise,
  publishedChecklist,
  window,
} from "./inspection-fixtures.ts";

type Json = Record<string, any>;
type Staff = Awaited<ReturnType<typeof departmentWithStaff>>;

const DAY = 86_400_000;
const at = (days: number) => new Date(Date.now() + days * DAY).toISOString();

let t: TestApp;
let market: Staff;
let fire: Staff;
let firm: string;
let admin: Session;
let marketHead: Session;
let fireHead: Session;

async function send(s: Session, method: string, path: string, body?: unknown) {
  const res = await t.call(s, method, path, body);
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : null) as Json };
}

/** A planned task of `staff`'s department for `enterpriseId`, from day `start` to `end`. */
function taskBody(staff: Staff, enterpriseId: string, start = 5, end = 12, extra: Json = {}) {
  return {
    enterpriseId,
    kind: "routine",
    plannedStart: at(start),
    plannedEnd: at(end),
    itemIds: [staff.itemId],
    ...extra,
  };
}

async function createTask(s: Session, body: Json) {
  const res = await send(s, "POST", "/api/planning/tasks", body);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

/** The merge of `tasks` into one visit led by market, with two officers of each department. */
function mergeBody(taskIds: string[], extra: Json = {}) {
  return {
    taskIds,
    leadDepartmentId: market.departmentId,
    officerIds: [...market.officerIds, ...fire.officerIds],
    ...window(8),
    ...extra,
  };
}

beforeEach(async () => {
  t = await makeTestApp();
  await t.user("root", "admin");
  await t.user("watch", "supervisor");
  market = await departmentWithStaff(t, "scjg");
  fire = await departmentWithStaff(t, "xf");
  firm = await enterprise(t, "济南联合检查示例有限公司");
  admin = await t.login("root");
  marketHead = await t.login(market.head);
  fireHead = await t.login(fire.head);
});

describe("planned tasks: access", () => {
  it("lets a department administrator manage only the own department's tasks", async () => {
    const task = await createTask(marketHead, taskBody(market, firm));
    expect(task.department.id).toBe(market.departmentId);
    expect(task.items.map((i: Json) => i.id)).toEqual([market.itemId]);
    expect(task.status).toBe("planned");

    // Another department's task answers 404 on every route, and is missing from its listing.
    expect((await send(fireHead, "GET", `/api/planning/tasks/${task.id}`)).status).toBe(404);
    expect((await send(fireHead, "PATCH", `/api/planning/tasks/${task.id}`, { notes: "x" })).status).toBe(
      404,
    );
    expect((await send(fireHead, "DELETE", `/api/planning/tasks/${task.id}`)).status).toBe(404);
    expect((await send(fireHead, "GET", "/api/planning/tasks")).body.items).toEqual([]);
    const fireOfficer = await t.login(fire.officerLogin);
    expect((await send(fireOfficer, "GET", `/api/planning/tasks/${task.id}`)).status).toBe(404);

    // Own department's officer reads it; administrators and supervisors read everything.
    const marketOfficer = await t.login(market.officerLogin);
    expect((await send(marketOfficer, "GET", `/api/planning/tasks/${task.id}`)).status).toBe(200);
    expect((await send(admin, "GET", "/api/planning/tasks")).body.items).toHaveLength(1);
    const supervisor = await t.login("watch");
    expect((await send(supervisor, "GET", "/api/planning/tasks")).body.items).toHaveLength(1);
  });

  it("refuses writes by officers and supervisors, other departments' items and departments", async () => {
    const marketOfficer = await t.login(market.officerLogin);
    expect((await send(marketOfficer, "POST", "/api/planning/tasks", taskBody(market, firm))).status).toBe(
      403,
    );
    const supervisor = await t.login("watch");
    expect((await send(supervisor, "POST", "/api/planning/tasks", taskBody(market, firm))).status).toBe(403);

    const foreignItem = await send(marketHead, "POST", "/api/planning/tasks", {
      ...taskBody(market, firm),
      itemIds: [fire.itemId],
    });
    expect(foreignItem.status).toBe(422);
    expect(foreignItem.body.error.code).toBe("item_not_allowed");
    const foreignDept = await send(marketHead, "POST", "/api/planning/tasks", {
      ...taskBody(market, firm),
      departmentId: fire.departmentId,
    });
    expect(foreignDept.status).toBe(403);
    const noDept = await send(admin, "POST", "/api/planning/tasks", taskBody(market, firm));
    expect(noDept.status).toBe(422);
    expect(noDept.body.error.code).toBe("department_required");
    const backwards = await send(marketHead, "POST", "/api/planning/tasks", taskBody(market, firm, 9, 3));
    expect(backwards.body.error.code).toBe("invalid_window");
    expect(await t.db.select().from(plannedTasks)).toHaveLength(0);
  });

  it("updates and deletes a planned task, auditing each change with before and after", async () => {
    const task = await createTask(marketHead, taskBody(market, firm));
    const second = await catalogItem(t, market.departmentId, "SCJG-002");
    const patched = await send(marketHead, "PATCH", `/api/planning/tasks/${task.id}`, {
      kind: "campaign",
      itemIds: [market.itemId, second],
      notes: "食品安全专项",
    });
    expect(patched.status).toBe(200);
    expect(patched.body.kind).toBe("campaign");
    expect(patched.body.items).toHaveLength(2);
    expect((await send(marketHead, "DELETE", `/api/planning/tasks/${task.id}`)).status).toBe(204);
    expect((await send(marketHead, "GET", `/api/planning/tasks/${task.id}`)).status).toBe(404);

    const lines = await t.db.select().from(auditLog).where(eq(auditLog.targetId, task.id));
    expect(lines.map((l) => l.action)).toEqual([
      "planning.task.create",
      "planning.task.update",
      "planning.task.delete",
    ]);
    const update = JSON.parse(lines[1]!.detail);
    expect(update.before.kind).toBe("routine");
    expect(update.after.kind).toBe("campaign");
    expect(update.after.itemIds).toHaveLength(2);
  });
});

describe("matching view and merge", () => {
  async function twoDepartmentTasks(enterpriseId = firm) {
    const a = await createTask(marketHead, taskBody(market, enterpriseId, 5, 12));
    const b = await createTask(fireHead, taskBody(fire, enterpriseId, 7, 20, { kind: "campaign" }));
    return [a, b];
  }

  it("groups the two departments' tasks and shows the visit saved; only admin and supervisor see it", async () => {
    const [a, b] = await twoDepartmentTasks();
    const lonely = await enterprise(t, "单独检查企业");
    await createTask(marketHead, taskBody(market, lonely, 6, 8));
    const view = await send(admin, "GET", `/api/planning/matches?from=${encodeURIComponent(at(0))}`);
    expect(view.status).toBe(200);
    const joint = view.body.groups.find((g: Json) => g.tasks.length === 2);
    expect(joint.tasks.map((x: Json) => x.id)).toEqual([a.id, b.id]);
    expect(joint.departments.map((d: Json) => d.id)).toEqual([market.departmentId, fire.departmentId]);
    expect(joint.saved).toBe(1);
    // The common window of days 5–12 and 7–20 is days 7–12.
    expect(joint.suggested.plannedStart).toBe(b.plannedStart);
    expect(joint.suggested.plannedEnd).toBe(a.plannedEnd);
    expect(view.body.open).toEqual({ tasks: 3, visits: 2, saved: 1 });
    expect(view.body.total).toEqual({ tasks: 3, visits: 2, saved: 1 });

    expect((await send(await t.login("watch"), "GET", "/api/planning/matches")).status).toBe(200);
    expect((await send(marketHead, "GET", "/api/planning/matches")).status).toBe(403);
    expect((await send(await t.login(market.officerLogin), "GET", "/api/planning/matches")).status).toBe(403);
  });

  it("refuses the merge to officers, department administrators and supervisors", async () => {
    const ids = (await twoDepartmentTasks()).map((x) => x.id);
    for (const who of [market.officerLogin, market.head, "watch"]) {
      const res = await send(await t.login(who), "POST", "/api/planning/merge", mergeBody(ids));
      expect(res.status, who).toBe(403);
    }
    expect((await t.db.select().from(plannedTasks)).every((x) => x.status === "planned")).toBe(true);
  });

  it("merges into one joint filing with one combined checklist, and links the tasks", async () => {
    const formA = await checklistForm("营业执照是否公示");
    const formB = await checklistForm("消防通道是否畅通");
    await t.db.update(catalogItems).set({ checklistFormId: formA }).where(eq(catalogItems.id, market.itemId));
    await t.db.update(catalogItems).set({ checklistFormId: formB }).where(eq(catalogItems.id, fire.itemId));
    const ids = (await twoDepartmentTasks()).map((x) => x.id);

    const merged = await send(admin, "POST", "/api/planning/merge", mergeBody(ids));
    expect(merged.status, JSON.stringify(merged.body)).toBe(201);
    expect(merged.body).toMatchObject({ tasks: 2, saved: 1, pendingDepartmentIds: [fire.departmentId] });
    expect(merged.body.departments).toEqual([market.departmentId, fire.departmentId]);
    // R18: the coordinator does not act in fire's name; fire takes part once its administrator approves.
    const before = (await send(admin, "GET", `/api/inspections/${merged.body.id}`)).body.inspection;
    expect(before.departments.map((d: Json) => d.id)).toEqual([market.departmentId]);
    expect((await send(fireHead, "GET", `/api/inspections/${merged.body.id}`)).status).toBe(404);
    expect((await consentToJoin(t, fireHead, merged.body.id, "approve")).status).toBe("joined");

    const inspection = (await send(admin, "GET", `/api/inspections/${merged.body.id}`)).body.inspection;
    expect(inspection.joint).toBe(true);
    expect(inspection.type).toBe("routine");
    expect(inspection.status).toBe("filed");
    expect(inspection.leadDepartmentId).toBe(market.departmentId);
    expect(inspection.departments.map((d: Json) => d.id)).toEqual([market.departmentId, fire.departmentId]);
    expect(inspection.items.map((i: Json) => i.id).sort()).toEqual([market.itemId, fire.itemId].sort());
    const [marketBasis, fireBasis] = await bases(market.itemId, fire.itemId);
    expect(inspection.legalBasis).toBe(`${marketBasis}；${fireBasis}`);

    for (const task of (await send(admin, "GET", "/api/planning/tasks")).body.items) {
      expect(task.status).toBe("merged");
      expect(task.inspectionId).toBe(merged.body.id);
    }
    // Both departments now read the joint filing; the lead's administrator approves it.
    expect((await send(fireHead, "GET", `/api/inspections/${merged.body.id}`)).status).toBe(200);
    expect((await send(marketHead, "POST", `/api/inspections/${merged.body.id}/approve`)).status).toBe(200);
    const checklist = await send(marketHead, "GET", `/api/inspections/${merged.body.id}/checklist`);
    expect(checklist.status, JSON.stringify(checklist.body)).toBe(200);
    const titles = JSON.stringify(checklist.body);
    expect(titles).toContain("营业执照是否公示");
    expect(titles).toContain("消防通道是否畅通");

    const after = await send(admin, "GET", `/api/planning/matches?from=${encodeURIComponent(at(0))}`);
    expect(after.body.groups).toEqual([]);
    expect(after.body.merged).toEqual({ tasks: 2, visits: 1, saved: 1 });
    expect(after.body.total).toEqual({ tasks: 2, visits: 1, saved: 1 });

    const merges = await t.db.select().from(auditLog).where(eq(auditLog.action, "planning.task.merge"));
    expect(merges.map((l) => l.targetId).sort()).toEqual([...ids].sort());
    const filed = await t.db.select().from(auditLog).where(eq(auditLog.targetId, merged.body.id));
    expect(JSON.parse(filed.find((l) => l.action === "inspection.filed")!.detail).mergedFrom).toEqual(ids);
  });

  it("freezes merged tasks and refuses merging them twice", async () => {
    const ids = (await twoDepartmentTasks()).map((x) => x.id);
    expect((await send(admin, "POST", "/api/planning/merge", mergeBody(ids))).status).toBe(201);
    const again = await send(admin, "POST", "/api/planning/merge", mergeBody(ids));
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe("task_merged");
    const patch = await send(marketHead, "PATCH", `/api/planning/tasks/${ids[0]}`, { notes: "改" });
    expect(patch.status).toBe(409);
    expect((await send(marketHead, "DELETE", `/api/planning/tasks/${ids[0]}`)).status).toBe(409);
  });

  it("lets exactly one of two simultaneous merges of the same tasks through", async () => {
    const ids = (await twoDepartmentTasks()).map((x) => x.id);
    const other = await t.login("root");
    const results = await Promise.all([
      send(admin, "POST", "/api/planning/merge", mergeBody(ids)),
      send(other, "POST", "/api/planning/merge", mergeBody(ids)),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual([201, 409]);
    const tasks = await t.db.select().from(plannedTasks);
    const winner = results.find((r) => r.status === 201)!.body.id;
    expect(tasks.every((x) => x.inspectionId === winner)).toBe(true);
    const merges = await t.db.select().from(auditLog).where(eq(auditLog.action, "planning.task.merge"));
    expect(merges).toHaveLength(2);
  });

  it("refuses a merge across enterprises, a lead outside the tasks, and one visit too few inspectors", async () => {
    const other = await enterprise(t, "另一家企业");
    const a = await createTask(marketHead, taskBody(market, firm));
    const b = await createTask(fireHead, taskBody(fire, other));
    const mixed = await send(admin, "POST", "/api/planning/merge", mergeBody([a.id, b.id]));
    expect(mixed.body.error.code).toBe("mixed_enterprises");
    const c = await createTask(fireHead, taskBody(fire, firm));
    const stranger = await departmentWithStaff(t, "hb");
    const lead = await send(
      admin,
      "POST",
      "/api/planning/merge",
      mergeBody([a.id, c.id], { leadDepartmentId: stranger.departmentId }),
    );
    expect(lead.body.error.code).toBe("lead_not_involved");
    const few = await send(
      admin,
      "POST",
      "/api/planning/merge",
      mergeBody([a.id, c.id], { officerIds: [market.officerIds[0]] }),
    );
    expect(few.body.error.code).toBe("too_few_department_officers");
    expect((await t.db.select().from(plannedTasks)).every((x) => x.status === "planned")).toBe(true);
  });

  it("refuses a merge when a filing already occupies the window, naming it", async () => {
    const ids = (await twoDepartmentTasks()).map((x) => x.id);
    const officer = await t.login(market.officerLogin);
    const filed = await send(officer, "POST", "/api/inspections", filing(market, firm, 3));
    expect(filed.status).toBe(201);
    const res = await send(admin, "POST", "/api/planning/merge", mergeBody(ids));
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe("duplicate_window");
    expect(res.body.error.conflict.id).toBe(filed.body.id);
  });
});

describe("joint inspections: join from the refusal and merge from planning agree", () => {
  /** The joint inspection's shape, without what differs by nature (ids, times, who filed). */
  function shape(i: Json) {
    return {
      keys: Object.keys(i).sort(),
      status: i.status,
      type: i.type,
      joint: i.joint,
      leadDepartmentId: i.leadDepartmentId,
      departments: i.departments.map((d: Json) => d.id),
      items: i.items.map((x: Json) => ({ id: x.id, departmentId: x.departmentId })),
      officers: i.officers.map((o: Json) => o.id).sort(),
      legalBasis: i.legalBasis,
      lateFiling: i.lateFiling,
      caseReason: i.caseReason,
    };
  }

  it("builds the same joint inspection both ways, legal basis extended by the joining department", async () => {
    // Path 1: market files, fire is refused by the window and joins instead.
    const joinFirm = await enterprise(t, "经加入形成联合检查的企业");
    const marketOfficer = await t.login(market.officerLogin);
    const fireOfficer = await t.login(fire.officerLogin);
    const first = await send(marketOfficer, "POST", "/api/inspections", filing(market, joinFirm, 8));
    expect(first.status).toBe(201);
    const refused = await send(fireOfficer, "POST", "/api/inspections", filing(fire, joinFirm, 9));
    expect(refused.status).toBe(409);
    expect(refused.body.error.conflict.joinable).toBe(true);
    const joined = await send(
      fireOfficer,
      "POST",
      `/api/inspections/${refused.body.error.conflict.id}/join-request`,
      {
        officerIds: fire.officerIds,
        itemIds: [fire.itemId],
      },
    );
    expect(joined.status).toBe(202);
    await consentToJoin(t, fireHead, first.body.id, "approve");
    expect((await consentToJoin(t, marketHead, first.body.id, "accept")).status).toBe("joined");
    const byJoin = (await send(admin, "GET", `/api/inspections/${first.body.id}`)).body.inspection;

    // Path 2: both departments plan, the coordinator merges.
    const a = await createTask(marketHead, taskBody(market, firm));
    const b = await createTask(fireHead, taskBody(fire, firm));
    const merged = await send(admin, "POST", "/api/planning/merge", mergeBody([a.id, b.id]));
    expect(merged.status).toBe(201);
    await consentToJoin(t, fireHead, merged.body.id, "approve");
    const byMerge = (await send(admin, "GET", `/api/inspections/${merged.body.id}`)).body.inspection;

    expect(shape(byMerge)).toEqual(shape(byJoin));
    const [marketBasis, fireBasis] = await bases(market.itemId, fire.itemId);
    expect(byJoin.legalBasis).toBe(`${marketBasis}；${fireBasis}`);
    expect(byJoin.items).toHaveLength(2);
    expect(byJoin.departments.map((d: Json) => d.id)).toEqual([market.departmentId, fire.departmentId]);
  });

  it("does not repeat a legal basis the inspection already lists when joining", async () => {
    const [marketBasis] = await bases(market.itemId);
    await t.db.update(catalogItems).set({ legalBasis: marketBasis! }).where(eq(catalogItems.id, fire.itemId));
    const marketOfficer = await t.login(market.officerLogin);
    const fireOfficer = await t.login(fire.officerLogin);
    const first = await send(marketOfficer, "POST", "/api/inspections", filing(market, firm, 8));
    const joined = await send(fireOfficer, "POST", `/api/inspections/${first.body.id}/join-request`, {
      officerIds: fire.officerIds,
      itemIds: [fire.itemId],
    });
    expect(joined.status).toBe(202);
    await consentToJoin(t, fireHead, first.body.id, "approve");
    await consentToJoin(t, marketHead, first.body.id, "accept");
    const got = (await send(admin, "GET", `/api/inspections/${first.body.id}`)).body.inspection;
    expect(got.legalBasis).toBe(marketBasis);
  });
});

describe("the duplicate-window refusal within one department", () => {
  it("offers no joint inspection when the conflicting filing is the own department's", async () => {
    const officer = await t.login(market.officerLogin);
    const first = await send(officer, "POST", "/api/inspections", filing(market, firm, 8));
    expect(first.status).toBe(201);
    const repeat = await send(officer, "POST", "/api/inspections", filing(market, firm, 12));
    expect(repeat.status).toBe(409);
    expect(repeat.body.error.code).toBe("duplicate_window");
    expect(repeat.body.error.conflict).toMatchObject({ id: first.body.id, joinable: false });
    expect(repeat.body.error.message).not.toContain("可申请加入");

    const other = await send(
      await t.login(fire.officerLogin),
      "POST",
      "/api/inspections",
      filing(fire, firm, 12),
    );
    expect(other.body.error.conflict).toMatchObject({ id: first.body.id, joinable: true });
    expect(other.body.error.message).toContain("可申请加入");
  });
});

/** A filing by `staff`'s officer for `enterpriseId`, `days` from now. */
function filing(staff: Staff, enterpriseId: string, days: number) {
  return {
    enterpriseId,
    type: "routine",
    ...window(days),
    officerIds: staff.officerIds,
    itemIds: [staff.itemId],
  };
}

async function bases(...itemIds: string[]) {
  const rows = await t.db.select().from(catalogItems);
  return itemIds.map((id) => rows.find((r) => r.id === id)!.legalBasis);
}

/** A published checklist form with one check point titled `title`. */
function checklistForm(title: string) {
  return publishedChecklist(
    t,
    { elements: [{ type: "radiogroup", name: "q1", title, choices: ["y", "n"] }] },
    { title },
  );
}
