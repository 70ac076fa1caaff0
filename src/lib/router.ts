import { OpenAPIHono, z } from "@hono/zod-openapi";
import type { AppEnv } from "../env.ts";
import { ApiError } from "./errors.ts";

/**
 * A feature router whose request validation failures become `400 {error:{code:"invalid_request"}}`.
 * A declared query is an allowlist: an unknown sort/filter parameter is a 400, not silently ignored
 * (SECURITY.md #13).
 */
export function newRouter() {
  const app = new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success) throw invalidRequest(result.error.issues);
    },
  });
  const register = app.openapi;
  app.openapi = ((route: Parameters<typeof register>[0], ...rest: unknown[]) =>
    (register as (...args: unknown[]) => unknown)(strictQuery(route), ...rest)) as typeof register;
  return app;
}

/** The 400 for a request that fails its zod schema: every issue in `details`, the first in the message. */
export function invalidRequest(issues: readonly z.core.$ZodIssue[]): ApiError {
  const details = issues.map((i) => ({ path: i.path.join("."), message: i.message }));
  const first = details[0];
  return new ApiError(
    400,
    "invalid_request",
    `请求参数无效：${first?.path || "body"} ${first?.message ?? ""}`.trim(),
    details,
  );
}

/** `schema`'s parse of `value`, or the same 400 a route's declared request schema would answer. */
export function parseRequest<T extends z.ZodType>(schema: T, value: unknown): z.output<T> {
  const result = schema.safeParse(value);
  if (!result.success) throw invalidRequest(result.error.issues);
  return result.data;
}

function strictQuery<R extends { request?: { query?: unknown } }>(route: R): R {
  const query = route.request?.query;
  if (!(query instanceof z.ZodObject)) return route;
  return { ...route, request: { ...route.request, query: query.strict() } };
}

export const ErrorSchema = z
  .object({
    error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }),
  })
  .openapi("Error");

/** Standard error responses for a route's OpenAPI entry. */
export function errors(...statuses: number[]) {
  return Object.fromEntries(
    statuses.map((s) => [
      s,
      { description: "错误", content: { "application/json": { schema: ErrorSchema } } },
    ]),
  );
}

export const jsonBody = <T extends z.ZodType>(schema: T) => ({
  body: { content: { "application/json": { schema } }, required: true },
});

export const jsonResponse = <T extends z.ZodType>(description: string, schema: T) => ({
  description,
  content: { "application/json": { schema } },
});

export const iso = (ms: number | null | undefined) => (ms == null ? null : new Date(ms).toISOString());
