/**
 * Joint inspections by consent (R18): a department takes part in another department's inspection only
 * once the lead department's administrator accepted and its own administrator approved. Until then it
 * is a row in join_requests, and nothing of it is in the inspection (no access, no checklist items, not
 * on the public page, no yearly cap consumed).
 */
import { sql, type SQL } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { conditionalAudit, joinStatements, yearlyCount, type AuditLine } from "./filing.ts";

export type JoinOrigin = "join" | "filing" | "merge";
/** lead: the lead department's administrator accepts; department: the joining one's approves. */
export type ConsentSide = "lead" | "department";

export interface NewJoinRequest {
  id: string;
  inspectionId: string;
  departmentId: string;
  origin: JoinOrigin;
  officerIds: string[];
  itemIds: string[];
  requestedBy: string;
  now: number;
  /** Consents already given with the request (the filer's own side). */
  leadAcceptedBy?: string | null;
  departmentApprovedBy?: string | null;
}

/** The statement inserting a request, only if `when` holds (e.g. once its filing is in). */
export function requestInsert(db: Db, r: NewJoinRequest, when: SQL = sql`1`) {
  const at = (by?: string | null) => (by ? r.now : null);
  return db.run(sql`INSERT INTO join_requests (id, inspection_id, department_id, origin, officer_ids, item_ids,
      status, requested_by, requested_at, lead_accepted_by, lead_accepted_at, department_approved_by,
      department_approved_at)
    SELECT ${r.id}, ${r.inspectionId}, ${r.departmentId}, ${r.origin}, ${JSON.stringify(r.officerIds)},
      ${JSON.stringify(r.itemIds)}, 'pending', ${r.requestedBy}, ${r.now}, ${r.leadAcceptedBy ?? null},
      ${at(r.leadAcceptedBy)}, ${r.departmentApprovedBy ?? null}, ${at(r.departmentApprovedBy)}
    WHERE ${when}`);
}

/** Open for joining: filed or approved, and no checklist generated yet (the visit has not begun). */
export const openForJoining = (inspectionId: string): SQL =>
  sql`EXISTS (SELECT 1 FROM inspections WHERE id = ${inspectionId} AND status IN ('filed','approved'))
    AND NOT EXISTS (SELECT 1 FROM checklists WHERE inspection_id = ${inspectionId})`;

const COLUMNS: Record<ConsentSide, { by: SQL; at: SQL }> = {
  lead: { by: sql.raw("lead_accepted_by"), at: sql.raw("lead_accepted_at") },
  department: { by: sql.raw("department_approved_by"), at: sql.raw("department_approved_at") },
};
const other = (side: ConsentSide): ConsentSide => (side === "lead" ? "department" : "lead");

export interface Consent {
  requestId: string;
  side: ConsentSide;
  userId: string;
  now: number;
  inspectionId: string;
  enterpriseId: string;
  departmentId: string;
  officers: { id: string; isHelper: boolean }[];
  items: { id: string; departmentId: string }[];
  year: [number, number];
  cap: number;
  exempt: boolean;
}

/**
 * The statements recording one administrator's consent, in one batch. When it is the second consent
 * the department joins in the same batch (its officers, items and legal basis; the request becomes
 * joined). The last consent is recorded only if the join can happen then (inspection still open, the
 * department within its yearly cap), so a request never holds both consents without being joined.
 * Read the outcome afterwards with `consentRecorded`.
 */
export function consentStatements(db: Db, k: Consent, audit: Omit<AuditLine, "detail">) {
  const mine = COLUMNS[k.side];
  const theirs = COLUMNS[other(k.side)];
  const withinCap = k.exempt
    ? sql`1`
    : sql`${yearlyCount(k.enterpriseId, k.departmentId, k.year)} < ${k.cap}`;
  const recorded = consentRecorded(k);
  const completes = sql`${recorded} AND EXISTS (SELECT 1 FROM join_requests WHERE id = ${k.requestId}
    AND status = 'pending' AND ${theirs.by} IS NOT NULL)`;
  const joined = sql`EXISTS (SELECT 1 FROM inspection_departments WHERE inspection_id = ${k.inspectionId}
    AND department_id = ${k.departmentId} AND joined_at = ${k.now} AND joined_by = ${k.userId})`;
  return [
    db.run(sql`UPDATE join_requests SET ${mine.by} = ${k.userId}, ${mine.at} = ${k.now}
      WHERE id = ${k.requestId} AND status = 'pending' AND ${mine.by} IS NULL
        AND (${theirs.by} IS NULL OR (${openForJoining(k.inspectionId)} AND ${withinCap}))`),
    conditionalAudit(
      db,
      {
        ...audit,
        detail: { requestId: k.requestId, departmentId: k.departmentId, side: k.side },
      },
      k.inspectionId,
      k.now,
      recorded,
    ),
    ...joinStatements(
      db,
      {
        inspectionId: k.inspectionId,
        enterpriseId: k.enterpriseId,
        departmentId: k.departmentId,
        userId: k.userId,
        officers: k.officers,
        items: k.items,
        now: k.now,
        year: k.year,
        cap: k.cap,
        exempt: k.exempt,
        when: completes,
      },
      {
        ...audit,
        action: "inspection.joined",
        detail: {
          requestId: k.requestId,
          departmentId: k.departmentId,
          officerIds: k.officers.map((o) => o.id),
          itemIds: k.items.map((i) => i.id),
        },
      },
    ),
    db.run(sql`UPDATE join_requests SET status = 'joined', decided_by = ${k.userId}, decided_at = ${k.now}
      WHERE id = ${k.requestId} AND status = 'pending' AND ${joined}`),
  ];
}

/** True once this consent is in the request (the batch of `consentStatements` recorded it). */
export function consentRecorded(k: Pick<Consent, "requestId" | "side" | "userId" | "now">): SQL {
  const mine = COLUMNS[k.side];
  return sql`EXISTS (SELECT 1 FROM join_requests WHERE id = ${k.requestId} AND ${mine.by} = ${k.userId}
    AND ${mine.at} = ${k.now})`;
}
