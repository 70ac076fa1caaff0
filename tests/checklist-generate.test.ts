import { readFileSync } from "node:fs";
import { Model } from "survey-core";
import { describe, expect, it } from "vitest";
import {
  generateChecklist,
  type ChecklistFacts,
  type ChecklistItemInput,
} from "../src/checklists/generate.ts";
import { summarizeChecklist, failedItemCodes } from "../src/checklists/summary.ts";
import { nonCheckpointQuestions } from "../src/checklists/item-form.ts";
import { CHECKPOINT_JSON } from "../client/lib/checkpoint-type.ts";
import { createResponseValidator } from "../src/forms/reference-validator.ts";
import { findSchemaProblems } from "../src/forms/schema-problems.ts";

type Json = Record<string, any>;

const FORM_A = {
  pages: [
    {
      name: "p1",
      elements: [
        {
          type: "radiogroup",
          name: "license",
          title: "证照是否有效",
          description: "依据：登记条例",
          choices: ["有效", "无效"],
        },
        {
          type: "dropdown",
          name: "storage",
          title: "储存条件",
          choices: ["a", "b"],
          visibleIf: "{license} notempty",
        },
        {
          type: "text",
          name: "temperature",
          title: "冷库温度",
          inputType: "number",
          visibleIf: "{storage} = 'fail'",
        },
        { type: "html", name: "hint", html: "<p>请核对{license}</p>" },
        {
          type: "paneldynamic",
          name: "samples",
          templateElements: [
            { type: "text", name: "code", title: "样品编号" },
            { type: "text", name: "note", visibleIf: "{panel.code} notempty and {temperature} > 5" },
          ],
        },
      ],
    },
  ],
};

const FORM_B = {
  elements: [
    { type: "radiogroup", name: "license", title: "许可证公示", choices: ["是", "否"] },
    { type: "comment", name: "remark", title: "备注", requiredIf: "{LICENSE} = 'fail'" },
  ],
};

const item = (code: string, schema: Json, extra: Partial<ChecklistItemInput> = {}): ChecklistItemInput => ({
  code,
  name: `事项${code}`,
  legalBasis: `《条例》${code}`,
  method: "现场检查",
  departmentName: "市场监管局",
  formId: `form-${code}`,
  formVersion: 1,
  formSchema: schema,
  ...extra,
});

const facts = (items: ChecklistItemInput[]): ChecklistFacts => ({
  enterprise: {
    name: "济南<script>示例</script>{x}有限公司",
    creditCode: "91370100MA3C5XXX1X",
    address: "历下区经十路 1 号",
    legalRepresentative: "王五",
  },
  officers: [
    { name: "张三", credentialNo: "37010001", isHelper: false, departmentName: "市场监管局" },
    { name: "李四", credentialNo: "37010002", isHelper: false, departmentName: "市场监管局" },
    { name: "赵六", credentialNo: null, isHelper: true, departmentName: "市场监管局" },
  ],
  plannedStart: Date.parse("2026-06-01T01:00:00Z"),
  plannedEnd: Date.parse("2026-06-01T03:00:00Z"),
  departments: ["市场监管局"],
  items,
});

const allElements = (list: Json[]): Json[] => list.flatMap((el) => [el, ...allElements(el.elements ?? [])]);
const byName = (schema: Json, name: string) =>
  schema.pages.flatMap((p: Json) => allElements(p.elements)).find((el: Json) => el.name === name);

describe("generateChecklist", () => {
  const schema = generateChecklist(facts([item("A-1", FORM_A), item("B-2", FORM_B)])) as Json;

  it("has a header page, one page per item in the given order and a final page", () => {
    expect(schema.pages.map((p: Json) => p.name)).toEqual(["header", "item1", "item2", "closing"]);
    expect(schema.pages[1].title).toBe("A-1 事项A-1");
    expect(schema.pages[2].lianmaItemCode).toBe("B-2");
    const reversed = generateChecklist(facts([item("B-2", FORM_B), item("A-1", FORM_A)])) as Json;
    expect(reversed.pages.slice(1, 3).map((p: Json) => p.lianmaItemCode)).toEqual(["B-2", "A-1"]);
  });

  it("shows the legal basis and method of each item on its page", () => {
    expect(schema.pages[1].description).toContain("检查依据：《条例》A-1");
    expect(schema.pages[1].description).toContain("检查方式：现场检查");
    expect(schema.pages[1].lianmaLegalBasis).toBe("《条例》A-1");
  });

  it("shows the enterprise and officers escaped, with credential numbers", () => {
    const facts = byName(schema, "enterprise_facts").html as string;
    expect(facts).toContain("&lt;script&gt;");
    expect(facts).not.toContain("<script>");
    expect(facts).toContain("&#123;x&#125;");
    expect(facts).toContain("2026-06-01 09:00 至 2026-06-01 11:00");
    const officers = byName(schema, "officer_list").html as string;
    expect(officers).toContain("37010001");
    expect(officers).toContain("辅助人员");
    expect(byName(schema, "inspection_place")).toMatchObject({
      isRequired: true,
      defaultValue: "历下区经十路 1 号",
    });
    expect(byName(schema, "start_time")).toMatchObject({ isRequired: true, inputType: "datetime-local" });
    expect(byName(schema, "end_time")).toMatchObject({ isRequired: true });
  });

  it("turns single-answer questions into check points with exactly 合格/不合格/不适用", () => {
    for (const name of ["i1__license", "i1__storage", "i2__license"]) {
      const point = byName(schema, name);
      expect(point.type).toBe("radiogroup");
      expect(point.isRequired).toBe(true);
      expect(point.choices).toEqual([
        { value: "pass", text: "合格" },
        { value: "fail", text: "不合格" },
        { value: "na", text: "不适用" },
      ]);
    }
    expect(byName(schema, "i1__license").description).toBe("依据：登记条例");
  });

  it("requires a corrective requirement and deadline exactly when a point fails", () => {
    const requirement = byName(schema, "i1__license__requirement");
    const deadline = byName(schema, "i1__license__deadline");
    expect(requirement).toMatchObject({
      type: "comment",
      title: "整改要求",
      visibleIf: "{i1__license} = 'fail'",
      requiredIf: "{i1__license} = 'fail'",
    });
    expect(deadline).toMatchObject({
      title: "整改期限",
      inputType: "date",
      requiredIf: "{i1__license} = 'fail'",
    });
    const validate = createResponseValidator(schema);
    const failing = validate({ i1__license: "fail" });
    const names = failing.ok ? [] : failing.errors.map((e) => e.name);
    expect(names).toContain("i1__license__requirement");
    expect(names).toContain("i1__license__deadline");
    const passing = validate({ i1__license: "pass" });
    const passNames = passing.ok ? [] : passing.errors.map((e) => e.name);
    expect(passNames).not.toContain("i1__license__requirement");
    expect(passNames).not.toContain("i1__license__deadline");
  });

  it("prefixes names per item and rewrites expressions and text references", () => {
    expect(byName(schema, "i1__temperature").visibleIf).toBe("{i1__storage} = 'fail'");
    expect(byName(schema, "i1__hint").html).toBe("<p>请核对{i1__license}</p>");
    // A conditional check point moves its condition to a panel around it and its companions.
    const group = byName(schema, "i1__storage__group");
    expect(group.visibleIf).toBe("{i1__license} notempty");
    expect(group.elements.map((e: Json) => e.name)).toEqual([
      "i1__storage",
      "i1__storage__requirement",
      "i1__storage__deadline",
    ]);
    // Inside a dynamic panel names stay (they are nested data), references to the root follow the rename.
    const samples = byName(schema, "i1__samples");
    expect(samples.templateElements.map((e: Json) => e.name)).toEqual(["code", "note"]);
    expect(samples.templateElements[1].visibleIf).toBe("{panel.code} notempty and {i1__temperature} > 5");
    // Expression names are case-insensitive in survey-core; the rename follows.
    expect(byName(schema, "i2__remark").requiredIf).toBe("{i2__license} = 'fail'");
    // Renamed questions keep showing their original name as title.
    expect(byName(schema, "i1__samples").title).toBe("samples");
  });

  it("keeps two items asking the same question apart", () => {
    const twice = generateChecklist(facts([item("A-1", FORM_A), item("A-2", FORM_A)])) as Json;
    expect(findSchemaProblems(twice)).toEqual([]);
    expect(byName(twice, "i1__license")).toBeTruthy();
    expect(byName(twice, "i2__license")).toBeTruthy();
    const summary = summarizeChecklist(twice, { i1__license: "pass", i2__license: "fail" });
    expect(summary.map((s) => s.result)).toEqual(["pass", "fail"]);
  });

  it("passes findSchemaProblems and loads in survey-core with its custom properties", () => {
    expect(findSchemaProblems(schema)).toEqual([]);
    const model = new Model(schema);
    expect(model.jsonErrors ?? []).toEqual([]);
    expect(model.pages[1]!.getPropertyValue("lianmaItemCode")).toBe("A-1");
    expect(model.getQuestionByName("i1__license").getPropertyValue("lianmaRole")).toBe("checkpoint");
    expect((model.toJSON() as Json).pages[1].lianmaFormVersion).toBe(1);
  });

  it("asks for photos, the notice of rights and every inspector's and the enterprise's signature", () => {
    const closing = schema.pages[3];
    const photos = byName(schema, "photos");
    expect(photos).toMatchObject({
      type: "file",
      acceptedTypes: "image/*",
      allowMultiple: true,
      storeDataAsText: false,
    });
    expect(byName(schema, "rights_notified")).toMatchObject({ type: "boolean", isRequired: true });
    const signatures = closing.elements.filter((e: Json) => e.type === "signaturepad");
    expect(signatures.map((s: Json) => s.name)).toEqual([
      "officer_signature_1",
      "officer_signature_2",
      "enterprise_signature",
    ]);
    expect(signatures.every((s: Json) => s.isRequired)).toBe(true);
    expect(signatures[0].title).toContain("张三");
    const validate = createResponseValidator(schema);
    const notNotified = validate({ rights_notified: false });
    expect(notNotified.ok ? [] : notNotified.errors.map((e) => e.name)).toContain("rights_notified");
  });

  it("takes the skeleton's header, signatures and companions from the standard pages, once", () => {
    const skeleton = JSON.parse(readFileSync("forms/checklist-skeleton.json", "utf8")).schema;
    const out = generateChecklist(facts([item("S-1", skeleton)])) as Json;
    expect(findSchemaProblems(out)).toEqual([]);
    const names = allElements(out.pages[1].elements).map((e: Json) => e.name);
    expect(names).toContain("i1__license_valid");
    expect(names).toContain("i1__license_valid__requirement");
    expect(names).not.toContain("i1__license_valid_requirement");
    expect(names).not.toContain("i1__enterprise_name");
    expect(names).not.toContain("i1__officer_signature");
    expect(names).not.toContain("i1__photos");
  });

  it("is a snapshot: editing the input form afterwards changes nothing", () => {
    const form = structuredClone(FORM_B) as Json;
    const input = facts([item("B-2", form)]);
    const out = generateChecklist(input);
    const before = JSON.stringify(out);
    form.elements[0].title = "改过的标题";
    form.elements.push({ type: "radiogroup", name: "added", choices: ["x"] });
    input.items[0]!.legalBasis = "改过的依据";
    expect(JSON.stringify(out)).toBe(before);
  });
});

describe("summarizeChecklist", () => {
  const schema = generateChecklist(facts([item("A-1", FORM_A), item("B-2", FORM_B)])) as Json;

  it("reads pass/fail/mixed/na per item with requirements and deadlines, nothing else", () => {
    const data = {
      i1__license: "fail",
      i1__license__requirement: "补办证照",
      i1__license__deadline: "2099-01-31",
      i1__storage: "pass",
      i2__license: "na",
      enterprise_signature: "data:image/png;base64,AAAA",
      photos: [{ name: "a.jpg", type: "image/jpeg", content: "/api/x" }],
    };
    const items = summarizeChecklist(schema, data);
    expect(items).toEqual([
      {
        code: "A-1",
        name: "事项A-1",
        legalBasis: "《条例》A-1",
        result: "mixed",
        counts: { pass: 1, fail: 1, na: 0 },
        failures: [{ point: "证照是否有效", requirement: "补办证照", deadline: "2099-01-31" }],
      },
      {
        code: "B-2",
        name: "事项B-2",
        legalBasis: "《条例》B-2",
        result: "na",
        counts: { pass: 0, fail: 0, na: 1 },
        failures: [],
      },
    ]);
    expect(failedItemCodes(items)).toEqual(["A-1"]);
    expect(JSON.stringify(items)).not.toContain("base64");
  });

  it("ignores a point hidden by its condition", () => {
    // storage shows only once license is answered; a stale 'fail' on a hidden point does not count.
    const items = summarizeChecklist(schema, { i1__storage: "fail" });
    expect(items[0]!.result).toBe("na");
  });
});

describe("a 检查要点 designed in the Creator (issue 18 #1)", () => {
  const designed = {
    elements: [
      {
        ...CHECKPOINT_JSON,
        name: "问题1",
        title: "是否公示营业执照",
        legalBasis: "《市场主体登记管理条例》第三十六条",
        points: 5,
        firstViolationEligible: true,
      },
      { type: "boolean", name: "问题2", title: "是否建立台账" },
    ],
  };
  const schema = generateChecklist(facts([item("C-3", designed)])) as Json;

  it("becomes the check point the designer showed, with its legal basis, points and 首违不罚 eligibility", () => {
    const point = byName(schema, "i1__问题1");
    expect(point.choices.map((c: Json) => c.text)).toEqual(CHECKPOINT_JSON.choices.map((c) => c.text));
    expect(point.choices.map((c: Json) => c.value)).toEqual(CHECKPOINT_JSON.choices.map((c) => c.value));
    expect(point).toMatchObject({
      lianmaRole: "checkpoint",
      legalBasis: "《市场主体登记管理条例》第三十六条",
      points: 5,
      lianmaFirstViolationEligible: true,
      description: "检查依据：《市场主体登记管理条例》第三十六条",
    });
    expect(byName(schema, "i1__问题1__requirement")).toMatchObject({ title: "整改要求" });
  });

  it("keeps those properties through survey-core (registered), so the stored snapshot has them", () => {
    const model = new Model(schema);
    const json = model.getQuestionByName("i1__问题1").toJSON();
    expect(json.lianmaFirstViolationEligible).toBe(true);
    expect(json.legalBasis).toBe("《市场主体登记管理条例》第三十六条");
    expect(findSchemaProblems(schema)).toEqual([]);
  });

  it("lists the questions of a 检查表 that will not become check points (warned at publish)", () => {
    expect(nonCheckpointQuestions(designed)).toEqual([
      { name: "问题2", title: "是否建立台账", type: "boolean" },
    ]);
  });
});
