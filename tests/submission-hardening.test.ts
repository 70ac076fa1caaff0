import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { forms } from "../src/db/schema.ts";
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

  // The message names the question by its title (issue 18 #4), the details by its name.
  const titles: Record<string, string> = { topics: "关注的方面", "contact.k0": "联系方式", name: "姓名" };
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
      expect(body.error.message).toContain(`「${titles[name]}」`);
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

describe("form-author regexes and expressions are bounded at save and publish (issue 14, item 3)", () => {
  const withRegex = (regex: string) => ({
    elements: [{ type: "text", name: "code", title: "编码", validators: [{ type: "regex", regex }] }],
  });
  const create = (schema: unknown) =>
    t.call(admin, "POST", "/api/forms", { title: "限制", kind: "survey", schema });

  it("refuses a regex the linear engine cannot run (backreference, lookahead) with 422 naming the question", async () => {
    for (const regex of ["^(a)\\1$", "^(?=a).+$"]) {
      const res = await create(withRegex(regex));
      expect(res.status).toBe(422);
      const body = await res.json();
      expect(body.error.code).toBe("invalid_schema");
      expect(body.error.message).toContain('题目 "code"');
      expect(body.error.details[0].path).toBe("elements[0].validators[0].regex");
    }
  });

  it("accepts an ordinary regex, and answers by it as the browser's engine would", async () => {
    const id = await publishedForm("survey", withRegex("^[\\u4e00-\\u9fa5]{2,4}\\s?$"));
    expect((await submit(id, { code: "张三\u3000" })).status).toBe(201);
    const refused = await submit(id, { code: "zhang" });
    expect(refused.status).toBe(400);
    expect((await refused.json()).error.details[0].name).toBe("code");
  });

  it("refuses a schema larger than FORM_SCHEMA_MAX_BYTES (a 400 KB chain of visibleIf)", async () => {
    const elements = Array.from({ length: 4000 }, (_, i) => ({
      type: "text",
      name: `question_${i}`,
      title: `第 ${i} 题`,
      ...(i ? { visibleIf: `{question_${i - 1}} notempty` } : {}),
    }));
    const schema = { elements };
    expect(JSON.stringify(schema).length).toBeGreaterThan(300_000);
    const res = await create(schema);
    expect(res.status).toBe(422);
    expect((await res.json()).error.message).toContain("表单定义过大");
  });

  it("refuses more expressions than FORM_MAX_EXPRESSIONS", async () => {
    const elements = Array.from({ length: 302 }, (_, i) => ({
      type: "text",
      name: `q${i}`,
      ...(i ? { visibleIf: `{q0} = ${i}` } : {}),
    }));
    const res = await create({ elements });
    expect(res.status).toBe(422);
    expect((await res.json()).error.message).toContain("表达式过多：301 个，上限 300 个");
  });

  it("refuses an expression nested deeper than FORM_MAX_EXPRESSION_DEPTH, naming where", async () => {
    const deep = Array.from({ length: 40 }, (_, i) => `{a} = ${i}`).join(" or ");
    const res = await create({
      elements: [
        { type: "text", name: "a" },
        { type: "text", name: "b", visibleIf: deep },
      ],
    });
    expect(res.status).toBe(422);
    const body = await res.json();
    expect(body.error.message).toContain("表达式嵌套过深");
    expect(body.error.details[0].path).toBe("elements[1].visibleIf");
  });

  it("refuses to publish a draft stored before the limits", async () => {
    const res = await create({ elements: [{ type: "text", name: "a" }] });
    const id: string = (await res.json()).form.id;
    const elements = Array.from({ length: 302 }, (_, i) => ({
      type: "text",
      name: `q${i}`,
      visibleIf: `{q0} = ${i}`,
    }));
    await t.db
      .update(forms)
      .set({ draftSchema: JSON.stringify({ elements }) })
      .where(eq(forms.id, id));
    const published = await t.call(admin, "POST", `/api/forms/${id}/publish`);
    expect(published.status).toBe(422);
    expect((await published.json()).error.message).toContain("表达式过多");
  });

  it("takes its limits from the configuration", async () => {
    const small = await makeTestApp({ FORM_SCHEMA_MAX_BYTES: "200" });
    await small.user("admin", "admin");
    const session = await small.login("admin");
    const res = await small.call(session, "POST", "/api/forms", {
      title: "小",
      kind: "survey",
      schema: { elements: [{ type: "text", name: "a", title: "一".repeat(100) }] },
    });
    expect(res.status).toBe(422);
    expect((await res.json()).error.message).toContain("上限 0 KB");
  });
});
