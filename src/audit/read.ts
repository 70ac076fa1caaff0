/**
 * Reading the audit log: who may read which lines, the filters, and one keyset page in id order
 * (newest first). The id is the line's position in the hash chain, so it is also the cursor.
 */
import { sql, type SQL } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import type { Role } from "../db/schema.ts";
import type { SessionUser } from "../env.ts";
import { decodeCursor, encodeCursor } from "../lib/cursor.ts";
import { ApiError, forbidden } from "../lib/errors.ts";
import { parseBound } from "../lib/time.ts";
import { actionLabel, targetLabel } from "./labels.ts";

export interface AuditFilter {
  targetType?: string;
  targetId?: string;
  /** A user id or the name written with the line (enterprise and system actors have no id). */
  actor?: string;
  action?: string;
  from?: string;
  to?: string;
}

/** Whose lines a reader sees: everything (the bureau), or the records of one department. */
export type AuditScope = { all: true } | { all: false; departmentId: string };

export function auditScope(user: SessionUser): AuditScope {
  if (user.role === "admin" || user.role === "supervisor") return { all: true };
  if (user.role === "dept_admin" && user.departmentId) return { all: false, departmentId: user.departmentId };
  throw forbidden("操作记录仅对司法局和部门管理员开放");
}

/**
 * The lines about a department's records, decided at read time from the record itself, so a line
 * written by any of the ~40 writers (plain inserts and raw SQL alike) is placed the same way. An
 * inspection belongs to every department taking part in it. Left out on purpose: the enterprise's
 * evaluation (anonymous towards the department, R9), alerts and complaints (the bureau's), and
 * records no department owns (enterprises, sampling conflicts, routes, the dashboard, the log itself).
 */
function departmentLines(d: string): SQL {
  const owned = (type: string, table: string, column = "department_id") =>
    sql`(a.target_type = ${type} AND EXISTS (SELECT 1 FROM ${sql.raw(table)} r
      WHERE r.id = a.target_id AND r.${sql.raw(column)} = ${d}))`;
  return sql`(
    (a.target_type = 'department' AND a.target_id = ${d})
    OR ${owned("user", "users")}
    OR ${owned("officer", "officers")}
    OR ${owned("form", "forms")}
    OR ${owned("catalog_item", "catalog_items")}
    OR ${owned("planned_task", "planned_tasks")}
    OR (a.target_type = 'sampling_task' AND EXISTS (SELECT 1 FROM sampling_task_departments s
      WHERE s.task_id = a.target_id AND s.department_id = ${d}))
    OR (a.target_type = 'inspection' AND a.action <> 'inspection.evaluated'
      AND EXISTS (SELECT 1 FROM inspection_departments x WHERE x.inspection_id = a.target_id AND x.department_id = ${d}))
  )`;
}

function periodBound(text: string, name: string, timeZone: string, endOfDay: boolean): number {
  const ms = parseBound(text, timeZone, endOfDay);
  if (ms === null)
    throw new ApiError(400, "invalid_request", `${name} 不是有效日期（YYYY-MM-DD 或 ISO 时间）`);
  return ms;
}

/** The WHERE of a filtered, scoped read; a page adds its cursor to it. */
export function auditWhere(scope: AuditScope, f: AuditFilter, timeZone: string): SQL {
  const parts: SQL[] = [];
  if (!scope.all) parts.push(departmentLines(scope.departmentId));
  if (f.targetType) parts.push(sql`a.target_type = ${f.targetType}`);
  if (f.targetId) parts.push(sql`a.target_id = ${f.targetId}`);
  if (f.actor) parts.push(sql`(a.actor_id = ${f.actor} OR a.actor_name = ${f.actor})`);
  if (f.action) parts.push(sql`a.action = ${f.action}`);
  const from = f.from ? periodBound(f.from, "from", timeZone, false) : null;
  const to = f.to ? periodBound(f.to, "to", timeZone, true) : null;
  if (from !== null && to !== null && !(to > from))
    throw new ApiError(400, "invalid_request", "结束日期不能早于开始日期");
  if (from !== null) parts.push(sql`a.at >= ${from}`);
  if (to !== null) parts.push(sql`a.at < ${to}`);
  return parts.length ? sql.join(parts, sql` AND `) : sql`1`;
}

interface LineRow {
  id: number;
  at: number;
  actor_id: string | null;
  actor_name: string | null;
  display_name: string | null;
  role: Role | null;
  action: string;
  target_type: string | null;
  target_id: string | null;
  ip: string | null;
  detail: string;
  prev_hash: string | null;
  hash: string | null;
}

export const ROLE_LABELS: Record<Role, string> = {
  admin: "管理员",
  supervisor: "监督人员",
  dept_admin: "部门管理员",
  officer: "执法人员",
};

function actorOf(r: LineRow) {
  if (r.actor_id) {
    return {
      id: r.actor_id,
      name: r.display_name ?? r.actor_name ?? "",
      role: r.role,
      roleLabel: r.role ? ROLE_LABELS[r.role] : "",
    };
  }
  const name = r.actor_name ?? "";
  const label = name === "system" ? "系统" : name.startsWith("enterprise") ? "企业" : name ? "" : "匿名";
  return { id: null, name: name === "system" ? "系统" : name, role: null, roleLabel: label };
}

function parseDetail(text: string): Record<string, unknown> {
  try {
    const v: unknown = JSON.parse(text);
    if (v && typeof v === "object" && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch {
    // a line is never refused for its detail
  }
  return { raw: text };
}

/** One line for a reader; the client address only for the bureau. */
export function toLine(r: LineRow, scope: AuditScope) {
  const { before, after, ...rest } = parseDetail(r.detail);
  return {
    id: Number(r.id),
    at: new Date(Number(r.at)).toISOString(),
    actor: actorOf(r),
    action: r.action,
    actionLabel: actionLabel(r.action),
    target: r.target_type
      ? { type: r.target_type, typeLabel: targetLabel(r.target_type), id: r.target_id }
      : null,
    before: before ?? null,
    after: after ?? null,
    detail: rest,
    ip: scope.all ? r.ip : null,
    chain: { position: Number(r.id), prevHash: r.prev_hash, hash: r.hash },
  };
}

export type AuditLine = ReturnType<typeof toLine>;

/** The lines after `cursor` (older), newest first; `limit + 1` are read to know whether more follow. */
export async function auditPage(
  db: Db,
  where: SQL,
  scope: AuditScope,
  cursor: string | undefined,
  limit: number,
): Promise<{ items: AuditLine[]; nextCursor: string | null }> {
  let before = sql`1`;
  if (cursor) {
    const c = decodeCursor(cursor, ["number"] as const);
    if (!c) throw new ApiError(400, "invalid_cursor", "分页参数无效");
    before = sql`a.id < ${c[0]}`;
  }
  const rows = await db.all<LineRow>(sql`
    SELECT a.id, a.at, a.actor_id, a.actor_name, u.display_name, u.role, a.action, a.target_type,
           a.target_id, a.ip, a.detail, a.prev_hash, a.hash
      FROM audit_log a LEFT JOIN users u ON u.id = a.actor_id
     WHERE ${where} AND ${before}
     ORDER BY a.id DESC
     LIMIT ${limit + 1}`);
  const items = rows.slice(0, limit).map((r) => toLine(r, scope));
  const more = rows.length > limit;
  return { items, nextCursor: more ? encodeCursor([items[items.length - 1]!.id]) : null };
}
