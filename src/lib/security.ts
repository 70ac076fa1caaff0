import type { Context, MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { AppEnv } from "../env.ts";
import { ApiError } from "./errors.ts";
import { jsonDepthExceeds } from "./json-depth.ts";

/**
 * Headers every response carries, the same as hono/secure-headers' defaults with our policy. Our
 * pages carry no inline script, so scripts are limited to our own files. SurveyJS sets inline
 * styles, hence 'unsafe-inline' for styles only. Data and blob images are for QR codes, signatures
 * and photo previews. The `securityHeaders` middleware sets them in front of every route (src/front.ts).
 */
export const SECURITY_HEADERS: readonly (readonly [string, string])[] = [
  [
    "Content-Security-Policy",
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; " +
      "font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; " +
      "frame-ancestors 'none'",
  ],
  ["Cross-Origin-Opener-Policy", "same-origin"],
  ["Cross-Origin-Resource-Policy", "same-origin"],
  ["Origin-Agent-Cluster", "?1"],
  ["Referrer-Policy", "no-referrer"],
  ["Strict-Transport-Security", "max-age=31536000; includeSubDomains"],
  ["X-Content-Type-Options", "nosniff"],
  ["X-DNS-Prefetch-Control", "off"],
  ["X-Download-Options", "noopen"],
  ["X-Frame-Options", "DENY"],
  ["X-Permitted-Cross-Domain-Policies", "none"],
  ["X-XSS-Protection", "0"],
];

/** API answers are not cached unless a route says otherwise (the public schema, the catalog, …). */
export const API_CACHE_CONTROL = "no-store";

/** Whether a request path is under /api, where `API_CACHE_CONTROL` is the default. */
export const isApiPath = (path: string) => path === "/api" || path.startsWith("/api/");

/**
 * Sets `SECURITY_HEADERS` on every response, over whatever a route set, and the API's default
 * Cache-Control where a route set none. On the response's own headers: c.header() after the handler
 * would rebuild the response around its body stream.
 */
export const securityHeaders: MiddlewareHandler<AppEnv> = async (c, next) => {
  await next();
  const headers = c.res.headers;
  for (const [name, value] of SECURITY_HEADERS) headers.set(name, value);
  if (isApiPath(c.req.path) && !headers.has("Cache-Control")) headers.set("Cache-Control", API_CACHE_CONTROL);
};

/** A route whose body is a file instead of JSON, with its own media types and size limit. */
export interface UploadRoute {
  method: string;
  /** The exact path, or a pattern; matched against `c.req.path`, the same path the router sees. */
  path: string | RegExp;
  contentTypes: readonly string[];
  maxBytes: number;
}

/** Photo evidence of an inspection (事中登记): the image bytes themselves, up to 5 MB. */
export const PHOTO_UPLOAD: UploadRoute = {
  method: "POST",
  path: /^\/api\/inspections\/[^/]+\/photos$/,
  contentTypes: ["image/jpeg", "image/png", "image/webp"],
  maxBytes: 5 * 1024 * 1024,
};

/** Upload routes every app has; features add theirs through `limitBody` and `jsonGuard`. */
const BUILT_IN_UPLOADS: readonly UploadRoute[] = [PHOTO_UPLOAD];

function uploadRoute(uploads: readonly UploadRoute[], method: string, path: string): UploadRoute | undefined {
  return uploads.find(
    (r) => r.method === method && (typeof r.path === "string" ? r.path === path : r.path.test(path)),
  );
}

/** The media type of a Content-Type header, lower-cased, without parameters. */
export const mediaType = (header: string | undefined) => (header ?? "").split(";")[0]!.trim().toLowerCase();

const limitTo = (maxBytes: number) =>
  bodyLimit({
    maxSize: maxBytes,
    onError: () => {
      throw tooLarge(maxBytes);
    },
  });

const tooLarge = (maxBytes: number) =>
  new ApiError(413, "payload_too_large", `请求体超过 ${Math.round(maxBytes / 1024)} KB 上限`);

/** GET and HEAD requests cannot carry a body (fetch forbids it; Node's server never reads one). */
const BODYLESS_METHODS = new Set(["GET", "HEAD"]);

/**
 * The body's declared length when the headers fix it (Content-Length without Transfer-Encoding: the
 * HTTP parser delivers exactly that many bytes, never more), else undefined. Decided on the headers
 * alone, because touching `c.req.raw.body` makes @hono/node-server build a web `Request` with a
 * `ReadableStream` for every request: the largest cost of the submission endpoint outside the database.
 */
function declaredLength(c: Context<AppEnv>): number | undefined {
  const length = c.req.header("content-length");
  if (length === undefined || c.req.header("transfer-encoding") !== undefined) return undefined;
  return Number.parseInt(length, 10) || 0;
}

/**
 * 413 for bodies over the limit, counted on the bytes actually read (chunked or not). Upload routes
 * get their own limit instead. A body with a declared length is judged on that length without being
 * read here; only a chunked (or unframed) body is counted while read.
 */
export function limitBody(maxBytes: number, uploads: readonly UploadRoute[] = []): MiddlewareHandler<AppEnv> {
  const all = [...BUILT_IN_UPLOADS, ...uploads];
  const standard = limitTo(maxBytes);
  const own = new Map(all.map((r) => [r, limitTo(r.maxBytes)]));
  return (c, next) => {
    if (BODYLESS_METHODS.has(c.req.method)) return next();
    const upload = uploadRoute(all, c.req.method, c.req.path);
    const max = upload ? upload.maxBytes : maxBytes;
    const length = declaredLength(c);
    if (length === undefined) return (upload ? own.get(upload)! : standard)(c, next);
    if (length > max) throw tooLarge(max);
    return next();
  };
}

const WRITE_METHODS = new Set(["POST", "PUT", "PATCH", "DELETE"]);
const STRICT_UTF8 = new TextDecoder("utf-8", { fatal: true });

/** JSON text is UTF-8: invalid bytes are a 400, not silently replaced by U+FFFD and stored. */
function decodeUtf8(bytes: ArrayBuffer): string {
  try {
    return STRICT_UTF8.decode(bytes);
  } catch {
    throw new ApiError(400, "invalid_encoding", "请求体不是有效的 UTF-8 文本");
  }
}
const JSON_TYPE = /^application\/json\s*(;|$)/i;

/**
 * API writes with a body must be JSON, and not absurdly nested: the depth is checked on the raw text
 * before anything parses or recurses into it, and must be valid UTF-8. The text is kept in
 * `c.var.bodyText`. Upload routes (photos, directory imports) take only their declared media types; CSRF
 * still applies to them.
 */
export function jsonGuard(maxDepth: number, uploads: readonly UploadRoute[] = []): MiddlewareHandler<AppEnv> {
  const all = [...BUILT_IN_UPLOADS, ...uploads];
  return async (c, next) => {
    if (!WRITE_METHODS.has(c.req.method)) return next();
    const length = declaredLength(c);
    const hasBody = length === undefined ? c.req.raw.body !== null : length > 0;
    if (!hasBody) return next();
    const upload = uploadRoute(all, c.req.method, c.req.path);
    if (upload) {
      if (!upload.contentTypes.includes(mediaType(c.req.header("content-type"))))
        throw new ApiError(415, "unsupported_media_type", `请求体必须是 ${upload.contentTypes.join("、")}`);
      return next();
    }
    const type = c.req.header("content-type") ?? "";
    if (!JSON_TYPE.test(type))
      throw new ApiError(415, "unsupported_media_type", "请求体必须是 application/json");
    const text = decodeUtf8(await c.req.arrayBuffer());
    // Routes' zod validators read the body again through Hono's own cache (the bytes are valid UTF-8
    // by now, so its decode gives the same text); the submission lane parses this text directly.
    c.set("bodyText", text);
    if (jsonDepthExceeds(text, maxDepth)) {
      throw new ApiError(400, "json_too_deep", `JSON 嵌套超过 ${maxDepth} 层`);
    }
    await next();
  };
}
