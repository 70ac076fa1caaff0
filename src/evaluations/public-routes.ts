import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { AppEnv } from "../env.ts";
import { errors, jsonBody, jsonResponse, newRouter } from "../lib/router.ts";
import { inspectionByCode, limitClient, limitInspection } from "./code-access.ts";
import { publicInspectionView } from "./public-view.ts";
import { CodeParam, EvaluationBody, PublicInspection } from "./schemas.ts";
import { assertEvaluator, submitEvaluation } from "./submit.ts";

const getInspection = createRoute({
  method: "get",
  path: "/inspections/{code}",
  tags: ["public"],
  summary: "检查码公示页数据（R8）",
  request: { params: CodeParam },
  responses: { 200: jsonResponse("检查公示信息", PublicInspection), ...errors(401, 404, 429) },
});

const evaluateRoute = createRoute({
  method: "post",
  path: "/inspections/{code}/evaluation",
  tags: ["public"],
  summary: "被检查企业以企业身份提交事后评价（R9、R14），每次检查一份",
  request: { params: CodeParam, ...jsonBody(EvaluationBody) },
  responses: {
    201: jsonResponse("已提交", z.object({ id: z.string() })),
    ...errors(400, 401, 403, 404, 409, 413, 415, 429),
  },
});

/** Public answers must not be cached or leak the code through the Referer header. */
function privateHeaders(c: Context<AppEnv>) {
  c.header("Cache-Control", "no-store");
  c.header("Referrer-Policy", "no-referrer");
}

/** Who is looking, so the page can offer "以企业身份评价" or say why it cannot. */
function viewerOf(c: Context<AppEnv>, enterpriseId: string) {
  if (c.var.user) return "staff" as const;
  if (!c.var.enterprise) return "anonymous" as const;
  return c.var.enterprise.id === enterpriseId ? ("enterprise" as const) : ("other_enterprise" as const);
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
    return c.json({ ...view, viewer: viewerOf(c, row.enterpriseId) }, 200);
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
