import { eq } from "drizzle-orm";
import type { Context } from "hono";
import { currentUser } from "../auth/session.ts";
import { correctiveActions } from "../db/schema.ts";
import type { AppEnv } from "../env.ts";
import { ApiError, notFound } from "../lib/errors.ts";

export type ActionRow = typeof correctiveActions.$inferSelect;

/**
 * A corrective action as staff may reach it: the bureau reads all; a department's users read the
 * actions of the items their department owns; anyone else gets 404, as if it did not exist. `review`:
 * officers and administrators of that department (and administrators); supervisors read only (403).
 */
export async function loadAction(
  c: Context<AppEnv>,
  id: string,
  mode: "read" | "review",
): Promise<ActionRow> {
  const user = currentUser(c);
  const [row] = await c.var.db.select().from(correctiveActions).where(eq(correctiveActions.id, id)).limit(1);
  if (!row) throw notFound("整改事项");
  const own = user.departmentId !== null && user.departmentId === row.departmentId;
  if (!(own || user.role === "admin" || user.role === "supervisor")) throw notFound("整改事项");
  if (mode === "read" || user.role === "admin") return row;
  if (own && (user.role === "officer" || user.role === "dept_admin")) return row;
  throw new ApiError(403, "forbidden", "只有检查事项所属部门的执法人员可以审核整改");
}
