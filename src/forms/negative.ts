import {
  ItemValue,
  Model,
  QuestionMatrixDropdownModelBase,
  QuestionMatrixDynamicModel,
  QuestionMatrixModel,
  QuestionPanelDynamicModel,
  type Question,
} from "survey-core";
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

/** Top-level questions in form order (nested ones are reached through their container's answer). */
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

const isObject = (v: unknown): v is Data => typeof v === "object" && v !== null && !Array.isArray(v);

/** One question's own answer: each selected value that is a negative item or a listed negative value. */
function scanAnswer(
  q: Question,
  answer: unknown,
  name: string,
  title: string,
  found: NegativeAnswer[],
  items = itemsOf(q),
): void {
  if (q.getType() === "ranking") return; // an order of items, not a choice of one
  const values = Array.isArray(answer) ? answer : [answer];
  const listed = negativeValuesOf(q);
  for (const value of values) {
    const item = ItemValue.getItemByValue(items, value);
    const flagged =
      (item && (item as unknown as { negative?: boolean }).negative === true) ||
      (listed !== null && listed.includes(String(value)));
    if (flagged) found.push({ name, title, value, text: item ? item.text : valueText(q, value) });
  }
}

/** The row label a person saw for a matrix row value. */
function rowText(rows: ItemValue[], value: string): string {
  return ItemValue.getItemByValue(rows, value)?.text ?? value;
}

/** A dropdown/dynamic matrix row `{column: value}`: each cell is scanned as its column's question. */
function scanMatrixRow(
  q: QuestionMatrixDropdownModelBase,
  row: unknown,
  path: string,
  title: string,
  found: NegativeAnswer[],
): void {
  if (!isObject(row)) return;
  for (const column of q.columns) {
    if (!Object.hasOwn(row, column.name)) continue;
    const cell = column.templateQuestion;
    scanQuestion(cell, row[column.name], `${path}.${column.name}`, `${title} › ${column.title}`, found);
  }
}

/**
 * One answered question, descending into what holds further questions: dynamic panels (a list of
 * panel objects), single-choice matrices (`{row: column}`, columns may be marked negative) and
 * dropdown/dynamic matrices (cells answered with their columns' choices). `name` is the field path,
 * as in validation errors: `q`, `pd[0].inner`, `matrix.row.col`, `dyn[1].col`.
 */
function scanQuestion(
  q: Question,
  answer: unknown,
  name: string,
  title: string,
  found: NegativeAnswer[],
): void {
  if (answer === undefined || answer === null) return;
  if (q instanceof QuestionPanelDynamicModel) {
    if (!Array.isArray(answer)) return;
    answer.forEach((panel, i) => {
      if (!isObject(panel)) return;
      for (const inner of q.template.questions) {
        const key = inner.getValueName();
        if (Object.hasOwn(panel, key))
          scanQuestion(inner, panel[key], `${name}[${i}].${key}`, `${title} › ${inner.title}`, found);
      }
    });
  } else if (q instanceof QuestionMatrixModel) {
    if (!isObject(answer)) return;
    for (const [row, value] of Object.entries(answer)) {
      scanAnswer(q, value, `${name}.${row}`, `${title} › ${rowText(q.rows, row)}`, found, q.columns);
    }
  } else if (q instanceof QuestionMatrixDynamicModel) {
    if (Array.isArray(answer))
      answer.forEach((row, i) => scanMatrixRow(q, row, `${name}[${i}]`, title, found));
  } else if (q instanceof QuestionMatrixDropdownModelBase) {
    if (!isObject(answer)) return;
    for (const [row, cells] of Object.entries(answer)) {
      scanMatrixRow(q, cells, `${name}.${row}`, `${title} › ${rowText(q.rows, row)}`, found);
    }
  } else {
    scanAnswer(q, answer, name, title, found);
  }
}

/**
 * The answers in `data` that the form version marks as negative: a selected choice (or rating item,
 * or single-matrix column) with `"negative": true`, or a value listed in a rating/boolean question's
 * `"negativeValues"` — also inside dynamic panels and matrices. Every answered question counts,
 * visible or not, so a crafted submission cannot hide a complaint.
 */
export function negativeAnswers(schema: unknown, data: Data): NegativeAnswer[] {
  return withSurvey(schema, (model) => {
    const found: NegativeAnswer[] = [];
    for (const q of questionsOf(model)) {
      const name = q.getValueName();
      if (Object.hasOwn(data, name)) scanQuestion(q, data[name], name, q.title, found);
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
