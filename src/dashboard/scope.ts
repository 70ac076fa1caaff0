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

function bound(text: string, tz: string, end: boolean): number {
  const ms = parseBound(text, tz, end);
  if (ms === null) throw new ApiError(400, "invalid_request", `日期格式无效：${end ? "to" : "from"}`);
  return ms;
}

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
