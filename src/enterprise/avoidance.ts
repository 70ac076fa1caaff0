import { createRoute, z } from "@hono/zod-openapi";
import { and, eq, sql } from "drizzle-orm";
import type { Context, MiddlewareHandler } from "hono";
import type { Db } from "../db/client.ts";
import { inspectionOfficers, inspections } from "../db/schema.ts";
import type { AppEnv } from "../env.ts";
import type { InspectionRow } from "../inspections/access.ts";
import {
  avoidanceList,
  beforeVisit,
  beforeVisitSql,
  inspectionOfficerList,
  visitStarted,
} from "../inspections/avoidance.ts";
import { ApiError, notFound } from "../lib/errors.ts";
import { newId } from "../lib/ids.ts";
import { errors, jsonBody, jsonResponse, newRouter } from "../lib/router.ts";
import { currentEnterprise, enterpriseActor, requireEnterprise } from "./session.ts";

const IdParam = z.object({ id: z.string().min(1).max(40) });

const AvoidanceBody = z
  .object({
    officerId: z.string().min(1).max(40),
    reason: z.string().trim().min(1, "请说明申请回避的理由").max(500, "理由不能超过 500 字"),
  })
  .strict()
  .openapi("EnterpriseAvoidanceBody");

const request = createRoute({
  method: "post",
  path: "/inspections/{id}/avoidance",
  description:
    "只在检查开始前（已备案或已批准、双方都未确认到达、计划开始尚未到；否则 409 `visit_started`），备案待批时也可。该人员须在本次检查中（422 `not_on_inspection`）；每名人员只能有一个待处理申请（409 `already_requested`）。其他企业的 → 404。审计 `inspection.avoidance_request`。",
  tags: ["enterprise"],
  summary: "检查开始前申请某位执法人员回避",
  middleware: [requireEnterprise(), ownFiling()] as const,
  request: { params: IdParam, ...jsonBody(AvoidanceBody) },
  responses: {
    201: jsonResponse("已提交，等待牵头部门答复", z.object({ id: z.string() })),
    ...errors(400, 401, 403, 404, 409, 422),
  },
});

/**
 * The enterprise's own filing, also while it still awaits approval (回避 is asked before the visit);
 * another enterprise's, a draft or a refused one answers 404 like a missing one.
 */
async function ownFilingRow(c: Context<AppEnv>): Promise<InspectionRow> {
  const enterprise = currentEnterprise(c);
  const [row] = await c.var.db
    .select()
    .from(inspections)
    .where(and(eq(inspections.id, c.req.param("id") ?? ""), eq(inspections.enterpriseId, enterprise.id)))
    .limit(1);
  if (!row || row.status === "draft" || row.status === "refused") throw notFound("检查");
  return row;
}

function ownFiling(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    await ownFilingRow(c);
    await next();
  };
}

/** What the portal's inspection detail shows of 回避: whether it may be asked, whom, and the answers. */
export async function enterpriseAvoidanceView(db: Db, row: InspectionRow, now: number) {
  const open = beforeVisit(row, now);
  const requests = (await avoidanceList(db, row.id)).map((r) => ({
    id: r.id,
    officerId: r.officerId,
    officerName: r.officerName,
    reason: r.reason,
    status: r.status,
    statusLabel: r.statusLabel,
    answer: r.answer,
    replacementName: r.replacementName,
    createdAt: r.createdAt,
    answeredAt: r.answeredAt,
  }));
  return {
    open,
    officers: open ? await inspectionOfficerList(db, row.id) : [],
    requests,
  };
}

/** 回避 requests from the portal (R14), under /api/enterprise. */
export function enterpriseAvoidanceRoutes() {
  const app = newRouter();

  app.openapi(request, async (c) => {
    const enterprise = currentEnterprise(c);
    const row = await ownFilingRow(c);
    const body = c.req.valid("json");
    const db = c.var.db;
    const now = c.var.deps.now?.() ?? Date.now();
    if (!beforeVisit(row, now)) throw visitStarted();
    const [onIt] = await db
      .select({ id: inspectionOfficers.officerId })
      .from(inspectionOfficers)
      .where(
        and(eq(inspectionOfficers.inspectionId, row.id), eq(inspectionOfficers.officerId, body.officerId)),
      )
      .limit(1);
    if (!onIt) throw new ApiError(422, "not_on_inspection", "该人员不在本次检查的执法人员名单中");
    const id = newId();
    const stored = sql`EXISTS (SELECT 1 FROM avoidance_requests WHERE id = ${id})`;
    const detail = JSON.stringify({ requestId: id, officerId: body.officerId, after: { status: "pending" } });
    // One pending request per officer, settled inside the insert so two parallel ones leave one.
    const [insert] = (await db.batch([
      db.run(sql`INSERT INTO avoidance_requests (id, inspection_id, enterprise_id, officer_id, reason, status, created_at)
        SELECT ${id}, ${row.id}, ${enterprise.id}, ${body.officerId}, ${body.reason}, 'pending', ${now}
        WHERE NOT EXISTS (SELECT 1 FROM avoidance_requests WHERE inspection_id = ${row.id}
            AND officer_id = ${body.officerId} AND status = 'pending')
          AND ${beforeVisitSql(row.id, now)}`),
      db.run(sql`INSERT INTO audit_log (at, actor_id, actor_name, action, target_type, target_id, ip, detail)
        SELECT ${now}, NULL, ${enterpriseActor(enterprise)}, 'inspection.avoidance_request', 'inspection',
          ${row.id}, ${c.var.clientIp ?? null}, ${detail} WHERE ${stored}`),
    ])) as unknown as { rowsAffected: number }[];
    if (insert?.rowsAffected !== 1) {
      const [fresh] = await db.select().from(inspections).where(eq(inspections.id, row.id)).limit(1);
      if (fresh && !beforeVisit(fresh, now)) throw visitStarted();
      throw new ApiError(409, "already_requested", "已就该人员提出回避申请，请等待答复");
    }
    return c.json({ id }, 201);
  });

  return app;
}
