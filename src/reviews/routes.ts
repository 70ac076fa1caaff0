import { createRoute, z } from "@hono/zod-openapi";
import { and, desc, eq, inArray, sql } from "drizzle-orm";
import type { Context } from "hono";
import { auditInsert } from "../audit/audit.ts";
import { currentUser, requireUser } from "../auth/session.ts";
import { openCase } from "../cases/store.ts";
import { onUniqueViolation } from "../directory/unique.ts";
import { formVersions, forms, reviewItems, reviewTasks, users } from "../db/schema.ts";
import type { AppEnv } from "../env.ts";
import { ApiError, notFound } from "../lib/errors.ts";
import { newId, randomToken } from "../lib/ids.ts";
import { errors, iso, jsonBody, jsonResponse, newRouter } from "../lib/router.ts";
import { localDate, parseBound } from "../lib/time.ts";
import { commitmentOf } from "../sampling/draw.ts";
import { scoreReview } from "./score.ts";
import {
  drawReviewSample,
  REVIEW_ALGORITHM,
  REVIEW_FILE_FORMAT,
  reviewSnapshot,
  reviewSnapshotHash,
  type ReviewSnapshot,
} from "./sample.ts";

const bureau = requireUser("admin", "supervisor");
const Day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "日期格式应为 YYYY-MM-DD");

const CreateBody = z.object({
  name: z.string().trim().min(1, "请填写评查任务名称").max(200),
  formId: z.string().min(1).max(64).default("case-file-review"),
  periodFrom: Day,
  periodTo: Day,
  perDepartment: z.number().int().min(1).max(200),
  threshold: z.number().int().min(0).max(1000),
  reviewerIds: z.array(z.string().min(1).max(64)).min(1, "请至少指定一名评查人员").max(50),
});
const TaskParam = z.object({ id: z.string().min(1).max(64) });
const ItemParam = z.object({ itemId: z.string().min(1).max(64) });
const ScoreBody = z.object({ answers: z.record(z.string().max(100), z.unknown()) });

const Item = z.object({
  id: z.string(),
  inspectionId: z.string(),
  departmentId: z.string(),
  reviewerId: z.string().nullable(),
  score: z.number().nullable(),
  maxScore: z.number().nullable(),
  scoredAt: z.string().nullable(),
  caseId: z.string().nullable(),
});
const Task = z
  .object({
    id: z.string(),
    name: z.string(),
    formId: z.string(),
    periodFrom: z.string(),
    periodTo: z.string(),
    perDepartment: z.number(),
    threshold: z.number(),
    status: z.enum(["committed", "drawn"]),
    commitment: z.string(),
    snapshotHash: z.string(),
    /** Published with the sample, never before. */
    seed: z.string().nullable(),
    items: z.array(Item),
    verification: z.record(z.string(), z.unknown()).nullable(),
  })
  .openapi("ReviewTask");

const createTask = createRoute({
  method: "post",
  path: "/reviews",
  description:
    "系统管理员、监督人员（其他人 403）。冻结各部门在期间内已登记的检查（快照 + 哈希），并承诺 sha256(seed)；种子保密。",
  tags: ["reviews"],
  summary: "新建案卷评查任务（冻结名单、承诺种子）",
  middleware: [bureau] as const,
  request: jsonBody(CreateBody),
  responses: { 201: jsonResponse("评查任务", Task), ...errors(400, 401, 403, 422) },
});
const drawTask = createRoute({
  method: "post",
  path: "/reviews/{id}/draw",
  description:
    "用双随机流为每个部门抽取至多 `perDepartment` 份，轮流分给评查人员，并公布种子和 `verification`（`npm run verify-draw -- file`）；再次抽取 → 409。",
  tags: ["reviews"],
  summary: "抽取案卷并公布种子",
  middleware: [bureau] as const,
  request: { params: TaskParam },
  responses: { 200: jsonResponse("评查任务", Task), ...errors(401, 403, 404, 409) },
});
const readTask = createRoute({
  method: "get",
  path: "/reviews/{id}",
  tags: ["reviews"],
  summary: "评查任务、抽中的案卷与验证文件",
  middleware: [bureau] as const,
  request: { params: TaskParam },
  responses: { 200: jsonResponse("评查任务", Task), ...errors(401, 403, 404) },
});
const listTasks = createRoute({
  method: "get",
  path: "/reviews",
  tags: ["reviews"],
  summary: "评查任务列表与可选评查人员",
  middleware: [bureau] as const,
  responses: {
    200: jsonResponse(
      "评查任务",
      z.object({
        items: z.array(
          z.object({
            id: z.string(),
            name: z.string(),
            periodFrom: z.string(),
            periodTo: z.string(),
            status: z.enum(["committed", "drawn"]),
            createdAt: z.string(),
          }),
        ),
        reviewers: z.array(z.object({ id: z.string(), name: z.string() })),
      }),
    ),
    ...errors(401, 403),
  },
});
const readItem = createRoute({
  method: "get",
  path: "/reviews/items/{itemId}",
  tags: ["reviews"],
  summary: "一份评查案卷：任务、评查表与已有评分",
  middleware: [bureau] as const,
  request: { params: ItemParam },
  responses: {
    200: jsonResponse(
      "评查案卷",
      z.object({
        item: Item.extend({ answers: z.record(z.string(), z.unknown()).nullable() }),
        task: z.object({ id: z.string(), name: z.string(), threshold: z.number() }),
        form: z.object({ id: z.string(), title: z.string(), schema: z.record(z.string(), z.unknown()) }),
      }),
    ),
    ...errors(401, 403, 404),
  },
});
const scoreItem = createRoute({
  method: "post",
  path: "/reviews/items/{itemId}/score",
  description:
    "被分派的评查人员或系统管理员。每个评分项 0..rateMax（否则 422）；低于任务阈值时在同一批次立督办案件（来源 `review`）；重复评分 → 409。",
  tags: ["reviews"],
  summary: "评查打分（低于分数线的立案督办）",
  middleware: [bureau] as const,
  request: { params: ItemParam, ...jsonBody(ScoreBody) },
  responses: { 200: jsonResponse("评查任务", Task), ...errors(400, 401, 403, 404, 409, 422) },
});

async function taskView(c: Context<AppEnv>, id: string) {
  const [t] = await c.var.db.select().from(reviewTasks).where(eq(reviewTasks.id, id));
  if (!t) throw notFound("评查任务");
  const items = await c.var.db.select().from(reviewItems).where(eq(reviewItems.taskId, id));
  const drawn = t.status === "drawn";
  const snapshot = JSON.parse(t.snapshot) as ReviewSnapshot;
  return {
    id: t.id,
    name: t.name,
    formId: t.formId,
    periodFrom: t.periodFrom,
    periodTo: t.periodTo,
    perDepartment: t.perDepartment,
    threshold: t.threshold,
    status: t.status,
    commitment: t.commitment,
    snapshotHash: t.snapshotHash,
    seed: drawn ? t.seed : null,
    items: items.map((i) => ({
      id: i.id,
      inspectionId: i.inspectionId,
      departmentId: i.departmentId,
      reviewerId: i.reviewerId,
      score: i.score,
      maxScore: i.maxScore,
      scoredAt: iso(i.scoredAt),
      caseId: i.caseId,
    })),
    verification: drawn
      ? {
          format: REVIEW_FILE_FORMAT,
          algorithm: REVIEW_ALGORITHM,
          taskId: t.id,
          commitment: t.commitment,
          seed: t.seed,
          snapshotHash: t.snapshotHash,
          snapshot,
          result: drawReviewSample(snapshot, t.seed),
        }
      : null,
  };
}

export function reviewRoutes() {
  const app = newRouter();

  app.openapi(createTask, async (c) => {
    const body = c.req.valid("json");
    const tz = c.var.deps.config.timeZone;
    const from = parseBound(body.periodFrom, tz);
    const to = parseBound(body.periodTo, tz, true);
    if (from === null || to === null || to <= from) throw new ApiError(422, "invalid_period", "评查期间无效");
    const [form] = await c.var.db
      .select({ kind: forms.kind, version: forms.publishedVersion })
      .from(forms)
      .where(eq(forms.id, body.formId));
    if (!form || form.kind !== "review" || !form.version)
      throw new ApiError(422, "invalid_form", "须使用已发布的案卷评查表");
    const reviewers: string[] = [...new Set(body.reviewerIds)];
    const found = await c.var.db
      .select({ id: users.id })
      .from(users)
      .where(
        and(
          inArray(users.id, reviewers),
          inArray(users.role, ["admin", "supervisor"]),
          eq(users.disabled, false),
        ),
      );
    if (found.length !== reviewers.length)
      throw new ApiError(422, "invalid_reviewer", "评查人员须是在用的监督人员或管理员");
    const rows = await c.var.db.all<{
      id: string;
      department_id: string;
    }>(sql`SELECT id, lead_department_id AS department_id
      FROM inspections WHERE registered_at >= ${from} AND registered_at < ${to}
        AND status IN ('registered', 'evaluated', 'closed')`);
    const id = newId();
    const byDept = new Map<string, string[]>();
    for (const r of rows) byDept.set(r.department_id, [...(byDept.get(r.department_id) ?? []), r.id]);
    const snapshot = reviewSnapshot({
      taskId: id,
      periodFrom: body.periodFrom,
      periodTo: body.periodTo,
      perDepartment: body.perDepartment,
      departments: [...byDept].map(([d, inspectionIds]) => ({ id: d, inspectionIds })),
    });
    const seed = randomToken(32);
    await c.var.db.batch([
      c.var.db.insert(reviewTasks).values({
        id,
        name: body.name,
        formId: body.formId,
        periodFrom: body.periodFrom,
        periodTo: body.periodTo,
        perDepartment: body.perDepartment,
        threshold: body.threshold,
        reviewerIds: JSON.stringify(reviewers),
        snapshot: JSON.stringify(snapshot),
        snapshotHash: reviewSnapshotHash(snapshot),
        commitment: commitmentOf(seed),
        seed,
        createdBy: currentUser(c).id,
        createdAt: Date.now(),
      }),
      auditInsert(c, {
        action: "review.commit",
        targetType: "review_task",
        targetId: id,
        detail: { after: { status: "committed", commitment: commitmentOf(seed), inspections: rows.length } },
      }),
    ]);
    return c.json(await taskView(c, id), 201);
  });

  app.openapi(listTasks, async (c) => {
    const tasks = await c.var.db.select().from(reviewTasks).orderBy(desc(reviewTasks.createdAt)).limit(200);
    const people = await c.var.db
      .select({ id: users.id, username: users.username, displayName: users.displayName })
      .from(users)
      .where(and(inArray(users.role, ["admin", "supervisor"]), eq(users.disabled, false)));
    return c.json(
      {
        items: tasks.map((t) => ({
          id: t.id,
          name: t.name,
          periodFrom: t.periodFrom,
          periodTo: t.periodTo,
          status: t.status,
          createdAt: iso(t.createdAt)!,
        })),
        reviewers: people.map((u) => ({ id: u.id, name: u.displayName || u.username })),
      },
      200,
    );
  });

  app.openapi(readItem, async (c) => {
    const { itemId } = c.req.valid("param");
    const [item] = await c.var.db.select().from(reviewItems).where(eq(reviewItems.id, itemId));
    if (!item) throw notFound("评查案卷");
    const [t] = await c.var.db.select().from(reviewTasks).where(eq(reviewTasks.id, item.taskId));
    // A scored file shows the version it was scored with; an open one the form's published version.
    const [form] = await c.var.db
      .select({ version: forms.publishedVersion, title: forms.title })
      .from(forms)
      .where(eq(forms.id, t!.formId));
    const [version] = await c.var.db
      .select({ schema: formVersions.schema })
      .from(formVersions)
      .where(
        and(eq(formVersions.formId, t!.formId), eq(formVersions.version, item.formVersion ?? form!.version!)),
      );
    return c.json(
      {
        item: {
          id: item.id,
          inspectionId: item.inspectionId,
          departmentId: item.departmentId,
          reviewerId: item.reviewerId,
          score: item.score,
          maxScore: item.maxScore,
          scoredAt: iso(item.scoredAt),
          caseId: item.caseId,
          answers: item.answers ? (JSON.parse(item.answers) as Record<string, unknown>) : null,
        },
        task: { id: t!.id, name: t!.name, threshold: t!.threshold },
        form: {
          id: t!.formId,
          title: form!.title,
          schema: JSON.parse(version!.schema) as Record<string, unknown>,
        },
      },
      200,
    );
  });

  app.openapi(readTask, async (c) => c.json(await taskView(c, c.req.valid("param").id), 200));

  app.openapi(drawTask, async (c) => {
    const { id } = c.req.valid("param");
    const [t] = await c.var.db.select().from(reviewTasks).where(eq(reviewTasks.id, id));
    if (!t) throw notFound("评查任务");
    if (t.status !== "committed") throw new ApiError(409, "invalid_state", "该任务已抽取，抽取结果不会改变");
    const sample = drawReviewSample(JSON.parse(t.snapshot) as ReviewSnapshot, t.seed);
    const reviewers = JSON.parse(t.reviewerIds) as string[];
    let turn = 0;
    const inserts = sample.picks.flatMap((p) =>
      p.inspectionIds.map((inspectionId) =>
        c.var.db.insert(reviewItems).values({
          id: newId(),
          taskId: id,
          inspectionId,
          departmentId: p.departmentId,
          reviewerId: reviewers[turn++ % reviewers.length]!,
        }),
      ),
    );
    const now = Date.now();
    // Two racing draws insert the same (task, inspection) rows: the second batch fails whole.
    await onUniqueViolation(
      () =>
        c.var.db.batch([
          c.var.db.run(
            sql`UPDATE review_tasks SET status = 'drawn', revealed_at = ${now} WHERE id = ${id} AND status = 'committed'`,
          ),
          ...inserts,
          auditInsert(c, {
            action: "review.draw",
            targetType: "review_task",
            targetId: id,
            detail: {
              before: { status: "committed" },
              after: { status: "drawn", items: turn, seed: t.seed },
            },
          }),
        ] as unknown as Parameters<typeof c.var.db.batch>[0]),
      () => new ApiError(409, "invalid_state", "该任务已抽取，抽取结果不会改变"),
    );
    return c.json(await taskView(c, id), 200);
  });

  app.openapi(scoreItem, async (c) => {
    const { itemId } = c.req.valid("param");
    const [item] = await c.var.db.select().from(reviewItems).where(eq(reviewItems.id, itemId));
    if (!item) throw notFound("评查案卷");
    const user = currentUser(c);
    if (item.reviewerId !== user.id && user.role !== "admin")
      throw new ApiError(403, "forbidden", "只有被指派的评查人员可以打分");
    if (item.scoredAt !== null) throw new ApiError(409, "invalid_state", "该案卷已评查打分");
    const [t] = await c.var.db.select().from(reviewTasks).where(eq(reviewTasks.id, item.taskId));
    const [form] = await c.var.db
      .select({ version: forms.publishedVersion, title: forms.title })
      .from(forms)
      .where(eq(forms.id, t!.formId));
    const [version] = await c.var.db
      .select({ schema: formVersions.schema })
      .from(formVersions)
      .where(and(eq(formVersions.formId, t!.formId), eq(formVersions.version, form!.version!)));
    const scored = scoreReview(JSON.parse(version!.schema), c.req.valid("json").answers);
    if ("problem" in scored) throw new ApiError(422, "invalid_answers", scored.problem);
    const now = Date.now();
    const write = [
      c.var.db
        .update(reviewItems)
        .set({
          answers: JSON.stringify(c.req.valid("json").answers),
          score: scored.score,
          maxScore: scored.max,
          formVersion: form!.version,
          scoredAt: now,
        })
        .where(and(eq(reviewItems.id, itemId), sql`${reviewItems.scoredAt} IS NULL`)),
      auditInsert(c, {
        action: "review.score",
        targetType: "review_item",
        targetId: itemId,
        detail: { after: { score: scored.score, maxScore: scored.max } },
      }),
    ];
    if (scored.score < t!.threshold) {
      // A finding below the line opens a case for the department, in the same batch as the score.
      const caseId = await openCase(
        c,
        {
          departmentId: item.departmentId,
          title: `案卷评查得分 ${scored.score} 分（低于 ${t!.threshold} 分）`,
          facts: `${t!.name}：检查案卷 ${item.inspectionId} 评查得分 ${scored.score}/${scored.max}。${scored.notes.join("；")}`,
          situations: [
            c.var.deps.config.caseSituations.includes("乱作为")
              ? "乱作为"
              : c.var.deps.config.caseSituations[0]!,
          ],
          officerIds: [],
          level: "general",
          answerDue: localDate(now + 15 * 86_400_000, c.var.deps.config.timeZone),
          sources: [{ kind: "review", ref: itemId }],
        },
        write,
        true,
      );
      await c.var.db.update(reviewItems).set({ caseId }).where(eq(reviewItems.id, itemId));
    } else {
      await c.var.db.batch(write as unknown as Parameters<typeof c.var.db.batch>[0]);
    }
    return c.json(await taskView(c, item.taskId), 200);
  });

  return app;
}
