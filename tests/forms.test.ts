import { beforeEach, describe, expect, it } from "vitest";
import { auditLog } from "../src/db/schema.ts";
import { configFromEnv, startupWarnings } from "../src/env.ts";
import { makeTestApp, SAMPLE_SCHEMA, type Session, type TestApp } from "./helpers.ts";

let t: TestApp;
let admin: Session;
beforeEach(async () => {
  t = await makeTestApp();
  await t.user("admin", "admin");
  admin = await t.login("admin");
});

async function createForm(s: Session, body: Record<string, unknown> = {}) {
  const res = await t.call(s, "POST", "/api/forms", {
    title: "满意度调查",
    kind: "survey",
    schema: SAMPLE_SCHEMA,
    ...body,
  });
  expect(res.status).toBe(201);
  return (await res.json()).form as { id: string; status: string };
}

describe("POST /api/forms", () => {
  it("creates a draft with the given schema", async () => {
    const form = await createForm(admin);
    expect(form.status).toBe("draft");
    const got = await (await t.call(admin, "GET", `/api/forms/${form.id}`)).json();
    expect(got.form.schema).toEqual(SAMPLE_SCHEMA);
    expect(got.form.latestVersion).toBeNull();
  });

  it("refuses an unknown kind with 400", async () => {
    const res = await t.call(admin, "POST", "/api/forms", { title: "x", kind: "quiz" });
    expect(res.status).toBe(400);
    expect((await res.json()).error.code).toBe("invalid_request");
  });

  it("refuses a schema calling an unregistered function with 422", async () => {
    const schema = {
      pages: [
        {
          name: "p",
          elements: [
            { type: "text", name: "a", visibleIf: "evilFn({b}) > 1" },
            { type: "text", name: "b" },
          ],
        },
      ],
    };
    const res = await t.call(admin, "POST", "/api/forms", { title: "x", kind: "survey", schema });
    expect(res.status).toBe(422);
    const body = await res.json();
    expect(body.error.code).toBe("invalid_schema");
    expect(JSON.stringify(body.error.details)).toContain("evilFn");
  });
});

describe("PUT /api/forms/:id", () => {
  it("saves the draft and refuses a broken one, keeping the previous draft", async () => {
    const form = await createForm(admin);
    const changed = { ...SAMPLE_SCHEMA, title: "新标题" };
    expect((await t.call(admin, "PUT", `/api/forms/${form.id}`, { schema: changed })).status).toBe(200);
    const broken = {
      pages: [{ name: "p", elements: [{ type: "text", name: "x", requiredIf: "nope({x})" }] }],
    };
    expect((await t.call(admin, "PUT", `/api/forms/${form.id}`, { schema: broken })).status).toBe(422);
    const got = await (await t.call(admin, "GET", `/api/forms/${form.id}`)).json();
    expect(got.form.schema.title).toBe("新标题");
  });
});

describe("POST /api/forms/:id/publish", () => {
  it("creates immutable numbered versions while the draft stays editable", async () => {
    const form = await createForm(admin);
    const p1 = await t.call(admin, "POST", `/api/forms/${form.id}/publish`);
    expect(p1.status).toBe(201);
    expect((await p1.json()).version).toBe(1);
    await t.call(admin, "PUT", `/api/forms/${form.id}`, { schema: { ...SAMPLE_SCHEMA, title: "第二版" } });
    const p2 = await t.call(admin, "POST", `/api/forms/${form.id}/publish`);
    expect((await p2.json()).version).toBe(2);
    const v1 = await (await t.call(admin, "GET", `/api/forms/${form.id}/versions/1`)).json();
    expect(v1.schema.title).toBe("满意度");
    const versions = await (await t.call(admin, "GET", `/api/forms/${form.id}/versions`)).json();
    expect(versions.items.map((v: { version: number }) => v.version)).toEqual([2, 1]);
    const actions = (await t.db.select().from(auditLog)).map((r) => r.action);
    expect(actions.filter((a) => a === "form.publish")).toHaveLength(2);
  });

  it("refuses to publish an empty form", async () => {
    const res = await t.call(admin, "POST", "/api/forms", { title: "空", kind: "survey" });
    const { form } = await res.json();
    const pub = await t.call(admin, "POST", `/api/forms/${form.id}/publish`);
    expect(pub.status).toBe(422);
    expect((await pub.json()).error.code).toBe("empty_form");
  });

  it("gives exactly one version number to concurrent publishes", async () => {
    const form = await createForm(admin);
    const results = await Promise.all(
      Array.from({ length: 5 }, () => t.call(admin, "POST", `/api/forms/${form.id}/publish`)),
    );
    const versions = (await (await t.call(admin, "GET", `/api/forms/${form.id}/versions`)).json()).items;
    const created = results.filter((r) => r.status === 201).length;
    expect(created).toBe(versions.length);
    expect(results.every((r) => r.status === 201 || r.status === 409)).toBe(true);
  });
});

describe("unpublish, archive, restore", () => {
  it("stops the public form and brings it back as a draft", async () => {
    const form = await createForm(admin);
    await t.call(admin, "POST", `/api/forms/${form.id}/publish`);
    expect((await t.app.request(`/api/public/forms/${form.id}`)).status).toBe(200);
    expect((await t.call(admin, "POST", `/api/forms/${form.id}/unpublish`)).status).toBe(200);
    expect((await t.app.request(`/api/public/forms/${form.id}`)).status).toBe(404);
    expect((await t.call(admin, "POST", `/api/forms/${form.id}/archive`)).status).toBe(200);
    expect((await t.call(admin, "POST", `/api/forms/${form.id}/publish`)).status).toBe(409);
    const restored = await t.call(admin, "POST", `/api/forms/${form.id}/restore`);
    expect((await restored.json()).form.status).toBe("draft");
  });
});

describe("publishing only what changed, and 恢复收集 (issue 18 #5, #8)", () => {
  it("refuses to publish a draft identical to the latest version with 409 unchanged, storing nothing", async () => {
    const form = await createForm(admin);
    expect((await t.call(admin, "POST", `/api/forms/${form.id}/publish`)).status).toBe(201);
    // Saved again without edits: still the same draft.
    await t.call(admin, "PUT", `/api/forms/${form.id}`, { schema: SAMPLE_SCHEMA });
    const again = await t.call(admin, "POST", `/api/forms/${form.id}/publish`);
    expect(again.status).toBe(409);
    expect((await again.json()).error).toMatchObject({
      code: "unchanged",
      message: expect.stringContaining("第 1 版"),
    });
    const versions = (await (await t.call(admin, "GET", `/api/forms/${form.id}/versions`)).json()).items;
    expect(versions).toHaveLength(1);
    await t.call(admin, "PUT", `/api/forms/${form.id}`, { schema: { ...SAMPLE_SCHEMA, title: "改过" } });
    expect((await t.call(admin, "POST", `/api/forms/${form.id}/publish`)).status).toBe(201);
  });

  it("resumes a stopped form with the same version, audited, and refuses one that is not stopped", async () => {
    const form = await createForm(admin);
    expect((await t.call(admin, "POST", `/api/forms/${form.id}/resume`)).status).toBe(409);
    await t.call(admin, "POST", `/api/forms/${form.id}/publish`);
    expect((await t.call(admin, "POST", `/api/forms/${form.id}/resume`)).status).toBe(409);
    await t.call(admin, "POST", `/api/forms/${form.id}/unpublish`);
    expect((await t.app.request(`/api/public/forms/${form.id}`)).status).toBe(404);
    const resumed = await t.call(admin, "POST", `/api/forms/${form.id}/resume`);
    expect(resumed.status).toBe(200);
    expect((await resumed.json()).form).toMatchObject({
      status: "published",
      publishedVersion: 1,
      latestVersion: 1,
    });
    const live = await t.app.request(`/api/public/forms/${form.id}`);
    expect((await live.json()).version).toBe(1);
    const actions = (await t.db.select().from(auditLog)).map((r) => r.action);
    expect(actions).toContain("form.resume");
  });
});

describe("access by role and department", () => {
  it("hides another department's form (404) and forbids officers (403)", async () => {
    const a = await t.department("a");
    const b = await t.department("b");
    await t.user("heada", "dept_admin", a);
    await t.user("headb", "dept_admin", b);
    await t.user("off", "officer", a);
    const sa = await t.login("heada");
    const sb = await t.login("headb");
    const form = await createForm(sa);
    for (const [method, path, body] of [
      ["GET", `/api/forms/${form.id}`],
      ["PUT", `/api/forms/${form.id}`, { title: "hijack" }],
      ["POST", `/api/forms/${form.id}/publish`],
      ["GET", `/api/forms/${form.id}/versions`],
      ["GET", `/api/forms/${form.id}/responses`],
      ["GET", `/api/forms/${form.id}/responses.csv`],
      ["GET", `/api/forms/${form.id}/qr.png`],
    ] as [string, string, unknown?][]) {
      const res = await t.call(sb, method, path, body);
      expect(res.status, `${method} ${path}`).toBe(404);
    }
    const listB = await (await t.call(sb, "GET", "/api/forms")).json();
    expect(listB.items).toEqual([]);
    const officer = await t.login("off");
    expect((await t.call(officer, "GET", "/api/forms")).status).toBe(403);
    expect((await t.call(officer, "GET", `/api/forms/${form.id}`)).status).toBe(403);
  });

  it("lets a supervisor read but not change", async () => {
    await t.user("sup", "supervisor");
    const form = await createForm(admin);
    const sup = await t.login("sup");
    expect((await t.call(sup, "GET", `/api/forms/${form.id}`)).status).toBe(200);
    expect((await t.call(sup, "PUT", `/api/forms/${form.id}`, { title: "x" })).status).toBe(403);
    expect((await t.call(sup, "POST", `/api/forms/${form.id}/publish`)).status).toBe(403);
  });

  it("requires login for the admin API", async () => {
    const res = await t.app.request("/api/forms");
    expect(res.status).toBe(401);
    expect((await res.json()).error.code).toBe("unauthenticated");
  });
});

describe("sharing", () => {
  it("returns the public link and QR images", async () => {
    const form = await createForm(admin);
    const share = await (await t.call(admin, "GET", `/api/forms/${form.id}/share`)).json();
    expect(share.url).toBe(`http://localhost/f/${form.id}`);
    const svg = await t.call(admin, "GET", `/api/forms/${form.id}/qr.svg`);
    expect(svg.headers.get("content-type")).toMatch(/image\/svg\+xml/);
    expect(await svg.text()).toContain("<svg");
    const png = await t.call(admin, "GET", `/api/forms/${form.id}/qr.png?size=300`);
    const bytes = new Uint8Array(await png.arrayBuffer());
    expect([...bytes.slice(0, 4)]).toEqual([0x89, 0x50, 0x4e, 0x47]);
    expect((await t.call(admin, "GET", `/api/forms/${form.id}/qr.png?size=99999`)).status).toBe(400);
  });

  it("refuses a link or QR code for a Host outside ALLOWED_HOSTS when PUBLIC_URL is unset", async () => {
    const form = await createForm(admin);
    for (const path of ["share", "qr.svg", "qr.png"]) {
      const res = await t.call(admin, "GET", `http://evil.example/api/forms/${form.id}/${path}`);
      expect(res.status, path).toBe(409);
      const body = await res.json();
      expect(body.error.code, path).toBe("public_url_required");
      expect(body.error.message, path).toContain("PUBLIC_URL");
    }
    // The machine's own names are allowed by default, with any port.
    const own = await t.call(admin, "GET", `http://127.0.0.1:8787/api/forms/${form.id}/share`);
    expect((await own.json()).url).toBe(`http://127.0.0.1:8787/f/${form.id}`);
  });

  it("checks a trusted proxy's X-Forwarded-Host too, and takes the hosts ALLOWED_HOSTS names", async () => {
    t = await makeTestApp({ TRUST_PROXY: "1", ALLOWED_HOSTS: "forms.jinan.example, 10.1.2.3:8080" });
    await t.user("admin", "admin");
    admin = await t.login("admin");
    const form = await createForm(admin);
    const share = (host: string, proto = "https") =>
      t.call(admin, "GET", `/api/forms/${form.id}/share`, undefined, {
        "X-Forwarded-Host": host,
        "X-Forwarded-Proto": proto,
      });
    expect((await (await share("forms.jinan.example")).json()).url).toBe(
      `https://forms.jinan.example/f/${form.id}`,
    );
    expect((await (await share("10.1.2.3:8080", "http")).json()).url).toBe(
      `http://10.1.2.3:8080/f/${form.id}`,
    );
    for (const host of ["evil.example", "10.1.2.3:9999", "forms.jinan.example@evil.example", "localhost"]) {
      expect((await share(host)).status, host).toBe(409);
    }
    expect((await share("forms.jinan.example", "javascript")).status).toBe(409);
  });

  it("warns at start in production when PUBLIC_URL is unset", () => {
    const config = (env: Record<string, string>) => configFromEnv(env, "x".repeat(40));
    const production = { NODE_ENV: "production" };
    expect(startupWarnings(production, config(production))).toEqual([
      expect.stringContaining("PUBLIC_URL is not set"),
    ]);
    const set = { ...production, PUBLIC_URL: "https://forms.jinan.example" };
    expect(startupWarnings(set, config(set))).toEqual([]);
    expect(startupWarnings({}, config({}))).toEqual([]);
  });

  it("uses PUBLIC_URL for the link when set", async () => {
    t = await makeTestApp({ PUBLIC_URL: "https://forms.jinan.example/" });
    await t.user("admin", "admin");
    admin = await t.login("admin");
    const form = await createForm(admin);
    const share = await (await t.call(admin, "GET", `/api/forms/${form.id}/share`)).json();
    expect(share.url).toBe(`https://forms.jinan.example/f/${form.id}`);
  });
});
