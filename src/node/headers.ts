/**
 * The Node server's default response headers: `SECURITY_HEADERS` on every response and the API's
 * Cache-Control on /api, set on Node's response before the app runs. Node merges the app's own
 * headers over them when it writes the head, so a route's Cache-Control wins, as it does with the
 * middleware. This replaces the app's `securityHeaders` middleware on Node (AppDeps.serverWritesHeaders):
 * the middleware sets them on a web `Headers` object, which @hono/node-server then copies header by
 * header into Node's response, several µs per request on the submission path (docs/PERFORMANCE.md).
 * Answers the adapter writes itself (a 500 when the app throws past its error handler, a 400 for
 * an unparsable URL) carry them too.
 */
import { getRequestListener } from "@hono/node-server";
import type { IncomingMessage, ServerResponse } from "node:http";
import { API_CACHE_CONTROL, SECURITY_HEADERS, isApiPath } from "../lib/security.ts";

/** The request target's path: origin-form (`/api/…?q`) as browsers send it, or absolute-form. */
function pathOf(url: string | undefined): string {
  if (!url) return "/";
  if (url.startsWith("/")) {
    const query = url.indexOf("?");
    return query < 0 ? url : url.slice(0, query);
  }
  try {
    return new URL(url).pathname;
  } catch {
    return url;
  }
}

/** Sets the default headers on `res`; the app's response headers are merged over them. */
export function writeDefaultHeaders(req: IncomingMessage, res: ServerResponse): void {
  for (const [name, value] of SECURITY_HEADERS) res.setHeader(name, value);
  if (isApiPath(pathOf(req.url))) res.setHeader("Cache-Control", API_CACHE_CONTROL);
}

/** @hono/node-server's listener for `fetch`, writing the default headers first. */
export function listenerWithDefaultHeaders(
  fetch: (request: Request) => Response | Promise<Response>,
  hostname?: string,
) {
  const listener = getRequestListener(fetch, { hostname });
  return (req: IncomingMessage, res: ServerResponse) => {
    writeDefaultHeaders(req, res);
    return listener(req, res);
  };
}
