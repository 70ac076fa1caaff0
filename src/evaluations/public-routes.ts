import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { AppEnv } from "../env.ts";
import { errors, jsonBody, jsonResponse, newRouter } from "../lib/router.ts";
import { inspectionByCode, limitClient, limitInspection } from "./code-access.ts";
import { publicInspectionView } from "./public-view.ts";
import { SchemaText, stringifyWithSchema } from "../forms/published-cache.ts";
import type { InspectionRow } from "../inspections/access.ts";
import { CodeParam, EvaluationBody, PublicInspection } from "./schemas.ts";
import { assertEvaluator, submitEvaluation } from "./submit.ts";

const getInspection = createRoute({
  method: "get",
  path: "/inspections/{code}",
  description:
    "Malformed, tampered or unknown code → 401 `invalid_code` alike; expired → 401 `expired_code`; a genuine code of an inspection not yet approved → 404. Always `Referrer-Policy: no-referrer`, `Cache-Control: no-store`; the code never appears in logs. Item bases are as filed, never edited in later. `viewer` lets the page offer 以企业身份评价.",
  tags: ["public"],
  summary: "检查码公示页数据（R8）",
  request: { params: CodeParam },
  responses: { 200: jsonResponse("检查公示信息", PublicInspection), ...errors(401, 404, 429) },
});

const evaluateRoute = createRoute({
  method: "post",
  path: "/inspections/{code}/evaluation",
  description:
    'Only the inspected enterprise signed in as itself: no enterprise session → 401 `enterprise_login_required`; a staff session → 403 `staff_cannot_evaluate`; another enterprise → 403 `wrong_enterprise`. One per inspection (409 `already_evaluated`; concurrent: one wins). 400 `invalid_response`; 409 `evaluation_not_open`, `evaluation_closed` (`EVALUATION_WINDOW_DAYS` after registration, or after the planned end while unregistered), `no_visit`, `version_mismatch`; 429 per client and per inspection. One batch: the evaluation, `evaluatedAt`, the audit line (actor `enterprise`), and for a negative answer an alert with its event, audit line and outbox message. Negative answers are part of the form version: a choice (or rating item) with `"negative": true`, or a rating/boolean question\'s `"negativeValues"`; the score (0–100) comes from the question marked `"lianmaScore": true`, else `overall_satisfaction`.',
  tags: ["public"],
  summary: "被检查企业以企业身份提交事后评价（R9、R14），每次检查一份",
  request: { params: CodeParam, ...jsonBody(EvaluationBody) },
  responses: {
    201: jsonResponse("已提交", z.object({ id: z.string() })),
    ...errors(400, 401, 403, 404, 409, 413, 415, 429),
  },
});

/** Public answers must not be cached or leak the code through the Referer header. */
export function privateHeaders(c: Context<AppEnv>) {
  c.header("Cache-Control", "no-store");
  c.header("Referrer-Policy", "no-referrer");
}

/** Who is looking, so the page can offer "以企业身份评价" or say why it cannot. */
function viewerOf(c: Context<AppEnv>, enterpriseId: string) {
  if (c.var.user) return "staff" as const;
  if (!c.var.enterprise) return "anonymous" as const;
  return c.var.enterprise.id === enterpriseId ? ("enterprise" as const) : ("other_enterprise" as const);
}

/**
 * The public page's data as JSON text: the facts read per request, the evaluation schema spliced in
 * as the bytes published (src/forms/published-cache.ts). The page route embeds the same text.
 */
export async function inspectionPageData(c: Context<AppEnv>, row: InspectionRow) {
  const { db, deps } = c.var;
  const view = await publicInspectionView(
    db,
    row,
    deps.config,
    deps.now?.() ?? Date.now(),
    deps.publishedForms,
  );
  const evaluation = view.evaluation as { schema?: unknown } | null;
  const schema = evaluation?.schema instanceof SchemaText ? evaluation.schema : null;
  return { view, text: stringifyWithSchema({ ...view, viewer: viewerOf(c, row.enterpriseId) }, schema) };
}

export function evaluationPublicRoutes() {
  const app = newRouter();

  app.openapi(getInspection, async (c) => {
    privateHeaders(c);
    await limitClient(c, "view");
    const row = await inspectionByCode(c, c.req.valid("param").code);
    const { text } = await inspectionPageData(c, row);
    c.header("Content-Type", "application/json");
    return c.body(text, 200) as never;
  });

  app.openapi(evaluateRoute, async (c) => {
    privateHeaders(c);
    await limitClient(c, "evaluate");
    const row = await inspectionByCode(c, c.req.valid("param").code);
    assertEvaluator(c, row);
    await limitInspection(c, row.id);
    const id = await submitEvaluation(c, row, c.req.valid("json"));
    return c.json({ id }, 201);
  });

  return app;
}
