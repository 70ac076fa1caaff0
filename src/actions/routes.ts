/** Staff side of corrective actions (issue 15): the department's list, review (accept / return). */
import { createRoute, z } from "@hono/zod-openapi";
import { and, desc, eq, type SQL } from "drizzle-orm";
import type { Context } from "hono";
import { auditInsert } from "../audit/audit.ts";
import { currentUser, requireUser } from "../auth/session.ts";
import { actionEvidence, ACTION_STATUSES, catalogItems, correctiveActions } from "../db/schema.ts";
import type { AppEnv } from "../env.ts";
import { ApiError, notFound } from "../lib/errors.ts";
import { errors, jsonBody, jsonResponse, newRouter } from "../lib/router.ts";
import { loadAction } from "./access.ts";
import { ActionView, actionViews } from "./views.ts";

const anyone = requireUser();
const IdParam = z.object({ id: z.string().min(1).max(64) });
const EvidenceParams = IdParam.extend({ evidenceId: z.string().min(1).max(64) });
const ListQuery = z.object({
  inspectionId: z.string().min(1).max(64).optional(),
  status: z.enum(ACTION_STATUSES).optional(),
});
const AcceptBody = z.object({
  /** 书面核查: accepted on the written evidence; only where the catalog item allows it. */
  verification: z.literal("written"),
  note: z.string().trim().max(2000).optional(),
});
const ReturnBody = z.object({ reason: z.string().trim().min(1, "请填写退回原因").max(2000) });
const One = z.object({ action: ActionView });

const list = createRoute({
  method: "get",
  path: "/actions",
  description: "司法局：全部；部门用户：本部门事项的整改。",
  tags: ["actions"],
  summary: "整改事项（本部门检查事项的；司法局看全部）",
  middleware: [anyone] as const,
  request: { query: ListQuery },
  responses: { 200: jsonResponse("整改事项", z.object({ items: z.array(ActionView) })), ...errors(400, 401) },
});

const get = createRoute({
  method: "get",
  path: "/actions/{id}",
  summary: "一条整改",
  description: "其他部门的 → 404。",
  tags: ["actions"],
  middleware: [anyone] as const,
  request: { params: IdParam },
  responses: { 200: jsonResponse("整改事项", One), ...errors(401, 404) },
});

const evidence = createRoute({
  method: "get",
  path: "/actions/{id}/evidence/{evidenceId}",
  summary: "整改材料文件",
  description: "带 nosniff 和服务器生成的文件名返回；其他部门的 → 404。",
  tags: ["actions"],
  middleware: [anyone] as const,
  request: { params: EvidenceParams },
  responses: { 200: { description: "整改材料文件（原样返回所存的类型）" }, ...errors(401, 404) },
});

const accept = createRoute({
  method: "post",
  path: "/actions/{id}/accept",
  description:
    "事项所属部门的执法人员或管理员（其他部门 → 404，监督人员 403）。只对 `evidence_submitted`（否则 409 `invalid_state`），只对允许书面核验（`writtenVerification`）的事项（否则 409 `reinspection_required`）。",
  tags: ["actions"],
  summary: "验收整改（书面核查，仅限允许书面核查的检查事项）",
  middleware: [requireUser("officer", "dept_admin", "admin")] as const,
  request: { params: IdParam, ...jsonBody(AcceptBody) },
  responses: { 200: jsonResponse("已验收", One), ...errors(400, 401, 403, 404, 409) },
});

const giveBack = createRoute({
  method: "post",
  path: "/actions/{id}/return",
  description:
    "事项所属部门的执法人员或管理员（其他部门 → 404，监督人员 403）；未提交材料 → 409 `invalid_state`。",
  tags: ["actions"],
  summary: "退回整改材料（附原因），企业重新提交",
  middleware: [requireUser("officer", "dept_admin", "admin")] as const,
  request: { params: IdParam, ...jsonBody(ReturnBody) },
  responses: { 200: jsonResponse("已退回", One), ...errors(400, 401, 403, 404, 409) },
});

const staffEvidenceUrl = (actionId: string, evidenceId: string) =>
  `/api/actions/${actionId}/evidence/${evidenceId}`;

async function respond(c: Context<AppEnv>, id: string) {
  const row = await loadAction(c, id, "read");
  const now = c.var.deps.now?.() ?? Date.now();
  const [view] = await actionViews(c.var.db, [row], now, c.var.deps.config.timeZone, staffEvidenceUrl);
  return c.json({ action: view! }, 200);
}

/** Serves an evidence file as stored, never sniffed by the browser, always as a download-safe name. */
export async function serveEvidence(c: Context<AppEnv>, actionId: string, evidenceId: string) {
  const [file] = await c.var.db
    .select()
    .from(actionEvidence)
    .where(and(eq(actionEvidence.id, evidenceId), eq(actionEvidence.actionId, actionId)))
    .limit(1);
  if (!file) throw notFound("整改材料");
  const inline = file.contentType.startsWith("image/") || file.contentType === "application/pdf";
  return c.body(new Uint8Array(file.data), 200, {
    "Content-Type": file.contentType,
    "X-Content-Type-Options": "nosniff",
    "Content-Disposition": `${inline ? "inline" : "attachment"}; filename="${file.fileName}"`,
    "Cache-Control": "private, max-age=3600",
  });
}

/** A guarded review step: the update names the status it read, so a concurrent step makes it 409. */
async function review(
  c: Context<AppEnv>,
  id: string,
  set: Partial<typeof correctiveActions.$inferInsert>,
  action: string,
  detail: Record<string, unknown>,
  from: SQL,
) {
  const [update] = await c.var.db.batch([
    c.var.db
      .update(correctiveActions)
      .set(set)
      .where(and(eq(correctiveActions.id, id), from)),
    auditInsert(c, { action, targetType: "action", targetId: id, detail }),
  ]);
  if (update.rowsAffected !== 1) throw new ApiError(409, "invalid_state", "整改事项状态已变化，请刷新");
}

export function actionRoutes() {
  const app = newRouter();

  app.openapi(list, async (c) => {
    const user = currentUser(c);
    const q = c.req.valid("query");
    const bureau = user.role === "admin" || user.role === "supervisor";
    const rows = await c.var.db
      .select()
      .from(correctiveActions)
      .where(
        and(
          bureau ? undefined : eq(correctiveActions.departmentId, user.departmentId ?? ""),
          q.inspectionId ? eq(correctiveActions.inspectionId, q.inspectionId) : undefined,
          q.status ? eq(correctiveActions.status, q.status) : undefined,
        ),
      )
      .orderBy(desc(correctiveActions.createdAt), desc(correctiveActions.id))
      .limit(500);
    const now = c.var.deps.now?.() ?? Date.now();
    return c.json(
      { items: await actionViews(c.var.db, rows, now, c.var.deps.config.timeZone, staffEvidenceUrl) },
      200,
    );
  });

  app.openapi(get, (c) => respond(c, c.req.valid("param").id));

  app.openapi(evidence, async (c) => {
    const { id, evidenceId } = c.req.valid("param");
    await loadAction(c, id, "read");
    return serveEvidence(c, id, evidenceId);
  });

  app.openapi(accept, async (c) => {
    const { id } = c.req.valid("param");
    const { note } = c.req.valid("json");
    const row = await loadAction(c, id, "review");
    if (row.status !== "evidence_submitted")
      throw new ApiError(409, "invalid_state", "只有已提交整改材料的整改事项可以验收");
    const [item] = await c.var.db
      .select({ written: catalogItems.writtenVerification })
      .from(catalogItems)
      .where(eq(catalogItems.id, row.itemId));
    if (!item?.written) {
      throw new ApiError(409, "reinspection_required", "该检查事项不允许书面核查，须发起复查后才能验收");
    }
    const now = c.var.deps.now?.() ?? Date.now();
    await review(
      c,
      id,
      {
        status: "accepted",
        verification: "written",
        acceptedAt: now,
        acceptedBy: currentUser(c).id,
        correctedOnTime: !row.late,
        updatedAt: now,
      },
      "action.accepted",
      {
        before: { status: row.status },
        after: { status: "accepted" },
        verification: "written",
        note: note ?? "",
      },
      eq(correctiveActions.status, "evidence_submitted"),
    );
    return respond(c, id);
  });

  app.openapi(giveBack, async (c) => {
    const { id } = c.req.valid("param");
    const { reason } = c.req.valid("json");
    const row = await loadAction(c, id, "review");
    if (row.status !== "evidence_submitted")
      throw new ApiError(409, "invalid_state", "只有已提交整改材料的整改事项可以退回");
    const now = c.var.deps.now?.() ?? Date.now();
    await review(
      c,
      id,
      { status: "returned", returnReason: reason, updatedAt: now },
      "action.returned",
      { before: { status: row.status }, after: { status: "returned" }, reason },
      eq(correctiveActions.status, "evidence_submitted"),
    );
    return respond(c, id);
  });

  return app;
}
