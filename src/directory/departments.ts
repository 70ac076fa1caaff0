import { createRoute, z } from "@hono/zod-openapi";
import { and, asc, eq, ne } from "drizzle-orm";
import { auditInsert } from "../audit/audit.ts";
import { requireUser } from "../auth/session.ts";
import { runBatch } from "../db/client.ts";
import { departments } from "../db/schema.ts";
import { ApiError, notFound } from "../lib/errors.ts";
import { newId } from "../lib/ids.ts";
import { errors, jsonBody, jsonResponse, newRouter } from "../lib/router.ts";
import { DepartmentSchema, IdParam } from "./schemas.ts";
import { onUniqueViolation } from "./unique.ts";

const codeField = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,32}$/, "部门代码只能包含字母、数字、下划线和连字符（1–32 位）");
const nameField = z.string().trim().min(1).max(100);
const districtField = z.string().trim().max(50);

const listDepartments = createRoute({
  method: "get",
  path: "/departments",
  summary: "部门列表（任何登录用户）",
  tags: ["directory"],
  middleware: [requireUser()] as const,
  responses: { 200: jsonResponse("部门", z.object({ items: z.array(DepartmentSchema) })), ...errors(401) },
});

const createDepartment = createRoute({
  method: "post",
  path: "/departments",
  summary: "新增部门",
  description: "仅系统管理员；代码已被使用 → 409。",
  tags: ["directory"],
  middleware: [requireUser("admin")] as const,
  request: jsonBody(
    z.object({
      code: codeField,
      name: nameField,
      listed: z.boolean().optional(),
      district: districtField.optional(),
    }),
  ),
  responses: { 201: jsonResponse("已创建", DepartmentSchema), ...errors(400, 401, 403, 409) },
});

const updateDepartment = createRoute({
  method: "patch",
  path: "/departments/{id}",
  summary: "修改部门",
  description: "仅系统管理员；代码已被使用 → 409。",
  tags: ["directory"],
  middleware: [requireUser("admin")] as const,
  request: {
    params: IdParam,
    ...jsonBody(
      z.object({
        code: codeField.optional(),
        name: nameField.optional(),
        listed: z.boolean().optional(),
        district: districtField.optional(),
      }),
    ),
  },
  responses: { 200: jsonResponse("已更新", DepartmentSchema), ...errors(400, 401, 403, 404, 409) },
});

type DepartmentRow = typeof departments.$inferSelect;
const toDepartment = ({ id, code, name, listed, district }: DepartmentRow) => ({
  id,
  code,
  name,
  listed,
  district,
});
const codeTaken = (code: string) => new ApiError(409, "conflict", `部门代码 ${code} 已存在`);

/** Departments, with `listed` (on the 行政检查主体清单, R1) and `district`; only administrators write. */
export function departmentRoutes() {
  const app = newRouter();

  app.openapi(listDepartments, async (c) => {
    const rows = await c.var.db.select().from(departments).orderBy(asc(departments.code));
    return c.json({ items: rows.map(toDepartment) }, 200);
  });

  app.openapi(createDepartment, async (c) => {
    const body = c.req.valid("json");
    const [existing] = await c.var.db.select().from(departments).where(eq(departments.code, body.code));
    if (existing) throw codeTaken(body.code);
    const row: DepartmentRow = {
      id: newId(),
      code: body.code,
      name: body.name,
      listed: body.listed ?? true,
      district: body.district ?? "",
      createdAt: Date.now(),
    };
    await onUniqueViolation(
      () =>
        runBatch(c.var.db, [
          c.var.db.insert(departments).values(row),
          auditInsert(c, {
            action: "department.create",
            targetType: "department",
            targetId: row.id,
            detail: { after: toDepartment(row) },
          }),
        ]),
      () => codeTaken(body.code),
    );
    return c.json(toDepartment(row), 201);
  });

  app.openapi(updateDepartment, async (c) => {
    const { id } = c.req.valid("param");
    const body = c.req.valid("json");
    const [before] = await c.var.db.select().from(departments).where(eq(departments.id, id));
    if (!before) throw notFound("部门");
    if (body.code !== undefined && body.code !== before.code) {
      const [taken] = await c.var.db
        .select({ id: departments.id })
        .from(departments)
        .where(and(eq(departments.code, body.code), ne(departments.id, id)));
      if (taken) throw codeTaken(body.code);
    }
    const after: DepartmentRow = { ...before, ...body };
    await onUniqueViolation(
      () =>
        runBatch(c.var.db, [
          c.var.db
            .update(departments)
            .set({ code: after.code, name: after.name, listed: after.listed, district: after.district })
            .where(eq(departments.id, id)),
          auditInsert(c, {
            action: "department.update",
            targetType: "department",
            targetId: id,
            detail: { before: toDepartment(before), after: toDepartment(after) },
          }),
        ]),
      () => codeTaken(after.code),
    );
    return c.json(toDepartment(after), 200);
  });

  return app;
}
