/**
 * The security headers and the API's default Cache-Control come from one middleware (src/front.ts),
 * in the main app and the submission lane alike. The real Node server must answer every kind of
 * response with the same headers as app.request(): a page, an API answer, a route's own
 * Cache-Control, a 404, refusals of the body checks, and what the adapter answers itself when it
 * cannot make a web Request of what came in (src/node/listener.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { API_CACHE_CONTROL, SECURITY_HEADERS } from "../../src/lib/security.ts";
import { request as httpRequest } from "node:http";
import { makeTestApp, type TestApp } from "../helpers.ts";
import { startServer, tempDatabase, type ServerProcess } from "./support.ts";

const tmp = tempDatabase("lianma-headers-");
let server: ServerProcess;
let inProcess: TestApp;
beforeAll(async () => {
  server = await startServer(tmp.path);
  inProcess = await makeTestApp();
}, 60_000);
afterAll(async () => {
  await server?.stop();
  tmp.cleanup();
});

const CHECKED = [...SECURITY_HEADERS.map(([name]) => name.toLowerCase()), "cache-control"];

const REQUESTS: {
  name: string;
  path: string;
  init?: RequestInit;
  status: number;
  cacheControl: string | null;
}[] = [
  { name: "page", path: "/login", status: 200, cacheControl: "no-cache" },
  { name: "health check", path: "/healthz", status: 200, cacheControl: null },
  { name: "API refusal", path: "/api/auth/me", status: 401, cacheControl: API_CACHE_CONTROL },
  {
    name: "API with its own Cache-Control",
    path: "/api/public/catalog",
    status: 200,
    cacheControl: "public, max-age=60",
  },
  { name: "unknown API path", path: "/api/nothing-here", status: 404, cacheControl: API_CACHE_CONTROL },
  { name: "unknown page", path: "/nothing-here", status: 404, cacheControl: null },
  {
    name: "415 from the body check",
    path: "/api/public/forms/x/responses",
    init: { method: "POST", headers: { "Content-Type": "text/plain" }, body: "{}" },
    status: 415,
    cacheControl: API_CACHE_CONTROL,
  },
  {
    name: "400 from the JSON depth check",
    path: "/api/public/forms/x/responses",
    init: { method: "POST", headers: { "Content-Type": "application/json" }, body: "[".repeat(100) },
    status: 400,
    cacheControl: API_CACHE_CONTROL,
  },
];

const picked = (res: Response) => Object.fromEntries(CHECKED.map((name) => [name, res.headers.get(name)]));

describe("default response headers on the Node server", () => {
  it.each(REQUESTS)(
    "$name: the same headers as the app's middleware",
    async ({ path, init, status, cacheControl }) => {
      const real = await fetch(`${server.url}${path}`, init);
      const app = await inProcess.app.request(path, init);
      expect(real.status).toBe(status);
      expect(app.status).toBe(status);
      const headers = picked(real);
      for (const [name, value] of SECURITY_HEADERS) expect(headers[name.toLowerCase()]).toBe(value);
      expect(headers["cache-control"]).toBe(cacheControl);
      expect(headers).toEqual(picked(app));
      await real.arrayBuffer();
    },
  );

  it("writes each header once", async () => {
    const res = await fetch(`${server.url}/api/public/catalog`);
    // undici joins repeated headers with ", "; a header written twice would show up so.
    expect(res.headers.get("x-frame-options")).toBe("DENY");
    expect(res.headers.get("cache-control")).toBe("public, max-age=60");
    await res.arrayBuffer();
  });

  it("a request the adapter cannot parse gets the JSON error and the same headers", async () => {
    const { hostname, port } = new URL(server.url);
    const res = await new Promise<{ status: number; headers: Record<string, unknown>; body: string }>(
      (resolve, reject) => {
        // A Host that is no host name: @hono/node-server refuses to make a web Request of it.
        const req = httpRequest({ hostname, port, path: "/api/auth/me", headers: { host: "a b" } }, (r) => {
          let body = "";
          r.on("data", (chunk) => (body += chunk));
          r.on("end", () => resolve({ status: r.statusCode ?? 0, headers: r.headers, body }));
        });
        req.on("error", reject);
        req.end();
      },
    );
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body)).toEqual({ error: { code: "bad_request", message: "请求无法解析" } });
    for (const [name, value] of SECURITY_HEADERS) expect(res.headers[name.toLowerCase()]).toBe(value);
    expect(res.headers["cache-control"]).toBe(API_CACHE_CONTROL);
  });
});
