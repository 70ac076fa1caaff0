import { createRoute, z } from "@hono/zod-openapi";
import { and, eq } from "drizzle-orm";
import { currentUser, requireUser } from "../auth/session.ts";
import { inspections } from "../db/schema.ts";
import { DOCUMENT_KINDS } from "../db/schema-documents.ts";
import { currentEnterprise, enterpriseActor, requireEnterprise } from "../enterprise/session.ts";
import { inspectionByCode, limitClient } from "../evaluations/code-access.ts";
import { isOnInspection, loadInspection } from "../inspections/access.ts";
import { ApiError, notFound } from "../lib/errors.ts";
import { errors, jsonResponse, newRouter } from "../lib/router.ts";
import { DOCUMENT_STATUSES, DOCUMENT_TITLES } from "./facts.ts";
import { issueDocument, issuedVersions, pdfResponse } from "./issue.ts";

const Kind = z
  .enum(DOCUMENT_KINDS)
  .openapi({ description: "notice 行政检查通知书；record 现场检查笔录（检查结果告知书）" });
const StaffParams = z.object({ id: z.string().min(1).max(64), kind: Kind });
const EnterpriseParams = z.object({ id: z.string().min(1).max(40), kind: Kind });
const CodeParams = z.object({ code: z.string().min(1).max(300), kind: Kind });
const pdf = {
  description: "PDF 文书（同一记录每次生成的字节相同，X-Document-SHA256 为其摘要）",
  content: { "application/pdf": { schema: z.string().openapi({ format: "binary" }) } },
};
const DOC_ERRORS = [401, 403, 404, 409, 503];

const DocumentList = z
  .object({
    available: z.array(z.object({ kind: Kind, title: z.string(), url: z.string() })),
    issued: z.array(
      z.object({
        kind: Kind,
        version: z.number(),
        sha256: z.string(),
        byteSize: z.number(),
        issuedAt: z.string(),
        channel: z.string(),
      }),
    ),
  })
  .openapi("InspectionDocuments");

const staffUsers = requireUser();

const list = createRoute({
  method: "get",
  path: "/{id}/documents",
  description: "能读取该检查的人（其他部门 → 404），但不在本次检查中的执法人员 → 403。",
  tags: ["documents"],
  summary: "检查的文书：现可下载的与已出具的各版本（含 SHA-256）",
  middleware: [staffUsers] as const,
  request: { params: z.object({ id: z.string().min(1).max(64) }) },
  responses: { 200: jsonResponse("文书", DocumentList), ...errors(401, 403, 404) },
});

const staffDownload = createRoute({
  method: "get",
  path: "/{id}/documents/{kind}",
  description:
    "权限同列表。给定字节首次下载即签发（`issued_documents` 一行 + 审计 `document.issued`，同一批次）；再次下载不写入。响应头 `X-Document-SHA256`、`X-Document-Version`、`Cache-Control: private, no-store`。文书尚不存在 → 409 `document_not_available`；未安装字体 → 503 `documents_unavailable`；Host 指向其他端口 → 409 `public_url_required`（Node，未设 `PUBLIC_URL` 时）。",
  tags: ["documents"],
  summary: "下载文书 PDF（本次检查的执法人员、参与部门的部门管理员、监督人员）；首次出具记入审计链",
  middleware: [staffUsers] as const,
  request: { params: StaffParams },
  responses: { 200: pdf, ...errors(...DOC_ERRORS) },
});

const enterpriseDownload = createRoute({
  method: "get",
  path: "/inspections/{id}/documents/{kind}",
  description: "只有已登录企业自己的检查（其他企业的 → 404）。",
  tags: ["enterprise"],
  summary: "企业下载本企业检查的文书 PDF",
  middleware: [requireEnterprise()] as const,
  request: { params: EnterpriseParams },
  responses: { 200: pdf, ...errors(...DOC_ERRORS) },
});

const codeDownload = createRoute({
  method: "get",
  path: "/inspections/{code}/documents/{kind}",
  description:
    "错误同检查码页面；`Referrer-Policy: no-referrer`；与页面浏览共用限流。通知书凭检查码即可；笔录（照片、签名、企业代表姓名）须被检查企业以企业身份登录（否则 403 `enterprise_login_required`）。",
  tags: ["public"],
  summary: "凭检查码下载文书：通知书凭有效检查码；现场检查笔录须以被检查企业身份登录",
  request: { params: CodeParams },
  responses: { 200: pdf, ...errors(...DOC_ERRORS, 429) },
});

/** Staff documents: /api/inspections/{id}/documents… */
export function documentStaffRoutes() {
  const app = newRouter();

  /**
   * Readers of the inspection (404 for everyone else), except officers who are not on it: the
   * documents carry the enterprise's signatures and photos, which their department's other officers
   * have no reason to hold.
   */
  async function reachable(c: Parameters<typeof loadInspection>[0], id: string) {
    const row = await loadInspection(c, id, "read");
    const user = currentUser(c);
    if (user.role === "officer" && !(await isOnInspection(c, id, user)))
      throw new ApiError(403, "forbidden", "只有本次检查的执法人员可以下载文书");
    return row;
  }

  app.openapi(list, async (c) => {
    const row = await reachable(c, c.req.valid("param").id);
    const available = DOCUMENT_KINDS.filter((k) => DOCUMENT_STATUSES[k].includes(row.status)).map((kind) => ({
      kind,
      title: DOCUMENT_TITLES[kind],
      url: `/api/inspections/${row.id}/documents/${kind}`,
    }));
    return c.json({ available, issued: await issuedVersions(c, row.id) }, 200);
  });

  app.openapi(staffDownload, async (c) => {
    const { id, kind } = c.req.valid("param");
    const row = await reachable(c, id);
    const doc = await issueDocument(c, row, kind, "staff", currentUser(c).username);
    return pdfResponse(c, doc);
  });

  return app;
}

/** The enterprise portal's documents: /api/enterprise/inspections/{id}/documents/{kind}. */
export function documentEnterpriseRoutes() {
  const app = newRouter();
  app.openapi(enterpriseDownload, async (c) => {
    const enterprise = currentEnterprise(c);
    const { id, kind } = c.req.valid("param");
    const [row] = await c.var.db
      .select()
      .from(inspections)
      .where(and(eq(inspections.id, id), eq(inspections.enterpriseId, enterprise.id)))
      .limit(1);
    // Another enterprise's inspection answers like a missing one, as everywhere in the portal.
    if (!row || !DOCUMENT_STATUSES.notice.includes(row.status)) throw notFound("检查");
    const doc = await issueDocument(c, row, kind, "enterprise", enterpriseActor(enterprise));
    return pdfResponse(c, doc);
  });
  return app;
}

/**
 * The code page's documents: /api/public/inspections/{code}/documents/{kind}. The notice says what the
 * page already shows to whoever holds the code (who, which items, basis, rights), so the code is
 * enough. The record holds the photos, the signatures and the representative's name: a code seen on a
 * door or a screenshot must not hand those out, so it needs the inspected enterprise signed in as itself.
 */
export function documentPublicRoutes() {
  const app = newRouter();
  app.openapi(codeDownload, async (c) => {
    c.header("Referrer-Policy", "no-referrer");
    await limitClient(c, "view");
    const { code, kind } = c.req.valid("param");
    const row = await inspectionByCode(c, code);
    const enterprise = c.var.enterprise;
    const own = enterprise?.id === row.enterpriseId;
    if (kind === "record" && !own)
      throw new ApiError(
        403,
        "enterprise_login_required",
        "现场检查笔录含照片和签名，请以被检查企业身份登录后下载",
      );
    const doc = await issueDocument(
      c,
      row,
      kind,
      "code",
      own && enterprise ? enterpriseActor(enterprise) : null,
    );
    return pdfResponse(c, doc);
  });
  return app;
}
