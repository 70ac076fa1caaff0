/**
 * The visit's own facts beside approval and registration: the team's arrival (which opens the
 * enterprise's evaluation, R14) and the withdrawal of a filing that will not happen (R15).
 */
import { createRoute, z } from "@hono/zod-openapi";
import { and, eq, isNull } from "drizzle-orm";
import { auditInsert } from "../audit/audit.ts";
import { currentUser, requireUser } from "../auth/session.ts";
import { inspections } from "../db/schema.ts";
import { ApiError } from "../lib/errors.ts";
import { errors, iso, jsonBody, jsonResponse, newRouter } from "../lib/router.ts";
import { isOnInspection, loadInspection } from "./access.ts";
import { InspectionDetail, InspectionIdParam, ReasonBody } from "./schemas.ts";
import { transitionStatements } from "./state.ts";
import { detail } from "./views.ts";
import { releaseReinspectionActions } from "./close.ts";

const ArriveBody = z
  .object({
    location: z
      .object({
        lat: z.number().min(-90).max(90),
        lng: z.number().min(-180).max(180),
        accuracy: z.number().min(0).max(100_000).optional(),
      })
      .optional(),
  })
  .openapi("ArrivalReport");

const arrive = createRoute({
  method: "post",
  path: "/{id}/arrive",
  description:
    "该检查的执法人员（关联到其人员的账号；其他人 403）。只记一次（409 `already_arrived`），只在已批准或进行中时（否则 409 `invalid_state`）；已批准时随之转为进行中。开放企业评价。审计 `inspection.in_progress`（`arrival: true`）或 `inspection.arrived`。",
  tags: ["inspections"],
  summary: "执法人员到达现场（记录一次，可附位置）；企业自此可以评价",
  middleware: [requireUser("officer", "dept_admin")] as const,
  request: { params: InspectionIdParam, ...jsonBody(ArriveBody) },
  responses: {
    200: jsonResponse("已记录到达", z.object({ inspection: InspectionDetail, arrivedAt: z.string() })),
    ...errors(400, 401, 403, 404, 409),
  },
});

const cancel = createRoute({
  method: "post",
  path: "/{id}/cancel",
  description:
    "备案人或牵头部门的管理员（其他人 403）；只能从已备案或已批准撤回（否则 409 `invalid_state`）。撤回的备案不再占用重复时间窗口，也不计入年度上限。审计 `inspection.cancelled`。",
  tags: ["inspections"],
  summary: "撤回备案（检查前；备案人或牵头部门管理员），释放重复检查窗口和年度次数",
  middleware: [requireUser("officer", "dept_admin")] as const,
  request: { params: InspectionIdParam, ...jsonBody(ReasonBody) },
  responses: {
    200: jsonResponse("已撤回", z.object({ inspection: InspectionDetail })),
    ...errors(400, 401, 403, 404, 409),
  },
});

const ARRIVABLE = new Set(["approved", "in_progress"]);

export function visitRoutes() {
  const app = newRouter();

  app.openapi(arrive, async (c) => {
    const { id } = c.req.valid("param");
    const { location } = c.req.valid("json");
    const user = currentUser(c);
    const row = await loadInspection(c, id, "read");
    if (!(await isOnInspection(c, id, user)))
      throw new ApiError(403, "forbidden", "只有本次检查的执法人员可以登记到达");
    if (row.arrivedAt !== null) throw new ApiError(409, "already_arrived", "已登记过到达时间");
    if (!ARRIVABLE.has(row.status))
      throw new ApiError(409, "invalid_state", "检查经批准后、登记结果前才能登记到达");
    const now = Date.now();
    const set = {
      arrivedAt: now,
      arrivedBy: user.id,
      arrivalLocation: location ? JSON.stringify(location) : null,
      updatedAt: now,
    };
    // Arrival starts the visit: approved → in_progress with it, else only the stamp.
    const statements =
      row.status === "approved"
        ? transitionStatements(c, row, "in_progress", set, { arrival: true, location: location ?? null })
        : [
            c.var.db
              .update(inspections)
              .set(set)
              .where(and(eq(inspections.id, id), isNull(inspections.arrivedAt))),
            auditInsert(c, {
              action: "inspection.arrived",
              targetType: "inspection",
              targetId: id,
              detail: { location: location ?? null },
            }),
          ];
    const [update] = await c.var.db.batch(statements as [(typeof statements)[0], ...typeof statements]);
    if (update.rowsAffected !== 1) throw new ApiError(409, "invalid_state", "检查状态已变化，请刷新");
    const fresh = await loadInspection(c, id, "read");
    return c.json({ inspection: await detail(c.var.db, fresh), arrivedAt: iso(now)! }, 200);
  });

  app.openapi(cancel, async (c) => {
    const { id } = c.req.valid("param");
    const { reason } = c.req.valid("json");
    const user = currentUser(c);
    const row = await loadInspection(c, id, "read");
    const leadAdmin = user.role === "dept_admin" && user.departmentId === row.leadDepartmentId;
    if (row.filedBy !== user.id && !leadAdmin)
      throw new ApiError(403, "forbidden", "只有备案人或牵头部门管理员可以撤回备案");
    if (row.status !== "filed" && row.status !== "approved")
      throw new ApiError(409, "invalid_state", "检查开始后不能撤回备案");
    const [update] = await c.var.db.batch([
      ...transitionStatements(
        c,
        row,
        "cancelled",
        { cancelledBy: user.id, cancelReason: reason },
        { reason },
      ),
      releaseReinspectionActions(c.var.db, id),
    ]);
    if (update.rowsAffected !== 1) throw new ApiError(409, "invalid_state", "检查状态已变化，请刷新");
    const fresh = await loadInspection(c, id, "read");
    return c.json({ inspection: await detail(c.var.db, fresh) }, 200);
  });

  return app;
}
