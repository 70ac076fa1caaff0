import { and, eq } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import { checklistSummary } from "../src/checklists/summary.ts";
import {
  auditLog,
  checklists,
  inspectionDepartments,
  inspectionItems,
  inspectionOfficers,
  inspections,
  photos,
  type InspectionStatus,
} from "../src/db/schema.ts";
import { newId } from "../src/lib/ids.ts";
import { makeTestApp, type Session, type TestApp } from "./helpers.ts";
import {
  catalogItem,
  departmentWithStaff,
  enterprise,
  officer,
  publishedChecklist,
} from "./inspection-fixtures.ts";

type Json = Record<string, any>;

const FORM_A = {
  elements: [
    { type: "radiogroup", name: "license", title: "证照是否有效", choices: ["y", "n"] },
    { type: "radiogroup", name: "records", title: "台账是否齐全", choices: ["y", "n"] },
  ],
};
const FORM_B = {
  elements: [
    { type: "radiogroup", name: "license", title: "许可证公示", choices: ["y", "n"] },
    { type: "text", name: "note", title: "备注" },
  ],
};

const PNG =
  "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";
const JPEG_BYTES = new Uint8Array([
  0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 0x4a, 0x46, 0x49, 0x46, 0, 1, 1, 0, 0, 1, 0xff, 0xd9,
]);
const PNG_BYTES = Buffer.from(PNG.split(",")[1]!, "base64");

let t: TestApp;
let staff: Awaited<ReturnType<typeof departmentWithStaff>>;
let other: Awaited<ReturnType<typeof departmentWithStaff>>;
let officerSession: Session;
let inspectionId: string;
let formA: string;

async function approvedInspection(itemIds: string[], status: InspectionStatus = "approved") {
  const id = newId();
  const now = Date.now();
  await t.db.insert(inspections).values({
    id,
    enterpriseId: await enterprise(t, `企业${id}`),
    leadDepartmentId: staff.departmentId,
    type: "routine",
    status,
    plannedStart: now + 3_600_000,
    plannedEnd: now + 7_200_000,
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
    { inspectionId: id, officerId: staff.helperId, isHelper: true },
  ]);
  await t.db
    .insert(inspectionItems)
    .values(itemIds.map((itemId) => ({ inspectionId: id, itemId, departmentId: staff.departmentId })));
  return id;
}

/** A datetime-local value on Asia/Shanghai's wall clock (the configured zone), as the phone sends it. */
const shanghaiClock = (ms: number) => new Date(ms + 8 * 3_600_000).toISOString().slice(0, 16);

const url = (id = inspectionId) => `/api/inspections/${id}/checklist`;
const getChecklist = async (session = officerSession, id = inspectionId) => {
  const res = await t.call(session, "GET", url(id));
  return { res, body: (await res.json()) as Json };
};
const status = async (id = inspectionId) =>
  (await t.db.select({ s: inspections.status }).from(inspections).where(eq(inspections.id, id)))[0]!.s;

function upload(bytes: Uint8Array, type: string, id = inspectionId, session = officerSession) {
  return t.app.request(`/api/inspections/${id}/photos`, {
    method: "POST",
    headers: { Cookie: session.cookie, "X-CSRF-Token": session.csrf, "Content-Type": type },
    body: new Uint8Array(bytes),
  });
}

async function completeData(): Promise<Json> {
  const res = await upload(JPEG_BYTES, "image/jpeg");
  const photo = (await res.json()) as Json;
  return {
    inspection_place: "车间",
    start_time: shanghaiClock(Date.now() - 30 * 60_000),
    end_time: shanghaiClock(Date.now()),
    i1__license: "pass",
    i1__records: "fail",
    i1__records__requirement: "补齐进货台账",
    i1__records__deadline: "2099-12-31",
    i2__license: "na",
    i2__note: "无",
    photos: [{ name: "现场.jpg", type: "image/jpeg", content: photo.url }],
    rights_notified: true,
    officer_signature_1: PNG,
    officer_signature_2: PNG,
    enterprise_representative: "王五",
    enterprise_signature: PNG,
  };
}

beforeEach(async () => {
  t = await makeTestApp();
  staff = await departmentWithStaff(t, "scjg");
  other = await departmentWithStaff(t, "xf");
  officerSession = await t.login(staff.officerLogin);
  formA = await publishedChecklist(t, FORM_A);
  const formB = await publishedChecklist(t, FORM_B);
  const a = await catalogItem(t, staff.departmentId, "SC-101", { checklistFormId: formA });
  const b = await catalogItem(t, staff.departmentId, "SC-102", { checklistFormId: formB });
  inspectionId = await approvedInspection([a, b]);
});

describe("GET /api/inspections/:id/checklist", () => {
  it("generates the checklist on first read and keeps the snapshot when the item's form publishes v2", async () => {
    const first = await getChecklist();
    expect(first.res.status).toBe(200);
    expect(first.body.status).toBe("draft");
    expect(first.body.data).toEqual({});
    expect(first.body.items.map((i: Json) => i.code)).toEqual(["SC-101", "SC-102"]);
    expect(first.body.schema.pages.map((p: Json) => p.name)).toEqual(["header", "item1", "item2", "closing"]);
    const generated = await t.db.select().from(auditLog).where(eq(auditLog.action, "checklist.generate"));
    expect(generated).toHaveLength(1);

    await publishedChecklist(
      t,
      { elements: [{ type: "radiogroup", name: "changed", choices: ["x"] }] },
      { id: formA, version: 2 },
    );
    const again = await getChecklist();
    expect(again.res.status).toBe(200);
    expect(again.body.schema).toEqual(first.body.schema);
    expect(JSON.stringify(again.body.schema)).not.toContain("changed");
    expect(await t.db.select().from(auditLog).where(eq(auditLog.action, "checklist.generate"))).toHaveLength(
      1,
    );
  });

  it("snapshots once when two first reads race", async () => {
    const [a, b] = await Promise.all([getChecklist(), getChecklist()]);
    expect([a.res.status, b.res.status]).toEqual([200, 200]);
    expect(a.body.schema).toEqual(b.body.schema);
    expect(await t.db.select().from(checklists)).toHaveLength(1);
    expect(await t.db.select().from(auditLog).where(eq(auditLog.action, "checklist.generate"))).toHaveLength(
      1,
    );
  });

  it("uses the latest published version when generating", async () => {
    await publishedChecklist(
      t,
      { elements: [{ type: "radiogroup", name: "v2point", choices: ["x"] }] },
      { id: formA, version: 2 },
    );
    const { res, body } = await getChecklist();
    expect(res.status).toBe(200);
    expect(JSON.stringify(body.schema)).toContain("i1__v2point");
    expect(body.schema.pages[1].lianmaFormVersion).toBe(2);
  });

  it("refuses to generate while an item's checklist form has no published version", async () => {
    const bare = await catalogItem(t, staff.departmentId, "SC-103");
    const id = await approvedInspection([bare]);
    const { res, body } = await getChecklist(officerSession, id);
    expect(res.status).toBe(409);
    expect(body.error.code).toBe("checklist_form_unpublished");
    expect(body.error.message).toContain("SC-103");
    expect(await t.db.select().from(checklists).where(eq(checklists.inspectionId, id))).toHaveLength(0);
  });

  it("refuses to generate before approval", async () => {
    const a = await catalogItem(t, staff.departmentId, "SC-104", { checklistFormId: formA });
    const id = await approvedInspection([a], "filed");
    const { res, body } = await getChecklist(officerSession, id);
    expect(res.status).toBe(409);
    expect(body.error.code).toBe("not_approved");
  });

  it("answers 404 to another department's officer", async () => {
    const foreign = await t.login(other.officerLogin);
    const { res } = await getChecklist(foreign);
    expect(res.status).toBe(404);
    expect((await t.call(foreign, "PUT", url(), { data: {} })).status).toBe(404);
    expect(await t.db.select().from(checklists)).toHaveLength(0);
  });
});

describe("PUT /api/inspections/:id/checklist", () => {
  it("saves partial answers, resumes them and starts the inspection", async () => {
    await getChecklist();
    expect(await status()).toBe("approved");
    const res = await t.call(officerSession, "PUT", url(), {
      data: { i1__license: "fail", inspection_place: "仓库" },
    });
    expect(res.status).toBe(200);
    const saved = (await res.json()) as Json;
    expect(saved.inspectionStatus).toBe("in_progress");
    expect(await status()).toBe("in_progress");

    const again = await t.call(officerSession, "PUT", url(), { data: { i1__license: "pass" } });
    expect(again.status).toBe(200);
    const { body } = await getChecklist();
    expect(body.data).toEqual({ i1__license: "pass" });
    expect(body.savedAt).toEqual(((await again.json()) as Json).savedAt);
    const started = await t.db.select().from(auditLog).where(eq(auditLog.action, "inspection.in_progress"));
    expect(started).toHaveLength(1);
    const saves = await t.db.select().from(auditLog).where(eq(auditLog.action, "checklist.save"));
    expect(saves).toHaveLength(2);
    expect(saves[0]!.detail).not.toContain("仓库");
  });

  it("refuses unknown keys and values that are not choices, storing nothing", async () => {
    await getChecklist();
    const unknown = await t.call(officerSession, "PUT", url(), { data: { nope: 1 } });
    expect(unknown.status).toBe(400);
    expect(((await unknown.json()) as Json).error.details[0].name).toBe("nope");
    const wrong = await t.call(officerSession, "PUT", url(), { data: { i1__license: "y" } });
    expect(wrong.status).toBe(400);
    expect(((await wrong.json()) as Json).error.code).toBe("invalid_response");
    const forged = await t.call(officerSession, "PUT", url(), {
      data: { photos: [{ name: "x.jpg", type: "image/jpeg", content: "https://evil.example/x.jpg" }] },
    });
    expect(forged.status).toBe(400);
    const badSignature = await t.call(officerSession, "PUT", url(), {
      data: { enterprise_signature: "data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=" },
    });
    expect(badSignature.status).toBe(400);
    expect((await getChecklist()).body.data).toEqual({});
    expect(await status()).toBe("approved");
  });

  it("answers 403 to an officer of the department who is not on the inspection", async () => {
    await getChecklist();
    const userId = await t.user("scjg-other", "officer", staff.departmentId);
    await officer(t, staff.departmentId, { userId, name: "旁人" });
    const outsider = await t.login("scjg-other");
    expect((await getChecklist(outsider)).res.status).toBe(200);
    const res = await t.call(outsider, "PUT", url(), { data: {} });
    expect(res.status).toBe(403);
    expect((await upload(JPEG_BYTES, "image/jpeg", inspectionId, outsider)).status).toBe(403);
  });

  it("needs the checklist to have been opened first", async () => {
    const res = await t.call(officerSession, "PUT", url(), { data: {} });
    expect(res.status).toBe(409);
    expect(((await res.json()) as Json).error.code).toBe("checklist_missing");
  });

  it("refuses start and end times in the future or outside the planned window (R7)", async () => {
    expect((await getChecklist()).res.status).toBe(200);
    const save = (data: Json) => t.call(officerSession, "PUT", url(), { data });
    const future = await save({ start_time: shanghaiClock(Date.now() + 3 * 3_600_000) });
    expect(future.status).toBe(400);
    expect(((await future.json()) as Json).error.message).toContain("检查开始时间不能晚于当前时间");
    const outside = await save({ end_time: shanghaiClock(Date.now() - 2 * 86_400_000) });
    expect(outside.status).toBe(400);
    expect(((await outside.json()) as Json).error.message).toContain("检查结束时间超出备案的检查时间");
    expect((await save({ start_time: shanghaiClock(Date.now() - 30 * 60_000) })).status).toBe(200);
  });
});

describe("POST /api/inspections/:id/checklist/submit", () => {
  it("refuses a failed point without requirement and stores nothing", async () => {
    await getChecklist();
    const data = await completeData();
    delete data.i1__records__requirement;
    const res = await t.call(officerSession, "POST", `${url()}/submit`, { data });
    expect(res.status).toBe(400);
    const body = (await res.json()) as Json;
    expect(body.error.code).toBe("invalid_response");
    expect(body.error.details.map((d: Json) => d.name)).toContain("i1__records__requirement");
    const [row] = await t.db.select().from(checklists).where(eq(checklists.inspectionId, inspectionId));
    expect(row!.status).toBe("draft");
    expect(row!.data).toBe("{}");
    expect(await status()).toBe("approved");
  });

  it("registers the inspection and locks the checklist", async () => {
    await getChecklist();
    const data = await completeData();
    const res = await t.call(officerSession, "POST", `${url()}/submit`, { data });
    expect(res.status).toBe(200);
    const body = (await res.json()) as Json;
    expect(body).toMatchObject({
      status: "submitted",
      inspectionStatus: "registered",
      failedItems: ["SC-101"],
    });
    expect(await status()).toBe("registered");
    const [row] = await t.db.select().from(checklists).where(eq(checklists.inspectionId, inspectionId));
    expect(JSON.parse(row!.failedItems)).toEqual(["SC-101"]);
    expect(JSON.parse(row!.data)).toEqual(data);
    const after = await getChecklist();
    expect(after.body.status).toBe("submitted");
    expect(after.body.submittedAt).toBe(body.submittedAt);
    const save = await t.call(officerSession, "PUT", url(), { data: {} });
    expect(save.status).toBe(409);
    const audits = await t.db.select({ action: auditLog.action }).from(auditLog);
    expect(audits.map((a) => a.action)).toEqual(
      expect.arrayContaining(["checklist.submit", "inspection.registered", "photo.upload"]),
    );
  });

  it("lets exactly one of two simultaneous submissions win", async () => {
    await getChecklist();
    await t.call(officerSession, "PUT", url(), { data: { i1__license: "pass" } });
    const data = await completeData();
    const results = await Promise.all([
      t.call(officerSession, "POST", `${url()}/submit`, { data }),
      t.call(officerSession, "POST", `${url()}/submit`, { data }),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
    expect(await status()).toBe("registered");
    const registered = await t.db.select().from(auditLog).where(eq(auditLog.action, "inspection.registered"));
    expect(registered).toHaveLength(1);
    expect(await t.db.select().from(auditLog).where(eq(auditLog.action, "checklist.submit"))).toHaveLength(1);
  });
});

describe("checklistSummary", () => {
  it("gives the enterprise items, results, requirements and deadlines, without photos or signatures", async () => {
    await getChecklist();
    expect(await checklistSummary(t.db, inspectionId)).toBeNull();
    const data = await completeData();
    await t.call(officerSession, "POST", `${url()}/submit`, { data });
    const summary = await checklistSummary(t.db, inspectionId);
    expect(summary!.items).toEqual([
      {
        code: "SC-101",
        name: "事项 SC-101",
        legalBasis: expect.stringContaining("《示例条例》"),
        result: "mixed",
        counts: { pass: 1, fail: 1, na: 0 },
        failures: [{ point: "台账是否齐全", requirement: "补齐进货台账", deadline: "2099-12-31" }],
      },
      {
        code: "SC-102",
        name: "事项 SC-102",
        legalBasis: expect.any(String),
        result: "na",
        counts: { pass: 0, fail: 0, na: 1 },
        failures: [],
      },
    ]);
    expect(typeof summary!.submittedAt).toBe("string");
    const text = JSON.stringify(summary);
    expect(text).not.toContain("base64");
    expect(text).not.toContain("/photos/");
    expect(text).not.toContain("王五");
  });
});

describe("photos", () => {
  it("accepts JPEG and PNG and serves them inert", async () => {
    const jpeg = await upload(JPEG_BYTES, "image/jpeg");
    expect(jpeg.status).toBe(201);
    const { id, url: photoUrl } = (await jpeg.json()) as Json;
    expect(photoUrl).toBe(`/api/inspections/${inspectionId}/photos/${id}`);
    const png = await upload(PNG_BYTES, "image/png");
    expect(png.status).toBe(201);

    const res = await t.call(officerSession, "GET", photoUrl);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("image/jpeg");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("content-disposition")).toBe(`inline; filename="${id}.jpg"`);
    expect(res.headers.get("cache-control")).toContain("private");
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(JPEG_BYTES);

    const [row] = await t.db.select().from(photos).where(eq(photos.id, id));
    expect(row!.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(row!.byteSize).toBe(JPEG_BYTES.length);
    const again = await upload(JPEG_BYTES, "image/jpeg");
    expect(again.status).toBe(200);
    expect(((await again.json()) as Json).id).toBe(id);
  });

  it("refuses bytes that are not the declared image type", async () => {
    const svg = new TextEncoder().encode(
      '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
    );
    const html = new TextEncoder().encode("<!doctype html><script>alert(1)</script>");
    expect((await upload(svg, "image/jpeg")).status).toBe(415);
    expect((await upload(html, "image/png")).status).toBe(415);
    expect((await upload(PNG_BYTES, "image/jpeg")).status).toBe(415);
    expect((await upload(JPEG_BYTES, "image/svg+xml")).status).toBe(415);
    expect((await upload(JPEG_BYTES, "text/html")).status).toBe(415);
    expect(await t.db.select().from(photos)).toHaveLength(0);
  });

  it("refuses more than 5 MB with 413, with or without Content-Length", async () => {
    const big = new Uint8Array(6 * 1024 * 1024);
    big.set(JPEG_BYTES.subarray(0, 4));
    expect((await upload(big, "image/jpeg")).status).toBe(413);
    const withLength = await t.app.request(`/api/inspections/${inspectionId}/photos`, {
      method: "POST",
      headers: {
        Cookie: officerSession.cookie,
        "X-CSRF-Token": officerSession.csrf,
        "Content-Type": "image/jpeg",
        "Content-Length": String(big.length),
      },
      body: new Uint8Array(big),
    });
    expect(withLength.status).toBe(413);
    const justUnder = new Uint8Array(5 * 1024 * 1024);
    justUnder.set(JPEG_BYTES.subarray(0, 4));
    expect((await upload(justUnder, "image/jpeg")).status).toBe(201);
  });

  it("needs the CSRF token like every write", async () => {
    const res = await t.app.request(`/api/inspections/${inspectionId}/photos`, {
      method: "POST",
      headers: { Cookie: officerSession.cookie, "Content-Type": "image/jpeg" },
      body: new Uint8Array(JPEG_BYTES),
    });
    expect(res.status).toBe(403);
  });

  it("answers 404 for a photo asked through another inspection", async () => {
    const a = await catalogItem(t, staff.departmentId, "SC-105", { checklistFormId: formA });
    const otherInspection = await approvedInspection([a]);
    const { id } = (await (await upload(JPEG_BYTES, "image/jpeg")).json()) as Json;
    const res = await t.call(officerSession, "GET", `/api/inspections/${otherInspection}/photos/${id}`);
    expect(res.status).toBe(404);
    const foreign = await t.login(other.officerLogin);
    expect((await t.call(foreign, "GET", `/api/inspections/${inspectionId}/photos/${id}`)).status).toBe(404);
    // Nor can the other inspection's checklist point at it.
    await getChecklist(officerSession, otherInspection);
    const save = await t.call(officerSession, "PUT", url(otherInspection), {
      data: {
        photos: [
          { name: "a.jpg", type: "image/jpeg", content: `/api/inspections/${inspectionId}/photos/${id}` },
        ],
      },
    });
    expect(save.status).toBe(400);
    const rows = await t.db
      .select()
      .from(photos)
      .where(and(eq(photos.inspectionId, otherInspection)));
    expect(rows).toHaveLength(0);
  });
});

describe("offline sync (issue 17): revisions, a retried submit, device clocks", () => {
  it("refuses a save based on an older revision with 409 and both versions", async () => {
    const { body } = await getChecklist();
    expect(body.revision).toBe(0);
    // Device one saves on revision 0 and gets revision 1.
    const first = await t.call(officerSession, "PUT", url(), {
      data: { inspection_place: "车间" },
      baseRevision: 0,
    });
    expect(first.status).toBe(200);
    expect((await first.json()).revision).toBe(1);
    // Device two, offline since revision 0, comes back with its own answers.
    const stale = await t.call(officerSession, "PUT", url(), {
      data: { inspection_place: "仓库" },
      baseRevision: 0,
    });
    expect(stale.status).toBe(409);
    const error = (await stale.json()).error;
    expect(error.code).toBe("stale_revision");
    expect(error.server).toMatchObject({ revision: 1, data: { inspection_place: "车间" } });
    expect(error.yours).toEqual({ baseRevision: 0, data: { inspection_place: "仓库" } });
    expect((await getChecklist()).body.data).toEqual({ inspection_place: "车间" });
    // After the merge, saved on the current revision.
    const merged = await t.call(officerSession, "PUT", url(), {
      data: { inspection_place: "仓库" },
      baseRevision: 1,
    });
    expect(merged.status).toBe(200);
    expect((await merged.json()).revision).toBe(2);
  });

  it("answers a retried submit with the same client id as the first, once, and refuses another id", async () => {
    await getChecklist();
    const data = await completeData();
    const clientId = "3f0a2a6e-8f8e-4a8e-9d6a-0c7c1c1b2a10";
    const first = await t.call(officerSession, "POST", `${url()}/submit`, { data, clientId });
    expect(first.status, await first.clone().text()).toBe(200);
    const again = await t.call(officerSession, "POST", `${url()}/submit`, { data, clientId });
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual(await first.json());
    const submits = await t.db.select().from(auditLog).where(eq(auditLog.action, "checklist.submit"));
    expect(submits).toHaveLength(1);
    const other = await t.call(officerSession, "POST", `${url()}/submit`, {
      data,
      clientId: "9b1d7a2e-1111-4c3a-8e2b-5f6a7b8c9d0e",
    });
    expect(other.status).toBe(409);
    expect((await other.json()).error.code).toBe("already_submitted");
  });

  it("keeps the device's and the server's times and flags a clock off by more than the limit", async () => {
    await getChecklist();
    const now = Date.now();
    const save = await t.call(officerSession, "PUT", url(), {
      data: { inspection_place: "车间" },
      deviceTime: new Date(now).toISOString(),
      location: { latitude: 36.67, longitude: 117.02, accuracy: 20 },
    });
    expect(save.status).toBe(200);
    let view = (await getChecklist()).body;
    expect(view.deviceTimes).toHaveLength(1);
    expect(view.deviceTimes[0]).toMatchObject({ event: "start", location: { latitude: 36.67 } });
    expect(view.clockSkewFlagged).toBe(false);
    // The phone's clock runs 20 minutes fast (the default limit is 5).
    const data = await completeData();
    const submit = await t.call(officerSession, "POST", `${url()}/submit`, {
      data,
      deviceTime: new Date(Date.now() + 20 * 60_000).toISOString(),
      happenedAt: new Date(now - 60_000).toISOString(),
    });
    expect(submit.status, await submit.clone().text()).toBe(200);
    view = (await getChecklist()).body;
    expect(view.deviceTimes.map((d: Json) => d.event)).toEqual(["start", "submit"]);
    expect(view.deviceTimes[1].skewMs).toBeGreaterThan(19 * 60_000);
    expect(view.deviceTimes[1].deviceAt).toBe(new Date(now - 60_000).toISOString());
    expect(view.clockSkewFlagged).toBe(true);
  });
});

describe("offline photos (issue 17): one photo per client id", () => {
  const clientId = "5c1e9a4b-2d7f-4e8a-9b3c-6f0d1e2a3b4c";
  function uploadAs(bytes: Uint8Array, headers: Record<string, string>, query = "") {
    return t.app.request(`/api/inspections/${inspectionId}/photos${query}`, {
      method: "POST",
      headers: {
        Cookie: officerSession.cookie,
        "X-CSRF-Token": officerSession.csrf,
        "Content-Type": "image/jpeg",
        ...headers,
      },
      body: new Uint8Array(bytes),
    });
  }
  const rows = () => t.db.select().from(photos).where(eq(photos.inspectionId, inspectionId));

  it("stores a photo uploaded twice with the same client id once and answers the first", async () => {
    const first = await uploadAs(JPEG_BYTES, { "X-Client-Id": clientId });
    expect(first.status).toBe(201);
    const again = await uploadAs(JPEG_BYTES, {}, `?clientId=${clientId}`);
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual(await first.json());
    const stored = await rows();
    expect(stored).toHaveLength(1);
    expect(stored[0]!.clientId).toBe(clientId);
  });

  it("settles simultaneous uploads of one client id on one row", async () => {
    const answers = await Promise.all(
      [1, 2, 3, 4].map(() => uploadAs(JPEG_BYTES, { "X-Client-Id": clientId })),
    );
    expect(answers.map((r) => r.status).sort()).toEqual([200, 200, 200, 201]);
    const ids = new Set(await Promise.all(answers.map(async (r) => ((await r.json()) as Json).id)));
    expect(ids.size).toBe(1);
    expect(await rows()).toHaveLength(1);
    const audits = await t.db.select().from(auditLog).where(eq(auditLog.action, "photo.upload"));
    expect(audits).toHaveLength(1);
  });

  it("refuses other bytes under a client id already used, with 409 in Chinese", async () => {
    expect((await uploadAs(JPEG_BYTES, { "X-Client-Id": clientId })).status).toBe(201);
    const other = await uploadAs(PNG_BYTES, { "X-Client-Id": clientId, "Content-Type": "image/png" });
    expect(other.status).toBe(409);
    const error = ((await other.json()) as Json).error;
    expect(error.code).toBe("client_id_conflict");
    expect(error.message).toMatch(/照片编号/);
    expect(await rows()).toHaveLength(1);
  });

  it("refuses a client id that is not a UUID, and two different ones, with 400 in Chinese", async () => {
    for (const [headers, query] of [
      [{ "X-Client-Id": "photo-1" }, ""],
      [{}, "?clientId=1234"],
      [{ "X-Client-Id": clientId }, "?clientId=9b1d7a2e-1111-4c3a-8e2b-5f6a7b8c9d0e"],
    ] as const) {
      const res = await uploadAs(JPEG_BYTES, headers, query);
      expect(res.status).toBe(400);
      expect(((await res.json()) as Json).error.message).toMatch(/照片.*编号|UUID/);
    }
    expect(await rows()).toHaveLength(0);
  });

  it("refuses answers naming a photo still on the phone (its placeholder), storing nothing", async () => {
    await getChecklist();
    const save = await t.call(officerSession, "PUT", url(), {
      data: { photos: [{ name: "离线.jpg", type: "image/jpeg", content: `lianma-photo:${clientId}` }] },
    });
    expect(save.status).toBe(400);
    expect(((await save.json()) as Json).error.message).toContain("照片须先通过本检查的照片上传接口上传");
    expect((await getChecklist()).body.data).toEqual({});
  });

  it("keeps the photo's device time beside the server's, flags a skewed clock, and keeps the revision", async () => {
    await getChecklist();
    const taken = new Date(Date.now() - 3_600_000).toISOString();
    const res = await uploadAs(JPEG_BYTES, {
      "X-Client-Id": clientId,
      "X-Device-Time": new Date(Date.now() + 20 * 60_000).toISOString(),
      "X-Happened-At": taken,
    });
    expect(res.status).toBe(201);
    // The retry records nothing more.
    await uploadAs(JPEG_BYTES, { "X-Client-Id": clientId, "X-Device-Time": new Date().toISOString() });
    const view = (await getChecklist()).body;
    expect(view.deviceTimes).toHaveLength(1);
    expect(view.deviceTimes[0]).toMatchObject({ event: "photo", deviceAt: taken });
    expect(view.deviceTimes[0].skewMs).toBeGreaterThan(19 * 60_000);
    expect(view.clockSkewFlagged).toBe(true);
    expect(view.revision).toBe(0);
    const bad = await uploadAs(PNG_BYTES, { "Content-Type": "image/png", "X-Device-Time": "yesterday" });
    expect(bad.status).toBe(400);
  });
});
