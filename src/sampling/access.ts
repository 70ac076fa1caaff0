import { asc, eq } from "drizzle-orm";
import type { Context } from "hono";
import { currentUser } from "../auth/session.ts";
import { departments, samplingTaskDepartments, samplingTasks } from "../db/schema.ts";
import type { AppEnv } from "../env.ts";
import { forbidden, notFound } from "../lib/errors.ts";

export type TaskRow = typeof samplingTasks.$inferSelect;

/** The departments of a task, the lead first. */
export async function taskDepartments(c: Context<AppEnv>, taskId: string) {
  return c.var.db
    .select({ id: departments.id, name: departments.name })
    .from(samplingTaskDepartments)
    .innerJoin(departments, eq(departments.id, samplingTaskDepartments.departmentId))
    .where(eq(samplingTaskDepartments.taskId, taskId))
    .orderBy(asc(samplingTaskDepartments.position));
}

/**
 * Loads a task the user may reach. read: administrators and supervisors, and users of the task's
 * departments; anyone else gets 404, as if it did not exist. write: administrators and the lead
 * department's administrator (others who can read it get 403).
 */
export async function loadTask(c: Context<AppEnv>, id: string, mode: "read" | "write") {
  const user = currentUser(c);
  const [row] = await c.var.db.select().from(samplingTasks).where(eq(samplingTasks.id, id)).limit(1);
  if (!row) throw notFound("抽查任务");
  const depts = await taskDepartments(c, id);
  const inDepartment = user.departmentId !== null && depts.some((d) => d.id === user.departmentId);
  if (!(user.role === "admin" || user.role === "supervisor" || inDepartment)) throw notFound("抽查任务");
  if (mode === "write") {
    const lead = user.role === "dept_admin" && user.departmentId === row.leadDepartmentId;
    if (!(user.role === "admin" || lead)) throw forbidden("只有牵头部门的部门管理员可以操作抽查任务");
  }
  return { row, departments: depts };
}
