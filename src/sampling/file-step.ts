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
import type { AppEnv } from "../env.ts";
import { filingStatements, firstInWindow, type AuditLine, type Guard } from "../inspections/filing.ts";
import { checkFiling, effectiveYearlyCap, legalBasisFromItems } from "../inspections/rules.ts";
import { yearBounds } from "../lib/time.ts";
import { ApiError } from "../lib/errors.ts";
import { newId, randomToken } from "../lib/ids.ts";
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
  guard: Guard;
  audit: Omit<AuditLine, "detail">;
  now: number;
  timeZone: string;
  lateFilingMaxDays: number;
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

/** The rule check of a filing (R1–R4), on the directory as it is now, not as it was at the draw. */
function ruleViolation(ctx: FilingContext, pick: DrawPick) {
  const people = pick.officerIds.map((id) => ctx.officers.get(id)).filter((o) => o !== undefined);
  return checkFiling({
    departments: ctx.departmentRows,
    requestedDepartmentIds: ctx.departmentIds,
    officers: people,
    requestedOfficerIds: pick.officerIds,
    items: ctx.items,
    requestedItemIds: ctx.items.map((i) => i.id),
    enterprise: { id: pick.enterpriseId },
    type: "random",
    plannedStart: ctx.plannedStart,
    plannedEnd: ctx.plannedEnd,
    now: ctx.now,
    timeZone: ctx.timeZone,
    lateFilingMaxDays: ctx.lateFilingMaxDays,
  });
}

/**
 * Files one drawn enterprise through the inspection filing statements (the duplicate window and the
 * yearly cap are settled by the database as for any filing), with its sampling_filings row in the same
 * batch; a refusal is recorded with its reason and the conflicting filing.
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
  const violation = ruleViolation(ctx, pick);
  if (violation) {
    return recordOutcome(db, ctx, pick.enterpriseId, "refused", violation.message);
  }
  const id = newId();
  const statements = filingStatements(
    db,
    {
      id,
      enterpriseId: pick.enterpriseId,
      leadDepartmentId: ctx.departmentIds[0]!,
      departmentIds: ctx.departmentIds,
      type: "random",
      caseReason: null,
      plannedStart: ctx.plannedStart,
      plannedEnd: ctx.plannedEnd,
      legalBasis: legalBasisFromItems(ctx.items),
      notes: `双随机抽查任务「${ctx.task.name}」`,
      lateFiling: false,
      lateReason: null,
      filedBy: ctx.audit.actorId,
      officers: pick.officerIds.map((o) => ({ id: o, isHelper: false })),
      items: ctx.items.map((i) => ({ id: i.id, departmentId: i.departmentId })),
      codeNonce: randomToken(16),
      now: ctx.now,
    },
    ctx.guard,
    {
      ...ctx.audit,
      detail: {
        after: {
          status: "filed",
          type: "random",
          enterpriseId: pick.enterpriseId,
          departmentIds: ctx.departmentIds,
        },
        samplingTaskId: ctx.task.id,
      },
    },
  );
  const link =
    db.run(sql`INSERT INTO sampling_filings (task_id, enterprise_id, outcome, inspection_id, message, created_at)
    SELECT ${ctx.task.id}, ${pick.enterpriseId}, 'filed', ${id}, '', ${ctx.now}
    WHERE EXISTS (SELECT 1 FROM inspections WHERE id = ${id})`);
  let results: { rowsAffected: number }[];
  try {
    results = (await db.batch([...statements, link] as unknown as Parameters<Db["batch"]>[0])) as never;
  } catch (error) {
    // A concurrent filing of the same task recorded this enterprise first: the batch rolled back whole.
    const done = await recordedOutcome(db, ctx.task.id, pick.enterpriseId);
    if (done) return done;
    throw error;
  }
  if (results[0]!.rowsAffected === 1) return "filed";
  return recordRefusal(db, ctx, pick.enterpriseId);
}

/** Why the guarded insert admitted nothing: another filing in the window (named), or a yearly cap. */
async function recordRefusal(
  db: Db,
  ctx: FilingContext,
  enterpriseId: string,
): Promise<SamplingFilingOutcome> {
  const conflict = await firstInWindow(db, enterpriseId, ctx.plannedStart, ctx.guard.windowDays);
  if (conflict) {
    const message = `该企业在 ${ctx.guard.windowDays} 天窗口期内已有检查备案，不予重复备案，可改为联合检查`;
    return recordOutcome(db, ctx, enterpriseId, "duplicate_window", message, conflict.id);
  }
  return recordOutcome(db, ctx, enterpriseId, "yearly_cap", "本部门本年度对该企业的检查次数已达上限");
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
  const caps = new Map(
    departmentIds.map((d) => [
      d,
      effectiveYearlyCap(
        config.inspections.yearlyCapPerDepartment,
        items.filter((i) => i.departmentId === d),
      ),
    ]),
  );
  return {
    task,
    departmentIds,
    departmentRows: departmentIds.map((id) => departmentRows.find((d) => d.id === id)!),
    items: itemIds.map((id) => items.find((i) => i.id === id)).filter((i) => i !== undefined),
    officers: new Map(people.map((o) => [o.id, o])),
    plannedStart,
    plannedEnd,
    guard: {
      windowDays: config.inspections.duplicateWindowDays,
      year: yearBounds(plannedStart, config.timeZone),
      caps,
    },
    audit: { actorId: user.id, actorName: user.username, ip: c.var.clientIp, action: "inspection.filed" },
    now,
    timeZone: config.timeZone,
    lateFilingMaxDays: config.inspections.lateFilingMaxDays,
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
