/**
 * 回避 (R14): before a visit the enterprise names an officer and a reason; the lead department's
 * administrator replaces the officer or refuses with a reason, before the visit starts.
 */
import { createRoute, z } from "@hono/zod-openapi";
import { and, asc, desc, eq, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/sqlite-core";
import type { Context, MiddlewareHandler } from "hono";
import { currentUser } from "../auth/session.ts";
import type { Db } from "../db/client.ts";
import { avoidanceRequests, inspectionOfficers, officers, users } from "../db/schema.ts";
import { credentialValidThrough } from "../directory/credentials.ts";
import type { AppEnv } from "../env.ts";
import { ApiError, notFound } from "../lib/errors.ts";
import { newId } from "../lib/ids.ts";
import { errors, iso, jsonBody, jsonResponse, newRouter } from "../lib/router.ts";
import { localDate } from "../lib/time.ts";
import { loadInspection, type InspectionRow } from "./access.ts";

export const AVOIDANCE_STATUS_LABELS = {
  pending: "待答复",
  replaced: "已更换",
  refused: "不予回避",
} as const;

/** A visit not yet begun: filed or approved, nobody said the team arrived, the planned start ahead. */
export function beforeVisit(row: InspectionRow, now: number): boolean {
  return (
    (row.status === "filed" || row.status === "approved") &&
    row.arrivedAt == null &&
    row.enterpriseArrivalAt == null &&
    row.plannedStart > now
  );
}

/** The same condition inside a batch, so an arrival or a withdrawal meanwhile stops the step. */
export const beforeVisitSql = (inspectionId: string, now: number) =>
  sql`EXISTS (SELECT 1 FROM inspections WHERE id = ${inspectionId} AND status IN ('filed', 'approved')
    AND arrived_at IS NULL AND enterprise_arrival_at IS NULL AND planned_start > ${now})`;

export const visitStarted = () =>
  new ApiError(409, "visit_started", "检查已开始或已不在备案状态，不能再申请或答复回避");

const replacement = alias(officers, "replacement");

/** The requests of one inspection, newest first, with the officers' names. */
export async function avoidanceList(db: Db, inspectionId: string) {
  const rows = await db
    .select({
      request: avoidanceRequests,
      officerName: officers.name,
      departmentId: officers.departmentId,
      replacementName: replacement.name,
      answeredByName: users.displayName,
    })
    .from(avoidanceRequests)
    .innerJoin(officers, eq(officers.id, avoidanceRequests.officerId))
    .leftJoin(replacement, eq(replacement.id, avoidanceRequests.replacementOfficerId))
    .leftJoin(users, eq(users.id, avoidanceRequests.answeredBy))
    .where(eq(avoidanceRequests.inspectionId, inspectionId))
    .orderBy(desc(avoidanceRequests.createdAt), desc(avoidanceRequests.id));
  return rows.map(({ request: r, officerName, departmentId, replacementName, answeredByName }) => ({
    id: r.id,
    officerId: r.officerId,
    officerName,
    departmentId,
    reason: r.reason,
    status: r.status,
    statusLabel: AVOIDANCE_STATUS_LABELS[r.status],
    answer: r.answer,
    replacementOfficerId: r.replacementOfficerId,
    replacementName: replacementName ?? null,
    createdAt: iso(r.createdAt)!,
    answeredAt: iso(r.answeredAt),
    answeredByName: answeredByName ?? null,
  }));
}

/**
 * Who may take a replaced officer's place: the same department's active officers (no helpers) whose
 * credential holds over the whole planned window and who are not on the inspection yet. A credentialed
 * officer for one of the same department keeps both the two-inspector rule and the joint visit's
 * per-department minimum as they were at filing.
 */
export async function replacementCandidates(
  db: Db,
  row: InspectionRow,
  departmentId: string,
  timeZone: string,
) {
  const on = await db
    .select({ id: inspectionOfficers.officerId })
    .from(inspectionOfficers)
    .where(eq(inspectionOfficers.inspectionId, row.id));
  const taken = new Set(on.map((o) => o.id));
  const from = localDate(row.plannedStart, timeZone);
  const to = localDate(row.plannedEnd, timeZone);
  const pool = await db
    .select()
    .from(officers)
    .where(
      and(
        eq(officers.departmentId, departmentId),
        eq(officers.isHelper, false),
        eq(officers.status, "active"),
      ),
    )
    .orderBy(asc(officers.name));
  return pool
    .filter((o) => !taken.has(o.id) && credentialValidThrough(o, from, to))
    .map((o) => ({ id: o.id, name: o.name, credentialNo: o.credentialNo }));
}

const IdParam = z.object({ id: z.string().min(1).max(40) });
const AnswerParams = z.object({ id: z.string().min(1).max(40), requestId: z.string().min(1).max(40) });

const AnswerBody = z
  .discriminatedUnion("decision", [
    z.object({
      decision: z.literal("replace"),
      replacementOfficerId: z.string().min(1).max(40),
      answer: z.string().trim().max(500).optional(),
    }),
    z.object({
      decision: z.literal("refuse"),
      answer: z.string().trim().min(1, "不予回避必须说明理由").max(500),
    }),
  ])
  .openapi("AvoidanceAnswer");

const listRoute = createRoute({
  method: "get",
  path: "/{id}/avoidance",
  description:
    "能读取该检查的人。`candidates`（同部门、在岗、非辅助人员、执法证覆盖整个计划时间、不在本次检查中）只对待处理申请、且只给检查开始前的牵头部门管理员。",
  tags: ["inspections"],
  summary: "本次检查的回避申请（牵头部门管理员可答复）",
  middleware: [readable()] as const,
  request: { params: IdParam },
  responses: { 200: jsonResponse("回避申请", z.record(z.string(), z.unknown())), ...errors(401, 404) },
});

const answerRoute = createRoute({
  method: "post",
  path: "/{id}/avoidance/{requestId}",
  description:
    "只有牵头部门的管理员（司法局和执法人员 403；读不到该检查的部门 404）。`replace` 在同一批次中替换人员；不在候选人中 → 422 `invalid_replacement`；409 `visit_started`、409 `already_answered`。审计 `inspection.avoidance_replace` / `inspection.avoidance_refuse`。",
  tags: ["inspections"],
  summary: "答复回避申请：更换执法人员或不予回避（检查开始前）",
  middleware: [leadAdmin()] as const,
  request: { params: AnswerParams, ...jsonBody(AnswerBody) },
  responses: {
    200: jsonResponse("已答复", z.record(z.string(), z.unknown())),
    ...errors(400, 401, 403, 404, 409, 422),
  },
});

function readable(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    await loadInspection(c, c.req.param("id") ?? "", "read");
    await next();
  };
}

function isLeadAdmin(c: Context<AppEnv>, row: InspectionRow): boolean {
  const user = currentUser(c);
  return user.role === "dept_admin" && user.departmentId === row.leadDepartmentId;
}

/** Checked before the body is read: a department that cannot see the visit gets 404, others 403. */
function leadAdmin(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const row = await loadInspection(c, c.req.param("id") ?? "", "read");
    // The department answers in its own name (R18): not the bureau, not a joined department.
    if (!isLeadAdmin(c, row))
      throw new ApiError(403, "forbidden", "只有牵头部门的部门管理员可以答复回避申请");
    await next();
  };
}

/** Staff side of 回避, under /api/inspections. */
export function avoidanceRoutes() {
  const app = newRouter();

  app.openapi(listRoute, async (c) => {
    const db = c.var.db;
    const row = await loadInspection(c, c.req.valid("param").id, "read");
    const now = c.var.deps.now?.() ?? Date.now();
    const canAnswer = isLeadAdmin(c, row) && beforeVisit(row, now);
    const items = await avoidanceList(db, row.id);
    const tz = c.var.deps.config.timeZone;
    const withCandidates = [];
    for (const item of items) {
      withCandidates.push({
        ...item,
        candidates:
          canAnswer && item.status === "pending"
            ? await replacementCandidates(db, row, item.departmentId, tz)
            : [],
      });
    }
    return c.json({ canAnswer, items: withCandidates }, 200);
  });

  app.openapi(answerRoute, async (c) => {
    const db = c.var.db;
    const { id, requestId } = c.req.valid("param");
    const body = c.req.valid("json");
    const row = await loadInspection(c, id, "read");
    const user = currentUser(c);
    const now = c.var.deps.now?.() ?? Date.now();
    const [request] = await db
      .select({ request: avoidanceRequests, departmentId: officers.departmentId })
      .from(avoidanceRequests)
      .innerJoin(officers, eq(officers.id, avoidanceRequests.officerId))
      .where(and(eq(avoidanceRequests.id, requestId), eq(avoidanceRequests.inspectionId, row.id)))
      .limit(1);
    if (!request) throw notFound("回避申请");
    if (request.request.status !== "pending") throw alreadyAnswered();
    if (!beforeVisit(row, now)) throw visitStarted();
    const officerId = request.request.officerId;
    let replacementId: string | null = null;
    if (body.decision === "replace") {
      const candidates = await replacementCandidates(
        db,
        row,
        request.departmentId,
        c.var.deps.config.timeZone,
      );
      if (!candidates.some((o) => o.id === body.replacementOfficerId)) {
        // A racing answer may have swapped an officer in between this read and the request's: then
        // the request being answered is the reason, not the replacement.
        if (!(await isPending(db, requestId))) throw alreadyAnswered();
        throw new ApiError(
          422,
          "invalid_replacement",
          "替换人员须为同一部门、执法证在检查期间有效且未参加本次检查的执法人员",
        );
      }
      replacementId = body.replacementOfficerId;
    }
    const status = body.decision === "replace" ? "replaced" : "refused";
    const answer = body.answer?.trim() || (body.decision === "replace" ? "已更换执法人员" : "");
    // The audit line goes first and only while the request is pending, the visit has not begun and
    // (for a replacement) the officer is still on it and the new one not yet; it carries a nonce, so
    // the answer, the swap and the timestamp follow only this request's own line (two racing answers
    // run one after the other, and the second finds nothing pending).
    const pending = [
      sql`EXISTS (SELECT 1 FROM avoidance_requests WHERE id = ${requestId} AND status = 'pending')`,
      beforeVisitSql(row.id, now),
    ];
    if (replacementId) {
      pending.push(
        sql`EXISTS (SELECT 1 FROM inspection_officers WHERE inspection_id = ${row.id} AND officer_id = ${officerId})`,
        sql`NOT EXISTS (SELECT 1 FROM inspection_officers WHERE inspection_id = ${row.id} AND officer_id = ${replacementId})`,
      );
    }
    const detail = JSON.stringify({
      requestId,
      answerId: newId(),
      officerId,
      before: { status: "pending" },
      after: { status, replacementOfficerId: replacementId, answer },
    });
    const mine = sql`EXISTS (SELECT 1 FROM audit_log WHERE target_type = 'inspection' AND target_id = ${row.id}
      AND detail = ${detail})`;
    const statements = [
      db.run(sql`INSERT INTO audit_log (at, actor_id, actor_name, action, target_type, target_id, ip, detail)
        SELECT ${now}, ${user.id}, ${user.username}, ${`inspection.avoidance_${body.decision}`}, 'inspection',
          ${row.id}, ${c.var.clientIp ?? null}, ${detail} WHERE ${sql.join(pending, sql` AND `)}`),
      db.run(sql`UPDATE avoidance_requests SET status = ${status}, answer = ${answer},
          replacement_officer_id = ${replacementId}, answered_at = ${now}, answered_by = ${user.id}
        WHERE id = ${requestId} AND status = 'pending' AND ${mine}`),
    ];
    if (replacementId) {
      statements.push(
        db.run(sql`DELETE FROM inspection_officers WHERE inspection_id = ${row.id} AND officer_id = ${officerId}
          AND ${mine}`),
        db.run(sql`INSERT INTO inspection_officers (inspection_id, officer_id, is_helper)
          SELECT ${row.id}, ${replacementId}, 0 WHERE ${mine}`),
        db.run(sql`UPDATE inspections SET updated_at = ${now} WHERE id = ${row.id} AND ${mine}`),
      );
    }
    const [result] = (await db.batch(statements as unknown as Parameters<Db["batch"]>[0])) as unknown as {
      rowsAffected: number;
    }[];
    if (result?.rowsAffected !== 1)
      throw new ApiError(409, "invalid_state", "回避申请或检查状态已变化，请刷新页面");
    const items = await avoidanceList(db, row.id);
    return c.json({ item: items.find((i) => i.id === requestId)! }, 200);
  });

  return app;
}

const alreadyAnswered = () => new ApiError(409, "already_answered", "该回避申请已答复");

async function isPending(db: Db, requestId: string): Promise<boolean> {
  const [row] = await db
    .select({ status: avoidanceRequests.status })
    .from(avoidanceRequests)
    .where(eq(avoidanceRequests.id, requestId))
    .limit(1);
  return row?.status === "pending";
}

/** Officers of an inspection (for the enterprise's request form): ids and names. */
export async function inspectionOfficerList(db: Db, inspectionId: string) {
  return db
    .select({ id: officers.id, name: officers.name, isHelper: inspectionOfficers.isHelper })
    .from(inspectionOfficers)
    .innerJoin(officers, eq(officers.id, inspectionOfficers.officerId))
    .where(eq(inspectionOfficers.inspectionId, inspectionId))
    .orderBy(asc(inspectionOfficers.isHelper), asc(officers.name));
}
