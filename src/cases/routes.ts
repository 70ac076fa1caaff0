import { createRoute, z } from "@hono/zod-openapi";
import { and, count, eq, inArray, sql } from "drizzle-orm";
import type { Context } from "hono";
import { createHash } from "node:crypto";
import { auditInsert } from "../audit/audit.ts";
import { currentUser, requireUser } from "../auth/session.ts";
import { sniffImageType } from "../lib/image-type.ts";
import { caseAttachments, caseSources, CASE_CONCLUSIONS, CASE_LEVELS } from "../db/schema.ts";
import type { AppEnv } from "../env.ts";
import { ApiError, notFound } from "../lib/errors.ts";
import { newId } from "../lib/ids.ts";
import { errors, jsonBody, jsonResponse, newRouter } from "../lib/router.ts";
import { mediaType, PHOTO_UPLOAD, type UploadRoute } from "../lib/security.ts";
import { localDate } from "../lib/time.ts";
import {
  ACCOUNTABILITY_METHODS,
  checkConclusion,
  conclusionDetail,
  CONCLUSION_LABELS,
  credentialEffect,
  LEVEL_LABELS,
} from "./rules.ts";
import {
  AcceptBody,
  AnswerBody,
  AttachmentParams,
  CaseDetailSchema,
  CaseIdParam,
  CaseItemSchema,
  CaseListQuery,
  CaseOptionsSchema,
  CloseBody,
  OpenCaseBody,
  ReturnBody,
  WARNING_KINDS,
} from "./schemas.ts";
import { loadCase, openCase, runStep, type CaseRow } from "./store.ts";
import { caseDetail, listCases } from "./views.ts";

/** Opening, sending, reviewing and closing belong to the 司法局; a department answers its own. */
const bureau = requireUser("admin", "supervisor");
const readers = requireUser("admin", "supervisor", "dept_admin");
const department = requireUser("dept_admin");

/** Self-inspection attachments: the photo upload's types, sniffing and size limit. */
export const CASE_ATTACHMENT_UPLOAD: UploadRoute = {
  ...PHOTO_UPLOAD,
  path: /^\/api\/cases\/[^/]+\/attachments$/,
};
const MAX_ATTACHMENTS_PER_CASE = 30;

const today = (c: Context<AppEnv>) => localDate(Date.now(), c.var.deps.config.timeZone);

async function detailFor(c: Context<AppEnv>, id: string) {
  const user = currentUser(c);
  const tz = c.var.deps.config.timeZone;
  return (await caseDetail(c.var.db, id, user.role === "dept_admin", today(c), tz))!;
}

const optionsRoute = createRoute({
  method: "get",
  path: "/cases/options",
  tags: ["cases"],
  summary: "督办案件的情形、级别、办结方式清单",
  middleware: [readers] as const,
  responses: { 200: jsonResponse("清单", CaseOptionsSchema), ...errors(401, 403) },
});

const listRoute = createRoute({
  method: "get",
  path: "/cases",
  description: "部门管理员只得到本部门的（指定其他 `departmentId` → 空列表）。",
  tags: ["cases"],
  summary: "督办案件列表（部门管理员只见本部门）",
  middleware: [readers] as const,
  request: { query: CaseListQuery },
  responses: {
    200: jsonResponse("案件", z.object({ items: z.array(CaseItemSchema) })),
    ...errors(400, 401, 403),
  },
});

const openRoute = createRoute({
  method: "post",
  path: "/cases",
  description:
    "系统管理员、监督人员。编号（济司督〔YYYY〕第N号）取当年下一个，在插入的批次中占用。来源已用于未办结的案件 → 409 `source_taken`；情形不在清单内、其他部门的人员/告警/投诉、预警引用不合格 → 422。`review` 来源只由评查任务立案。",
  tags: ["cases"],
  summary: "立案督办（来自告警、投诉、预警、评查或手工）",
  middleware: [bureau] as const,
  request: jsonBody(OpenCaseBody),
  responses: { 201: jsonResponse("已立案", CaseDetailSchema), ...errors(400, 401, 403, 409, 422) },
});

const detailRoute = createRoute({
  method: "get",
  path: "/cases/{id}",
  summary: "督办案件详情",
  description:
    "部门管理员只能看本部门的（否则 404），且 `sources` 只有 `{kind, kindLabel}`，从不显示投诉或评价的是谁。",
  tags: ["cases"],
  middleware: [readers] as const,
  request: { params: CaseIdParam },
  responses: { 200: jsonResponse("案件", CaseDetailSchema), ...errors(401, 403, 404) },
});

const step = <T extends z.ZodType>(path: string, summary: string, guard: typeof bureau, body: T) =>
  createRoute({
    method: "post",
    path: `/cases/{id}/${path}`,
    tags: ["cases"],
    summary,
    description:
      "每一步都是一个批次，含案件事件和审计 `case.<step>`；顺序不对 → 409 `invalid_state`；同一版本上两个并发的步骤，一个 200、一个 409。`send`（司法局：已立案 → 已交办）；`answer`（仅该部门的管理员：已交办|已退回 → 已报送）；`return`、`accept`（司法局：已报送 →）；`close`（司法局：从自查已认可，或一般案件未报送时；重大案件没有认可的自查 → 409 `answer_required`；办结方式所需字段缺失 → 422 `invalid_conclusion`）。以暂扣执法证 / 收回执法证追责时，在办结的批次中把所涉人员设为 `suspended` / `revoked`（审计 `officer.credential`），此后备案不再接受他们。",
    middleware: [guard] as const,
    request: { params: CaseIdParam, ...jsonBody(body) },
    responses: { 200: jsonResponse("案件", CaseDetailSchema), ...errors(400, 401, 403, 404, 409, 422) },
  });

const sendRoute = step("send", "交办部门", bureau, z.object({}).strict());
const answerRoute = step("answer", "部门报送自查报告（督促自查）", department, AnswerBody);
const returnRoute = step("return", "退回自查报告（写明理由）", bureau, ReturnBody);
const acceptRoute = step("accept", "认可自查报告", bureau, AcceptBody);
const closeRoute = step("close", "办结（一种结论）", bureau, CloseBody);

const uploadRoute = createRoute({
  method: "post",
  path: "/cases/{id}/attachments",
  description:
    "案件已交办或已退回时，该部门的管理员。请求体为图片，检查同现场照片（JPEG/PNG/WebP 按魔数，否则 415；5 MB → 413；相同字节再传 → 200 返回同一 id）。",
  tags: ["cases"],
  summary: "上传自查报告附件（图片）",
  middleware: [department] as const,
  request: {
    params: CaseIdParam,
    body: {
      required: true,
      content: Object.fromEntries(
        CASE_ATTACHMENT_UPLOAD.contentTypes.map((t) => [
          t,
          { schema: z.string().openapi({ format: "binary" }) },
        ]),
      ),
    },
  },
  responses: {
    201: jsonResponse("已上传", z.object({ id: z.string(), url: z.string() })),
    200: jsonResponse("同一文件此前已上传", z.object({ id: z.string(), url: z.string() })),
    ...errors(401, 403, 404, 409, 413, 415),
  },
});

const downloadRoute = createRoute({
  method: "get",
  path: "/cases/{id}/attachments/{attachmentId}",
  summary: "督办答复附件",
  description: "司法局和该部门的管理员；带 nosniff 返回。",
  tags: ["cases"],
  middleware: [readers] as const,
  request: { params: AttachmentParams },
  responses: { 200: { description: "附件（原样返回所存的类型）" }, ...errors(401, 403, 404) },
});

const attachmentUrl = (caseId: string, id: string) => `/api/cases/${caseId}/attachments/${id}`;

export function caseRoutes() {
  const app = newRouter();

  app.openapi(optionsRoute, (c) =>
    c.json(
      {
        situations: c.var.deps.config.caseSituations,
        levels: CASE_LEVELS.map((value) => ({ value, label: LEVEL_LABELS[value] })),
        conclusions: CASE_CONCLUSIONS.map((value) => ({ value, label: CONCLUSION_LABELS[value] })),
        accountabilityMethods: [...ACCOUNTABILITY_METHODS],
        warningKinds: [...WARNING_KINDS],
      },
      200,
    ),
  );

  app.openapi(listRoute, async (c) => {
    const q = c.req.valid("query");
    const user = currentUser(c);
    // A department administrator asking for another department gets an empty list, not its cases.
    if (user.role === "dept_admin" && q.departmentId && q.departmentId !== user.departmentId)
      return c.json({ items: [] }, 200);
    const departmentId = user.role === "dept_admin" ? user.departmentId! : q.departmentId;
    return c.json(
      await listCases(c.var.db, { ...q, departmentId }, today(c), c.var.deps.config.timeZone),
      200,
    );
  });

  app.openapi(openRoute, async (c) => {
    const id = await openCase(c, c.req.valid("json"));
    return c.json(await detailFor(c, id), 201);
  });

  app.openapi(detailRoute, async (c) => {
    const row = await loadCase(c, c.req.valid("param").id);
    return c.json(await detailFor(c, row.id), 200);
  });

  app.openapi(sendRoute, async (c) => {
    const row = await loadCase(c, c.req.valid("param").id);
    await runStep(c, row, "send", { set: { sent_at: Date.now() } });
    return c.json(await detailFor(c, row.id), 200);
  });

  app.openapi(answerRoute, async (c) => {
    const row = await loadCase(c, c.req.valid("param").id);
    const body = c.req.valid("json");
    const ids = [...new Set(body.attachmentIds)];
    if (ids.length) {
      const found = await c.var.db
        .select({ id: caseAttachments.id })
        .from(caseAttachments)
        .where(and(eq(caseAttachments.caseId, row.id), inArray(caseAttachments.id, ids)));
      if (found.length !== ids.length) throw new ApiError(422, "invalid_attachment", "附件不属于本案件");
    }
    await runStep(c, row, "answer", {
      set: { answered_at: Date.now() },
      note: body.report.slice(0, 200),
      detail: { report: body.report, attachmentIds: ids },
    });
    return c.json(await detailFor(c, row.id), 200);
  });

  app.openapi(returnRoute, async (c) => {
    const row = await loadCase(c, c.req.valid("param").id);
    const { reason } = c.req.valid("json");
    await runStep(c, row, "return", { note: reason, detail: { reason } });
    return c.json(await detailFor(c, row.id), 200);
  });

  app.openapi(acceptRoute, async (c) => {
    const row = await loadCase(c, c.req.valid("param").id);
    const { note } = c.req.valid("json");
    await runStep(c, row, "accept", { set: { accepted_at: Date.now() }, note });
    return c.json(await detailFor(c, row.id), 200);
  });

  app.openapi(closeRoute, async (c) => {
    const row = await loadCase(c, c.req.valid("param").id);
    await closeCase(c, row, c.req.valid("json"));
    return c.json(await detailFor(c, row.id), 200);
  });

  app.openapi(uploadRoute, async (c) => {
    const row = await loadCase(c, c.req.valid("param").id);
    if (row.status !== "sent" && row.status !== "returned")
      throw new ApiError(409, "invalid_state", "案件当前不在待报送自查状态，不能上传附件");
    const bytes = new Uint8Array(await c.req.arrayBuffer());
    if (bytes.byteLength > CASE_ATTACHMENT_UPLOAD.maxBytes)
      throw new ApiError(413, "payload_too_large", "附件超过 5 MB 上限");
    const actual = sniffImageType(bytes);
    if (!actual || actual !== mediaType(c.req.header("content-type")))
      throw new ApiError(
        415,
        "unsupported_media_type",
        "文件内容不是所声明类型的图片（仅支持 JPEG、PNG、WebP）",
      );
    const sha256 = createHash("sha256").update(bytes).digest("hex");
    const [same] = await c.var.db
      .select({ id: caseAttachments.id })
      .from(caseAttachments)
      .where(and(eq(caseAttachments.caseId, row.id), eq(caseAttachments.sha256, sha256)));
    if (same) return c.json({ id: same.id, url: attachmentUrl(row.id, same.id) }, 200);
    const [{ n }] = (await c.var.db
      .select({ n: count() })
      .from(caseAttachments)
      .where(eq(caseAttachments.caseId, row.id))) as [{ n: number }];
    if (n >= MAX_ATTACHMENTS_PER_CASE)
      throw new ApiError(409, "too_many_attachments", `每个案件最多上传 ${MAX_ATTACHMENTS_PER_CASE} 个附件`);
    const id = newId();
    await c.var.db.batch([
      c.var.db.insert(caseAttachments).values({
        id,
        caseId: row.id,
        contentType: actual,
        byteSize: bytes.byteLength,
        sha256,
        data: Buffer.from(bytes),
        uploadedBy: currentUser(c).id,
        createdAt: Date.now(),
      }),
      auditInsert(c, {
        action: "case.attachment",
        targetType: "case",
        targetId: row.id,
        detail: { attachmentId: id, contentType: actual, byteSize: bytes.byteLength, sha256 },
      }),
    ]);
    return c.json({ id, url: attachmentUrl(row.id, id) }, 201);
  });

  app.openapi(downloadRoute, async (c) => {
    const { id, attachmentId } = c.req.valid("param");
    const row = await loadCase(c, id);
    const [file] = await c.var.db
      .select({ contentType: caseAttachments.contentType, data: caseAttachments.data })
      .from(caseAttachments)
      .where(and(eq(caseAttachments.id, attachmentId), eq(caseAttachments.caseId, row.id)));
    if (!file) throw notFound("附件");
    return c.body(new Uint8Array(file.data), 200, {
      "Content-Type": file.contentType,
      "Content-Disposition": `inline; filename="${attachmentId}"`,
      "X-Content-Type-Options": "nosniff",
      "Cache-Control": "private, max-age=3600",
    });
  });

  return app;
}

/**
 * Closes with one conclusion. A 追责 that suspends or withdraws the credential sets the officers'
 * status in the same batch, so the filing rules (R1) refuse them from then on; the sources are freed.
 */
async function closeCase(c: Context<AppEnv>, row: CaseRow, body: z.infer<typeof CloseBody>) {
  const caseOfficers = JSON.parse(row.officerIds) as string[];
  // The state is checked first (runStep): a 重大 case without an answer is refused whatever it holds.
  const problem = checkConclusion(body, caseOfficers);
  const db = c.var.db;
  const now = Date.now();
  const extra: unknown[] = [
    db.update(caseSources).set({ open: false }).where(eq(caseSources.caseId, row.id)),
  ];
  const effect =
    body.conclusion === "accountability" ? credentialEffect(body.accountability?.method ?? "") : null;
  const detail = problem ? {} : conclusionDetail(body);
  await runStep(c, row, "close", {
    set: {
      closed_at: now,
      closed_by: currentUser(c).id,
      conclusion: body.conclusion,
      conclusion_detail: JSON.stringify(detail),
    },
    note: CONCLUSION_LABELS[body.conclusion],
    detail: { conclusion: body.conclusion, ...detail },
    extra: problem
      ? []
      : [...extra, ...credentialStatements(c, row, effect, body.accountability?.officerIds ?? [], now)],
    invalid: problem ? new ApiError(422, "invalid_conclusion", problem) : undefined,
  });
}

function credentialStatements(
  c: Context<AppEnv>,
  row: CaseRow,
  effect: "suspended" | "revoked" | null,
  officerIds: string[],
  now: number,
) {
  if (!effect || officerIds.length === 0) return [];
  const ids = [...new Set(officerIds)];
  return [
    c.var.db.run(sql`UPDATE officers SET status = ${effect}, updated_at = ${now}
      WHERE id IN (${sql.join(
        ids.map((i) => sql`${i}`),
        sql`, `,
      )}) AND department_id = ${row.departmentId}`),
    ...ids.map((officerId) =>
      auditInsert(c, {
        action: "officer.credential",
        targetType: "officer",
        targetId: officerId,
        detail: { after: { status: effect }, reason: `督办案件 ${row.number} 追责` },
      }),
    ),
  ];
}
