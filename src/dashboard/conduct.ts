import { sql, type SQL } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { percentile } from "./quality.ts";
import { num, periodStarts } from "./sql.ts";
import type { DashboardScope } from "./scope.ts";

const DAY = 86_400_000;

/**
 * How the departments keep to the filing rules, seen from issue 13's new facts: complaints (and those
 * about a visit nobody filed), visits left unregistered past the grace time, withdrawn filings, and
 * how long after the visit the 补办 filings came.
 */
export interface ConductFigures {
  /** Null where a department administrator could narrow a complaint down to its sender. */
  complaints: number | null;
  unfiledVisitComplaints: number | null;
  unregisteredVisits: number;
  cancelled: number;
  lateFilings: number;
  /** Days from the planned visit start to the 补办 filing: median (nearest rank), average, maximum. */
  lateDays: { median: number | null; average: number | null; max: number | null };
  lateBuckets: { upTo1: number; upTo3: number; upTo10: number; over10: number };
}

interface Acc {
  complaints: number;
  unfiled: number;
  unregistered: number;
  cancelled: number;
  late: number[];
}

interface Cell {
  departmentId: string;
  district: string;
  isLead: boolean;
  acc: Partial<Acc>;
}

const empty = (): Acc => ({ complaints: 0, unfiled: 0, unregistered: 0, cancelled: 0, late: [] });

/**
 * The period on the facts. The unary `+` keeps the planner off the department and district indexes,
 * which would walk every filing of the period, and on the partial indexes holding only the few rows.
 */
function factWhere(s: DashboardScope): SQL {
  const parts = [sql`f.planned_start >= ${s.from}`, sql`f.planned_start < ${s.to}`];
  if (s.departmentId) parts.push(sql`+f.department_id = ${s.departmentId}`);
  if (s.district) parts.push(sql`+f.district = ${s.district}`);
  return sql.join(parts, sql` AND `);
}

type Grouped = {
  department_id: string;
  district: string;
  is_lead: number;
  n: number;
  d?: string | null;
  unfiled?: number;
};

const toCells = (rows: Grouped[], fill: (r: Grouped) => Partial<Acc>): Cell[] =>
  rows.map((r) => ({
    departmentId: r.department_id,
    district: r.district,
    isLead: num(r.is_lead) === 1,
    acc: fill(r),
  }));

/** Filings withdrawn (已撤回), by planned start; the partial index holds only cancelled rows. */
async function cancelledCells(db: Db, s: DashboardScope): Promise<Cell[]> {
  const rows = await db.all<Grouped>(sql`SELECT f.department_id, f.district, f.is_lead, count(*) AS n
    FROM dashboard_facts f WHERE f.status = 'cancelled' AND ${factWhere(s)}
    GROUP BY f.department_id, f.district, f.is_lead`);
  return toCells(rows, (r) => ({ cancelled: num(r.n) }));
}

/** 补办 filings (the `late` figure's rows) with each one's delay, filed_at − planned_start, in ms. */
async function lateCells(db: Db, s: DashboardScope): Promise<Cell[]> {
  const rows = await db.all<Grouped>(sql`SELECT f.department_id, f.district, f.is_lead, count(*) AS n,
      group_concat(max(i.filed_at - f.planned_start, 0)) AS d
    FROM dashboard_facts f JOIN inspections i ON i.id = f.inspection_id
    WHERE f.late_filing = 1 AND f.status <> 'draft' AND ${factWhere(s)}
    GROUP BY f.department_id, f.district, f.is_lead`);
  return toCells(rows, (r) => ({ late: r.d ? r.d.split(",").map(Number) : [] }));
}

/**
 * Visits the sweep found unregistered (an `unregistered_visit` alert), by the visit's planned start.
 * The sweep raises the alert only after the planned end, so alerts raised before the period cannot
 * belong to it: the index range starts at the period's start (CROSS JOIN: alerts first, the
 * facts by key).
 */
async function unregisteredCells(db: Db, s: DashboardScope): Promise<Cell[]> {
  const rows = await db.all<Grouped>(sql`SELECT f.department_id, f.district, f.is_lead, count(*) AS n
    FROM alerts a CROSS JOIN dashboard_facts f ON f.inspection_id = a.inspection_id
    WHERE a.kind = 'unregistered_visit' AND a.created_at >= ${s.from} AND ${factWhere(s)}
    GROUP BY f.department_id, f.district, f.is_lead`);
  return toCells(rows, (r) => ({ unregistered: num(r.n) }));
}

/**
 * The time complaints are counted over: the period; for a department administrator only its whole,
 * finished calendar months (null if none), so a period of a day cannot single out one complaint.
 */
export function complaintRange(s: DashboardScope): [number, number] | null {
  if (!s.anonymous) return [s.from, s.to];
  const thisMonth = periodStarts(s.now, s.now + 1, s.timeZone, "month")[0]!;
  const whole = periodStarts(s.from, s.to, s.timeZone, "month")
    .map(
      (start) => [start, periodStarts(start, start + 32 * DAY, s.timeZone, "month")[1]!] as [number, number],
    )
    .filter(([start, end]) => start >= s.from && end <= Math.min(s.to, thisMonth));
  return whole.length ? [whole[0]![0], whole.at(-1)![1]] : null;
}

/**
 * Complaints received in the period, per named department and the enterprise's district. A complaint
 * names one department, so it counts once everywhere (`isLead`). For a department administrator whole
 * months only, no district split and no district filter: with one district and a short period a
 * count could point at the enterprise that complained.
 */
async function complaintCells(db: Db, s: DashboardScope): Promise<Cell[]> {
  const range = complaintRange(s);
  if (!range || (s.anonymous && s.district)) return [];
  const parts = [sql`c.created_at >= ${range[0]}`, sql`c.created_at < ${range[1]}`];
  if (s.departmentId) parts.push(sql`c.department_id = ${s.departmentId}`);
  if (s.district) parts.push(sql`e.district = ${s.district}`);
  const rows = await db.all<Grouped>(
    sql`SELECT c.department_id, ${s.anonymous ? sql`''` : sql`e.district`} AS district, 1 AS is_lead,
        count(*) AS n, sum(c.unfiled_visit) AS unfiled
      FROM complaints c JOIN enterprises e ON e.id = c.enterprise_id
      WHERE ${sql.join(parts, sql` AND `)} GROUP BY 1, 2`,
  );
  return toCells(rows, (r) => ({ complaints: num(r.n), unfiled: num(r.unfiled) }));
}

const round1 = (v: number) => Math.round(v * 10) / 10;

function toFigures(a: Acc, complaintsShown: boolean): ConductFigures {
  const days = a.late.map((ms) => ms / DAY).sort((x, y) => x - y);
  const buckets = { upTo1: 0, upTo3: 0, upTo10: 0, over10: 0 };
  for (const d of days) {
    if (d <= 1) buckets.upTo1++;
    else if (d <= 3) buckets.upTo3++;
    else if (d <= 10) buckets.upTo10++;
    else buckets.over10++;
  }
  const median = percentile(days, 50);
  return {
    complaints: complaintsShown ? a.complaints : null,
    unfiledVisitComplaints: complaintsShown ? a.unfiled : null,
    unregisteredVisits: a.unregistered,
    cancelled: a.cancelled,
    lateFilings: days.length,
    lateDays: {
      median: median === null ? null : round1(median),
      average: days.length ? round1(days.reduce((x, y) => x + y, 0) / days.length) : null,
      max: days.length ? round1(days.at(-1)!) : null,
    },
    lateBuckets: buckets,
  };
}

function add(target: Acc, part: Partial<Acc>) {
  target.complaints += part.complaints ?? 0;
  target.unfiled += part.unfiled ?? 0;
  target.unregistered += part.unregistered ?? 0;
  target.cancelled += part.cancelled ?? 0;
  if (part.late) target.late.push(...part.late);
}

const activity = (a: Acc) => a.complaints + a.unregistered + a.cancelled + a.late.length;

/**
 * The figures per department (a joint inspection counts for every department taking part), per
 * district and in total (where it counts once, with its lead department), like the filing figures.
 */
export async function conductFigures(db: Db, s: DashboardScope) {
  const cells = [
    ...(await complaintCells(db, s)),
    ...(await unregisteredCells(db, s)),
    ...(await cancelledCells(db, s)),
    ...(await lateCells(db, s)),
  ];
  const byDepartment = new Map<string, Acc>();
  const byDistrict = new Map<string, Acc>();
  const totals = empty();
  const into = (map: Map<string, Acc>, key: string, part: Partial<Acc>) => {
    const acc = map.get(key) ?? empty();
    add(acc, part);
    map.set(key, acc);
  };
  for (const cell of cells) {
    into(byDepartment, cell.departmentId, cell.acc);
    if (!s.departmentId && !cell.isLead) continue;
    add(totals, cell.acc);
    // A department administrator's complaints carry no district (see complaintCells).
    if (s.anonymous && cell.acc.complaints !== undefined) continue;
    into(byDistrict, cell.district, cell.acc);
  }
  const rows = (map: Map<string, Acc>, complaintsShown: boolean) =>
    [...map]
      .sort((a, b) => activity(b[1]) - activity(a[1]) || a[0].localeCompare(b[0]))
      .map(([key, acc]) => ({ key, figures: toFigures(acc, complaintsShown) }));
  const range = complaintRange(s);
  const shown = range !== null && !(s.anonymous && s.district);
  return {
    complaintPeriod:
      range && shown
        ? { from: new Date(range[0]).toISOString(), to: new Date(range[1]).toISOString() }
        : null,
    totals: toFigures(totals, shown),
    byDepartment: rows(byDepartment, shown),
    byDistrict: rows(byDistrict, shown && !s.anonymous),
  };
}
