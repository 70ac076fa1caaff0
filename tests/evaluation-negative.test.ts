import { readFileSync } from "node:fs";
import { Serializer } from "survey-core";
import { describe, expect, it } from "vitest";
import { answerLines } from "../src/forms/answer-lines.ts";
import { negativeAnswers, satisfactionScore } from "../src/forms/negative.ts";
import { findSchemaProblems } from "../src/forms/schema-problems.ts";
import { NEGATIVE, POSITIVE } from "./evaluation-fixtures.ts";

const seed = JSON.parse(
  readFileSync(new URL("../forms/inspection-evaluation.json", import.meta.url), "utf8"),
);

const schema = {
  elements: [
    {
      type: "radiogroup",
      name: "gifts",
      title: "是否索要财物？",
      choices: [{ value: "yes", text: "是", negative: true }, { value: "no", text: "否" }, "unsure"],
    },
    {
      type: "checkbox",
      name: "problems",
      title: "存在哪些问题？",
      choices: [
        { value: "rude", text: "态度粗暴", negative: true },
        { value: "late", text: "迟到" },
        { value: "fees", text: "违规收费", negative: true },
      ],
    },
    { type: "rating", name: "stars", title: "打分", rateMin: 1, rateMax: 5, negativeValues: [1, 2] },
    {
      type: "rating",
      name: "mood",
      title: "心情",
      rateValues: [
        { value: "bad", text: "差", negative: true },
        { value: "ok", text: "一般" },
        { value: "good", text: "好" },
      ],
    },
    {
      type: "boolean",
      name: "fair",
      title: "是否公正？",
      labelTrue: "公正",
      labelFalse: "不公正",
      negativeValues: [false],
    },
    { type: "text", name: "note", title: "备注" },
  ],
};

describe("negativeAnswers", () => {
  it("finds choices marked negative, with the question title and the choice text", () => {
    expect(negativeAnswers(schema, { gifts: "yes", note: "x" })).toEqual([
      { name: "gifts", title: "是否索要财物？", value: "yes", text: "是" },
    ]);
    expect(negativeAnswers(schema, { gifts: "no" })).toEqual([]);
    expect(negativeAnswers(schema, { gifts: "unsure" })).toEqual([]);
  });

  it("reports each negative choice of a multiple-choice answer", () => {
    const found = negativeAnswers(schema, { problems: ["late", "rude", "fees"] });
    expect(found.map((a) => [a.value, a.text])).toEqual([
      ["rude", "态度粗暴"],
      ["fees", "违规收费"],
    ]);
  });

  it("uses negativeValues of rating and boolean questions, and negative rating items", () => {
    expect(negativeAnswers(schema, { stars: 2 })).toEqual([
      { name: "stars", title: "打分", value: 2, text: "2" },
    ]);
    expect(negativeAnswers(schema, { stars: 3 })).toEqual([]);
    expect(negativeAnswers(schema, { mood: "bad" })).toEqual([
      { name: "mood", title: "心情", value: "bad", text: "差" },
    ]);
    expect(negativeAnswers(schema, { fair: false })).toEqual([
      { name: "fair", title: "是否公正？", value: false, text: "不公正" },
    ]);
    expect(negativeAnswers(schema, { fair: true })).toEqual([]);
  });

  it("reads negative answers from the shipped evaluation form", () => {
    expect(seed.schema.lianmaNegative).toBeUndefined();
    expect(negativeAnswers(seed.schema, POSITIVE)).toEqual([]);
    expect(negativeAnswers(seed.schema, NEGATIVE).map((a) => [a.name, a.text])).toEqual([
      ["demanded_gifts", "是"],
      ["overall_satisfaction", "不满意"],
    ]);
    // Every yes/no question has exactly one negative choice.
    const flagged = seed.schema.pages
      .flatMap((p: { elements: { choices?: { negative?: boolean }[] }[] }) => p.elements)
      .flatMap((q: { choices?: { negative?: boolean }[] }) => q.choices ?? [])
      .filter((c: { negative?: boolean }) => c.negative);
    expect(flagged).toHaveLength(13);
    expect(findSchemaProblems(seed.schema)).toEqual([]);
  });

  it("ignores questions without an answer and answers of unknown questions", () => {
    expect(negativeAnswers(schema, {})).toEqual([]);
    expect(negativeAnswers(schema, { other: "yes" })).toEqual([]);
  });
});

describe("satisfactionScore", () => {
  it("scales the shipped 5-point overall satisfaction to 0–100", () => {
    const score = (v: number) => satisfactionScore(seed.schema, { ...POSITIVE, overall_satisfaction: v });
    expect([5, 4, 3, 2, 1].map(score)).toEqual([100, 75, 50, 25, 0]);
  });

  it("is null without a score question or without an answer", () => {
    expect(satisfactionScore(schema, { stars: 5 })).toBeNull();
    expect(satisfactionScore(seed.schema, { two_officers_with_credentials: "yes" })).toBeNull();
  });

  it("uses the question marked lianmaScore: ratings, text choices by position, booleans", () => {
    const rated = (q: Record<string, unknown>) => ({ elements: [{ ...q, name: "q", lianmaScore: true }] });
    expect(satisfactionScore(rated({ type: "rating", rateMin: 1, rateMax: 10 }), { q: 10 })).toBe(100);
    expect(satisfactionScore(rated({ type: "rating", rateMin: 1, rateMax: 10 }), { q: 4 })).toBe(33);
    const words = rated({ type: "radiogroup", choices: ["非常满意", "满意", "不满意"] });
    expect(satisfactionScore(words, { q: "非常满意" })).toBe(100);
    expect(satisfactionScore(words, { q: "满意" })).toBe(50);
    expect(satisfactionScore(words, { q: "不满意" })).toBe(0);
    expect(satisfactionScore(words, { q: "别的" })).toBeNull();
    expect(satisfactionScore(rated({ type: "boolean" }), { q: true })).toBe(100);
    expect(satisfactionScore(rated({ type: "boolean" }), { q: false })).toBe(0);
  });
});

describe("answerLines", () => {
  it("lists answered questions in form order with their texts and negative flags", () => {
    const lines = answerLines(schema, { fair: true, gifts: "yes", problems: ["late", "rude"], note: "无" });
    expect(lines.map((l) => [l.name, l.text, l.negative])).toEqual([
      ["gifts", "是", true],
      ["problems", "迟到、态度粗暴", true],
      ["fair", "公正", false],
      ["note", "无", false],
    ]);
  });
});

describe("designer properties", () => {
  it("registers negative, negativeValues and lianmaScore under the 评价 category", () => {
    for (const [cls, name] of [
      ["itemvalue", "negative"],
      ["choiceitem", "negative"],
      ["rating", "negativeValues"],
      ["boolean", "negativeValues"],
      ["question", "lianmaScore"],
    ]) {
      expect(Serializer.findProperty(cls!, name!)?.category).toBe("评价");
    }
  });
});

describe("negativeAnswers inside dynamic panels and matrices", () => {
  const nested = {
    elements: [
      {
        type: "paneldynamic",
        name: "visits",
        title: "各次检查",
        templateElements: [
          {
            type: "radiogroup",
            name: "conduct",
            title: "执法态度",
            choices: [
              { value: "bad", text: "粗暴", negative: true },
              { value: "good", text: "文明" },
            ],
          },
        ],
      },
      {
        type: "matrix",
        name: "grid",
        title: "逐项评价",
        rows: [
          { value: "fair", text: "公正" },
          { value: "fast", text: "高效" },
        ],
        columns: [
          { value: "no", text: "不满意", negative: true },
          { value: "yes", text: "满意" },
        ],
      },
      {
        type: "matrixdropdown",
        name: "detail",
        title: "明细",
        rows: [{ value: "r1", text: "第一项" }],
        columns: [
          {
            name: "fee",
            title: "收费",
            cellType: "radiogroup",
            choices: [
              { value: "illegal", text: "违规收费", negative: true },
              { value: "none", text: "未收费" },
            ],
          },
        ],
      },
      {
        type: "matrixdynamic",
        name: "rows",
        title: "问题清单",
        columns: [
          { name: "score", title: "评分", cellType: "rating", rateMin: 1, rateMax: 5, negativeValues: [1] },
        ],
      },
    ],
  };

  it("finds negative answers at every depth, named by their field path", () => {
    const found = negativeAnswers(nested, {
      visits: [{ conduct: "good" }, { conduct: "bad" }],
      grid: { fair: "yes", fast: "no" },
      detail: { r1: { fee: "illegal" } },
      rows: [{ score: 3 }, { score: 1 }],
    });
    expect(found).toEqual([
      { name: "visits[1].conduct", title: "各次检查 › 执法态度", value: "bad", text: "粗暴" },
      { name: "grid.fast", title: "逐项评价 › 高效", value: "no", text: "不满意" },
      { name: "detail.r1.fee", title: "明细 › 第一项 › 收费", value: "illegal", text: "违规收费" },
      { name: "rows[1].score", title: "问题清单 › 评分", value: 1, text: "1" },
    ]);
  });

  it("finds nothing in positive or malformed nested answers", () => {
    expect(
      negativeAnswers(nested, {
        visits: [{ conduct: "good" }, "junk"],
        grid: { fair: "yes" },
        detail: { r1: "junk" },
        rows: { score: 1 },
      }),
    ).toEqual([]);
  });

  it("flags the container line when an answer inside it is negative", () => {
    const lines = answerLines(nested, { visits: [{ conduct: "bad" }], grid: { fair: "yes" } });
    expect(lines.map((l) => [l.name, l.negative])).toEqual([
      ["visits", true],
      ["grid", false],
    ]);
  });
});
