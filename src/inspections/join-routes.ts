/**
 * Joining another department's inspection (R18): a request, accepted by the lead department's
 * administrator and approved by the joining department's; refused by either. Mounted under /api.
 */
import { createRoute, z } from "@hono/zod-openapi";
import { and, eq, inArray, sql } from "drizzle-orm";
import type { Context } from "hono";
import { currentUser, requireUser } from "../auth/session.ts";
import { catalogItems, inspections, joinRequests, officers } from "../db/schema.ts";
import { onUniqueViolation } from "../directory/unique.ts";
import type { AppEnv, SessionUser } from "../env.ts";
import { ApiError, notFound } from "../lib/errors.ts";
import { newId } from "../lib/ids.ts";
import { errors, jsonBody, jsonResponse, newRouter } from "../lib/router.ts";
import { loadInspection, participatingDepartments } from "./access.ts";
import { conditionalAudit } from "./filing.ts";
import { loadFilingFacts } from "./filing-use-case.ts";
import { joinRequestViews, JoinRequestView, stillPending, visibleTo } from "./join-views.ts";
import { consentStatements, requestInsert, type ConsentSide } from "./joins.ts";
import { checkFiling, effectiveYearlyCap } from "./rules.ts";
import { yearBounds } from "../lib/time.ts";
import { InspectionIdParam, JoinBody, ReasonBody } from "./schemas.ts";

const RequestIdParam = z.object({ id: z.string().min(1).max(64) });
const Envelope = z.object({ request: JoinRequestView });
const OPEN = ["filed", "approved"];

const ask = createRoute({
  method: "post",
  path: "/inspections/{id}/join-request",
  summary: "申请加入一次检查（联合检查）",
  description:
    "执法人员、部门管理员。提交后尚未加入：须牵头部门管理员同意、加入部门管理员批准。409 `already_joined`、`already_requested`、`invalid_state`（已开始或更晚）；422 同备案。审计 `inspection.join.requested`。",
  tags: ["inspections"],
  middleware: [requireUser("officer", "dept_admin")] as const,
  request: { params: InspectionIdParam, ...jsonBody(JoinBody) },
  responses: {
    202: jsonResponse("已提交加入申请，等待牵头部门管理员同意和本部门管理员批准", Envelope),
    ...errors(400, 401, 403, 404, 409, 422),
  },
});

const ofInspection = createRoute({
  method: "get",
  path: "/inspections/{id}/join-requests",
  summary: "一次检查的加入申请",
  description: "能读取该检查的人。",
  tags: ["inspections"],
  middleware: [requireUser()] as const,
  request: { params: InspectionIdParam },
  responses: {
    200: jsonResponse("该次检查的加入申请", z.object({ items: z.array(JoinRequestView) })),
    ...errors(401, 404),
  },
});

const list = createRoute({
  method: "get",
  path: "/join-requests",
  summary: "加入申请列表",
  description:
    "系统管理员和监督人员：全部；部门管理员：本部门的申请和本部门牵头的检查收到的；默认只列仍在已备案/已批准检查上的待处理申请。",
  tags: ["inspections"],
  middleware: [requireUser("admin", "supervisor", "dept_admin")] as const,
  request: {
    query: z.object({ status: z.enum(["pending", "joined", "refused", "all"]).default("pending") }),
  },
  responses: {
    200: jsonResponse(
      "加入申请（部门管理员：本部门申请的和本部门牵头的检查收到的）",
      z.object({ items: z.array(JoinRequestView) }),
    ),
    ...errors(400, 401, 403),
  },
});

const decision = (path: "accept" | "approve", summary: string) =>
  createRoute({
    method: "post",
    path: `/join-requests/{id}/${path}`,
    tags: ["inspections"],
    summary,
    description:
      "`accept`：牵头部门的管理员；`approve`：加入部门的管理员。第二个同意在同一批次中使该部门加入（检查已开始 → 409 `invalid_state`，422 `yearly_cap`）；409 `already_consented` / `already_decided`；其他部门的申请 → 404。审计 `inspection.join.accepted|approved`、`inspection.joined`。",
    middleware: [requireUser("dept_admin")] as const,
    request: { params: RequestIdParam },
    responses: {
      200: jsonResponse("已记录；双方均同意后即加入", Envelope),
      ...errors(401, 403, 404, 409, 422),
    },
  });

const refuse = createRoute({
  method: "post",
  path: "/join-requests/{id}/refuse",
  summary: "拒绝加入申请",
  description:
    "任一方部门的管理员。409 `already_decided`；其他部门的申请 → 404。审计 `inspection.join.refused`。",
  tags: ["inspections"],
  middleware: [requireUser("dept_admin")] as const,
  request: { params: RequestIdParam, ...jsonBody(ReasonBody) },
  responses: { 200: jsonResponse("已拒绝", Envelope), ...errors(400, 401, 403, 404, 409) },
});

function ownDepartment(user: SessionUser): string {
  if (!user.departmentId) throw new ApiError(403, "forbidden", "只有部门的执法人员或部门管理员可以申请加入");
  return user.departmentId;
}

async function oneView(c: Context<AppEnv>, id: string) {
  const [view] = await joinRequestViews(c.var.db, eq(joinRequests.id, id));
  if (!view) throw notFound("加入申请");
  return view;
}

/** A request and its inspection, for an administrator of one of its two departments (else 404). */
async function loadRequest(c: Context<AppEnv>, id: string) {
  const user = currentUser(c);
  const [row] = await c.var.db
    .select({ request: joinRequests, inspection: inspections })
    .from(joinRequests)
    .innerJoin(inspections, eq(inspections.id, joinRequests.inspectionId))
    .where(eq(joinRequests.id, id));
  const involved =
    row && [row.request.departmentId, row.inspection.leadDepartmentId].includes(user.departmentId ?? "");
  if (!row || !involved) throw notFound("加入申请");
  return row;
}

const auditOf = (c: Context<AppEnv>, user: SessionUser, action: string) => ({
  actorId: user.id,
  actorName: user.username,
  ip: c.var.clientIp,
  action,
});

export function joinRoutes() {
  const app = newRouter();

  app.openapi(ask, async (c) => {
    const user = currentUser(c);
    const { id } = c.req.valid("param");
    const body = c.req.valid("json");
    const { config } = c.var.deps;
    const department = ownDepartment(user);
    // Asking is how another department reaches a filing it cannot read; asking grants nothing.
    const [target] = await c.var.db.select().from(inspections).where(eq(inspections.id, id));
    if (!target) throw notFound("检查");
    if ((await participatingDepartments(c, id)).includes(department)) {
      throw new ApiError(409, "already_joined", "本部门已参与该次检查");
    }
    if (!OPEN.includes(target.status)) {
      throw new ApiError(409, "invalid_state", "该次检查已开始或已结束，不能再申请加入");
    }
    const officerIds = [...new Set(body.officerIds)];
    const itemIds = [...new Set(body.itemIds)];
    const now = Date.now();
    const facts = await loadFilingFacts(
      c.var.db,
      {
        enterpriseId: target.enterpriseId,
        departmentIds: [department],
        officerIds,
        itemIds,
        type: target.type,
        caseReason: target.caseReason ?? undefined,
        plannedStart: target.plannedStart,
        plannedEnd: target.plannedEnd,
        lateReason: target.lateReason ?? "joined",
        now,
      },
      // Joining adds to a visit already filed (a 补办 was held to its period when it was filed).
      { timeZone: config.timeZone, lateFilingMaxDays: Infinity },
    );
    const violation = checkFiling({
      ...facts,
      joining: true,
      jointMinOfficers: config.inspections.jointMinOfficersPerDepartment,
    });
    if (violation) throw new ApiError(422, violation.code, violation.message, violation.details);
    const requestId = newId();
    const open = sql`EXISTS (SELECT 1 FROM inspections WHERE id = ${id} AND status IN ('filed','approved'))`;
    const inserted = sql`EXISTS (SELECT 1 FROM join_requests WHERE id = ${requestId})`;
    const [insert] = await onUniqueViolation(
      () =>
        c.var.db.batch([
          requestInsert(
            c.var.db,
            {
              id: requestId,
              inspectionId: id,
              departmentId: department,
              origin: "join",
              officerIds,
              itemIds,
              requestedBy: user.id,
              now,
              // A request by the department's own administrator is its approval.
              departmentApprovedBy: user.role === "dept_admin" ? user.id : null,
            },
            open,
          ),
          conditionalAudit(
            c.var.db,
            {
              ...auditOf(c, user, "inspection.join.requested"),
              detail: { requestId, departmentId: department, officerIds, itemIds },
            },
            id,
            now,
            inserted,
          ),
        ]),
      () => new ApiError(409, "already_requested", "本部门已申请加入该次检查，等待处理"),
    );
    if (insert.rowsAffected !== 1) {
      throw new ApiError(409, "invalid_state", "该次检查已开始或已结束，不能再申请加入");
    }
    return c.json({ request: await oneView(c, requestId) }, 202);
  });

  app.openapi(ofInspection, async (c) => {
    const { id } = c.req.valid("param");
    await loadInspection(c, id, "read");
    return c.json({ items: await joinRequestViews(c.var.db, eq(joinRequests.inspectionId, id)) }, 200);
  });

  app.openapi(list, async (c) => {
    const { status } = c.req.valid("query");
    const scope =
      status === "all" ? undefined : status === "pending" ? stillPending() : eq(joinRequests.status, status);
    const items = await joinRequestViews(c.var.db, and(visibleTo(currentUser(c)), scope));
    return c.json({ items }, 200);
  });

  const decide = async (c: Context<AppEnv>, id: string, side: ConsentSide) => {
    const user = currentUser(c);
    const { request, inspection } = await loadRequest(c, id);
    const { config } = c.var.deps;
    if (side === "lead" && user.departmentId !== inspection.leadDepartmentId) {
      throw new ApiError(403, "forbidden", "只有牵头部门的部门管理员可以同意加入申请");
    }
    if (side === "department" && user.departmentId !== request.departmentId) {
      throw new ApiError(403, "forbidden", "只有申请加入部门的部门管理员可以批准本部门加入");
    }
    if (request.status !== "pending") throw new ApiError(409, "already_decided", "该申请已处理");
    if (side === "lead" ? request.leadAcceptedBy : request.departmentApprovedBy) {
      throw new ApiError(409, "already_consented", "已同意过该申请，等待另一方");
    }
    const officerIds = JSON.parse(request.officerIds) as string[];
    const itemIds = JSON.parse(request.itemIds) as string[];
    const [people, items] = await Promise.all([
      c.var.db.select().from(officers).where(inArray(officers.id, officerIds)),
      c.var.db.select().from(catalogItems).where(inArray(catalogItems.id, itemIds)),
    ]);
    const now = Date.now();
    const k = {
      requestId: id,
      side,
      userId: user.id,
      now,
      inspectionId: inspection.id,
      enterpriseId: inspection.enterpriseId,
      departmentId: request.departmentId,
      officers: officerIds
        .flatMap((o) => people.filter((p) => p.id === o))
        .map((p) => ({ id: p.id, isHelper: p.isHelper })),
      items: itemIds
        .flatMap((i) => items.filter((x) => x.id === i))
        .map((i) => ({ id: i.id, departmentId: i.departmentId })),
      year: yearBounds(inspection.plannedStart, config.timeZone),
      cap: effectiveYearlyCap(config.inspections.yearlyCapPerDepartment, items),
      exempt: inspection.type === "case",
    };
    const action = side === "lead" ? "inspection.join.accepted" : "inspection.join.approved";
    await c.var.db.batch(
      consentStatements(c.var.db, k, auditOf(c, user, action)) as unknown as Parameters<
        typeof c.var.db.batch
      >[0],
    );
    const [after] = await c.var.db.select().from(joinRequests).where(eq(joinRequests.id, id));
    const by = side === "lead" ? after?.leadAcceptedBy : after?.departmentApprovedBy;
    const at = side === "lead" ? after?.leadAcceptedAt : after?.departmentApprovedAt;
    if (by === user.id && at === now) return c.json({ request: await oneView(c, id) }, 200);
    if (after?.status !== "pending") throw new ApiError(409, "already_decided", "该申请已处理");
    if (by) throw new ApiError(409, "already_consented", "已同意过该申请，等待另一方");
    const [current] = await c.var.db.select().from(inspections).where(eq(inspections.id, inspection.id));
    if (!current || !OPEN.includes(current.status)) {
      throw new ApiError(409, "invalid_state", "该次检查已开始或已结束，不能再加入");
    }
    throw new ApiError(422, "yearly_cap", "申请加入的部门本年度对该企业的检查次数已达上限");
  };

  app.openapi(decision("accept", "牵头部门的部门管理员同意其他部门加入"), (c) =>
    decide(c, c.req.valid("param").id, "lead"),
  );
  app.openapi(decision("approve", "申请加入部门的部门管理员批准本部门加入"), (c) =>
    decide(c, c.req.valid("param").id, "department"),
  );

  app.openapi(refuse, async (c) => {
    const user = currentUser(c);
    const { id } = c.req.valid("param");
    const { reason } = c.req.valid("json");
    const { request, inspection } = await loadRequest(c, id);
    if (request.status !== "pending") throw new ApiError(409, "already_decided", "该申请已处理");
    const now = Date.now();
    const db = c.var.db;
    const refused = sql`EXISTS (SELECT 1 FROM join_requests WHERE id = ${id} AND status = 'refused'
      AND decided_by = ${user.id} AND decided_at = ${now})`;
    const [update] = await db.batch([
      db.run(sql`UPDATE join_requests SET status = 'refused', decided_by = ${user.id}, decided_at = ${now},
          refusal_reason = ${reason} WHERE id = ${id} AND status = 'pending'`),
      conditionalAudit(
        db,
        {
          ...auditOf(c, user, "inspection.join.refused"),
          detail: { requestId: id, departmentId: request.departmentId, reason },
        },
        inspection.id,
        now,
        refused,
      ),
      // A merged planned task of a department that declined is its own to plan again.
      db.run(sql`UPDATE planned_tasks SET status = 'planned', inspection_id = NULL, updated_at = ${now}
        WHERE inspection_id = ${inspection.id} AND department_id = ${request.departmentId}
          AND status = 'merged' AND ${refused}`),
    ]);
    if (update.rowsAffected !== 1) throw new ApiError(409, "already_decided", "该申请已处理");
    return c.json({ request: await oneView(c, id) }, 200);
  });

  return app;
}
