/**
 * Corrective actions (整改, issue 15) on the dashboard: opened, corrected in time, overdue, 首违 share,
 * per department, district and catalog item; 复查 filings and inspections closed with open actions.
 * Computed by query: each figure's condition is the one its list of records uses (ACTION_CONDITIONS).
 */
import { sql, type SQL } from "drizzle-orm";
import { overdueCondition } from "../actions/overdue.ts";
import type { Db } from "../db/client.ts";
import type { DashboardScope } from "./scope.ts";
import { factFilter, num, rate } from "./sql.ts";

export interface ActionFigures {
  opened: number;
  onTime: number;
  overdue: number;
  /** Failed points the form marks eligible for 首违不罚, and how many of them were first violations. */
  eligible: number;
  first: number;
  firstShare: number | null;
  /** 复查 filings: per department and district only (a 复查 covers several items). */
  reinspections: number;
}

export type ActionMetric = "actions_opened" | "actions_on_time" | "actions_overdue" | "actions_first";

/** The row condition behind each action figure (alias `a` = corrective_actions). */
export function actionCondition(metric: ActionMetric, s: DashboardScope): SQL {
  if (metric === "actions_on_time") return sql`(a.status = 'accepted' AND a.corrected_on_time = 1)`;
  if (metric === "actions_overdue") return overdueCondition("a", s.now, s.timeZone);
  if (metric === "actions_first") return sql`a.first_violation = 'first'`;
  return sql`1`;
}

/**
 * Actions written in the period, in the scope. The district is the inspection's (its lead facts row),
 * the department the one owning the item (the one that reviews the action).
 */
export function actionScope(s: DashboardScope, itemId?: string): SQL {
  const parts = [sql`a.created_at >= ${s.from}`, sql`a.created_at < ${s.to}`];
  if (s.departmentId) parts.push(sql`a.department_id = ${s.departmentId}`);
  if (s.district) parts.push(sql`f.district = ${s.district}`);
  if (itemId) parts.push(sql`a.item_id = ${itemId}`);
  return sql.join(parts, sql` AND `);
}

export const ACTION_FROM = sql`corrective_actions a JOIN dashboard_facts f ON f.inspection_id = a.inspection_id AND f.is_lead = 1`;

/** 复查 filings and inspections closed with open actions: facts rows (planned start in the period). */
export const REINSPECTION = sql`f.status <> 'draft' AND i.reinspection_of IS NOT NULL`;
export const CLOSED_OPEN_ACTIONS = sql`f.status = 'closed' AND i.closed_with_open_actions = 1`;

const empty = (): ActionFigures => ({
  opened: 0,
  onTime: 0,
  overdue: 0,
  eligible: 0,
  first: 0,
  firstShare: null,
  reinspections: 0,
});

type Row = { key: string; opened: number; on_time: number; overdue: number; eligible: number; first: number };

async function grouped(db: Db, s: DashboardScope, key: SQL) {
  return db.all<Row>(sql`SELECT ${key} AS key, count(*) AS opened,
      sum(CASE WHEN ${actionCondition("actions_on_time", s)} THEN 1 ELSE 0 END) AS on_time,
      sum(CASE WHEN ${actionCondition("actions_overdue", s)} THEN 1 ELSE 0 END) AS overdue,
      sum(CASE WHEN a.first_violation IS NOT NULL THEN 1 ELSE 0 END) AS eligible,
      sum(CASE WHEN ${actionCondition("actions_first", s)} THEN 1 ELSE 0 END) AS first
    FROM ${ACTION_FROM} WHERE ${actionScope(s)} GROUP BY ${key}`);
}

function add(into: ActionFigures, r: Row) {
  into.opened += num(r.opened);
  into.onTime += num(r.on_time);
  into.overdue += num(r.overdue);
  into.eligible += num(r.eligible);
  into.first += num(r.first);
  into.firstShare = rate(into.first, into.eligible);
}

async function reinspections(db: Db, s: DashboardScope, key: SQL, leadOnly: boolean) {
  return db.all<{ key: string; n: number }>(sql`SELECT ${key} AS key, count(*) AS n
    FROM dashboard_facts f JOIN inspections i ON i.id = f.inspection_id
    WHERE ${factFilter(s, sql`f.planned_start`, leadOnly)} AND ${REINSPECTION} GROUP BY ${key}`);
}

export async function actionFigures(db: Db, s: DashboardScope) {
  const totals = empty();
  const byDepartment = new Map<string, ActionFigures>();
  const byDistrict = new Map<string, ActionFigures>();
  const byItem = new Map<string, ActionFigures>();
  const fill = (map: Map<string, ActionFigures>, rows: Row[]) => {
    for (const r of rows) {
      const f = map.get(r.key) ?? empty();
      map.set(r.key, f);
      add(f, r);
    }
  };
  const byDept = await grouped(db, s, sql`a.department_id`);
  fill(byDepartment, byDept);
  for (const r of byDept) add(totals, r);
  fill(byDistrict, await grouped(db, s, sql`f.district`));
  fill(byItem, await grouped(db, s, sql`a.item_id`));
  // Per department every department's rows (a joint 复查 counts for each, as its records list shows);
  // the total and districts the lead row only, so an inspection counts once.
  for (const r of await reinspections(db, s, sql`f.department_id`, false)) {
    const f = byDepartment.get(r.key) ?? empty();
    byDepartment.set(r.key, f);
    f.reinspections = num(r.n);
  }
  for (const r of await reinspections(db, s, sql`f.district`, true)) {
    const f = byDistrict.get(r.key) ?? empty();
    byDistrict.set(r.key, f);
    f.reinspections = num(r.n);
    totals.reinspections += num(r.n);
  }
  const [closed] = await db.all<{ n: number }>(sql`SELECT count(*) AS n
    FROM dashboard_facts f JOIN inspections i ON i.id = f.inspection_id
    WHERE ${factFilter(s, sql`f.planned_start`, true)} AND ${CLOSED_OPEN_ACTIONS}`);
  const items = await db.all<{ id: string; code: string; name: string }>(
    sql`SELECT id, code, name FROM catalog_items WHERE id IN (SELECT DISTINCT a.item_id FROM ${ACTION_FROM} WHERE ${actionScope(s)})`,
  );
  const itemNames = new Map(items.map((i) => [i.id, i]));
  const list = (map: Map<string, ActionFigures>) => [...map].map(([key, figures]) => ({ key, figures }));
  return {
    totals,
    closedWithOpenActions: num(closed?.n),
    byDepartment: list(byDepartment),
    byDistrict: list(byDistrict),
    byItem: [...byItem].map(([key, figures]) => ({
      key,
      code: itemNames.get(key)?.code ?? "",
      name: itemNames.get(key)?.name ?? "",
      figures,
    })),
  };
}
