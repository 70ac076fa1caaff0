import type { MiddlewareHandler } from "hono";
import { requestId } from "hono/request-id";
import type { AppEnv } from "../env.ts";
import { log } from "./log.ts";

const fromProxy = requestId();

/** Without a proxy the header comes from the client, who must not choose the id its lines carry. */
const ours: MiddlewareHandler<AppEnv> = async (c, next) => {
  const id = crypto.randomUUID();
  c.set("requestId", id);
  c.header("X-Request-Id", id);
  await next();
};

/**
 * A request id on every response (`X-Request-Id`; behind a trusted proxy a well-formed one it sent is
 * kept, so one id follows a request through the proxy's log and ours) and in `c.var.requestId`.
 */
export const withRequestId = (trustProxy: boolean): MiddlewareHandler<AppEnv> =>
  trustProxy ? fromProxy : ours;

/**
 * One access line per request: method, the matched route pattern (never the path, which can carry an
 * inspection code, and never the query), status and duration. Logged after the response is decided,
 * errors included (onError has set `c.res` by then).
 */
export const accessLog: MiddlewareHandler<AppEnv> = async (c, next) => {
  const started = performance.now();
  await next();
  log("info", "request", {
    requestId: c.var.requestId,
    method: c.req.method,
    route: c.req.routePath,
    status: c.res.status,
    ms: Math.round((performance.now() - started) * 10) / 10,
  });
};
