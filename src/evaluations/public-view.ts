import { filedItemsQuery, groupFiledItems } from "../inspections/filed-items.ts";
import { and, asc, eq, gte, lt, notInArray, sql } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import {
  departments,
  enterprises,
  evaluations,
  forms,
  formVersions,
  inspectionDepartments,
  inspectionOfficers,
  inspections,
  officers,
  type InspectionType,
} from "../db/schema.ts";
import { credentialValidThrough } from "../directory/credentials.ts";
import type { AppConfig } from "../env.ts";
import type { InspectionRow } from "../inspections/access.ts";
import { STATUS_LABELS, TYPE_LABELS } from "../inspections/labels.ts";
import { iso } from "../lib/router.ts";
import { localDate, parseBound } from "../lib/time.ts";
import { PublishedFormCache, SchemaText } from "../forms/published-cache.ts";
import { registeredResult } from "./checklist-result.ts";
import { ENTERPRISE_RIGHTS } from "./rights.ts";
import { evaluationState } from "./window.ts";

/** Filings for the enterprise with a planned start in `year` (local time), neither drafts nor refused. */
function yearCountQuery(db: Db, enterpriseId: string, year: number, timeZone: string) {
  const from = parseBound(`${year}-01-01`, timeZone)!;
  const to = parseBound(`${year + 1}-01-01`, timeZone)!;
  return db
    .select({ n: sql<number>`count(*)` })
    .from(inspections)
    .where(
      and(
        eq(inspections.enterpriseId, enterpriseId),
        notInArray(inspections.status, ["draft", "refused"]),
        gte(inspections.plannedStart, from),
        lt(inspections.plannedStart, to),
      ),
    );
}

/** The evaluation form's live version, if it is collecting. */
export async function liveEvaluationForm(db: Db, formId: string) {
  const [row] = await db
    .select({ version: formVersions.version, schema: formVersions.schema })
    .from(forms)
    .innerJoin(
      formVersions,
      and(eq(formVersions.formId, forms.id), eq(formVersions.version, forms.publishedVersion)),
    )
    .where(and(eq(forms.id, formId), eq(forms.status, "published")))
    .limit(1);
  return row
    ? { formId, version: row.version, schema: JSON.parse(row.schema) as Record<string, unknown> }
    : null;
}

/** What the evaluation part of the page shows: the form while the window is open, a thank-you, or nothing. */
async function evaluationPart(
  db: Db,
  row: InspectionRow,
  config: AppConfig,
  now: number,
  done: boolean,
  published?: PublishedFormCache,
) {
  if (done || row.status === "evaluated") return { evaluation: { submitted: true as const }, opensAt: null };
  const state = evaluationState(row, now, config.inspections.evaluationWindowDays);
  if (!state.open) {
    const opensAt = state.reason === "not_yet_open" ? iso(state.opensAt!) : null;
    return { evaluation: null, opensAt };
  }
  const formId = config.inspections.evaluationFormId;
  if (published) {
    const live = await published.live(db, formId);
    const form = live
      ? {
          formId,
          version: live.version,
          schema: new SchemaText(live.schemaJson) as unknown as Record<string, unknown>,
        }
      : null;
    return { evaluation: form ? { ...form, closesAt: iso(state.closesAt)! } : null, opensAt: null };
  }
  const form = await liveEvaluationForm(db, formId);
  return { evaluation: form ? { ...form, closesAt: iso(state.closesAt)! } : null, opensAt: null };
}

/**
 * Everything the enterprise's public page shows (R8): who inspects and with which credential, the
 * items and their legal basis, the enterprise's rights, this year's count of inspections, the
 * registered result, and the evaluation questionnaire once the visit is registered.
 */
export async function publicInspectionView(
  db: Db,
  row: InspectionRow,
  config: AppConfig,
  now: number,
  /** With it, the evaluation schema comes as a SchemaText from memory (send with stringifyWithSchema). */
  published?: PublishedFormCache,
) {
  const tz = config.timeZone;
  const today = localDate(now, tz);
  const year = Number(today.slice(0, 4));
  // One round trip for the page's reads (a read batch), not one per query: on an embedded database
  // each await is a hop to libSQL's thread, and the public page is read far more often than written.
  const [firms, depts, people, done, counts, filed] = await db.batch([
    db.select({ name: enterprises.name }).from(enterprises).where(eq(enterprises.id, row.enterpriseId)),
    db
      .select({ id: departments.id, name: departments.name })
      .from(inspectionDepartments)
      .innerJoin(departments, eq(departments.id, inspectionDepartments.departmentId))
      .where(eq(inspectionDepartments.inspectionId, row.id))
      .orderBy(asc(inspectionDepartments.joinedAt)),
    db
      .select({
        name: officers.name,
        departmentId: officers.departmentId,
        isHelper: inspectionOfficers.isHelper,
        helperInDirectory: officers.isHelper,
        status: officers.status,
        credentialNo: officers.credentialNo,
        credentialIssuedOn: officers.credentialIssuedOn,
        credentialExpiresOn: officers.credentialExpiresOn,
      })
      .from(inspectionOfficers)
      .innerJoin(officers, eq(officers.id, inspectionOfficers.officerId))
      .where(eq(inspectionOfficers.inspectionId, row.id))
      .orderBy(asc(inspectionOfficers.isHelper), asc(officers.name)),
    db.select({ id: evaluations.id }).from(evaluations).where(eq(evaluations.inspectionId, row.id)).limit(1),
    yearCountQuery(db, row.enterpriseId, year, tz),
    filedItemsQuery(db, [row.id]),
  ]);
  const firm = firms[0];
  // The basis each item was filed under, not the catalog's current one (src/inspections/filed-items.ts).
  const items = (groupFiledItems(filed).get(row.id) ?? []).map(({ code, name, legalBasis }) => ({
    code,
    name,
    legalBasis,
  }));
  const deptName = new Map(depts.map((d) => [d.id, d.name]));
  const registered = ["registered", "evaluated", "closed"].includes(row.status);
  const evaluation = await evaluationPart(db, row, config, now, done.length > 0, published);

  return {
    status: row.status,
    statusLabel: STATUS_LABELS[row.status],
    enterprise: { name: firm?.name ?? "" },
    type: row.type,
    typeLabel: TYPE_LABELS[row.type],
    caseReason: row.type === "case" ? row.caseReason : null,
    plannedStart: iso(row.plannedStart)!,
    plannedEnd: iso(row.plannedEnd)!,
    legalBasis: row.legalBasis,
    departments: depts.map((d) => ({ name: d.name, lead: d.id === row.leadDepartmentId })),
    officers: people.map((p) =>
      p.isHelper
        ? { name: p.name, department: deptName.get(p.departmentId) ?? "", role: "辅助人员", isHelper: true }
        : {
            name: p.name,
            department: deptName.get(p.departmentId) ?? "",
            role: "执法人员",
            isHelper: false,
            credentialNo: p.credentialNo,
            credentialValid: credentialValidThrough({ ...p, isHelper: p.helperInDirectory }, today),
          },
    ),
    items,
    rights: ENTERPRISE_RIGHTS,
    yearCount: { year, count: Number(counts[0]?.n ?? 0) },
    checklist: registered ? await registeredResult(db, row.id) : null,
    evaluation: evaluation.evaluation,
    evaluationOpensAt: evaluation.opensAt,
    arrivedAt: iso(row.arrivedAt),
    enterpriseArrivalAt: iso(row.enterpriseArrivalAt),
    today,
  };
}
