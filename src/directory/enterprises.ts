import { createRoute, z } from "@hono/zod-openapi";
import { and, asc, eq, gt, inArray, or } from "drizzle-orm";
import type { Context } from "hono";
import { createHash } from "node:crypto";
import { auditInsert } from "../audit/audit.ts";
import { currentUser, requireUser } from "../auth/session.ts";
import { runBatch, type Db } from "../db/client.ts";
import { enterpriseLoginCodes, enterprises } from "../db/schema.ts";
import type { AppEnv, SessionUser } from "../env.ts";
import { ApiError, forbidden, notFound } from "../lib/errors.ts";
import { newId } from "../lib/ids.ts";
import { errors, iso, jsonBody, jsonResponse, newRouter } from "../lib/router.ts";
import type { UploadRoute } from "../lib/security.ts";
import { planEnterpriseImport, readEnterpriseRows } from "./enterprise-import.ts";
import {
  CreditGradeSchema,
  ENTERPRISE_LIMITS as L,
  EnterpriseSchema,
  IdParam,
  ImportReportSchema,
  RiskLevelSchema,
} from "./schemas.ts";
import { contains, decodeCursor, encodeCursor } from "./search.ts";
import { boundedRefusals, CSV_TYPE, readTable, tableImportRequest, XLSX_TYPE } from "./table-file.ts";
import { onUniqueViolation } from "./unique.ts";
import { creditCodeProblem, normalizeCreditCode } from "./uscc.ts";
import { normalizePhone, phoneProblem } from "../lib/phone.ts";

/** The import takes the file itself as its body (see DIRECTORY_UPLOADS in app.ts), up to 10 MB. */
export const ENTERPRISE_IMPORT_UPLOAD: UploadRoute = {
  method: "POST",
  path: "/api/enterprises/import",
  contentTypes: [CSV_TYPE, XLSX_TYPE],
  maxBytes: 10 * 1024 * 1024,
};
/** More data rows than this in one file are refused; split the file. */
export const MAX_IMPORT_ROWS = 10_000;

const text = (max: number) => z.string().trim().max(max);
const EnterpriseBody = z.object({
  creditCode: z.string().max(40),
  name: z.string().trim().min(1).max(L.name),
  address: text(L.address).optional(),
  district: text(L.district).optional(),
  industry: text(L.industry).optional(),
  legalRepresentative: text(L.legalRepresentative).optional(),
  contact: text(L.contact).optional(),
  /** Mainland mobile number for the enterprise's sign-in codes; "" or null removes it. Administrators only. */
  contactPhone: z.string().max(30).nullable().optional(),
  creditGrade: CreditGradeSchema.optional(),
  riskLevel: RiskLevelSchema.optional(),
});

const list = createRoute({
  method: "get",
  path: "/",
  summary: "企业名录（按名称排序，分页）",
  description: "任何登录用户；`q` 匹配名称或统一社会信用代码。",
  tags: ["directory"],
  middleware: [requireUser()] as const,
  request: {
    query: z.object({
      q: z.string().trim().max(100).optional(),
      district: z.string().max(L.district).optional(),
      industry: z.string().max(L.industry).optional(),
      creditGrade: CreditGradeSchema.optional(),
      riskLevel: RiskLevelSchema.optional(),
      cursor: z.string().max(600).optional(),
      limit: z.coerce.number().int().min(1).max(200).default(50),
    }),
  },
  responses: {
    200: jsonResponse(
      "企业名录（按名称排序）",
      z.object({ items: z.array(EnterpriseSchema), nextCursor: z.string().nullable() }),
    ),
    ...errors(400, 401),
  },
});

const one = createRoute({
  method: "get",
  path: "/{id}",
  summary: "一家企业",
  tags: ["directory"],
  middleware: [requireUser()] as const,
  request: { params: IdParam },
  responses: { 200: jsonResponse("企业", EnterpriseSchema), ...errors(401, 404) },
});

const create = createRoute({
  method: "post",
  path: "/",
  summary: "新增企业",
  description:
    "系统管理员、部门管理员。`creditCode` 去空格、转大写，再按 GB 32100-2015 校验（src/directory/uscc.ts）→ 422 `invalid_credit_code` 附原因；重复 → 409。`contactPhone`（企业登录手机号）只有系统管理员可设（否则 403）；无效 → 422 `invalid_phone`。审计 `enterprise.create`。",
  tags: ["directory"],
  middleware: [requireUser("admin", "dept_admin")] as const,
  request: jsonBody(EnterpriseBody),
  responses: { 201: jsonResponse("已创建", EnterpriseSchema), ...errors(400, 401, 403, 409, 422) },
});

const update = createRoute({
  method: "patch",
  path: "/{id}",
  summary: "修改企业",
  tags: ["directory"],
  middleware: [requireUser("admin", "dept_admin")] as const,
  description:
    "信用等级和风险等级决定各部门的抽查比例，只有系统管理员可以修改，且须填写理由（reason，记入审计日志）：他人修改 → 403，缺理由 → 422 `reason_required`。其余规则同新增；手机号变更会作废待用的登录验证码。审计 `enterprise.update`。",
  request: {
    params: IdParam,
    ...jsonBody(EnterpriseBody.partial().extend({ reason: z.string().trim().max(500).optional() })),
  },
  responses: { 200: jsonResponse("已更新", EnterpriseSchema), ...errors(400, 401, 403, 404, 409, 422) },
});

const RefusedReport = ImportReportSchema.extend({
  error: z.object({ code: z.string(), message: z.string() }),
});

const importRoute = createRoute({
  method: "post",
  path: "/import",
  summary: "导入企业名录（CSV/XLSX，全部或全不）",
  tags: ["directory"],
  middleware: [requireUser("admin", "dept_admin")] as const,
  description:
    "请求体为文件本身（text/csv，UTF-8，可带 BOM；或 XLSX 的第一个工作表）。第一行为表头。任何一行未通过校验则整个文件不导入。其他类型 → 415；不超过 10 MB（413）和 10 000 行。列：统一社会信用代码、名称（必填）、地址、所属区县、行业、法定代表人、联系方式、联系电话/手机/手机号（仅系统管理员）、信用等级（A–D，空 = B）、风险等级（低/中/高，空 = 中），或英文键名。有行被拒 → 422 `import_refused` 附报告（`refusedTotal`；`refused` 列出前 `IMPORT_REPORT_MAX_ROWS` 行，单元格截断到 `IMPORT_ECHO_MAX_CHARS`），不写入；否则 201，一个批次写入，一条审计 `enterprise.import`（文件类型、大小、SHA-256、所建记录）。`?dryRun=1` → 200 只给报告。文件不可读或缺必填列 → 422 `invalid_file`；XLSX 解压超过 `IMPORT_MAX_UNPACKED_BYTES` 或单元格超过 `IMPORT_MAX_CELLS` → 413。",
  request: tableImportRequest,
  responses: {
    200: jsonResponse("试运行：全部通过，未写入", ImportReportSchema),
    201: jsonResponse("已全部导入", ImportReportSchema),
    422: jsonResponse("有行未通过校验（未导入任何数据），或文件无法读取", RefusedReport),
    ...errors(400, 401, 403, 409, 413, 415),
  },
});

type EnterpriseRow = typeof enterprises.$inferSelect;

const GRADING_ADMIN_ONLY = "信用等级和风险等级影响所有部门的抽查比例，只有系统管理员可以修改";
type BatchItem = Parameters<Db["batch"]>[0][number];

/**
 * Credit grade and risk level set every department's sampling ratio for the enterprise (R10): only the
 * system administrator changes them, with a reason for the audit log. True when the patch changes them.
 */
function gradingChange(
  user: SessionUser,
  before: EnterpriseRow,
  body: Partial<Pick<EnterpriseRow, "creditGrade" | "riskLevel">>,
  reason: string | undefined,
): boolean {
  const changes =
    (body.creditGrade !== undefined && body.creditGrade !== before.creditGrade) ||
    (body.riskLevel !== undefined && body.riskLevel !== before.riskLevel);
  if (!changes) return false;
  if (user.role !== "admin") throw forbidden(GRADING_ADMIN_ONLY);
  if (!reason) throw new ApiError(422, "reason_required", "修改信用等级或风险等级必须填写理由");
  return true;
}

const toEnterprise = (e: EnterpriseRow) => ({
  ...e,
  createdAt: iso(e.createdAt)!,
  updatedAt: iso(e.updatedAt)!,
});
const audited = ({ createdAt: _c, updatedAt: _u, ...rest }: EnterpriseRow) => rest;

/**
 * The phone receives the enterprise's sign-in codes, so whoever sets it can sign in as the enterprise:
 * only the directory's owner (administrator) may, never an inspecting department.
 */
function validPhone(c: Context<AppEnv>, input: string | null | undefined): string | null | undefined {
  if (input === undefined) return undefined;
  if (c.var.user?.role !== "admin")
    throw new ApiError(403, "forbidden", "企业手机号用于企业登录，只能由管理员修改");
  const phone = normalizePhone(input ?? "");
  if (phone === "") return null;
  const problem = phoneProblem(phone);
  if (problem) throw new ApiError(422, "invalid_phone", problem);
  return phone;
}

function validCode(input: string): string {
  const code = normalizeCreditCode(input);
  const problem = creditCodeProblem(code);
  if (problem) throw new ApiError(422, "invalid_credit_code", problem);
  return code;
}

async function assertCodeFree(c: Context<AppEnv>, code: string, self?: string) {
  const [taken] = await c.var.db
    .select({ id: enterprises.id, name: enterprises.name })
    .from(enterprises)
    .where(eq(enterprises.creditCode, code));
  if (taken && taken.id !== self) throw codeTaken(code, taken.name);
}

const codeTaken = (code: string, name?: string) =>
  new ApiError(409, "conflict", `统一社会信用代码 ${code} 已存在${name ? `（${name}）` : ""}`);

/** code → name of the enterprises already stored under any of `codes`. */
async function existingCodes(c: Context<AppEnv>, codes: string[]): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  for (let i = 0; i < codes.length; i += 500) {
    const rows = await c.var.db
      .select({ code: enterprises.creditCode, name: enterprises.name })
      .from(enterprises)
      .where(inArray(enterprises.creditCode, codes.slice(i, i + 500)));
    for (const r of rows) found.set(r.code, r.name);
  }
  return found;
}

const fileError = (message: string) => new ApiError(422, "invalid_file", message);

/** The enterprise directory (企业名录): everyone signed in reads; administrators and department administrators write. */
export function enterpriseRoutes() {
  const app = newRouter();

  app.openapi(list, async (c) => {
    const q = c.req.valid("query");
    const after = q.cursor ? decodeCursor(q.cursor) : null;
    if (q.cursor && !after) throw new ApiError(400, "invalid_request", "cursor 无效");
    const rows = await c.var.db
      .select()
      .from(enterprises)
      .where(
        and(
          q.q
            ? or(contains(enterprises.name, q.q), contains(enterprises.creditCode, q.q.toUpperCase()))
            : undefined,
          q.district ? eq(enterprises.district, q.district) : undefined,
          q.industry ? eq(enterprises.industry, q.industry) : undefined,
          q.creditGrade ? eq(enterprises.creditGrade, q.creditGrade) : undefined,
          q.riskLevel ? eq(enterprises.riskLevel, q.riskLevel) : undefined,
          after
            ? or(
                gt(enterprises.name, after.key),
                and(eq(enterprises.name, after.key), gt(enterprises.id, after.id)),
              )
            : undefined,
        ),
      )
      .orderBy(asc(enterprises.name), asc(enterprises.id))
      .limit(q.limit + 1);
    const page = rows.slice(0, q.limit);
    const last = page[page.length - 1];
    const nextCursor = rows.length > q.limit && last ? encodeCursor(last.name, last.id) : null;
    return c.json({ items: page.map(toEnterprise), nextCursor }, 200);
  });

  app.openapi(one, async (c) => {
    const [row] = await c.var.db
      .select()
      .from(enterprises)
      .where(eq(enterprises.id, c.req.valid("param").id));
    if (!row) throw notFound("企业");
    return c.json(toEnterprise(row), 200);
  });

  app.openapi(create, async (c) => {
    const body = c.req.valid("json");
    const creditCode = validCode(body.creditCode);
    const contactPhone = validPhone(c, body.contactPhone) ?? null;
    // A new enterprise starts at the defaults (B, medium) unless the administrator grades it.
    const graded = (body.creditGrade ?? "B") !== "B" || (body.riskLevel ?? "medium") !== "medium";
    if (graded && currentUser(c).role !== "admin") throw forbidden(GRADING_ADMIN_ONLY);
    await assertCodeFree(c, creditCode);
    const now = Date.now();
    const row: EnterpriseRow = {
      id: newId(),
      creditCode,
      name: body.name,
      address: body.address ?? "",
      district: body.district ?? "",
      industry: body.industry ?? "",
      legalRepresentative: body.legalRepresentative ?? "",
      contact: body.contact ?? "",
      contactPhone,
      creditGrade: body.creditGrade ?? "B",
      riskLevel: body.riskLevel ?? "medium",
      createdAt: now,
      updatedAt: now,
    };
    await onUniqueViolation(
      () =>
        runBatch(c.var.db, [
          c.var.db.insert(enterprises).values(row),
          auditInsert(c, {
            action: "enterprise.create",
            targetType: "enterprise",
            targetId: row.id,
            detail: { after: audited(row) },
          }),
        ]),
      () => codeTaken(creditCode),
    );
    return c.json(toEnterprise(row), 201);
  });

  app.openapi(update, async (c) => {
    const { id } = c.req.valid("param");
    const { creditCode: rawCode, contactPhone: rawPhone, reason, ...body } = c.req.valid("json");
    const [before] = await c.var.db.select().from(enterprises).where(eq(enterprises.id, id));
    if (!before) throw notFound("企业");
    const grading = gradingChange(currentUser(c), before, body, reason);
    const creditCode = rawCode === undefined ? before.creditCode : validCode(rawCode);
    if (creditCode !== before.creditCode) await assertCodeFree(c, creditCode, id);
    const phone = validPhone(c, rawPhone);
    const contactPhone = phone === undefined ? before.contactPhone : phone;
    const after: EnterpriseRow = { ...before, ...body, creditCode, contactPhone, updatedAt: Date.now() };
    await onUniqueViolation(
      () =>
        runBatch(c.var.db, [
          c.var.db.update(enterprises).set(after).where(eq(enterprises.id, id)),
          // A code sent to the old number must not sign in after the number changed.
          ...(contactPhone !== before.contactPhone
            ? [c.var.db.delete(enterpriseLoginCodes).where(eq(enterpriseLoginCodes.enterpriseId, id))]
            : []),
          auditInsert(c, {
            action: "enterprise.update",
            targetType: "enterprise",
            targetId: id,
            detail: { before: audited(before), after: audited(after), ...(grading ? { reason } : {}) },
          }),
        ]),
      () => codeTaken(creditCode),
    );
    return c.json(toEnterprise(after), 200);
  });

  app.openapi(importRoute, async (c) => {
    const dryRun = ["1", "true"].includes(c.req.valid("query").dryRun ?? "");
    const contentType = c.req.header("content-type") ?? "";
    const bytes = new Uint8Array(await c.req.arrayBuffer());
    if (bytes.length === 0) throw fileError("上传的文件是空的");
    const { rows, ignoredColumns } = readEnterpriseRows(
      await readTable(bytes, contentType, c.var.deps.config.imports),
    );
    if (rows.length === 0) throw fileError("文件中没有数据行（第一行应为表头，从第二行起为企业）");
    if (rows.length > MAX_IMPORT_ROWS) {
      throw fileError(`一次最多导入 ${MAX_IMPORT_ROWS} 行，本文件有 ${rows.length} 行，请拆分后分批导入`);
    }
    const codes = [
      ...new Set(rows.map((r) => normalizeCreditCode(r.fields.creditCode ?? "")).filter(Boolean)),
    ];
    const plan = planEnterpriseImport(rows, await existingCodes(c, codes), {
      phoneAllowed: c.var.user?.role === "admin",
      gradingAllowed: c.var.user?.role === "admin",
    });
    const report = {
      dryRun,
      total: plan.total,
      valid: plan.accepted.length,
      imported: 0,
      ...boundedRefusals(plan.refused, ignoredColumns, c.var.deps.config.imports),
    };
    if (plan.refused.length > 0) {
      const message = `${plan.refused.length} 行未通过校验，整个文件未导入；请修改后重新上传`;
      return c.json({ ...report, error: { code: "import_refused", message } }, 422);
    }
    if (dryRun) return c.json(report, 200);

    const now = Date.now();
    const records: EnterpriseRow[] = plan.accepted.map(({ values }) => ({
      id: newId(),
      ...values,
      createdAt: now,
      updatedAt: now,
    }));
    const inserts: BatchItem[] = [];
    for (let i = 0; i < records.length; i += 500) {
      inserts.push(c.var.db.insert(enterprises).values(records.slice(i, i + 500)));
    }
    await onUniqueViolation(
      () =>
        runBatch(c.var.db, [
          ...inserts,
          auditInsert(c, {
            action: "enterprise.import",
            targetType: "enterprise",
            detail: {
              file: { type: contentType.split(";")[0], bytes: bytes.length, sha256: sha256(bytes) },
              before: null,
              after: { count: records.length, enterprises: records.map((r) => [r.id, r.creditCode, r.name]) },
            },
          }),
        ]),
      () =>
        new ApiError(
          409,
          "conflict",
          "导入过程中有相同统一社会信用代码的企业被他人录入，整个文件未导入，请重试",
        ),
    );
    return c.json({ ...report, imported: records.length }, 201);
  });

  return app;
}

const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");
