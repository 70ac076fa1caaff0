import { createRoute, z } from "@hono/zod-openapi";
import { and, eq, inArray, sql } from "drizzle-orm";
import type { Context } from "hono";
import { currentUser, requireUser } from "../auth/session.ts";
import { runBatch, type Db } from "../db/client.ts";
import {
  catalogItems,
  departments,
  officers,
  samplingFilings,
  samplingTasks,
  type SamplingFilingOutcome,
} from "../db/schema.ts";
import type { AppEnv, InspectionConfig } from "../env.ts";
import type { AuditLine } from "../inspections/filing.ts";
import { fileInspection, type FilingResult } from "../inspections/filing-use-case.ts";
import type { FilingFacts } from "../inspections/rules.ts";
import { ApiError } from "../lib/errors.ts";
import { errors, jsonResponse, newRouter } from "../lib/router.ts";
import { parseBound } from "../lib/time.ts";
import { loadTask, type TaskRow } from "./access.ts";
import type { DrawPick, DrawResult } from "./draw.ts";
import { TaskIdParam, TaskSchema } from "./schemas.ts";
import { guardedAudit, requireStatus } from "./steps.ts";
import { taskView } from "./views.ts";

const fileRoute = createRoute({
  method: "post",
  path: "/tasks/{id}/file",
  description:
    "每家企业的 `outcome[].filing.outcome`：`filed` | `duplicate_window`（附 `conflictInspectionId`）| `yearly_cap` | `unstaffed` | `refused`；可重复执行。",
  tags: ["sampling"],
  summary: "把抽中的企业和执法人员生成「双随机」检查备案；窗口期重复、年度上限等逐户报告",
  middleware: [requireUser("admin", "dept_admin")] as const,
  request: { params: TaskIdParam },
  responses: {
    200: jsonResponse(
      "备案结果（每户一条，见 task.outcome[].filing）",
      z.object({ task: TaskSchema, counts: z.record(z.string(), z.number()) }),
    ),
    ...errors(401, 403, 404, 409),
  },
});

/** What every filing of the task shares: departments, items, window, rule facts. */
interface FilingContext {
  task: TaskRow;
  departmentIds: string[];
  departmentRows: (typeof departments.$inferSelect)[];
  items: (typeof catalogItems.$inferSelect)[];
  officers: Map<string, typeof officers.$inferSelect>;
  plannedStart: number;
  plannedEnd: number;
  config: InspectionConfig;
  audit: Omit<AuditLine, "action" | "detail">;
  now: number;
  timeZone: string;
}

/** The outcome recorded for an enterprise of the task, if any. */
async function recordedOutcome(db: Db, taskId: string, enterpriseId: string) {
  const [row] = await db
    .select({ outcome: samplingFilings.outcome })
    .from(samplingFilings)
    .where(and(eq(samplingFilings.taskId, taskId), eq(samplingFilings.enterpriseId, enterpriseId)));
  return row?.outcome;
}

/** Records a refusal; when a concurrent run recorded the enterprise first, its outcome stands and is returned. */
async function recordOutcome(
  db: Db,
  ctx: FilingContext,
  enterpriseId: string,
  outcome: SamplingFilingOutcome,
  message: string,
  conflictInspectionId: string | null = null,
): Promise<SamplingFilingOutcome> {
  const inserted = await db
    .insert(samplingFilings)
    .values({ taskId: ctx.task.id, enterpriseId, outcome, conflictInspectionId, message, createdAt: ctx.now })
    .onConflictDoNothing()
    .returning({ outcome: samplingFilings.outcome });
  return inserted[0]?.outcome ?? (await recordedOutcome(db, ctx.task.id, enterpriseId)) ?? outcome;
}

/** The facts of a filing (R1–R4), on the directory as it is now, not as it was at the draw. */
function pickFacts(ctx: FilingContext, pick: DrawPick): FilingFacts {
  return {
    departments: ctx.departmentRows,
    requestedDepartmentIds: ctx.departmentIds,
    officers: pick.officerIds.map((id) => ctx.officers.get(id)).filter((o) => o !== undefined),
    requestedOfficerIds: pick.officerIds,
    items: ctx.items,
    requestedItemIds: ctx.items.map((i) => i.id),
    enterprise: { id: pick.enterpriseId },
    type: "random",
    plannedStart: ctx.plannedStart,
    plannedEnd: ctx.plannedEnd,
    now: ctx.now,
    timeZone: ctx.timeZone,
    lateFilingMaxDays: ctx.config.lateFilingMaxDays,
  };
}

/**
 * Files one drawn enterprise as any filing is filed (the duplicate window and the yearly cap are
 * settled by the database), with its sampling_filings row in the same batch; a refusal is recorded
 * with its reason and the conflicting filing.
 */
async function filePick(db: Db, ctx: FilingContext, pick: DrawPick): Promise<SamplingFilingOutcome> {
  if (!pick.staffed) {
    const m = ctx.task.inspectorsPerEnterprise;
    return recordOutcome(
      db,
      ctx,
      pick.enterpriseId,
      "unstaffed",
      `可回避后的执法人员仅 ${pick.eligibleOfficers} 名，不足每户 ${m} 名`,
    );
  }
  let result: FilingResult;
  try {
    result = await fileInspection(db, pickFacts(ctx, pick), {
      config: ctx.config,
      filedBy: ctx.audit.actorId,
      audit: { ...ctx.audit, detail: { samplingTaskId: ctx.task.id } },
      notes: `双随机抽查任务「${ctx.task.name}」`,
      then: (id, inserted) => [
        db.run(sql`INSERT INTO sampling_filings (task_id, enterprise_id, outcome, inspection_id, message, created_at)
          SELECT ${ctx.task.id}, ${pick.enterpriseId}, 'filed', ${id}, '', ${ctx.now} WHERE ${inserted}`),
      ],
    });
  } catch (error) {
    // A concurrent filing of the same task recorded this enterprise first: the batch rolled back whole.
    const done = await recordedOutcome(db, ctx.task.id, pick.enterpriseId);
    if (done) return done;
    throw error;
  }
  switch (result.kind) {
    case "filed":
      return "filed";
    case "violation":
      return recordOutcome(db, ctx, pick.enterpriseId, "refused", result.violation.message);
    case "conflict": {
      const days = ctx.config.duplicateWindowDays;
      const message = `该企业在 ${days} 天窗口期内已有检查备案，不予重复备案，可改为联合检查`;
      return recordOutcome(db, ctx, pick.enterpriseId, "duplicate_window", message, result.conflict.id);
    }
    case "cap":
      return recordOutcome(
        db,
        ctx,
        pick.enterpriseId,
        "yearly_cap",
        "本部门本年度对该企业的检查次数已达上限",
      );
  }
}

async function filingContext(c: Context<AppEnv>, task: TaskRow, departmentIds: string[], result: DrawResult) {
  const { config } = c.var.deps;
  const db = c.var.db;
  const now = Date.now();
  const periodStart = parseBound(task.periodFrom, config.timeZone)!;
  // One second before the next day: the visit's last calendar day is the period's last day.
  const plannedEnd = parseBound(task.periodTo, config.timeZone, true)! - 1000;
  if (plannedEnd <= now) throw new ApiError(409, "period_over", "抽查期间已经结束，不能再生成备案");
  const plannedStart = Math.max(periodStart, now);
  const itemIds = JSON.parse(task.itemIds) as string[];
  const officerIds = [...new Set(result.picks.flatMap((p) => p.officerIds))];
  const [departmentRows, items, people] = await Promise.all([
    db.select().from(departments).where(inArray(departments.id, departmentIds)),
    db.select().from(catalogItems).where(inArray(catalogItems.id, itemIds)),
    officerIds.length ? db.select().from(officers).where(inArray(officers.id, officerIds)) : [],
  ]);
  const user = currentUser(c);
  return {
    task,
    departmentIds,
    departmentRows: departmentIds.map((id) => departmentRows.find((d) => d.id === id)!),
    items: itemIds.map((id) => items.find((i) => i.id === id)).filter((i) => i !== undefined),
    officers: new Map(people.map((o) => [o.id, o])),
    plannedStart,
    plannedEnd,
    config: config.inspections,
    audit: { actorId: user.id, actorName: user.username, ip: c.var.clientIp },
    now,
    timeZone: config.timeZone,
  } satisfies FilingContext;
}

/** Filing the drawn pairs as 双随机 inspections; running it again files only what is still missing. */
export function fileRoutes() {
  const app = newRouter();
  app.openapi(fileRoute, async (c) => {
    const { row, departments: depts } = await loadTask(c, c.req.valid("param").id, "write");
    requireStatus(row, "drawn", "published");
    const result = JSON.parse(row.result!) as DrawResult;
    const ctx = await filingContext(
      c,
      row,
      depts.map((d) => d.id),
      result,
    );
    const db = c.var.db;
    const done = await db
      .select({ enterpriseId: samplingFilings.enterpriseId })
      .from(samplingFilings)
      .where(eq(samplingFilings.taskId, row.id));
    const skip = new Set(done.map((d) => d.enterpriseId));
    const counts: Record<string, number> = {};
    for (const pick of result.picks) {
      if (skip.has(pick.enterpriseId)) continue;
      const outcome = await filePick(db, ctx, pick);
      counts[outcome] = (counts[outcome] ?? 0) + 1;
    }
    const now = Date.now();
    await runBatch(db, [
      guardedAudit(c, row.id, "sampling.filed", { counts }, sql`1`),
      db
        .update(samplingTasks)
        .set({ filedAt: sql`coalesce(${samplingTasks.filedAt}, ${now})`, updatedAt: now })
        .where(eq(samplingTasks.id, row.id)),
    ]);
    const fresh = await loadTask(c, row.id, "read");
    return c.json({ task: await taskView(db, fresh.row, fresh.departments), counts }, 200);
  });
  return app;
}
