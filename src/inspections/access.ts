import { and, eq } from "drizzle-orm";
import type { Context } from "hono";
import { currentUser } from "../auth/session.ts";
import { inspectionDepartments, inspectionOfficers, inspections, officers } from "../db/schema.ts";
import type { AppEnv, SessionUser } from "../env.ts";
import { ApiError, notFound } from "../lib/errors.ts";

export type InspectionRow = typeof inspections.$inferSelect;

/**
 * read: administrators and supervisors see every inspection; department users see the ones their
 * department takes part in. act: department users of a participating department (officers only when
 * they are on the inspection). approve: the lead department's administrator. code: the inspection
 * code (检查码) and its QR, which let a visit be shown to the enterprise — only the officers on the
 * inspection and the lead department's administrator; other readers see the facts without it (403).
 */
export type InspectionAccess = "read" | "act" | "approve" | "code";

/** Loads an inspection the user may reach; anything else is 404, as if it did not exist. */
export async function loadInspection(
  c: Context<AppEnv>,
  id: string,
  mode: InspectionAccess,
): Promise<InspectionRow> {
  const user = currentUser(c);
  const [row] = await c.var.db.select().from(inspections).where(eq(inspections.id, id)).limit(1);
  if (!row) throw notFound("检查");
  const departmentsIn = await participatingDepartments(c, id);
  const inDepartment = user.departmentId !== null && departmentsIn.includes(user.departmentId);
  const readable = user.role === "admin" || user.role === "supervisor" || inDepartment;
  if (!readable) throw notFound("检查");
  if (mode === "read") return row;
  if (mode === "code") {
    if (user.role === "dept_admin" && user.departmentId === row.leadDepartmentId) return row;
    if (user.role === "officer" && inDepartment && (await isOnInspection(c, id, user))) return row;
    throw new ApiError(403, "forbidden", "只有本次检查的执法人员和牵头部门的部门管理员可以查看检查码");
  }
  if (mode === "approve") {
    if (user.role === "admin") return row;
    if (user.role === "dept_admin" && user.departmentId === row.leadDepartmentId) return row;
    throw new ApiError(403, "forbidden", "只有牵头部门的部门管理员可以审批");
  }
  if (user.role === "admin" || (user.role === "dept_admin" && inDepartment)) return row;
  if (user.role === "officer" && inDepartment && (await isOnInspection(c, id, user))) return row;
  throw new ApiError(403, "forbidden", "只有本次检查的执法人员可以操作");
}

export async function participatingDepartments(c: Context<AppEnv>, inspectionId: string): Promise<string[]> {
  const rows = await c.var.db
    .select({ id: inspectionDepartments.departmentId })
    .from(inspectionDepartments)
    .where(eq(inspectionDepartments.inspectionId, inspectionId));
  return rows.map((r) => r.id);
}

/** True when the user is one of the inspection's officers (through the officer record linked to them). */
export async function isOnInspection(
  c: Context<AppEnv>,
  inspectionId: string,
  user: SessionUser,
): Promise<boolean> {
  const [row] = await c.var.db
    .select({ id: officers.id })
    .from(inspectionOfficers)
    .innerJoin(officers, eq(officers.id, inspectionOfficers.officerId))
    .where(and(eq(inspectionOfficers.inspectionId, inspectionId), eq(officers.userId, user.id)))
    .limit(1);
  return Boolean(row);
}
