import { Model } from "survey-core";
import { beforeEach, describe, expect, it } from "vitest";
import { fillSurvey } from "../client/lib/survey-fill.ts";
import { firstQuestionsCss } from "../scripts/first-questions-css.mjs";
import { makeTestApp, type Session, type TestApp } from "./helpers.ts";

let t: TestApp;
let admin: Session;

async function publish(schema: Record<string, unknown>) {
  const res = await t.call(admin, "POST", "/api/forms", { title: "问卷", kind: "survey", schema });
  expect(res.status).toBe(201);
  const id = (await res.json()).form.id as string;
  expect((await t.call(admin, "POST", `/api/forms/${id}/publish`)).status).toBe(201);
  return id;
}

/** The block of first questions in /f/:id, or null when the page has none. */
async function block(id: string): Promise<string | null> {
  const html = await (await t.app.request(`/f/${id}`)).text();
  const start = html.indexOf('<div id="first-questions"');
  if (start < 0) return null;
  return html.slice(start, html.indexOf('<div class="message', start));
}

const names = (html: string) => [...html.matchAll(/data-name="([^"]*)"/g)].map((m) => m[1]);
const page = (elements: unknown[], survey: Record<string, unknown> = {}) => ({
  ...survey,
  pages: [{ name: "p1", elements }],
});
const text = (name: string, extra: Record<string, unknown> = {}) => ({
  type: "text",
  name,
  title: name,
  ...extra,
});

describe("GET /f/:id: the first questions as HTML (issue 17)", () => {
  beforeEach(async () => {
    t = await makeTestApp();
    await t.user("admin", "admin");
    admin = await t.login("admin");
  });

  it("renders the first page's leading plain questions and stops at the first conditional one", async () => {
    const id = await publish(
      page([
        text("company", { isRequired: true, maxLength: 60, description: "营业执照上的名称" }),
        { type: "radiogroup", name: "score", choices: [{ value: 5, text: "满意" }, "不满意"] },
        { type: "comment", name: "why", visibleIf: "{score} = '不满意'" },
        text("after"),
      ]),
    );
    const html = (await block(id))!;
    expect(html).not.toBeNull();
    expect(names(html)).toEqual(["company", "score"]);
    expect(html).toContain('data-version="1"');
    expect(html).toContain('class="sd-question__required-text">*</span>');
    expect(html).toContain('maxlength="60"');
    expect(html).toContain("营业执照上的名称");
    // A choice's value is its JSON: the number 5 stays a number, the text a text.
    expect(html).toContain('value="5"');
    expect(html).toContain('value="&quot;不满意&quot;"');
  });

  it("shows SurveyJS's numbers and the form's default answers", async () => {
    const id = await publish(
      page(
        [
          text("place", { defaultValue: "历下区经十路 1 号" }),
          { type: "checkbox", name: "kinds", choices: ["食品", "药品", "特种设备"], defaultValue: ["药品"] },
        ],
        { showQuestionNumbers: "on" },
      ),
    );
    const html = (await block(id))!;
    expect(html).toContain('class="sd-element__num" style="position: static">1.</span>');
    expect(html).toContain('class="sd-element__num" style="position: static">2.</span>');
    expect(html).toContain('value="历下区经十路 1 号"');
    expect(html).toMatch(/value="&quot;药品&quot;" checked/);
    expect(html).not.toMatch(/value="&quot;食品&quot;" checked/);
  });

  it("writes a form's text as text, never as markup", async () => {
    const id = await publish(
      page(
        [text("x", { title: '<img src=x onerror="alert(1)">', placeholder: '"><script>alert(1)</script>' })],
        {
          title: "</div><script>alert(2)</script>",
        },
      ),
    );
    const html = (await block(id))!;
    expect(html).not.toContain("<img");
    expect(html).not.toContain("<script");
    expect(html).toContain("&lt;img src=x onerror=&quot;alert(1)&quot;&gt;");
  });

  it("writes a property survey-core keeps as the author typed it (isRequired as a text) as text", async () => {
    const id = await publish(page([text("x", { isRequired: '"><img src=x onerror="alert(1)">' })]));
    const html = (await block(id))!;
    expect(html).not.toContain("<img");
    // SurveyJS reads any non-empty text as required: so does the block.
    expect(html).toContain('aria-required="true"');
  });

  it("draws choices as survey-core reads them: 'value|text' is a value and a text", async () => {
    const id = await publish(
      page([
        {
          type: "radiogroup",
          name: "r",
          choices: ["1|满意", { value: "2|不满意" }, { value: "3", text: "" }],
        },
      ]),
    );
    const html = (await block(id))!;
    const items = [...html.matchAll(/value="([^"]*)"[^>]*>.*?sv-string-viewer">([^<]*)</g)].map((m) => [
      m[1],
      m[2],
    ]);
    expect(items).toEqual([
      ["&quot;1&quot;", "满意"],
      ["&quot;2&quot;", "不满意"],
      ["&quot;3&quot;", "3"],
    ]);
  });

  it("takes a text's maximum length and a comment's rows as survey-core reads them", async () => {
    const id = await publish(
      page([
        text("a", { maxLength: "5", defaultValue: "𠮷" }),
        { type: "comment", name: "c", rows: "2" },
        text("d", { inputType: "date", maxLength: 10 }),
      ]),
    );
    const html = (await block(id))!;
    expect(names(html)).toEqual(["a", "c", "d"]);
    expect(html).toContain('maxlength="5"');
    // SurveyJS and the maxlength attribute count UTF-16 units: 𠮷 is two.
    expect(html).toContain('class="sd-remaining-character-counter">2/5</div>');
    expect(html).toContain('rows="2"');
    // SurveyJS counts characters only in inputs that take text, never in a date.
    expect(html.match(/sd-remaining-character-counter/g)).toHaveLength(1);
  });

  it("stops before a question whose default answer the block could not show as SurveyJS keeps it", async () => {
    // The hand-over writes the block's answer over SurveyJS's: a default it could not show would be lost.
    const cases: Record<string, unknown> = {
      "a number for a text": text("q", { defaultValue: 5 }),
      "an object for a text": text("q", { defaultValue: { a: 1 } }),
      "a line break in an input": text("q", { defaultValue: "第一行\n第二行" }),
      "an impossible date": text("q", { inputType: "date", defaultValue: "2026-02-30" }),
      "a value not among the choices": { type: "radiogroup", name: "q", choices: ["是"], defaultValue: "否" },
      "a checked value not among the choices": {
        type: "checkbox",
        name: "q",
        choices: ["甲", "乙"],
        defaultValue: ["甲", "丙"],
      },
    };
    for (const [label, question] of Object.entries(cases)) {
      const html = (await block(await publish(page([text("first"), question]))))!;
      expect(names(html), label).toEqual(["first"]);
    }
    const shown = (await block(
      await publish(
        page([
          text("day", { inputType: "date", defaultValue: "2026-02-28" }),
          { type: "radiogroup", name: "n", choices: [1, 2], defaultValue: 2 },
          { type: "checkbox", name: "k", choices: ["甲", "乙"], defaultValue: ["乙", "甲"] },
        ]),
      ),
    ))!;
    expect(names(shown)).toEqual(["day", "n", "k"]);
  });

  it("stops before a question whose answer another question of the form also holds", async () => {
    // A later question with the same data key (its valueName) can give it a value the block never
    // shows; the hand-over would write the block's empty answer over it.
    const id = await publish({
      pages: [
        { name: "p1", elements: [text("first"), text("shared")] },
        {
          name: "p2",
          elements: [
            { type: "checkbox", name: "b", valueName: "shared", choices: ["甲"], defaultValue: ["甲"] },
          ],
        },
      ],
    });
    expect(names((await block(id))!)).toEqual(["first"]);
  });

  it("keeps a comment's default that starts with a line break (the HTML parser drops one)", async () => {
    const id = await publish(page([{ type: "comment", name: "c", defaultValue: "\n第二行" }]));
    expect(await block(id)).toMatch(/>\n\n第二行<\/textarea>/);
  });

  it("has no block when SurveyJS would show the first page otherwise or not at all", async () => {
    const cases: Record<string, Record<string, unknown>> = {
      "a start page": page([text("a")], { firstPageIsStarted: true }),
      "random question order": page([text("a"), text("b")], { questionsOrder: "random" }),
      "a conditional first question": page([text("a", { visibleIf: "{b} notempty" }), text("b")]),
      "a placeholder in the title": page([text("a", { title: "{b} 的联系人" }), text("b")]),
      "a type drawn only by SurveyJS": page([{ type: "boolean", name: "ok" }, text("b")]),
      "a number input": page([text("n", { inputType: "number" })]),
      "a conditional choice": page([
        { type: "radiogroup", name: "r", choices: [{ value: 1, visibleIf: "{x} = 1" }] },
      ]),
      "a page shown by a condition": {
        pages: [
          { name: "p1", visibleIf: "{x} = 1", elements: [text("a")] },
          { name: "p2", elements: [text("x")] },
        ],
      },
    };
    for (const [label, schema] of Object.entries(cases)) {
      expect(await block(await publish(schema)), label).toBeNull();
    }
  });

  it("follows the live version and leaves a stopped form's page bare", async () => {
    const id = await publish(page([text("a")]));
    expect(names((await block(id))!)).toEqual(["a"]);
    await t.call(admin, "PUT", `/api/forms/${id}`, { schema: page([text("b"), text("c")]) });
    await t.call(admin, "POST", `/api/forms/${id}/publish`);
    const second = (await block(id))!;
    expect(names(second)).toEqual(["b", "c"]);
    expect(second).toContain('data-version="2"');
    await t.call(admin, "POST", `/api/forms/${id}/unpublish`);
    expect(await block(id)).toBeNull();
  });
});

describe("the runner's fill handed to SurveyJS (client/lib/survey-fill.ts)", () => {
  const schema = {
    pages: [
      {
        name: "p1",
        elements: [
          { type: "text", name: "company" },
          { type: "radiogroup", name: "open", choices: ["是", "否"], defaultValue: "是" },
        ],
      },
      { name: "p2", elements: [{ type: "text", name: "district", defaultValue: "历下区" }] },
    ],
  };
  const fill = (data: Record<string, unknown>, whole?: boolean) => ({ id: "f", version: 1, data, whole });

  it("keeps every other question's default when only the first questions were answered", () => {
    // What the page's first questions took before SurveyJS arrived names only those questions.
    const taken = fill({ company: "示范企业" });
    const survey = new Model(schema);
    fillSurvey(survey, taken);
    expect(survey.data).toEqual({ company: "示范企业", open: "是", district: "历下区" });
    expect(taken).toMatchObject({ data: survey.data, whole: true });
    survey.dispose();
  });

  it("keeps a default the respondent cleared cleared, once SurveyJS has held the fill", () => {
    const held = fill({ company: "示范企业", open: "否" }, true);
    const survey = new Model(schema);
    fillSurvey(survey, held);
    expect(survey.data).toEqual({ company: "示范企业", open: "否" });
    survey.dispose();
  });
});

describe("first-questions.css: the block's part of SurveyJS's stylesheet", () => {
  const css = firstQuestionsCss(
    [
      ".sd-page{padding:8px}",
      ".sd-question .sd-title,.sd-matrix .sd-title{font-weight:600}",
      ".sd-root-modern{--sd-base-padding:40px}",
      "input.sd-input:focus{outline:none}",
      "body{margin:0}",
      ".sd-root-modern--mobile .sd-page{padding:0}",
      ".sd-root-modern.sd-root-modern--mobile .sd-element__num{float:none}",
      ".sd-question--mobile>.sd-question__content{min-width:auto}",
      ".sd-question.sd-question--mobile .sd-x,.sd-other{color:red}",
      ".sd-question:not(.sd-question--mobile) .sd-table{display:table}",
      "@media (max-width:600px){.sd-root-modern--mobile .sd-y{margin:0}}",
    ].join(""),
    new Set(["sd-page", "sd-question", "sd-title", "sd-root-modern", "sd-input", "sd-element__num"]),
  );
  const [own, narrow] = css.split("@media (max-width:599.98px){");
  const rules = (text: string) => text.split("\n").filter((l) => l.includes("{"));

  it("keeps only the rules of the block's classes, each inside the block", () => {
    expect(rules(own!)).toEqual([
      ".lm-first .sd-page,.lm-first.sd-page{padding:8px}",
      ".lm-first .sd-question .sd-title,.lm-first.sd-question .sd-title{font-weight:600}",
      ".lm-first .sd-root-modern,.lm-first.sd-root-modern{--sd-base-padding:40px}",
      ".lm-first input.sd-input:focus{outline:none}",
    ]);
  });

  it("puts the block's class where SurveyJS's script would put its narrow-screen classes", () => {
    expect(rules(narrow!)).toEqual([
      ".lm-first .sd-page{padding:0}",
      ".lm-first.sd-root-modern .sd-element__num{float:none}",
      ".lm-first .sd-question>.sd-question__content{min-width:auto}",
      ".lm-first .sd-question .sd-x{color:red}",
    ]);
  });
});
