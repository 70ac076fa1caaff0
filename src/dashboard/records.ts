import { sql, type SQL } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import type { InspectionStatus, InspectionType } from "../db/schema.ts";
import { STATUS_LABELS, TYPE_LABELS } from "../inspections/labels.ts";
import { decodeCursor, encodeCursor } from "../lib/cursor.ts";
import { ApiError, forbidden } from "../lib/errors.ts";
import { iso } from "../lib/router.ts";
import { ACTION_STATUS_LABELS } from "../actions/overdue.ts";
import { COMPLAINT_KIND_LABELS } from "../enterprise/labels.ts";
import type { ActionStatus } from "../db/schema.ts";
import {
  ACTION_FROM,
  actionCondition,
  actionScope,
  CLOSED_OPEN_ACTIONS,
  REINSPECTION,
  type ActionMetric,
} from "./actions.ts";
import { frequencyFilter, yearsOf } from "./overview.ts";
import { factFilter, num, VISITED } from "./sql.ts";
import type { DashboardScope } from "./scope.ts";

/** Drill-down lists, one per dashboard figure. */
export const METRICS = [
  "filings",
  "visits",
  "joint",
  "offsite",
  "case",
  "late",
  "refused",
  "repeat",
  "highfreq",
  "checked",
  "failed",
  "evaluations",
  "negative",
  "question",
  "alerts",
  "alerts_open",
  "alerts_closed",
  "complaints",
  "unfiled_visit_complaints",
  "unregistered_visits",
  "cancelled",
  "late_filings",
  "actions_opened",
  "actions_on_time",
  "actions_overdue",
  "actions_first",
  "reinspections",
  "closed_open_actions",
] as const;
export type Metric = (typeof METRICS)[number];

/** Lists of individual evaluations, alerts and complaints: the justice bureau's only (R9, R14). */
const BUREAU_ONLY = new Set<Metric>([
  "evaluations",
  "negative",
  "question",
  "alerts",
  "alerts_open",
  "alerts_closed",
  "complaints",
  "unfiled_visit_complaints",
]);

/** The facts-row condition behind each inspection figure. */
const FACT_CONDITIONS: Partial<Record<Metric, SQL>> = {
  filings: sql`f.status <> 'draft'`,
  visits: sql`f.status IN ${VISITED}`,
  joint: sql`f.status <> 'draft' AND f.joint = 1`,
  offsite: sql`f.status <> 'draft' AND f.off_site = 1`,
  case: sql`f.status <> 'draft' AND f.type = 'case'`,
  late: sql`f.status <> 'draft' AND f.late_filing = 1`,
  refused: sql`f.status = 'refused'`,
  // Literal conditions, so the planner can use the partial indexes of migrations/0010.
  cancelled: sql`f.status = 'cancelled'`,
  late_filings: sql`f.late_filing = 1 AND f.status <> 'draft'`,
  reinspections: REINSPECTION,
  closed_open_actions: CLOSED_OPEN_ACTIONS,
};

const ACTION_METRICS = new Set<Metric>([
  "actions_opened",
  "actions_on_time",
  "actions_overdue",
  "actions_first",
]);

export interface DrillQuery {
  metric: Metric;
  itemId?: string;
  question?: string;
  cursor?: string;
  limit: number;
}

interface Cursor {
  t: number;
  id: string;
  k: string;
}

function encode(c: Cursor): string {
  return encodeCursor([c.t, c.id, c.k]);
}

function decode(text: string | undefined): Cursor | null {
  if (!text) return null;
  const c = decodeCursor(text, ["number", "string", "string"] as const);
  if (!c) throw new ApiError(400, "invalid_cursor", "分页参数无效");
  return { t: c[0], id: c[1], k: c[2] };
}

/** Rows after the cursor in (time DESC, id DESC, key DESC) order. */
function after(c: Cursor | null, t: SQL, id: SQL, k: SQL): SQL {
  if (!c) return sql`1`;
  return sql`(${t} < ${c.t} OR (${t} = ${c.t} AND (${id} < ${c.id} OR (${id} = ${c.id} AND ${k} < ${c.k}))))`;
}

interface InspectionRow {
  inspection_id: string;
  department_id: string;
  department_name: string;
  enterprise_id: string;
  enterprise_name: string;
  credit_code: string;
  district: string;
  planned_start: number;
  type: InspectionType;
  status: InspectionStatus;
  joint: number;
  off_site: number;
  late_filing: number;
  filed_at: number;
  cancelled_at: number | null;
  cancel_reason: string | null;
  t: number;
  k: string;
  item_code?: string | null;
  item_name?: string | null;
  score?: number | null;
  negative?: number | null;
  evaluation_id?: string | null;
  alert_id?: string | null;
  alert_status?: string | null;
  created_at?: number | null;
  closed_at?: number | null;
  action_id?: string | null;
  action_status?: ActionStatus | null;
  deadline?: string | null;
  first_violation?: string | null;
}

const INSPECTION_COLUMNS = sql`f.inspection_id, f.department_id, d.name AS department_name, f.enterprise_id,
  e.name AS enterprise_name, e.credit_code, f.district, f.planned_start, f.type, f.status, f.joint, f.off_site,
  f.late_filing, i.filed_at, i.cancelled_at, i.cancel_reason`;
const NAMES = sql`JOIN departments d ON d.id = f.department_id JOIN enterprises e ON e.id = f.enterprise_id
  JOIN inspections i ON i.id = f.inspection_id`;

function toItem(r: InspectionRow) {
  return {
    inspectionId: r.inspection_id,
    department: { id: r.department_id, name: r.department_name },
    enterprise: { id: r.enterprise_id, name: r.enterprise_name, creditCode: r.credit_code },
    district: r.district,
    plannedStart: iso(r.planned_start)!,
    type: r.type,
    typeLabel: TYPE_LABELS[r.type] ?? r.type,
    status: r.status,
    statusLabel: STATUS_LABELS[r.status] ?? r.status,
    joint: Boolean(r.joint),
    offSite: Boolean(r.off_site),
    late: Boolean(r.late_filing),
    filedAt: iso(r.filed_at)!,
    lateDays: r.late_filing
      ? Math.round((Math.max(0, num(r.filed_at) - num(r.planned_start)) / 86_400_000) * 10) / 10
      : undefined,
    cancelled:
      r.status === "cancelled" ? { at: iso(r.cancelled_at), reason: r.cancel_reason ?? "" } : undefined,
    item: r.item_code ? { code: r.item_code, name: r.item_name ?? "" } : undefined,
    evaluation:
      r.evaluation_id !== undefined
        ? { id: r.evaluation_id ?? null, score: r.score ?? null, negative: Boolean(r.negative) }
        : undefined,
    action: r.action_id
      ? {
          id: r.action_id,
          status: r.action_status!,
          statusLabel: ACTION_STATUS_LABELS[r.action_status!] ?? r.action_status!,
          deadline: r.deadline ?? "",
          firstViolation: r.first_violation ?? null,
        }
      : undefined,
    alert: r.alert_id
      ? {
          id: r.alert_id,
          status: r.alert_status ?? "",
          createdAt: iso(r.created_at)!,
          closedAt: iso(r.closed_at),
        }
      : undefined,
  };
}

export type DrillItem = ReturnType<typeof toItem>;

/** Start of calendar year `y` in China Standard Time (as the yearly counts are kept). */
const cstYearStart = (y: number) => Date.UTC(y, 0, 1) - 8 * 3_600_000;
const CST_YEAR = (column: SQL) => sql`strftime('%Y', ${column} / 1000, 'unixepoch', '+8 hours')`;

/** The SELECT behind one figure, already filtered and ordered, for one page. */
function pageQuery(s: DashboardScope, q: DrillQuery, c: Cursor | null, limit: number): SQL {
  const condition = FACT_CONDITIONS[q.metric];
  if (condition) {
    const keyset = after(c, sql`f.planned_start`, sql`f.inspection_id`, sql`f.department_id`);
    return sql`SELECT ${INSPECTION_COLUMNS}, f.planned_start AS t, f.department_id AS k FROM dashboard_facts f ${NAMES}
      WHERE ${factFilter(s, sql`f.planned_start`, true)} AND ${condition} AND ${keyset}
      ORDER BY f.planned_start DESC, f.inspection_id DESC, f.department_id DESC LIMIT ${limit}`;
  }
  if (ACTION_METRICS.has(q.metric)) {
    // One row per action (an inspection may have several): the action id is the cursor's key.
    const keyset = after(c, sql`a.created_at`, sql`a.inspection_id`, sql`a.id`);
    return sql`SELECT ${INSPECTION_COLUMNS}, a.created_at AS t, a.id AS k, a.id AS action_id,
        a.status AS action_status, a.deadline, a.first_violation, c.code AS item_code, c.name AS item_name
      FROM ${ACTION_FROM} ${NAMES} JOIN catalog_items c ON c.id = a.item_id
      WHERE ${actionScope(s, q.itemId)} AND ${actionCondition(q.metric as ActionMetric, s)} AND ${keyset}
      ORDER BY a.created_at DESC, a.inspection_id DESC, a.id DESC LIMIT ${limit}`;
  }
  if (q.metric === "repeat") {
    const [first, last] = yearsOf(s);
    const scope = { ...s, from: cstYearStart(first), to: cstYearStart(last + 1) };
    const keyset = after(c, sql`f.planned_start`, sql`f.inspection_id`, sql`f.department_id`);
    return sql`SELECT ${INSPECTION_COLUMNS}, f.planned_start AS t, f.department_id AS k FROM dashboard_facts f ${NAMES}
      WHERE ${factFilter(scope, sql`f.planned_start`, false)} AND f.status IN ${VISITED} AND ${keyset}
        AND EXISTS (SELECT 1 FROM dashboard_facts p WHERE p.department_id = f.department_id
          AND p.enterprise_id = f.enterprise_id AND p.status IN ${VISITED} AND p.planned_start >= ${scope.from}
          AND (p.planned_start < f.planned_start OR (p.planned_start = f.planned_start AND p.inspection_id < f.inspection_id))
          AND ${CST_YEAR(sql`p.planned_start`)} = ${CST_YEAR(sql`f.planned_start`)})
      ORDER BY f.planned_start DESC, f.inspection_id DESC, f.department_id DESC LIMIT ${limit}`;
  }
  if (q.metric === "unregistered_visits") {
    // Alerts stay the bureau's: a department administrator gets the inspections only.
    const keyset = after(c, sql`f.planned_start`, sql`f.inspection_id`, sql`f.department_id`);
    const alert = s.bureau
      ? sql`, a.id AS alert_id, a.status AS alert_status, a.created_at, a.closed_at`
      : sql``;
    return sql`SELECT ${INSPECTION_COLUMNS}, f.planned_start AS t, f.department_id AS k ${alert}
      FROM alerts a CROSS JOIN dashboard_facts f ON f.inspection_id = a.inspection_id ${NAMES}
      WHERE a.kind = 'unregistered_visit' AND a.created_at >= ${s.from}
        AND ${factFilter(s, sql`f.planned_start`, true)} AND ${keyset}
      ORDER BY f.planned_start DESC, f.inspection_id DESC, f.department_id DESC LIMIT ${limit}`;
  }
  if (q.metric === "checked" || q.metric === "failed") {
    // CROSS JOIN keeps the item results as the outer loop, read in time order from their index.
    const keyset = after(c, sql`t.planned_start`, sql`t.inspection_id`, sql`t.item_id`);
    const parts = [sql`t.planned_start >= ${s.from}`, sql`t.planned_start < ${s.to}`];
    if (s.departmentId) parts.push(sql`t.department_id = ${s.departmentId}`);
    if (s.district) parts.push(sql`t.district = ${s.district}`);
    if (q.itemId) parts.push(sql`t.item_id = ${q.itemId}`);
    if (q.metric === "failed") parts.push(sql`t.failed = 1`);
    return sql`SELECT ${INSPECTION_COLUMNS}, t.planned_start AS t, t.item_id AS k, c.code AS item_code, c.name AS item_name
      FROM dashboard_item_facts t CROSS JOIN catalog_items c ON c.id = t.item_id
        JOIN dashboard_facts f ON f.inspection_id = t.inspection_id AND f.is_lead = 1 ${NAMES}
      WHERE ${sql.join(parts, sql` AND `)} AND ${keyset}
      ORDER BY t.planned_start DESC, t.inspection_id DESC, t.item_id DESC LIMIT ${limit}`;
  }
  if (q.metric === "evaluations" || q.metric === "negative" || q.metric === "question") {
    const keyset = after(c, sql`f.evaluated_at`, sql`f.inspection_id`, sql`f.department_id`);
    const negative = q.metric === "evaluations" ? sql`1` : sql`f.negative = 1`;
    const question =
      q.metric === "question"
        ? sql`EXISTS (SELECT 1 FROM dashboard_negative_answers n WHERE n.inspection_id = f.inspection_id
            AND n.name = ${q.question ?? ""})`
        : sql`1`;
    return sql`SELECT ${INSPECTION_COLUMNS}, f.evaluated_at AS t, f.department_id AS k, v.id AS evaluation_id,
        v.score, v.negative
      FROM dashboard_facts f ${NAMES} JOIN evaluations v ON v.inspection_id = f.inspection_id
      WHERE ${factFilter(s, sql`f.evaluated_at`, true)} AND ${negative} AND ${question} AND ${keyset}
      ORDER BY f.evaluated_at DESC, f.inspection_id DESC, f.department_id DESC LIMIT ${limit}`;
  }
  const keyset = after(c, sql`a.created_at`, sql`a.id`, sql`''`);
  const status =
    q.metric === "alerts_open"
      ? sql`a.status <> 'closed'`
      : q.metric === "alerts_closed"
        ? sql`a.status = 'closed'`
        : sql`1`;
  const parts = [sql`a.created_at >= ${s.from}`, sql`a.created_at < ${s.to}`];
  if (s.departmentId) parts.push(sql`a.department_id = ${s.departmentId}`);
  if (s.district) parts.push(sql`f.district = ${s.district}`);
  return sql`SELECT ${INSPECTION_COLUMNS}, a.created_at AS t, '' AS k, a.id AS alert_id, a.status AS alert_status,
      a.created_at, a.closed_at
    FROM alerts a JOIN dashboard_facts f ON f.inspection_id = a.inspection_id AND f.department_id = a.department_id ${NAMES}
    WHERE ${sql.join(parts, sql` AND `)} AND ${status} AND ${keyset}
    ORDER BY a.created_at DESC, a.id DESC LIMIT ${limit}`;
}

/** The ids of a row's cursor: alerts page by their own id, everything else by the inspection. */
function cursorOf(q: DrillQuery, r: InspectionRow): Cursor {
  const byAlert = q.metric === "alerts" || q.metric === "alerts_open" || q.metric === "alerts_closed";
  return { t: num(r.t), id: byAlert ? r.alert_id! : r.inspection_id, k: r.k };
}

/**
 * One page of the records behind a figure, newest first, with the cursor of the next page. Paging
 * through to the end yields exactly as many rows as the figure counts.
 */
export async function drillDown(db: Db, s: DashboardScope, q: DrillQuery) {
  if (BUREAU_ONLY.has(q.metric) && !s.bureau) throw forbidden("单份评价和告警仅司法局可查看");
  if (q.metric === "highfreq") return highFrequencyPage(db, s, q);
  if (q.metric === "complaints" || q.metric === "unfiled_visit_complaints") return complaintPage(db, s, q);
  const c = decode(q.cursor);
  const rows = await db.all<InspectionRow>(pageQuery(s, q, c, q.limit + 1));
  const page = rows.slice(0, q.limit);
  const more = rows.length > q.limit;
  return {
    metric: q.metric,
    items: page.map(toItem),
    groups: undefined,
    complaints: undefined,
    nextCursor: more ? encode(cursorOf(q, page.at(-1)!)) : null,
  };
}

/** High-frequency warnings: (department, enterprise, year) over the cap, most filings first. */
async function highFrequencyPage(db: Db, s: DashboardScope, q: DrillQuery) {
  const c = decode(q.cursor);
  const keyset = c
    ? sql`(q.filings < ${c.t} OR (q.filings = ${c.t} AND (q.department_id || '/' || q.enterprise_id || '/' || q.year) > ${c.k}))`
    : sql`1`;
  const rows = await db.all<{
    department_id: string;
    department_name: string;
    enterprise_id: string;
    enterprise_name: string;
    credit_code: string;
    district: string;
    year: number;
    filings: number;
    visits: number;
    k: string;
  }>(sql`SELECT q.department_id, d.name AS department_name, q.enterprise_id, e.name AS enterprise_name,
      e.credit_code, q.district, q.year, q.filings, q.visits, q.k
    FROM (SELECT q.*, q.department_id || '/' || q.enterprise_id || '/' || q.year AS k FROM dashboard_frequency q
        WHERE ${frequencyFilter(s)} AND q.filings > ${s.yearlyCap} AND ${keyset}
        ORDER BY q.filings DESC, k LIMIT ${q.limit + 1}) q
      JOIN departments d ON d.id = q.department_id JOIN enterprises e ON e.id = q.enterprise_id
    ORDER BY q.filings DESC, q.k`);
  const page = rows.slice(0, q.limit);
  const last = page.at(-1);
  return {
    metric: q.metric,
    items: [],
    complaints: undefined,
    groups: page.map((r) => ({
      department: { id: r.department_id, name: r.department_name },
      enterprise: { id: r.enterprise_id, name: r.enterprise_name, creditCode: r.credit_code },
      district: r.district,
      year: num(r.year),
      filings: num(r.filings),
      visits: num(r.visits),
    })),
    nextCursor: rows.length > q.limit && last ? encode({ t: num(last.filings), id: "", k: last.k }) : null,
  };
}

/** Complaints received in the period (the bureau's only), newest first. */
async function complaintPage(db: Db, s: DashboardScope, q: DrillQuery) {
  const c = decode(q.cursor);
  const parts = [sql`c.created_at >= ${s.from}`, sql`c.created_at < ${s.to}`];
  if (s.departmentId) parts.push(sql`c.department_id = ${s.departmentId}`);
  if (s.district) parts.push(sql`e.district = ${s.district}`);
  if (q.metric === "unfiled_visit_complaints") parts.push(sql`c.unfiled_visit = 1`);
  parts.push(after(c, sql`c.created_at`, sql`c.id`, sql`''`));
  const rows = await db.all<{
    id: string;
    receipt_no: string;
    kind: string;
    visit_date: string;
    inspection_id: string | null;
    unfiled_visit: number;
    status: string;
    text: string;
    created_at: number;
    department_id: string;
    department_name: string;
    enterprise_id: string;
    enterprise_name: string;
    credit_code: string;
    district: string;
  }>(sql`SELECT c.id, c.receipt_no, c.kind, c.visit_date, c.inspection_id, c.unfiled_visit, c.status, c.text,
      c.created_at, c.department_id, d.name AS department_name, c.enterprise_id, e.name AS enterprise_name,
      e.credit_code, e.district
    FROM complaints c JOIN enterprises e ON e.id = c.enterprise_id JOIN departments d ON d.id = c.department_id
    WHERE ${sql.join(parts, sql` AND `)}
    ORDER BY c.created_at DESC, c.id DESC LIMIT ${q.limit + 1}`);
  const page = rows.slice(0, q.limit);
  const last = page.at(-1);
  return {
    metric: q.metric,
    items: [],
    groups: undefined,
    complaints: page.map((r) => ({
      id: r.id,
      receiptNo: r.receipt_no,
      kind: r.kind,
      kindLabel: (COMPLAINT_KIND_LABELS as Record<string, string>)[r.kind] ?? r.kind,
      department: { id: r.department_id, name: r.department_name },
      enterprise: { id: r.enterprise_id, name: r.enterprise_name, creditCode: r.credit_code },
      district: r.district,
      visitDate: r.visit_date,
      inspectionId: r.inspection_id,
      unfiledVisit: Boolean(r.unfiled_visit),
      status: r.status,
      text: r.text,
      createdAt: iso(r.created_at)!,
    })),
    nextCursor:
      rows.length > q.limit && last ? encode({ t: num(last.created_at), id: last.id, k: "" }) : null,
  };
}
