import { eq } from "drizzle-orm";
import type { Context } from "hono";
import { currentUser } from "../auth/session.ts";
import { forms } from "../db/schema.ts";
import type { AppEnv, SessionUser } from "../env.ts";
import { ApiError, notFound } from "../lib/errors.ts";

export type FormRow = typeof forms.$inferSelect;

/** Administrators and supervisors see every form; a department administrator sees their department's. */
export function canRead(user: SessionUser, form: Pick<FormRow, "departmentId">): boolean {
  if (user.role === "admin" || user.role === "supervisor") return true;
  return user.role === "dept_admin" && form.departmentId !== null && form.departmentId === user.departmentId;
}

export function canWrite(user: SessionUser, form: Pick<FormRow, "departmentId">): boolean {
  if (user.role === "admin") return true;
  return user.role === "dept_admin" && form.departmentId !== null && form.departmentId === user.departmentId;
}

/**
 * Loads a form the current user may read (or write). A form outside the user's reach is reported as
 * not found, exactly like a form that does not exist, so ids reveal nothing across departments.
 */
export async function loadForm(c: Context<AppEnv>, id: string, mode: "read" | "write"): Promise<FormRow> {
  const user = currentUser(c);
  const [form] = await c.var.db.select().from(forms).where(eq(forms.id, id)).limit(1);
  if (!form || !canRead(user, form)) throw notFound("表单");
  if (mode === "write" && !canWrite(user, form))
    throw new ApiError(403, "forbidden", "只读权限，不能修改此表单");
  return form;
}
