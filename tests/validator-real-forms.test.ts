import { beforeEach, describe, expect, it } from "vitest";
import { compileResponseValidator } from "../src/forms/compiled/index.ts";
import { createResponseValidator, ownMessages } from "../src/forms/reference-validator.ts";
import { findSchemaProblems } from "../src/forms/schema-problems.ts";
import { ValidatorCache } from "../src/forms/validator-cache.ts";
import { makeTestApp, type Session, type TestApp } from "./helpers.ts";
import { failingNames, loadDiffForms } from "./validator-fuzz.ts";

/** Issue 20: SurveyJS forms written by others, decided alike by the reference and the compiled path. */

function compiled(schema: object) {
  const outcome = compileResponseValidator(schema, "zh-cn", ownMessages("zh-cn"));
  if (!outcome.ok) throw new Error(`refused: ${outcome.reason}`);
  return outcome.validate;
}

/** Both paths' decisions: the reference, and the compiled validator (`undefined` when it defers). */
function both(schema: object, data: Record<string, unknown>) {
  const reference = createResponseValidator(schema)(data);
  const fast = compiled(schema)(data);
  return { reference: failingNames(reference), ok: reference.ok, fast: fast && failingNames(fast) };
}

describe("a page's and a panel's own isRequired / requiredIf (item 1)", () => {
  const pageRequired = {
    pages: [
      { name: "p1", elements: [{ type: "text", name: "name" }] },
      {
        name: "p2",
        isRequired: true,
        elements: [
          { type: "radiogroup", name: "a", choices: ["1", "2"] },
          { type: "radiogroup", name: "b", choices: ["1", "2"] },
        ],
      },
    ],
  };

  it("refuses a required page with no answer, on both paths", () => {
    expect(both(pageRequired, { name: "x" })).toEqual({ reference: ["p2"], ok: false, fast: ["p2"] });
    expect(both(pageRequired, { name: "x", b: "2" })).toEqual({ reference: [], ok: true, fast: [] });
  });

  const panelRequiredIf = {
    elements: [
      { type: "text", name: "z" },
      {
        type: "panel",
        name: "outer",
        requiredIf: "{z} = 'x'",
        requiredErrorText: "至少填一项",
        elements: [
          { type: "html", html: "<p>说明</p>" },
          { type: "text", name: "a" },
          {
            type: "panel",
            name: "inner",
            isRequired: true,
            visibleIf: "{z} = 'y'",
            elements: [{ type: "text", name: "b" }],
          },
        ],
      },
    ],
  };

  it("applies a panel's requiredIf and a hidden inner panel's answers do not count", () => {
    expect(both(panelRequiredIf, { z: "x" })).toEqual({ reference: ["outer"], ok: false, fast: ["outer"] });
    expect(both(panelRequiredIf, { z: "x", b: "q" })).toEqual({
      reference: ["outer"],
      ok: false,
      fast: ["outer"],
    });
    expect(both(panelRequiredIf, { z: "y" })).toEqual({ reference: ["inner"], ok: false, fast: ["inner"] });
    expect(both(panelRequiredIf, { z: "y", b: "q" })).toEqual({ reference: [], ok: true, fast: [] });
    expect(createResponseValidator(panelRequiredIf)({ z: "x" })).toEqual({
      ok: false,
      errors: [{ name: "outer", message: "至少填一项" }],
    });
  });
});

describe("numeric strings in number inputs at every depth (item 2)", () => {
  const schema = {
    elements: [
      { type: "text", name: "n", inputType: "number" },
      { type: "matrixdynamic", name: "m", columns: [{ name: "age", cellType: "text", inputType: "number" }] },
      {
        type: "matrixdropdown",
        name: "md",
        rows: ["r1"],
        columns: [{ name: "age", cellType: "text", inputType: "number" }],
      },
      { type: "multipletext", name: "mt", items: [{ name: "age", inputType: "number" }] },
      {
        type: "paneldynamic",
        name: "pd",
        templateElements: [{ type: "text", name: "age", inputType: "number" }],
      },
    ],
  };

  it("accepts '77' where survey-core converts it (matrix cells) as where it keeps it", () => {
    const validate = createResponseValidator(schema);
    for (const data of [
      { n: "77" },
      { m: [{ age: "77" }] },
      { md: { r1: { age: "77" } } },
      { mt: { age: "77" } },
      { pd: [{ age: "77" }] },
    ])
      expect({ data, result: validate(data) }).toEqual({ data, result: { ok: true } });
  });

  it("still refuses a non-numeric text in a number cell", () => {
    expect(createResponseValidator(schema)({ m: [{ age: "abc" }] }).ok).toBe(false);
  });

  it("the cache (compiled path plus deferral) decides the same", () => {
    const cache = new ValidatorCache(4);
    const validate = cache.get("f:1", () => schema);
    expect(validate({ m: [{ age: "77" }] })).toEqual({ ok: true });
  });
});

describe("computed values are never taken from the client (item 6)", () => {
  const schema = {
    elements: [
      { type: "text", name: "a", inputType: "number" },
      { type: "expression", name: "score", expression: "{a} * 2" },
      {
        type: "matrixdynamic",
        name: "m",
        columns: [
          { name: "x", cellType: "text", inputType: "number" },
          { name: "y", cellType: "expression", expression: "{row.x} * 2" },
        ],
      },
    ],
    calculatedValues: [{ name: "next", expression: "{a} + 1", includeIntoResult: true }],
  };
  const withoutCalculated = { elements: schema.elements.slice(0, 2) };

  it("refuses a forged expression value and a forged calculated value, naming each", () => {
    const result = createResponseValidator(schema)({ a: 6, score: -1, next: 5 });
    expect(result).toEqual({
      ok: false,
      errors: [
        { name: "score", message: "此值由表单根据答案计算，与提交的值不符" },
        { name: "next", message: "此值由表单根据答案计算，与提交的值不符" },
      ],
    });
    expect(failingNames(createResponseValidator(schema)({ m: [{ x: 2, y: 5 }] }))).toEqual(["m[0].y"]);
  });

  it("accepts what survey-core computes, and a response without the computed values", () => {
    const validate = createResponseValidator(schema);
    expect(validate({ a: 6, score: 12, next: 7, m: [{ x: 2, y: 4 }] })).toEqual({ ok: true });
    expect(validate({ a: 6 })).toEqual({ ok: true });
  });

  it("the compiled path leaves a sent computed value to the reference", () => {
    expect(compiled(withoutCalculated)({ a: 6, score: -1 })).toBeUndefined();
    expect(compiled(withoutCalculated)({ a: 6 })).toEqual({ ok: true });
    const cache = new ValidatorCache(4);
    expect(failingNames(cache.get("e:1", () => withoutCalculated)({ a: 6, score: -1 }))).toEqual(["score"]);
    expect(cache.get("e:1", () => withoutCalculated)({ a: 6, score: 12 })).toEqual({ ok: true });
  });
});

describe("publishing does not refuse good forms (items 3–5)", () => {
  it("accepts html elements without a name and repeated html names", () => {
    const schema = {
      pages: [
        {
          name: "p1",
          elements: [
            { type: "html", html: "<p>欢迎</p>" },
            { type: "text", name: "q" },
          ],
        },
        {
          name: "p2",
          elements: [
            { type: "html", name: "note", html: "a" },
            { type: "html", name: "note", html: "b" },
            { type: "radiogroup", name: "r", choices: ["a"] },
          ],
        },
      ],
    };
    expect(findSchemaProblems(schema)).toEqual([]);
    expect(compiled(schema)({ q: "x" })).toEqual({ ok: true });
  });

  it("still refuses a question without a name and repeated answer names, naming the element", () => {
    expect(findSchemaProblems({ elements: [{ type: "text" }] })).toEqual([
      { path: "elements[0].name", message: "缺少必填属性 name" },
    ]);
    expect(
      findSchemaProblems({
        elements: [
          { type: "html", name: "q" },
          { type: "text", name: "q" },
          { type: "text", name: "Q" },
        ],
      }),
    ).toEqual([{ path: "elements[2].name", message: '名称 "Q" 重复（与 elements[1] 的 "q"）' }]);
  });

  it("accepts triggers whose `questions` list names, not elements", () => {
    const schema = {
      elements: [
        { type: "radiogroup", name: "a", choices: ["1", "2"] },
        { type: "text", name: "b" },
      ],
      triggers: [{ type: "visible", operator: "equal", value: "1", name: "a", questions: ["b"] }],
    };
    expect(findSchemaProblems(schema)).toEqual([]);
  });
});

describe("POST /api/forms/:id/publish with forms written by others", () => {
  let t: TestApp;
  let admin: Session;
  beforeEach(async () => {
    t = await makeTestApp();
    await t.user("admin", "admin");
    admin = await t.login("admin");
  });

  async function publish(schema: object) {
    const res = await t.call(admin, "POST", "/api/forms", { title: "外来表单", kind: "survey", schema });
    expect(res.status).toBe(201);
    const { form } = await res.json();
    return t.call(admin, "POST", `/api/forms/${form.id}/publish`);
  }

  it("publishes a form whose questions sit in a root `questions` array (item 5)", async () => {
    const res = await publish({ questions: [{ type: "text", name: "q", isRequired: true }] });
    expect(res.status).toBe(201);
  });

  it("publishes a page of `questions` and an unnamed html element (item 3)", async () => {
    const res = await publish({
      pages: [
        {
          name: "p",
          questions: [
            { type: "html", html: "说明" },
            { type: "text", name: "q" },
          ],
        },
      ],
    });
    expect(res.status).toBe(201);
  });
});

describe("properties that only affect rendering or defaults compile (item 7)", () => {
  it("a masked text decides an absent answer and leaves a masked one to the reference", () => {
    const schema = {
      completedHtmlOnCondition: [{ expression: "{phone} notempty", html: "谢谢" }],
      elements: [
        {
          type: "text",
          name: "phone",
          isRequired: true,
          maskType: "pattern",
          maskSettings: { pattern: "999-9999" },
        },
      ],
    };
    expect(both(schema, {})).toEqual({ reference: ["phone"], ok: false, fast: ["phone"] });
    expect(compiled(schema)({ phone: "123-4567" })).toBeUndefined();
  });

  it("choices loaded at run time: an absent answer is decided, a given one left to the reference", () => {
    const schema = {
      elements: [
        {
          type: "dropdown",
          name: "country",
          isRequired: true,
          choicesByUrl: { url: "https://example.invalid/c" },
        },
        { type: "tagbox", name: "tags", isRequired: true, choicesLazyLoadEnabled: true },
      ],
    };
    expect(both(schema, {})).toEqual({
      reference: ["country", "tags"],
      ok: false,
      fast: ["country", "tags"],
    });
    expect(compiled(schema)({ country: "中国", tags: ["a"] })).toBeUndefined();
  });

  it("a root defaultValue does not answer a required question, on both paths", () => {
    const schema = {
      elements: [
        { type: "text", name: "a", isRequired: true, defaultValue: "预设" },
        { type: "text", name: "b" },
      ],
    };
    expect(both(schema, { b: "x" })).toEqual({ reference: ["a"], ok: false, fast: ["a"] });
  });

  it("an unnamed panel and a page variable set by page code", () => {
    const schema = {
      elements: [
        {
          type: "panel",
          elements: [{ type: "text", name: "a", isRequired: true, visibleIf: "{mode} = 'full'" }],
        },
        { type: "text", name: "b" },
      ],
    };
    expect(both(schema, { b: "x" })).toEqual({ reference: [], ok: true, fast: [] });
    // A response that sends the variable itself is left to the reference.
    expect(compiled(schema)({ mode: "full" })).toBeUndefined();
  });
});

describe("real public forms (tests/fixtures/real-forms, item 7)", () => {
  const forms = loadDiffForms(process.cwd()).filter((f) => f.name.startsWith("real-forms/"));

  it("holds at least 20 forms", () => {
    expect(forms.length).toBeGreaterThanOrEqual(20);
  });

  it("publishes every one of them", () => {
    const refused = forms
      .map((f) => ({ name: f.name, problems: findSchemaProblems(f.schema) }))
      .filter((f) => f.problems.length);
    expect(refused).toEqual([]);
  });

  it("compiles most of them; the rest fall back with a reason", () => {
    const outcomes = forms.map((f) => ({
      name: f.name,
      outcome: compileResponseValidator(f.schema, "zh-cn", ownMessages("zh-cn")),
    }));
    const fallbacks = outcomes.filter((o) => !o.outcome.ok);
    for (const f of fallbacks) expect(f.outcome.ok ? "" : f.outcome.reason).not.toBe("");
    expect(fallbacks.length / forms.length).toBeLessThanOrEqual(0.1);
  });
});
