import { and, asc, desc, eq, inArray, or, sql, type SQL } from "drizzle-orm";
import { alias } from "drizzle-orm/sqlite-core";
import type { Db } from "../db/client.ts";
import {
  alertEvents,
  alerts,
  catalogItems,
  complaints,
  departments,
  enterprises,
  evaluations,
  formVersions,
  inspectionDepartments,
  inspectionItems,
  inspectionOfficers,
  inspections,
  officers,
  users,
} from "../db/schema.ts";
import { answerLines } from "../forms/answer-lines.ts";
import { decodeCursor, encodeCursor } from "../lib/cursor.ts";
import type { NegativeAnswer } from "../forms/negative.ts";
import { STATUS_LABELS, TYPE_LABELS } from "../inspections/labels.ts";
import { ALERT_KIND_LABELS, ALERT_STATUS_LABELS } from "./labels.ts";
import { ApiError } from "../lib/errors.ts";
import { iso } from "../lib/router.ts";

/** Open alerts first, then those being handled, then closed ones; newest first within each. */
const rank = sql<number>`CASE ${alerts.status} WHEN 'open' THEN 0 WHEN 'assigned' THEN 1 ELSE 2 END`;

const assignee = alias(users, "assignee");

function listQuery(db: Db) {
  return (
    db
      .select({
        id: alerts.id,
        kind: alerts.kind,
        status: alerts.status,
        summary: alerts.summary,
        inspectionId: alerts.inspectionId,
        evaluationId: alerts.evaluationId,
        complaintId: alerts.complaintId,
        departmentId: alerts.departmentId,
        departmentName: departments.name,
        enterpriseName: enterprises.name,
        assignedTo: alerts.assignedTo,
        assignedName: assignee.displayName,
        outcome: alerts.outcome,
        score: evaluations.score,
        createdAt: alerts.createdAt,
        firstHandledAt: alerts.firstHandledAt,
        closedAt: alerts.closedAt,
        closedBy: alerts.closedBy,
        rank,
      })
      .from(alerts)
      .innerJoin(departments, eq(departments.id, alerts.departmentId))
      // An alert has one source: an evaluation (with its inspection), a complaint (perhaps naming an
      // inspection, perhaps about a visit nobody filed) or an inspection left unregistered.
      .leftJoin(inspections, eq(inspections.id, alerts.inspectionId))
      .leftJoin(complaints, eq(complaints.id, alerts.complaintId))
      .leftJoin(
        enterprises,
        eq(enterprises.id, sql`coalesce(${inspections.enterpriseId}, ${complaints.enterpriseId})`),
      )
      .leftJoin(evaluations, eq(evaluations.id, alerts.evaluationId))
      .leftJoin(assignee, eq(assignee.id, alerts.assignedTo))
  );
}

type ListRow = Awaited<ReturnType<typeof listQuery>>[number];

/** Time to first handling and time to close, in milliseconds from the alert's creation. */
export function handlingTimes(a: {
  createdAt: number;
  firstHandledAt: number | null;
  closedAt: number | null;
}) {
  return {
    toFirstHandlingMs: a.firstHandledAt == null ? null : a.firstHandledAt - a.createdAt,
    toCloseMs: a.closedAt == null ? null : a.closedAt - a.createdAt,
  };
}

function toItem(r: ListRow) {
  return {
    id: r.id,
    kind: r.kind,
    kindLabel: ALERT_KIND_LABELS[r.kind],
    status: r.status,
    statusLabel: ALERT_STATUS_LABELS[r.status],
    summary: r.summary,
    inspectionId: r.inspectionId,
    evaluationId: r.evaluationId,
    complaintId: r.complaintId,
    department: { id: r.departmentId, name: r.departmentName },
    enterprise: { name: r.enterpriseName ?? "" },
    assignedTo: r.assignedTo ? { id: r.assignedTo, displayName: r.assignedName ?? "" } : null,
    outcome: r.outcome,
    score: r.score,
    createdAt: iso(r.createdAt)!,
    firstHandledAt: iso(r.firstHandledAt),
    closedAt: iso(r.closedAt),
    handling: handlingTimes(r),
  };
}

export type AlertItem = ReturnType<typeof toItem>;

export type AlertFilter = "open" | "assigned" | "closed" | "active";

interface Cursor {
  rank: number;
  createdAt: number;
  id: string;
}

function cursorOf(r: ListRow): string {
  return encodeCursor([r.rank, r.createdAt, r.id]);
}

function readCursor(text: string): Cursor {
  const c = decodeCursor(text, ["number", "number", "string"] as const);
  if (!c) throw new ApiError(400, "invalid_cursor", "分页参数无效");
  return { rank: c[0], createdAt: c[1], id: c[2] };
}

/** One page of alerts in handling order, with the cursor of the next page. */
export async function listAlerts(db: Db, filter: { status?: AlertFilter; cursor?: string; limit: number }) {
  const where: SQL[] = [];
  if (filter.status === "active") where.push(inArray(alerts.status, ["open", "assigned"]));
  else if (filter.status) where.push(eq(alerts.status, filter.status));
  if (filter.cursor) {
    const c = readCursor(filter.cursor);
    where.push(
      or(
        sql`${rank} > ${c.rank}`,
        and(sql`${rank} = ${c.rank}`, sql`${alerts.createdAt} < ${c.createdAt}`),
        and(sql`${rank} = ${c.rank}`, eq(alerts.createdAt, c.createdAt), sql`${alerts.id} < ${c.id}`),
      )!,
    );
  }
  const rows = await listQuery(db)
    .where(where.length ? and(...where) : undefined)
    .orderBy(asc(rank), desc(alerts.createdAt), desc(alerts.id))
    .limit(filter.limit + 1);
  const page = rows.slice(0, filter.limit);
  const more = rows.length > filter.limit;
  return { items: page.map(toItem), nextCursor: more ? cursorOf(page[page.length - 1]!) : null };
}

export async function alertItem(db: Db, id: string): Promise<AlertItem | null> {
  const [row] = await listQuery(db).where(eq(alerts.id, id)).limit(1);
  return row ? toItem(row) : null;
}

/** An alert with the evaluation's answers, the inspection, its people and the handling history. */
export async function alertDetail(db: Db, id: string) {
  const item = await alertItem(db, id);
  if (!item) return null;
  const [evaluation] = !item.evaluationId
    ? []
    : await db
        .select({
          id: evaluations.id,
          formId: evaluations.formId,
          version: evaluations.version,
          data: evaluations.data,
          negativeAnswers: evaluations.negativeAnswers,
          score: evaluations.score,
          submittedAt: evaluations.submittedAt,
          schema: formVersions.schema,
        })
        .from(evaluations)
        .innerJoin(
          formVersions,
          and(eq(formVersions.formId, evaluations.formId), eq(formVersions.version, evaluations.version)),
        )
        .where(eq(evaluations.id, item.evaluationId));
  const [complaint] = !item.complaintId
    ? []
    : await db.select().from(complaints).where(eq(complaints.id, item.complaintId));
  const [closer] = await db
    .select({ closedBy: alerts.closedBy, name: users.displayName })
    .from(alerts)
    .leftJoin(users, eq(users.id, alerts.closedBy))
    .where(eq(alerts.id, id));
  const history = await db
    .select({
      id: alertEvents.id,
      at: alertEvents.at,
      kind: alertEvents.kind,
      note: alertEvents.note,
      actorId: alertEvents.actorId,
      actorName: users.displayName,
    })
    .from(alertEvents)
    .leftJoin(users, eq(users.id, alertEvents.actorId))
    .where(eq(alertEvents.alertId, id))
    .orderBy(asc(alertEvents.at), asc(alertEvents.id));
  return {
    ...item,
    closedBy: closer?.closedBy ? { id: closer.closedBy, displayName: closer.name ?? "" } : null,
    evaluation: evaluation ? evaluationView(evaluation) : null,
    complaint: complaint ? complaintView(complaint) : null,
    inspection: item.inspectionId ? await inspectionView(db, item.inspectionId) : null,
    events: history.map((e) => ({
      id: e.id,
      at: iso(e.at)!,
      kind: e.kind,
      note: e.note,
      actor: e.actorId ? { id: e.actorId, displayName: e.actorName ?? "" } : null,
    })),
  };
}

/** A complaint as the 司法局 reads it (the department never sees who complained). */
export function complaintView(row: typeof complaints.$inferSelect) {
  return {
    id: row.id,
    receiptNo: row.receiptNo,
    kind: row.kind,
    visitDate: row.visitDate,
    inspectionId: row.inspectionId,
    text: row.text,
    unfiledVisit: row.unfiledVisit,
    status: row.status,
    outcome: row.outcome,
    createdAt: iso(row.createdAt)!,
  };
}

/** An individual evaluation read with its own form version (only ever shown to the justice bureau). */
export function evaluationView(e: {
  id: string;
  formId: string;
  version: number;
  data: string;
  negativeAnswers: string;
  score: number | null;
  submittedAt: number;
  schema: string;
}) {
  const data = JSON.parse(e.data) as Record<string, unknown>;
  return {
    id: e.id,
    formId: e.formId,
    version: e.version,
    submittedAt: iso(e.submittedAt)!,
    score: e.score,
    negativeAnswers: JSON.parse(e.negativeAnswers) as NegativeAnswer[],
    answers: answerLines(JSON.parse(e.schema), data),
  };
}

/** The inspection behind an alert: enterprise, departments, officers and items. */
export async function inspectionView(db: Db, inspectionId: string) {
  const [row] = await db
    .select({
      id: inspections.id,
      type: inspections.type,
      status: inspections.status,
      plannedStart: inspections.plannedStart,
      plannedEnd: inspections.plannedEnd,
      enterpriseName: enterprises.name,
      creditCode: enterprises.creditCode,
    })
    .from(inspections)
    .innerJoin(enterprises, eq(enterprises.id, inspections.enterpriseId))
    .where(eq(inspections.id, inspectionId));
  if (!row) return null;
  const depts = await db
    .select({ id: departments.id, name: departments.name })
    .from(inspectionDepartments)
    .innerJoin(departments, eq(departments.id, inspectionDepartments.departmentId))
    .where(eq(inspectionDepartments.inspectionId, inspectionId))
    .orderBy(asc(inspectionDepartments.joinedAt));
  const people = await db
    .select({
      name: officers.name,
      credentialNo: officers.credentialNo,
      isHelper: inspectionOfficers.isHelper,
    })
    .from(inspectionOfficers)
    .innerJoin(officers, eq(officers.id, inspectionOfficers.officerId))
    .where(eq(inspectionOfficers.inspectionId, inspectionId))
    .orderBy(asc(inspectionOfficers.isHelper), asc(officers.name));
  const items = await db
    .select({ code: catalogItems.code, name: catalogItems.name })
    .from(inspectionItems)
    .innerJoin(catalogItems, eq(catalogItems.id, inspectionItems.itemId))
    .where(eq(inspectionItems.inspectionId, inspectionId))
    .orderBy(asc(catalogItems.code));
  return {
    id: row.id,
    type: row.type,
    typeLabel: TYPE_LABELS[row.type],
    status: row.status,
    statusLabel: STATUS_LABELS[row.status],
    plannedStart: iso(row.plannedStart)!,
    plannedEnd: iso(row.plannedEnd)!,
    enterprise: { name: row.enterpriseName, creditCode: row.creditCode },
    departments: depts,
    officers: people.map((p) => ({
      name: p.name,
      credentialNo: p.isHelper ? null : p.credentialNo,
      isHelper: p.isHelper,
    })),
    items,
  };
}
