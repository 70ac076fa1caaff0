/**
 * The coordinator's matching view and the merge of matched tasks into one joint visit (R11). The merge
 * files the visit exactly as a joint filing is filed (fileInspection): the lead department takes part
 * at once and its administrator approves the filing (R6); every other department starts as a pending
 * join request that its own administrator approves or refuses (R18: the coordinator does not act in a
 * department's name). A department joins with its officers and items, the legal basis grows with them,
 * and there is one combined checklist and one evaluation, both hanging off the one inspection. A refused
 * request puts that department's merged tasks back to planned.
 */
import { createRoute } from "@hono/zod-openapi";
import { inArray, sql } from "drizzle-orm";
import type { Context } from "hono";
import { currentUser, requireUser } from "../auth/session.ts";
import { plannedTasks } from "../db/schema.ts";
import type { AppEnv } from "../env.ts";
import { fileInspection, loadFilingFacts, type FilingResult } from "../inspections/filing-use-case.ts";
import { ApiError, notFound } from "../lib/errors.ts";
import { errors, iso, jsonBody, jsonResponse, newRouter } from "../lib/router.ts";
import { groupTasks, visitsSaved, type TaskGroup } from "./matching.ts";
import { MatchView, MergeBody, MergeResult, PeriodQuery } from "./schemas.ts";
import { auditWhen, findTasks, startsIn, type TaskView } from "./store.ts";

const DAY_MS = 86_400_000;
/** The longest visit a filing allows (rules.ts checkFiling). */
const MAX_VISIT_MS = 31 * DAY_MS;
/** The period shown when none is asked for: from today, three months. */
const DEFAULT_PERIOD_DAYS = 92;

const matches = createRoute({
  method: "get",
  path: "/matches",
  summary: "可合并的计划（按企业分组）",
  description:
    "系统管理员和监督人员。按企业分组并给出 `saved`，以及 `open/merged/total: {tasks, visits, saved}`（docs/PLANNING.md）。",
  tags: ["planning"],
  middleware: [requireUser("admin", "supervisor")] as const,
  request: { query: PeriodQuery },
  responses: { 200: jsonResponse("可合并的计划任务", MatchView), ...errors(400, 401, 403) },
});

const merge = createRoute({
  method: "post",
  path: "/merge",
  summary: "合并计划为一次联合检查备案",
  description: "仅系统管理员。生成一次联合检查备案；牵头部门以外的部门经其管理员批准后参与（R18）。",
  tags: ["planning"],
  middleware: [requireUser("admin")] as const,
  request: jsonBody(MergeBody),
  responses: {
    201: jsonResponse("已合并为一次联合检查并备案", MergeResult),
    ...errors(400, 401, 403, 404, 409, 422),
  },
});

/** A task with what matching needs, taken from its view. */
type Matchable = TaskView & {
  id: string;
  enterpriseId: string;
  departmentId: string;
  plannedStart: number;
  plannedEnd: number;
};

const matchable = (v: TaskView): Matchable => ({
  ...v,
  id: v.row.id,
  enterpriseId: v.row.enterpriseId,
  departmentId: v.row.departmentId,
  plannedStart: v.row.plannedStart,
  plannedEnd: v.row.plannedEnd,
});

/**
 * A window for the joint visit: the tasks' common window when they share one, else the anchor's;
 * cut to the longest visit a filing allows.
 */
export function suggestedWindow(tasks: { plannedStart: number; plannedEnd: number }[]): [number, number] {
  const start = Math.max(...tasks.map((t) => t.plannedStart));
  const end = Math.min(...tasks.map((t) => t.plannedEnd));
  const [from, to] = start < end ? [start, end] : [tasks[0]!.plannedStart, tasks[0]!.plannedEnd];
  return [from, Math.min(to, from + MAX_VISIT_MS)];
}

function groupJson(g: TaskGroup<Matchable>) {
  const [start, end] = suggestedWindow(g.tasks);
  return {
    enterprise: g.anchor.json.enterprise,
    departments: g.departmentIds.map((id) => g.tasks.find((t) => t.departmentId === id)!.json.department),
    tasks: g.tasks.map((t) => t.json),
    saved: g.saved,
    suggested: { leadDepartmentId: g.anchor.departmentId, plannedStart: iso(start)!, plannedEnd: iso(end)! },
  };
}

function period(q: { from?: string; to?: string }): [number, number] {
  const from = q.from ? Date.parse(q.from) : Date.now() - (Date.now() % DAY_MS);
  const to = q.to ? Date.parse(q.to) : from + DEFAULT_PERIOD_DAYS * DAY_MS;
  if (!(to > from)) throw new ApiError(422, "invalid_period", "统计期间的结束必须晚于开始");
  return [from, to];
}

/** The matching view: open groups per enterprise and what merging saves, for tasks starting in the period. */
async function matchView(c: Context<AppEnv>, from: number, to: number) {
  const windowDays = c.var.deps.config.inspections.duplicateWindowDays;
  const views = (await findTasks(c.var.db, [startsIn(from, to)])).map(matchable);
  const groups = groupTasks(
    views.filter((v) => v.row.status === "planned"),
    windowDays,
  );
  const mergedTasks = views.filter((v) => v.row.status === "merged");
  const mergedVisits = new Set(mergedTasks.map((v) => v.row.inspectionId)).size;
  const open = visitsSaved(groups);
  const merged = {
    tasks: mergedTasks.length,
    visits: mergedVisits,
    saved: mergedTasks.length - mergedVisits,
  };
  return {
    from: iso(from)!,
    to: iso(to)!,
    windowDays,
    groups: groups.map(groupJson),
    open,
    merged,
    total: {
      tasks: open.tasks + merged.tasks,
      visits: open.visits + merged.visits,
      saved: open.saved + merged.saved,
    },
  };
}

/** The tasks to merge, in order of start; refuses unknown, merged or mixed-enterprise tasks. */
async function tasksToMerge(c: Context<AppEnv>, taskIds: string[]) {
  const views = await findTasks(c.var.db, [inArray(plannedTasks.id, taskIds)]);
  if (views.length !== taskIds.length) throw notFound("计划任务");
  if (views.some((v) => v.row.status !== "planned")) {
    throw new ApiError(409, "task_merged", "所选计划任务中有已合并的任务");
  }
  if (new Set(views.map((v) => v.row.enterpriseId)).size !== 1) {
    throw new ApiError(422, "mixed_enterprises", "只能合并同一企业的计划任务");
  }
  return views;
}

/** The item ids of the tasks, lead department's first, then each department's in task order. */
function mergedItemIds(views: TaskView[], departmentIds: string[]): string[] {
  const ids = departmentIds.flatMap((d) =>
    views.filter((v) => v.row.departmentId === d).flatMap((v) => v.json.items.map((i) => i.id)),
  );
  return [...new Set(ids)];
}

/** The tasks' notes for the joint filing, each once, with the department that wrote it. */
function taskNotes(views: TaskView[]): string {
  const lines = views
    .filter((v) => v.row.notes.trim())
    .map((v) => `${v.json.department.name}：${v.row.notes.trim()}`);
  return [...new Set(lines)].join("\n");
}

/** The routes of the matching view and the merge (mounted under /api/planning). */
export function mergeRoutes() {
  const app = newRouter();

  app.openapi(matches, async (c) => {
    const [from, to] = period(c.req.valid("query"));
    return c.json(await matchView(c, from, to), 200);
  });

  app.openapi(merge, async (c) => {
    const user = currentUser(c);
    const body = c.req.valid("json");
    const { config } = c.var.deps;
    const db = c.var.db;
    const taskIds = [...new Set(body.taskIds)];
    if (taskIds.length < 2) throw new ApiError(422, "too_few_tasks", "至少合并两项计划任务");
    const views = await tasksToMerge(c, taskIds);
    const enterpriseId = views[0]!.row.enterpriseId;
    const taskDepartments = [...new Set(views.map((v) => v.row.departmentId))];
    if (!taskDepartments.includes(body.leadDepartmentId)) {
      throw new ApiError(422, "lead_not_involved", "牵头部门必须是所合并计划任务的部门之一");
    }
    const departmentIds = [
      body.leadDepartmentId,
      ...taskDepartments.filter((d) => d !== body.leadDepartmentId),
    ];
    const lead = views.find((v) => v.row.departmentId === body.leadDepartmentId)!;
    const taskIdsStillOpen = sql`NOT EXISTS (SELECT 1 FROM planned_tasks WHERE id IN ${taskIds} AND status <> 'planned')`;
    const now = Date.now();
    const facts = await loadFilingFacts(
      db,
      {
        enterpriseId,
        departmentIds,
        officerIds: [...new Set(body.officerIds)],
        itemIds: mergedItemIds(views, departmentIds),
        type: lead.row.kind,
        plannedStart: Date.parse(body.plannedStart),
        plannedEnd: Date.parse(body.plannedEnd),
        now,
      },
      { timeZone: config.timeZone, lateFilingMaxDays: config.inspections.lateFilingMaxDays },
    );
    const result = await fileInspection(db, facts, {
      config: config.inspections,
      filedBy: user.id,
      audit: {
        actorId: user.id,
        actorName: user.username,
        ip: c.var.clientIp,
        detail: { mergedFrom: taskIds },
      },
      notes: body.notes?.trim() || taskNotes(views),
      also: taskIdsStillOpen,
      origin: "merge",
      then: (id, inserted) => [
        db.run(sql`UPDATE planned_tasks SET status = 'merged', inspection_id = ${id}, updated_at = ${now}
          WHERE id IN ${taskIds} AND status = 'planned' AND ${inserted}`),
        ...views.map((v) =>
          auditWhen(
            c,
            {
              action: "planning.task.merge",
              targetType: "planned_task",
              targetId: v.row.id,
              detail: {
                before: { status: "planned" },
                after: { status: "merged", inspectionId: id },
                leadDepartmentId: body.leadDepartmentId,
                taskIds,
              },
            },
            inserted,
          ),
        ),
      ],
    });
    if (result.kind === "filed") {
      const saved = views.length - 1;
      const { id, pendingDepartmentIds } = result;
      return c.json(
        { id, departments: departmentIds, pendingDepartmentIds, tasks: views.length, saved },
        201,
      );
    }
    if (result.kind === "violation") {
      const { code, message, details } = result.violation;
      throw new ApiError(422, code, message, details);
    }
    return refuseMerge(c, taskIds, result);
  });

  return app;
}

/** Why the guarded insert admitted nothing: a task merged meanwhile, a filing in the window, or a cap. */
async function refuseMerge(
  c: Context<AppEnv>,
  taskIds: string[],
  result: Exclude<FilingResult, { kind: "filed" } | { kind: "violation" }>,
): Promise<never> {
  const rows = await c.var.db
    .select({ status: plannedTasks.status })
    .from(plannedTasks)
    .where(inArray(plannedTasks.id, taskIds));
  if (rows.some((r) => r.status !== "planned")) {
    throw new ApiError(409, "task_merged", "所选计划任务已被合并");
  }
  if (result.kind === "conflict") {
    const days = c.var.deps.config.inspections.duplicateWindowDays;
    const names = result.conflict.departments.map((d) => d.name);
    throw new ApiError(
      409,
      "duplicate_window",
      `该企业在 ${days} 天窗口期内已有检查备案（${names.join("、")}），请各部门申请加入该次检查`,
      undefined,
      {
        conflict: {
          id: result.conflict.id,
          departments: names,
          plannedStart: iso(result.conflict.plannedStart),
        },
      },
    );
  }
  throw new ApiError(422, "yearly_cap", "参与部门中有部门本年度对该企业的检查次数已达上限");
}
