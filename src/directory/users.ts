import { createRoute, z } from "@hono/zod-openapi";
import { asc, eq } from "drizzle-orm";
import type { Context } from "hono";
import { runBatch } from "../db/client.ts";
import { auditInsert } from "../audit/audit.ts";
import { currentUser, requireUser } from "../auth/session.ts";
import { hashPassword } from "../auth/password.ts";
import { departments, sessions, users } from "../db/schema.ts";
import type { AppEnv, SessionUser } from "../env.ts";
import { ApiError, forbidden, notFound } from "../lib/errors.ts";
import { newId } from "../lib/ids.ts";
import { errors, iso, jsonBody, jsonResponse, newRouter } from "../lib/router.ts";
import { passwordField, RoleSchema, usernameField } from "../auth/schemas.ts";
import { IdParam, UserDetailSchema } from "./schemas.ts";
import { usernameTaken } from "../auth/username.ts";

const listUsers = createRoute({
  method: "get",
  path: "/users",
  summary: "用户列表",
  description: "系统管理员；部门管理员：本部门的用户。",
  tags: ["directory"],
  middleware: [requireUser("admin", "dept_admin")] as const,
  responses: {
    200: jsonResponse("用户", z.object({ items: z.array(UserDetailSchema) })),
    ...errors(401, 403),
  },
});

const createUser = createRoute({
  method: "post",
  path: "/users",
  summary: "新增用户",
  description: "用户名不区分大小写：只有大小写不同的名字 → 409 `conflict`。",
  tags: ["directory"],
  middleware: [requireUser("admin", "dept_admin")] as const,
  request: jsonBody(
    z.object({
      username: usernameField,
      displayName: z.string().trim().min(1).max(64),
      password: passwordField,
      role: RoleSchema,
      departmentId: z.string().nullable().optional(),
    }),
  ),
  responses: { 201: jsonResponse("已创建", UserDetailSchema), ...errors(400, 401, 403, 409, 422) },
});

const updateUser = createRoute({
  method: "patch",
  path: "/users/{id}",
  summary: "修改用户",
  tags: ["directory"],
  middleware: [requireUser("admin", "dept_admin")] as const,
  request: {
    params: IdParam,
    ...jsonBody(
      z.object({
        displayName: z.string().trim().min(1).max(64).optional(),
        role: RoleSchema.optional(),
        departmentId: z.string().nullable().optional(),
        disabled: z.boolean().optional(),
        password: passwordField.optional(),
      }),
    ),
  },
  responses: { 200: jsonResponse("已更新", UserDetailSchema), ...errors(400, 401, 403, 404, 422) },
});

type UserRow = typeof users.$inferSelect;
const toDetail = (u: UserRow) => ({
  id: u.id,
  username: u.username,
  displayName: u.displayName,
  role: u.role,
  departmentId: u.departmentId,
  disabled: u.disabled,
  createdAt: iso(u.createdAt)!,
});

/** A department administrator manages officers of their own department only. */
function assertMayAssign(actor: SessionUser, role: string, departmentId: string | null | undefined) {
  if (actor.role === "admin") return;
  if (role !== "officer" || departmentId !== actor.departmentId) {
    throw forbidden("部门管理员只能管理本部门的执法人员");
  }
}

async function assertDepartment(c: Context<AppEnv>, role: string, departmentId: string | null | undefined) {
  const needsDepartment = role === "dept_admin" || role === "officer";
  if (needsDepartment && !departmentId)
    throw new ApiError(422, "department_required", "该角色必须属于一个部门");
  if (departmentId) {
    const [d] = await c.var.db
      .select({ id: departments.id })
      .from(departments)
      .where(eq(departments.id, departmentId));
    if (!d) throw new ApiError(422, "unknown_department", "部门不存在");
  }
}

/** Logins: administrators manage all; a department administrator manages their department's officers. */
export function userRoutes() {
  const app = newRouter();

  app.openapi(listUsers, async (c) => {
    const actor = currentUser(c);
    const where = actor.role === "admin" ? undefined : eq(users.departmentId, actor.departmentId ?? "");
    const rows = await c.var.db.select().from(users).where(where).orderBy(asc(users.username));
    return c.json({ items: rows.map(toDetail) }, 200);
  });

  app.openapi(createUser, async (c) => {
    const actor = currentUser(c);
    const body = c.req.valid("json");
    assertMayAssign(actor, body.role, body.departmentId);
    await assertDepartment(c, body.role, body.departmentId);
    // Sign-in names are case-insensitive (src/auth/username.ts): SCJG-admin is scjg-admin.
    if (await usernameTaken(c.var.db, body.username))
      throw new ApiError(409, "conflict", `用户名 ${body.username} 已被使用（用户名不区分大小写）`);
    const now = Date.now();
    const row: UserRow = {
      id: newId(),
      username: body.username,
      displayName: body.displayName,
      passwordHash: await hashPassword(body.password),
      role: body.role,
      departmentId: body.departmentId ?? null,
      disabled: false,
      createdAt: now,
      updatedAt: now,
    };
    const { passwordHash: _omit, ...logged } = row;
    await runBatch(c.var.db, [
      c.var.db.insert(users).values(row),
      auditInsert(c, {
        action: "user.create",
        targetType: "user",
        targetId: row.id,
        detail: { after: logged },
      }),
    ]);
    return c.json(toDetail(row), 201);
  });

  app.openapi(updateUser, async (c) => {
    const actor = currentUser(c);
    const { id } = c.req.valid("param");
    const body = c.req.valid("json");
    const [before] = await c.var.db.select().from(users).where(eq(users.id, id));
    // Another department's user is reported as absent, not as forbidden: ids are not an oracle.
    if (!before || (actor.role !== "admin" && before.departmentId !== actor.departmentId))
      throw notFound("用户");
    const role = body.role ?? before.role;
    const departmentId = body.departmentId === undefined ? before.departmentId : body.departmentId;
    assertMayAssign(actor, role, departmentId);
    if (actor.role !== "admin") assertMayAssign(actor, before.role, before.departmentId);
    await assertDepartment(c, role, departmentId);
    if (id === actor.id && (body.disabled || (body.role && body.role !== actor.role))) {
      throw new ApiError(422, "self_lockout", "不能停用自己或修改自己的角色");
    }
    const after: UserRow = {
      ...before,
      displayName: body.displayName ?? before.displayName,
      role,
      departmentId,
      disabled: body.disabled ?? before.disabled,
      passwordHash: body.password ? await hashPassword(body.password) : before.passwordHash,
      updatedAt: Date.now(),
    };
    const endsSessions = after.disabled || body.password !== undefined || role !== before.role;
    const changed = Object.fromEntries(
      Object.keys(body)
        .filter((k) => k !== "password")
        .map((k) => [k, { before: before[k as keyof UserRow], after: after[k as keyof UserRow] }]),
    );
    await runBatch(c.var.db, [
      c.var.db.update(users).set(after).where(eq(users.id, id)),
      // Disabling, a new password or a new role ends every session the user had.
      ...(endsSessions ? [c.var.db.delete(sessions).where(eq(sessions.userId, id))] : []),
      auditInsert(c, {
        action: "user.update",
        targetType: "user",
        targetId: id,
        detail: { changed, passwordReset: body.password !== undefined, sessionsEnded: endsSessions },
      }),
    ]);
    return c.json(toDetail(after), 200);
  });

  return app;
}
