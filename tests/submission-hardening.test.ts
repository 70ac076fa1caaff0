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

describe("oversized answers are refused before validation (issue 14, item 4)", () => {
  const schema = {
    elements: [
      { type: "text", name: "name", title: "姓名" },
      { type: "checkbox", name: "topics", title: "关注的方面", choices: ["price", "quality", "service"] },
      {
        type: "multipletext",
        name: "contact",
        title: "联系方式",
        items: [{ name: "phone" }, { name: "email" }],
      },
    ],
  };
  let formId: string;

  beforeAll(async () => {
    formId = await publishedForm("survey", schema);
  });

  const cases: [string, Record<string, unknown>, string][] = [
    [
      "110,000 repeated checkbox values",
      { topics: Array.from({ length: 110_000 }, () => "price") },
      "topics",
    ],
    ["a duplicated checkbox value", { topics: ["price", "price"] }, "topics"],
    [
      "unknown multipletext items",
      { contact: Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [`k${i}`, "x"])) },
      "contact.k0",
    ],
    ["{} for a text question", { name: {} }, "name"],
  ];

  for (const [what, data, name] of cases) {
    it(`refuses ${what} with 400 invalid_response naming the question, and stores nothing`, async () => {
      const res = await submit(formId, data);
      expect(res.status).toBe(400);
      const body = await res.json();
      expect(body.error.code).toBe("invalid_response");
      expect(body.error.message).toContain(name);
      expect(body.error.details[0].name).toBe(name);
    });
  }

  it("still accepts a plain answer, and stored none of the refused ones", async () => {
    expect(
      (await submit(formId, { name: "张三", topics: ["price", "service"], contact: { phone: "1" } })).status,
    ).toBe(201);
    const listed = await t.call(admin, "GET", `/api/forms/${formId}/responses`);
    expect((await listed.json()).items).toHaveLength(1);
  });
});
