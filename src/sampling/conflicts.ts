import { createRoute, z } from "@hono/zod-openapi";
import { desc, eq } from "drizzle-orm";
import type { Context } from "hono";
import { auditInsert } from "../audit/audit.ts";
import { currentUser, requireUser } from "../auth/session.ts";
import { runBatch } from "../db/client.ts";
import { enterprises, officers, samplingConflicts } from "../db/schema.ts";
import { canSeeDepartment, readsAllDepartments } from "../directory/access.ts";
import { onUniqueViolation } from "../directory/unique.ts";
import type { AppEnv } from "../env.ts";
import { ApiError, notFound } from "../lib/errors.ts";
import { newId } from "../lib/ids.ts";
import { errors, iso, jsonBody, jsonResponse, newRouter } from "../lib/router.ts";
import { ConflictBody, ConflictSchema, TaskIdParam } from "./schemas.ts";

const managers = requireUser("admin", "dept_admin");
const Envelope = z.object({ conflict: ConflictSchema });

const list = createRoute({
  method: "get",
  path: "/conflicts",
  summary: "回避登记列表",
  tags: ["sampling"],
  middleware: [requireUser()] as const,
  responses: { 200: jsonResponse("回避登记", z.object({ items: z.array(ConflictSchema) })), ...errors(401) },
});
const create = createRoute({
  method: "post",
  path: "/conflicts",
  summary: "新增回避登记",
  description: "部门管理员：只限本部门人员（其他 → 404）；该组合已登记 → 409。",
  tags: ["sampling"],
  middleware: [managers] as const,
  request: jsonBody(ConflictBody),
  responses: { 201: jsonResponse("已登记", Envelope), ...errors(400, 401, 403, 404, 409) },
});
const update = createRoute({
  method: "patch",
  path: "/conflicts/{id}",
  summary: "修改回避登记",
  description: "部门管理员：只限本部门人员的登记（其他 → 404）。",
  tags: ["sampling"],
  middleware: [managers] as const,
  request: { params: TaskIdParam, ...jsonBody(ConflictBody.pick({ reason: true })) },
  responses: { 200: jsonResponse("已更新", Envelope), ...errors(400, 401, 403, 404) },
});
const remove = createRoute({
  method: "delete",
  path: "/conflicts/{id}",
  summary: "删除回避登记",
  description: "部门管理员：只限本部门人员的登记（其他 → 404）。",
  tags: ["sampling"],
  middleware: [managers] as const,
  request: { params: TaskIdParam },
  responses: { 204: { description: "已删除" }, ...errors(401, 403, 404) },
});

const selection = {
  id: samplingConflicts.id,
  reason: samplingConflicts.reason,
  createdAt: samplingConflicts.createdAt,
  updatedAt: samplingConflicts.updatedAt,
  officerId: officers.id,
  officerName: officers.name,
  officerDepartmentId: officers.departmentId,
  enterpriseId: enterprises.id,
  enterpriseName: enterprises.name,
  creditCode: enterprises.creditCode,
};

function joined(c: Context<AppEnv>) {
  return c.var.db
    .select(selection)
    .from(samplingConflicts)
    .innerJoin(officers, eq(officers.id, samplingConflicts.officerId))
    .innerJoin(enterprises, eq(enterprises.id, samplingConflicts.enterpriseId));
}

type Joined = Awaited<ReturnType<typeof joined>>[number];

const view = (r: Joined) => ({
  id: r.id,
  officer: { id: r.officerId, name: r.officerName, departmentId: r.officerDepartmentId },
  enterprise: { id: r.enterpriseId, name: r.enterpriseName, creditCode: r.creditCode },
  reason: r.reason,
  createdAt: iso(r.createdAt)!,
  updatedAt: iso(r.updatedAt)!,
});

/** A conflict the user may reach: through its officer's department (else 404). */
async function loadConflict(c: Context<AppEnv>, id: string) {
  const [row] = await joined(c).where(eq(samplingConflicts.id, id));
  if (!row || !canSeeDepartment(currentUser(c), row.officerDepartmentId)) throw notFound("回避登记");
  return row;
}

/** 回避登记: officer–enterprise pairs the draw never makes; department administrators keep their own officers'. */
export function conflictRoutes() {
  const app = newRouter();

  app.openapi(list, async (c) => {
    const user = currentUser(c);
    const where = readsAllDepartments(user) ? undefined : eq(officers.departmentId, user.departmentId ?? "");
    const rows = await joined(c).where(where).orderBy(desc(samplingConflicts.createdAt)).limit(2000);
    return c.json({ items: rows.map(view) }, 200);
  });

  app.openapi(create, async (c) => {
    const user = currentUser(c);
    const body = c.req.valid("json");
    const [officer] = await c.var.db.select().from(officers).where(eq(officers.id, body.officerId));
    if (!officer || !canSeeDepartment(user, officer.departmentId)) throw notFound("执法人员");
    const [enterprise] = await c.var.db
      .select()
      .from(enterprises)
      .where(eq(enterprises.id, body.enterpriseId));
    if (!enterprise) throw notFound("企业");
    const id = newId();
    const now = Date.now();
    await onUniqueViolation(
      () =>
        runBatch(c.var.db, [
          c.var.db
            .insert(samplingConflicts)
            .values({ id, ...body, createdBy: user.id, createdAt: now, updatedAt: now }),
          auditInsert(c, {
            action: "sampling.conflict_created",
            targetType: "sampling_conflict",
            targetId: id,
            detail: { after: body },
          }),
        ]),
      () => new ApiError(409, "conflict_exists", "该执法人员与该企业的回避关系已登记"),
    );
    return c.json({ conflict: view(await loadConflict(c, id)) }, 201);
  });

  app.openapi(update, async (c) => {
    const { id } = c.req.valid("param");
    const { reason } = c.req.valid("json");
    const before = await loadConflict(c, id);
    await runBatch(c.var.db, [
      c.var.db
        .update(samplingConflicts)
        .set({ reason, updatedAt: Date.now() })
        .where(eq(samplingConflicts.id, id)),
      auditInsert(c, {
        action: "sampling.conflict_updated",
        targetType: "sampling_conflict",
        targetId: id,
        detail: { before: { reason: before.reason }, after: { reason } },
      }),
    ]);
    return c.json({ conflict: view(await loadConflict(c, id)) }, 200);
  });

  app.openapi(remove, async (c) => {
    const { id } = c.req.valid("param");
    const before = await loadConflict(c, id);
    await runBatch(c.var.db, [
      c.var.db.delete(samplingConflicts).where(eq(samplingConflicts.id, id)),
      auditInsert(c, {
        action: "sampling.conflict_deleted",
        targetType: "sampling_conflict",
        targetId: id,
        detail: {
          before: { officerId: before.officerId, enterpriseId: before.enterpriseId, reason: before.reason },
        },
      }),
    ]);
    return c.body(null, 204);
  });

  return app;
}
