import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { responses } from "../src/db/schema.ts";
import { makeTestApp, SAMPLE_SCHEMA, type Session, type TestApp } from "./helpers.ts";
import { WORKER_TARGET } from "./worker/target.ts";

let t: TestApp;
let admin: Session;
let formId: string;

beforeAll(async () => {
  t = await makeTestApp();
  await t.user("admin", "admin");
  admin = await t.login("admin");
  const res = await t.call(admin, "POST", "/api/forms", {
    title: "表",
    kind: "survey",
    schema: SAMPLE_SCHEMA,
  });
  formId = (await res.json()).form.id;
  await t.call(admin, "POST", `/api/forms/${formId}/publish`);
});

const submitUrl = () => `/api/public/forms/${formId}/responses`;

describe("body limits", () => {
  const big = "x".repeat(10 * 1024 * 1024);

  it("answers 413 to a 10 MB body with Content-Length", async () => {
    const res = await t.app.request(submitUrl(), {
      method: "POST",
      headers: { "Content-Type": "application/json", "Content-Length": String(big.length) },
      body: JSON.stringify({ id: randomUUID(), version: 1, data: { name: big } }),
    });
    expect(res.status).toBe(413);
    expect((await res.json()).error.code).toBe("payload_too_large");
  });

  it("answers 413 to a chunked 10 MB body without Content-Length", async () => {
    const chunk = new TextEncoder().encode("x".repeat(64 * 1024));
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent === 0)
          controller.enqueue(new TextEncoder().encode('{"id":"a","version":1,"data":{"name":"'));
        if (sent >= 160) return controller.close();
        sent++;
        controller.enqueue(chunk);
      },
    });
    const request = async () =>
      t.app.request(submitUrl(), {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body,
        // @ts-expect-error Node's fetch needs duplex for a streamed body
        duplex: "half",
      });
    const res: Response | (Error & { cause?: { code?: string } }) = await request().catch((error) => error);
    if (res instanceof Error) {
      // workerd may answer 413 and close the socket while the client is still writing the body; the
      // client then sees the refusal as a reset. Only there, and only as a reset.
      expect(WORKER_TARGET).toBe(true);
      expect(res.cause?.code).toMatch(/^(ECONNRESET|EPIPE)$/);
    } else {
      expect(res.status).toBe(413);
    }
    expect(await t.db.select().from(responses)).toHaveLength(0);
  });

  it("keeps serving afterwards", async () => {
    expect((await t.app.request("/healthz")).status).toBe(200);
  });
});

describe("JSON shape", () => {
  it("refuses JSON nested 10,000 deep with 400", async () => {
    const deep = "[".repeat(10_000) + "]".repeat(10_000);
    const res = await t.app.request(submitUrl(), {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: `{"id":"${randomUUID()}","version":1,"data":{"name":${deep}}}`,
    });
    expect(res.status).toBe(400);
    expect((await res.json()).error.code).toBe("json_too_deep");
  });

  it("refuses a non-JSON Content-Type on a public write with 415", async () => {
    const res = await t.app.request(submitUrl(), {
      method: "POST",
      headers: { "Content-Type": "text/plain" },
      body: JSON.stringify({ id: randomUUID(), version: 1, data: { name: "x", rating: "good" } }),
    });
    expect(res.status).toBe(415);
  });

  it("refuses malformed JSON with 400 in the standard error shape", async () => {
    const res = await t.app.request(submitUrl(), {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: '{"id": ',
    });
    expect(res.status).toBe(400);
    const body = await res.json();
    expect(body.error).toMatchObject({ code: expect.any(String), message: expect.any(String) });
  });
});

describe("headers", () => {
  it("sends a CSP without inline scripts, nosniff and no-referrer", async () => {
    const res = await t.app.request("/healthz");
    const csp = res.headers.get("content-security-policy")!;
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("referrer-policy")).toBe("no-referrer");
    expect(res.headers.get("x-frame-options")).toBe("DENY");
  });

  it("marks API responses no-store", async () => {
    const res = await t.call(admin, "GET", "/api/forms");
    expect(res.headers.get("cache-control")).toBe("no-store");
  });
});

describe("paths", () => {
  it.each(["/%61pi/forms", "/api/%66orms", "//api/forms", "/api//forms"])(
    "gives %s the same auth decision as the plain path",
    async (path) => {
      const res = await t.app.request(path);
      expect([401, 404]).toContain(res.status);
      expect(res.status).not.toBe(200);
    },
  );

  it.each([
    "/build/..%2f..%2fpackage.json",
    "/css/%2e%2e/%2e%2e/package.json",
    "/build/%5c..%5cpackage.json",
  ])("does not serve files outside public/ for %s", async (path) => {
    const res = await t.app.request(path);
    expect(res.status).toBe(404);
  });

  it("redirects an anonymous admin page to the login page", async () => {
    const res = await t.app.request("/admin/forms");
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe("/login?next=%2Fadmin%2Fforms");
  });

  it("answers unknown API paths with a JSON 404", async () => {
    const res = await t.app.request("/api/nothing-here");
    expect(res.status).toBe(404);
    expect((await res.json()).error.code).toBe("not_found");
  });
});

describe("GET /api/openapi.json", () => {
  it("documents the routes from the same zod schemas", async () => {
    const doc = await (await t.app.request("/api/openapi.json")).json();
    expect(doc.openapi).toMatch(/^3\./);
    for (const path of [
      "/api/auth/login",
      "/api/forms",
      "/api/forms/{id}",
      "/api/forms/{id}/publish",
      "/api/forms/{id}/versions/{n}",
      "/api/forms/{id}/qr.png",
      "/api/forms/{id}/responses",
      "/api/forms/{id}/responses.csv",
      "/api/public/forms/{id}",
      "/api/public/forms/{id}/responses",
    ]) {
      expect(doc.paths, path).toHaveProperty([path]);
    }
    expect(doc.paths["/api/public/forms/{id}/responses"].post.requestBody).toBeTruthy();
  });
});

describe("static bundles", () => {
  it("are served gzip-compressed with nosniff", async () => {
    const res = await t.app.request("/build/login.js", { headers: { "Accept-Encoding": "gzip" } });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-encoding")).toBe("gzip");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
  });
});
