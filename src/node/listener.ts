// The Node server's request listener: @hono/node-server over the app. Where the app cannot answer —
// a request the adapter cannot turn into a web Request (a bad Host header or path: 400), or a throw
// past the app's error handler (500) — this answers instead of the adapter's bare text, with the same
// JSON error shape and the same security headers as every other answer.
import { getRequestListener, RequestError } from "@hono/node-server";
import { logError } from "../lib/log.ts";
import { API_CACHE_CONTROL, SECURITY_HEADERS } from "../lib/security.ts";

export function requestListener(
  fetch: (request: Request) => Response | Promise<Response>,
  hostname?: string,
) {
  return getRequestListener(fetch, { hostname, errorHandler: answerUnanswered });
}

export function answerUnanswered(err: unknown): Response {
  const bad = err instanceof RequestError;
  if (!bad) logError({ event: "request_unanswered" }, err);
  const error = bad
    ? { code: "bad_request", message: "请求无法解析" }
    : { code: "internal", message: "服务器内部错误" };
  return new Response(JSON.stringify({ error }), {
    status: bad ? 400 : 500,
    headers: [
      ...SECURITY_HEADERS.map(([name, value]): [string, string] => [name, value]),
      ["Content-Type", "application/json; charset=UTF-8"],
      ["Cache-Control", API_CACHE_CONTROL],
    ],
  });
}
