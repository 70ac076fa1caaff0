import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";

/** An expected failure: `app.onError` renders it as `{error:{code,message,details?}}`. */
export class ApiError extends HTTPException {
  constructor(
    status: ContentfulStatusCode,
    readonly code: string,
    message: string,
    readonly details?: unknown,
    readonly extra?: Record<string, unknown>,
  ) {
    super(status, { message });
  }
}

export const notFound = (what = "资源") => new ApiError(404, "not_found", `${what}不存在`);
export const forbidden = (message = "没有权限执行此操作") => new ApiError(403, "forbidden", message);

/** Codes for errors Hono or a middleware raised without an ApiError. */
export function codeForStatus(status: number): string {
  const codes: Record<number, string> = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "unprocessable",
    429: "rate_limited",
  };
  return codes[status] ?? (status >= 500 ? "internal" : "error");
}
