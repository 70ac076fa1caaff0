import { and, asc, eq, gte, inArray, lt, sql, type SQL } from "drizzle-orm";
import type { Context } from "hono";
import type { AuditEntry } from "../audit/audit.ts";
import type { Db } from "../db/client.ts";
import { catalogItems, departments, enterprises, plannedTaskItems, plannedTasks } from "../db/schema.ts";
import type { AppEnv, SessionUser } from "../env.ts";
import { iso } from "../lib/router.ts";

export type TaskRow = typeof plannedTasks.$inferSelect;

/** A task with the names the pages show and its items (in catalog code order). */
export type TaskView = Awaited<ReturnType<typeof taskViews>>[number];

/** Administrators and supervisors read every department's plan; department users only their own. */
export function readsAllPlans(user: SessionUser): boolean {
  return user.role === "admin" || user.role === "supervisor";
}

/** The filter that limits a listing to what the user may read. */
export function visibleTo(user: SessionUser): SQL | undefined {
  if (readsAllPlans(user)) return undefined;
  return eq(plannedTasks.departmentId, user.departmentId ?? "");
}

/** Tasks matching `where`, ordered by start, read with their names and items in three more queries. */
export async function findTasks(db: Db, where: (SQL | undefined)[]) {
  const rows = await db
    .select()
    .from(plannedTasks)
    .where(and(...where))
    .orderBy(asc(plannedTasks.plannedStart), asc(plannedTasks.id));
  return taskViews(db, rows);
}

/** Only tasks starting in [from, to). */
export function startsIn(from: number, to: number): SQL {
  return and(gte(plannedTasks.plannedStart, from), lt(plannedTasks.plannedStart, to))!;
}

export async function taskViews(db: Db, rows: TaskRow[]) {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.id);
  const [firms, depts, items] = await Promise.all([
    db
      .select({ id: enterprises.id, name: enterprises.name, creditCode: enterprises.creditCode })
      .from(enterprises)
      .where(inArray(enterprises.id, [...new Set(rows.map((r) => r.enterpriseId))])),
    db
      .select({ id: departments.id, name: departments.name })
      .from(departments)
      .where(inArray(departments.id, [...new Set(rows.map((r) => r.departmentId))])),
    db
      .select({
        taskId: plannedTaskItems.taskId,
        id: catalogItems.id,
        code: catalogItems.code,
        name: catalogItems.name,
        legalBasis: catalogItems.legalBasis,
        departmentId: catalogItems.departmentId,
      })
      .from(plannedTaskItems)
      .innerJoin(catalogItems, eq(catalogItems.id, plannedTaskItems.itemId))
      .where(inArray(plannedTaskItems.taskId, ids))
      .orderBy(asc(catalogItems.code)),
  ]);
  const firm = new Map(firms.map((f) => [f.id, f]));
  const dept = new Map(depts.map((d) => [d.id, d]));
  return rows.map((r) => ({
    row: r,
    json: {
      id: r.id,
      enterprise: firm.get(r.enterpriseId) ?? { id: r.enterpriseId, name: "", creditCode: "" },
      department: dept.get(r.departmentId) ?? { id: r.departmentId, name: "" },
      kind: r.kind,
      plannedStart: iso(r.plannedStart)!,
      plannedEnd: iso(r.plannedEnd)!,
      notes: r.notes,
      status: r.status,
      inspectionId: r.inspectionId,
      items: items
        .filter((i) => i.taskId === r.id)
        .map(({ id, code, name, legalBasis }) => ({ id, code, name, legalBasis })),
      createdAt: iso(r.createdAt)!,
      updatedAt: iso(r.updatedAt)!,
    },
  }));
}

/** Holds while the task exists and is not merged. */
export const taskOpen = (taskId: string): SQL =>
  sql`EXISTS (SELECT 1 FROM planned_tasks WHERE id = ${taskId} AND status = 'planned')`;

/**
 * An audit line written only if `when` holds at that point of the batch, so a change that a
 * concurrent merge pre-empted leaves no line claiming it happened.
 */
export function auditWhen(c: Context<AppEnv>, entry: AuditEntry, when: SQL) {
  const user = c.var.user;
  return c.var.db
    .run(sql`INSERT INTO audit_log (at, actor_id, actor_name, action, target_type, target_id, ip, detail)
    SELECT ${Date.now()}, ${user?.id ?? null}, ${user?.username ?? null}, ${entry.action},
      ${entry.targetType ?? null}, ${entry.targetId ?? null}, ${c.var.clientIp ?? null},
      ${JSON.stringify(entry.detail ?? {})}
    WHERE ${when}`);
}
