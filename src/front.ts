// What every request meets first and last, in the main app and in the submission lane alike: the
// security headers, the request id, the access log and the app's dependencies on the way in; the
// answer for an unknown path and for a thrown error on the way out.
import type { Context, ErrorHandler, MiddlewareHandler, NotFoundHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import { audit } from "./audit/audit.ts";
import { isStorageFailure } from "./db/health.ts";
import type { AppDeps, AppEnv } from "./env.ts";
import { accessLog, withRequestId } from "./lib/access-log.ts";
import { ApiError, codeForStatus } from "./lib/errors.ts";
import { logError, logOnce } from "./lib/log.ts";
import { securityHeaders } from "./lib/security.ts";

/** The middlewares in front of every route, outermost first. */
export function front(deps: AppDeps): MiddlewareHandler<AppEnv>[] {
  const provide: MiddlewareHandler<AppEnv> = async (c, next) => {
    c.set("deps", deps);
    c.set("db", deps.db);
    await next();
  };
  // The headers outermost, so refusals of the checks after these (413, 415, 403, …) carry them too.
  return [
    securityHeaders,
    withRequestId(deps.config.trustProxy),
    ...(deps.config.accessLog ? [accessLog] : []),
    provide,
  ];
}

export const unknownPath: NotFoundHandler<AppEnv> = (c) =>
  c.json({ error: { code: "not_found", message: "请求的地址不存在" } }, 404);

/** Renders a thrown error as `{error:{code,message,details?}}`; an unexpected one is logged and a 500. */
export const answerError: ErrorHandler<AppEnv> = async (err, c) => {
  if (err instanceof ApiError) {
    if (err.status === 403 && c.var.user) await auditDenial(c, err);
    const body = { error: { code: err.code, message: err.message, details: err.details, ...err.extra } };
    return c.json(body, err.status);
  }
  if (err instanceof HTTPException) {
    const status = err.status;
    const message = status === 400 ? "请求格式错误（JSON 无法解析）" : err.message || "请求错误";
    return c.json({ error: { code: codeForStatus(status), message } }, status);
  }
  if (clientGone(c, err)) {
    // The client closed the connection (or the server's request timeout did) before its body was
    // read: nobody is left to answer, and a crowd of such sockets must not write a stack each.
    logOnce("request_aborted", "a request body was aborted by its client or by the request timeout");
    return c.json({ error: { code: "request_aborted", message: "请求未完整发送" } }, 400);
  }
  // The route pattern, not the path: a path can carry a secret (the inspection code under /i/ and
  // /api/public/inspections/), which must never reach the logs.
  logError({ event: "request_failed", route: c.req.routePath, requestId: c.var.requestId }, err);
  if (isStorageFailure(err)) {
    const message = "数据库暂时无法写入，请稍后重试";
    return c.json({ error: { code: "storage_unavailable", message } }, 503);
  }
  return c.json({ error: { code: "internal", message: "服务器内部错误" } }, 500);
};

/** The request's body was cut off: the client hung up, or Node's request timeout closed the socket. */
function clientGone(c: Context<AppEnv>, err: unknown): boolean {
  if (c.req.raw.signal?.aborted) return true;
  const e = err as { code?: unknown; message?: unknown } | null;
  return e?.code === "ECONNRESET" && e.message === "aborted";
}

/**
 * One audit line per refusal of a signed-in user (role, CSRF, origin): who tried what. Anonymous 403s
 * are not written, so nobody can flood the log without an account. A cross-department id answers 404
 * exactly like a missing one and is indistinguishable here, so it is not audited as a denial.
 */
async function auditDenial(c: Context<AppEnv>, err: ApiError): Promise<void> {
  try {
    await audit(c, {
      action: "access.denied",
      targetType: "route",
      targetId: `${c.req.method} ${c.req.routePath}`,
      detail: { code: err.code },
    });
  } catch (error) {
    logError({ event: "audit_denial_failed" }, error);
  }
}
