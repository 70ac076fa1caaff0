import { ItemValue, Model, type Question } from "survey-core";
import "survey-core/i18n/simplified-chinese";
import { registerLianmaProperties } from "../../client/lib/lianma-properties.ts";

registerLianmaProperties();

/** One answer that the form version marks as negative (it raises an alert). */
export interface NegativeAnswer {
  name: string;
  title: string;
  value: unknown;
  text: string;
}

/** The question whose answer gives the 0–100 satisfaction score, unless one is marked `lianmaScore`. */
export const SCORE_QUESTION = "overall_satisfaction";

type Data = Record<string, unknown>;

/** Loads a schema headless (zh-cn texts), runs `fn`, and disposes of the model. */
export function withSurvey<T>(schema: unknown, fn: (model: Model) => T): T {
  const model = new Model(schema ?? {});
  model.locale = "zh-cn";
  try {
    return fn(model);
  } finally {
    model.dispose();
  }
}

/** Top-level questions in form order; answers nested in dynamic panels or matrices are not looked at. */
export function questionsOf(model: Model): Question[] {
  return model.getAllQuestions(false, false, false);
}

/** The declared choices of a choice question, or the scale of a rating question. */
export function itemsOf(q: Question): ItemValue[] {
  const any = q as unknown as { visibleRateValues?: ItemValue[]; choices?: ItemValue[] };
  if (q.getType() === "rating") return Array.from(any.visibleRateValues ?? []);
  return Array.isArray(any.choices) ? Array.from(any.choices) : [];
}

const isChoiceType = (q: Question) => Array.isArray((q as unknown as { choices?: unknown }).choices);

function booleanText(q: Question, value: unknown): string {
  const b = q as unknown as {
    labelTrue: string;
    labelFalse: string;
    valueTrue?: unknown;
    valueFalse?: unknown;
  };
  if (value === (b.valueTrue ?? true)) return b.labelTrue;
  if (value === (b.valueFalse ?? false)) return b.labelFalse;
  return String(value);
}

/** The text a person saw for one value of a question (choice text, rating label, yes/no label). */
export function valueText(q: Question, value: unknown): string {
  if (q.getType() === "boolean") return booleanText(q, value);
  const item = ItemValue.getItemByValue(itemsOf(q), value);
  if (item) return item.text;
  if (value === null || value === undefined) return "";
  return typeof value === "object" ? JSON.stringify(value) : String(value);
}

function negativeValuesOf(q: Question): string[] | null {
  const list = (q as unknown as { negativeValues?: unknown }).negativeValues;
  return Array.isArray(list) && list.length > 0 ? Array.from(list, (v) => String(v)) : null;
}

/**
 * The answers in `data` that the form version marks as negative: a selected choice (or rating item)
 * with `"negative": true`, or a value listed in a rating/boolean question's `"negativeValues"`.
 * Every answered question counts, visible or not, so a crafted submission cannot hide a complaint.
 */
export function negativeAnswers(schema: unknown, data: Data): NegativeAnswer[] {
  return withSurvey(schema, (model) => {
    const found: NegativeAnswer[] = [];
    for (const q of questionsOf(model)) {
      const name = q.getValueName();
      if (!Object.hasOwn(data, name) || q.getType() === "ranking") continue;
      const answer = data[name];
      const values = Array.isArray(answer) ? answer : [answer];
      const listed = negativeValuesOf(q);
      const items = itemsOf(q);
      for (const value of values) {
        const item = ItemValue.getItemByValue(items, value);
        const flagged =
          (item && (item as unknown as { negative?: boolean }).negative === true) ||
          (listed !== null && listed.includes(String(value)));
        if (flagged) found.push({ name, title: q.title, value, text: valueText(q, value) });
      }
    }
    return found;
  });
}

function scoreQuestion(model: Model): Question | null {
  const questions = questionsOf(model);
  return (
    questions.find((q) => (q as unknown as { lianmaScore?: boolean }).lianmaScore === true) ??
    questions.find((q) => q.name === SCORE_QUESTION) ??
    null
  );
}

/** Where `value` sits on a scale of items, 0–100; numeric scales by value, others by position. */
function position(items: ItemValue[], value: unknown, firstIsBest: boolean): number | null {
  const index = items.findIndex((i) => ItemValue.getItemByValue([i], value));
  if (index < 0) return null;
  const numbers = items.map((i) => (typeof i.value === "number" ? i.value : Number.NaN));
  if (numbers.every(Number.isFinite)) {
    const min = Math.min(...numbers);
    const max = Math.max(...numbers);
    return max === min ? 100 : ((numbers[index]! - min) / (max - min)) * 100;
  }
  if (items.length === 1) return 100;
  const fraction = index / (items.length - 1);
  return (firstIsBest ? 1 - fraction : fraction) * 100;
}

/**
 * The overall satisfaction as a 0–100 score, from the question marked `"lianmaScore": true` or named
 * `overall_satisfaction`; null when the form has none or it is unanswered. Numeric choice or rating
 * values are scaled between their lowest and highest value (higher is better). Non-numeric scales go
 * by position: a rating runs from worst (left) to best, a choice list from best (first) to worst, the
 * way such lists are written (非常满意 … 非常不满意). A yes/no question scores 100 or 0.
 */
export function satisfactionScore(schema: unknown, data: Data): number | null {
  return withSurvey(schema, (model) => {
    const q = scoreQuestion(model);
    if (!q) return null;
    const value = data[q.getValueName()];
    if (value === undefined || value === null || Array.isArray(value)) return null;
    let score: number | null = null;
    if (q.getType() === "boolean") {
      const b = q as unknown as { valueTrue?: unknown; valueFalse?: unknown };
      if (value === (b.valueTrue ?? true)) score = 100;
      else if (value === (b.valueFalse ?? false)) score = 0;
    } else if (q.getType() === "rating") {
      score = position(itemsOf(q), value, false);
    } else if (isChoiceType(q)) {
      score = position(itemsOf(q), value, true);
    }
    return score === null ? null : Math.round(score);
  });
}
