import { sql, type SQL } from "drizzle-orm";
import { localDate, parseBound } from "../lib/time.ts";
import type { DashboardScope } from "./scope.ts";

/** Statuses of a filing whose visit took place (or is taking place). */
export const VISITED = sql.raw(`('in_progress','registered','evaluated','closed')`);
/** Statuses of a filing that counts towards the yearly cap (as in the filing rule). */
export const ACTIVE = sql.raw(`('filed','approved','in_progress','registered','evaluated','closed')`);

/**
 * Filters on `dashboard_facts` (alias `f`) for the scope, with time column `column`. Without a
 * department filter only the lead department's row of each inspection is kept (`leadOnly`), so an
 * inspection counts once; with one, that department's rows.
 */
export function factFilter(s: DashboardScope, column: SQL, leadOnly: boolean): SQL {
  const parts = [sql`${column} >= ${s.from}`, sql`${column} < ${s.to}`];
  if (s.departmentId) parts.push(sql`f.department_id = ${s.departmentId}`);
  else if (leadOnly) parts.push(sql`f.is_lead = 1`);
  if (s.district) parts.push(sql`f.district = ${s.district}`);
  return sql.join(parts, sql` AND `);
}

/** Start of each calendar period (year or month) in `tz` from the one containing `from` up to `to`. */
export function periodStarts(from: number, to: number, tz: string, unit: "year" | "month"): number[] {
  const starts: number[] = [];
  let [y, m] = localDate(from, tz).split("-").map(Number) as [number, number];
  if (unit === "year") m = 1;
  for (;;) {
    const start = parseBound(`${y}-${String(m).padStart(2, "0")}-01`, tz)!;
    if (start >= to) break;
    starts.push(start);
    if (unit === "year") y++;
    else if (++m > 12) {
      m = 1;
      y++;
    }
  }
  return starts;
}

export const num = (v: unknown) => (v === null || v === undefined ? 0 : Number(v));
export const rate = (part: number, whole: number) =>
  whole > 0 ? Math.round((part / whole) * 10_000) / 10_000 : null;
