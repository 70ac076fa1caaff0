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
      if (!result.success) {
        const details = result.error.issues.map((i) => ({ path: i.path.join("."), message: i.message }));
        const first = details[0];
        throw new ApiError(
          400,
          "invalid_request",
          `请求参数无效：${first?.path || "body"} ${first?.message ?? ""}`.trim(),
          details,
        );
      }
    },
  });
  const register = app.openapi;
  app.openapi = ((route: Parameters<typeof register>[0], ...rest: unknown[]) =>
    (register as (...args: unknown[]) => unknown)(strictQuery(route), ...rest)) as typeof register;
  return app;
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
