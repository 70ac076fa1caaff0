import type { MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { secureHeaders } from "hono/secure-headers";
import type { AppEnv } from "../env.ts";
import { ApiError } from "./errors.ts";
import { jsonDepthExceeds } from "./json-depth.ts";

/**
 * Our pages carry no inline script, so scripts are limited to our own files. SurveyJS sets inline
 * styles, hence 'unsafe-inline' for styles only. Data and blob images are for QR codes, signatures
 * and photo previews.
 */
export const securityHeaders = secureHeaders({
  contentSecurityPolicy: {
    defaultSrc: ["'self'"],
    scriptSrc: ["'self'"],
    styleSrc: ["'self'", "'unsafe-inline'"],
    imgSrc: ["'self'", "data:", "blob:"],
    fontSrc: ["'self'", "data:"],
    connectSrc: ["'self'"],
    objectSrc: ["'none'"],
    baseUri: ["'none'"],
    formAction: ["'self'"],
    frameAncestors: ["'none'"],
  },
  referrerPolicy: "no-referrer",
  crossOriginEmbedderPolicy: false,
  xFrameOptions: "DENY",
  strictTransportSecurity: "max-age=31536000; includeSubDomains",
});

/** 413 for bodies over the limit, counted on the bytes actually read (chunked or not). */
export function limitBody(maxBytes: number): MiddlewareHandler<AppEnv> {
  return bodyLimit({
    maxSize: maxBytes,
    onError: () => {
      throw new ApiError(413, "payload_too_large", `请求体超过 ${Math.round(maxBytes / 1024)} KB 上限`);
    },
  });
}

const WRITE_METHODS = new Set(["POST", "PUT", "PATCH", "DELETE"]);
const JSON_TYPE = /^application\/json\s*(;|$)/i;

/**
 * API writes with a body must be JSON, and not absurdly nested: the depth is checked on the raw text
 * before anything parses or recurses into it. The text stays cached for the validator.
 */
export function jsonGuard(maxDepth: number): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (!WRITE_METHODS.has(c.req.method)) return next();
    const length = c.req.header("content-length");
    const hasBody = c.req.raw.body !== null && length !== "0";
    if (!hasBody) return next();
    const type = c.req.header("content-type") ?? "";
    if (!JSON_TYPE.test(type))
      throw new ApiError(415, "unsupported_media_type", "请求体必须是 application/json");
    const text = await c.req.text();
    if (jsonDepthExceeds(text, maxDepth)) {
      throw new ApiError(400, "json_too_deep", `JSON 嵌套超过 ${maxDepth} 层`);
    }
    await next();
  };
}
