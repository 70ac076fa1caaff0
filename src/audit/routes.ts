import { createRoute, z } from "@hono/zod-openapi";
import { currentUser, requireUser } from "../auth/session.ts";
import { ApiError } from "../lib/errors.ts";
import { errors, jsonResponse, newRouter } from "../lib/router.ts";
import { localDate } from "../lib/time.ts";
import { audit } from "./audit.ts";
import { chainState } from "./chain-state.ts";
import { auditCsv, auditXlsx } from "./export.ts";
import { auditPage, auditScope, auditWhere, type AuditFilter } from "./read.ts";

/** The justice bureau reads the whole log; a department administrator the lines about its records. */
const readers = requireUser("admin", "supervisor", "dept_admin");

/** More than a year of a busy department: a bigger export is asked for in parts (by period). */
const EXPORT_MAX = 20_000;

const Filter = {
  targetType: z
    .string()
    .regex(/^[a-z_]{1,40}$/)
    .optional(),
  targetId: z.string().min(1).max(100).optional(),
  actor: z.string().min(1).max(200).optional(),
  action: z
    .string()
    .regex(/^[a-z_.]{1,80}$/)
    .optional(),
  from: z.string().max(40).optional().openapi({ description: "YYYY-MM-DD（本地时区）或 ISO 时间" }),
  to: z.string().max(40).optional().openapi({ description: "YYYY-MM-DD（含当天）或 ISO 时间" }),
};
const ListQuery = z.object({
  ...Filter,
  cursor: z.string().max(100).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
const ExportQuery = z.object({ ...Filter, format: z.enum(["csv", "xlsx"]).default("xlsx") });

const Hash = z.object({ id: z.number(), hash: z.string() });
const LineSchema = z
  .object({
    id: z.number(),
    at: z.string(),
    actor: z.object({
      id: z.string().nullable(),
      name: z.string(),
      role: z.string().nullable(),
      roleLabel: z.string(),
    }),
    action: z.string(),
    actionLabel: z.string(),
    target: z.object({ type: z.string(), typeLabel: z.string(), id: z.string().nullable() }).nullable(),
    before: z.unknown(),
    after: z.unknown(),
    detail: z.record(z.string(), z.unknown()),
    ip: z.string().nullable(),
    chain: z.object({ position: z.number(), prevHash: z.string().nullable(), hash: z.string().nullable() }),
  })
  .openapi("AuditLine");

const listRoute = createRoute({
  method: "get",
  path: "/audit",
  description:
    "系统管理员、监督人员；部门管理员得到读取时目标属于本部门的记录（从不含评价、告警、投诉和企业）；其他人 403。按链上位置分页；`actor` 为用户 id 或记录中的姓名；日期不合格、`to` 早于 `from` 或分页参数无效 → 400。`ip` 只给司法局。读取不记审计。",
  tags: ["audit"],
  summary: "操作记录（新的在前，按序号分页）",
  middleware: [readers] as const,
  request: { query: ListQuery },
  responses: {
    200: jsonResponse(
      "操作记录",
      z.object({ items: z.array(LineSchema), nextCursor: z.string().nullable() }),
    ),
    ...errors(400, 401, 403),
  },
});

const chainRoute = createRoute({
  method: "get",
  path: "/audit/chain",
  description: "每次调用从上次停下处继续校验（每次最多 2,000 条）；`npm run audit:verify` 校验整条链。",
  tags: ["audit"],
  summary: "哈希链校验状态（逐次增量校验）",
  middleware: [readers] as const,
  responses: {
    200: jsonResponse(
      "校验状态",
      z.object({
        ok: z.boolean(),
        head: Hash.nullable(),
        verifiedThrough: Hash.nullable(),
        verifiedCount: z.number(),
        pending: z.number(),
        broken: z.object({ id: z.number(), reason: z.string() }).nullable(),
      }),
    ),
    ...errors(401, 403),
  },
});

const exportRoute = createRoute({
  method: "get",
  path: "/audit/export",
  description:
    "CSV（UTF-8 带 BOM，单元格已中和公式）或 XLSX；超过 20,000 条 → 422 `export_too_large`。每次导出写一条 `audit.export`（格式、筛选条件、行数）。",
  tags: ["audit"],
  summary: "导出操作记录（CSV 或 Excel；导出本身记入操作记录）",
  middleware: [readers] as const,
  request: { query: ExportQuery },
  responses: {
    200: {
      description: "CSV 或 XLSX",
      content: {
        "text/csv": { schema: z.any() },
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": { schema: z.any() },
      },
    },
    ...errors(400, 401, 403, 422),
  },
});

export function auditRoutes() {
  const app = newRouter();

  app.openapi(listRoute, async (c) => {
    const { cursor, limit, ...filter } = c.req.valid("query");
    const scope = auditScope(currentUser(c));
    const where = auditWhere(scope, filter, c.var.deps.config.timeZone);
    return c.json(await auditPage(c.var.db, where, scope, cursor, limit), 200);
  });

  app.openapi(chainRoute, async (c) => c.json(await chainState(c.var.db), 200));

  app.openapi(exportRoute, async (c) => {
    const { format, ...filter } = c.req.valid("query");
    const tz = c.var.deps.config.timeZone;
    const scope = auditScope(currentUser(c));
    const where = auditWhere(scope, filter, tz);
    const { items, nextCursor } = await auditPage(c.var.db, where, scope, undefined, EXPORT_MAX);
    if (nextCursor)
      throw new ApiError(
        422,
        "export_too_large",
        `超过 ${EXPORT_MAX} 条，请缩短期间或增加筛选条件后分次导出`,
      );
    await audit(c, {
      action: "audit.export",
      targetType: "audit_log",
      detail: { format, filter: definedOnly(filter), rows: items.length },
    });
    const name = `audit-${localDate(Date.now(), tz)}.${format}`;
    const headers = { "Content-Disposition": `attachment; filename="${name}"`, "Cache-Control": "no-store" };
    if (format === "csv") {
      return new Response(auditCsv(items, tz), {
        status: 200,
        headers: { ...headers, "Content-Type": "text/csv; charset=utf-8" },
      });
    }
    return new Response(await auditXlsx(items, tz), {
      status: 200,
      headers: {
        ...headers,
        "Content-Type": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
      },
    });
  });

  return app;
}

function definedOnly(f: AuditFilter): AuditFilter {
  return Object.fromEntries(Object.entries(f).filter(([, v]) => v !== undefined));
}
