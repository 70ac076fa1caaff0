import { createRoute, z } from "@hono/zod-openapi";
import { and, count, desc, eq, inArray } from "drizzle-orm";
import type { Context } from "hono";
import { auditInsert } from "../audit/audit.ts";
import { currentUser, requireUser } from "../auth/session.ts";
import { runBatch } from "../db/client.ts";
import { forms, formVersions, responses } from "../db/schema.ts";
import type { AppEnv } from "../env.ts";
import { ApiError, forbidden, notFound } from "../lib/errors.ts";
import { newId } from "../lib/ids.ts";
import { errors, iso, jsonBody, jsonResponse, newRouter } from "../lib/router.ts";
import { canRead, loadForm, type FormRow } from "./access.ts";
import {
  FormIdParam,
  FormKindSchema,
  FormSchema,
  FormStatusSchema,
  FormSummarySchema,
  SurveySchemaJson,
  toForm,
  toSummary,
  VersionSchema,
} from "./schemas.ts";
import { findSchemaProblems } from "./schema-problems.ts";

const editors = requireUser("admin", "dept_admin");
const readers = requireUser("admin", "dept_admin", "supervisor");
const FormEnvelope = z.object({ form: FormSchema });

const listForms = createRoute({
  method: "get",
  path: "/",
  summary: "表单列表",
  tags: ["forms"],
  middleware: [readers] as const,
  request: { query: z.object({ kind: FormKindSchema.optional(), status: FormStatusSchema.optional() }) },
  responses: {
    200: jsonResponse("表单列表", z.object({ items: z.array(FormSummarySchema) })),
    ...errors(401, 403),
  },
});

const createForm = createRoute({
  method: "post",
  path: "/",
  summary: "新建表单",
  description: "系统管理员、部门管理员。表单定义不合格 → 422 `invalid_schema`，同修改。",
  tags: ["forms"],
  middleware: [editors] as const,
  request: jsonBody(
    z.object({
      title: z.string().trim().min(1).max(200),
      kind: FormKindSchema,
      description: z.string().max(2000).optional(),
      departmentId: z.string().nullable().optional(),
      schema: SurveySchemaJson.optional(),
    }),
  ),
  responses: { 201: jsonResponse("已创建", FormEnvelope), ...errors(400, 401, 403, 422) },
});

const getForm = createRoute({
  method: "get",
  path: "/{id}",
  summary: "表单（草稿）",
  tags: ["forms"],
  middleware: [readers] as const,
  request: { params: FormIdParam },
  responses: { 200: jsonResponse("表单（草稿）", FormEnvelope), ...errors(401, 404) },
});

const updateForm = createRoute({
  method: "put",
  path: "/{id}",
  summary: "修改表单草稿",
  description:
    "表单定义不合格 → 422 `invalid_schema`，附 `[{path, message}]`：也包括线性时间引擎无法执行的正则（反向引用、环视）、超过 `FORM_SCHEMA_MAX_BYTES` 的定义、超过 `FORM_MAX_EXPRESSIONS` 个表达式或嵌套深于 `FORM_MAX_EXPRESSION_DEPTH`。",
  tags: ["forms"],
  middleware: [editors] as const,
  request: {
    params: FormIdParam,
    ...jsonBody(
      z.object({
        title: z.string().trim().min(1).max(200).optional(),
        description: z.string().max(2000).optional(),
        schema: SurveySchemaJson.optional(),
      }),
    ),
  },
  responses: { 200: jsonResponse("已保存草稿", FormEnvelope), ...errors(400, 401, 403, 404, 422) },
});

const publishForm = createRoute({
  method: "post",
  path: "/{id}/publish",
  summary: "发布表单（草稿成为不可变的版本 N）",
  description: "草稿（定义和标题）与最新版本相同 → 409 `unchanged`；422 `invalid_schema` 同修改。",
  tags: ["forms"],
  middleware: [editors] as const,
  request: { params: FormIdParam },
  responses: {
    201: jsonResponse("已发布", z.object({ version: z.number().int(), publishedAt: z.string() })),
    ...errors(401, 403, 404, 409, 422),
  },
});

const stateChange = (path: string, description: string) =>
  createRoute({
    method: "post",
    path: `/{id}/${path}`,
    tags: ["forms"],
    summary: description,
    middleware: [editors] as const,
    request: { params: FormIdParam },
    responses: { 200: jsonResponse(description, FormEnvelope), ...errors(401, 403, 404, 409) },
  });

const listVersions = createRoute({
  method: "get",
  path: "/{id}/versions",
  summary: "表单的已发布版本",
  tags: ["forms"],
  middleware: [readers] as const,
  request: { params: FormIdParam },
  responses: {
    200: jsonResponse(
      "版本",
      z.object({
        items: z.array(
          z.object({
            version: z.number().int(),
            title: z.string(),
            publishedAt: z.string(),
            publishedBy: z.string().nullable(),
            responseCount: z.number().int(),
          }),
        ),
      }),
    ),
    ...errors(401, 404),
  },
});

const getVersion = createRoute({
  method: "get",
  path: "/{id}/versions/{n}",
  summary: "表单的一个已发布版本",
  tags: ["forms"],
  middleware: [readers] as const,
  request: { params: FormIdParam.extend({ n: z.coerce.number().int().min(1) }) },
  responses: { 200: jsonResponse("版本内容", VersionSchema), ...errors(401, 404) },
});

async function responseCounts(c: Context<AppEnv>, ids: string[]): Promise<Map<string, number>> {
  if (ids.length === 0) return new Map();
  const rows = await c.var.db
    .select({ formId: responses.formId, n: count() })
    .from(responses)
    .where(inArray(responses.formId, ids))
    .groupBy(responses.formId);
  return new Map(rows.map((r) => [r.formId, r.n]));
}

/** Administrators' forms are also bounded in what they may cost each submission (issue 14, item 3). */
function assertSchemaUsable(c: Context<AppEnv>, schema: unknown) {
  const problems = findSchemaProblems(schema, c.var.deps.config.formLimits);
  if (problems.length) {
    throw new ApiError(
      422,
      "invalid_schema",
      `表单定义有 ${problems.length} 处问题：${problems[0]!.message}`,
      problems,
    );
  }
}

const emptySchema = (title: string) => ({ title, pages: [{ name: "page1", elements: [] }] });

/** Moves a form between collecting states; every move is audited with before/after. */
async function transition(
  c: Context<AppEnv>,
  form: FormRow,
  action: string,
  next: Pick<FormRow, "status" | "publishedVersion">,
) {
  const after = { ...form, ...next, updatedAt: Date.now() };
  await runBatch(c.var.db, [
    c.var.db.update(forms).set(after).where(eq(forms.id, form.id)),
    auditInsert(c, {
      action,
      targetType: "form",
      targetId: form.id,
      detail: {
        before: { status: form.status, publishedVersion: form.publishedVersion },
        after: { status: after.status, publishedVersion: after.publishedVersion },
      },
    }),
  ]);
  c.var.deps.publishedForms?.invalidate(form.id);
  const counts = await responseCounts(c, [form.id]);
  return c.json({ form: toForm(after, counts.get(form.id) ?? 0) }, 200);
}

/**
 * Publishing the draft as it already is would make an identical version N+1 (and split the responses
 * between two versions of one form for nothing): refused, pointing at 恢复收集 when the form is stopped.
 */
async function assertDraftChanged(c: Context<AppEnv>, form: FormRow) {
  if (!form.latestVersion) return;
  const [latest] = await c.var.db
    .select({ schema: formVersions.schema, title: formVersions.title })
    .from(formVersions)
    .where(and(eq(formVersions.formId, form.id), eq(formVersions.version, form.latestVersion)));
  if (!latest || latest.schema !== form.draftSchema || latest.title !== form.title) return;
  const hint = form.status === "published" ? "正在收集的就是这一版" : "如需继续收集，请使用“恢复收集”";
  throw new ApiError(409, "unchanged", `草稿与第 ${form.latestVersion} 版相同，无需发布（${hint}）`);
}

export function formRoutes() {
  const app = newRouter();

  app.openapi(listForms, async (c) => {
    const user = currentUser(c);
    const { kind, status } = c.req.valid("query");
    const rows = await c.var.db
      .select()
      .from(forms)
      .where(and(kind ? eq(forms.kind, kind) : undefined, status ? eq(forms.status, status) : undefined))
      .orderBy(desc(forms.updatedAt));
    const visible = rows.filter((f) => canRead(user, f));
    const counts = await responseCounts(
      c,
      visible.map((f) => f.id),
    );
    return c.json({ items: visible.map((f) => toSummary(f, counts.get(f.id) ?? 0)) }, 200);
  });

  app.openapi(createForm, async (c) => {
    const user = currentUser(c);
    const body = c.req.valid("json");
    const departmentId = user.role === "admin" ? (body.departmentId ?? null) : user.departmentId;
    if (user.role !== "admin" && body.departmentId && body.departmentId !== user.departmentId) {
      throw forbidden("只能为本部门创建表单");
    }
    const schema = body.schema ?? emptySchema(body.title);
    assertSchemaUsable(c, schema);
    const now = Date.now();
    const row: FormRow = {
      id: newId(),
      kind: body.kind,
      title: body.title,
      description: body.description ?? "",
      departmentId,
      draftSchema: JSON.stringify(schema),
      status: "draft",
      latestVersion: null,
      publishedVersion: null,
      createdBy: user.id,
      createdAt: now,
      updatedAt: now,
    };
    await runBatch(c.var.db, [
      c.var.db.insert(forms).values(row),
      auditInsert(c, {
        action: "form.create",
        targetType: "form",
        targetId: row.id,
        detail: { after: { title: row.title, kind: row.kind, departmentId } },
      }),
    ]);
    return c.json({ form: toForm(row, 0) }, 201);
  });

  app.openapi(getForm, async (c) => {
    const form = await loadForm(c, c.req.valid("param").id, "read");
    const counts = await responseCounts(c, [form.id]);
    return c.json({ form: toForm(form, counts.get(form.id) ?? 0) }, 200);
  });

  app.openapi(updateForm, async (c) => {
    const form = await loadForm(c, c.req.valid("param").id, "write");
    const body = c.req.valid("json");
    if (body.schema) assertSchemaUsable(c, body.schema);
    const after: FormRow = {
      ...form,
      title: body.title ?? form.title,
      description: body.description ?? form.description,
      draftSchema: body.schema ? JSON.stringify(body.schema) : form.draftSchema,
      updatedAt: Date.now(),
    };
    await runBatch(c.var.db, [
      c.var.db.update(forms).set(after).where(eq(forms.id, form.id)),
      auditInsert(c, {
        action: "form.save_draft",
        targetType: "form",
        targetId: form.id,
        detail: {
          before: { title: form.title, schemaBytes: form.draftSchema.length },
          after: { title: after.title, schemaBytes: after.draftSchema.length },
        },
      }),
    ]);
    const counts = await responseCounts(c, [form.id]);
    return c.json({ form: toForm(after, counts.get(form.id) ?? 0) }, 200);
  });

  app.openapi(publishForm, async (c) => {
    const form = await loadForm(c, c.req.valid("param").id, "write");
    if (form.status === "archived") throw new ApiError(409, "archived", "表单已归档，请先恢复");
    const schema = JSON.parse(form.draftSchema);
    assertSchemaUsable(c, schema);
    if (!hasQuestions(schema)) throw new ApiError(422, "empty_form", "表单没有任何题目，不能发布");
    await assertDraftChanged(c, form);
    const version = (form.latestVersion ?? 0) + 1;
    const now = Date.now();
    const user = currentUser(c);
    try {
      await runBatch(c.var.db, [
        c.var.db.insert(formVersions).values({
          formId: form.id,
          version,
          title: form.title,
          schema: form.draftSchema,
          publishedAt: now,
          publishedBy: user.id,
        }),
        c.var.db
          .update(forms)
          .set({ latestVersion: version, publishedVersion: version, status: "published", updatedAt: now })
          .where(eq(forms.id, form.id)),
        auditInsert(c, {
          action: "form.publish",
          targetType: "form",
          targetId: form.id,
          detail: {
            before: { publishedVersion: form.publishedVersion },
            after: { publishedVersion: version },
          },
        }),
      ]);
    } catch (err) {
      // Two publishes racing for the same number: the primary key lets exactly one through.
      if (String((err as Error)?.message).includes("UNIQUE")) {
        throw new ApiError(409, "conflict", "表单刚被其他人发布，请刷新后重试");
      }
      throw err;
    } finally {
      c.var.deps.publishedForms?.invalidate(form.id);
    }
    return c.json({ version, publishedAt: iso(now)! }, 201);
  });

  app.openapi(stateChange("unpublish", "已停止收集"), async (c) => {
    const form = await loadForm(c, c.req.valid("param").id, "write");
    if (form.status !== "published") throw new ApiError(409, "not_published", "表单未在收集中");
    return transition(c, form, "form.unpublish", { status: "draft", publishedVersion: null });
  });

  // A stopped form collects again with the version it had: no new version for an unchanged form.
  app.openapi(stateChange("resume", "已恢复收集"), async (c) => {
    const form = await loadForm(c, c.req.valid("param").id, "write");
    if (form.status !== "draft" || !form.latestVersion)
      throw new ApiError(409, "not_stopped", "表单不是已停止收集的状态");
    return transition(c, form, "form.resume", { status: "published", publishedVersion: form.latestVersion });
  });

  app.openapi(stateChange("archive", "已归档"), async (c) => {
    const form = await loadForm(c, c.req.valid("param").id, "write");
    if (form.status === "archived") throw new ApiError(409, "archived", "表单已归档");
    return transition(c, form, "form.archive", { status: "archived", publishedVersion: null });
  });

  app.openapi(stateChange("restore", "已恢复"), async (c) => {
    const form = await loadForm(c, c.req.valid("param").id, "write");
    if (form.status !== "archived") throw new ApiError(409, "not_archived", "表单未归档");
    return transition(c, form, "form.restore", { status: "draft", publishedVersion: null });
  });

  app.openapi(listVersions, async (c) => {
    const form = await loadForm(c, c.req.valid("param").id, "read");
    const rows = await c.var.db
      .select({
        version: formVersions.version,
        title: formVersions.title,
        publishedAt: formVersions.publishedAt,
        publishedBy: formVersions.publishedBy,
      })
      .from(formVersions)
      .where(eq(formVersions.formId, form.id))
      .orderBy(desc(formVersions.version));
    const perVersion = await c.var.db
      .select({ version: responses.version, n: count() })
      .from(responses)
      .where(eq(responses.formId, form.id))
      .groupBy(responses.version);
    const counts = new Map(perVersion.map((r) => [r.version, r.n]));
    const items = rows.map((r) => ({
      ...r,
      publishedAt: iso(r.publishedAt)!,
      responseCount: counts.get(r.version) ?? 0,
    }));
    return c.json({ items }, 200);
  });

  app.openapi(getVersion, async (c) => {
    const { id, n } = c.req.valid("param");
    const form = await loadForm(c, id, "read");
    const [row] = await c.var.db
      .select()
      .from(formVersions)
      .where(and(eq(formVersions.formId, form.id), eq(formVersions.version, n)));
    if (!row) throw notFound("版本");
    return c.json(
      { version: row.version, schema: JSON.parse(row.schema), publishedAt: iso(row.publishedAt)! },
      200,
    );
  });

  return app;
}

type ElementLists = { elements?: unknown[]; questions?: unknown[] };

/**
 * True when the SurveyJS JSON has at least one element on some page or at the top level. survey-core
 * loads the older `questions` arrays (root and page) like `elements`, so both count.
 */
export function hasQuestions(schema: ElementLists & { pages?: ElementLists[] }): boolean {
  const nonEmpty = (c: ElementLists | undefined) =>
    [c?.elements, c?.questions].some((list) => Array.isArray(list) && list.length > 0);
  return nonEmpty(schema) || (Array.isArray(schema.pages) && schema.pages.some(nonEmpty));
}
