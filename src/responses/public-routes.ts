import { createRoute, z } from "@hono/zod-openapi";
import { and, eq } from "drizzle-orm";
import type { Context, Handler } from "hono";
import { getPath } from "hono/utils/url";
import type { Db } from "../db/client.ts";
import { forms, formVersions, responses } from "../db/schema.ts";
import type { AppEnv } from "../env.ts";
import { questionTitle } from "../forms/question-title.ts";
import { SurveySchemaJson } from "../forms/schemas.ts";
import type { FieldError } from "../forms/validation-types.ts";
import { ApiError, notFound } from "../lib/errors.ts";
import type { LimitKey } from "../lib/rate-limit.ts";
import { errors, jsonBody, jsonResponse, newRouter, parseRequest } from "../lib/router.ts";
import { Lru } from "../lib/lru.ts";
import { bodyHash, checkResponse } from "./checks.ts";
import { directWriter, type BatchClient, type ResponseWriter } from "./group-commit.ts";

const FormIdParam = z.object({ id: z.string().min(1).max(64) });

const getPublicForm = createRoute({
  method: "get",
  path: "/forms/{id}",
  summary: "公开问卷的已发布版本",
  description: "只有正在收集的 `survey` 类表单；检查表和评价表 → 404。支持 ETag/304。",
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

const isAnswerObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

export const SubmitBody = z.object({
  id: z.string().uuid("id 必须是客户端生成的 UUID"),
  version: z.number().int().min(1),
  // The answers are checked key by key by the form's validator; zod only checks the shape here. A
  // z.record() would walk and copy every answer first, on the hottest route (docs/PERFORMANCE.md).
  data: z
    .custom<Record<string, unknown>>(isAnswerObject, "data 必须是对象：题目名 → 答案")
    .openapi({ type: "object", additionalProperties: true }),
});

const submit = createRoute({
  method: "post",
  path: "/forms/{id}/responses",
  summary: "提交问卷答卷（幂等）",
  description:
    "`id` 是客户端生成的 UUID：同一 id 和内容再提交 → 200；同一 id、不同内容 → 409 `conflict`。无效 → 400 `invalid_response`（`[{name, message}]`，docs/VALIDATION.md）。表单从未有过的版本 → 409 `version_mismatch`（正在收集的表单的任何已发布版本都接受，并按该版本校验）。429 `rate_limited`。",
  tags: ["public"],
  request: { params: FormIdParam, ...jsonBody(SubmitBody) },
  responses: {
    201: jsonResponse("已保存", z.object({ id: z.string() })),
    200: jsonResponse("重试：已保存过完全相同的提交", z.object({ id: z.string() })),
    ...errors(400, 404, 409, 413, 415, 429),
  },
});

/**
 * The form, if it is a collecting survey, with the schema of the asked version (or the live one).
 * Checklists and evaluations have their own authenticated paths: anonymously they do not exist (404).
 */
async function collectingVersion(c: Context<AppEnv>, formId: string, version?: number) {
  const [row] = await c
    .get("db")
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
        eq(forms.kind, "survey"),
        version !== undefined
          ? eq(formVersions.version, version)
          : eq(formVersions.version, forms.publishedVersion),
      ),
    )
    .limit(1);
  return row;
}

type Limit = [key: LimitKey, limit: number];

const clientLimit = (c: Context<AppEnv>): Limit => [
  `submit:ip:${c.get("clientIp")}`,
  c.get("deps").config.submitRatePerMinute * 4,
];

const formLimit = (c: Context<AppEnv>, formId: string): Limit => [
  `submit:form-ip:${formId}:${c.get("clientIp")}`,
  c.get("deps").config.submitRatePerMinute,
];

/** Counts the attempt against each limit at once (allowed or not); 429 if any is exceeded. */
async function rateLimit(c: Context<AppEnv>, ...limits: Limit[]) {
  const { rateLimiter } = c.get("deps");
  const hits = await Promise.all(limits.map(([key, limit]) => rateLimiter.hit(key, limit, 60_000)));
  const blocked = hits.find((h) => !h.allowed);
  if (blocked) {
    c.header("Retry-After", String(Math.ceil(blocked.retryAfterMs / 1000)));
    throw new ApiError(429, "rate_limited", "提交过于频繁，请稍后再试");
  }
}

/** The public schema, and the OpenAPI entry of the submission endpoint (served by the lane, src/responses/lane.ts). */
export function publicRoutes() {
  const app = newRouter();

  app.openapi(getPublicForm, async (c) => {
    const { id } = c.req.valid("param");
    const live = await c.var.deps.publishedForms!.live(c.var.db, id, "survey");
    if (!live) throw notFound("表单");
    const etag = `"${id}-v${live.version}"`;
    c.header("ETag", etag);
    c.header("Cache-Control", "no-cache");
    if (c.req.header("if-none-match") === etag) return c.body(null, 304);
    // The version's bytes as published, serialized once (src/forms/published-cache.ts).
    c.header("Content-Type", "application/json");
    return c.body(live.body as Uint8Array<ArrayBuffer>, 200) as never;
  });

  app.openAPIRegistry.registerPath(submit);
  return app;
}

/** The submission endpoint's path, as the lane (src/responses/lane.ts) routes it. */
export const SUBMISSION_PATH = "/api/public/forms/:id/responses";

/** Whether `request` is for the submission lane: a POST to `/api/public/forms/…/responses`. */
export function isSubmission(request: Request): boolean {
  if (request.method !== "POST") return false;
  const path = getPath(request);
  return path.startsWith("/api/public/forms/") && path.endsWith("/responses");
}

/**
 * The handler of `POST /api/public/forms/{id}/responses`, the hot path of the whole server. It has a
 * small app of its own in front of the main one (src/app.ts): the same body checks, no session and
 * no CSRF (anonymous), and the request schemas parsed here, directly, with the same 400s the
 * declared `submit` route would give, instead of through the validator middlewares.
 */
export function submitResponse(): Handler<AppEnv> {
  // Per app, not per module: tests and tools run several apps over different databases in one process.
  const versions = new VersionCache(256);

  return async (c) => {
    const { id: formId } = parseRequest(FormIdParam, { id: c.req.param("id") });
    const body = parseSubmission(await jsonOf(c));
    // The usual case, a cached form, is counted per client and per form at once. Any other form is
    // looked up only once the client's count allows it, and counted per form only if it exists: a
    // flood of made-up form ids creates no counters to crowd out others.
    const cached = versions.cached(formId, body.version);
    await rateLimit(c, clientLimit(c), ...(cached ? [formLimit(c, formId)] : []));
    const form = cached ?? (await versions.get(c, formId, body.version));
    if (!form) {
      const hash = bodyHash(formId, body.version, body.data);
      return refuse(c, body.id, hash, () => notCollecting(c, formId, body.version));
    }
    if (!cached) await rateLimit(c, formLimit(c, formId));
    // Any published version of a collecting form is accepted and validated as itself, so people who
    // opened the form before a new version was published do not lose what they filled in.
    const request = { key: `${formId}:${form.version}`, schema: form.schema, formId, version: form.version };
    const { checker, validators } = c.get("deps");
    const checked = checker
      ? await checker.check({ ...request, data: body.data, text: c.var.bodyText ?? (await c.req.text()) })
      : checkResponse(validators, { ...request, data: body.data });
    const { result, bodyHash: hash } = checked;
    if (!result.ok) return refuse(c, body.id, hash, () => invalid(result.errors, form.schema));

    const outcome = await responseWriter(c).write({
      id: body.id,
      formId,
      version: form.version,
      data: checked.dataJson,
      bodyHash: hash,
      submittedAt: Date.now(),
    });
    if (outcome.kind === "inserted") return c.json({ id: body.id }, 201);
    if (outcome.kind === "exists") return replay(c, body.id, outcome.bodyHash, hash);
    // The form stopped collecting after it was cached: forget it and answer as a fresh lookup would.
    versions.forget(formId);
    return notCollecting(c, formId, body.version);
  };
}

const UUID = z.regexes.uuid();

/**
 * The submission body as `SubmitBody` parses it. A body that plainly passes (a UUID id, a safe
 * integer version ≥ 1, an answer object) is taken as it is, without zod's parse (a cost on every request);
 * anything else goes through zod for its result and its exact 400. tests/submission-body.test.ts
 * checks both ways agree on arbitrary bodies.
 */
export function parseSubmission(json: unknown): z.output<typeof SubmitBody> {
  if (isAnswerObject(json)) {
    const { id, version, data } = json;
    if (
      typeof id === "string" &&
      UUID.test(id) &&
      Number.isSafeInteger(version) &&
      (version as number) >= 1 &&
      isAnswerObject(data)
    )
      return { id, version: version as number, data };
  }
  return parseRequest(SubmitBody, json);
}

/** The body's JSON (its text was read and checked by `jsonGuard`); 400 if it does not parse. */
async function jsonOf(c: Context<AppEnv>): Promise<unknown> {
  try {
    const text = c.var.bodyText;
    return text === undefined ? await c.req.json() : JSON.parse(text);
  } catch {
    throw new ApiError(400, "bad_request", "请求格式错误（JSON 无法解析）");
  }
}

/**
 * Published versions are immutable, so their schemas are kept (bounded, least recently used out).
 * Only versions of a form seen collecting are cached, and the insert re-checks "collecting" inside
 * its transaction (group-commit.ts), so a stale entry can never let a submission into a form that
 * was unpublished; it only costs one refused write, after which the form is forgotten.
 */
class VersionCache {
  private readonly entries: Lru<string, { version: number; schema: string }>;

  constructor(maxEntries: number) {
    this.entries = new Lru(maxEntries);
  }

  /** The cached version, without asking the database. */
  cached(formId: string, version: number) {
    return this.entries.get(`${formId}:${version}`);
  }

  async get(c: Context<AppEnv>, formId: string, version: number) {
    const hit = this.cached(formId, version);
    if (hit) return hit;
    const key = `${formId}:${version}`;
    const row = await collectingVersion(c, formId, version);
    if (!row) return undefined;
    const entry = { version: row.version, schema: row.schema };
    this.entries.set(key, entry);
    return entry;
  }

  forget(formId: string) {
    for (const key of [...this.entries.keys()]) if (key.startsWith(`${formId}:`)) this.entries.delete(key);
  }
}

/** The process-wide group committer when there is one (Node), else a commit per request (Workers). */
function responseWriter(c: Context<AppEnv>): ResponseWriter {
  return c.get("deps").responseWriter ?? directWriter(clientOf(c.get("db")));
}

/** drizzle keeps the libSQL client it wraps as `$client`; the shared `Db` type leaves it out. */
const clientOf = (db: Db) => (db as Db & { $client: BatchClient }).$client;

/**
 * Answers a submission that is not going to be stored: a retry of one that already was is still a
 * replay (or a conflict), whatever happened to the form since; otherwise `error()` is thrown. The
 * "seen this id?" lookup is paid only here, off the fast path, where the insert settles it.
 */
async function refuse(c: Context<AppEnv>, id: string, hash: string, error: () => Promise<never> | never) {
  const [previous] = await c.var.db
    .select({ bodyHash: responses.bodyHash })
    .from(responses)
    .where(eq(responses.id, id));
  if (previous) return replay(c, id, previous.bodyHash, hash);
  return error();
}

/** 404 when the form is not collecting at all, 409 when it is but has no such version. */
async function notCollecting(c: Context<AppEnv>, formId: string, version: number): Promise<never> {
  const live = await collectingVersion(c, formId);
  if (!live) throw notFound("表单");
  throw new ApiError(
    409,
    "version_mismatch",
    `表单没有第 ${version} 版，当前为第 ${live.version} 版，请刷新页面`,
  );
}

function invalid(errors: FieldError[], schema: string): never {
  const first = errors[0]!;
  const title = questionTitle(schema, first.name);
  throw new ApiError(400, "invalid_response", `提交的内容未通过校验：「${title}」${first.message}`, errors);
}

function replay(c: Context<AppEnv>, id: string, storedHash: string, hash: string) {
  if (storedHash !== hash) throw new ApiError(409, "conflict", "该提交编号已用于另一份不同的内容");
  return c.json({ id }, 200);
}
