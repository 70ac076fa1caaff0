import { eq } from "drizzle-orm";
import { catalogItems, departments, enterprises, forms, formVersions, officers } from "../src/db/schema.ts";
import { newId } from "../src/lib/ids.ts";
import type { Session, TestApp } from "./helpers.ts";

let serial = 0;
const next = () => ++serial;

/** Inserts a listed department with an administrator and officer logins, ready to file. */
export async function departmentWithStaff(t: TestApp, code: string, opts: { listed?: boolean } = {}) {
  const departmentId = await t.department(code, `${code}局`);
  if (opts.listed === false) {
    await t.db.update(departments).set({ listed: false }).where(eq(departments.id, departmentId));
  }
  await t.user(`${code}-head`, "dept_admin", departmentId);
  const officerUserId = await t.user(`${code}-officer`, "officer", departmentId);
  const a = await officer(t, departmentId, { userId: officerUserId, name: `${code}甲` });
  const b = await officer(t, departmentId, { name: `${code}乙` });
  const helper = await officer(t, departmentId, { name: `${code}辅`, isHelper: true });
  const item = await catalogItem(t, departmentId, `${code.toUpperCase()}-001`);
  return {
    departmentId,
    officerIds: [a, b],
    helperId: helper,
    itemId: item,
    head: `${code}-head`,
    officerLogin: `${code}-officer`,
  };
}

export async function officer(
  t: TestApp,
  departmentId: string,
  o: {
    name?: string;
    userId?: string;
    isHelper?: boolean;
    issued?: string;
    expires?: string;
    status?: "active" | "suspended";
  } = {},
) {
  const id = newId();
  const now = Date.now();
  await t.db.insert(officers).values({
    id,
    departmentId,
    userId: o.userId ?? null,
    name: o.name ?? `执法${next()}`,
    isHelper: o.isHelper ?? false,
    credentialNo: o.isHelper ? null : `3701${String(next()).padStart(6, "0")}`,
    credentialIssuedOn: o.isHelper ? null : (o.issued ?? "2020-01-01"),
    credentialExpiresOn: o.isHelper ? null : (o.expires ?? "2099-12-31"),
    status: o.status ?? "active",
    createdAt: now,
    updatedAt: now,
  });
  return id;
}

export async function catalogItem(
  t: TestApp,
  departmentId: string,
  code: string,
  o: { yearlyCap?: number; status?: "active" | "retired"; checklistFormId?: string } = {},
) {
  const id = newId();
  const now = Date.now();
  await t.db.insert(catalogItems).values({
    id,
    code,
    departmentId,
    name: `事项 ${code}`,
    legalBasis: `《示例条例》第${next()}条`,
    method: "现场检查",
    yearlyCap: o.yearlyCap ?? null,
    checklistFormId: o.checklistFormId ?? null,
    status: o.status ?? "active",
    createdAt: now,
    updatedAt: now,
  });
  return id;
}

/**
 * A checklist form published as `version` (rows as the form routes leave them): version 1 creates the
 * form, a later version of an existing `id` publishes over it.
 */
export async function publishedChecklist(
  t: TestApp,
  schema: Record<string, unknown>,
  o: { id?: string; version?: number; title?: string } = {},
) {
  const { id = newId(), version = 1, title = "检查表" } = o;
  const now = Date.now();
  if (version === 1) {
    await t.db.insert(forms).values({
      id,
      kind: "checklist",
      title,
      draftSchema: JSON.stringify(schema),
      status: "published",
      latestVersion: 1,
      publishedVersion: 1,
      createdAt: now,
      updatedAt: now,
    });
  } else {
    await t.db
      .update(forms)
      .set({ latestVersion: version, publishedVersion: version })
      .where(eq(forms.id, id));
  }
  await t.db
    .insert(formVersions)
    .values({ formId: id, version, title, schema: JSON.stringify(schema), publishedAt: now });
  return id;
}

export async function enterprise(t: TestApp, name = "济南示例有限公司") {
  const id = newId();
  const now = Date.now();
  await t.db.insert(enterprises).values({
    id,
    creditCode: `91370100MA${String(next()).padStart(7, "0")}X`.slice(0, 18),
    name,
    district: "历下区",
    createdAt: now,
    updatedAt: now,
  });
  return id;
}

const DAY = 86_400_000;
/** A planned window `daysAhead` days from now, two hours long. */
export function window(daysAhead: number) {
  const start = Date.now() + daysAhead * DAY;
  return {
    plannedStart: new Date(start).toISOString(),
    plannedEnd: new Date(start + 2 * 3_600_000).toISOString(),
  };
}

/** The join request (R18) of `inspectionId` that `session` (an administrator) finds pending. */
export async function pendingJoinRequest(t: TestApp, session: Session, inspectionId: string) {
  const res = await t.call(session, "GET", "/api/join-requests");
  const body = (await res.json()) as { items: { id: string; inspectionId: string; awaiting: string[] }[] };
  const found = body.items.find((r) => r.inspectionId === inspectionId);
  if (!found) throw new Error(`no pending join request for ${inspectionId}: ${JSON.stringify(body)}`);
  return found;
}

/** Gives the consent of `session`'s side to the pending join request of the inspection; expects 200. */
export async function consentToJoin(
  t: TestApp,
  session: Session,
  inspectionId: string,
  side: "accept" | "approve",
) {
  const request = await pendingJoinRequest(t, session, inspectionId);
  const res = await t.call(session, "POST", `/api/join-requests/${request.id}/${side}`);
  if (res.status !== 200) throw new Error(`${side}: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { request: { status: string } }).request;
}
