/**
 * docs/API.md no longer lists routes: each route's documentation is its OpenAPI entry (served at
 * /api-docs). Every /api route of the app's route table must have one, with a summary, so a new route
 * cannot ship undocumented.
 */
import { describe, expect, it } from "vitest";
import { createApp } from "../src/app.ts";
import { configFromEnv, type AppDeps } from "../src/env.ts";
import { apiRoutes } from "./access-rules.ts";

/** Routes deliberately outside the OpenAPI document, with the reason. */
const NOT_IN_OPENAPI: Record<string, string> = {
  // Server-Sent Events: an endless text/event-stream OpenAPI cannot describe; docs/API.md "Live desk and webhooks".
  "GET /api/alerts/stream": "SSE stream, described in docs/API.md",
  // The document itself.
  "GET /api/openapi.json": "the OpenAPI document",
};

// Building the app registers routes; the document is answered without touching a database.
const app = createApp({
  config: configFromEnv({}, "x".repeat(40)),
  remoteAddress: () => "127.0.0.1",
} as unknown as AppDeps);

type Operation = { summary?: string };

describe("GET /api/openapi.json", () => {
  it("has an entry with a summary for every /api route of the route table", async () => {
    const res = await app.request("/api/openapi.json");
    expect(res.status).toBe(200);
    const doc = (await res.json()) as { paths: Record<string, Record<string, Operation>> };
    const documented = new Map<string, Operation>();
    for (const [path, ops] of Object.entries(doc.paths))
      for (const [method, op] of Object.entries(ops))
        documented.set(`${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ":$1")}`, op);

    const routes = apiRoutes(app.routes);
    expect(routes.length).toBeGreaterThan(100);
    const missing = routes.filter((r) => !documented.has(r) && !NOT_IN_OPENAPI[r]);
    const withoutSummary = routes.filter((r) => documented.has(r) && !documented.get(r)!.summary?.trim());
    expect(missing).toEqual([]);
    expect(withoutSummary).toEqual([]);
    // An exception that became documented (or disappeared) is taken off the list.
    expect(Object.keys(NOT_IN_OPENAPI).filter((r) => documented.has(r) || !routes.includes(r))).toEqual([]);
  });
});
