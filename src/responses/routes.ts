import { createRoute, z } from "@hono/zod-openapi";
import { and, asc, eq } from "drizzle-orm";
import type { Context } from "hono";
import { audit } from "../audit/audit.ts";
import { requireUser } from "../auth/session.ts";
import { formVersions, responses } from "../db/schema.ts";
import type { AppEnv } from "../env.ts";
import { loadForm, type FormRow } from "../forms/access.ts";
import { FormIdParam, SurveySchemaJson } from "../forms/schemas.ts";
import { notFound } from "../lib/errors.ts";
import { localDate } from "../lib/time.ts";
import { errors, iso, jsonResponse, newRouter } from "../lib/router.ts";
import { csvStream, xlsxStream, type ExportRow, type ExportVersion } from "./export.ts";
import {
  allResponses,
  decodeCursor,
  encodeCursor,
  pageOfResponses,
  ResponseFilterQuery,
  ResponseListQuery,
  toFilter,
  type ResponseFilter,
} from "./query.ts";

const readers = requireUser("admin", "dept_admin", "supervisor");

const ResponseItem = z
  .object({
    id: z.string(),
    version: z.number().int(),
    submittedAt: z.string(),
    data: z.record(z.string(), z.unknown()),
  })
  .openapi("Response");

const list = createRoute({
  method: "get",
  path: "/{id}/responses",
  summary: "表单的答卷（最新在前，分页）",
  description: "`from`/`to` 只给 `YYYY-MM-DD` 时指所配置时区的整天（含 `to` 当天）。",
  tags: ["responses"],
  middleware: [readers] as const,
  request: { params: FormIdParam, query: ResponseListQuery },
  responses: {
    200: jsonResponse(
      "响应列表（新的在前）",
      z.object({ items: z.array(ResponseItem), nextCursor: z.string().nullable() }),
    ),
    ...errors(400, 401, 404),
  },
});

const one = createRoute({
  method: "get",
  path: "/{id}/responses/{rid}",
  summary: "一份答卷",
  tags: ["responses"],
  middleware: [readers] as const,
  request: { params: FormIdParam.extend({ rid: z.string().min(1).max(100) }) },
  responses: {
    200: jsonResponse("一条响应，附其所答版本的表单定义", ResponseItem.extend({ schema: SurveySchemaJson })),
    ...errors(401, 404),
  },
});

const exportRoute = (ext: "csv" | "xlsx", type: string) =>
  createRoute({
    method: "get",
    path: `/{id}/responses.${ext}`,
    summary: `导出答卷（${ext.toUpperCase()}，与列表相同的筛选，流式下载）`,
    tags: ["responses"],
    middleware: [readers] as const,
    request: { params: FormIdParam, query: ResponseFilterQuery },
    responses: {
      200: { description: `导出 ${ext.toUpperCase()}`, content: { [type]: { schema: z.string() } } },
      ...errors(400, 401, 404),
    },
  });

const toItem = (r: typeof responses.$inferSelect) => ({
  id: r.id,
  version: r.version,
  submittedAt: iso(r.submittedAt)!,
  data: JSON.parse(r.data) as Record<string, unknown>,
});

async function versionsFor(c: Context<AppEnv>, form: FormRow, only?: number): Promise<ExportVersion[]> {
  const rows = await c.var.db
    .select({ version: formVersions.version, schema: formVersions.schema })
    .from(formVersions)
    .where(
      and(eq(formVersions.formId, form.id), only !== undefined ? eq(formVersions.version, only) : undefined),
    )
    .orderBy(asc(formVersions.version));
  return rows.map((r) => ({ version: r.version, schema: JSON.parse(r.schema) }));
}

async function* exportRows(c: Context<AppEnv>, f: ResponseFilter): AsyncGenerator<ExportRow> {
  for await (const r of allResponses(c.var.db, f)) {
    yield { id: r.id, version: r.version, submittedAt: r.submittedAt, data: JSON.parse(r.data) };
  }
}

/** `表单标题-20261126.csv`, RFC 5987-encoded so Chinese titles survive. */
function attachment(form: FormRow, ext: string, timeZone: string): string {
  const day = localDate(Date.now(), timeZone).replaceAll("-", "");
  const name = `${form.title.replace(/[\\/:*?"<>|\r\n]+/g, "_").slice(0, 80)}-${day}.${ext}`;
  return `attachment; filename="responses-${form.id}.${ext}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

export function responseRoutes() {
  const app = newRouter();

  app.openapi(list, async (c) => {
    const { id } = c.req.valid("param");
    const q = c.req.valid("query");
    const form = await loadForm(c, id, "read");
    const filter = toFilter(form.id, q, c.var.deps.config.timeZone);
    const rows = await pageOfResponses(
      c.var.db,
      filter,
      q.limit + 1,
      q.cursor ? decodeCursor(q.cursor) : undefined,
    );
    const page = rows.slice(0, q.limit);
    const last = page[page.length - 1];
    const nextCursor = rows.length > q.limit && last ? encodeCursor(last.submittedAt, last.id) : null;
    return c.json({ items: page.map(toItem), nextCursor }, 200);
  });

  app.openapi(one, async (c) => {
    const { id, rid } = c.req.valid("param");
    const form = await loadForm(c, id, "read");
    const [row] = await c.var.db
      .select()
      .from(responses)
      .where(and(eq(responses.formId, form.id), eq(responses.id, rid)));
    if (!row) throw notFound("响应");
    const [version] = await c.var.db
      .select({ schema: formVersions.schema })
      .from(formVersions)
      .where(and(eq(formVersions.formId, form.id), eq(formVersions.version, row.version)));
    return c.json({ ...toItem(row), schema: JSON.parse(version!.schema) }, 200);
  });

  for (const [ext, type, stream] of [
    ["csv", "text/csv; charset=utf-8", csvStream],
    ["xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", xlsxStream],
  ] as const) {
    app.openapi(exportRoute(ext, type), async (c) => {
      const { id } = c.req.valid("param");
      const q = c.req.valid("query");
      const form = await loadForm(c, id, "read");
      const { timeZone } = c.var.deps.config;
      const filter = toFilter(form.id, q, timeZone);
      const versions = await versionsFor(c, form, filter.version);
      await audit(c, {
        action: `responses.export_${ext}`,
        targetType: "form",
        targetId: form.id,
        detail: { filter: q },
      });
      const body = stream(exportRows(c, filter), versions, { timeZone });
      return c.body(body, 200, {
        "Content-Type": type,
        "Content-Disposition": attachment(form, ext, timeZone),
        "Cache-Control": "no-store",
      });
    });
  }

  return app;
}
