import { createRoute, z } from "@hono/zod-openapi";
import { asc, desc, eq, inArray } from "drizzle-orm";
import type { Context } from "hono";
import { departments, samplingFilings, samplingTaskDepartments, samplingTasks } from "../db/schema.ts";
import type { AppEnv } from "../env.ts";
import { ApiError, notFound } from "../lib/errors.ts";
import { errors, iso, jsonResponse, newRouter } from "../lib/router.ts";
import type { DrawResult, DrawSnapshot } from "./draw.ts";
import { OutcomeSchema, TaskIdParam } from "./schemas.ts";
import { outcome, populationCounts, ratiosInPercent, verificationFile } from "./views.ts";

/** Tasks are public (公示) from the commit on: the commitment must be visible before the draw. */
const PUBLIC_STATUSES = ["committed", "drawn", "published"] as const;

const Summary = z.object({
  id: z.string(),
  name: z.string(),
  status: z.enum(PUBLIC_STATUSES),
  departments: z.array(z.string()),
  periodFrom: z.string(),
  periodTo: z.string(),
  committedAt: z.string(),
  revealedAt: z.string().nullable(),
});

const PublicOutcome = OutcomeSchema.omit({ enterpriseId: true, filing: true }).extend({
  officers: z.array(z.object({ name: z.string(), credentialNo: z.string() })),
  filing: z.string().nullable(),
});

const Detail = Summary.extend({
  items: z.array(z.object({ code: z.string(), name: z.string() })),
  filters: z.object({
    districts: z.array(z.string()),
    industries: z.array(z.string()),
    riskLevels: z.array(z.string()),
  }),
  ratios: z.object({ A: z.number(), B: z.number(), C: z.number(), D: z.number() }),
  inspectorsPerEnterprise: z.number(),
  population: z.array(z.object({ grade: z.string(), population: z.number(), triggered: z.number() })),
  officerPool: z.number(),
  snapshotHash: z.string(),
  commitment: z.string(),
  seed: z.string().nullable(),
  outcome: z.array(PublicOutcome).nullable(),
});

const list = createRoute({
  method: "get",
  path: "/",
  summary: "公开的双随机抽查任务（无需登录）",
  tags: ["public"],
  responses: { 200: jsonResponse("公示的双随机抽查任务", z.object({ items: z.array(Summary) })) },
});
const one = createRoute({
  method: "get",
  path: "/{id}",
  summary: "一个公开的双随机抽查任务",
  description: "自公布承诺值起公开。",
  tags: ["public"],
  request: { params: TaskIdParam },
  responses: { 200: jsonResponse("抽查公示", z.object({ task: Detail })), ...errors(404) },
});
const file = createRoute({
  method: "get",
  path: "/{id}/verification.json",
  summary: "抽查验证文件",
  tags: ["public"],
  description:
    "验证文件：输入快照、承诺值、公开的种子和结果；`npm run verify-draw -- <文件>` 可独立重算。公布种子之前 → 409。",
  request: { params: TaskIdParam },
  responses: { 200: { description: "验证文件（JSON 下载）" }, ...errors(404, 409) },
});

async function departmentNames(c: Context<AppEnv>, taskIds: string[]) {
  if (!taskIds.length) return new Map<string, string[]>();
  const rows = await c.var.db
    .select({ taskId: samplingTaskDepartments.taskId, name: departments.name })
    .from(samplingTaskDepartments)
    .innerJoin(departments, eq(departments.id, samplingTaskDepartments.departmentId))
    .where(inArray(samplingTaskDepartments.taskId, taskIds))
    .orderBy(asc(samplingTaskDepartments.position));
  const names = new Map<string, string[]>();
  for (const r of rows) names.set(r.taskId, [...(names.get(r.taskId) ?? []), r.name]);
  return names;
}

type Row = typeof samplingTasks.$inferSelect;

const summary = (r: Row, names: Map<string, string[]>) => ({
  id: r.id,
  name: r.name,
  status: r.status as (typeof PUBLIC_STATUSES)[number],
  departments: names.get(r.id) ?? [],
  periodFrom: r.periodFrom,
  periodTo: r.periodTo,
  committedAt: iso(r.committedAt)!,
  revealedAt: iso(r.revealedAt),
});

async function publicTask(c: Context<AppEnv>, id: string): Promise<Row> {
  const [row] = await c.var.db.select().from(samplingTasks).where(eq(samplingTasks.id, id));
  if (!row || !(PUBLIC_STATUSES as readonly string[]).includes(row.status)) throw notFound("抽查公示");
  return row;
}

/**
 * The outcome as published: enterprise names and credit codes (public business information), officers
 * by name and 执法证 number only, and each enterprise's filing as a status word — nothing else.
 */
async function publishedOutcome(c: Context<AppEnv>, row: Row, snapshot: DrawSnapshot) {
  const result = JSON.parse(row.result!) as DrawResult;
  const filings = await c.var.db.select().from(samplingFilings).where(eq(samplingFilings.taskId, row.id));
  return outcome(snapshot, result, filings).map(({ enterpriseId: _id, officers, filing, ...rest }) => ({
    ...rest,
    officers: officers.map((o) => ({ name: o.name, credentialNo: o.credentialNo })),
    filing: filing?.outcome ?? null,
  }));
}

/** The public 公示 of 双随机 tasks under /api/public/sampling, readable by anyone. */
export function publicSamplingRoutes() {
  const app = newRouter();

  app.openapi(list, async (c) => {
    const rows = await c.var.db
      .select()
      .from(samplingTasks)
      .where(inArray(samplingTasks.status, [...PUBLIC_STATUSES]))
      .orderBy(desc(samplingTasks.committedAt))
      .limit(200);
    const names = await departmentNames(
      c,
      rows.map((r) => r.id),
    );
    return c.json({ items: rows.map((r) => summary(r, names)) }, 200);
  });

  app.openapi(one, async (c) => {
    const row = await publicTask(c, c.req.valid("param").id);
    const snapshot = JSON.parse(row.snapshot!) as DrawSnapshot;
    const revealed = row.status === "published";
    const task = {
      ...summary(row, await departmentNames(c, [row.id])),
      items: snapshot.task.items.map((i) => ({ code: i.code, name: i.name })),
      filters: snapshot.task.filters,
      ratios: ratiosInPercent(snapshot.task.ratiosBp),
      inspectorsPerEnterprise: snapshot.task.inspectorsPerEnterprise,
      population: populationCounts(snapshot),
      officerPool: snapshot.officers.length,
      snapshotHash: row.snapshotHash!,
      commitment: row.commitment!,
      seed: revealed ? row.seed : null,
      outcome: revealed ? await publishedOutcome(c, row, snapshot) : null,
    };
    return c.json({ task }, 200);
  });

  app.openapi(file, async (c) => {
    const row = await publicTask(c, c.req.valid("param").id);
    const body = verificationFile(row);
    if (!body) throw new ApiError(409, "not_revealed", "随机种子尚未公开，公示后才能下载验证文件");
    c.header("Content-Disposition", `attachment; filename="sampling-${row.id}.json"`);
    c.header("Cache-Control", "public, max-age=300");
    return c.json(body as never, 200);
  });

  return app;
}
