/**
 * The Node server writes the security headers and the API's default Cache-Control on the raw
 * response (src/node/headers.ts) instead of the app's middleware, which sets them everywhere else
 * (Workers, app.request()). Both must answer every kind of response with the same headers: a page,
 * an API answer, a route's own Cache-Control, a 404, and refusals of the body checks.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { API_CACHE_CONTROL, SECURITY_HEADERS } from "../../src/lib/security.ts";
import { headWithDefaults } from "../../src/node/headers.ts";
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
});

describe("headWithDefaults", () => {
  const pairs = (head: unknown[]) => {
    const out: [string, unknown][] = [];
    for (let i = 0; i < head.length; i += 2) out.push([String(head[i]), head[i + 1]]);
    return out;
  };
  const named = (head: unknown[], name: string) =>
    pairs(head).filter(([n]) => n.toLowerCase() === name.toLowerCase());

  it("adds every default and the API's Cache-Control to the app's fields", () => {
    const head = headWithDefaults({ "content-type": "application/json", "Content-Length": 12 }, true, []);
    expect(named(head, "content-length")).toEqual([["Content-Length", 12]]);
    for (const [name, value] of SECURITY_HEADERS) expect(named(head, name)).toEqual([[name, value]]);
    expect(named(head, "cache-control")).toEqual([["Cache-Control", API_CACHE_CONTROL]]);
    expect(named(headWithDefaults({}, false, []), "cache-control")).toEqual([]);
  });

  it("keeps the app's own value of a default field, whatever its case, and only that one", () => {
    const head = headWithDefaults(
      { "CACHE-control": "public, max-age=60", "x-frame-options": "SAMEORIGIN" },
      true,
      [],
    );
    expect(named(head, "cache-control")).toEqual([["CACHE-control", "public, max-age=60"]]);
    expect(named(head, "x-frame-options")).toEqual([["x-frame-options", "SAMEORIGIN"]]);
  });

  it("leaves out defaults set earlier with setHeader, which Node keeps", () => {
    const head = headWithDefaults(undefined, true, ["cache-control", "content-security-policy"]);
    expect(named(head, "cache-control")).toEqual([]);
    expect(named(head, "content-security-policy")).toEqual([]);
    expect(named(head, "x-content-type-options")).toHaveLength(1);
  });

  it("passes several cookies through as they are, from an object, a flat list or pairs", () => {
    const cookies = ["a=1; HttpOnly", "b=2"];
    expect(named(headWithDefaults({ "set-cookie": cookies }, true, []), "set-cookie")).toEqual([
      ["set-cookie", cookies],
    ]);
    const flat = headWithDefaults(
      ["Set-Cookie", "a=1", "Set-Cookie", "b=2", "X-Frame-Options", "SAMEORIGIN"],
      false,
      [],
    );
    expect(named(flat, "set-cookie")).toEqual([
      ["Set-Cookie", "a=1"],
      ["Set-Cookie", "b=2"],
    ]);
    expect(named(flat, "x-frame-options")).toEqual([["X-Frame-Options", "SAMEORIGIN"]]);
    const entries = headWithDefaults(
      [
        ["set-cookie", "a=1"],
        ["set-cookie", "b=2"],
      ],
      false,
      [],
    );
    expect(named(entries, "set-cookie")).toHaveLength(2);
  });
});
