import { existsSync, readdirSync, readFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { Model, Question } from "survey-core";
import { describe, expect, it } from "vitest";
import { createResponseValidator } from "../src/forms/reference-validator.ts";
import { findSchemaProblems } from "../src/forms/schema-problems.ts";
import type { ValidationResult } from "../src/forms/validation-types.ts";
import { ValidatorCache } from "../src/forms/validator-cache.ts";

/** Names of the fields a result rejects, for compact assertions. */
function rejected(result: ValidationResult): string[] {
  return result.ok ? [] : result.errors.map((e) => e.name);
}

function validate(schema: object, data: unknown, locale?: string): ValidationResult {
  return createResponseValidator(schema, locale ? { locale } : {})(data);
}

/** Builds response data the way the browser runner does: survey-core questions receiving values. */
function answersFromClient(schema: object, answers: Record<string, unknown>): Record<string, unknown> {
  const model = new Model(schema);
  for (const [name, value] of Object.entries(answers)) {
    const question = model.getQuestionByName(name);
    if (!(question instanceof Question)) throw new Error(`no question ${name}`);
    question.value = value;
  }
  const data = model.data as Record<string, unknown>;
  model.dispose();
  return data;
}

describe("createResponseValidator: survey-core validate()", () => {
  const schema = {
    pages: [
      {
        name: "p1",
        elements: [
          { type: "radiogroup", name: "hasIssue", choices: ["yes", "no"] },
          { type: "text", name: "issue", isRequired: true, visibleIf: "{hasIssue} = 'yes'" },
          { type: "text", name: "fix", requiredIf: "{hasIssue} = 'yes'" },
        ],
      },
      // A second page: validation must cover every page, not only the first one.
      { name: "p2", elements: [{ type: "text", name: "inspector", isRequired: true }] },
    ],
  };

  it("accepts a hidden required question left empty and rejects it once visible", () => {
    expect(validate(schema, { hasIssue: "no", inspector: "张三" })).toEqual({ ok: true });
    expect(rejected(validate(schema, { hasIssue: "yes", fix: "x", inspector: "张三" }))).toEqual(["issue"]);
  });

  it("applies requiredIf", () => {
    expect(rejected(validate(schema, { hasIssue: "yes", issue: "漏水", inspector: "张三" }))).toEqual([
      "fix",
    ]);
  });

  it("validates questions on every page", () => {
    expect(rejected(validate(schema, { hasIssue: "no" }))).toEqual(["inspector"]);
  });

  it("runs email, regex and numeric validators", () => {
    const form = {
      elements: [
        { type: "text", name: "email", validators: [{ type: "email" }] },
        { type: "text", name: "phone", validators: [{ type: "regex", regex: "^1\\d{10}$" }] },
        { type: "text", name: "count", validators: [{ type: "numeric", minValue: 1, maxValue: 9 }] },
      ],
    };
    expect(validate(form, { email: "a@b.cn", phone: "13800000000", count: 3 })).toEqual({ ok: true });
    expect(rejected(validate(form, { email: "not-mail", phone: "12", count: 30 }))).toEqual([
      "email",
      "phone",
      "count",
    ]);
  });

  it("checks number min/max of visible and hidden questions", () => {
    const form = {
      elements: [
        { type: "boolean", name: "show" },
        { type: "text", name: "age", inputType: "number", min: 18, max: 99, visibleIf: "{show} = true" },
      ],
    };
    expect(validate(form, { show: true, age: 30 })).toEqual({ ok: true });
    expect(rejected(validate(form, { show: true, age: 5 }))).toEqual(["age"]);
    expect(rejected(validate(form, { show: false, age: 500 }))).toEqual(["age"]);
  });

  it("reports nested required errors of dynamic panels and matrices with paths", () => {
    const form = {
      elements: [
        {
          type: "paneldynamic",
          name: "sites",
          templateElements: [{ type: "text", name: "addr", isRequired: true }],
        },
        {
          type: "matrixdynamic",
          name: "items",
          rowCount: 0,
          columns: [{ name: "item", cellType: "text", isRequired: true }],
        },
      ],
    };
    const result = validate(form, { sites: [{ addr: "a" }, {}], items: [{ item: "x" }, { item: "" }] });
    expect(rejected(result)).toEqual(["sites[1].addr", "items[1].item"]);
  });

  it("writes messages in Chinese by default and in English on request", () => {
    const form = { elements: [{ type: "text", name: "q", isRequired: true }] };
    expect(validate(form, {})).toEqual({ ok: false, errors: [{ name: "q", message: "请填写此问题" }] });
    const english = validate(form, {}, "en");
    expect(english.ok).toBe(false);
    if (!english.ok) expect(english.errors[0].message).toBe("Response required.");
  });
});

describe("createResponseValidator: values survey-core would clear", () => {
  const schema = {
    elements: [
      { type: "text", name: "q1" },
      { type: "radiogroup", name: "radio", choices: ["a", "b"] },
      { type: "checkbox", name: "check", choices: ["a", "b", "c"] },
      { type: "dropdown", name: "drop", choices: [1, 2, 3] },
      { type: "radiogroup", name: "hiddenRadio", choices: ["x", "y"], visibleIf: "{q1} = 'show'" },
      { type: "matrix", name: "grid", rows: ["r1", "r2"], columns: ["good", "bad"] },
      {
        type: "matrixdropdown",
        name: "table",
        rows: ["r1"],
        columns: [
          { name: "grade", cellType: "dropdown", choices: ["A", "B"] },
          { name: "note", cellType: "text" },
        ],
      },
      {
        type: "paneldynamic",
        name: "sites",
        templateElements: [
          { type: "text", name: "addr", isRequired: true },
          { type: "radiogroup", name: "risk", choices: ["low", "high"] },
        ],
      },
    ],
  };

  it("accepts values within the schema", () => {
    const data = {
      q1: "x",
      radio: "a",
      check: ["a", "c"],
      drop: 2,
      grid: { r1: "good" },
      table: { r1: { grade: "B", note: "ok" } },
      sites: [{ addr: "x", risk: "low" }],
    };
    expect(validate(schema, data)).toEqual({ ok: true });
  });

  it("rejects keys that match no question", () => {
    expect(validate(schema, { q1: "x", extra: 1 })).toEqual({
      ok: false,
      errors: [{ name: "extra", message: "表单中没有此字段" }],
    });
  });

  it("rejects choices outside radiogroup, checkbox and dropdown lists", () => {
    expect(rejected(validate(schema, { radio: "z" }))).toEqual(["radio"]);
    expect(rejected(validate(schema, { check: ["a", "z"] }))).toEqual(["check[1]"]);
    expect(rejected(validate(schema, { drop: 7 }))).toEqual(["drop"]);
  });

  it("rejects matrix rows and columns outside the schema", () => {
    expect(rejected(validate(schema, { grid: { r1: "good", r9: "good" } }))).toEqual(["grid.r9"]);
    // Nothing valid left: survey-core drops the whole value.
    expect(rejected(validate(schema, { grid: { r9: "good" } }))).toEqual(["grid"]);
    expect(rejected(validate(schema, { grid: { r1: "good", r2: "ugly" } }))).toEqual(["grid.r2"]);
    const r1 = { grade: "A", note: "ok" };
    expect(rejected(validate(schema, { table: { r1, r2: { note: "x" } } }))).toEqual(["table.r2"]);
    expect(rejected(validate(schema, { table: { r1: { ...r1, grade: "C" } } }))).toEqual(["table.r1.grade"]);
    expect(rejected(validate(schema, { table: { r1: { ...r1, other: "x" } } }))).toEqual(["table.r1.other"]);
  });

  it("rejects a bad choice inside a dynamic panel", () => {
    expect(
      rejected(
        validate(schema, {
          sites: [
            { addr: "x", risk: "low" },
            { addr: "y", risk: "mid" },
          ],
        }),
      ),
    ).toEqual(["sites[1].risk"]);
  });

  it("rejects an invalid choice of a hidden question but keeps a valid one", () => {
    expect(validate(schema, { q1: "x", hiddenRadio: "y" })).toEqual({ ok: true });
    expect(rejected(validate(schema, { q1: "x", hiddenRadio: "z" }))).toEqual(["hiddenRadio"]);
  });

  it("accepts the other option with its comment, as survey-core stores it", () => {
    const form = {
      elements: [
        { type: "radiogroup", name: "kind", choices: ["a"], showOtherItem: true },
        { type: "checkbox", name: "tags", choices: ["a"], showOtherItem: true, showNoneItem: true },
        {
          type: "radiogroup",
          name: "free",
          choices: ["a"],
          showOtherItem: true,
          storeOthersAsComment: false,
        },
      ],
    };
    const data = answersFromClient(form, { kind: "other", tags: ["a", "other"], free: "自填内容" });
    data["kind-Comment"] = "其他说明";
    data["tags-Comment"] = "另一个";
    expect(validate(form, data)).toEqual({ ok: true });
    expect(validate(form, { tags: ["none"] })).toEqual({ ok: true });
    // survey-core requires the comment once "other" is picked.
    expect(rejected(validate(form, { kind: "other" }))).toEqual(["kind"]);
  });

  it("accepts what the browser runner produces, computed values included", () => {
    const form = {
      calculatedValues: [{ name: "score", expression: "{n} * 10", includeIntoResult: true }],
      elements: [
        { type: "text", name: "n", inputType: "number" },
        { type: "expression", name: "double", expression: "{n} * 2" },
        { type: "ranking", name: "rank", choices: ["a", "b", "c"] },
        { type: "tagbox", name: "tags", choices: ["x", "y"] },
        { type: "boolean", name: "agree", valueTrue: "yes", valueFalse: "no" },
        { type: "rating", name: "stars", rateValues: ["bad", "ok", "good"] },
        { type: "multipletext", name: "contact", items: [{ name: "tel" }, { name: "mail" }] },
        {
          type: "matrixdynamic",
          name: "lines",
          columns: [
            { name: "qty", cellType: "text", inputType: "number", totalType: "sum" },
            { name: "twice", cellType: "expression", expression: "{row.qty} * 2" },
          ],
        },
        {
          type: "paneldynamic",
          name: "people",
          templateElements: [
            { type: "text", name: "who" },
            { type: "expression", name: "label", expression: "{panel.who} + '!'" },
          ],
        },
        { type: "file", name: "photo", storeDataAsText: true },
      ],
    };
    const data = answersFromClient(form, {
      n: 5,
      rank: ["c", "a", "b"],
      tags: ["y"],
      agree: "no",
      stars: "ok",
      contact: { tel: "123" },
      lines: [{ qty: 2 }, { qty: 3 }],
      people: [{ who: "甲" }],
      photo: [{ name: "a.png", type: "image/png", content: "data:image/png;base64,AA==" }],
    });
    expect(data).toMatchObject({ double: 10, score: 50, "lines-total": { qty: 5 } });
    expect(validate(form, data)).toEqual({ ok: true });
    expect(rejected(validate(form, { ...data, rank: ["a", "z", "c"] }))).toEqual(["rank[1]"]);
  });

  it("lets survey-core decide on choices loaded from a URL, without any request", async () => {
    let requests = 0;
    const server = createServer((_req, res) => {
      requests++;
      res.end(JSON.stringify(["a", "b"]));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    try {
      const form = {
        elements: [
          { type: "text", name: "t" },
          { type: "dropdown", name: "remote", choicesByUrl: { url: `http://127.0.0.1:${port}/c?x={t}` } },
        ],
      };
      const check = createResponseValidator(form);
      expect(check({ t: "1", remote: "anything" })).toEqual({ ok: true });
      expect(check({ t: "2", remote: "anything" })).toEqual({ ok: true });
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(requests).toBe(0);
    } finally {
      server.close();
    }
  });
});

describe("createResponseValidator: limits survey-core does not enforce on submit", () => {
  const schema = {
    maxTextLength: 20,
    elements: [
      { type: "boolean", name: "show" },
      { type: "text", name: "short", maxLength: 5 },
      { type: "text", name: "surveyLimit" },
      { type: "comment", name: "note", maxLength: 10, visibleIf: "{show} = true" },
      {
        type: "checkbox",
        name: "picks",
        choices: ["a", "b", "c", "d"],
        minSelectedChoices: 2,
        maxSelectedChoices: 3,
        // survey-core demands minSelectedChoices of a visible checkbox even when it is left empty.
        visibleIf: "{show} = true",
      },
      {
        type: "tagbox",
        name: "tags",
        choices: ["a", "b", "c"],
        maxSelectedChoices: 1,
        visibleIf: "{show} = true",
      },
      { type: "rating", name: "score", rateMin: 1, rateMax: 5 },
      { type: "rating", name: "grade", rateValues: [10, 20, 30] },
      {
        type: "paneldynamic",
        name: "sites",
        templateElements: [{ type: "text", name: "code", maxLength: 3 }],
      },
    ],
  };

  it("accepts values within the limits", () => {
    const data = {
      show: true,
      short: "12345",
      note: "备注",
      picks: ["a", "b"],
      tags: ["a"],
      score: 5,
      grade: 20,
    };
    expect(validate(schema, data)).toEqual({ ok: true });
  });

  it("checks maxLength of text and comment, and the survey's maxTextLength", () => {
    expect(validate(schema, { short: "123456" })).toEqual({
      ok: false,
      errors: [{ name: "short", message: "答案长度不能超过 5 个字符" }],
    });
    expect(rejected(validate(schema, { surveyLimit: "x".repeat(21) }))).toEqual(["surveyLimit"]);
    expect(rejected(validate(schema, { show: false, note: "十一个字十一个字十一个" }))).toEqual(["note"]);
    expect(rejected(validate(schema, { sites: [{ code: "abcd" }] }))).toEqual(["sites[0].code"]);
  });

  it("checks min/maxSelectedChoices, also for hidden questions", () => {
    expect(validate(schema, { show: true, picks: ["a"] })).toEqual({
      ok: false,
      errors: [{ name: "picks", message: "最少需要选择 2 项答案" }],
    });
    expect(rejected(validate(schema, { show: false, picks: ["a"] }))).toEqual(["picks"]);
    expect(rejected(validate(schema, { show: true, picks: ["a", "b", "c", "d"] }))).toEqual(["picks"]);
    expect(rejected(validate(schema, { show: false, tags: ["a", "b"] }))).toEqual(["tags"]);
  });

  it("checks ratings against the scale", () => {
    expect(rejected(validate(schema, { score: 6 }))).toEqual(["score"]);
    expect(rejected(validate(schema, { score: 0 }))).toEqual(["score"]);
    expect(rejected(validate(schema, { grade: 25 }))).toEqual(["grade"]);
  });
});

describe("createResponseValidator: input shape and isolation", () => {
  const schema = {
    elements: [
      { type: "text", name: "q1", isRequired: true },
      { type: "radiogroup", name: "r", choices: ["a"], visibleIf: "{q1} = 'a'" },
      {
        type: "matrixdynamic",
        name: "rows",
        rowCount: 1,
        columns: [{ name: "c", cellType: "text", isRequired: true }],
      },
      {
        type: "paneldynamic",
        name: "panels",
        panelCount: 1,
        templateElements: [{ type: "text", name: "t", isRequired: true }],
      },
    ],
  };

  it("rejects data that is not a plain JSON object", () => {
    const check = createResponseValidator(schema);
    for (const data of [null, [], "x", 3, undefined, new Date()]) {
      expect(check(data)).toEqual({
        ok: false,
        errors: [{ name: "", message: "提交的数据必须是 JSON 对象" }],
      });
    }
    expect(rejected(check({ q1: Number.NaN }))).toEqual(["q1"]);
    expect(rejected(check(JSON.parse('{"q1":"x","__proto__":{"polluted":true}}')))).toEqual(["__proto__"]);
  });

  it("does not leak errors, values or row counts between calls", () => {
    const check = createResponseValidator(schema);
    const fresh = (data: object) => createResponseValidator(schema)(data);
    const sequence = [
      { q1: "a", r: "zz", rows: [{ c: "1" }, { c: "2" }, {}], panels: [{ t: "x" }, {}] },
      { q1: "b", rows: [{ c: "1" }], panels: [{ t: "x" }] },
      {},
      { q1: "a", r: "a", rows: [{ c: "1" }], panels: [{ t: "y" }] },
      { q1: "b" },
    ];
    for (const data of [...sequence, ...sequence.slice().reverse()]) {
      expect(check(data)).toEqual(fresh(data));
    }
    expect(check({ q1: "b", rows: [{ c: "1" }], panels: [{ t: "x" }] })).toEqual({ ok: true });
    // A fresh model shows the schema's one row and one panel, with their required fields.
    expect(rejected(check({ q1: "b" }))).toEqual(["rows[0].c", "panels[0].t"]);
  });

  it("does not mutate the data it validates", () => {
    const data = { q1: "a", r: "zz", rows: [{ c: "1", extra: 2 }] };
    const copy = structuredClone(data);
    createResponseValidator(schema)(data);
    expect(data).toEqual(copy);
  });
});

describe("findSchemaProblems", () => {
  it("accepts a sound schema using built-in functions", () => {
    const schema = {
      calculatedValues: [{ name: "adult", expression: "age({birth}) >= 18", includeIntoResult: true }],
      elements: [
        { type: "text", name: "birth", inputType: "date" },
        {
          type: "text",
          name: "note",
          visibleIf: "age({birth}) > 18",
          enableIf: "iif({birth} notempty, true, false)",
        },
        { type: "expression", name: "days", expression: "dateDiff({birth}, today(), 'days')" },
      ],
    };
    expect(findSchemaProblems(schema)).toEqual([]);
  });

  it("flags calls to unregistered functions, with the path of the expression", () => {
    const schema = {
      pages: [
        {
          name: "p1",
          elements: [
            { type: "text", name: "q1" },
            { type: "text", name: "q2", visibleIf: "unknownFn({q1}) > 1" },
            {
              type: "paneldynamic",
              name: "pd",
              templateElements: [
                {
                  type: "text",
                  name: "t",
                  validators: [{ type: "expression", expression: "check({panel.t})" }],
                },
              ],
            },
          ],
        },
      ],
      triggers: [{ type: "complete", expression: "done({q1})" }],
    };
    const problems = findSchemaProblems(schema);
    expect(problems.map((p) => p.path)).toEqual(
      expect.arrayContaining([
        "pages[0].elements[1].visibleIf",
        "pages[0].elements[2].templateElements[0].validators[0].expression",
        "triggers[0].expression",
      ]),
    );
    expect(problems).toHaveLength(3);
    expect(problems.find((p) => p.path.endsWith("visibleIf"))?.message).toContain("unknownFn");
  });

  it("flags expressions that do not parse", () => {
    const problems = findSchemaProblems({
      elements: [{ type: "text", name: "q", visibleIf: "{a} +* 2 )(" }],
    });
    expect(problems).toEqual([
      { path: "elements[0].visibleIf", message: expect.stringContaining("无法解析") },
    ]);
  });

  it("flags duplicate question names, also across panels and in different case", () => {
    const schema = {
      elements: [
        { type: "text", name: "q1" },
        { type: "panel", name: "p", elements: [{ type: "text", name: "q1" }] },
        { type: "text", name: "Q1" },
        {
          type: "paneldynamic",
          name: "pd",
          templateElements: [
            { type: "text", name: "t" },
            { type: "text", name: "t" },
          ],
        },
        { type: "paneldynamic", name: "other", templateElements: [{ type: "text", name: "q1" }] },
      ],
    };
    expect(findSchemaProblems(schema).map((p) => p.path)).toEqual([
      "elements[1].elements[0].name",
      "elements[2].name",
      "elements[3].templateElements[1].name",
    ]);
  });

  it("flags schemas survey-core cannot load", () => {
    expect(findSchemaProblems(null)).toEqual([{ path: "", message: "表单定义必须是 JSON 对象" }]);
    expect(findSchemaProblems([])).toHaveLength(1);
    expect(findSchemaProblems({ pages: {} }).map((p) => p.path)).toEqual(["pages"]);
    expect(findSchemaProblems({ elements: [{ type: "nosuchtype", name: "a" }] }).map((p) => p.path)).toEqual([
      "elements[0]",
    ]);
    expect(findSchemaProblems({ elements: [{ type: "text" }] }).map((p) => p.path)).toEqual([
      "elements[0].name",
    ]);
    expect(findSchemaProblems({ elements: [{ type: "text", name: 5 }] }).map((p) => p.path)).toEqual([
      "elements[0].name",
    ]);
  });

  const formsDir = join(import.meta.dirname, "..", "forms");
  const files = existsSync(formsDir) ? readdirSync(formsDir).filter((f) => f.endsWith(".json")) : [];
  it.each(files.length ? files : ["(no sample forms)"])("accepts the sample form %s", (file) => {
    if (!files.length) return;
    const json: unknown = JSON.parse(readFileSync(join(formsDir, file), "utf8"));
    // Seed files wrap the SurveyJS JSON as { id, kind, title, schema }.
    const schema = json && typeof json === "object" && "schema" in json ? json.schema : json;
    expect(findSchemaProblems(schema)).toEqual([]);
    expect(createResponseValidator(schema)({}).ok).toBe(false);
  });
});

describe("ValidatorCache", () => {
  const schema = { elements: [{ type: "text", name: "q", isRequired: true }] };

  it("compiles once per key and evicts the least recently used entry", () => {
    const cache = new ValidatorCache(2);
    const compiled: string[] = [];
    const get = (key: string) =>
      cache.get(key, () => {
        compiled.push(key);
        return schema;
      });
    const a = get("f:1");
    get("f:2");
    expect(get("f:1")).toBe(a); // hit; f:1 becomes most recently used
    get("f:3"); // evicts f:2
    expect(cache.size).toBe(2);
    get("f:1");
    get("f:2");
    expect(compiled).toEqual(["f:1", "f:2", "f:3", "f:2"]);
    expect(get("f:2")({ q: "x" })).toEqual({ ok: true });
  });
});
