/**
 * The Node server's default response headers: `SECURITY_HEADERS` on every response and the API's
 * Cache-Control on /api, written by Node's response itself with the head (`writeDefaultHeaders`).
 * A field the app sets wins, so a route's Cache-Control is kept, as it is with the middleware. This
 * replaces the app's `securityHeaders` middleware on Node (AppDeps.serverWritesHeaders): the
 * middleware sets them on a web `Headers` object, which @hono/node-server then copies header by
 * header into Node's response, several µs per request on the submission path (docs/PERFORMANCE.md).
 * Answers the adapter writes itself (a 500 when the app throws past its error handler, a 400 for
 * an unparsable URL) carry them too.
 */
import { getRequestListener } from "@hono/node-server";
import type { IncomingMessage, OutgoingHttpHeader, OutgoingHttpHeaders, ServerResponse } from "node:http";
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

type HeaderValue = number | string | readonly string[];
type HeaderInput = OutgoingHttpHeaders | OutgoingHttpHeader[] | readonly (readonly [string, HeaderValue])[];

/** The defaults with their lower-case names, looked up once. */
const DEFAULTS = SECURITY_HEADERS.map(([name, value]) => [name, value, name.toLowerCase()] as const);
const CACHE_CONTROL = "cache-control";

/**
 * The head's fields as one flat `[name, value, …]` list: `given` (what the app's response carries),
 * then every default the app did not set itself, neither in `given` nor earlier with setHeader
 * (`preset`, lower-case names).
 */
export function headWithDefaults(given: HeaderInput | undefined, api: boolean, preset: readonly string[]) {
  const head: (string | HeaderValue)[] = [];
  const own = new Set(preset);
  const add = (name: string, value: HeaderValue | undefined) => {
    if (value === undefined) return;
    own.add(name.toLowerCase());
    head.push(name, value);
  };
  if (Array.isArray(given)) {
    if (given.length > 0 && Array.isArray(given[0]))
      for (const [name, value] of given as unknown as readonly (readonly [string, HeaderValue])[])
        add(name, value);
    else for (let i = 0; i + 1 < given.length; i += 2) add(String(given[i]), given[i + 1] as HeaderValue);
  } else if (given) {
    for (const name in given) add(name, (given as OutgoingHttpHeaders)[name]);
  }
  for (const [name, value, lower] of DEFAULTS) if (!own.has(lower)) head.push(name, value);
  if (api && !own.has(CACHE_CONTROL)) head.push("Cache-Control", API_CACHE_CONTROL);
  return head;
}

/**
 * Makes `res` write the default headers with its head: its `writeHead` (which Node's implicit head
 * calls too) passes Node one flat list of the app's fields plus the defaults. Node takes such a list
 * without the per-field bookkeeping of `setHeader` and of merging the app's head over it: ~1.8 µs a
 * response instead of ~4.3 (docs/PERFORMANCE.md).
 */
export function writeDefaultHeaders(req: IncomingMessage, res: ServerResponse): void {
  const api = isApiPath(pathOf(req.url));
  const writeHead = res.writeHead as (this: ServerResponse, ...args: unknown[]) => ServerResponse;
  res.writeHead = function (
    this: ServerResponse,
    statusCode: number,
    reasonOrHeaders?: string | HeaderInput,
    maybeHeaders?: HeaderInput,
  ) {
    const reason = typeof reasonOrHeaders === "string" ? reasonOrHeaders : undefined;
    const given = typeof reasonOrHeaders === "string" ? maybeHeaders : reasonOrHeaders;
    const head = headWithDefaults(given, api, this.getHeaderNames());
    return reason === undefined
      ? writeHead.call(this, statusCode, head)
      : writeHead.call(this, statusCode, reason, head);
  } as ServerResponse["writeHead"];
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
