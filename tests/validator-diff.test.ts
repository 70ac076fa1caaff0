import { describe, expect, it } from "vitest";
import { compileResponseValidator } from "../src/forms/compiled/index.ts";
import { DELIBERATE, precheckAnswers } from "../src/forms/precheck.ts";
import { createResponseValidator, ownMessages } from "../src/forms/reference-validator.ts";
import { planOf } from "../src/forms/validator-cache.ts";
import { failingNames, loadDiffForms, randomResponse, seededRng } from "./validator-fuzz.ts";

/**
 * Bounded differential test: the compiled validator against the survey-core reference on seeded
 * random responses for every form in forms/ and tests/fixtures/schemas/. The reference costs tens of
 * milliseconds per call on a loaded 2-core machine, so CI compares VALIDATOR_DIFF_PER_FORM responses
 * per form (default 30); scripts/validator-diff.ts runs the full 10,000 per form.
 */
const PER_FORM = Number(process.env.VALIDATOR_DIFF_PER_FORM) || 30;

/** Every error as name and message, sorted. */
function messages(result: { ok: boolean; errors?: Array<{ name: string; message: string }> }): string {
  return (result.errors ?? [])
    .map((e) => `${e.name}\u0000${e.message}`)
    .sort()
    .join("\n");
}
const forms = loadDiffForms(process.cwd());

describe("compiled validator agrees with the survey-core reference", () => {
  it("compiles the forms shipped in forms/", () => {
    const refused = forms
      .filter((f) => f.name.startsWith("forms/"))
      .map((f) => ({
        name: f.name,
        outcome: compileResponseValidator(f.schema, "zh-cn", ownMessages("zh-cn")),
      }))
      .filter((f) => !f.outcome.ok);
    expect(refused.map((f) => f.name)).toEqual([]);
  });

  it.each(forms.map((f) => [f.name, f] as const))(
    "%s",
    (_name, form) => {
      const outcome = compileResponseValidator(form.schema, "zh-cn", ownMessages("zh-cn"));
      // A refused form runs on the reference alone: nothing to compare.
      if (!outcome.ok) return;
      const reference = createResponseValidator(form.schema);
      const rng = seededRng(4242);
      const mismatches: string[] = [];
      let decided = 0;
      // An empty response first: forms whose answers all depend on run-time choices decide little else.
      for (let i = -1; i < PER_FORM; i++) {
        const data = i < 0 ? {} : randomResponse(rng, form.schema);
        const fast = outcome.validate(data);
        if (!fast) continue;
        decided++;
        const expected = reference(data);
        // Messages too: some rules (a value cleared before validate()) differ only in how many errors a name gets.
        const same =
          fast.ok === expected.ok &&
          failingNames(fast).join("|") === failingNames(expected).join("|") &&
          messages(fast) === messages(expected);
        if (!same)
          mismatches.push(
            `${JSON.stringify(data)}\n  reference ${JSON.stringify(expected)}\n  compiled ${JSON.stringify(fast)}`,
          );
      }
      expect(mismatches).toEqual([]);
      // The generator must exercise the fast path, not only the deferral to the reference.
      expect(decided).toBeGreaterThan(0);
    },
    120_000,
  );

  // The pre-check runs before both validators. It refuses some responses survey-core accepts, on
  // purpose (docs/VALIDATION.md, "The pre-check"); any other refusal must be one the reference makes too.
  it.each(forms.map((f) => [f.name, f] as const))(
    "pre-check: %s",
    (_name, form) => {
      const plan = planOf(form.schema);
      const reference = createResponseValidator(form.schema);
      const rng = seededRng(4242);
      const undocumented: string[] = [];
      for (let i = 0; i < PER_FORM; i++) {
        const data = randomResponse(rng, form.schema);
        const refused = precheckAnswers(plan, data);
        if (!refused || DELIBERATE.has(refused.reason)) continue;
        const expected = reference(data);
        if (expected.ok)
          undocumented.push(`${refused.reason} ${refused.error.name}: ${JSON.stringify(data)}`);
      }
      expect(undocumented).toEqual([]);
    },
    120_000,
  );

  it("pre-check: refuses the oversized answers survey-core keeps, as documented differences", () => {
    const form = forms.find((f) => f.name === "schemas/oversized-answers.json");
    if (!form) throw new Error("tests/fixtures/schemas/oversized-answers.json missing");
    const plan = planOf(form.schema);
    const reference = createResponseValidator(form.schema);
    const cases: [Record<string, unknown>, string, string][] = [
      [{ topics: ["price", "price"] }, "duplicate", "topics"],
      [{ topics: Array.from({ length: 110_000 }, () => "price") }, "too_many_choices", "topics"],
      [{ tags: ["x", "x"] }, "duplicate", "tags"],
      [{ extras: ["a", "b", "a", "b", "a"] }, "too_many_choices", "extras"],
      [{ name: {} }, "empty_container", "name"],
      [{ note: [] }, "empty_container", "note"],
      [{ grade: {} }, "empty_container", "grade"],
      [{ contact: { phone: "1", fax: "2" } }, "unknown_item", "contact.fax"],
      [{ staff: [{}, {}, {}, {}] }, "too_many_rows", "staff"],
      [{ visits: [{}, {}, {}] }, "too_many_panels", "visits"],
    ];
    for (const [data, reason, name] of cases) {
      const refused = precheckAnswers(plan, data);
      expect({ reason: refused?.reason, name: refused?.error.name }).toEqual({ reason, name });
      expect(DELIBERATE.has(reason as never)).toBe(true);
      // Each is a difference from survey-core only while the reference accepts it: keep the list honest.
      if (reason !== "too_many_choices" || data.extras)
        expect({ name, ok: reference(data).ok }).toEqual({ name, ok: true });
    }
    // And refusals the reference makes as well.
    for (const data of [
      { grid: { r9: "good" } },
      { staff: [{ who: "a", zz: "b" }] },
      { visits: [{ zz: 1 }] },
    ]) {
      expect(precheckAnswers(plan, data)?.reason).toBe("unknown_key");
      expect(reference(data).ok).toBe(false);
    }
    expect(
      precheckAnswers(plan, { name: "张三", topics: ["price", "speed"], contact: { phone: "1" } }),
    ).toBeNull();
  }, 120_000);

  it("agrees on realistic checklist submissions (accepted and rejected)", () => {
    const form = forms.find((f) => f.name === "forms/checklist-skeleton.json");
    if (!form) throw new Error("forms/checklist-skeleton.json missing");
    const outcome = compileResponseValidator(form.schema, "zh-cn", ownMessages("zh-cn"));
    if (!outcome.ok) throw new Error(outcome.reason);
    const reference = createResponseValidator(form.schema);
    const rng = seededRng(7);
    let accepted = 0;
    for (let i = 0; i < PER_FORM; i++) {
      const data = checklistSubmission(rng);
      const fast = outcome.validate(data);
      expect(fast).toBeDefined();
      const expected = reference(data);
      expect({ ok: fast?.ok, names: failingNames(fast ?? { ok: true }) }).toEqual({
        ok: expected.ok,
        names: failingNames(expected),
      });
      if (expected.ok) accepted++;
    }
    expect(accepted).toBeGreaterThan(0);
    expect(accepted).toBeLessThan(PER_FORM);
  }, 120_000);
});

const ITEMS = [
  "license_valid",
  "management_system",
  "equipment_facilities",
  "staff_qualification",
  "prior_rectification",
  "records_filing",
];

/**
 * A checklist submission as the runner page sends it, with the usual mistakes mixed in: a missing
 * requirement for a failed item, a deadline in the past, a bad credit code, a reversed time range,
 * an empty credential number, a hidden requirement kept from an earlier answer.
 */
function checklistSubmission(rng: () => number): Record<string, unknown> {
  const maybe = (p: number) => rng() < p;
  const data: Record<string, unknown> = {
    enterprise_name: "济南某某食品有限公司",
    credit_code: maybe(0.9) ? "91370100MA3C4XY71Q" : "91370100MA3C4XYZ1Q",
    address: "济南市历下区某路1号",
    legal_representative: "张三",
    inspection_place: "生产车间",
    start_time: "2026-11-20T09:00",
    end_time: maybe(0.9) ? "2026-11-20T10:30" : "2026-11-20T08:00",
    officers: [
      { name: "李四", credential_no: "37010001" },
      { name: "王五", credential_no: maybe(0.95) ? "37010002" : "" },
    ],
    rights_notified: maybe(0.9),
    officer_signature: "data:image/png;base64,iVBORw0KGgo=",
    enterprise_signature: "data:image/png;base64,iVBORw0KGgo=",
  };
  if (maybe(0.5)) data.photos = [{ name: "a.png", type: "image/png", content: "data:image/png;base64,AAAA" }];
  for (const item of ITEMS) {
    const result = ["pass", "fail", "na"][Math.floor(rng() * 3)];
    data[item] = result;
    if (result === "fail" || maybe(0.05)) {
      if (maybe(0.95)) data[`${item}_requirement`] = "限期整改，提交整改报告";
      data[`${item}_deadline`] = maybe(0.95) ? "2099-01-01" : "2020-01-01";
    }
  }
  return data;
}
