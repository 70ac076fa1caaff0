/** What the case pages read: the bureau sees the sources; a department only their kinds (R14). */
import { and, asc, desc, eq, inArray, sql, type SQL } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import {
  alerts,
  caseAttachments,
  caseEvents,
  cases,
  caseSources,
  complaints,
  departments,
  officers,
  users,
  type CaseSourceKind,
} from "../db/schema.ts";
import { iso } from "../lib/router.ts";
import { localDate } from "../lib/time.ts";
import { answerOverdue, CONCLUSION_LABELS, LEVEL_LABELS, STATUS_LABELS } from "./rules.ts";
import type { CaseRow } from "./store.ts";

export const SOURCE_LABELS: Record<CaseSourceKind, string> = {
  alert: "告警",
  complaint: "企业投诉",
  warning: "监督预警",
  review: "案卷评查",
};

const WARNING_LABELS: Record<string, string> = {
  high_frequency: "高频入企",
  late_filing: "补办备案",
  unregistered_visit: "未登记入企",
  overdue_correction: "整改逾期",
};

type Row = CaseRow & { departmentName: string };

const dayOf = (ms: number | null, tz: string) => (ms == null ? null : localDate(ms, tz));

function item(r: Row, today: string, tz: string) {
  return {
    id: r.id,
    number: r.number,
    title: r.title,
    department: { id: r.departmentId, name: r.departmentName },
    level: r.level,
    levelLabel: LEVEL_LABELS[r.level],
    situations: JSON.parse(r.situations) as string[],
    status: r.status,
    statusLabel: STATUS_LABELS[r.status],
    answerDue: r.answerDue,
    overdue: answerOverdue(
      { status: r.status, answerDue: r.answerDue, answeredOn: dayOf(r.answeredAt, tz) },
      today,
    ),
    conclusion: r.conclusion,
    conclusionLabel: r.conclusion ? CONCLUSION_LABELS[r.conclusion] : null,
    openedAt: iso(r.openedAt)!,
    closedAt: iso(r.closedAt),
  };
}

const withDepartment = (db: Db) =>
  db
    .select({ c: cases, departmentName: departments.name })
    .from(cases)
    .innerJoin(departments, eq(departments.id, cases.departmentId));

export interface ListFilter {
  status?: string;
  departmentId?: string;
  limit: number;
}

export async function listCases(db: Db, f: ListFilter, today: string, tz: string) {
  const where: SQL[] = [];
  if (f.departmentId) where.push(eq(cases.departmentId, f.departmentId));
  if (f.status === "active" || f.status === "overdue") where.push(sql`${cases.status} <> 'closed'`);
  else if (f.status) where.push(eq(cases.status, f.status as CaseRow["status"]));
  const rows = await withDepartment(db)
    .where(where.length ? and(...where) : undefined)
    .orderBy(desc(cases.openedAt))
    .limit(f.limit);
  const items = rows.map((r) => item({ ...r.c, departmentName: r.departmentName }, today, tz));
  return { items: f.status === "overdue" ? items.filter((i) => i.overdue) : items };
}

const attachmentUrl = (caseId: string, id: string) => `/api/cases/${caseId}/attachments/${id}`;

/** The case in full; `forDepartment` strips the sources to their kinds (who complained stays hidden). */
export async function caseDetail(db: Db, id: string, forDepartment: boolean, today: string, tz: string) {
  const [r] = await withDepartment(db).where(eq(cases.id, id));
  if (!r) return null;
  const row = { ...r.c, departmentName: r.departmentName };
  const officerIds = JSON.parse(row.officerIds) as string[];
  const people = officerIds.length
    ? await db
        .select({ id: officers.id, name: officers.name, status: officers.status })
        .from(officers)
        .where(inArray(officers.id, officerIds))
    : [];
  const sources = await db.select().from(caseSources).where(eq(caseSources.caseId, id));
  const events = await db
    .select({ e: caseEvents, actor: users.displayName })
    .from(caseEvents)
    .leftJoin(users, eq(users.id, caseEvents.actorId))
    .where(eq(caseEvents.caseId, id))
    .orderBy(asc(caseEvents.seq));
  const files = await db
    .select({ id: caseAttachments.id, contentType: caseAttachments.contentType })
    .from(caseAttachments)
    .where(eq(caseAttachments.caseId, id));
  const typeOf = new Map(files.map((f) => [f.id, f.contentType]));
  const answers = events
    .filter((e) => e.e.kind === "answer")
    .map((e) => {
      const d = JSON.parse(e.e.detail) as { report?: string; attachmentIds?: string[] };
      return {
        at: iso(e.e.at)!,
        report: d.report ?? "",
        attachments: (d.attachmentIds ?? []).map((a) => ({
          id: a,
          url: attachmentUrl(id, a),
          contentType: typeOf.get(a) ?? "",
        })),
      };
    });
  return {
    ...item(row, today, tz),
    facts: row.facts,
    officers: people,
    sources: forDepartment
      ? sources.map((s) => ({ kind: s.kind, kindLabel: SOURCE_LABELS[s.kind] }))
      : await Promise.all(
          sources.map(async (s) => ({
            kind: s.kind,
            kindLabel: SOURCE_LABELS[s.kind],
            ref: s.ref,
            summary: await sourceSummary(db, s.kind, s.ref),
          })),
        ),
    conclusionDetail: row.conclusionDetail
      ? (JSON.parse(row.conclusionDetail) as Record<string, unknown>)
      : null,
    answers,
    events: events.map((e) => ({
      seq: e.e.seq,
      at: iso(e.e.at)!,
      kind: e.e.kind,
      note: e.e.note,
      actor: e.actor,
    })),
    sentAt: iso(row.sentAt),
    answeredAt: iso(row.answeredAt),
    acceptedAt: iso(row.acceptedAt),
  };
}

async function sourceSummary(db: Db, kind: CaseSourceKind, ref: string): Promise<string> {
  if (kind === "alert") {
    const [a] = await db.select({ s: alerts.summary }).from(alerts).where(eq(alerts.id, ref));
    return a?.s ?? "";
  }
  if (kind === "complaint") {
    const [p] = await db
      .select({ no: complaints.receiptNo, text: complaints.text })
      .from(complaints)
      .where(eq(complaints.id, ref));
    return p ? `${p.no}：${p.text.slice(0, 200)}` : "";
  }
  if (kind === "warning") return WARNING_LABELS[ref.split(":")[0] ?? ""] ?? "";
  return "";
}
