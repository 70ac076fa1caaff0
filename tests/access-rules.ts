/**
 * The access-control rules of every /api route, and the world they are checked against
 * (tests/access-matrix.test.ts). One entry per `METHOD /path` of the app's route table: a route added
 * to the app without an entry here fails the matrix, so every new route gets an explicit decision.
 *
 * Outcome classes: "ok" (2xx), "pass" (authorised: anything but 401/403/404 and 5xx — a write may
 * still be refused for its body or state with 400/409/422), or the exact denial 401, 403 or 404.
 * `{ own, other }` gives the outcome for a record of the user's own department and of another one.
 */
import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { alerts, joinRequests } from "../src/db/schema.ts";
import { insertAction, insertEvidence } from "./action-fixtures.ts";
import { enterpriseSession } from "./enterprise-fixtures.ts";
import { makeInspection, NEGATIVE, postEvaluation } from "./evaluation-fixtures.ts";
import { PASSWORD, SAMPLE_SCHEMA, seedDemoForms, type Session, type TestApp } from "./helpers.ts";
import { catalogItem, enterprise, officer } from "./inspection-fixtures.ts";

export type Role = "anonymous" | "admin" | "supervisor" | "dept_admin" | "officer";
/**
 * Who calls: a staff role, anonymous, or an enterprise signed in as itself (issue 13) — the world's
 * enterprise, whose inspections both departments filed. Unless a rule names it, an enterprise gets
 * what anonymous gets: its session counts for nothing on staff routes.
 */
export type CallerRole = Role | "enterprise";
export type Outcome = "ok" | "pass" | 401 | 403 | 404;
export type Expect = Outcome | { own: Outcome; other: Outcome };

/** The records of one department that path parameters and bodies point at. */
export interface DeptWorld {
  id: string;
  code: string;
  officerIds: string[];
  itemId: string;
  formId: string;
  /** A second form for publish/unpublish/archive/restore, so they do not close the first one. */
  lifecycleFormId: string;
  responseId: string;
  /** In progress, with a generated checklist and a photo. */
  liveInspectionId: string;
  liveCode: string;
  photoId: string;
  /** Evaluated negatively: an evaluation and an alert. */
  evaluatedInspectionId: string;
  evaluationId: string;
  alertId: string;
  officerUserId: string;
  deptAdminUserId: string;
  /** A draft sampling task and one drawn and published (public). */
  samplingTaskId: string;
  publishedSamplingTaskId: string;
  conflictId: string;
  plannedTaskId: string;
  /** Pending join requests (R18): of a third department on this one's inspection, and of this one on a third's. */
  leadJoinRequestId: string;
  askedJoinRequestId: string;
  /** A corrective action of the world's enterprise on this department's item, with an evidence file. */
  actionId: string;
  evidenceId: string;
  /** A supervision case (issue 16) sent to the department, with one self-inspection attachment. */
  caseId: string;
  caseAttachmentId: string;
}

export interface World {
  A: DeptWorld;
  B: DeptWorld;
  enterpriseId: string;
  /** An inspection of another enterprise, which the signed-in enterprise must not reach. */
  otherEnterpriseInspectionId: string;
  /** A corrective action (with an evidence file) of another enterprise, which the signed-in one must not reach. */
  otherEnterpriseActionId: string;
  otherEnterpriseEvidenceId: string;
  adminUserId: string;
  /** Makes a fresh record of a department, for routes that delete theirs. */
  fresh: {
    conflict(d: DeptWorld): Promise<string>;
    plannedTask(d: DeptWorld): Promise<string>;
  };
}

/** What a request builder gets: the department whose record is reached, and the user's own. */
export interface Target {
  dept: DeptWorld;
  mine: DeptWorld;
  world: World;
}

export interface RouteRequest {
  query?: string;
  /** JSON body. */
  body?: unknown;
  /** A non-JSON body with its media type (uploads, imports). */
  raw?: { type: string; bytes: Uint8Array | string };
}

export interface AccessRule {
  /** true: the request reaches a department's record (checked for own and other department). */
  scoped: boolean;
  /** The fixture each path parameter names. */
  params?: Record<string, (d: DeptWorld, w: World) => string | Promise<string>>;
  request?: (t: Target) => RouteRequest;
  expect: Record<Role, Expect> & { enterprise?: Expect };
  /** Runs after the other routes: it changes what they rely on. */
  last?: boolean;
  /**
   * The own/other variants differ only in a department filter of a list: asked for another
   * department, the answer may be empty or refused, but must not hold that department's records.
   */
  listFilter?: boolean;
  /** Records of the other department the answer may name by design (say why at the rule). */
  mayName?: (keyof DeptWorld)[];
  /** Ends the caller's session (login rotates it, logout ends it): each case logs in afresh. */
  endsSession?: boolean;
}

/** A JPEG as far as the server can tell (magic bytes), for photo uploads. */
export const JPEG = new Uint8Array([
  0xff, 0xd8, 0xff, 0xe0, 0, 16, 74, 70, 73, 70, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0,
]);

let serial = 0;
const unique = (prefix: string) => `${prefix}${++serial}${Date.now().toString(36)}`;

// ---- expectation shorthands ----

const everyone = (o: Outcome): Record<Role, Expect> => ({
  anonymous: o,
  admin: o,
  supervisor: o,
  dept_admin: o,
  officer: o,
});
const ANY_USER: Record<Role, Expect> = { ...everyone("ok"), anonymous: 401 };
const BUREAU: Record<Role, Expect> = { ...everyone(403), anonymous: 401, admin: "ok", supervisor: "ok" };
const BUREAU_WRITE: Record<Role, Expect> = { ...BUREAU, admin: "pass", supervisor: "pass" };
const ADMIN_ONLY: Record<Role, Expect> = { ...everyone(403), anonymous: 401, admin: "pass" };
const OWN_OK = { own: "ok", other: 404 } as const;
const OWN_PASS = { own: "pass", other: 404 } as const;
/** Forms: read by administrators, supervisors and the owning department's administrator. */
const FORM_READ: Record<Role, Expect> = {
  anonymous: 401,
  admin: "ok",
  supervisor: "ok",
  dept_admin: OWN_OK,
  officer: 403,
};
const FORM_WRITE: Record<Role, Expect> = {
  anonymous: 401,
  admin: "pass",
  supervisor: 403,
  dept_admin: OWN_PASS,
  officer: 403,
};
/** Inspections: read by the bureau and the participating departments' users. */
const INSPECTION_READ: Record<Role, Expect> = {
  anonymous: 401,
  admin: "ok",
  supervisor: "ok",
  dept_admin: OWN_OK,
  officer: OWN_OK,
};
/** Acting on a visit (checklist, photos): administrators, the department's administrator, its officers on it. */
const INSPECTION_ACT: Record<Role, Expect> = {
  anonymous: 401,
  admin: "pass",
  supervisor: 403,
  dept_admin: OWN_PASS,
  officer: OWN_PASS,
};
const INSPECTION_DECIDE: Record<Role, Expect> = { ...INSPECTION_ACT, officer: 403 };
/** The inspection code: the officers on the visit and the lead department's administrator (issue 14 #14). */
const INSPECTION_CODE: Record<Role, Expect> = { ...INSPECTION_READ, admin: 403, supervisor: 403 };
/** Directory records of a department: any user reads their own department's, the bureau all. */
const DIRECTORY_READ: Record<Role, Expect> = INSPECTION_READ;
/** Changing a department's directory record by id: administrators, or that department's administrator. */
const DIRECTORY_PATCH: Record<Role, Expect> = { ...FORM_WRITE };
/** Creating a record for a department named in the body: another department is forbidden (403). */
const DIRECTORY_CREATE: Record<Role, Expect> = { ...FORM_WRITE, dept_admin: { own: "pass", other: 403 } };

/** Dashboard figures for the department named in the query. */
const DASHBOARD: AccessRule = {
  scoped: true,
  request: ({ dept }) => ({ query: `departmentId=${dept.id}` }),
  expect: { ...BUREAU, dept_admin: { own: "ok", other: 403 } },
};

const form = (d: DeptWorld) => d.formId;

const DAY = 86_400_000;
const day = (offset: number) => new Date(Date.now() + offset * DAY).toISOString().slice(0, 10);
function plannedWindow() {
  const start = Date.now() + 20 * DAY;
  return {
    plannedStart: new Date(start).toISOString(),
    plannedEnd: new Date(start + 7_200_000).toISOString(),
  };
}
function samplingTaskBody(d: DeptWorld) {
  return {
    name: "双随机抽查",
    departmentIds: [d.id],
    itemIds: [d.itemId],
    periodFrom: day(1),
    periodTo: day(20),
  };
}
function plannedTaskBody(d: DeptWorld, w: World) {
  return { enterpriseId: w.enterpriseId, kind: "routine", itemIds: [d.itemId], ...plannedWindow() };
}
const live = (d: DeptWorld) => d.liveInspectionId;
/** For the enterprise's routes: "own" is its inspection (department A's), "other" another enterprise's. */
const enterpriseInspection = (d: DeptWorld, w: World) =>
  d === w.A ? w.A.liveInspectionId : w.otherEnterpriseInspectionId;
const enterpriseAction = (d: DeptWorld, w: World) => (d === w.A ? w.A.actionId : w.otherEnterpriseActionId);
const enterpriseEvidence = (d: DeptWorld, w: World) =>
  d === w.A ? w.A.evidenceId : w.otherEnterpriseEvidenceId;
/** Reviewing a corrective action: the item's department (its officers and administrator) and administrators. */
const ACTION_REVIEW: Record<Role, Expect> = { ...INSPECTION_ACT };

/** The rule of every /api route, keyed `METHOD /path` as in the app's route table. */
export const ACCESS_RULES: Record<string, AccessRule> = {
  // ---- auth ----
  "POST /api/auth/login": {
    scoped: false,
    request: () => ({ body: { username: "matrix-login", password: PASSWORD } }),
    expect: everyone("ok"),
    endsSession: true,
  },
  "POST /api/auth/logout": { scoped: false, expect: everyone("ok"), endsSession: true },
  "GET /api/auth/me": { scoped: false, expect: ANY_USER },
  "GET /api/openapi.json": { scoped: false, expect: everyone("ok") },

  // ---- enterprise (issue 13): the enterprise's own session only; staff sessions never count ----
  "GET /api/enterprise/me": { scoped: false, expect: { ...everyone(401), enterprise: "ok" } },
  "POST /api/enterprise/logout": {
    scoped: false,
    expect: { ...everyone(401), enterprise: "ok" },
    endsSession: true,
  },
  "GET /api/enterprise/inspections": { scoped: false, expect: { ...everyone(401), enterprise: "ok" } },
  "GET /api/enterprise/inspections/:id": {
    scoped: true,
    params: { id: enterpriseInspection },
    expect: { ...everyone(401), enterprise: OWN_OK },
  },
  "POST /api/enterprise/inspections/:id/confirm-arrival": {
    scoped: true,
    params: { id: enterpriseInspection },
    expect: { ...everyone(401), enterprise: OWN_PASS },
  },
  // An empty body: the ownership check (404) comes before the body's (400).
  "POST /api/enterprise/inspections/:id/evaluation": {
    scoped: true,
    params: { id: enterpriseInspection },
    request: () => ({ body: {} }),
    expect: { ...everyone(401), enterprise: OWN_PASS },
  },
  // Complaints and 回避 (issue 13): the enterprise's own; an empty body is refused after the session check.
  "GET /api/enterprise/complaints": { scoped: false, expect: { ...everyone(401), enterprise: "ok" } },
  "POST /api/enterprise/complaints": {
    scoped: false,
    request: () => ({ body: {} }),
    expect: { ...everyone(401), enterprise: "pass" },
  },
  "GET /api/enterprise/departments": { scoped: false, expect: { ...everyone(401), enterprise: "ok" } },
  "POST /api/enterprise/inspections/:id/avoidance": {
    scoped: true,
    params: { id: enterpriseInspection },
    request: () => ({ body: {} }),
    expect: { ...everyone(401), enterprise: OWN_PASS },
  },
  // Corrective actions (issue 15): the enterprise's own, evidence checked after ownership.
  "GET /api/enterprise/actions": { scoped: false, expect: { ...everyone(401), enterprise: "ok" } },
  "POST /api/enterprise/actions/:id/evidence": {
    scoped: true,
    params: { id: enterpriseAction },
    request: () => ({ raw: { type: "image/jpeg", bytes: JPEG } }),
    expect: { ...everyone(401), enterprise: OWN_PASS },
  },
  // Submits the enterprise's own action (the body is checked before ownership, so it must be valid).
  "POST /api/enterprise/actions/:id/submit": {
    scoped: true,
    params: { id: enterpriseAction },
    request: () => ({ body: { statement: "已按要求整改" } }),
    expect: { ...everyone(401), enterprise: OWN_PASS },
    last: true,
  },
  "GET /api/enterprise/actions/:id/evidence/:evidenceId": {
    scoped: true,
    params: { id: enterpriseAction, evidenceId: enterpriseEvidence },
    expect: { ...everyone(401), enterprise: OWN_OK },
  },
  // Signing in: open to anyone, and a staff session signs no one in as an enterprise. A matrix request
  // names an unknown credit code / token, so it is 202 for the code and 401 for login and activation.
  "POST /api/public/enterprise/code": {
    scoped: false,
    request: () => ({ body: { creditCode: "91370100MA9999999X" } }),
    expect: everyone("pass"),
  },
  "POST /api/public/enterprise/login": {
    scoped: false,
    request: () => ({ body: { creditCode: "91370100MA9999999X", code: "123456" } }),
    expect: everyone(401),
  },
  "POST /api/public/enterprise/activate": {
    scoped: false,
    request: () => ({ body: { token: "AAAAA-BBBBB-CCCCC-DDDDD" } }),
    expect: everyone(401),
  },
  // Activation letters: the enterprise directory is the administrator's.
  "POST /api/enterprises/activation-letters": {
    scoped: false,
    request: ({ world }) => ({ body: { enterpriseIds: [world.enterpriseId] } }),
    expect: ADMIN_ONLY,
  },

  // ---- directory ----
  // Refused after the access check (wrong current password), so the matrix's logins keep working.
  "POST /api/auth/password": {
    scoped: false,
    request: () => ({ body: { currentPassword: "not-the-password", newPassword: "another-password-123" } }),
    expect: { ...everyone("pass"), anonymous: 401 },
  },
  "GET /api/departments": { scoped: false, expect: ANY_USER },
  "POST /api/departments": {
    scoped: false,
    request: () => ({ body: { code: unique("D"), name: unique("部门") } }),
    expect: ADMIN_ONLY,
  },
  "PATCH /api/departments/:id": {
    scoped: true,
    params: { id: (d) => d.id },
    request: ({ dept }) => ({ body: { name: `${dept.code} 部门` } }),
    expect: ADMIN_ONLY,
  },
  "GET /api/users": {
    scoped: false,
    expect: { ...everyone(403), anonymous: 401, admin: "ok", dept_admin: "ok" },
  },
  "POST /api/users": {
    scoped: true,
    request: ({ dept }) => ({
      body: {
        username: unique("u"),
        displayName: "新执法人员",
        password: PASSWORD,
        role: "officer",
        departmentId: dept.id,
      },
    }),
    expect: DIRECTORY_CREATE,
  },
  "PATCH /api/users/:id": {
    scoped: true,
    params: { id: (d) => d.officerUserId },
    request: ({ dept }) => ({ body: { displayName: `${dept.code}-officer` } }),
    expect: DIRECTORY_PATCH,
  },
  "GET /api/officers": {
    scoped: true,
    listFilter: true,
    request: ({ dept }) => ({ query: `department=${dept.id}` }),
    expect: ANY_USER,
  },
  "GET /api/officers/:id": { scoped: true, params: { id: (d) => d.officerIds[1]! }, expect: DIRECTORY_READ },
  "POST /api/officers": {
    scoped: true,
    request: ({ dept }) => ({ body: { name: "新增执法", departmentId: dept.id, isHelper: true } }),
    expect: DIRECTORY_CREATE,
  },
  "PATCH /api/officers/:id": {
    scoped: true,
    params: { id: (d) => d.officerIds[1]! },
    request: () => ({ body: { name: "执法乙" } }),
    expect: DIRECTORY_PATCH,
  },
  // Enterprises are one register shared by every department.
  "GET /api/enterprises": { scoped: false, expect: ANY_USER },
  "GET /api/enterprises/:id": { scoped: false, params: { id: (_d, w) => w.enterpriseId }, expect: ANY_USER },
  "POST /api/enterprises": {
    scoped: false,
    request: () => ({ body: { creditCode: "not-a-code", name: "某公司" } }),
    expect: { ...everyone(403), anonymous: 401, admin: "pass", dept_admin: "pass" },
  },
  "PATCH /api/enterprises/:id": {
    scoped: false,
    params: { id: (_d, w) => w.enterpriseId },
    request: () => ({ body: { district: "历下区" } }),
    expect: { ...everyone(403), anonymous: 401, admin: "pass", dept_admin: "pass" },
  },
  "POST /api/enterprises/import": {
    scoped: false,
    request: () => ({
      query: "dryRun=1",
      raw: { type: "text/csv", bytes: "统一社会信用代码,企业名称\n91370100MA3C0000X1,济南示例\n" },
    }),
    expect: { ...everyone(403), anonymous: 401, admin: "pass", dept_admin: "pass" },
  },

  // ---- catalog ----
  "GET /api/catalog/items": {
    scoped: true,
    listFilter: true,
    request: ({ dept }) => ({ query: `department=${dept.id}` }),
    expect: ANY_USER,
  },
  "GET /api/catalog/items/:id": { scoped: true, params: { id: (d) => d.itemId }, expect: DIRECTORY_READ },
  "POST /api/catalog/items": {
    scoped: true,
    request: ({ dept }) => ({
      body: { code: unique("X-"), departmentId: dept.id, name: "新事项", legalBasis: "《条例》第一条" },
    }),
    expect: DIRECTORY_CREATE,
  },
  "PATCH /api/catalog/items/:id": {
    scoped: true,
    params: { id: (d) => d.itemId },
    request: () => ({ body: { method: "现场检查" } }),
    expect: DIRECTORY_PATCH,
  },
  "GET /api/public/catalog": { scoped: false, expect: everyone("ok") },

  // ---- forms, responses, sharing ----
  "GET /api/forms": { scoped: false, expect: { ...FORM_READ, dept_admin: "ok" } },
  "POST /api/forms": {
    scoped: true,
    request: ({ dept }) => ({ body: { title: "新表单", kind: "survey", departmentId: dept.id } }),
    expect: { ...DIRECTORY_CREATE },
  },
  "GET /api/forms/:id": { scoped: true, params: { id: form }, expect: FORM_READ },
  "PUT /api/forms/:id": {
    scoped: true,
    params: { id: form },
    request: () => ({ body: { description: "说明" } }),
    expect: FORM_WRITE,
  },
  "POST /api/forms/:id/publish": {
    scoped: true,
    params: { id: (d) => d.lifecycleFormId },
    expect: FORM_WRITE,
  },
  "POST /api/forms/:id/unpublish": {
    scoped: true,
    params: { id: (d) => d.lifecycleFormId },
    expect: FORM_WRITE,
  },
  "POST /api/forms/:id/resume": {
    scoped: true,
    params: { id: (d) => d.lifecycleFormId },
    expect: FORM_WRITE,
  },
  "POST /api/forms/:id/archive": {
    scoped: true,
    params: { id: (d) => d.lifecycleFormId },
    expect: FORM_WRITE,
  },
  "POST /api/forms/:id/restore": {
    scoped: true,
    params: { id: (d) => d.lifecycleFormId },
    expect: FORM_WRITE,
  },
  "GET /api/forms/:id/versions": { scoped: true, params: { id: form }, expect: FORM_READ },
  "GET /api/forms/:id/versions/:n": { scoped: true, params: { id: form, n: () => "1" }, expect: FORM_READ },
  "GET /api/forms/:id/responses": { scoped: true, params: { id: form }, expect: FORM_READ },
  "GET /api/forms/:id/responses/:rid": {
    scoped: true,
    params: { id: form, rid: (d) => d.responseId },
    expect: FORM_READ,
  },
  "GET /api/forms/:id/responses.csv": { scoped: true, params: { id: form }, expect: FORM_READ },
  "GET /api/forms/:id/responses.xlsx": { scoped: true, params: { id: form }, expect: FORM_READ },
  "GET /api/forms/:id/share": { scoped: true, params: { id: form }, expect: FORM_READ },
  "GET /api/forms/:id/qr.png": { scoped: true, params: { id: form }, expect: FORM_READ },
  "GET /api/forms/:id/qr.svg": { scoped: true, params: { id: form }, expect: FORM_READ },
  // Anonymous by design: anyone with the link fills in a published form.
  "GET /api/public/forms/:id": {
    scoped: false,
    params: { id: (_d, w) => w.A.formId },
    expect: everyone("ok"),
  },
  "POST /api/public/forms/:id/responses": {
    scoped: false,
    params: { id: (_d, w) => w.A.formId },
    request: () => ({ body: { id: randomUUID(), version: 1, data: { name: "某人", rating: "good" } } }),
    expect: everyone("ok"),
  },

  // ---- inspections ----
  "GET /api/inspections": { scoped: false, expect: ANY_USER },
  // Filing is for department users; joint departments are named in the body, checked by the rules.
  "POST /api/inspections": {
    scoped: false,
    request: ({ mine, world }) => ({
      body: {
        enterpriseId: world.enterpriseId,
        type: "routine",
        plannedStart: new Date(Date.now() + 86_400_000).toISOString(),
        plannedEnd: new Date(Date.now() + 90_000_000).toISOString(),
        officerIds: ["no-such-officer"],
        itemIds: [mine.itemId],
      },
    }),
    expect: { ...everyone(403), anonymous: 401, dept_admin: "pass", officer: "pass" },
  },
  "GET /api/inspections/:id": { scoped: true, params: { id: live }, expect: INSPECTION_READ },
  "POST /api/inspections/:id/approve": { scoped: true, params: { id: live }, expect: INSPECTION_DECIDE },
  "POST /api/inspections/:id/refuse": {
    scoped: true,
    params: { id: live },
    request: () => ({ body: { reason: "材料不全" } }),
    expect: INSPECTION_DECIDE,
  },
  "POST /api/inspections/:id/close": {
    scoped: true,
    params: { id: (d) => d.evaluatedInspectionId },
    request: () => ({ body: { note: "办结" } }),
    expect: INSPECTION_DECIDE,
    last: true,
  },
  // Arrival: an officer on the inspection (its department's officer is); nobody else.
  "POST /api/inspections/:id/arrive": {
    scoped: true,
    params: { id: live },
    request: () => ({ body: {} }),
    expect: {
      anonymous: 401,
      admin: 403,
      supervisor: 403,
      dept_admin: { own: 403, other: 404 },
      officer: { own: "pass", other: 404 },
    },
  },
  // Withdrawal: the filer or the lead department's administrator (the live visit has started: 409).
  // 回避 (issue 13): staff who read the visit see the requests; only the lead department's
  // administrator answers (the bureau does not act in a department's name). An empty body: 400 after
  // the access check.
  "GET /api/inspections/:id/avoidance": { scoped: true, params: { id: live }, expect: INSPECTION_READ },
  "POST /api/inspections/:id/avoidance/:requestId": {
    scoped: true,
    params: { id: live, requestId: () => "matrix-request" },
    request: () => ({ body: {} }),
    expect: {
      anonymous: 401,
      admin: 403,
      supervisor: 403,
      dept_admin: { own: "pass", other: 404 },
      officer: { own: 403, other: 404 },
    },
  },
  "POST /api/inspections/:id/cancel": {
    scoped: true,
    params: { id: live },
    request: () => ({ body: { reason: "企业停业" } }),
    expect: {
      anonymous: 401,
      admin: 403,
      supervisor: 403,
      dept_admin: { own: "pass", other: 404 },
      officer: { own: 403, other: 404 },
    },
  },
  // Another department joins a filing it cannot read yet: that is what the route is for (R5).
  "POST /api/inspections/:id/join-request": {
    scoped: true,
    params: { id: live },
    request: ({ mine }) => ({ body: { officerIds: mine.officerIds.slice(0, 2), itemIds: [mine.itemId] } }),
    expect: { ...everyone(403), anonymous: 401, dept_admin: "pass", officer: "pass" },
  },
  "GET /api/inspections/:id/join-requests": { scoped: true, params: { id: live }, expect: INSPECTION_READ },
  // Pending requests of the two departments concerned; the bureau sees all, decides none.
  "GET /api/join-requests": {
    scoped: false,
    expect: { ...everyone("ok"), anonymous: 401, officer: 403 },
  },
  "POST /api/join-requests/:id/accept": {
    scoped: true,
    params: { id: (d) => d.leadJoinRequestId },
    expect: { ...everyone(403), anonymous: 401, dept_admin: OWN_PASS },
  },
  "POST /api/join-requests/:id/approve": {
    scoped: true,
    params: { id: (d) => d.askedJoinRequestId },
    expect: { ...everyone(403), anonymous: 401, dept_admin: OWN_PASS },
  },
  "POST /api/join-requests/:id/refuse": {
    scoped: true,
    params: { id: (d) => d.leadJoinRequestId },
    request: () => ({ body: { reason: "不涉及" } }),
    expect: { ...everyone(403), anonymous: 401, dept_admin: OWN_PASS },
    last: true,
  },
  // The code shows a visit to the enterprise: the officers on it and the lead's administrator only.
  "GET /api/inspections/:id/code": { scoped: true, params: { id: live }, expect: INSPECTION_CODE },
  "GET /api/inspections/:id/qr.png": { scoped: true, params: { id: live }, expect: INSPECTION_CODE },
  "GET /api/inspections/:id/qr.svg": { scoped: true, params: { id: live }, expect: INSPECTION_CODE },
  "GET /api/inspections/:id/checklist": { scoped: true, params: { id: live }, expect: INSPECTION_READ },
  "PUT /api/inspections/:id/checklist": {
    scoped: true,
    params: { id: live },
    request: () => ({ body: { data: {} } }),
    expect: INSPECTION_ACT,
  },
  "POST /api/inspections/:id/checklist/submit": {
    scoped: true,
    params: { id: live },
    // Incomplete on purpose: refused after the access check (400), so the checklist stays open.
    request: () => ({ body: { data: {} } }),
    expect: INSPECTION_ACT,
  },
  "POST /api/inspections/:id/photos": {
    scoped: true,
    params: { id: live },
    request: () => ({ raw: { type: "image/jpeg", bytes: JPEG } }),
    expect: INSPECTION_ACT,
  },
  "GET /api/inspections/:id/photos/:photoId": {
    scoped: true,
    params: { id: live, photoId: (d) => d.photoId },
    expect: INSPECTION_READ,
  },
  // Official documents (issue 17): readers of the inspection, except officers not on it (the live
  // inspection is approved and in progress, so its notice exists; its officer login is on it).
  "GET /api/inspections/:id/documents": { scoped: true, params: { id: live }, expect: INSPECTION_READ },
  "GET /api/inspections/:id/documents/:kind": {
    scoped: true,
    params: { id: live, kind: () => "notice" },
    expect: INSPECTION_READ,
  },
  "GET /api/enterprise/inspections/:id/documents/:kind": {
    scoped: true,
    params: { id: enterpriseInspection, kind: () => "notice" },
    expect: { ...everyone(401), enterprise: OWN_OK },
  },
  // The notice says what the code page shows: the code suffices (the record needs the enterprise).
  "GET /api/public/inspections/:code/documents/:kind": {
    scoped: false,
    params: { code: (_d, w) => w.A.liveCode, kind: () => "notice" },
    expect: everyone("ok"),
  },
  // The enterprise's side: the signed code shows the visit to whoever holds it.
  "GET /api/public/inspections/:code": {
    scoped: false,
    params: { code: (_d, w) => w.A.liveCode },
    expect: everyone("ok"),
  },
  // The evaluation is the inspected enterprise's alone (R14): no staff session, whatever the role;
  // the signed-in enterprise is the inspected one (its empty answers are refused for their content).
  "POST /api/public/inspections/:code/evaluation": {
    scoped: false,
    params: { code: (_d, w) => w.A.liveCode },
    request: () => ({ body: { version: 1, data: {} } }),
    expect: { ...everyone(403), anonymous: 401, enterprise: "pass" },
  },

  // ---- corrective actions (issue 15): the item's department; other departments 404 ----
  "GET /api/actions": { scoped: false, expect: ANY_USER },
  "GET /api/actions/:id": { scoped: true, params: { id: (d) => d.actionId }, expect: INSPECTION_READ },
  "GET /api/actions/:id/evidence/:evidenceId": {
    scoped: true,
    params: { id: (d) => d.actionId, evidenceId: (d) => d.evidenceId },
    expect: INSPECTION_READ,
  },
  // The world's action is open, not submitted: an allowed reviewer is refused for its state (409).
  "POST /api/actions/:id/accept": {
    scoped: true,
    params: { id: (d) => d.actionId },
    request: () => ({ body: { verification: "written" } }),
    expect: ACTION_REVIEW,
  },
  "POST /api/actions/:id/return": {
    scoped: true,
    params: { id: (d) => d.actionId },
    request: () => ({ body: { reason: "材料不清晰" } }),
    expect: ACTION_REVIEW,
  },
  // Files a 复查 of the department's action (later calls: 409, the action is taken).
  "POST /api/reinspections": {
    scoped: true,
    request: ({ dept }) => ({
      body: {
        actionIds: [dept.actionId],
        officerIds: dept.officerIds.slice(0, 2),
        ...plannedWindow(),
      },
    }),
    expect: {
      ...everyone(403),
      anonymous: 401,
      dept_admin: { own: "pass", other: 404 },
      officer: { own: "pass", other: 404 },
    },
    last: true,
  },

  // ---- sampling (双随机): tasks of the lead department, public results ----
  "GET /api/sampling/tasks": { scoped: false, expect: ANY_USER },
  "POST /api/sampling/tasks": {
    scoped: true,
    request: ({ dept }) => ({ body: samplingTaskBody(dept) }),
    expect: DIRECTORY_CREATE,
  },
  "GET /api/sampling/tasks/:id": {
    scoped: true,
    params: { id: (d) => d.samplingTaskId },
    expect: DIRECTORY_READ,
  },
  "GET /api/sampling/options": {
    scoped: false,
    expect: { ...everyone(403), anonymous: 401, admin: "ok", dept_admin: "ok" },
  },
  "POST /api/sampling/tasks/:id/commit": {
    scoped: true,
    params: { id: (d) => d.samplingTaskId },
    expect: INSPECTION_DECIDE,
  },
  "POST /api/sampling/tasks/:id/draw": {
    scoped: true,
    params: { id: (d) => d.samplingTaskId },
    expect: INSPECTION_DECIDE,
  },
  "POST /api/sampling/tasks/:id/reveal": {
    scoped: true,
    params: { id: (d) => d.samplingTaskId },
    expect: INSPECTION_DECIDE,
  },
  "POST /api/sampling/tasks/:id/file": {
    scoped: true,
    params: { id: (d) => d.samplingTaskId },
    request: () => ({ body: {} }),
    expect: INSPECTION_DECIDE,
    // A drawn enterprise already visited in the window names that filing, to be joined (R5), as
    // POST /api/inspections does in its 409.
    mayName: ["liveInspectionId", "evaluatedInspectionId"],
  },
  "GET /api/sampling/conflicts": { scoped: false, expect: ANY_USER },
  "POST /api/sampling/conflicts": {
    scoped: true,
    request: ({ dept, world }) => ({
      body: { officerId: dept.officerIds[2], enterpriseId: world.enterpriseId, reason: "亲属关系" },
    }),
    expect: DIRECTORY_PATCH,
  },
  "PATCH /api/sampling/conflicts/:id": {
    scoped: true,
    params: { id: (d) => d.conflictId },
    request: () => ({ body: { reason: "曾在该企业任职" } }),
    expect: DIRECTORY_PATCH,
  },
  "DELETE /api/sampling/conflicts/:id": {
    scoped: true,
    params: { id: (d, w) => w.fresh.conflict(d) },
    expect: DIRECTORY_PATCH,
  },
  "GET /api/public/sampling": { scoped: false, expect: everyone("ok") },
  "GET /api/public/sampling/:id": {
    scoped: false,
    params: { id: (_d, w) => w.A.publishedSamplingTaskId },
    expect: everyone("ok"),
  },
  "GET /api/public/sampling/:id/verification.json": {
    scoped: false,
    params: { id: (_d, w) => w.A.publishedSamplingTaskId },
    expect: everyone("ok"),
  },

  // ---- planning (R11): each department's planned tasks; matching and merging are the bureau's ----
  "GET /api/planning/tasks": {
    scoped: true,
    listFilter: true,
    request: ({ dept }) => ({ query: `department=${dept.id}` }),
    expect: ANY_USER,
  },
  "POST /api/planning/tasks": {
    scoped: true,
    request: ({ dept, world }) => ({ body: { ...plannedTaskBody(dept, world), departmentId: dept.id } }),
    expect: DIRECTORY_CREATE,
  },
  "GET /api/planning/tasks/:id": {
    scoped: true,
    params: { id: (d) => d.plannedTaskId },
    expect: DIRECTORY_READ,
  },
  "PATCH /api/planning/tasks/:id": {
    scoped: true,
    params: { id: (d) => d.plannedTaskId },
    request: () => ({ body: { notes: "调整" } }),
    expect: DIRECTORY_PATCH,
  },
  "DELETE /api/planning/tasks/:id": {
    scoped: true,
    params: { id: (d, w) => w.fresh.plannedTask(d) },
    expect: DIRECTORY_PATCH,
  },
  "POST /api/planning/tasks/import": {
    scoped: false,
    request: () => ({ query: "dryRun=1", raw: { type: "text/csv", bytes: "统一社会信用代码,检查类型\n" } }),
    expect: { ...everyone(403), anonymous: 401, admin: "pass", dept_admin: "pass" },
  },
  "GET /api/planning/matches": { scoped: false, expect: BUREAU },
  "POST /api/planning/merge": {
    scoped: false,
    // Refused after the access check (no such officer), so the tasks stay as they are.
    request: ({ world }) => ({
      body: {
        taskIds: [world.A.plannedTaskId, world.B.plannedTaskId],
        leadDepartmentId: world.A.id,
        officerIds: ["no-such-officer"],
        ...plannedWindow(),
      },
    }),
    expect: ADMIN_ONLY,
  },

  // ---- dashboard (R12): the bureau everything, a department administrator their own department ----
  "GET /api/dashboard/filters": {
    scoped: false,
    expect: { ...everyone(403), anonymous: 401, admin: "ok", supervisor: "ok", dept_admin: "ok" },
  },
  "GET /api/dashboard/visits": DASHBOARD,
  "GET /api/dashboard/frequency": DASHBOARD,
  "GET /api/dashboard/items": DASHBOARD,
  "GET /api/dashboard/evaluations": DASHBOARD,
  "GET /api/dashboard/problems": DASHBOARD,
  "GET /api/dashboard/export.xlsx": DASHBOARD,
  "GET /api/dashboard/records": {
    ...DASHBOARD,
    request: ({ dept }) => ({ query: `metric=filings&departmentId=${dept.id}` }),
  },
  "GET /api/dashboard/alerts": { ...DASHBOARD, expect: { ...BUREAU } },
  "GET /api/dashboard/conduct": DASHBOARD,
  "GET /api/dashboard/cases": DASHBOARD,
  "GET /api/dashboard/actions": DASHBOARD,

  // ---- operations ----
  "GET /api/metrics": { scoped: false, expect: BUREAU },

  // ---- the audit log (issue 16): the bureau's whole; a department administrator's own records ----
  // Asked about the other department's inspection, the answer is empty (never its lines).
  "GET /api/audit": {
    scoped: true,
    request: ({ dept }) => ({ query: `targetType=inspection&targetId=${dept.liveInspectionId}` }),
    listFilter: true,
    expect: { ...BUREAU, dept_admin: "ok" },
  },
  "GET /api/audit/chain": { scoped: false, expect: { ...BUREAU, dept_admin: "ok" } },
  "GET /api/audit/export": {
    scoped: true,
    request: ({ dept }) => ({ query: `format=csv&targetType=inspection&targetId=${dept.liveInspectionId}` }),
    listFilter: true,
    expect: { ...BUREAU, dept_admin: "ok" },
  },

  // ---- evaluations and alerts: the justice bureau's ----
  "GET /api/evaluations/summary": {
    scoped: true,
    request: ({ dept }) => ({ query: `departmentId=${dept.id}` }),
    expect: { ...BUREAU, dept_admin: { own: "ok", other: 403 } },
  },
  "GET /api/evaluations/:id": { scoped: true, params: { id: (d) => d.evaluationId }, expect: BUREAU },
  "GET /api/alerts": { scoped: false, expect: BUREAU },
  "GET /api/alerts/assignees": { scoped: false, expect: BUREAU },
  "GET /api/alerts/stream": { scoped: false, expect: BUREAU },
  "GET /api/alerts/:id": { scoped: true, params: { id: (d) => d.alertId }, expect: BUREAU },
  "POST /api/alerts/:id/assign": {
    scoped: true,
    params: { id: (d) => d.alertId },
    request: ({ world }) => ({ body: { userId: world.adminUserId } }),
    expect: BUREAU_WRITE,
  },
  "POST /api/alerts/:id/notes": {
    scoped: true,
    params: { id: (d) => d.alertId },
    request: () => ({ body: { note: "已联系企业" } }),
    expect: BUREAU_WRITE,
  },
  "POST /api/alerts/:id/close": {
    scoped: true,
    params: { id: (d) => d.alertId },
    request: () => ({ body: { outcome: "已核实处理" } }),
    expect: BUREAU_WRITE,
    last: true,
  },

  // ---- supervision cases (issue 16): the bureau runs them, a department answers its own ----
  "GET /api/cases/options": { scoped: false, expect: { ...BUREAU, dept_admin: "ok" } },
  "GET /api/cases": {
    scoped: true,
    listFilter: true,
    request: ({ dept }) => ({ query: `departmentId=${dept.id}` }),
    expect: { ...BUREAU, dept_admin: "ok" },
  },
  "POST /api/cases": {
    scoped: true,
    request: ({ dept }) => ({ body: caseBody(dept.id) }),
    expect: BUREAU_WRITE,
  },
  "GET /api/cases/:id": {
    scoped: true,
    params: { id: (d) => d.caseId },
    expect: { ...BUREAU, dept_admin: OWN_OK },
  },
  "GET /api/cases/:id/attachments/:attachmentId": {
    scoped: true,
    params: { id: (d) => d.caseId, attachmentId: (d) => d.caseAttachmentId },
    expect: { ...BUREAU, dept_admin: OWN_OK },
  },
  "POST /api/cases/:id/attachments": {
    scoped: true,
    params: { id: (d) => d.caseId },
    request: () => ({ raw: { type: "image/jpeg", bytes: JPEG } }),
    expect: { ...everyone(403), anonymous: 401, dept_admin: OWN_PASS },
  },
  "POST /api/cases/:id/send": {
    scoped: true,
    params: { id: (d) => d.caseId },
    request: () => ({ body: {} }),
    expect: BUREAU_WRITE,
  },
  "POST /api/cases/:id/answer": {
    scoped: true,
    params: { id: (d) => d.caseId },
    request: () => ({ body: { report: "已组织自查" } }),
    expect: { ...everyone(403), anonymous: 401, dept_admin: OWN_PASS },
  },
  "POST /api/cases/:id/return": {
    scoped: true,
    params: { id: (d) => d.caseId },
    request: () => ({ body: { reason: "请补充" } }),
    expect: BUREAU_WRITE,
  },
  "POST /api/cases/:id/accept": {
    scoped: true,
    params: { id: (d) => d.caseId },
    request: () => ({ body: {} }),
    expect: BUREAU_WRITE,
  },
  // ---- 案卷评查 (issue 16): the bureau's; ids that do not exist reach the handler only when authorised ----
  "POST /api/reviews": {
    scoped: false,
    request: () => ({
      body: {
        name: "矩阵评查",
        periodFrom: day(-30),
        periodTo: day(0),
        perDepartment: 1,
        threshold: 60,
        reviewerIds: ["nobody"],
      },
    }),
    expect: BUREAU_WRITE,
  },
  "GET /api/reviews": { scoped: false, expect: BUREAU },
  "GET /api/reviews/items/:itemId": {
    scoped: false,
    params: { itemId: () => "no-such-item" },
    expect: { ...BUREAU, admin: 404, supervisor: 404 },
  },
  "GET /api/reviews/:id": {
    scoped: false,
    params: { id: () => "no-such-task" },
    expect: { ...BUREAU, admin: 404, supervisor: 404 },
  },
  "POST /api/reviews/:id/draw": {
    scoped: false,
    params: { id: () => "no-such-task" },
    expect: { ...BUREAU, admin: 404, supervisor: 404 },
  },
  "POST /api/reviews/items/:itemId/score": {
    scoped: false,
    params: { itemId: () => "no-such-item" },
    request: () => ({ body: { answers: {} } }),
    expect: { ...BUREAU, admin: 404, supervisor: 404 },
  },
  "POST /api/cases/:id/close": {
    scoped: true,
    params: { id: (d) => d.caseId },
    request: () => ({ body: { conclusion: "no_issue" } }),
    expect: BUREAU_WRITE,
    last: true,
  },
};

/** A manual 一般 case of the department, its answer due in ten days. */
function caseBody(departmentId: string) {
  return {
    departmentId,
    title: "矩阵测试督办",
    situations: ["不作为"],
    level: "general",
    answerDue: day(10),
  };
}

/** The /api routes of an app's route table as `METHOD /path`, sorted, middleware entries left out. */
export function apiRoutes(routes: readonly { method: string; path: string }[]): string[] {
  const keys = new Set<string>();
  for (const r of routes) {
    if (r.method === "ALL" || !r.path.startsWith("/api/")) continue;
    keys.add(`${r.method} ${r.path}`);
  }
  return [...keys].sort();
}

export const SESSION_ROLES = ["admin", "supervisor", "dept_admin", "officer"] as const;

/** Builds two departments with every kind of record, plus a login of each role (department ones in both). */
export async function buildWorld(t: TestApp) {
  await seedDemoForms(t);
  const adminUserId = await t.user("matrix-admin", "admin");
  await t.user("matrix-supervisor", "supervisor");
  await t.user("matrix-login", "officer", null);
  const admin = await t.login("matrix-admin");
  const enterpriseId = await enterprise(t, "济南矩阵测试有限公司");

  async function department(code: string): Promise<DeptWorld> {
    const id = await t.department(code, `${code}局`);
    const deptAdminUserId = await t.user(`${code}-dept_admin`, "dept_admin", id);
    const officerUserId = await t.user(`${code}-officer`, "officer", id);
    const officerIds = [
      await officer(t, id, { userId: officerUserId, name: `${code}甲` }),
      await officer(t, id, { name: `${code}乙` }),
      await officer(t, id, { name: `${code}丙` }),
      await officer(t, id, { name: `${code}辅`, isHelper: true }),
    ];
    const checklistFormId = await publishedForm(t, admin, id, "checklist", CHECKLIST_SCHEMA);
    const itemId = await catalogItem(t, id, `${code}-001`, { checklistFormId });
    const formId = await publishedForm(t, admin, id);
    const lifecycleFormId = await publishedForm(t, admin, id);
    const responseId = randomUUID();
    const submitted = await t.call(null, "POST", `/api/public/forms/${formId}/responses`, {
      id: responseId,
      version: 1,
      data: { name: "张三", rating: "good" },
    });
    await expectStatus(submitted, 201, "response");

    const w = { deptA: id, deptB: id, enterpriseId, officerIds, itemId };
    const liveInspection = await makeInspection(t, w, { status: "in_progress", departmentIds: [id] });
    const officerSession = await t.login(`${code}-officer`);
    await expectStatus(
      await t.call(officerSession, "GET", `/api/inspections/${liveInspection.id}/checklist`),
      200,
      "checklist",
    );
    const photo = await t.app.request(`/api/inspections/${liveInspection.id}/photos`, {
      method: "POST",
      headers: {
        Cookie: officerSession.cookie,
        "X-CSRF-Token": officerSession.csrf,
        "Content-Type": "image/jpeg",
      },
      body: JPEG,
    });
    await expectStatus(photo, 201, "photo");
    const photoId = ((await photo.json()) as { id: string }).id;

    const evaluated = await makeInspection(t, w, { status: "registered", departmentIds: [id] });
    const evaluation = await postEvaluation(
      t,
      evaluated.code,
      { version: 1, data: NEGATIVE },
      {},
      await enterpriseSession(t, enterpriseId),
    );
    await expectStatus(evaluation, 201, "evaluation");
    const evaluationId = ((await evaluation.json()) as { id: string }).id;
    const [alert] = await t.db
      .select({ id: alerts.id })
      .from(alerts)
      .where(eq(alerts.evaluationId, evaluationId));
    if (!alert) throw new Error("the negative evaluation raised no alert");

    const head = await t.login(`${code}-dept_admin`);
    heads.set(id, head);
    const partial = { id, officerIds, itemId } as DeptWorld;
    const samplingTaskId = await created(t, head, "/api/sampling/tasks", samplingTaskBody(partial), "task");
    const publishedSamplingTaskId = await created(
      t,
      head,
      "/api/sampling/tasks",
      samplingTaskBody(partial),
      "task",
    );
    for (const step of ["commit", "draw", "reveal"]) {
      await expectStatus(
        await t.call(head, "POST", `/api/sampling/tasks/${publishedSamplingTaskId}/${step}`),
        200,
        `sampling ${step}`,
      );
    }
    const caseId = await created(t, admin, "/api/cases", caseBody(id));
    await expectStatus(await t.call(admin, "POST", `/api/cases/${caseId}/send`, {}), 200, "case send");
    const attached = await t.app.request(`/api/cases/${caseId}/attachments`, {
      method: "POST",
      headers: { Cookie: head.cookie, "X-CSRF-Token": head.csrf, "Content-Type": "image/jpeg" },
      body: JPEG,
    });
    await expectStatus(attached, 201, "case attachment");
    const caseAttachmentId = ((await attached.json()) as { id: string }).id;
    const conflictId = await newConflict(t, head, partial, enterpriseId);
    const plannedTaskId = await newPlannedTask(t, head, partial, enterpriseId);
    const third = await t.department(`${code}J`, `${code}联合局`);
    const thirdsInspection = await makeInspection(t, w, { status: "approved", departmentIds: [third] });
    const ownInspection = await makeInspection(t, w, { status: "approved", departmentIds: [id] });
    const leadJoinRequestId = await joinRequest(t, ownInspection.id, third);
    const askedJoinRequestId = await joinRequest(t, thirdsInspection.id, id);
    const actionId = await insertAction(t, {
      inspectionId: evaluated.id,
      enterpriseId,
      departmentId: id,
      itemId,
    });
    const evidenceId = await insertEvidence(t, actionId);

    return {
      caseId,
      caseAttachmentId,
      samplingTaskId,
      publishedSamplingTaskId,
      conflictId,
      plannedTaskId,
      leadJoinRequestId,
      askedJoinRequestId,
      id,
      code,
      officerIds,
      itemId,
      formId,
      lifecycleFormId,
      responseId,
      liveInspectionId: liveInspection.id,
      liveCode: liveInspection.code,
      photoId,
      evaluatedInspectionId: evaluated.id,
      evaluationId,
      alertId: alert.id,
      officerUserId,
      deptAdminUserId,
      actionId,
      evidenceId,
    };
  }

  const heads = new Map<string, Session>();
  const fresh: World["fresh"] = {
    conflict: (d) => newConflict(t, heads.get(d.id)!, d, enterpriseId),
    plannedTask: (d) => newPlannedTask(t, heads.get(d.id)!, d, enterpriseId),
  };
  const A = await department("MA");
  const B = await department("MB");
  const otherEnterprise = await enterprise(t, "济南矩阵其他企业有限公司");
  const other = await makeInspection(
    t,
    { deptA: A.id, enterpriseId: otherEnterprise, officerIds: A.officerIds, itemId: A.itemId },
    { status: "in_progress", departmentIds: [A.id], enterpriseId: otherEnterprise },
  );
  const otherEnterpriseActionId = await insertAction(t, {
    inspectionId: other.id,
    enterpriseId: otherEnterprise,
    departmentId: A.id,
    itemId: A.itemId,
  });
  const world: World = {
    A,
    B,
    enterpriseId,
    otherEnterpriseInspectionId: other.id,
    otherEnterpriseActionId,
    otherEnterpriseEvidenceId: await insertEvidence(t, otherEnterpriseActionId),
    adminUserId,
    fresh,
  };
  const sessions = {
    admin,
    supervisor: await t.login("matrix-supervisor"),
    dept_admin: { A: await t.login("MA-dept_admin"), B: await t.login("MB-dept_admin") },
    officer: { A: await t.login("MA-officer"), B: await t.login("MB-officer") },
    enterprise: await enterpriseSession(t, enterpriseId),
  };
  return { world, sessions };
}

export type Sessions = Awaited<ReturnType<typeof buildWorld>>["sessions"];

/** The login of each role (department roles: of department A and B). */
export const USERNAMES = {
  admin: "matrix-admin",
  supervisor: "matrix-supervisor",
  dept_admin: { A: "MA-dept_admin", B: "MB-dept_admin" },
  officer: { A: "MA-officer", B: "MB-officer" },
} as const;

/** POSTs `body` and returns the id of what was created (at the top level or under `key`). */
async function created(t: TestApp, s: Session, path: string, body: unknown, key?: string): Promise<string> {
  const res = await t.call(s, "POST", path, body);
  const text = await res.text();
  if (res.status !== 201) throw new Error(`fixture ${path}: expected 201, got ${res.status} ${text}`);
  const json = JSON.parse(text) as Record<string, { id: string }> & { id: string };
  return key ? json[key]!.id : json.id;
}

/** A pending join request of `departmentId` on the inspection, asking for no officers or items. */
async function joinRequest(t: TestApp, inspectionId: string, departmentId: string): Promise<string> {
  const id = randomUUID().replaceAll("-", "").slice(0, 16);
  await t.db.insert(joinRequests).values({
    id,
    inspectionId,
    departmentId,
    origin: "join",
    officerIds: "[]",
    itemIds: "[]",
    requestedAt: Date.now(),
  });
  return id;
}

let conflicts = 0;
/** A conflict-of-interest entry of the department, each time for a new officer of it. */
async function newConflict(t: TestApp, head: Session, d: DeptWorld, enterpriseId: string): Promise<string> {
  const officerId = await officer(t, d.id, { name: `回避${++conflicts}` });
  const body = { officerId, enterpriseId, reason: "亲属在该企业任职" };
  return created(t, head, "/api/sampling/conflicts", body, "conflict");
}

async function newPlannedTask(
  t: TestApp,
  head: Session,
  d: DeptWorld,
  enterpriseId: string,
): Promise<string> {
  return created(t, head, "/api/planning/tasks", plannedTaskBody(d, { enterpriseId } as World));
}

const CHECKLIST_SCHEMA = {
  elements: [
    { type: "radiogroup", name: "license", title: "证照是否有效", choices: ["y", "n"], isRequired: true },
  ],
};

async function publishedForm(
  t: TestApp,
  admin: Session,
  departmentId: string,
  kind = "survey",
  schema: unknown = SAMPLE_SCHEMA,
): Promise<string> {
  const created = await t.call(admin, "POST", "/api/forms", {
    title: "矩阵表单",
    kind,
    departmentId,
    schema,
  });
  await expectStatus(created, 201, "form");
  const id = ((await created.json()) as { form: { id: string } }).form.id;
  await expectStatus(await t.call(admin, "POST", `/api/forms/${id}/publish`), 201, "publish");
  return id;
}

async function expectStatus(res: Response, status: number, what: string) {
  if (res.status !== status)
    throw new Error(`fixture ${what}: expected ${status}, got ${res.status} ${await res.text()}`);
}
