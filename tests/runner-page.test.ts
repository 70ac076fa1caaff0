import { beforeEach, describe, expect, it } from "vitest";
import { jsonScriptText } from "../src/pages/runner-page.ts";
import { makeTestApp, SAMPLE_SCHEMA, type Session, type TestApp } from "./helpers.ts";

let t: TestApp;
let admin: Session;

const embedded = (html: string) =>
  /<script type="application\/json" id="form-data">([^<]*)<\/script>/.exec(html)?.[1] ?? null;

async function publish(title: string, schema: Record<string, unknown> = SAMPLE_SCHEMA) {
  const res = await t.call(admin, "POST", "/api/forms", { title, kind: "survey", schema });
  const id = (await res.json()).form.id as string;
  expect((await t.call(admin, "POST", `/api/forms/${id}/publish`)).status).toBe(201);
  return id;
}

describe("GET /f/:id (the live version in the HTML, issue 17)", () => {
  beforeEach(async () => {
    t = await makeTestApp();
    await t.user("admin", "admin");
    admin = await t.login("admin");
  });

  it("carries exactly what GET /api/public/forms/:id answers, so the runner needs no second request", async () => {
    const id = await publish("问卷");
    const res = await t.app.request(`/f/${id}`);
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("no-cache");
    const data = embedded(await res.text());
    expect(data).not.toBeNull();
    const api = await (await t.app.request(`/api/public/forms/${id}`)).json();
    expect(JSON.parse(data!)).toEqual(api);
  });

  it("follows the live version: a new publish is in the next page, a stop leaves the bare page", async () => {
    const id = await publish("问卷");
    await t.call(admin, "PUT", `/api/forms/${id}`, { schema: { ...SAMPLE_SCHEMA, title: "第二版" } });
    await t.call(admin, "POST", `/api/forms/${id}/publish`);
    expect(JSON.parse(embedded(await (await t.app.request(`/f/${id}`)).text())!).version).toBe(2);
    await t.call(admin, "POST", `/api/forms/${id}/unpublish`);
    const html = await (await t.app.request(`/f/${id}`)).text();
    expect(html).not.toContain("form-data");
    expect(html).toContain('id="survey"');
  });

  it("is the bare page for an unknown id, a checklist, or an id too long to be one", async () => {
    const checklist = await t.call(admin, "POST", "/api/forms", {
      title: "检查表",
      kind: "checklist",
      schema: SAMPLE_SCHEMA,
    });
    const checklistId = (await checklist.json()).form.id as string;
    await t.call(admin, "POST", `/api/forms/${checklistId}/publish`);
    for (const id of ["nope", checklistId, "x".repeat(65)]) {
      const res = await t.app.request(`/f/${id}`);
      expect(res.status, id).toBe(200);
      expect(await res.text(), id).not.toContain("form-data");
    }
  });

  it("cannot be closed or turned into markup by any text in the form", async () => {
    const evil = "</script><script>alert(1)</script><!--\u2028\u2029";
    const id = await publish(`表${evil}`, { ...SAMPLE_SCHEMA, title: evil });
    const html = await (await t.app.request(`/f/${id}`)).text();
    expect(html).not.toContain("<script>alert(1)");
    expect(html).not.toContain("<!--");
    expect(html.match(/<\/script>/g)!.length).toBe(html.match(/<script/g)!.length);
    expect(JSON.parse(embedded(html)!).schema.title).toBe(evil);
  });

  it("escapes every < and the JavaScript line separators", () => {
    expect(jsonScriptText('{"a":"</script>\u2028\u2029"}')).toBe('{"a":"\\u003c/script>\\u2028\\u2029"}');
  });
});

describe("modulepreload", () => {
  beforeEach(async () => {
    t = await makeTestApp();
  });

  it("names every chunk the runner imports before its script, each served immutable", async () => {
    const html = await (await t.app.request("/f/some-form")).text();
    const script = html.match(/<script type="module" src="(\/build\/runner-[A-Z0-9]+\.js)"/)?.[1];
    expect(script).toBeTruthy();
    const preloads = [...html.matchAll(/<link rel="modulepreload" href="([^"]+)" \/>/g)].map((m) => m[1]!);
    expect(preloads.length).toBeGreaterThan(0);
    expect(html.indexOf("modulepreload")).toBeLessThan(html.indexOf(script!));
    // Every chunk the script imports is named (else it would wait for the script to be found).
    const body = await (await t.app.request(script!, { headers: { "Accept-Encoding": "identity" } })).text();
    for (const [, chunk] of body.matchAll(/from"\.\/(chunks\/[^"]+)"/g)) {
      expect(preloads).toContain(`/build/${chunk}`);
    }
    for (const href of preloads) {
      const res = await t.app.request(href);
      expect(res.status, href).toBe(200);
      expect(res.headers.get("cache-control"), href).toContain("immutable");
    }
  });
});
