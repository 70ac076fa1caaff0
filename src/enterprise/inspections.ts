import { filedItems } from "../inspections/filed-items.ts";
import { createRoute, z } from "@hono/zod-openapi";
import { and, asc, desc, eq, inArray, sql } from "drizzle-orm";
import type { Context, MiddlewareHandler } from "hono";
import {
  departments,
  evaluations,
  inspectionDepartments,
  inspections,
  type InspectionStatus,
} from "../db/schema.ts";
import type { AppEnv } from "../env.ts";
import { enterpriseAvoidanceView } from "./avoidance.ts";
import { enterpriseEvaluationState } from "./evaluation-state.ts";
import { submitEnterpriseEvaluation } from "../evaluations/enterprise-submit.ts";
import { liveEvaluationForm, publicInspectionView } from "../evaluations/public-view.ts";
import { EvaluationBody } from "../evaluations/schemas.ts";
import type { InspectionRow } from "../inspections/access.ts";
import { STATUS_LABELS, TYPE_LABELS } from "../inspections/labels.ts";
import { ApiError, notFound } from "../lib/errors.ts";
import { errors, iso, jsonBody, jsonResponse, newRouter } from "../lib/router.ts";
import { currentEnterprise, enterpriseActor, requireEnterprise } from "./session.ts";

/** Filings the enterprise is told about: approved on, never drafts, pending or refused ones. */
const HIDDEN: InspectionStatus[] = ["draft", "filed", "refused"];
/** The visits whose arrival the enterprise can confirm (before or during registration). */
const ARRIVABLE: InspectionStatus[] = ["approved", "in_progress", "registered"];
const LIST_LIMIT = 200;

const IdParam = z.object({ id: z.string().min(1).max(40) });

export const Summary = z
  .object({
    id: z.string(),
    status: z.string(),
    statusLabel: z.string(),
    type: z.string(),
    typeLabel: z.string(),
    plannedStart: z.string(),
    plannedEnd: z.string(),
    departments: z.array(z.string()),
    items: z.array(z.object({ name: z.string(), legalBasis: z.string().nullable() })),
    /** Planned (advance notice) until the checklist is registered; past afterwards. */
    upcoming: z.boolean(),
    enterpriseArrivalAt: z.string().nullable(),
    evaluationOpen: z.boolean(),
    evaluated: z.boolean(),
  })
  .openapi("EnterpriseInspectionSummary");

const list = createRoute({
  method: "get",
  path: "/inspections",
  description:
    "只有当前企业自己的、已批准起的检查（不含草稿、待批和不予批准的备案），按计划开始时间从新到旧，最多 200 条。`upcoming`：计划中或进行中、尚未登记；`evaluationOpen` 依 src/evaluations/window.ts。",
  tags: ["enterprise"],
  summary: "本企业的检查（计划中的与已完成的）",
  middleware: [requireEnterprise()] as const,
  responses: {
    200: jsonResponse("本企业的检查，计划时间新的在前", z.object({ items: z.array(Summary) })),
    ...errors(401),
  },
});

const detail = createRoute({
  method: "get",
  path: "/inspections/{id}",
  description:
    "其他企业的 id → 404，与不存在相同。`evaluation`：开放时为评价表，收到后为 `{submitted:true}`（从不显示如何处理），否则 null。`avoidance.open`（及其人员名单）只在检查开始前。",
  tags: ["enterprise"],
  summary: "本企业一次检查的详情：检查人员及执法证号、事项及依据、结果与整改要求、评价",
  middleware: [requireEnterprise(), ownInspection()] as const,
  request: { params: IdParam },
  responses: { 200: jsonResponse("检查详情", z.record(z.string(), z.unknown())), ...errors(401, 404) },
});

const confirmArrival = createRoute({
  method: "post",
  path: "/inspections/{id}/confirm-arrival",
  description:
    "只能一次（409 `arrival_already_confirmed`），只对已批准/进行中/已登记的检查（否则 409 `not_arrivable`）。审计 `inspection.enterprise_arrival`。",
  tags: ["enterprise"],
  summary: "企业确认检查人员已到达（一次）",
  middleware: [requireEnterprise(), ownInspection()] as const,
  request: { params: IdParam },
  responses: {
    200: jsonResponse("已确认", z.object({ enterpriseArrivalAt: z.string() })),
    ...errors(401, 403, 404, 409),
  },
});

const evaluate = createRoute({
  method: "post",
  path: "/inspections/{id}/evaluation",
  description:
    "规则同检查码评价（POST /api/public/inspections/{code}/evaluation）；其他企业的检查 → 404，先于请求体检查。",
  tags: ["enterprise"],
  summary: "企业评价本企业的一次检查（R14）",
  middleware: [requireEnterprise(), ownInspection()] as const,
  request: { params: IdParam, ...jsonBody(EvaluationBody) },
  responses: {
    201: jsonResponse("已提交", z.object({ id: z.string() })),
    ...errors(400, 401, 403, 404, 409, 413, 415, 429),
  },
});

/** The signed-in enterprise's inspection by id; another enterprise's answers 404 like a missing one. */
async function ownRow(c: Context<AppEnv>): Promise<InspectionRow> {
  const enterprise = currentEnterprise(c);
  const id = c.req.param("id") ?? "";
  const [row] = await c.var.db
    .select()
    .from(inspections)
    .where(and(eq(inspections.id, id), eq(inspections.enterpriseId, enterprise.id)))
    .limit(1);
  if (!row || HIDDEN.includes(row.status)) throw notFound("检查");
  return row;
}

/** Checked before the body is read, so another enterprise's id is a 404 whatever the body. */
function ownInspection(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    await ownRow(c);
    await next();
  };
}

async function namesByInspection<T>(
  ids: string[],
  query: (ids: string[]) => Promise<(T & { inspectionId: string })[]>,
): Promise<Map<string, T[]>> {
  const map = new Map<string, T[]>();
  for (let i = 0; i < ids.length; i += 500) {
    for (const row of await query(ids.slice(i, i + 500))) {
      const { inspectionId, ...rest } = row;
      const list = map.get(inspectionId) ?? [];
      list.push(rest as T);
      map.set(inspectionId, list);
    }
  }
  return map;
}

/** The enterprise portal's inspections (/api/enterprise/inspections…). */
export function enterpriseInspectionRoutes() {
  const app = newRouter();

  app.openapi(list, async (c) => {
    const enterprise = currentEnterprise(c);
    const db = c.var.db;
    const now = Date.now();
    const rows = await db
      .select()
      .from(inspections)
      .where(
        and(
          eq(inspections.enterpriseId, enterprise.id),
          sql`${inspections.status} NOT IN ('draft', 'filed', 'refused')`,
        ),
      )
      .orderBy(desc(inspections.plannedStart), desc(inspections.id))
      .limit(LIST_LIMIT);
    const ids = rows.map((r) => r.id);
    const depts = await namesByInspection<{ name: string }>(ids, (chunk) =>
      db
        .select({ inspectionId: inspectionDepartments.inspectionId, name: departments.name })
        .from(inspectionDepartments)
        .innerJoin(departments, eq(departments.id, inspectionDepartments.departmentId))
        .where(inArray(inspectionDepartments.inspectionId, chunk))
        .orderBy(asc(inspectionDepartments.joinedAt)),
    );
    const items = await filedItems(db, ids);
    const evaluated = new Set<string>();
    for (let i = 0; i < ids.length; i += 500) {
      const done = await db
        .select({ id: evaluations.inspectionId })
        .from(evaluations)
        .where(inArray(evaluations.inspectionId, ids.slice(i, i + 500)));
      for (const e of done) evaluated.add(e.id);
    }
    const config = c.var.deps.config;
    return c.json(
      {
        items: rows.map((r) => {
          const state = enterpriseEvaluationState(r, evaluated.has(r.id), now, config);
          return {
            id: r.id,
            status: r.status,
            statusLabel: STATUS_LABELS[r.status] ?? r.status,
            type: r.type,
            typeLabel: TYPE_LABELS[r.type],
            plannedStart: iso(r.plannedStart)!,
            plannedEnd: iso(r.plannedEnd)!,
            departments: (depts.get(r.id) ?? []).map((d) => d.name),
            items: (items.get(r.id) ?? []).map(({ name, legalBasis }) => ({ name, legalBasis })),
            upcoming: ARRIVABLE.includes(r.status) && r.status !== "registered",
            enterpriseArrivalAt: iso(r.enterpriseArrivalAt),
            ...state,
          };
        }),
      },
      200,
    );
  });

  app.openapi(detail, async (c) => {
    const row = await ownRow(c);
    const db = c.var.db;
    const config = c.var.deps.config;
    const now = Date.now();
    const view = await publicInspectionView(db, row, config, now);
    const [done] = await db
      .select({ id: evaluations.id })
      .from(evaluations)
      .where(eq(evaluations.inspectionId, row.id))
      .limit(1);
    const state = enterpriseEvaluationState(row, Boolean(done), now, config);
    // The form follows the evaluation window, not the public page's rule; a submitted evaluation
    // shows only that it was received, never how it is handled.
    const evaluation = state.evaluated
      ? { submitted: true as const }
      : state.evaluationOpen
        ? await liveEvaluationForm(db, config.inspections.evaluationFormId)
        : null;
    return c.json(
      {
        ...view,
        id: row.id,
        evaluation,
        ...state,
        upcoming: ARRIVABLE.includes(row.status) && row.status !== "registered",
        enterpriseArrivalAt: iso(row.enterpriseArrivalAt),
        canConfirmArrival: ARRIVABLE.includes(row.status) && row.enterpriseArrivalAt == null,
        avoidance: await enterpriseAvoidanceView(db, row, now),
      },
      200,
    );
  });

  app.openapi(confirmArrival, async (c) => {
    const enterprise = currentEnterprise(c);
    const row = await ownRow(c);
    if (row.enterpriseArrivalAt != null)
      throw new ApiError(409, "arrival_already_confirmed", "已确认过检查人员到达，无需重复确认");
    if (!ARRIVABLE.includes(row.status))
      throw new ApiError(409, "not_arrivable", "该检查当前状态不能确认到达");
    const db = c.var.db;
    const now = Date.now();
    const detailJson = JSON.stringify({
      before: { enterpriseArrivalAt: null },
      after: { enterpriseArrivalAt: iso(now) },
    });
    // The audit line is written only if this request set the time (a parallel one may have won).
    const [update] = await db.batch([
      db.run(sql`UPDATE inspections SET enterprise_arrival_at = ${now}, updated_at = ${now}
        WHERE id = ${row.id} AND enterprise_arrival_at IS NULL`),
      db.run(sql`INSERT INTO audit_log (at, actor_id, actor_name, action, target_type, target_id, ip, detail)
        SELECT ${now}, NULL, ${enterpriseActor(enterprise)}, 'inspection.enterprise_arrival', 'inspection',
          ${row.id}, ${c.var.clientIp}, ${detailJson}
        WHERE changes() = 1`),
    ]);
    if (update.rowsAffected !== 1)
      throw new ApiError(409, "arrival_already_confirmed", "已确认过检查人员到达，无需重复确认");
    return c.json({ enterpriseArrivalAt: iso(now)! }, 200);
  });

  app.openapi(evaluate, async (c) => {
    const row = await ownRow(c);
    // The submission itself (window, one per inspection, alerts) is shared with the public code route.
    const id = await submitEnterpriseEvaluation(c, row.id, c.req.valid("json"));
    return c.json({ id }, 201);
  });

  return app;
}
