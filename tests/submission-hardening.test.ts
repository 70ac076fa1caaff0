import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { makeTestApp, SAMPLE_SCHEMA, type Session, type TestApp } from "./helpers.ts";

let t: TestApp;
let admin: Session;

async function publishedForm(kind: string, schema: unknown = SAMPLE_SCHEMA): Promise<string> {
  const res = await t.call(admin, "POST", "/api/forms", { title: `${kind} 表单`, kind, schema });
  const id: string = (await res.json()).form.id;
  const published = await t.call(admin, "POST", `/api/forms/${id}/publish`);
  if (published.status !== 201) throw new Error(`publish: ${published.status} ${await published.text()}`);
  return id;
}

const submit = (formId: string, data: unknown, version = 1) =>
  t.app.request(`/api/public/forms/${formId}/responses`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ id: randomUUID(), version, data }),
  });

beforeAll(async () => {
  t = await makeTestApp();
  await t.user("admin", "admin");
  admin = await t.login("admin");
});

describe("anonymous submission takes surveys only (issue 14, item 17)", () => {
  const valid = { name: "张三", rating: "good" };

  it("accepts a published survey", async () => {
    const id = await publishedForm("survey");
    expect((await t.app.request(`/api/public/forms/${id}`)).status).toBe(200);
    expect((await submit(id, valid)).status).toBe(201);
  });

  for (const kind of ["checklist", "evaluation"]) {
    it(`answers 404 for a published ${kind}, as for an unknown form, and stores nothing`, async () => {
      const id = await publishedForm(kind);
      const schemaRes = await t.app.request(`/api/public/forms/${id}`);
      expect(schemaRes.status).toBe(404);
      const res = await submit(id, valid);
      expect(res.status).toBe(404);
      expect((await res.json()).error.code).toBe("not_found");
      const unknown = await submit("no-such-form", valid);
      expect(unknown.status).toBe(404);
      const listed = await t.call(admin, "GET", `/api/forms/${id}/responses`);
      expect((await listed.json()).items).toEqual([]);
    });
  }
});
