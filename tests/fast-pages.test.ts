import { brotliDecompressSync } from "node:zlib";
import { readFileSync } from "node:fs";
import { eq } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import { createApp } from "../src/app.ts";
import { configFromEnv } from "../src/env.ts";
import { enterprises } from "../src/db/schema.ts";
import { PublishedFormCache } from "../src/forms/published-cache.ts";
import { ValidatorCache } from "../src/forms/validator-cache.ts";
import { MemoryRateLimiter } from "../src/lib/rate-limit.ts";
import { nodeAssets } from "../src/node/assets.ts";
import { DAY, makeInspection, makeWorld, type World } from "./evaluation-fixtures.ts";
import { enterpriseCall } from "./enterprise-fixtures.ts";
import { makeTestApp, SAMPLE_SCHEMA, type Session, type TestApp } from "./helpers.ts";
import { WORKER_TARGET } from "./worker/target.ts";

let t: TestApp;

describe("GET /i/:code (the facts in the HTML)", () => {
  let w: World;
  beforeEach(async () => {
    t = await makeTestApp({ SUBMIT_RATE_PER_MINUTE: "100" });
    w = await makeWorld(t);
  });

  it("sends who inspects, the items, the basis, the rights and the yearly count before any script", async () => {
    const { code } = await makeInspection(t, w, { status: "approved", plannedStart: Date.now() + DAY });
    const res = await t.app.request(`/i/${code}`);
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("no-store");
    const html = await res.text();
    const facts = html.slice(html.indexOf('id="facts"'), html.indexOf('id="page-data"'));
    expect(facts).not.toContain('id="facts" hidden');
    for (const text of [
      "张明",
      "37010001",
      "李华",
      "SC-001",
      "食品经营许可情况检查",
      "第一百一十条",
      "核验身份",
    ])
      expect(facts).toContain(text);
    expect(facts).toMatch(/含本次）共<strong>1<\/strong>次/);
    // The embedded data is what the API answers (no questionnaire here: the evaluation is not open),
    // so the script needs no second request to show the page.
    const embedded = JSON.parse(
      html.match(/<script type="application\/json" id="page-data">(.*?)<\/script>/s)![1]!,
    );
    const api = await (await t.app.request(`/api/public/inspections/${code}`)).json();
    expect(embedded).toEqual(api);
  });

  it("escapes what it writes into the page", async () => {
    await t.db
      .update(enterprises)
      .set({ name: "</script><img src=x onerror=alert(1)>公司" })
      .where(eq(enterprises.id, w.enterpriseId));
    const { code } = await makeInspection(t, w, { status: "approved", plannedStart: Date.now() + DAY });
    const html = await (await t.app.request(`/i/${code}`)).text();
    expect(html).not.toContain("<img src=x");
    expect(html).toContain("&lt;/script&gt;&lt;img src=x");
    expect(html.match(/<\/script>/g)!.length).toBe(html.match(/<script/g)!.length);
  });

  it("is the bare page for a forged code, whose script then asks the API and explains", async () => {
    const { code } = await makeInspection(t, w, { status: "approved", plannedStart: Date.now() + DAY });
    const res = await t.app.request(`/i/${code.slice(0, -2)}xx`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('id="facts" hidden');
    expect(html).not.toContain("page-data");
    expect(html).not.toContain("张明");
  });

  it("tells the signed-in enterprise in the HTML that it may evaluate (its own session is read)", async () => {
    const { code } = await makeInspection(t, w, {
      status: "registered",
      plannedStart: Date.now() - 3_600_000,
    });
    const res = await enterpriseCall(t, w.enterprise, "GET", `/i/${code}`);
    const html = await res.text();
    const embedded = JSON.parse(html.match(/id="page-data">(.*?)<\/script>/s)![1]!);
    expect(embedded.viewer).toBe("enterprise");
    expect(embedded.evaluation.version).toBeGreaterThan(0);
    expect(embedded.evaluation.closesAt).toBeTruthy();
  });

  it("leaves the evaluation questionnaire out of the HTML; the API the page asks when evaluating starts has it", async () => {
    const { code } = await makeInspection(t, w, {
      status: "registered",
      plannedStart: Date.now() - 3_600_000,
    });
    // Twice: the first request builds the cached view, the second is served from it.
    for (let round = 0; round < 2; round++) {
      const html = await (await enterpriseCall(t, w.enterprise, "GET", `/i/${code}`)).text();
      const api = await (
        await enterpriseCall(t, w.enterprise, "GET", `/api/public/inspections/${code}`)
      ).json();
      const { schema, ...meta } = api.evaluation;
      expect(schema.pages.length).toBeGreaterThan(0);
      const embedded = JSON.parse(html.match(/id="page-data">(.*?)<\/script>/s)![1]!);
      expect(embedded).toEqual({ ...api, evaluation: meta });
      for (const question of schema.pages.flatMap((p: { elements: { name: string }[] }) => p.elements))
        expect(html).not.toContain(`"${question.name}"`);
      // The facts shown before evaluating are still in the HTML.
      for (const text of ["张明", "SC-001", "第一百一十条", "核验身份"]) expect(html).toContain(text);
    }
  });
});

describe("bundles", () => {
  beforeEach(async () => {
    t = await makeTestApp();
  });

  it("pages name hashed bundles, served immutable and precompressed; the HTML is no-cache", async () => {
    const page = await t.app.request("/f/some-form");
    expect(page.headers.get("cache-control")).toBe("no-cache");
    const html = await page.text();
    const script = html.match(/src="(\/build\/runner-[A-Z0-9]+\.js)"/)?.[1];
    const style = html.match(/href="(\/build\/css\/app-[A-Z0-9]+\.css)"/)?.[1];
    expect(script, html).toBeTruthy();
    expect(style).toBeTruthy();
    const res = await t.app.request(script!, { headers: { "Accept-Encoding": "gzip, deflate, br" } });
    expect(res.status).toBe(200);
    // Under workerd the Worker is handed `Accept-Encoding: gzip` whatever the client sent (observed in
    // this test), so it can only pick gzip there; Node sees the client's header and picks brotli.
    expect(res.headers.get("content-encoding")).toBe(WORKER_TARGET ? "gzip" : "br");
    expect(res.headers.get("cache-control")).toContain("immutable");
    expect(res.headers.get("vary")).toBe("Accept-Encoding");
    if (!WORKER_TARGET) {
      const body = brotliDecompressSync(Buffer.from(await res.arrayBuffer()));
      expect(body.equals(readFileSync(`public${script}`))).toBe(true);
    }
    const gz = await t.app.request(script!, { headers: { "Accept-Encoding": "gzip" } });
    expect(gz.headers.get("content-encoding")).toBe("gzip");
    const plain = await t.app.request(script!, { headers: { "Accept-Encoding": "identity" } });
    expect(plain.headers.get("content-encoding")).toBeNull();
  });

  it("still answers the name a page writes (/build/runner.js), revalidated rather than immutable", async () => {
    const res = await t.app.request("/build/runner.js");
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("no-cache");
  });
});

describe("GET /api/public/forms/:id from memory", () => {
  let admin: Session;
  let formId: string;
  beforeEach(async () => {
    t = await makeTestApp();
    await t.user("admin", "admin");
    admin = await t.login("admin");
    const res = await t.call(admin, "POST", "/api/forms", {
      title: "问卷",
      kind: "survey",
      schema: SAMPLE_SCHEMA,
    });
    formId = (await res.json()).form.id;
    expect((await t.call(admin, "POST", `/api/forms/${formId}/publish`)).status).toBe(201);
  });

  it("serves the published version, and nothing once the form is stopped or archived", async () => {
    const res = await t.app.request(`/api/public/forms/${formId}`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ id: formId, title: "问卷", version: 1, schema: SAMPLE_SCHEMA });
    await t.call(admin, "POST", `/api/forms/${formId}/unpublish`);
    expect((await t.app.request(`/api/public/forms/${formId}`)).status).toBe(404);
    // A publish needs a changed draft (an unchanged one is 409 unchanged; 恢复收集 reopens v1).
    await t.call(admin, "PUT", `/api/forms/${formId}`, { schema: { ...SAMPLE_SCHEMA, title: "第二版" } });
    await t.call(admin, "POST", `/api/forms/${formId}/publish`);
    expect((await (await t.app.request(`/api/public/forms/${formId}`)).json()).version).toBe(2);
    await t.call(admin, "POST", `/api/forms/${formId}/archive`);
    expect((await t.app.request(`/api/public/forms/${formId}`)).status).toBe(404);
  });

  it.skipIf(WORKER_TARGET)(
    "another isolate's stop is seen at once (no cross-isolate message needed)",
    async () => {
      // A second app on the same database stands in for a second Workers isolate with its own cache.
      const other = createApp({
        db: t.db,
        config: configFromEnv({}, "test-secret-".padEnd(40, "x")),
        rateLimiter: new MemoryRateLimiter(),
        validators: new ValidatorCache(5),
        remoteAddress: () => "127.0.0.2",
        assets: nodeAssets("public"),
      });
      expect((await other.request(`/api/public/forms/${formId}`)).status).toBe(200);
      await t.call(admin, "POST", `/api/forms/${formId}/unpublish`);
      expect((await other.request(`/api/public/forms/${formId}`)).status).toBe(404);
    },
  );

  it.skipIf(WORKER_TARGET)(
    "the Node server's trusted cache is invalidated by its own publish, stop and archive",
    async () => {
      const node = createApp({
        db: t.db,
        config: configFromEnv({}, "test-secret-".padEnd(40, "x")),
        rateLimiter: new MemoryRateLimiter(),
        validators: new ValidatorCache(5),
        remoteAddress: () => "127.0.0.3",
        assets: nodeAssets("public"),
        publishedForms: new PublishedFormCache({ trustLocal: true }),
      });
      const get = () => node.request(`/api/public/forms/${formId}`);
      const post = (action: string) =>
        node.request(`/api/forms/${formId}/${action}`, {
          method: "POST",
          headers: { Cookie: admin.cookie, "X-CSRF-Token": admin.csrf },
        });
      expect((await get()).status).toBe(200);
      expect((await post("unpublish")).status).toBe(200);
      expect((await get()).status).toBe(404);
      await t.call(admin, "PUT", `/api/forms/${formId}`, { schema: { ...SAMPLE_SCHEMA, title: "第二版" } });
      expect((await post("publish")).status).toBe(201);
      expect((await (await get()).json()).version).toBe(2);
      expect((await post("archive")).status).toBe(200);
      expect((await get()).status).toBe(404);
    },
  );
});
