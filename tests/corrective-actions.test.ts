import { and, eq, sql } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import {
  auditLog,
  catalogItems,
  checklists,
  correctiveActions,
  inspectionDepartments,
  inspectionItems,
  inspectionOfficers,
  inspections,
  outbox,
} from "../src/db/schema.ts";
import { newId } from "../src/lib/ids.ts";
import { enterpriseCall, enterpriseSession, type EnterpriseSession } from "./enterprise-fixtures.ts";
import { makeTestApp, type Session, type TestApp } from "./helpers.ts";
import { catalogItem, departmentWithStaff, enterprise, publishedChecklist } from "./inspection-fixtures.ts";

type Json = Record<string, any>;

const FORM = {
  elements: [
    { type: "radiogroup", name: "license", title: "证照是否有效", choices: ["y", "n"] },
    {
      type: "radiogroup",
      name: "records",
      title: "台账是否齐全",
      choices: ["y", "n"],
      firstViolationEligible: true,
    },
  ],
};
const PNG =
  "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";
const JPEG = new Uint8Array([
  0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 0x4a, 0x46, 0x49, 0x46, 0, 1, 1, 0, 0, 1, 0xff, 0xd9,
]);
const HOUR = 3_600_000;

let t: TestApp;
let staff: Awaited<ReturnType<typeof departmentWithStaff>>;
let other: Awaited<ReturnType<typeof departmentWithStaff>>;
let officer: Session;
let head: Session;
let otherOfficer: Session;
let itemId: string;
let enterpriseId: string;
let firm: EnterpriseSession;

async function approvedInspection(items = [itemId]) {
  const id = newId();
  const now = Date.now();
  await t.db.insert(inspections).values({
    id,
    enterpriseId,
    leadDepartmentId: staff.departmentId,
    type: "routine",
    status: "approved",
    plannedStart: now - HOUR,
    plannedEnd: now + HOUR,
    legalBasis: "《示例条例》",
    filedAt: now,
    codeNonce: newId(),
    createdAt: now,
    updatedAt: now,
  });
  await t.db
    .insert(inspectionDepartments)
    .values({ inspectionId: id, departmentId: staff.departmentId, joinedAt: now });
  await t.db.insert(inspectionOfficers).values([
    { inspectionId: id, officerId: staff.officerIds[0]!, isHelper: false },
    { inspectionId: id, officerId: staff.officerIds[1]!, isHelper: false },
  ]);
  await t.db
    .insert(inspectionItems)
    .values(items.map((i) => ({ inspectionId: id, itemId: i, departmentId: staff.departmentId })));
  return id;
}

const shanghaiClock = (ms: number) => new Date(ms + 8 * HOUR).toISOString().slice(0, 16);

/**
 * Answers of a checklist: each point's result by key, failures with a requirement and deadline. The
 * visit ends at `end`; a late filing (a 复查 filed after its start) needs a visit that ended before it
 * was filed, or a minute turning between filing and submit makes the end time later than the filing.
 */
function answers(
  results: Record<string, "pass" | "fail" | "na">,
  deadline = "2099-12-31",
  prefix = "i1__",
  end = Date.now(),
) {
  const data: Json = {
    inspection_place: "车间",
    start_time: shanghaiClock(end - 30 * 60_000),
    end_time: shanghaiClock(end),
    rights_notified: true,
    officer_signature_1: PNG,
    officer_signature_2: PNG,
    enterprise_representative: "王五",
    enterprise_signature: PNG,
  };
  for (const [key, result] of Object.entries(results)) {
    data[prefix + key] = result;
    if (result === "fail") {
      data[`${prefix}${key}__requirement`] = `整改：${key}`;
      data[`${prefix}${key}__deadline`] = deadline;
    }
  }
  return data;
}

async function submit(id: string, data: Json, session = officer) {
  expect((await t.call(session, "GET", `/api/inspections/${id}/checklist`)).status).toBe(200);
  return t.call(session, "POST", `/api/inspections/${id}/checklist/submit`, { data });
}

const actionsOf = (id: string) =>
  t.db.select().from(correctiveActions).where(eq(correctiveActions.foundInInspectionId, id));

function uploadEvidence(actionId: string, bytes: Uint8Array, type: string, as = firm) {
  return t.app.request(`/api/enterprise/actions/${actionId}/evidence`, {
    method: "POST",
    headers: { Cookie: as.cookie, "X-Enterprise-CSRF-Token": as.csrf, "Content-Type": type },
    body: new Uint8Array(bytes),
  });
}

beforeEach(async () => {
  t = await makeTestApp({
    ALERT_WEBHOOK_URL: "https://hooks.example.test/lianma",
    ALERT_WEBHOOK_SECRET: "s".repeat(32),
  });
  staff = await departmentWithStaff(t, "scjg");
  other = await departmentWithStaff(t, "xf");
  officer = await t.login(staff.officerLogin);
  head = await t.login(staff.head);
  otherOfficer = await t.login(other.officerLogin);
  itemId = await catalogItem(t, staff.departmentId, "SC-201", {
    checklistFormId: await publishedChecklist(t, FORM),
  });
  enterpriseId = await enterprise(t, "济南整改测试有限公司");
  firm = await enterpriseSession(t, enterpriseId);
});

describe("actions written with the checklist submit", () => {
  it("opens one action per failed point, in the submit's batch, with its audit line", async () => {
    const id = await approvedInspection();
    const res = await submit(id, answers({ license: "fail", records: "fail" }));
    expect(res.status).toBe(200);
    const rows = await actionsOf(id);
    expect(rows.map((r) => [r.pointKey, r.status, r.requirement, r.deadline]).sort()).toEqual([
      ["license", "open", "整改：license", "2099-12-31"],
      ["records", "open", "整改：records", "2099-12-31"],
    ]);
    expect(rows.every((r) => r.departmentId === staff.departmentId && r.itemId === itemId)).toBe(true);
    const lines = await t.db.select().from(auditLog).where(eq(auditLog.action, "action.opened"));
    expect(lines).toHaveLength(1);
  });

  it("a retried submit neither loses nor duplicates actions", async () => {
    const id = await approvedInspection();
    const data = answers({ license: "fail", records: "pass" });
    const [a, b] = await Promise.all([submit(id, data), submit(id, data)]);
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    expect(await actionsOf(id)).toHaveLength(1);
    expect((await t.call(officer, "POST", `/api/inspections/${id}/checklist/submit`, { data })).status).toBe(
      409,
    );
    expect(await actionsOf(id)).toHaveLength(1);
  });

  it("a failed batch writes neither the registration nor any action", async () => {
    const id = await approvedInspection();
    await t.db.run(sql`CREATE TRIGGER refuse_actions BEFORE INSERT ON corrective_actions
      BEGIN SELECT RAISE(ABORT, 'refused by test'); END`);
    const res = await submit(id, answers({ license: "fail", records: "pass" }));
    expect(res.status).toBeGreaterThanOrEqual(500);
    const [row] = await t.db.select().from(checklists).where(eq(checklists.inspectionId, id));
    expect(row!.status).toBe("draft");
    expect(await actionsOf(id)).toHaveLength(0);
    await t.db.run(sql`DROP TRIGGER refuse_actions`);
  });

  it("lists actions to the item's department; another department sees none and gets 404 by id", async () => {
    const id = await approvedInspection();
    await submit(id, answers({ license: "fail", records: "pass" }));
    const [action] = await actionsOf(id);
    const mine = (await (await t.call(officer, "GET", `/api/actions?inspectionId=${id}`)).json()) as Json;
    expect(mine.items.map((a: Json) => a.id)).toEqual([action!.id]);
    expect(mine.items[0].overdue).toBe(false);
    const theirs = (await (await t.call(otherOfficer, "GET", "/api/actions")).json()) as Json;
    expect(theirs.items).toEqual([]);
    expect((await t.call(otherOfficer, "GET", `/api/actions/${action!.id}`)).status).toBe(404);
  });
});

describe("the enterprise's evidence", () => {
  async function openAction(deadline = "2099-12-31") {
    const id = await approvedInspection();
    await submit(id, answers({ license: "fail", records: "pass" }, deadline));
    return { inspectionId: id, action: (await actionsOf(id))[0]! };
  }

  it("lists its actions and takes a photo, a PDF and a statement with 信用承诺; the webhook hears of it", async () => {
    const { action } = await openAction();
    const list = (await (await enterpriseCall(t, firm, "GET", "/api/enterprise/actions")).json()) as Json;
    expect(list.items.map((a: Json) => a.id)).toEqual([action.id]);
    const photo = await uploadEvidence(action.id, JPEG, "image/jpeg");
    expect(photo.status).toBe(201);
    const pdf = await uploadEvidence(
      action.id,
      new TextEncoder().encode("%PDF-1.4\n%EOF"),
      "application/pdf",
    );
    expect(pdf.status).toBe(201);
    expect(((await pdf.json()) as Json).fileName).toMatch(/^[0-9a-z]+\.pdf$/);
    const res = await enterpriseCall(t, firm, "POST", `/api/enterprise/actions/${action.id}/submit`, {
      statement: "已补齐台账",
      creditCommitment: true,
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as Json;
    expect(body.action).toMatchObject({ status: "evidence_submitted", late: false, creditCommitment: true });
    expect(body.action.evidence).toHaveLength(2);
    const file = await t.call(
      officer,
      "GET",
      body.action.evidence[0].url.replace("/api/enterprise/", "/api/"),
    );
    expect(file.status).toBe(200);
    expect(file.headers.get("x-content-type-options")).toBe("nosniff");
    const events = await t.db.select().from(outbox).where(eq(outbox.topic, "action.evidence_submitted"));
    expect(events).toHaveLength(1);
    expect(JSON.parse(events[0]!.payload).action.id).toBe(action.id);
    expect(events[0]!.payload).not.toContain("已补齐台账");
  });

  it("refuses a disguised file (415), an oversize one (413) and another enterprise's action (404)", async () => {
    const { action } = await openAction();
    const html = new TextEncoder().encode("<html><script>alert(1)</script></html>");
    expect((await uploadEvidence(action.id, html, "image/jpeg")).status).toBe(415);
    const zip = new Uint8Array([0x50, 0x4b, 0x03, 0x04, 1, 2, 3, 4]);
    const docx = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
    expect((await uploadEvidence(action.id, zip, docx)).status).toBe(415);
    expect((await uploadEvidence(action.id, html, "text/html")).status).toBe(415);
    const big = new Uint8Array(10 * 1024 * 1024 + 1);
    big.set([0xff, 0xd8, 0xff]);
    expect((await uploadEvidence(action.id, big, "image/jpeg")).status).toBe(413);
    const stranger = await enterpriseSession(t, await enterprise(t, "别家公司"));
    expect((await uploadEvidence(action.id, JPEG, "image/jpeg", stranger)).status).toBe(404);
    const res = await enterpriseCall(t, stranger, "POST", `/api/enterprise/actions/${action.id}/submit`, {
      statement: "x",
    });
    expect(res.status).toBe(404);
  });

  it("marks a submission after the deadline late", async () => {
    const { action } = await openAction();
    // The checklist takes no past deadline: the deadline passes instead.
    await t.db
      .update(correctiveActions)
      .set({ deadline: "2000-01-01" })
      .where(eq(correctiveActions.id, action.id));
    const listed = (await (await enterpriseCall(t, firm, "GET", "/api/enterprise/actions")).json()) as Json;
    expect(listed.items[0].overdue).toBe(true);
    const res = await enterpriseCall(t, firm, "POST", `/api/enterprise/actions/${action.id}/submit`, {
      statement: "迟交",
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as Json).action).toMatchObject({ late: true, overdue: false });
  });
});

describe("review by the item's department", () => {
  async function submitted() {
    const id = await approvedInspection();
    await submit(id, answers({ license: "fail", records: "pass" }));
    const [action] = await actionsOf(id);
    await enterpriseCall(t, firm, "POST", `/api/enterprise/actions/${action!.id}/submit`, {
      statement: "已整改",
    });
    return { inspectionId: id, actionId: action!.id };
  }
  const allowWritten = () =>
    t.db.update(catalogItems).set({ writtenVerification: true }).where(eq(catalogItems.id, itemId));

  it("accepts on written evidence only where the item allows 书面核查; then evidence is 409", async () => {
    const { actionId } = await submitted();
    const refused = await t.call(officer, "POST", `/api/actions/${actionId}/accept`, {
      verification: "written",
    });
    expect(refused.status).toBe(409);
    expect(((await refused.json()) as Json).error.code).toBe("reinspection_required");
    await allowWritten();
    expect(
      (await t.call(otherOfficer, "POST", `/api/actions/${actionId}/accept`, { verification: "written" }))
        .status,
    ).toBe(404);
    const res = await t.call(officer, "POST", `/api/actions/${actionId}/accept`, { verification: "written" });
    expect(res.status).toBe(200);
    expect(((await res.json()) as Json).action).toMatchObject({
      status: "accepted",
      verification: "written",
      correctedOnTime: true,
    });
    expect(await t.db.select().from(auditLog).where(eq(auditLog.action, "action.accepted"))).toHaveLength(1);
    expect((await uploadEvidence(actionId, JPEG, "image/jpeg")).status).toBe(409);
    const again = await enterpriseCall(t, firm, "POST", `/api/enterprise/actions/${actionId}/submit`, {
      statement: "再交",
    });
    expect(again.status).toBe(409);
  });

  it("returns with a reason; the enterprise submits again", async () => {
    const { actionId } = await submitted();
    const res = await t.call(officer, "POST", `/api/actions/${actionId}/return`, { reason: "照片不清晰" });
    expect(res.status).toBe(200);
    expect(((await res.json()) as Json).action).toMatchObject({
      status: "returned",
      returnReason: "照片不清晰",
    });
    expect(
      (await t.call(officer, "POST", `/api/actions/${actionId}/return`, { reason: "再退" })).status,
    ).toBe(409);
    const again = await enterpriseCall(t, firm, "POST", `/api/enterprise/actions/${actionId}/submit`, {
      statement: "重新拍摄",
    });
    expect(again.status).toBe(200);
  });

  it("办结 is refused with open actions (409 open_actions) unless the lead administrator gives a reason", async () => {
    const { inspectionId } = await submitted();
    const refused = await t.call(head, "POST", `/api/inspections/${inspectionId}/close`, {});
    expect(refused.status).toBe(409);
    expect(((await refused.json()) as Json).error.code).toBe("open_actions");
    const res = await t.call(head, "POST", `/api/inspections/${inspectionId}/close`, {
      openActionsReason: "企业已停业",
    });
    expect(res.status).toBe(200);
    const [row] = await t.db.select().from(inspections).where(eq(inspections.id, inspectionId));
    expect(row).toMatchObject({ status: "closed", closedWithOpenActions: true, closeReason: "企业已停业" });
  });

  it("办结 passes once every action is accepted", async () => {
    const { inspectionId, actionId } = await submitted();
    await allowWritten();
    await t.call(officer, "POST", `/api/actions/${actionId}/accept`, { verification: "written" });
    const res = await t.call(head, "POST", `/api/inspections/${inspectionId}/close`, {});
    expect(res.status).toBe(200);
  });
});

describe("复查", () => {
  const body = (actionIds: string[], officerIds = staff.officerIds) => ({
    actionIds,
    officerIds,
    plannedStart: new Date(Date.now() - HOUR / 2).toISOString(),
    plannedEnd: new Date(Date.now() + HOUR).toISOString(),
    lateReason: "现场复查",
  });

  it("refuses actions of two inspections (422) and another department's action (404)", async () => {
    const a = await approvedInspection();
    await submit(a, answers({ license: "fail", records: "pass" }));
    const b = await approvedInspection();
    await submit(b, answers({ license: "fail", records: "pass" }));
    const ids = [(await actionsOf(a))[0]!.id, (await actionsOf(b))[0]!.id];
    const res = await t.call(officer, "POST", "/api/reinspections", body(ids));
    expect(res.status).toBe(422);
    expect(((await res.json()) as Json).error.code).toBe("actions_of_several_inspections");
    expect(
      (await t.call(otherOfficer, "POST", "/api/reinspections", body([ids[0]!], other.officerIds))).status,
    ).toBe(404);
    expect(await t.db.select().from(inspections).where(eq(inspections.type, "reinspection"))).toHaveLength(0);
  });

  it("is exempt from the window and the yearly cap, holds only the failed point, and settles the actions", async () => {
    t = await makeTestApp({ INSPECTION_YEARLY_CAP: "1" });
    staff = await departmentWithStaff(t, "scjg");
    officer = await t.login(staff.officerLogin);
    head = await t.login(staff.head);
    itemId = await catalogItem(t, staff.departmentId, "SC-201", {
      checklistFormId: await publishedChecklist(t, FORM),
    });
    enterpriseId = await enterprise(t, "济南复查测试有限公司");
    const original = await approvedInspection();
    await submit(original, answers({ license: "fail", records: "fail" }));
    const [license, records] = (await actionsOf(original)).sort((x, y) =>
      x.pointKey.localeCompare(y.pointKey),
    );
    // An ordinary filing now is refused: the window is occupied and the cap of 1 is reached.
    const ordinary = await t.call(officer, "POST", "/api/inspections", {
      enterpriseId,
      type: "routine",
      officerIds: staff.officerIds,
      itemIds: [itemId],
      plannedStart: new Date(Date.now() + 2 * HOUR).toISOString(),
      plannedEnd: new Date(Date.now() + 3 * HOUR).toISOString(),
    });
    expect([409, 422]).toContain(ordinary.status);

    const visitEnded = Date.now();
    const filed = await t.call(officer, "POST", "/api/reinspections", body([license!.id, records!.id]));
    expect(filed.status).toBe(201);
    const { id } = (await filed.json()) as Json;
    const [row] = await t.db.select().from(inspections).where(eq(inspections.id, id));
    expect(row).toMatchObject({ type: "reinspection", reinspectionOf: original, status: "filed" });
    expect((await t.call(head, "POST", `/api/inspections/${id}/approve`)).status).toBe(200);

    const checklist = (await (
      await t.call(officer, "GET", `/api/inspections/${id}/checklist`)
    ).json()) as Json;
    expect(checklist.schema.title).toBe("涉企行政检查复查表");
    const points = JSON.stringify(checklist.schema.pages[1]);
    expect(points).toContain("i1__license");
    expect(points).toContain("原整改要求：整改：license");

    const res = await t.call(officer, "POST", `/api/inspections/${id}/checklist/submit`, {
      data: answers({ license: "pass", records: "fail" }, "2099-06-30", "i1__", visitEnded),
    });
    expect(res.status).toBe(200);
    const settled = await t.db
      .select()
      .from(correctiveActions)
      .where(eq(correctiveActions.inspectionId, original));
    const byId = new Map(settled.map((a) => [a.id, a]));
    expect(byId.get(license!.id)).toMatchObject({ status: "accepted", verification: "reinspection" });
    expect(byId.get(records!.id)!.status).toBe("superseded");
    const chained = settled.find((a) => a.previousActionId === records!.id)!;
    expect(chained).toMatchObject({ status: "open", foundInInspectionId: id, deadline: "2099-06-30" });

    const closeOriginal = await t.call(head, "POST", `/api/inspections/${original}/close`, {});
    expect(closeOriginal.status).toBe(409);
  });

  it("an only-failed-points checklist leaves out the points that passed", async () => {
    const original = await approvedInspection();
    await submit(original, answers({ license: "pass", records: "fail" }));
    const [records] = await actionsOf(original);
    const visitEnded = Date.now();
    const filed = await t.call(officer, "POST", "/api/reinspections", body([records!.id]));
    const { id } = (await filed.json()) as Json;
    await t.call(head, "POST", `/api/inspections/${id}/approve`);
    const checklist = (await (
      await t.call(officer, "GET", `/api/inspections/${id}/checklist`)
    ).json()) as Json;
    const page = JSON.stringify(checklist.schema.pages[1]);
    expect(page).toContain("i1__records");
    expect(page).not.toContain("i1__license");
    const res = await t.call(officer, "POST", `/api/inspections/${id}/checklist/submit`, {
      data: answers({ records: "pass" }, undefined, "i1__", visitEnded),
    });
    expect(res.status).toBe(200);
    const [after] = await t.db.select().from(correctiveActions).where(eq(correctiveActions.id, records!.id));
    expect(after!.status).toBe("accepted");
    expect((await t.call(head, "POST", `/api/inspections/${original}/close`, {})).status).toBe(200);
  });

  it("a refused 复查 gives its actions back", async () => {
    const original = await approvedInspection();
    await submit(original, answers({ license: "pass", records: "fail" }));
    const [records] = await actionsOf(original);
    const { id } = (await (
      await t.call(officer, "POST", "/api/reinspections", body([records!.id]))
    ).json()) as Json;
    expect((await t.call(head, "POST", `/api/inspections/${id}/refuse`, { reason: "不必要" })).status).toBe(
      200,
    );
    const [after] = await t.db
      .select()
      .from(correctiveActions)
      .where(and(eq(correctiveActions.id, records!.id)));
    expect(after).toMatchObject({ status: "open", reinspectionId: null });
  });
});

describe("首违不罚 at submission", () => {
  it("tags a failed eligible point 首违 the first time and 再次违反 after, naming the earlier inspection", async () => {
    const first = await approvedInspection();
    await submit(first, answers({ license: "fail", records: "fail" }));
    const tagged = await actionsOf(first);
    expect(tagged.find((a) => a.pointKey === "records")!.firstViolation).toBe("first");
    expect(tagged.find((a) => a.pointKey === "license")!.firstViolation).toBeNull();
    await t.db.update(inspections).set({ status: "closed" }).where(eq(inspections.id, first));

    const second = await approvedInspection();
    await submit(second, answers({ license: "pass", records: "fail" }));
    const [repeat] = await actionsOf(second);
    expect(repeat!.firstViolation).toBe("repeat");
    const basis = JSON.parse(repeat!.firstViolationBasis!);
    expect(basis.years).toBe(2);
    expect(basis.lookedAt).toEqual([expect.objectContaining({ inspectionId: first, failed: true })]);
    const view = (await (await enterpriseCall(t, firm, "GET", "/api/enterprise/actions")).json()) as Json;
    expect(view.items.find((a: Json) => a.id === repeat!.id).firstViolation.label).toBe("再次违反");
  });
});

describe("action.overdue", () => {
  it("writes one outbox message once the deadline's local day has ended, never twice", async () => {
    const { sweepOverdueActions } = await import("../src/actions/overdue-sweep.ts");
    const { configFromEnv } = await import("../src/env.ts");
    const config = configFromEnv(
      { ALERT_WEBHOOK_URL: "https://hooks.example.test/lianma", ALERT_WEBHOOK_SECRET: "s".repeat(32) },
      "x".repeat(40),
    );
    const id = await approvedInspection();
    await submit(id, answers({ license: "fail", records: "pass" }, "2099-03-10"));
    const topic = eq(outbox.topic, "action.overdue");
    expect(await sweepOverdueActions(t.db, config, Date.parse("2099-03-10T15:59:59Z"))).toBe(0);
    expect(await sweepOverdueActions(t.db, config, Date.parse("2099-03-10T16:00:00Z"))).toBe(1);
    expect(await sweepOverdueActions(t.db, config, Date.parse("2099-03-11T16:00:00Z"))).toBe(0);
    expect(await t.db.select().from(outbox).where(topic)).toHaveLength(1);
  });
});

describe("首违不罚 on the enterprise's record", () => {
  it("shows 首违不罚：已按期整改 once an eligible first failure is accepted in time", async () => {
    await t.db.update(catalogItems).set({ writtenVerification: true }).where(eq(catalogItems.id, itemId));
    const id = await approvedInspection();
    await submit(id, answers({ license: "pass", records: "fail" }));
    const [action] = await actionsOf(id);
    const detail = async () =>
      ((await (await enterpriseCall(t, firm, "GET", `/api/enterprise/inspections/${id}`)).json()) as Json)
        .checklist.items[0].failures[0];
    expect((await detail()).firstViolation).toBe("首违");
    await enterpriseCall(t, firm, "POST", `/api/enterprise/actions/${action!.id}/submit`, {
      statement: "已整改",
    });
    await t.call(officer, "POST", `/api/actions/${action!.id}/accept`, { verification: "written" });
    expect((await detail()).firstViolation).toBe("首违不罚：已按期整改");
  });
});

describe("POST /api/inspections with type reinspection", () => {
  it("is refused: a 复查 is filed from corrective actions only (no way round the window)", async () => {
    const res = await t.call(officer, "POST", "/api/inspections", {
      enterpriseId,
      type: "reinspection",
      officerIds: staff.officerIds,
      itemIds: [itemId],
      plannedStart: new Date(Date.now() + 2 * HOUR).toISOString(),
      plannedEnd: new Date(Date.now() + 3 * HOUR).toISOString(),
    });
    expect(res.status).toBe(422);
    expect(((await res.json()) as Json).error.code).toBe("reinspection_from_actions");
  });
});
