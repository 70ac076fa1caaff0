import { createRoute, z } from "@hono/zod-openapi";
import { asc, desc, eq, inArray, sql } from "drizzle-orm";
import type { Context } from "hono";
import { auditInsert } from "../audit/audit.ts";
import { currentUser, requireUser } from "../auth/session.ts";
import { runBatch } from "../db/client.ts";
import {
  catalogItems,
  departments,
  enterprises,
  samplingTaskDepartments,
  samplingTasks,
} from "../db/schema.ts";
import { daysBetween, localDate } from "../lib/time.ts";
import { normalizeCreditCode } from "../directory/uscc.ts";
import type { AppEnv, SessionUser } from "../env.ts";
import { ApiError, forbidden } from "../lib/errors.ts";
import { newId } from "../lib/ids.ts";
import { errors, iso, jsonBody, jsonResponse, newRouter } from "../lib/router.ts";
import { loadTask } from "./access.ts";
import { conflictRoutes } from "./conflicts.ts";
import { fileRoutes } from "./file-step.ts";
import { TaskBody, TaskIdParam, TaskSchema, TaskSummarySchema } from "./schemas.ts";
import { stepRoutes } from "./steps.ts";
import { taskView } from "./views.ts";

/** The longest period of one task: a filing's planned window may not exceed 31 days. */
export const MAX_PERIOD_DAYS = 31;

const managers = requireUser("admin", "dept_admin");
const TaskEnvelope = z.object({ task: TaskSchema });

const list = createRoute({
  method: "get",
  path: "/tasks",
  summary: "双随机抽查任务列表",
  description: "系统管理员和监督人员：全部；其他人：本部门的。",
  tags: ["sampling"],
  middleware: [requireUser()] as const,
  responses: {
    200: jsonResponse("抽查任务（新建的在前）", z.object({ items: z.array(TaskSummarySchema) })),
    ...errors(401),
  },
});

const create = createRoute({
  method: "post",
  path: "/tasks",
  summary: "新建双随机抽查任务",
  description:
    "系统管理员（`departmentIds` 任意）、部门管理员（本部门）；执法人员 403。422 `item_outside_department`、`item_not_in_catalog`、`invalid_period`、`unknown_enterprise`、`triggered_outside_population`。算法：docs/SAMPLING.md。",
  tags: ["sampling"],
  middleware: [managers] as const,
  request: jsonBody(TaskBody),
  responses: { 201: jsonResponse("已创建", TaskEnvelope), ...errors(400, 401, 403, 422) },
});

const one = createRoute({
  method: "get",
  path: "/tasks/{id}",
  summary: "一个双随机抽查任务",
  description: "其他部门的 → 404；公布前 `seed` 为 null。",
  tags: ["sampling"],
  middleware: [requireUser()] as const,
  request: { params: TaskIdParam },
  responses: { 200: jsonResponse("抽查任务", TaskEnvelope), ...errors(401, 404) },
});

const options = createRoute({
  method: "get",
  path: "/options",
  summary: "抽查筛选项（区县、行业）",
  tags: ["sampling"],
  middleware: [managers] as const,
  responses: {
    200: jsonResponse(
      "企业名录中的区县和行业（抽查范围的选项）",
      z.object({ districts: z.array(z.string()), industries: z.array(z.string()) }),
    ),
    ...errors(401, 403),
  },
});

type Body = z.infer<typeof TaskBody>;

/** The task's departments: any listed ones for administrators, their own for department administrators. */
async function taskDepartmentIds(c: Context<AppEnv>, user: SessionUser, body: Body): Promise<string[]> {
  const requested = [...new Set(body.departmentIds ?? [])];
  let ids: string[];
  if (user.role === "admin") {
    if (!requested.length) throw new ApiError(422, "departments_required", "请选择实施抽查的部门");
    ids = requested;
  } else {
    if (!user.departmentId) throw forbidden("没有所属部门");
    if (requested.some((d) => d !== user.departmentId)) {
      throw forbidden("部门管理员只能为本部门创建抽查任务");
    }
    ids = [user.departmentId];
  }
  const rows = await c.var.db.select().from(departments).where(inArray(departments.id, ids));
  if (rows.length !== ids.length) throw new ApiError(422, "unknown_department", "部门不存在");
  const unlisted = rows.filter((d) => !d.listed);
  if (unlisted.length) {
    throw new ApiError(
      422,
      "department_not_listed",
      `${unlisted.map((d) => d.name).join("、")}不在行政检查主体清单内`,
    );
  }
  return ids;
}

/** Items must be active catalog items of the task's departments (清单之外无检查). */
async function checkItems(c: Context<AppEnv>, itemIds: string[], departmentIds: string[]) {
  const rows = await c.var.db.select().from(catalogItems).where(inArray(catalogItems.id, itemIds));
  const bad = itemIds.filter((id) => {
    const item = rows.find((r) => r.id === id);
    return !item || item.status !== "active";
  });
  if (bad.length) {
    throw new ApiError(422, "item_not_in_catalog", "检查事项不在现行涉企检查事项清单中", bad);
  }
  const foreign = rows.filter((r) => !departmentIds.includes(r.departmentId));
  if (foreign.length) {
    throw new ApiError(
      422,
      "item_outside_department",
      `${foreign.map((i) => i.code).join("、")}不属于本任务的部门`,
      foreign.map((i) => i.id),
    );
  }
}

function checkPeriod(c: Context<AppEnv>, from: string, to: string) {
  const span = daysBetween(from, to) + 1;
  if (span < 1) throw new ApiError(422, "invalid_period", "抽查期间的结束日期不能早于开始日期");
  if (span > MAX_PERIOD_DAYS) {
    throw new ApiError(
      422,
      "invalid_period",
      `抽查期间不能超过 ${MAX_PERIOD_DAYS} 天（每户检查的计划时间上限）`,
    );
  }
  const today = localDate(Date.now(), c.var.deps.config.timeZone);
  if (to < today) throw new ApiError(422, "invalid_period", "抽查期间已经结束");
}

/** Triggered enterprises must exist and fall within the population the filters describe. */
async function triggeredCodes(c: Context<AppEnv>, body: Body): Promise<string[]> {
  const codes = [...new Set(body.triggeredCreditCodes.map(normalizeCreditCode))];
  if (!codes.length) return [];
  const rows = await c.var.db.select().from(enterprises).where(inArray(enterprises.creditCode, codes));
  const unknown = codes.filter((code) => !rows.some((r) => r.creditCode === code));
  if (unknown.length) {
    throw new ApiError(422, "unknown_enterprise", `企业名录中没有：${unknown.join("、")}`, unknown);
  }
  const f = body.filters;
  const outside = rows.filter(
    (e) =>
      (f.districts.length && !f.districts.includes(e.district)) ||
      (f.industries.length && !f.industries.includes(e.industry)) ||
      (f.riskLevels.length && !f.riskLevels.includes(e.riskLevel)),
  );
  if (outside.length) {
    throw new ApiError(
      422,
      "triggered_outside_population",
      `${outside.map((e) => e.name).join("、")}不在本任务的抽查范围内`,
      outside.map((e) => e.creditCode),
    );
  }
  return codes.sort();
}

/** Tasks the user can read: all for administrators and supervisors, else those of their department. */
async function visibleTasks(c: Context<AppEnv>, user: SessionUser) {
  const db = c.var.db;
  const where =
    user.role === "admin" || user.role === "supervisor"
      ? undefined
      : inArray(
          samplingTasks.id,
          db
            .select({ id: samplingTaskDepartments.taskId })
            .from(samplingTaskDepartments)
            .where(eq(samplingTaskDepartments.departmentId, user.departmentId ?? "")),
        );
  const rows = await db
    .select()
    .from(samplingTasks)
    .where(where)
    .orderBy(desc(samplingTasks.createdAt))
    .limit(500);
  const links = rows.length
    ? await db
        .select({ taskId: samplingTaskDepartments.taskId, id: departments.id, name: departments.name })
        .from(samplingTaskDepartments)
        .innerJoin(departments, eq(departments.id, samplingTaskDepartments.departmentId))
        .where(
          inArray(
            samplingTaskDepartments.taskId,
            rows.map((r) => r.id),
          ),
        )
        .orderBy(asc(samplingTaskDepartments.position))
    : [];
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    status: r.status,
    departments: links.filter((l) => l.taskId === r.id).map((l) => ({ id: l.id, name: l.name })),
    periodFrom: r.periodFrom,
    periodTo: r.periodTo,
    commitment: r.commitment,
    createdAt: iso(r.createdAt)!,
    committedAt: iso(r.committedAt),
    revealedAt: iso(r.revealedAt),
    filedAt: iso(r.filedAt),
  }));
}

/** 双随机 tasks under /api/sampling: parameters, the verifiable draw, filings, and the conflict register. */
export function samplingRoutes() {
  const app = newRouter();

  app.openapi(list, async (c) => c.json({ items: await visibleTasks(c, currentUser(c)) }, 200));

  app.openapi(options, async (c) => {
    const distinct = async (column: typeof enterprises.district | typeof enterprises.industry) =>
      (
        await c.var.db
          .selectDistinct({ value: column })
          .from(enterprises)
          .where(sql`${column} <> ''`)
          .orderBy(asc(column))
      ).map((r) => r.value);
    return c.json(
      { districts: await distinct(enterprises.district), industries: await distinct(enterprises.industry) },
      200,
    );
  });

  app.openapi(create, async (c) => {
    const user = currentUser(c);
    const body = c.req.valid("json");
    const departmentIds = await taskDepartmentIds(c, user, body);
    const itemIds = [...new Set(body.itemIds)];
    await checkItems(c, itemIds, departmentIds);
    checkPeriod(c, body.periodFrom, body.periodTo);
    const triggered = await triggeredCodes(c, body);
    const id = newId();
    const now = Date.now();
    const ratiosBp = Object.fromEntries(
      Object.entries(body.ratios).map(([g, p]) => [g, Math.round(p * 100)]),
    );
    const filters = {
      districts: [...new Set(body.filters.districts)].sort(),
      industries: [...new Set(body.filters.industries)].sort(),
      riskLevels: [...new Set(body.filters.riskLevels)].sort(),
    };
    await runBatch(c.var.db, [
      c.var.db.insert(samplingTasks).values({
        id,
        name: body.name,
        leadDepartmentId: departmentIds[0]!,
        itemIds: JSON.stringify(itemIds),
        periodFrom: body.periodFrom,
        periodTo: body.periodTo,
        filters: JSON.stringify(filters),
        ratiosBp: JSON.stringify(ratiosBp),
        triggeredCreditCodes: JSON.stringify(triggered),
        inspectorsPerEnterprise: body.inspectorsPerEnterprise,
        createdBy: user.id,
        createdAt: now,
        updatedAt: now,
      }),
      ...departmentIds.map((departmentId, position) =>
        c.var.db.insert(samplingTaskDepartments).values({ taskId: id, departmentId, position }),
      ),
      auditInsert(c, {
        action: "sampling.created",
        targetType: "sampling_task",
        targetId: id,
        detail: { after: { status: "draft", name: body.name, departmentIds, itemIds, ratiosBp, filters } },
      }),
    ]);
    const { row, departments: depts } = await loadTask(c, id, "read");
    return c.json({ task: await taskView(c.var.db, row, depts) }, 201);
  });

  app.openapi(one, async (c) => {
    const { row, departments: depts } = await loadTask(c, c.req.valid("param").id, "read");
    return c.json({ task: await taskView(c.var.db, row, depts) }, 200);
  });

  app.route("/", stepRoutes());
  app.route("/", fileRoutes());
  app.route("/", conflictRoutes());
  return app;
}
