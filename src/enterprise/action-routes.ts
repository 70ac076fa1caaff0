/**
 * The enterprise's side of corrective actions (issue 15): its actions, evidence files, a statement
 * and an optional 信用承诺. Before or after the deadline (then marked late); never on an accepted one.
 */
import { createRoute, z } from "@hono/zod-openapi";
import { and, count, desc, eq, sql } from "drizzle-orm";
import { createHash } from "node:crypto";
import type { Context } from "hono";
import { auditInsert } from "../audit/audit.ts";
import { actionEvidence, correctiveActions, outbox } from "../db/schema.ts";
import type { AppEnv } from "../env.ts";
import { currentEnterprise, enterpriseActor, requireEnterprise } from "./session.ts";
import { ApiError, notFound } from "../lib/errors.ts";
import { newId } from "../lib/ids.ts";
import { errors, jsonBody, jsonResponse, newRouter } from "../lib/router.ts";
import { mediaType } from "../lib/security.ts";
import type { ActionRow } from "../actions/access.ts";
import { EVIDENCE_TYPES, EVIDENCE_UPLOAD, evidenceMatches } from "../actions/evidence.ts";
import { onTime } from "../actions/overdue.ts";
import { serveEvidence } from "../actions/routes.ts";
import { ActionView, actionViews } from "../actions/views.ts";

export const ACTION_EVIDENCE_TOPIC = "action.evidence_submitted";
const MAX_FILES_PER_ACTION = 20;
/** Statuses in which the enterprise may still add evidence and submit. */
const SUBMITTABLE = new Set(["open", "returned"]);

const IdParam = z.object({ id: z.string().min(1).max(64) });
const EvidenceParams = IdParam.extend({ evidenceId: z.string().min(1).max(64) });
const SubmitBody = z.object({
  statement: z.string().trim().min(1, "请填写整改情况说明").max(4000),
  /** 信用承诺: the enterprise commits, on its credit, that the correction is true. */
  creditCommitment: z.boolean().optional(),
});

const list = createRoute({
  method: "get",
  path: "/actions",
  tags: ["enterprise"],
  summary: "本企业的整改事项（逾期按配置时区的当日零点计算）",
  middleware: [requireEnterprise()] as const,
  responses: { 200: jsonResponse("整改事项", z.object({ items: z.array(ActionView) })), ...errors(401) },
});

const upload = createRoute({
  method: "post",
  path: "/actions/{id}/evidence",
  description:
    "请求体为文件本身（JPEG/PNG/WebP、PDF、DOC/DOCX、XLS/XLSX、PPTX，按魔数识别）；超过 10 MB → 413；类型不符 → 415；已认可或审核中 → 409 `action_not_open`。其他企业的整改 → 404。",
  tags: ["enterprise"],
  summary: "上传整改材料（照片、PDF、Office 文档；按文件内容识别类型）",
  middleware: [requireEnterprise()] as const,
  request: {
    params: IdParam,
    body: {
      required: true,
      content: Object.fromEntries(
        EVIDENCE_UPLOAD.contentTypes.map((t) => [t, { schema: z.string().openapi({ format: "binary" }) }]),
      ),
    },
  },
  responses: {
    201: jsonResponse("已上传", z.object({ id: z.string(), fileName: z.string() })),
    ...errors(401, 403, 404, 409, 413, 415),
  },
});

const submit = createRoute({
  method: "post",
  path: "/actions/{id}/submit",
  description: "期限后提交标记 `late: true`。发件箱主题 `action.evidence_submitted`。",
  tags: ["enterprise"],
  summary: "提交整改情况（说明、可选信用承诺）；逾期提交标记为逾期",
  middleware: [requireEnterprise()] as const,
  request: { params: IdParam, ...jsonBody(SubmitBody) },
  responses: {
    200: jsonResponse("已提交", z.object({ action: ActionView })),
    ...errors(400, 401, 403, 404, 409),
  },
});

const download = createRoute({
  method: "get",
  path: "/actions/{id}/evidence/{evidenceId}",
  summary: "本企业上传的整改材料文件",
  description: "其他企业的整改 → 404。",
  tags: ["enterprise"],
  middleware: [requireEnterprise()] as const,
  request: { params: EvidenceParams },
  responses: { 200: { description: "整改材料文件" }, ...errors(401, 404) },
});

const evidenceUrl = (actionId: string, evidenceId: string) =>
  `/api/enterprise/actions/${actionId}/evidence/${evidenceId}`;

/** The signed-in enterprise's own action; another's is 404. */
async function ownAction(c: Context<AppEnv>, id: string): Promise<ActionRow> {
  const enterprise = currentEnterprise(c);
  const [row] = await c.var.db
    .select()
    .from(correctiveActions)
    .where(and(eq(correctiveActions.id, id), eq(correctiveActions.enterpriseId, enterprise.id)))
    .limit(1);
  if (!row) throw notFound("整改事项");
  return row;
}

function assertSubmittable(row: ActionRow) {
  if (!SUBMITTABLE.has(row.status)) {
    const message =
      row.status === "accepted" ? "该整改事项已验收，不能再提交材料" : "该整改事项当前不能提交材料";
    throw new ApiError(409, "action_not_open", message);
  }
}

export function enterpriseActionRoutes() {
  const app = newRouter();

  app.openapi(list, async (c) => {
    const enterprise = currentEnterprise(c);
    const rows = await c.var.db
      .select()
      .from(correctiveActions)
      .where(eq(correctiveActions.enterpriseId, enterprise.id))
      .orderBy(desc(correctiveActions.createdAt), desc(correctiveActions.id))
      .limit(500);
    const now = c.var.deps.now?.() ?? Date.now();
    return c.json(
      { items: await actionViews(c.var.db, rows, now, c.var.deps.config.timeZone, evidenceUrl) },
      200,
    );
  });

  app.openapi(upload, async (c) => {
    const { id } = c.req.valid("param");
    const row = await ownAction(c, id);
    assertSubmittable(row);
    const declared = mediaType(c.req.header("content-type"));
    const bytes = new Uint8Array(await c.req.arrayBuffer());
    if (bytes.byteLength > EVIDENCE_UPLOAD.maxBytes)
      throw new ApiError(413, "payload_too_large", "整改材料超过 10 MB 上限");
    if (!evidenceMatches(declared, bytes)) {
      throw new ApiError(
        415,
        "unsupported_media_type",
        "文件内容不是所声明的类型（支持 JPEG、PNG、WebP 图片，PDF，Word、Excel、PowerPoint 文档）",
      );
    }
    const [{ n }] = (await c.var.db
      .select({ n: count() })
      .from(actionEvidence)
      .where(eq(actionEvidence.actionId, id))) as [{ n: number }];
    if (n >= MAX_FILES_PER_ACTION)
      throw new ApiError(409, "too_many_files", `每项整改最多上传 ${MAX_FILES_PER_ACTION} 个文件`);
    const evidenceId = newId();
    const fileName = `${evidenceId}.${EVIDENCE_TYPES[declared]}`;
    const sha256 = createHash("sha256").update(bytes).digest("hex");
    const enterprise = currentEnterprise(c);
    const [insert] = await c.var.db.batch([
      c.var.db
        .run(sql`INSERT INTO action_evidence (id, action_id, file_name, content_type, byte_size, sha256, data, created_at)
        SELECT ${evidenceId}, ${id}, ${fileName}, ${declared}, ${bytes.byteLength}, ${sha256}, ${Buffer.from(bytes)}, ${Date.now()}
        WHERE EXISTS (SELECT 1 FROM corrective_actions WHERE id = ${id} AND status IN ('open','returned'))`),
      auditInsert(c, {
        action: "action.evidence_uploaded",
        targetType: "action",
        targetId: id,
        actorName: enterpriseActor(enterprise),
        detail: { evidenceId, contentType: declared, byteSize: bytes.byteLength, sha256 },
      }),
    ]);
    if (insert.rowsAffected !== 1) throw new ApiError(409, "action_not_open", "该整改事项当前不能提交材料");
    return c.json({ id: evidenceId, fileName }, 201);
  });

  app.openapi(submit, async (c) => {
    const { id } = c.req.valid("param");
    const { statement, creditCommitment } = c.req.valid("json");
    const row = await ownAction(c, id);
    assertSubmittable(row);
    const enterprise = currentEnterprise(c);
    const { timeZone, inspections: cfg } = c.var.deps.config;
    const now = c.var.deps.now?.() ?? Date.now();
    const late = !onTime(now, row.deadline, timeZone);
    const statements = [
      c.var.db
        .update(correctiveActions)
        .set({
          status: "evidence_submitted",
          statement,
          creditCommitment: creditCommitment ?? false,
          evidenceSubmittedAt: now,
          late,
          updatedAt: now,
        })
        .where(and(eq(correctiveActions.id, id), eq(correctiveActions.status, row.status))),
      auditInsert(c, {
        action: "action.evidence_submitted",
        targetType: "action",
        targetId: id,
        actorName: enterpriseActor(enterprise),
        detail: {
          before: { status: row.status },
          after: { status: "evidence_submitted" },
          late,
          creditCommitment: creditCommitment ?? false,
        },
      }),
      ...(cfg.webhookUrl
        ? [
            c.var.db.insert(outbox).values({
              id: newId(),
              topic: ACTION_EVIDENCE_TOPIC,
              // Ids and dates only: the statement is the enterprise's text for the department.
              payload: JSON.stringify({
                type: ACTION_EVIDENCE_TOPIC,
                action: {
                  id,
                  inspectionId: row.inspectionId,
                  departmentId: row.departmentId,
                  deadline: row.deadline,
                  late,
                  submittedAt: new Date(now).toISOString(),
                },
              }),
              nextAttemptAt: now,
              createdAt: now,
            }),
          ]
        : []),
    ];
    const [update] = await c.var.db.batch(statements as [(typeof statements)[0], ...typeof statements]);
    if (update.rowsAffected !== 1) throw new ApiError(409, "invalid_state", "整改事项状态已变化，请刷新");
    const fresh = await ownAction(c, id);
    const [view] = await actionViews(c.var.db, [fresh], now, timeZone, evidenceUrl);
    return c.json({ action: view! }, 200);
  });

  app.openapi(download, async (c) => {
    const { id, evidenceId } = c.req.valid("param");
    await ownAction(c, id);
    return serveEvidence(c, id, evidenceId);
  });

  return app;
}
