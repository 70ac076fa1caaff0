import { createRoute, z } from "@hono/zod-openapi";
import { and, eq, inArray } from "drizzle-orm";
import type { Context } from "hono";
import { currentUser, requireUser } from "../auth/session.ts";
import { alerts, users } from "../db/schema.ts";
import type { AppEnv } from "../env.ts";
import { ApiError, notFound } from "../lib/errors.ts";
import { errors, jsonBody, jsonResponse, newRouter } from "../lib/router.ts";
import { applyAction, type AlertAction } from "./actions.ts";
import { ALERT_TOPIC, eventsOf } from "./events.ts";
import {
  AlertDetailSchema,
  AlertIdParam,
  AlertItemSchema,
  AlertListQuery,
  AssignBody,
  CloseBody,
  NoteBody,
} from "./schemas.ts";
import { alertStream } from "./stream.ts";
import { alertDetail, alertItem, listAlerts } from "./views.ts";

/** Alerts belong to the justice bureau: administrators and supervisors, nobody in a department. */
const bureau = requireUser("admin", "supervisor");

const listRoute = createRoute({
  method: "get",
  path: "/alerts",
  description: "系统管理员、监督人员（其他人 403）。先待处理，再已指派，最后已办结，各组内从新到旧。",
  tags: ["alerts"],
  summary: "告警列表（待处理在前）",
  middleware: [bureau] as const,
  request: { query: AlertListQuery },
  responses: {
    200: jsonResponse(
      "告警",
      z.object({ items: z.array(AlertItemSchema), nextCursor: z.string().nullable() }),
    ),
    ...errors(400, 401, 403),
  },
});

const detailRoute = createRoute({
  method: "get",
  path: "/alerts/{id}",
  summary: "告警详情（含评价、投诉、检查与处理记录）",
  description: "仅系统管理员和监督人员。",
  tags: ["alerts"],
  middleware: [bureau] as const,
  request: { params: AlertIdParam },
  responses: { 200: jsonResponse("告警详情", AlertDetailSchema), ...errors(401, 403, 404) },
});

const assigneesRoute = createRoute({
  method: "get",
  path: "/alerts/assignees",
  tags: ["alerts"],
  summary: "可指派的处理人（在用的监督人员和管理员）",
  middleware: [bureau] as const,
  responses: {
    200: jsonResponse(
      "处理人",
      z.object({ items: z.array(z.object({ id: z.string(), displayName: z.string(), role: z.string() })) }),
    ),
    ...errors(401, 403),
  },
});

const step = <T extends z.ZodType>(path: string, summary: string, body: T) =>
  createRoute({
    method: "post",
    path: `/alerts/{id}/${path}`,
    tags: ["alerts"],
    summary,
    description:
      "系统管理员、监督人员。每一步在一个批次中写告警事件和审计；已办结的告警上任何步骤 → 409 `invalid_state`。`assign` 须指派给在用的监督人员或管理员（否则 422 `invalid_assignee`）；`close` 须有 `outcome`。指派和办结在未设时记下 `firstHandledAt`；投诉的告警把状态带给投诉（指派 → 处理中，办结 → 已办结）。",
    middleware: [bureau] as const,
    request: { params: AlertIdParam, ...jsonBody(body) },
    responses: {
      200: jsonResponse("处理后的告警", AlertDetailSchema),
      ...errors(400, 401, 403, 404, 409, 422),
    },
  });

const assignRoute = step("assign", "指派处理人（监督人员或管理员）", AssignBody);
const noteRoute = step("notes", "添加跟进记录", NoteBody);
const closeRoute = step("close", "办结（必须填写处理结果）", CloseBody);

async function assertExists(c: Context<AppEnv>, id: string) {
  const [row] = await c.var.db.select({ id: alerts.id }).from(alerts).where(eq(alerts.id, id)).limit(1);
  if (!row) throw notFound("告警");
}

/** Runs a step, tells live pages, and answers with the alert as it now is. */
async function handle(c: Context<AppEnv>, id: string, action: AlertAction) {
  await applyAction(c, id, currentUser(c), action);
  const item = await alertItem(c.var.db, id);
  if (item) eventsOf(c.var.deps).publish(ALERT_TOPIC, { kind: action.kind, alert: item });
  return (await alertDetail(c.var.db, id))!;
}

export function alertRoutes() {
  const app = newRouter();

  // Registered before /alerts/{id}, which would otherwise take "stream" for an id.
  app.get("/alerts/stream", bureau, alertStream);

  app.openapi(assigneesRoute, async (c) => {
    const items = await c.var.db
      .select({ id: users.id, displayName: users.displayName, role: users.role })
      .from(users)
      .where(and(inArray(users.role, ["admin", "supervisor"]), eq(users.disabled, false)))
      .orderBy(users.displayName);
    return c.json({ items }, 200);
  });

  app.openapi(listRoute, async (c) => {
    const { status, cursor, limit } = c.req.valid("query");
    return c.json(await listAlerts(c.var.db, { status, cursor, limit }), 200);
  });

  app.openapi(detailRoute, async (c) => {
    const detail = await alertDetail(c.var.db, c.req.valid("param").id);
    if (!detail) throw notFound("告警");
    return c.json(detail, 200);
  });

  app.openapi(assignRoute, async (c) => {
    const { id } = c.req.valid("param");
    await assertExists(c, id);
    const [assignee] = await c.var.db
      .select({ id: users.id, displayName: users.displayName })
      .from(users)
      .where(
        and(
          eq(users.id, c.req.valid("json").userId),
          inArray(users.role, ["admin", "supervisor"]),
          eq(users.disabled, false),
        ),
      );
    if (!assignee) throw new ApiError(422, "invalid_assignee", "只能指派给在用的监督人员或管理员");
    return c.json(await handle(c, id, { kind: "assigned", assignee }), 200);
  });

  app.openapi(noteRoute, async (c) => {
    const { id } = c.req.valid("param");
    await assertExists(c, id);
    return c.json(await handle(c, id, { kind: "note", note: c.req.valid("json").note }), 200);
  });

  app.openapi(closeRoute, async (c) => {
    const { id } = c.req.valid("param");
    await assertExists(c, id);
    return c.json(await handle(c, id, { kind: "closed", outcome: c.req.valid("json").outcome }), 200);
  });

  return app;
}
