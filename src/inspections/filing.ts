import { sql, type SQL } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import type { InspectionType } from "../db/schema.ts";

const DAY_MS = 86_400_000;
/** Statuses of filings that occupy the window: everything but drafts and refusals. */
const ACTIVE = sql`('filed','approved','in_progress','registered','evaluated','closed')`;

/** Types that neither meet the window and cap nor occupy them: 个案 and 复查 (issue 15). */
const EXEMPT_TYPES = sql`('case','reinspection')`;

/** Over alias `o`: an active, non-exempt filing for the enterprise whose planned start is within the window. */
export function inWindow(enterpriseId: string, plannedStart: number, windowDays: number): SQL {
  const w = windowDays * DAY_MS;
  return sql`o.enterprise_id = ${enterpriseId} AND o.type NOT IN ${EXEMPT_TYPES} AND o.status IN ${ACTIVE}
    AND o.planned_start > ${plannedStart - w} AND o.planned_start < ${plannedStart + w}`;
}

export const windowConflict = (enterpriseId: string, plannedStart: number, windowDays: number): SQL =>
  sql`EXISTS (SELECT 1 FROM inspections o WHERE ${inWindow(enterpriseId, plannedStart, windowDays)})`;

/** The earliest filing occupying the window, if any. */
export async function firstInWindow(db: Db, enterpriseId: string, plannedStart: number, windowDays: number) {
  const rows = await db.all<{ id: string; planned_start: number }>(
    sql`SELECT o.id, o.planned_start FROM inspections o WHERE ${inWindow(enterpriseId, plannedStart, windowDays)}
      ORDER BY o.planned_start LIMIT 1`,
  );
  return rows[0] ? { id: rows[0].id, plannedStart: Number(rows[0].planned_start) } : null;
}

/** Active non-case filings this department takes part in for the enterprise within the year. */
export function yearlyCount(enterpriseId: string, departmentId: string, year: [number, number]): SQL {
  return sql`(SELECT count(*) FROM inspections o JOIN inspection_departments d ON d.inspection_id = o.id
    WHERE o.enterprise_id = ${enterpriseId} AND d.department_id = ${departmentId} AND o.type NOT IN ${EXEMPT_TYPES}
    AND o.status IN ${ACTIVE} AND o.planned_start >= ${year[0]} AND o.planned_start < ${year[1]})`;
}

export interface NewFiling {
  id: string;
  enterpriseId: string;
  leadDepartmentId: string;
  departmentIds: string[];
  type: InspectionType;
  caseReason: string | null;
  plannedStart: number;
  plannedEnd: number;
  legalBasis: string;
  notes: string;
  lateFiling: boolean;
  lateReason: string | null;
  filedBy: string;
  officers: { id: string; isHelper: boolean }[];
  items: { id: string; departmentId: string }[];
  codeNonce: string;
  now: number;
  /** 复查: the inspection whose corrective actions this one re-inspects. */
  reinspectionOf?: string | null;
}

export interface Guard {
  windowDays: number;
  year: [number, number];
  /** The cap for each participating department. */
  caps: Map<string, number>;
  /** A further condition the insert must meet, e.g. that the planned tasks being merged are unmerged. */
  also?: SQL;
  /** Exempt from the window and the caps besides 个案: a 复查 (issue 15). */
  exempt?: boolean;
}

export interface AuditLine {
  actorId: string;
  actorName: string;
  ip: string;
  action: string;
  detail: Record<string, unknown>;
}

/**
 * The statements that file an inspection, for one atomic batch. The first inserts the inspection only
 * if no other filing occupies the window and no department is at its yearly cap (case filings are
 * exempt), so of two simultaneous filings at most one passes; every following statement inserts only
 * if that row exists. The caller reads `rowsAffected` of the first result.
 */
export function filingStatements(db: Db, f: NewFiling, guard: Guard, audit: AuditLine) {
  const exempt = f.type === "case" || guard.exempt === true;
  const capChecks = [...guard.caps].map(
    ([dept, cap]) => sql`${yearlyCount(f.enterpriseId, dept, guard.year)} < ${cap}`,
  );
  const rules = exempt
    ? sql`1`
    : sql.join(
        [sql`NOT ${windowConflict(f.enterpriseId, f.plannedStart, guard.windowDays)}`, ...capChecks],
        sql` AND `,
      );
  const admit = guard.also ? sql`${rules} AND ${guard.also}` : rules;
  const exists = sql`EXISTS (SELECT 1 FROM inspections WHERE id = ${f.id})`;
  return [
    db.run(sql`INSERT INTO inspections (id, enterprise_id, lead_department_id, type, case_reason, status,
        planned_start, planned_end, legal_basis, notes, late_filing, late_reason, filed_by, filed_at, code_nonce,
        created_at, updated_at, reinspection_of)
      SELECT ${f.id}, ${f.enterpriseId}, ${f.leadDepartmentId}, ${f.type}, ${f.caseReason}, 'filed',
        ${f.plannedStart}, ${f.plannedEnd}, ${f.legalBasis}, ${f.notes}, ${f.lateFiling ? 1 : 0}, ${f.lateReason},
        ${f.filedBy}, ${f.now}, ${f.codeNonce}, ${f.now}, ${f.now}, ${f.reinspectionOf ?? null}
      WHERE ${admit}`),
    ...f.departmentIds.map((dept) =>
      db.run(sql`INSERT INTO inspection_departments (inspection_id, department_id, joined_at, joined_by)
        SELECT ${f.id}, ${dept}, ${f.now}, ${f.filedBy} WHERE ${exists}`),
    ),
    ...officerInserts(db, f.id, f.officers, exists),
    ...itemInserts(db, f.id, f.items, exists),
    conditionalAudit(db, audit, f.id, f.now, exists),
  ];
}

export function officerInserts(db: Db, inspectionId: string, officers: NewFiling["officers"], when: SQL) {
  return officers.map((o) =>
    db.run(sql`INSERT INTO inspection_officers (inspection_id, officer_id, is_helper)
      SELECT ${inspectionId}, ${o.id}, ${o.isHelper ? 1 : 0} WHERE ${when}`),
  );
}

export function itemInserts(db: Db, inspectionId: string, items: NewFiling["items"], when: SQL) {
  return items.map((i) =>
    db.run(sql`INSERT INTO inspection_items (inspection_id, item_id, department_id)
      SELECT ${inspectionId}, ${i.id}, ${i.departmentId} WHERE ${when}`),
  );
}

/** An audit line written only if `when` holds, so a refused filing leaves no trace but its refusal. */
export function conditionalAudit(db: Db, a: AuditLine, targetId: string, at: number, when: SQL) {
  return db.run(sql`INSERT INTO audit_log (at, actor_id, actor_name, action, target_type, target_id, ip, detail)
    SELECT ${at}, ${a.actorId}, ${a.actorName}, ${a.action}, 'inspection', ${targetId}, ${a.ip}, ${JSON.stringify(a.detail)}
    WHERE ${when}`);
}

/**
 * Statements appending each item's legal basis (检查依据) to the inspection's, skipping one already
 * listed, with the separator of `legalBasisFromItems`, and only if `when` holds. A joined inspection so
 * ends with the same basis as one filed jointly from the start with the same items in the same order.
 */
export function legalBasisAppends(db: Db, inspectionId: string, itemIds: string[], when: SQL) {
  return itemIds.map((itemId) => {
    const basis = sql`(SELECT trim(legal_basis) FROM catalog_items WHERE id = ${itemId})`;
    return db.run(sql`UPDATE inspections
      SET legal_basis = CASE WHEN trim(legal_basis) = '' THEN ${basis} ELSE legal_basis || '；' || ${basis} END
      WHERE id = ${inspectionId} AND ${when} AND ${basis} <> ''
        AND instr('；' || legal_basis || '；', '；' || ${basis} || '；') = 0`);
  });
}

/**
 * The statements that add a department to a filed or approved inspection as a joint inspection
 * (进一次门、查多项事): only before its checklist exists, and only within the department's yearly cap;
 * joins.ts runs them once both administrators consented (R18).
 * The joining department's items and their legal basis are merged into the inspection's.
 */
export function joinStatements(
  db: Db,
  j: {
    inspectionId: string;
    enterpriseId: string;
    departmentId: string;
    userId: string;
    officers: NewFiling["officers"];
    items: NewFiling["items"];
    now: number;
    year: [number, number];
    cap: number;
    exempt: boolean;
    /** A further condition, e.g. that both administrators consented (joins.ts). */
    when?: SQL;
  },
  audit: AuditLine,
) {
  const open = sql`EXISTS (SELECT 1 FROM inspections WHERE id = ${j.inspectionId} AND status IN ('filed','approved'))
    AND NOT EXISTS (SELECT 1 FROM checklists WHERE inspection_id = ${j.inspectionId})`;
  const withinCap = j.exempt
    ? sql`1`
    : sql`${yearlyCount(j.enterpriseId, j.departmentId, j.year)} < ${j.cap}`;
  const joined = sql`EXISTS (SELECT 1 FROM inspection_departments WHERE inspection_id = ${j.inspectionId}
    AND department_id = ${j.departmentId} AND joined_at = ${j.now} AND joined_by = ${j.userId})`;
  return [
    db.run(sql`INSERT INTO inspection_departments (inspection_id, department_id, joined_at, joined_by)
      SELECT ${j.inspectionId}, ${j.departmentId}, ${j.now}, ${j.userId}
      WHERE ${open} AND ${withinCap} AND ${j.when ?? sql`1`}`),
    ...officerInserts(db, j.inspectionId, j.officers, joined),
    ...itemInserts(db, j.inspectionId, j.items, joined),
    ...legalBasisAppends(
      db,
      j.inspectionId,
      j.items.map((i) => i.id),
      joined,
    ),
    db.run(sql`UPDATE inspections SET updated_at = ${j.now} WHERE id = ${j.inspectionId} AND ${joined}`),
    conditionalAudit(db, audit, j.inspectionId, j.now, joined),
  ];
}
