import { createRoute, z } from "@hono/zod-openapi";
import { and, desc, eq, gte, inArray, lt, or, sql } from "drizzle-orm";
import type { Context } from "hono";
import { audit } from "../audit/audit.ts";
import { currentUser, requireUser } from "../auth/session.ts";
import { inspectionDepartments, inspections } from "../db/schema.ts";
import type { AppEnv } from "../env.ts";
import { ApiError } from "../lib/errors.ts";
import { errors, iso, jsonBody, jsonResponse, newRouter } from "../lib/router.ts";
import { parseBound } from "../lib/time.ts";
import { decodeCursor, encodeCursor } from "../responses/query.ts";
import { publicOrigin } from "../share/routes.ts";
import { qrPng, qrSvg } from "../share/qr.ts";
import { loadInspection, type InspectionRow } from "./access.ts";
import { signInspectionCode } from "./code.ts";
import {
  InspectionDetail,
  InspectionIdParam,
  InspectionListQuery,
  InspectionSummary,
  ReasonBody,
} from "./schemas.ts";
import { CloseBody, noOpenActions, openActionCount, releaseReinspectionActions } from "./close.ts";
import { transitionStatements } from "./state.ts";
import { detail, summaries } from "./views.ts";

const anyone = requireUser();
const DetailEnvelope = z.object({ inspection: InspectionDetail });

const list = createRoute({
  method: "get",
  path: "/",
  summary: "检查列表（部门用户只见本部门参与的）",
  tags: ["inspections"],
  middleware: [anyone] as const,
  request: { query: InspectionListQuery },
  responses: {
    200: jsonResponse(
      "检查列表（计划时间新的在前）",
      z.object({ items: z.array(InspectionSummary), nextCursor: z.string().nullable() }),
    ),
    ...errors(400, 401),
  },
});

const get = createRoute({
  method: "get",
  path: "/{id}",
  summary: "检查详情",
  description: "其他部门的检查 → 404。",
  tags: ["inspections"],
  middleware: [anyone] as const,
  request: { params: InspectionIdParam },
  responses: { 200: jsonResponse("检查详情", DetailEnvelope), ...errors(401, 404) },
});

const decider = requireUser("dept_admin", "admin");

const approve = createRoute({
  method: "post",
  path: "/{id}/approve",
  summary: "批准备案",
  description: "牵头部门的管理员。生命周期不允许的步骤 → 409 `invalid_state`。",
  tags: ["inspections"],
  middleware: [decider] as const,
  request: { params: InspectionIdParam },
  responses: { 200: jsonResponse("已批准", DetailEnvelope), ...errors(401, 403, 404, 409) },
});

const refuse = createRoute({
  method: "post",
  path: "/{id}/refuse",
  summary: "不予批准",
  description: "牵头部门的管理员。生命周期不允许的步骤 → 409 `invalid_state`。",
  tags: ["inspections"],
  middleware: [decider] as const,
  request: { params: InspectionIdParam, ...jsonBody(ReasonBody) },
  responses: { 200: jsonResponse("不予批准", DetailEnvelope), ...errors(400, 401, 403, 404, 409) },
});

const close = createRoute({
  method: "post",
  path: "/{id}/close",
  summary: "办结检查",
  description:
    "牵头部门的管理员。仍有未认可也未被取代的整改 → 409 `open_actions`，除非给出 `openActionsReason`：此时办结并记下 `closedWithOpenActions` 和理由，在看板上标出。顺序不对 → 409 `invalid_state`。办结既不等待也不关闭企业评价。",
  tags: ["inspections"],
  middleware: [decider] as const,
  request: { params: InspectionIdParam, ...jsonBody(CloseBody) },
  responses: { 200: jsonResponse("已办结", DetailEnvelope), ...errors(400, 401, 403, 404, 409) },
});

const code = createRoute({
  method: "get",
  path: "/{id}/code",
  summary: "检查码（向企业出示）",
  description:
    "只有该检查的执法人员和牵头部门的管理员；其他能读取的人 → 403。批准前和撤回后 → 409 `not_approved`；409 `public_url_required` 同公开链接。每次出示检查码（及其二维码）都写一条审计 `inspection.code_viewed`（含地址）。",
  tags: ["inspections"],
  middleware: [anyone] as const,
  request: { params: InspectionIdParam },
  responses: {
    200: jsonResponse("检查码", z.object({ code: z.string(), url: z.string(), expiresAt: z.string() })),
    ...errors(401, 403, 404, 409),
  },
});

const qr = (ext: "png" | "svg") =>
  createRoute({
    method: "get",
    path: `/{id}/qr.${ext}`,
    summary: `检查码二维码（${ext.toUpperCase()}）`,
    description: "权限和拒绝同检查码；每次出示都写一条审计 `inspection.code_viewed`。",
    tags: ["inspections"],
    middleware: [anyone] as const,
    request: { params: InspectionIdParam },
    responses: { 200: { description: `检查码二维码 ${ext.toUpperCase()}` }, ...errors(401, 403, 404, 409) },
  });

/**
 * The inspection code exists once a filing is approved, and expires `codeTtlDays` after the visit.
 * Each issue is audited with the address it went to: an evaluation later sent from that address is
 * flagged for the supervisor (R14), and who held the code is on record.
 */
async function inspectionCode(c: Context<AppEnv>, row: InspectionRow) {
  if (["draft", "filed", "refused", "cancelled"].includes(row.status)) {
    throw new ApiError(409, "not_approved", "检查经审批通过后才生成检查码");
  }
  const expiresAt = row.plannedEnd + c.var.deps.config.inspections.codeTtlDays * 86_400_000;
  const value = signInspectionCode(c.var.deps.config.secret, row.id, expiresAt, row.codeNonce);
  const url = `${publicOrigin(c)}/i/${value}`;
  await audit(c, { action: "inspection.code_viewed", targetType: "inspection", targetId: row.id });
  return { code: value, url, expiresAt: iso(expiresAt)! };
}

async function respondDetail(c: Context<AppEnv>, id: string) {
  const row = await loadInspection(c, id, "read");
  return c.json({ inspection: await detail(c.var.db, row) }, 200);
}

/** Runs a transition batch; a concurrent change of the same inspection makes it a 409. */
async function applyTransition(
  c: Context<AppEnv>,
  statements: ReturnType<typeof transitionStatements>,
  ...more: ReturnType<typeof releaseReinspectionActions>[]
) {
  const [update] = await c.var.db.batch([...statements, ...more]);
  if (update.rowsAffected !== 1) throw new ApiError(409, "invalid_state", "检查状态已被他人修改，请刷新");
}

export function inspectionRoutes() {
  const app = newRouter();

  app.openapi(list, async (c) => {
    const user = currentUser(c);
    const q = c.req.valid("query");
    const tz = c.var.deps.config.timeZone;
    const bound = (text: string | undefined, end: boolean) => {
      if (!text) return undefined;
      const ms = parseBound(text, tz, end);
      if (ms === null) throw new ApiError(400, "invalid_request", "from/to 不是有效日期");
      return ms;
    };
    const from = bound(q.from, false);
    const to = bound(q.to, true);
    const after = q.cursor ? decodeCursor(q.cursor) : undefined;
    const scoped = user.role === "admin" || user.role === "supervisor";
    const mine =
      q.mine === "1"
        ? sql`${inspections.id} IN (SELECT io.inspection_id FROM inspection_officers io JOIN officers o ON o.id = io.officer_id WHERE o.user_id = ${user.id})`
        : undefined;
    const rows = await c.var.db
      .select()
      .from(inspections)
      .where(
        and(
          scoped
            ? undefined
            : inArray(
                inspections.id,
                c.var.db
                  .select({ id: inspectionDepartments.inspectionId })
                  .from(inspectionDepartments)
                  .where(eq(inspectionDepartments.departmentId, user.departmentId ?? "")),
              ),
          mine,
          q.status ? eq(inspections.status, q.status) : undefined,
          q.enterpriseId ? eq(inspections.enterpriseId, q.enterpriseId) : undefined,
          from !== undefined ? gte(inspections.plannedStart, from) : undefined,
          to !== undefined ? lt(inspections.plannedStart, to) : undefined,
          after
            ? or(
                lt(inspections.plannedStart, after.at),
                and(eq(inspections.plannedStart, after.at), lt(inspections.id, after.id)),
              )
            : undefined,
        ),
      )
      .orderBy(desc(inspections.plannedStart), desc(inspections.id))
      .limit(q.limit + 1);
    const page = rows.slice(0, q.limit);
    const last = page[page.length - 1];
    const nextCursor = rows.length > q.limit && last ? encodeCursor(last.plannedStart, last.id) : null;
    return c.json({ items: await summaries(c.var.db, page), nextCursor }, 200);
  });

  app.openapi(get, (c) => respondDetail(c, c.req.valid("param").id));

  app.openapi(approve, async (c) => {
    const { id } = c.req.valid("param");
    const row = await loadInspection(c, id, "approve");
    await applyTransition(c, transitionStatements(c, row, "approved", { decidedBy: currentUser(c).id }));
    return respondDetail(c, id);
  });

  app.openapi(refuse, async (c) => {
    const { id } = c.req.valid("param");
    const { reason } = c.req.valid("json");
    const row = await loadInspection(c, id, "approve");
    await applyTransition(
      c,
      transitionStatements(
        c,
        row,
        "refused",
        { decidedBy: currentUser(c).id, refusalReason: reason },
        { reason },
      ),
      releaseReinspectionActions(c.var.db, id),
    );
    return respondDetail(c, id);
  });

  app.openapi(close, async (c) => {
    const { id } = c.req.valid("param");
    const { note, openActionsReason } = c.req.valid("json");
    const row = await loadInspection(c, id, "approve");
    const open = await openActionCount(c.var.db, id);
    if (open > 0 && !openActionsReason) {
      throw new ApiError(
        409,
        "open_actions",
        `还有 ${open} 项整改未验收，不能办结；牵头部门管理员可填写理由后强制办结`,
      );
    }
    const forced = open > 0;
    const [update, line] = transitionStatements(
      c,
      row,
      "closed",
      forced ? { closedWithOpenActions: true, closeReason: openActionsReason! } : {},
      { note: note ?? "", ...(forced ? { openActions: open, openActionsReason } : {}) },
    );
    // An action opened meanwhile (a 复查 submitted) refuses an unforced close in the same batch.
    const result = await c.var.db
      .batch([update, line, ...(forced ? [] : [noOpenActions(c.var.db, id)])])
      .then(([first]) => first)
      .catch(async (error: unknown) => {
        if ((await openActionCount(c.var.db, id)) === 0) throw error;
        throw new ApiError(409, "open_actions", "有新的整改事项未验收，不能办结");
      });
    if (result.rowsAffected !== 1) throw new ApiError(409, "invalid_state", "检查状态已被他人修改，请刷新");
    return respondDetail(c, id);
  });

  app.openapi(code, async (c) => {
    const row = await loadInspection(c, c.req.valid("param").id, "code");
    return c.json(await inspectionCode(c, row), 200);
  });

  app.openapi(qr("svg"), async (c) => {
    const row = await loadInspection(c, c.req.valid("param").id, "code");
    const body = await qrSvg((await inspectionCode(c, row)).url);
    return c.body(body, 200, {
      "Content-Type": "image/svg+xml; charset=utf-8",
      "Cache-Control": "private, no-store",
    });
  });

  app.openapi(qr("png"), async (c) => {
    const row = await loadInspection(c, c.req.valid("param").id, "code");
    const body = await qrPng((await inspectionCode(c, row)).url, 512);
    return c.body(new Uint8Array(body), 200, {
      "Content-Type": "image/png",
      "Cache-Control": "private, no-store",
    });
  });

  return app;
}
