/** Planned tasks (计划任务): departments enter what they mean to inspect, per enterprise and window. */
import { createRoute, z } from "@hono/zod-openapi";
import { and, eq, inArray, sql } from "drizzle-orm";
import type { Context } from "hono";
import { auditInsert } from "../audit/audit.ts";
import { currentUser, requireUser } from "../auth/session.ts";
import { runBatch } from "../db/client.ts";
import { catalogItems, departments, enterprises, plannedTaskItems, plannedTasks } from "../db/schema.ts";
import type { AppEnv, SessionUser } from "../env.ts";
import { ApiError, notFound } from "../lib/errors.ts";
import { newId } from "../lib/ids.ts";
import { errors, jsonBody, jsonResponse, newRouter } from "../lib/router.ts";
import { PlannedTask, TaskBody, TaskIdParam, TaskListQuery, TaskPatch } from "./schemas.ts";
import { auditWhen, findTasks, startsIn, taskOpen, visibleTo, type TaskRow } from "./store.ts";

/** A planned window may span a quarter; the joint visit itself is at most 31 days (filing rule). */
const MAX_TASK_DAYS = 92;
const DAY_MS = 86_400_000;

const writers = requireUser("admin", "dept_admin");

const list = createRoute({
  method: "get",
  path: "/tasks",
  summary: "计划任务列表",
  description: "部门用户只见本部门的任务。",
  tags: ["planning"],
  middleware: [requireUser()] as const,
  request: { query: TaskListQuery },
  responses: {
    200: jsonResponse("计划任务", z.object({ items: z.array(PlannedTask) })),
    ...errors(400, 401),
  },
});

const one = createRoute({
  method: "get",
  path: "/tasks/{id}",
  summary: "一个计划任务",
  description: "其他部门的任务 → 404。",
  tags: ["planning"],
  middleware: [requireUser()] as const,
  request: { params: TaskIdParam },
  responses: { 200: jsonResponse("计划任务", PlannedTask), ...errors(401, 404) },
});

const create = createRoute({
  method: "post",
  path: "/tasks",
  summary: "新增计划任务",
  description: "系统管理员（任何部门，须给 `departmentId`）或部门管理员（本部门）；其他人 403。",
  tags: ["planning"],
  middleware: [writers] as const,
  request: jsonBody(TaskBody),
  responses: { 201: jsonResponse("已创建", PlannedTask), ...errors(400, 401, 403, 422) },
});

const update = createRoute({
  method: "patch",
  path: "/tasks/{id}",
  summary: "修改计划任务",
  description: "系统管理员或任务所属部门的管理员；其他部门的任务 → 404；已合并的任务 → 409 `task_merged`。",
  tags: ["planning"],
  middleware: [writers] as const,
  request: { params: TaskIdParam, ...jsonBody(TaskPatch) },
  responses: { 200: jsonResponse("已更新", PlannedTask), ...errors(400, 401, 403, 404, 409, 422) },
});

const remove = createRoute({
  method: "delete",
  path: "/tasks/{id}",
  summary: "删除计划任务",
  description: "系统管理员或任务所属部门的管理员；其他部门的任务 → 404；已合并的任务 → 409 `task_merged`。",
  tags: ["planning"],
  middleware: [writers] as const,
  request: { params: TaskIdParam },
  responses: { 204: { description: "已删除" }, ...errors(401, 403, 404, 409) },
});

/** The department a new task belongs to: named by administrators, the own one for department admins. */
function taskDepartment(user: SessionUser, requested: string | undefined): string {
  if (user.role === "admin") {
    if (!requested) throw new ApiError(422, "department_required", "请选择计划任务所属部门");
    return requested;
  }
  if (!user.departmentId) throw new ApiError(403, "forbidden", "只有部门管理员可以录入本部门的计划任务");
  if (requested && requested !== user.departmentId) {
    throw new ApiError(403, "forbidden", "部门管理员只能录入本部门的计划任务");
  }
  return user.departmentId;
}

/** A task the user may reach; another department's task answers 404, as if it did not exist. */
async function loadTask(c: Context<AppEnv>, id: string): Promise<TaskRow> {
  const user = currentUser(c);
  const [row] = await c.var.db
    .select()
    .from(plannedTasks)
    .where(and(eq(plannedTasks.id, id), visibleTo(user)));
  if (!row) throw notFound("计划任务");
  return row;
}

/** A task that can still change: merged tasks belong to their joint filing. */
async function loadOpenTask(c: Context<AppEnv>, id: string): Promise<TaskRow> {
  const row = await loadTask(c, id);
  if (row.status !== "planned") {
    throw new ApiError(409, "task_merged", "该计划任务已合并为联合检查，不能再修改或删除");
  }
  return row;
}

interface TaskFacts {
  enterpriseId: string;
  departmentId: string;
  plannedStart: number;
  plannedEnd: number;
  itemIds: string[];
}

/** The task's own rules: a known enterprise, a listed department, a sane window, its department's items. */
async function checkTask(c: Context<AppEnv>, t: TaskFacts): Promise<void> {
  const db = c.var.db;
  if (!(t.plannedEnd > t.plannedStart)) {
    throw new ApiError(422, "invalid_window", "计划结束时间必须晚于开始时间");
  }
  if (t.plannedEnd - t.plannedStart > MAX_TASK_DAYS * DAY_MS) {
    throw new ApiError(422, "invalid_window", `计划时间段不能超过 ${MAX_TASK_DAYS} 天`);
  }
  const [[firm], [dept], items] = await Promise.all([
    db.select({ id: enterprises.id }).from(enterprises).where(eq(enterprises.id, t.enterpriseId)),
    db.select().from(departments).where(eq(departments.id, t.departmentId)),
    db.select().from(catalogItems).where(inArray(catalogItems.id, t.itemIds)),
  ]);
  if (!firm) throw new ApiError(422, "unknown_enterprise", "企业不在企业名录中");
  if (!dept) throw new ApiError(422, "unknown_department", "部门不存在");
  if (!dept.listed) {
    throw new ApiError(422, "department_not_listed", `${dept.name}不在行政检查主体清单内，不能安排检查`);
  }
  const bad = t.itemIds.filter((id) => {
    const item = items.find((i) => i.id === id);
    return !item || item.status !== "active" || item.departmentId !== t.departmentId;
  });
  if (bad.length) {
    throw new ApiError(
      422,
      "item_not_allowed",
      "检查事项必须是本部门现行涉企检查事项清单中的事项（清单之外无检查）",
      bad,
    );
  }
}

/** What the audit log keeps of a task: its fields and items. */
const audited = (row: TaskRow, itemIds: string[]) => ({
  enterpriseId: row.enterpriseId,
  departmentId: row.departmentId,
  kind: row.kind,
  plannedStart: row.plannedStart,
  plannedEnd: row.plannedEnd,
  notes: row.notes,
  status: row.status,
  itemIds,
});

async function itemIdsOf(c: Context<AppEnv>, taskId: string): Promise<string[]> {
  const rows = await c.var.db
    .select({ id: plannedTaskItems.itemId })
    .from(plannedTaskItems)
    .where(eq(plannedTaskItems.taskId, taskId));
  return rows.map((r) => r.id).sort();
}

async function viewOf(c: Context<AppEnv>, id: string) {
  const [view] = await findTasks(c.var.db, [eq(plannedTasks.id, id)]);
  return view!.json;
}

/** The CRUD routes of planned tasks (mounted under /api/planning). */
export function taskRoutes() {
  const app = newRouter();

  app.openapi(list, async (c) => {
    const user = currentUser(c);
    const q = c.req.valid("query");
    const from = q.from ? Date.parse(q.from) : 0;
    const to = q.to ? Date.parse(q.to) : Number.MAX_SAFE_INTEGER;
    const views = await findTasks(c.var.db, [
      visibleTo(user),
      startsIn(from, to),
      q.department ? eq(plannedTasks.departmentId, q.department) : undefined,
      q.enterpriseId ? eq(plannedTasks.enterpriseId, q.enterpriseId) : undefined,
      q.status ? eq(plannedTasks.status, q.status) : undefined,
    ]);
    return c.json({ items: views.map((v) => v.json) }, 200);
  });

  app.openapi(one, async (c) => {
    const row = await loadTask(c, c.req.valid("param").id);
    return c.json(await viewOf(c, row.id), 200);
  });

  app.openapi(create, async (c) => {
    const user = currentUser(c);
    const body = c.req.valid("json");
    const itemIds = [...new Set(body.itemIds)].sort();
    const now = Date.now();
    const row: TaskRow = {
      id: newId(),
      enterpriseId: body.enterpriseId,
      departmentId: taskDepartment(user, body.departmentId),
      kind: body.kind,
      plannedStart: Date.parse(body.plannedStart),
      plannedEnd: Date.parse(body.plannedEnd),
      notes: body.notes?.trim() ?? "",
      status: "planned",
      inspectionId: null,
      createdBy: user.id,
      createdAt: now,
      updatedAt: now,
    };
    await checkTask(c, { ...row, itemIds });
    await runBatch(c.var.db, [
      c.var.db.insert(plannedTasks).values(row),
      ...itemIds.map((itemId) => c.var.db.insert(plannedTaskItems).values({ taskId: row.id, itemId })),
      auditInsert(c, {
        action: "planning.task.create",
        targetType: "planned_task",
        targetId: row.id,
        detail: { after: audited(row, itemIds) },
      }),
    ]);
    return c.json(await viewOf(c, row.id), 201);
  });

  app.openapi(update, async (c) => {
    const before = await loadOpenTask(c, c.req.valid("param").id);
    const body = c.req.valid("json");
    const beforeItems = await itemIdsOf(c, before.id);
    const itemIds = body.itemIds ? [...new Set(body.itemIds)].sort() : beforeItems;
    const after: TaskRow = {
      ...before,
      enterpriseId: body.enterpriseId ?? before.enterpriseId,
      kind: body.kind ?? before.kind,
      plannedStart: body.plannedStart ? Date.parse(body.plannedStart) : before.plannedStart,
      plannedEnd: body.plannedEnd ? Date.parse(body.plannedEnd) : before.plannedEnd,
      notes: body.notes !== undefined ? body.notes.trim() : before.notes,
      updatedAt: Date.now(),
    };
    await checkTask(c, { ...after, itemIds });
    const db = c.var.db;
    // Guarded on the status read: a merge in between wins, and this update then changes nothing.
    const changed = sql`EXISTS (SELECT 1 FROM planned_tasks WHERE id = ${before.id} AND status = 'planned'
      AND updated_at = ${after.updatedAt})`;
    const results = await db.batch([
      db
        .update(plannedTasks)
        .set(after)
        .where(and(eq(plannedTasks.id, before.id), eq(plannedTasks.status, "planned"))),
      db.delete(plannedTaskItems).where(and(eq(plannedTaskItems.taskId, before.id), changed)),
      ...itemIds.map((itemId) =>
        db.run(
          sql`INSERT INTO planned_task_items (task_id, item_id) SELECT ${before.id}, ${itemId} WHERE ${changed}`,
        ),
      ),
      auditWhen(
        c,
        {
          action: "planning.task.update",
          targetType: "planned_task",
          targetId: before.id,
          detail: { before: audited(before, beforeItems), after: audited(after, itemIds) },
        },
        changed,
      ),
    ]);
    if (results[0].rowsAffected !== 1) throw new ApiError(409, "task_merged", "该计划任务已合并为联合检查");
    return c.json(await viewOf(c, before.id), 200);
  });

  app.openapi(remove, async (c) => {
    const row = await loadOpenTask(c, c.req.valid("param").id);
    const items = await itemIdsOf(c, row.id);
    const db = c.var.db;
    const results = await db.batch([
      db.delete(plannedTaskItems).where(and(eq(plannedTaskItems.taskId, row.id), taskOpen(row.id))),
      db.delete(plannedTasks).where(and(eq(plannedTasks.id, row.id), eq(plannedTasks.status, "planned"))),
      auditWhen(
        c,
        {
          action: "planning.task.delete",
          targetType: "planned_task",
          targetId: row.id,
          detail: { before: audited(row, items) },
        },
        sql`NOT EXISTS (SELECT 1 FROM planned_tasks WHERE id = ${row.id})`,
      ),
    ]);
    if (results[1].rowsAffected !== 1) throw new ApiError(409, "task_merged", "该计划任务已合并为联合检查");
    return c.body(null, 204);
  });

  return app;
}
