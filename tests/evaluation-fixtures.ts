import {
  catalogItems,
  enterprises,
  evaluations,
  inspectionDepartments,
  inspectionItems,
  inspectionOfficers,
  inspections,
  officers,
  type InspectionStatus,
} from "../src/db/schema.ts";
import { signInspectionCode } from "../src/inspections/code.ts";
import { newId, randomToken } from "../src/lib/ids.ts";
import { enterpriseCall, enterpriseSession, type EnterpriseSession } from "./enterprise-fixtures.ts";
import { seedDemoForms, type TestApp } from "./helpers.ts";

/** The secret tests/helpers.ts configures the app with. */
export const TEST_SECRET = "test-secret-".padEnd(40, "x");
export const DAY = 86_400_000;

/** Answers to the seeded evaluation form with nothing negative (overall 非常满意). */
export const POSITIVE = {
  two_officers_with_credentials: "yes",
  informed_items_and_basis: "yes",
  clear_result_and_guidance: "yes",
  informed_rights: "yes",
  unrelated_materials: "no",
  repeat_inspection: "no",
  beyond_scope: "no",
  disrupted_business: "no",
  demanded_gifts: "no",
  designated_services_or_fees: "no",
  rude_conduct: "no",
  overall_satisfaction: 5,
};

/** Gifts demanded and overall 不满意: two negative answers; the form then requires both texts. */
export const NEGATIVE = {
  ...POSITIVE,
  demanded_gifts: "yes",
  misconduct_details: "检查人员暗示需要“表示一下”。",
  overall_satisfaction: 2,
  comment: "不满意",
};

const today = (offsetDays = 0) => new Date(Date.now() + offsetDays * DAY).toISOString().slice(0, 10);

/** Two departments, an enterprise, officers (valid, valid, expired credential, helper) and an item. */
export async function makeWorld(t: TestApp) {
  await seedDemoForms(t);
  const deptA = await t.department("SCJG", "济南市市场监督管理局");
  const deptB = await t.department("YJGL", "济南市应急管理局");
  const now = Date.now();
  const enterpriseId = newId();
  await t.db.insert(enterprises).values({
    id: enterpriseId,
    creditCode: "91370100MA3C0000X1",
    name: "济南示例食品有限公司",
    createdAt: now,
    updatedAt: now,
  });
  const officer = async (
    name: string,
    opts: { credentialNo?: string; expires?: string; helper?: boolean },
  ) => {
    const id = newId();
    await t.db.insert(officers).values({
      id,
      departmentId: deptA,
      name,
      isHelper: opts.helper ?? false,
      credentialNo: opts.credentialNo ?? null,
      credentialIssuedOn: opts.credentialNo ? "2020-01-01" : null,
      credentialExpiresOn: opts.credentialNo ? (opts.expires ?? today(365)) : null,
      createdAt: now,
      updatedAt: now,
    });
    return id;
  };
  const officerIds = [
    await officer("张明", { credentialNo: "37010001" }),
    await officer("李华", { credentialNo: "37010002" }),
    await officer("王强", { credentialNo: "37010003", expires: today(-1) }),
    await officer("赵辅", { helper: true }),
  ];
  const itemId = newId();
  await t.db.insert(catalogItems).values({
    id: itemId,
    code: "SC-001",
    departmentId: deptA,
    name: "食品经营许可情况检查",
    legalBasis: "《中华人民共和国食品安全法》第一百一十条",
    createdAt: now,
    updatedAt: now,
  });
  const enterprise = await enterpriseSession(t, enterpriseId);
  signedIn.set(t, enterprise);
  return { deptA, deptB, enterpriseId, officerIds, itemId, enterprise };
}

export type World = Awaited<ReturnType<typeof makeWorld>>;

export interface InspectionOptions {
  status?: InspectionStatus;
  plannedStart?: number;
  departmentIds?: string[];
  enterpriseId?: string;
  /** Code expiry; default a week ahead. */
  expiresAt?: number;
}

/** Inserts an inspection (directly, in the given status) and signs its code. */
export async function makeInspection(
  t: TestApp,
  w: Pick<World, "deptA" | "enterpriseId" | "officerIds" | "itemId">,
  o: InspectionOptions = {},
) {
  const id = newId();
  const now = Date.now();
  const start = o.plannedStart ?? now - 2 * 3_600_000;
  const nonce = randomToken(16);
  const depts = o.departmentIds ?? [w.deptA];
  await t.db.insert(inspections).values({
    id,
    enterpriseId: o.enterpriseId ?? w.enterpriseId,
    leadDepartmentId: depts[0]!,
    type: "routine",
    status: o.status ?? "registered",
    plannedStart: start,
    plannedEnd: start + 4 * 3_600_000,
    // As a filing sets it: the bases of its items (the world's one item).
    legalBasis: "《中华人民共和国食品安全法》第一百一十条",
    filedAt: now,
    codeNonce: nonce,
    createdAt: now,
    updatedAt: now,
  });
  for (const d of depts)
    await t.db.insert(inspectionDepartments).values({ inspectionId: id, departmentId: d, joinedAt: now });
  for (const [i, officerId] of w.officerIds.entries()) {
    await t.db.insert(inspectionOfficers).values({ inspectionId: id, officerId, isHelper: i === 3 });
  }
  await t.db.insert(inspectionItems).values({ inspectionId: id, itemId: w.itemId, departmentId: w.deptA });
  const code = signInspectionCode(TEST_SECRET, id, o.expiresAt ?? now + 7 * DAY, nonce);
  return { id, code, nonce };
}

/** An evaluation row inserted directly (for aggregates), on a fresh evaluated inspection. */
export async function makeEvaluation(
  t: TestApp,
  w: World,
  e: { submittedAt: number; score: number | null; negative?: string[]; departmentIds?: string[] },
) {
  const { id: inspectionId } = await makeInspection(t, w, {
    status: "evaluated",
    departmentIds: e.departmentIds,
  });
  const id = newId();
  await t.db.insert(evaluations).values({
    id,
    inspectionId,
    formId: "inspection-evaluation",
    version: 1,
    data: "{}",
    negative: (e.negative ?? []).length > 0,
    negativeAnswers: JSON.stringify(
      (e.negative ?? []).map((name) => ({ name, title: `${name}?`, value: "yes", text: "是" })),
    ),
    score: e.score,
    submittedAt: e.submittedAt,
  });
  return id;
}

/** The world's enterprise signed in on its phone (makeWorld sets it), used by postEvaluation. */
const signedIn = new WeakMap<TestApp, EnterpriseSession>();

/**
 * POSTs an evaluation as the enterprise's phone would: signed in as the world's enterprise unless `as`
 * names another session, or null for none.
 */
export function postEvaluation(
  t: TestApp,
  code: string,
  body: unknown,
  headers: Record<string, string> = {},
  as: EnterpriseSession | null = signedIn.get(t) ?? null,
) {
  return enterpriseCall(t, as, "POST", `/api/public/inspections/${code}/evaluation`, body, headers);
}
