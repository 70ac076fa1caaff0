import { createRoute, z } from "@hono/zod-openapi";
import { and, eq } from "drizzle-orm";
import type { Context } from "hono";
import { ALERT_TOPIC, eventsOf } from "../alerts/events.ts";
import { alertItem } from "../alerts/views.ts";
import type { Db } from "../db/client.ts";
import { evaluations, forms, formVersions } from "../db/schema.ts";
import type { AppEnv } from "../env.ts";
import type { InspectionRow } from "../inspections/access.ts";
import { ApiError } from "../lib/errors.ts";
import { errors, jsonBody, jsonResponse, newRouter } from "../lib/router.ts";
import { inspectionByCode, limitClient, limitInspection } from "./code-access.ts";
import { negativeAnswers, satisfactionScore } from "./negative.ts";
import { liveEvaluationForm, publicInspectionView } from "./public-view.ts";
import { CodeParam, EvaluationBody, PublicInspection } from "./schemas.ts";
import { evaluationStatements } from "./submit.ts";

const getInspection = createRoute({
  method: "get",
  path: "/inspections/{code}",
  tags: ["public"],
  summary: "检查码公示页数据（R8）",
  request: { params: CodeParam },
  responses: { 200: jsonResponse("检查公示信息", PublicInspection), ...errors(401, 404, 429) },
});

const submitEvaluation = createRoute({
  method: "post",
  path: "/inspections/{code}/evaluation",
  tags: ["public"],
  summary: "企业提交事后评价（R9），每次检查一份",
  request: { params: CodeParam, ...jsonBody(EvaluationBody) },
  responses: {
    201: jsonResponse("已提交", z.object({ id: z.string() })),
    ...errors(400, 401, 404, 409, 413, 415, 429),
  },
});

const alreadyEvaluated = () => new ApiError(409, "already_evaluated", "本次检查已经评价过，感谢您的反馈");

/** Public answers must not be cached or leak the code through the Referer header. */
function privateHeaders(c: Context<AppEnv>) {
  c.header("Cache-Control", "no-store");
  c.header("Referrer-Policy", "no-referrer");
}

async function hasEvaluation(db: Db, inspectionId: string): Promise<boolean> {
  const [row] = await db
    .select({ id: evaluations.id })
    .from(evaluations)
    .where(eq(evaluations.inspectionId, inspectionId))
    .limit(1);
  return Boolean(row);
}

/** 409 with the reason an inspection cannot take an evaluation now. */
async function assertEvaluable(db: Db, row: InspectionRow): Promise<void> {
  if (row.status === "registered") return;
  if (row.status === "evaluated" || (await hasEvaluation(db, row.id))) throw alreadyEvaluated();
  if (row.status === "closed") throw new ApiError(409, "evaluation_closed", "本次检查已办结，不再接受评价");
  throw new ApiError(409, "not_registered", "检查结果尚未登记，登记后才能评价");
}

async function formVersion(db: Db, formId: string, version: number) {
  const [row] = await db
    .select({ schema: formVersions.schema })
    .from(forms)
    .innerJoin(formVersions, and(eq(formVersions.formId, forms.id), eq(formVersions.version, version)))
    .where(and(eq(forms.id, formId), eq(forms.status, "published")))
    .limit(1);
  return row ? (JSON.parse(row.schema) as Record<string, unknown>) : null;
}

function isUniqueViolation(error: unknown): boolean {
  for (let e: unknown = error; e; e = (e as { cause?: unknown }).cause) {
    if (/UNIQUE constraint failed/i.test(String((e as Error).message ?? ""))) return true;
  }
  return false;
}

export function evaluationPublicRoutes() {
  const app = newRouter();

  app.openapi(getInspection, async (c) => {
    privateHeaders(c);
    await limitClient(c, "view");
    const row = await inspectionByCode(c, c.req.valid("param").code);
    const view = await publicInspectionView(
      c.var.db,
      row,
      c.var.deps.config,
      c.var.deps.now?.() ?? Date.now(),
    );
    return c.json(view, 200);
  });

  app.openapi(submitEvaluation, async (c) => {
    privateHeaders(c);
    await limitClient(c, "evaluate");
    const row = await inspectionByCode(c, c.req.valid("param").code);
    await limitInspection(c, row.id);
    await assertEvaluable(c.var.db, row);
    const body = c.req.valid("json");
    const formId = c.var.deps.config.inspections.evaluationFormId;
    const schema = await formVersion(c.var.db, formId, body.version);
    if (!schema) {
      const live = await liveEvaluationForm(c.var.db, formId);
      if (!live) throw new ApiError(409, "evaluation_unavailable", "评价表暂未开放，请稍后再试");
      throw new ApiError(409, "version_mismatch", `评价表已更新为第 ${live.version} 版，请刷新页面`);
    }
    const validate = c.var.deps.validators.get(`${formId}:${body.version}`, () => schema);
    const result = validate(body.data);
    if (!result.ok) {
      const first = result.errors[0]!;
      throw new ApiError(
        400,
        "invalid_response",
        `评价未通过校验：${first.name} ${first.message}`,
        result.errors,
      );
    }
    const negative = negativeAnswers(schema, body.data);
    const { id, alertId, statements } = evaluationStatements(c, row, {
      formId,
      version: body.version,
      data: body.data,
      negative,
      score: satisfactionScore(schema, body.data),
    });
    let results: { rowsAffected: number }[];
    try {
      results = (await c.var.db.batch(statements as unknown as Parameters<Db["batch"]>[0])) as unknown as {
        rowsAffected: number;
      }[];
    } catch (error) {
      // The unique index on inspection_id: a concurrent submission for this inspection won.
      if (isUniqueViolation(error)) throw alreadyEvaluated();
      throw error;
    }
    if (results[0]?.rowsAffected !== 1) {
      if (await hasEvaluation(c.var.db, row.id)) throw alreadyEvaluated();
      throw new ApiError(409, "invalid_state", "检查状态已变化，请刷新页面");
    }
    if (alertId) {
      const alert = await alertItem(c.var.db, alertId);
      if (alert) eventsOf(c.var.deps).publish(ALERT_TOPIC, { kind: "created", alert });
    }
    return c.json({ id }, 201);
  });

  return app;
}
