import { createRoute, z } from "@hono/zod-openapi";
import { and, eq, exists, gte, lt, sql, type SQL } from "drizzle-orm";
import type { Context } from "hono";
import { currentUser, requireUser } from "../auth/session.ts";
import { alerts, evaluations, formVersions, inspectionDepartments } from "../db/schema.ts";
import type { AppEnv } from "../env.ts";
import { evaluationView } from "../alerts/views.ts";
import { ApiError, forbidden, notFound } from "../lib/errors.ts";
import { errors, iso, jsonResponse, newRouter } from "../lib/router.ts";
import { monthStart, parseBound } from "../lib/time.ts";
import { EvaluationDetail, EvaluationSummary, SummaryQuery } from "./schemas.ts";
import { aggregate, MIN_GROUP_SIZE, type EvaluationFacts } from "./summary.ts";

const summaryRoute = createRoute({
  method: "get",
  path: "/evaluations/summary",
  description:
    "系统管理员/监督人员：任何部门，精确期间。部门管理员：只限本部门（其他 → 403），只统计已结束的整月，少于 5 条评价的月份不计（`suppressed` 计其数）。执法人员 → 403。",
  tags: ["evaluations"],
  summary: "评价汇总：部门用户只能看本部门、整月、不少于 5 份的汇总",
  middleware: [requireUser("admin", "supervisor", "dept_admin")] as const,
  request: { query: SummaryQuery },
  responses: { 200: jsonResponse("汇总", EvaluationSummary), ...errors(400, 401, 403) },
});

const detailRoute = createRoute({
  method: "get",
  path: "/evaluations/{id}",
  description: "仅系统管理员和监督人员（其他人 403）。",
  tags: ["evaluations"],
  summary: "单份评价（仅司法局：管理员、监督人员）",
  middleware: [requireUser("admin", "supervisor")] as const,
  request: { params: z.object({ id: z.string().min(1).max(64) }) },
  responses: { 200: jsonResponse("评价", EvaluationDetail), ...errors(401, 403, 404) },
});

function bound(text: string | undefined, tz: string, end: boolean): number | null {
  if (!text) return null;
  const ms = parseBound(text, tz, end);
  if (ms === null) throw new ApiError(400, "invalid_request", `日期格式无效：${end ? "to" : "from"}`);
  return ms;
}

/**
 * The period and department a user may aggregate. Department users get their own department, whole
 * months, and only months that are over, so a newly arrived evaluation never changes what they see.
 */
function scope(c: Context<AppEnv>, q: z.infer<typeof SummaryQuery>) {
  const user = currentUser(c);
  const tz = c.var.deps.config.timeZone;
  let from = bound(q.from, tz, false);
  let to = bound(q.to, tz, true);
  if (user.role !== "dept_admin") return { departmentId: q.departmentId ?? null, from, to, minGroupSize: 1 };
  if (q.departmentId && q.departmentId !== user.departmentId)
    throw forbidden("部门用户只能查看本部门的评价汇总");
  const thisMonth = monthStart(c.var.deps.now?.() ?? Date.now(), tz);
  if (from !== null) from = monthStart(from, tz);
  to = to === null ? thisMonth : Math.min(monthStart(to - 1, tz, true), thisMonth);
  return { departmentId: user.departmentId, from, to, minGroupSize: MIN_GROUP_SIZE };
}

export function evaluationRoutes() {
  const app = newRouter();

  app.openapi(summaryRoute, async (c) => {
    const s = scope(c, c.req.valid("query"));
    const db = c.var.db;
    const where: SQL[] = [];
    if (s.departmentId) {
      const inDepartment = db
        .select({ one: inspectionDepartments.inspectionId })
        .from(inspectionDepartments)
        .where(
          and(
            eq(inspectionDepartments.inspectionId, evaluations.inspectionId),
            eq(inspectionDepartments.departmentId, s.departmentId),
          ),
        );
      where.push(exists(inDepartment));
    }
    if (s.from !== null) where.push(gte(evaluations.submittedAt, s.from));
    if (s.to !== null) where.push(lt(evaluations.submittedAt, s.to));
    const rows = await db
      .select({
        submittedAt: evaluations.submittedAt,
        score: evaluations.score,
        negative: evaluations.negative,
        negativeAnswers: evaluations.negativeAnswers,
      })
      .from(evaluations)
      .where(where.length ? and(...where) : undefined);
    const facts: EvaluationFacts[] = rows.map((r) => ({
      ...r,
      negativeAnswers: JSON.parse(r.negativeAnswers),
    }));
    const result = aggregate(facts, s.minGroupSize, c.var.deps.config.timeZone);
    return c.json({ departmentId: s.departmentId, from: iso(s.from), to: iso(s.to), ...result }, 200);
  });

  app.openapi(detailRoute, async (c) => {
    const { id } = c.req.valid("param");
    const [row] = await c.var.db
      .select({
        id: evaluations.id,
        inspectionId: evaluations.inspectionId,
        formId: evaluations.formId,
        version: evaluations.version,
        data: evaluations.data,
        negativeAnswers: evaluations.negativeAnswers,
        score: evaluations.score,
        submittedAt: evaluations.submittedAt,
        schema: formVersions.schema,
        alertId: alerts.id,
        staffAddressMatch: evaluations.staffAddressMatch,
        signedIn: sql<number>`${evaluations.enterpriseId} IS NOT NULL`,
      })
      .from(evaluations)
      .innerJoin(
        formVersions,
        and(eq(formVersions.formId, evaluations.formId), eq(formVersions.version, evaluations.version)),
      )
      .leftJoin(alerts, eq(alerts.evaluationId, evaluations.id))
      .where(eq(evaluations.id, id))
      .limit(1);
    if (!row) throw notFound("评价");
    return c.json(
      {
        ...evaluationView(row),
        inspectionId: row.inspectionId,
        alertId: row.alertId,
        // For the 司法局's eyes only (this route is theirs): a staff member's address on this inspection.
        staffAddressMatch: row.staffAddressMatch,
        enterpriseSignedIn: Boolean(row.signedIn),
      },
      200,
    );
  });

  return app;
}
