import type { Context } from "hono";
import { currentUser } from "../auth/session.ts";
import type { AppEnv } from "../env.ts";
import { MIN_GROUP_SIZE } from "../evaluations/summary.ts";
import { ApiError, forbidden } from "../lib/errors.ts";
import { localDate, parseBound } from "../lib/time.ts";

/** What every dashboard figure is computed over, after the access rules are applied. */
export interface DashboardScope {
  /** Period, epoch ms: `from` inclusive, `to` exclusive. */
  from: number;
  to: number;
  departmentId: string | null;
  district: string | null;
  timeZone: string;
  /** Visits per enterprise per department per calendar year before a high-frequency warning. */
  yearlyCap: number;
  /**
   * Department administrators: evaluations are anonymous towards the department (R9), so their
   * evaluation figures cover whole, finished months holding at least `minGroupSize` evaluations.
   */
  anonymous: boolean;
  minGroupSize: number;
  now: number;
  /** Individual evaluations and alerts belong to the justice bureau (administrators, supervisors). */
  bureau: boolean;
}

export interface ScopeQuery {
  from?: string;
  to?: string;
  departmentId?: string;
  district?: string;
}

/** A bare date must be a real calendar day: 2026-02-31 or 0000-01-01 are typing errors, not periods. */
function realDay(text: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(text);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(2000, mo - 1, d));
  date.setUTCFullYear(y);
  return y >= 1000 && date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d;
}

function bound(text: string, tz: string, end: boolean): number {
  const ms = realDay(text) ? parseBound(text, tz, end) : null;
  if (ms === null) throw new ApiError(400, "invalid_request", `日期格式无效：${end ? "to" : "from"}`);
  return ms;
}

/**
 * Refuses a period longer than `years` calendar years. Every figure walks the period (month buckets,
 * weekly sums, calendar years), so a period of millennia stalled the server for half a minute.
 */
export function checkPeriodLength(from: number, to: number, tz: string, years: number): void {
  const [y, m, d] = localDate(from, tz).split("-").map(Number) as [number, number, number];
  const limit = y + years > 9999 ? Infinity : parseBound(`${y + years}-${pad(m)}-${pad(d)}`, tz);
  if (limit === null || to > limit) {
    throw new ApiError(400, "period_too_long", `统计期间不能超过 ${years} 年，请缩短起止日期`);
  }
}

const pad = (n: number) => String(n).padStart(2, "0");

/** The default period: 1 January of this year up to the end of today, in the configured zone. */
export function defaultPeriod(now: number, tz: string): { from: string; to: string } {
  const today = localDate(now, tz);
  return { from: `${today.slice(0, 4)}-01-01`, to: today };
}

/**
 * The scope a user may see: administrators and supervisors anything; a department administrator only
 * their own department (asking for another is 403); everyone else nothing (403).
 */
export function dashboardScope(c: Context<AppEnv>, q: ScopeQuery): DashboardScope {
  const user = currentUser(c);
  const { config } = c.var.deps;
  const tz = config.timeZone;
  const now = c.var.deps.now?.() ?? Date.now();
  const period = defaultPeriod(now, tz);
  const from = bound(q.from ?? period.from, tz, false);
  const to = bound(q.to ?? period.to, tz, true);
  if (!(to > from)) throw new ApiError(400, "invalid_request", "结束日期不能早于开始日期");
  checkPeriodLength(from, to, tz, config.dashboardMaxPeriodYears);
  const base = {
    from,
    to,
    district: q.district || null,
    timeZone: tz,
    yearlyCap: config.inspections.yearlyCapPerDepartment,
    minGroupSize: MIN_GROUP_SIZE,
    now,
  };
  if (user.role === "admin" || user.role === "supervisor") {
    return { ...base, departmentId: q.departmentId || null, anonymous: false, bureau: true };
  }
  if (user.role !== "dept_admin" || !user.departmentId) throw forbidden("监督看板仅对司法局和部门管理员开放");
  if (q.departmentId && q.departmentId !== user.departmentId)
    throw forbidden("部门管理员只能查看本部门的数据");
  return { ...base, departmentId: user.departmentId, anonymous: true, bureau: false };
}
