import { sql, type SQL } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { num, VISITED } from "./sql.ts";
import type { DashboardScope } from "./scope.ts";

/** Width of a `dashboard_weekly` block: weeks counted from the epoch. */
export const WEEK_MS = 604_800_000;

export type CubeKind = "visit" | "evaluation";

/** Sums for one (department, district, lead flag). */
export interface CubeCell {
  departmentId: string;
  district: string;
  isLead: boolean;
  sums: Record<string, number>;
}

/** Each kind's sums over facts rows, with the name of the `dashboard_weekly` column holding them. */
const SUMS: Record<CubeKind, [string, SQL][]> = {
  visit: [
    ["filings", sql`count(*)`],
    ["visits", sql`sum(f.status IN ${VISITED})`],
    ["joint", sql`sum(f.joint)`],
    ["off_site", sql`sum(f.off_site)`],
    ["cases", sql`sum(f.type = 'case')`],
    ["late", sql`sum(f.late_filing)`],
    ["refused", sql`sum(f.status = 'refused')`],
  ],
  evaluation: [
    ["evaluations", sql`count(*)`],
    ["scored", sql`count(f.score)`],
    ["score_sum", sql`sum(f.score)`],
    ["negative", sql`sum(f.negative)`],
  ],
};

function filters(s: DashboardScope, alias: string): SQL[] {
  const parts: SQL[] = [];
  if (s.departmentId) parts.push(sql`${sql.raw(alias)}.department_id = ${s.departmentId}`);
  if (s.district) parts.push(sql`${sql.raw(alias)}.district = ${s.district}`);
  return parts;
}

type Raw = Record<string, unknown> & { department_id: string; district: string; is_lead: number };

async function fromFacts(
  db: Db,
  s: DashboardScope,
  kind: CubeKind,
  from: number,
  to: number,
): Promise<Raw[]> {
  const column = kind === "visit" ? sql`f.planned_start` : sql`f.evaluated_at`;
  const where = [sql`${column} >= ${from}`, sql`${column} < ${to}`, ...filters(s, "f")];
  if (kind === "visit") where.push(sql`f.status <> 'draft'`);
  const sums = sql.join(
    SUMS[kind].map(([name, expr]) => sql`${expr} AS ${sql.identifier(name)}`),
    sql`, `,
  );
  return db.all<Raw>(sql`SELECT f.department_id, f.district, f.is_lead, ${sums} FROM dashboard_facts f
    WHERE ${sql.join(where, sql` AND `)} GROUP BY f.department_id, f.district, f.is_lead`);
}

async function fromWeeks(
  db: Db,
  s: DashboardScope,
  kind: CubeKind,
  first: number,
  end: number,
): Promise<Raw[]> {
  const where = [sql`w.kind = ${kind}`, sql`w.week >= ${first}`, sql`w.week < ${end}`, ...filters(s, "w")];
  const sums = sql.join(
    SUMS[kind].map(
      ([name]) => sql`sum(${sql.identifier("w")}.${sql.identifier(name)}) AS ${sql.identifier(name)}`,
    ),
    sql`, `,
  );
  return db.all<Raw>(sql`SELECT w.department_id, w.district, w.is_lead, ${sums} FROM dashboard_weekly w
    WHERE ${sql.join(where, sql` AND `)} GROUP BY w.department_id, w.district, w.is_lead`);
}

/**
 * The scope's sums per department, district and lead flag: whole weeks inside the period from the
 * weekly table, the period's ragged edges from the facts themselves — the same numbers as summing the
 * facts of the whole period, at a fraction of the rows read.
 */
export async function cube(db: Db, s: DashboardScope, kind: CubeKind): Promise<CubeCell[]> {
  const first = Math.ceil(s.from / WEEK_MS);
  const end = Math.floor(s.to / WEEK_MS);
  const parts: Raw[][] = [];
  if (first >= end) parts.push(await fromFacts(db, s, kind, s.from, s.to));
  else {
    parts.push(await fromWeeks(db, s, kind, first, end));
    if (s.from < first * WEEK_MS) parts.push(await fromFacts(db, s, kind, s.from, first * WEEK_MS));
    if (end * WEEK_MS < s.to) parts.push(await fromFacts(db, s, kind, end * WEEK_MS, s.to));
  }
  const cells = new Map<string, CubeCell>();
  for (const row of parts.flat()) {
    const key = `${row.department_id}\u0000${row.district}\u0000${row.is_lead}`;
    let cell = cells.get(key);
    if (!cell) {
      cell = {
        departmentId: row.department_id,
        district: row.district,
        isLead: num(row.is_lead) === 1,
        sums: {},
      };
      cells.set(key, cell);
    }
    for (const [name] of SUMS[kind]) cell.sums[name] = (cell.sums[name] ?? 0) + num(row[name]);
  }
  return [...cells.values()];
}

/**
 * Adds the cells up per department (every participating department counts) and per district (the
 * lead's row only, unless the scope is one department, whose rows all count); totals follow the
 * district rule, so a joint inspection counts once.
 */
export function breakdown(cells: CubeCell[], s: DashboardScope) {
  const add = (map: Map<string, Record<string, number>>, key: string, sums: Record<string, number>) => {
    const target = map.get(key) ?? {};
    for (const [k, v] of Object.entries(sums)) target[k] = (target[k] ?? 0) + v;
    map.set(key, target);
  };
  const byDepartment = new Map<string, Record<string, number>>();
  const byDistrict = new Map<string, Record<string, number>>();
  const totals = new Map<string, Record<string, number>>();
  for (const cell of cells) {
    add(byDepartment, cell.departmentId, cell.sums);
    if (!s.departmentId && !cell.isLead) continue;
    add(byDistrict, cell.district, cell.sums);
    add(totals, "", cell.sums);
  }
  return { byDepartment, byDistrict, totals: totals.get("") ?? {} };
}
