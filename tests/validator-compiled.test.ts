import { describe, expect, it } from "vitest";
import { compileResponseValidator } from "../src/forms/compiled/index.ts";
import type { CompiledValidator } from "../src/forms/compiled/index.ts";
import { createResponseValidator, ownMessages } from "../src/forms/reference-validator.ts";
import { ValidatorCache } from "../src/forms/validator-cache.ts";
import { makeTestApp } from "./helpers.ts";
import { failingNames } from "./validator-fuzz.ts";

function compile(schema: object): CompiledValidator {
  const outcome = compileResponseValidator(schema, "zh-cn", ownMessages("zh-cn"));
  if (!outcome.ok) throw new Error(`refused: ${outcome.reason}`);
  return outcome.validate;
}

function refusal(schema: object): string | null {
  const outcome = compileResponseValidator(schema, "zh-cn", ownMessages("zh-cn"));
  return outcome.ok ? null : outcome.reason;
}

/** Asserts the compiled validator decides `data` itself, exactly like the reference; returns the failing names. */
function decided(schema: object, data: Record<string, unknown>): string[] {
  const result = compile(schema)(data);
  if (!result) throw new Error(`deferred: ${JSON.stringify(data)}`);
  const reference = createResponseValidator(schema)(data);
  expect(failingNames(result)).toEqual(failingNames(reference));
  expect(result.ok).toBe(reference.ok);
  return failingNames(result);
}

const conditional = {
  pages: [
    {
      name: "p1",
      elements: [
        { type: "radiogroup", name: "hasIssue", choices: ["yes", "no"] },
        { type: "text", name: "issue", isRequired: true, visibleIf: "{HasIssue} = 'yes'", maxLength: 5 },
        { type: "text", name: "fix", requiredIf: "{hasIssue} = 'yes'" },
        { type: "text", name: "locked", isRequired: true, enableIf: "{hasIssue} = 'no'" },
      ],
    },
    {
      name: "p2",
      visibleIf: "{hasIssue} notempty",
      elements: [{ type: "text", name: "inspector", isRequired: true }],
    },
  ],
};

describe("compiled validator: conditions", () => {
  it("skips required checks of hidden questions but keeps their values", () => {
    expect(decided(conditional, { hasIssue: "no", locked: "x", inspector: "张三", issue: "留着" })).toEqual(
      [],
    );
    expect(decided(conditional, { hasIssue: "yes", inspector: "张三" })).toEqual(["fix", "issue"]);
  });

  it("still applies declared limits to hidden values", () => {
    expect(
      decided(conditional, { hasIssue: "no", locked: "x", inspector: "张三", issue: "超过五个字符了" }),
    ).toEqual(["issue"]);
  });

  it("does not validate disabled questions and hidden pages", () => {
    expect(decided(conditional, { hasIssue: "yes", issue: "a", fix: "b", inspector: "c" })).toEqual([]);
    expect(decided(conditional, {})).toEqual([]);
    expect(decided(conditional, { hasIssue: "no" })).toEqual(["inspector", "locked"]);
  });

  it("reports unknown keys and out-of-choice values", () => {
    expect(decided(conditional, { hasIssue: "maybe", extra: 1 })).toEqual(["extra", "hasIssue", "inspector"]);
  });

  it("remembers a condition's result per input without mixing inputs that only look alike", () => {
    // One compiled validator over many responses, as in the server: results are remembered per
    // combination of variable values. Inputs that look alike (0 and -0, 1 and "1") are kept apart or
    // left to the reference, and a long text is never remembered.
    const schema = {
      elements: [
        { type: "text", name: "n", inputType: "number" },
        { type: "text", name: "why", isRequired: true, visibleIf: "1 / {n} > 0" },
        { type: "text", name: "t" },
        { type: "text", name: "same", isRequired: true, visibleIf: "{t} = '1' or {t} = 'x'" },
        { type: "radiogroup", name: "r", choices: ["a", "b"] },
        { type: "text", name: "rb", isRequired: true, visibleIf: "{r} = 'b' and {t} notempty" },
      ],
    };
    const validate = compile(schema);
    const reference = createResponseValidator(schema);
    const inputs: Record<string, unknown>[] = [
      { n: 0 },
      { n: -0 },
      { n: 2 },
      { n: -2 },
      { t: "1" },
      { t: 1 },
      { t: "x" },
      { t: "x".repeat(100) },
      { r: "b" },
      { r: "b", t: "y" },
      { r: "a", t: "y" },
      {},
    ];
    let decidedCount = 0;
    for (let round = 0; round < 3; round++) {
      for (const data of [...inputs, ...inputs.slice().reverse()]) {
        const fast = validate(data);
        if (!fast) continue;
        decidedCount++;
        const slow = reference(data);
        expect({ data, failing: failingNames(fast) }).toEqual({ data, failing: failingNames(slow) });
      }
    }
    expect(decidedCount).toBeGreaterThan(40);
    // Many different texts: the condition gives up remembering and still decides exactly.
    for (let i = 0; i < 300; i++) {
      const data = { r: "b", t: `文本${i}` };
      expect(failingNames(validate(data)!)).toEqual(failingNames(reference(data)));
    }
  });
});

describe("compiled validator: question types", () => {
  const form = {
    elements: [
      { type: "text", name: "n", inputType: "number", min: 1, max: 9 },
      { type: "text", name: "code", validators: [{ type: "regex", regex: "^[A-Z]+$" }] },
      { type: "checkbox", name: "c", choices: ["a", "b", "c"], maxSelectedChoices: 2 },
      { type: "rating", name: "r", rateMax: 5 },
      {
        type: "boolean",
        name: "b",
        isRequired: true,
        validators: [{ type: "expression", expression: "{b} = true" }],
      },
      { type: "matrix", name: "m", rows: ["r1", "r2"], columns: [1, 2], eachRowRequired: true },
      {
        type: "matrixdynamic",
        name: "md",
        rowCount: 0,
        columns: [
          { name: "who", cellType: "text", isRequired: true, maxLength: 4 },
          { name: "id", cellType: "text", isUnique: true },
        ],
      },
    ],
  };

  it("accepts a well-formed response", () => {
    const data = {
      n: 3,
      code: "AB",
      c: ["a"],
      r: 5,
      b: true,
      m: { r1: 1, r2: 2 },
      md: [{ who: "王", id: "1" }],
    };
    expect(decided(form, data)).toEqual([]);
  });

  it("rejects range, pattern, count, scale, expression, row and cell errors", () => {
    const data = {
      n: 12,
      code: "ab",
      c: ["a", "b", "c"],
      r: 6,
      b: false,
      m: { r1: 1 },
      md: [{ id: "1" }, { who: "太长的名字" }],
    };
    expect(decided(form, data)).toEqual(["b", "c", "code", "m", "md[0].who", "md[1].who", "n", "r"]);
  });

  it("leaves values outside its exact domain to the reference", () => {
    const check = compile(form);
    expect(check({ n: "3" })).toBeUndefined();
    expect(check({ c: ["a", "a"] })).toBeUndefined();
    expect(
      check({
        md: [
          { who: "a", id: "x" },
          { who: "b", id: "X" },
        ],
      }),
    ).toBeUndefined();
    expect(check({ "n-Comment": "x" })).toBeUndefined();
    // Found by the differential run: survey-core accepts {} for a required checkbox and keeps "   " as a choice.
    expect(check({ c: {} })).toBeUndefined();
    expect(compile(conditional)({ hasIssue: "   " })).toBeUndefined();
    // The reference names only the first value it would clear inside a question.
    const cells = {
      elements: [
        {
          type: "matrixdynamic",
          name: "md",
          rowCount: 0,
          columns: [{ name: "k", cellType: "dropdown", choices: [1] }],
        },
      ],
    };
    expect(compile(cells)({ md: [{ k: 2 }, { k: 3 }] })).toBeUndefined();
    expect(check([])).toBeUndefined();
  });
});

const panels = {
  elements: [
    { type: "radiogroup", name: "has", choices: ["yes", "no"] },
    {
      type: "paneldynamic",
      name: "items",
      visibleIf: "{has} = 'yes'",
      minPanelCount: 1,
      keyName: "label",
      templateElements: [
        { type: "text", name: "label", isRequired: true, maxLength: 5 },
        { type: "dropdown", name: "kind", choices: ["a", "b"] },
        { type: "comment", name: "why", visibleIf: "{panel.kind} = 'b'", isRequired: true },
        { type: "text", name: "first", requiredIf: "{panelIndex} = 0" },
      ],
    },
  ],
};

describe("compiled validator: dynamic panels", () => {
  it("validates every panel's questions with {panel.x} and {panelIndex} conditions", () => {
    expect(decided(panels, { has: "yes", items: [{ label: "a", first: "x" }, { label: "b" }] })).toEqual([]);
    expect(
      decided(panels, {
        has: "yes",
        items: [
          { label: "a", kind: "b" },
          { kind: "b", why: "w" },
        ],
      }),
    ).toEqual(["items[0].first", "items[0].why", "items[1].label"]);
  });

  it("gives a missing or empty value minPanelCount empty panels, and panels of a hidden one no required errors", () => {
    expect(decided(panels, { has: "yes" })).toEqual(["items[0].first", "items[0].label"]);
    expect(decided(panels, { has: "yes", items: [] })).toEqual(["items[0].first", "items[0].label"]);
    expect(decided(panels, { has: "no", items: [{ kind: "b" }] })).toEqual([]);
  });

  it("keeps limits and removals for hidden panels, naming only the first loss", () => {
    expect(decided(panels, { has: "no", items: [{ label: "too long" }] })).toEqual(["items[0].label"]);
    expect(decided(panels, { has: "no", items: [{ label: "a", zz: null }, { kind: "c" }] })).toEqual([
      "items[0].zz",
    ]);
    expect(decided(panels, { has: "no", items: [{ kind: "c", zz: 1 }] })).toEqual(["items[0].kind"]);
  });

  it("reports duplicate keyName answers only in a validated dynamic panel", () => {
    const twice = [{ label: "a", first: "x" }, { label: "b" }, { label: "a" }];
    expect(decided(panels, { has: "yes", items: twice })).toEqual(["items[2].label"]);
    expect(decided(panels, { has: "no", items: twice })).toEqual([]);
  });

  it("leaves comment keys, case variants and non-object panels to the reference", () => {
    const check = compile(panels);
    expect(check({ has: "yes", items: [{ label: "a", "label-Comment": "c" }] })).toBeUndefined();
    expect(check({ has: "yes", items: [{ Label: "a" }] })).toBeUndefined();
    expect(check({ has: "yes", items: [{ label: "a" }, null] })).toBeUndefined();
    expect(check({ has: "yes", items: {} })).toBeUndefined();
  });
});

const carried = {
  elements: [
    { type: "checkbox", name: "owned", choices: ["car", "bike", "boat"] },
    {
      type: "radiogroup",
      name: "fav",
      choicesFromQuestion: "owned",
      choicesFromQuestionMode: "selected",
      isRequired: true,
    },
    { type: "dropdown", name: "other", choicesFromQuestion: "owned", choicesFromQuestionMode: "unselected" },
    { type: "dropdown", name: "any", choicesFromQuestion: "owned" },
  ],
};

describe("compiled validator: choicesFromQuestion", () => {
  it("allows the source's selected, unselected or all choices, following its answer", () => {
    expect(decided(carried, { owned: ["car"], fav: "car", other: "bike", any: "boat" })).toEqual([]);
    expect(decided(carried, { owned: ["car"], fav: "car", other: "car" })).toEqual(["other"]);
    expect(decided(carried, { fav: "car", any: "plane" })).toEqual(["any", "fav"]);
  });

  it("reports a value outside the copied choices as unanswered too: survey-core clears it before validating", () => {
    const result = compile(carried)({ owned: ["car"], fav: "bike" });
    expect(result).toEqual(createResponseValidator(carried)({ owned: ["car"], fav: "bike" }));
    expect(result && !result.ok && result.errors.length).toBe(2);
  });

  it("leaves loose matches and a source answer outside its domain to the reference", () => {
    const check = compile(carried);
    expect(check({ owned: ["car", "zzz"], fav: "car" })).toBeUndefined();
    expect(check({ owned: [1], any: "1" })).toBeUndefined();
  });
});

describe("compiled validator: storeOthersAsComment false", () => {
  const others = {
    elements: [
      {
        type: "radiogroup",
        name: "r",
        choices: ["x", "y"],
        showOtherItem: true,
        storeOthersAsComment: false,
      },
      {
        type: "dropdown",
        name: "d",
        choices: ["x"],
        hasOther: true,
        storeOthersAsComment: false,
        isRequired: true,
        validators: [{ type: "text", maxLength: 3 }],
      },
    ],
  };

  it("decides other texts stored as the value, running validators on them", () => {
    expect(decided(others, { r: "my own", d: "abc" })).toEqual([]);
    expect(decided(others, { r: "x", d: "longer" })).toEqual(["d"]);
  });

  it("leaves the bare other value and loose matches to the reference", () => {
    const check = compile(others);
    expect(check({ r: "other", d: "x" })).toBeUndefined();
    expect(check({ r: "X", d: "x" })).toBeUndefined();
  });
});

describe("compiled validator: cells and items", () => {
  const matrices = {
    elements: [
      { type: "radiogroup", name: "mode", choices: ["full", "short"] },
      {
        type: "matrixdropdown",
        name: "m",
        choices: ["lo", "hi"],
        rows: ["A", "B"],
        columns: [
          { name: "use", cellType: "radiogroup", choices: ["Yes", "No"], isRequired: true },
          { name: "level" },
          {
            name: "years",
            visibleIf: "{row.use} = 'Yes'",
            isRequired: true,
            cellType: "text",
            inputType: "number",
            max: 40,
          },
          {
            name: "tags",
            cellType: "checkbox",
            choices: ["x", "y"],
            enableIf: "{row.use} = 'Yes'",
            isRequired: true,
          },
          { name: "why", cellType: "comment", requiredIf: "{row.level} = 'lo' and {mode} = 'full'" },
        ],
      },
      {
        type: "matrixdynamic",
        name: "md",
        rowCount: 0,
        choices: [1, 2],
        columns: [
          { name: "k", isRequired: true },
          { name: "note", cellType: "text", visibleIf: "{row.k} = 2", isRequired: true },
        ],
      },
    ],
  };

  it("validates every row's cells, with column conditions over the row ({row.x})", () => {
    const yes = { use: "Yes", years: 3, tags: ["x"] };
    expect(decided(matrices, { m: { A: yes, B: { use: "No" } } })).toEqual([]);
    // Unanswered rows still have required cells; a hidden cell is not required.
    expect(decided(matrices, { m: { A: { use: "No" } } })).toEqual(["m.B.use"]);
    expect(decided(matrices, {})).toEqual(["m.A.use", "m.B.use"]);
    expect(decided(matrices, { m: { A: { use: "Yes" }, B: { use: "No" } } })).toEqual([
      "m.A.tags",
      "m.A.years",
    ]);
    expect(
      decided(matrices, { mode: "full", m: { A: { ...yes, level: "lo" }, B: { use: "No", level: "hi" } } }),
    ).toEqual(["m.A.why"]);
  });

  it("applies declared limits to hidden cells and takes a column's choices from the matrix", () => {
    expect(decided(matrices, { m: { A: { use: "No", years: 50 }, B: { use: "No", level: "hi" } } })).toEqual([
      "m.A.years",
    ]);
    expect(
      decided(matrices, {
        m: { A: { use: "No", level: "lo" }, B: { use: "No" } },
        md: [{ k: 2, note: "n" }],
      }),
    ).toEqual([]);
    expect(
      decided(matrices, { m: { A: { use: "No" }, B: { use: "No" } }, md: [{ k: 1 }, { k: 2 }] }),
    ).toEqual(["md[1].note"]);
  });

  it("leaves unknown rows and cells, and values survey-core would clear, to the reference", () => {
    const check = compile(matrices);
    const b = { use: "No" };
    expect(check({ m: { A: b, B: b, C: b } })).toBeUndefined();
    expect(check({ m: { A: { use: "No", zz: 1 }, B: b } })).toBeUndefined();
    expect(check({ m: { A: { use: "Maybe" }, B: b } })).toBeUndefined();
    expect(check({ m: { A: { use: "No", level: "mid" }, B: b } })).toBeUndefined();
    expect(check({ m: { A: { use: "No", why: "  " }, B: b } })).toBeUndefined();
    expect(check({ m: [b] })).toBeUndefined();
  });

  const multi = {
    elements: [
      {
        type: "multipletext",
        name: "addr",
        isRequired: true,
        items: [
          { name: "street", isRequired: true, maxLength: 5 },
          { name: "zip", validators: [{ type: "numeric" }] },
          { name: "floor", inputType: "number" },
          { name: "mail", inputType: "email" },
        ],
      },
    ],
  };

  it("checks multipletext items as text questions", () => {
    expect(decided(multi, { addr: { street: "中山路", zip: "250000", floor: 3, mail: "a@b.cn" } })).toEqual(
      [],
    );
    expect(decided(multi, {})).toEqual(["addr", "addr.street"]);
    // A text of spaces counts as an answer for the question, not for the required item.
    expect(decided(multi, { addr: { zip: "  " } })).toEqual(["addr.street"]);
    expect(decided(multi, { addr: { street: "很长的街道名", zip: "x", mail: "bad" } })).toEqual([
      "addr.mail",
      "addr.street",
      "addr.zip",
    ]);
  });

  it("leaves unknown items and loosely typed values to the reference", () => {
    const check = compile(multi);
    expect(check({ addr: { street: "a", other: "x" } })).toBeUndefined();
    expect(check({ addr: { street: "a", floor: "3" } })).toBeUndefined();
    expect(check({ addr: "a" })).toBeUndefined();
  });
});

describe("compiled validator: refusals", () => {
  it.each([
    ["custom functions", { elements: [{ type: "text", name: "a", visibleIf: "myFunc({b})" }] }],
    [
      "choicesEnableIf",
      { elements: [{ type: "dropdown", name: "a", choices: ["x"], choicesEnableIf: "{item} = 'x'" }] },
    ],
    [
      "calculated values",
      { calculatedValues: [{ name: "v", expression: "1" }], elements: [{ type: "text", name: "a" }] },
    ],
    [
      "nested dynamic panels",
      {
        elements: [
          {
            type: "paneldynamic",
            name: "p",
            templateElements: [
              { type: "paneldynamic", name: "q", templateElements: [{ type: "text", name: "a" }] },
            ],
          },
        ],
      },
    ],
    [
      "templateVisibleIf",
      {
        elements: [
          {
            type: "paneldynamic",
            name: "p",
            templateVisibleIf: "{panel.a} = 1",
            templateElements: [{ type: "text", name: "a" }],
          },
        ],
      },
    ],
    [
      "root expressions reading a dynamic panel",
      {
        elements: [
          { type: "paneldynamic", name: "p", templateElements: [{ type: "text", name: "a" }] },
          { type: "text", name: "b", visibleIf: "{p[0].a} = 1" },
        ],
      },
    ],
    [
      "expressions reading a choicesFromQuestion answer",
      {
        elements: [
          { type: "checkbox", name: "src", choices: ["a", "b"] },
          { type: "radiogroup", name: "fav", choicesFromQuestion: "src" },
          { type: "text", name: "why", visibleIf: "{fav} = 'a'" },
        ],
      },
    ],
    [
      "choicesFromQuestion with an other item in the source",
      {
        elements: [
          { type: "checkbox", name: "src", choices: ["a", "b"], showOtherItem: true },
          { type: "radiogroup", name: "fav", choicesFromQuestion: "src" },
        ],
      },
    ],
    [
      "storeOthersAsComment inside a dynamic panel",
      {
        elements: [
          {
            type: "paneldynamic",
            name: "p",
            templateElements: [
              {
                type: "radiogroup",
                name: "a",
                choices: ["x"],
                showOtherItem: true,
                storeOthersAsComment: false,
              },
            ],
          },
        ],
      },
    ],
    ["valueName", { elements: [{ type: "text", name: "a", valueName: "b" }] }],
    [
      "row variables naming no column",
      {
        elements: [
          {
            type: "matrixdynamic",
            name: "m",
            columns: [{ name: "a", cellType: "text", visibleIf: "{row.b} = 1" }],
          },
        ],
      },
    ],
    [
      "row-context names in cells",
      {
        elements: [
          { type: "text", name: "a" },
          {
            type: "matrixdropdown",
            name: "m",
            rows: ["r"],
            columns: [
              { name: "a", cellType: "text" },
              { name: "b", cellType: "text", visibleIf: "{a} = 1" },
            ],
          },
        ],
      },
    ],
    [
      "totals",
      {
        elements: [
          {
            type: "matrixdropdown",
            name: "m",
            rows: ["r"],
            columns: [{ name: "a", cellType: "text", totalType: "sum" }],
          },
        ],
      },
    ],
    [
      "rowsVisibleIf",
      {
        elements: [
          {
            type: "matrixdropdown",
            name: "m",
            rows: ["r"],
            rowsVisibleIf: "{item} = 'r'",
            columns: [{ name: "a" }],
          },
        ],
      },
    ],
    [
      "multipletext validators",
      {
        elements: [
          {
            type: "multipletext",
            name: "m",
            items: [{ name: "a" }],
            validators: [{ type: "expression", expression: "1 = 1" }],
          },
        ],
      },
    ],
    ["built-in variables", { elements: [{ type: "text", name: "a", visibleIf: "{pageNo} = 1" }] }],
    [
      "variables naming a question inside a dynamic panel",
      {
        elements: [
          { type: "paneldynamic", name: "p", templateElements: [{ type: "text", name: "inner" }] },
          { type: "text", name: "a", visibleIf: "{inner} = 1" },
        ],
      },
    ],
  ])("refuses %s", (_what, schema) => {
    expect(refusal(schema)).not.toBeNull();
  });
});

describe("ValidatorCache with the compiler", () => {
  it("compiles supported forms, falls back for the rest and counts both", () => {
    const cache = new ValidatorCache(2);
    const plain = cache.get("plain:1", () => conditional);
    const fallback = cache.get("panels:1", () => ({
      elements: [
        {
          type: "paneldynamic",
          name: "p",
          templateVisibleIf: "{panel.a} notempty",
          templateElements: [{ type: "text", name: "a" }],
        },
      ],
    }));
    expect(plain({ hasIssue: "yes", inspector: "x" }).ok).toBe(false);
    expect(plain({ hasIssue: "no", locked: "x", inspector: "x", "hasIssue-Comment": "y" }).ok).toBe(true);
    expect(fallback({ p: [{ a: "x" }] })).toEqual({ ok: true });
    cache.get("plain:1", () => conditional);
    const stats = cache.stats();
    expect(stats).toMatchObject({
      size: 2,
      capacity: 2,
      compiled: 1,
      fallback: 1,
      hits: 1,
      misses: 2,
      compiledResponses: 1,
      deferredResponses: 1,
    });
    expect(stats.fallbackForms).toHaveLength(1);
    expect(stats.fallbackForms[0]).toMatch(/^panels:1: /);
  });
});

describe("GET /api/metrics", () => {
  it("reports validator stats to administrators and supervisors only", async () => {
    const t = await makeTestApp();
    await t.user("boss", "admin");
    await t.user("watcher", "supervisor");
    await t.user("worker", "officer");
    expect((await t.call(null, "GET", "/api/metrics")).status).toBe(401);
    expect((await t.call(await t.login("worker"), "GET", "/api/metrics")).status).toBe(403);
    for (const who of ["boss", "watcher"]) {
      const res = await t.call(await t.login(who), "GET", "/api/metrics");
      expect(res.status).toBe(200);
      const body = (await res.json()) as {
        validators: { capacity: number; fallbackForms: unknown[] };
        uptimeSeconds: number;
      };
      expect(body.validators.capacity).toBeGreaterThan(0);
      expect(Array.isArray(body.validators.fallbackForms)).toBe(true);
      expect(body.uptimeSeconds).toBeGreaterThanOrEqual(0);
    }
  });
});

describe("compiled validator: lianma's own properties", () => {
  it("compiles the evaluation form with its `negative` choice marks registered, as the server runs it", async () => {
    // The server registers lianma's properties when it loads (src/forms/negative.ts); a registered
    // item property the compiler did not know made it hand every evaluation to survey-core.
    await import("../src/forms/negative.ts");
    const { readFileSync } = await import("node:fs");
    const file = JSON.parse(readFileSync("forms/inspection-evaluation.json", "utf8")) as { schema: unknown };
    const outcome = compileResponseValidator(file.schema, "zh-cn", ownMessages("zh-cn"));
    expect(outcome.ok ? "compiled" : outcome.reason).toBe("compiled");
  });
});
