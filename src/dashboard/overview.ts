import { sql, type SQL } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { localDate } from "../lib/time.ts";
import { breakdown, cube } from "./cube.ts";
import { num, rate } from "./sql.ts";
import type { DashboardScope } from "./scope.ts";

/** Filing and visit figures of one department, one district, or the whole scope. */
export interface VisitFigures {
  filings: number;
  visits: number;
  joint: number;
  offSite: number;
  cases: number;
  late: number;
  refused: number;
  jointShare: number | null;
  offSiteShare: number | null;
  caseShare: number | null;
}

const withShares = (f: Record<string, number>): VisitFigures => {
  const filings = f.filings ?? 0;
  return {
    filings,
    visits: f.visits ?? 0,
    joint: f.joint ?? 0,
    offSite: f.off_site ?? 0,
    cases: f.cases ?? 0,
    late: f.late ?? 0,
    refused: f.refused ?? 0,
    jointShare: rate(f.joint ?? 0, filings),
    offSiteShare: rate(f.off_site ?? 0, filings),
    caseShare: rate(f.cases ?? 0, filings),
  };
};

/** Keyed rows, largest first. */
export function keyedRows<T>(
  map: Map<string, Record<string, number>>,
  convert: (f: Record<string, number>) => T,
) {
  return [...map]
    .sort(
      (a, b) =>
        (b[1].filings ?? b[1].evaluations ?? 0) - (a[1].filings ?? a[1].evaluations ?? 0) ||
        a[0].localeCompare(b[0]),
    )
    .map(([key, f]) => ({ key, figures: convert(f) }));
}

/**
 * Filings, visits, joint / off-site (非现场) / 个案 shares, late filings and refusals per department
 * (a joint inspection counts for every department taking part) and per district, with totals (where
 * it counts once, with its lead department).
 */
export async function visitFigures(db: Db, s: DashboardScope) {
  const parts = breakdown(await cube(db, s, "visit"), s);
  return {
    totals: withShares(parts.totals),
    byDepartment: keyedRows(parts.byDepartment, withShares),
    byDistrict: keyedRows(parts.byDistrict, withShares),
  };
}

/** The calendar years (in the configured zone) that the period touches. */
export function yearsOf(s: DashboardScope): [number, number] {
  return [
    Number(localDate(s.from, s.timeZone).slice(0, 4)),
    Number(localDate(s.to - 1, s.timeZone).slice(0, 4)),
  ];
}

/** Conditions on `dashboard_frequency` (alias `q`) for the scope's years, department and district. */
export function frequencyFilter(s: DashboardScope): SQL {
  const [first, last] = yearsOf(s);
  const parts = [sql`q.year >= ${first}`, sql`q.year <= ${last}`];
  if (s.departmentId) parts.push(sql`q.department_id = ${s.departmentId}`);
  if (s.district) parts.push(sql`q.district = ${s.district}`);
  return sql.join(parts, sql` AND `);
}

export interface FrequencyFigures {
  /** Visits after the first by the same department to the same enterprise in the same calendar year. */
  repeatVisits: number;
  /** (department, enterprise, year) with more active filings than the yearly cap. */
  highFrequency: number;
}

/**
 * Repeat visits and high-frequency warnings (an enterprise filed for by one department more often in a
 * calendar year than the yearly cap), for the whole calendar years the period touches — the cap is
 * yearly — per department and per district, with the ten largest warnings.
 */
export async function frequencyFigures(db: Db, s: DashboardScope) {
  const rows = await db.all<{ department_id: string; district: string; repeat_visits: number; high: number }>(
    sql`SELECT q.department_id, q.district, sum(max(q.visits - 1, 0)) AS repeat_visits,
        sum(q.filings > ${s.yearlyCap}) AS high
      FROM dashboard_frequency q WHERE ${frequencyFilter(s)} AND q.filings > 1
      GROUP BY q.department_id, q.district`,
  );
  const byDepartment = new Map<string, FrequencyFigures>();
  const byDistrict = new Map<string, FrequencyFigures>();
  const totals: FrequencyFigures = { repeatVisits: 0, highFrequency: 0 };
  for (const r of rows) {
    for (const [map, key] of [
      [byDepartment, r.department_id],
      [byDistrict, r.district],
    ] as const) {
      const f = map.get(key) ?? { repeatVisits: 0, highFrequency: 0 };
      f.repeatVisits += num(r.repeat_visits);
      f.highFrequency += num(r.high);
      map.set(key, f);
    }
    totals.repeatVisits += num(r.repeat_visits);
    totals.highFrequency += num(r.high);
  }
  const top = await db.all<{
    department_id: string;
    enterprise_id: string;
    name: string;
    district: string;
    year: number;
    filings: number;
    visits: number;
  }>(sql`SELECT q.department_id, q.enterprise_id, e.name, q.district, q.year, q.filings, q.visits
    FROM dashboard_frequency q JOIN enterprises e ON e.id = q.enterprise_id
    WHERE ${frequencyFilter(s)} AND q.filings > ${s.yearlyCap}
    ORDER BY q.filings DESC, q.year DESC, q.department_id, q.enterprise_id LIMIT 10`);
  const list = (m: Map<string, FrequencyFigures>) => [...m].map(([key, figures]) => ({ key, figures }));
  return {
    years: yearsOf(s),
    yearlyCap: s.yearlyCap,
    totals,
    byDepartment: list(byDepartment),
    byDistrict: list(byDistrict),
    warnings: top.map((t) => ({
      departmentId: t.department_id,
      enterprise: { id: t.enterprise_id, name: t.name },
      district: t.district,
      year: num(t.year),
      filings: num(t.filings),
      visits: num(t.visits),
    })),
  };
}
