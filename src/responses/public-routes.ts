import { createRoute, z } from "@hono/zod-openapi";
import { and, eq } from "drizzle-orm";
import type { Context } from "hono";
import { forms, formVersions, responses } from "../db/schema.ts";
import type { AppEnv } from "../env.ts";
import { SurveySchemaJson } from "../forms/schemas.ts";
import { ApiError, notFound } from "../lib/errors.ts";
import { canonicalJson, sha256Hex } from "../lib/ids.ts";
import { errors, jsonBody, jsonResponse, newRouter } from "../lib/router.ts";

const FormIdParam = z.object({ id: z.string().min(1).max(64) });

const getPublicForm = createRoute({
  method: "get",
  path: "/forms/{id}",
  tags: ["public"],
  request: { params: FormIdParam },
  responses: {
    200: jsonResponse(
      "正在收集的表单版本",
      z.object({ id: z.string(), title: z.string(), version: z.number().int(), schema: SurveySchemaJson }),
    ),
    304: { description: "未变化（ETag）" },
    ...errors(404),
  },
});

const SubmitBody = z.object({
  id: z.string().uuid("id 必须是客户端生成的 UUID"),
  version: z.number().int().min(1),
  data: z.record(z.string(), z.unknown()),
});

const submit = createRoute({
  method: "post",
  path: "/forms/{id}/responses",
  tags: ["public"],
  request: { params: FormIdParam, ...jsonBody(SubmitBody) },
  responses: {
    201: jsonResponse("已保存", z.object({ id: z.string() })),
    200: jsonResponse("重试：已保存过完全相同的提交", z.object({ id: z.string() })),
    ...errors(400, 404, 409, 413, 415, 429),
  },
});

/** The form, if it is collecting, with the schema of the asked version (or the live one). */
async function collectingVersion(c: Context<AppEnv>, formId: string, version?: number) {
  const [row] = await c.var.db
    .select({
      title: forms.title,
      publishedVersion: forms.publishedVersion,
      version: formVersions.version,
      schema: formVersions.schema,
    })
    .from(forms)
    .innerJoin(formVersions, eq(formVersions.formId, forms.id))
    .where(
      and(
        eq(forms.id, formId),
        eq(forms.status, "published"),
        version !== undefined
          ? eq(formVersions.version, version)
          : eq(formVersions.version, forms.publishedVersion),
      ),
    )
    .limit(1);
  return row;
}

async function rateLimit(c: Context<AppEnv>, formId: string) {
  const { rateLimiter, config } = c.var.deps;
  const limit = config.submitRatePerMinute;
  const results = await Promise.all([
    rateLimiter.hit(`submit:ip:${c.var.clientIp}`, limit * 4, 60_000),
    rateLimiter.hit(`submit:form-ip:${formId}:${c.var.clientIp}`, limit, 60_000),
  ]);
  const blocked = results.find((r) => !r.allowed);
  if (blocked) {
    c.header("Retry-After", String(Math.ceil(blocked.retryAfterMs / 1000)));
    throw new ApiError(429, "rate_limited", "提交过于频繁，请稍后再试");
  }
}

/** What a retry must repeat exactly for it to count as the same submission. */
const bodyHash = (formId: string, version: number, data: unknown) =>
  sha256Hex(canonicalJson({ formId, version, data }));

export function publicRoutes() {
  const app = newRouter();

  app.openapi(getPublicForm, async (c) => {
    const { id } = c.req.valid("param");
    const row = await collectingVersion(c, id);
    if (!row) throw notFound("表单");
    const etag = `"${id}-v${row.version}"`;
    c.header("ETag", etag);
    c.header("Cache-Control", "no-cache");
    if (c.req.header("if-none-match") === etag) return c.body(null, 304);
    return c.json({ id, title: row.title, version: row.version, schema: JSON.parse(row.schema) }, 200);
  });

  app.openapi(submit, async (c) => {
    const { id: formId } = c.req.valid("param");
    const body = c.req.valid("json");
    await rateLimit(c, formId);
    const hash = bodyHash(formId, body.version, body.data);

    const [previous] = await c.var.db
      .select({ bodyHash: responses.bodyHash })
      .from(responses)
      .where(eq(responses.id, body.id));
    if (previous) return replay(c, body.id, previous.bodyHash, hash);

    const form = await collectingVersion(c, formId, body.version);
    if (!form) {
      const live = await collectingVersion(c, formId);
      if (!live) throw notFound("表单");
      throw new ApiError(
        409,
        "version_mismatch",
        `表单没有第 ${body.version} 版，当前为第 ${live.version} 版，请刷新页面`,
      );
    }
    // Any published version of a collecting form is accepted and validated as itself, so people who
    // opened the form before a new version was published do not lose what they filled in.
    const validate = c.var.deps.validators.get(`${formId}:${form.version}`, () => JSON.parse(form.schema));
    const result = validate(body.data);
    if (!result.ok) {
      const first = result.errors[0]!;
      throw new ApiError(
        400,
        "invalid_response",
        `提交的内容未通过校验：${first.name} ${first.message}`,
        result.errors,
      );
    }
    const inserted = await c.var.db
      .insert(responses)
      .values({
        id: body.id,
        formId,
        version: form.version,
        data: JSON.stringify(body.data),
        bodyHash: hash,
        submittedAt: Date.now(),
      })
      .onConflictDoNothing()
      .returning({ id: responses.id });
    if (inserted.length === 0) {
      // Lost a race with a concurrent retry of the same id: answer as a replay.
      const [winner] = await c.var.db
        .select({ bodyHash: responses.bodyHash })
        .from(responses)
        .where(eq(responses.id, body.id));
      return replay(c, body.id, winner!.bodyHash, hash);
    }
    return c.json({ id: body.id }, 201);
  });

  return app;
}

function replay(c: Context<AppEnv>, id: string, storedHash: string, hash: string) {
  if (storedHash !== hash) throw new ApiError(409, "conflict", "该提交编号已用于另一份不同的内容");
  return c.json({ id }, 200);
}
