/**
 * The cheap shape check every submission passes before the compiled validator and the survey-core
 * reference (issue 14, item 4). Both of those cost time per value sent: a checkbox answer of 110,000
 * repeated values kept the reference busy for seconds, and survey-core keeps duplicates, unknown
 * multipletext keys and `{}` for a text question as they are. Here one pass over the answer, bounded
 * by what the form can hold, refuses:
 *  - a non-scalar answer (object or array, even empty) to a scalar question;
 *  - a choice answer that is not an array of scalars, repeats a value, or has more values than the
 *    question has choices (plus its other/none items);
 *  - keys the form does not have: top level, multipletext items, matrix rows and columns, dynamic
 *    matrix columns, dynamic panel questions;
 *  - more dynamic-matrix rows or dynamic panels than the question allows.
 * Duplicates, `{}`/`[]` for a scalar, unknown multipletext items and counts above the maximum are
 * accepted by survey-core: refusing them is a deliberate difference (docs/VALIDATION.md).
 */
import {
  Question,
  QuestionCheckboxBase,
  QuestionCheckboxModel,
  QuestionMatrixDropdownModelBase,
  QuestionMatrixDynamicModel,
  QuestionMatrixModel,
  QuestionMultipleTextModel,
  QuestionPanelDynamicModel,
  QuestionRankingModel,
  settings,
} from "survey-core";
import type { SurveyModel } from "survey-core";
import { isPlainObject } from "./validation-types.ts";
import type { FieldError } from "./validation-types.ts";

/** What the pre-check expects under one data key. */
type Plan =
  | { kind: "any" }
  | { kind: "scalar" }
  | { kind: "choices"; max: number }
  | { kind: "items"; keys: Set<string> }
  | { kind: "matrix"; rows: Set<string> }
  | { kind: "rowsByName"; rows: Set<string>; row: Level }
  | { kind: "rowList"; max: number; row: Level }
  | { kind: "panels"; max: number; panel: Level };

/** The keys of one data object (the response, a matrix row, a panel) and what each holds. */
interface Level {
  fields: Map<string, Plan>;
  /** Keys survey-core computes itself (calculated values, matrix totals): any value. */
  free: Set<string>;
}

/** Choice answers of questions whose choices are not known before the response (loaded, copied): a bound all the same. */
const UNKNOWN_CHOICES_MAX = 1000;

/**
 * Why the pre-check refused an answer. Where survey-core itself would accept the response (the
 * deliberate differences, `DELIBERATE`), tests/validator-diff.test.ts knows it from the reason.
 */
export type PrecheckReason =
  | "wrong_type"
  | "empty_container"
  | "unknown_key"
  | "unknown_item"
  | "duplicate"
  | "too_many_choices"
  | "too_many_rows"
  | "too_many_panels";

const MESSAGES: Record<PrecheckReason, string> = {
  wrong_type: "答案的类型与此题不符",
  empty_container: "答案的类型与此题不符",
  unknown_key: "表单中没有此字段",
  unknown_item: "表单中没有此字段",
  duplicate: "同一选项只能选择一次",
  too_many_choices: "所选项多于此题的选项数",
  too_many_rows: "行数多于此题允许的最大行数",
  too_many_panels: "面板数多于此题允许的最大数量",
};

/** Refusals of responses survey-core accepts: an empty `{}`/`[]` of the wrong shape, unknown multipletext items, duplicates, counts above the maximum. */
export const DELIBERATE: ReadonlySet<PrecheckReason> = new Set([
  "empty_container",
  "unknown_item",
  "duplicate",
  "too_many_choices",
  "too_many_rows",
  "too_many_panels",
]);

/** A refusal: the field error the submitter sees and its reason. */
export interface PrecheckRefusal {
  error: FieldError;
  reason: PrecheckReason;
}

function refuse(name: string, reason: PrecheckReason): PrecheckRefusal {
  return { error: { name, message: MESSAGES[reason] }, reason };
}

function wrongType(path: string, value: unknown): PrecheckRefusal {
  const empty = Array.isArray(value)
    ? value.length === 0
    : isPlainObject(value) && Object.keys(value).length === 0;
  return refuse(path, empty ? "empty_container" : "wrong_type");
}

const SCALAR_TYPES = new Set(["text", "comment", "radiogroup", "dropdown", "boolean", "rating"]);

const isScalar = (v: unknown) => typeof v === "string" || typeof v === "number" || typeof v === "boolean";

function choicesMax(q: QuestionCheckboxBase): number {
  const dynamic = q as unknown as { choicesFromQuestion?: string; choicesByUrl?: { url?: string } };
  if (dynamic.choicesFromQuestion || dynamic.choicesByUrl?.url) return UNKNOWN_CHOICES_MAX;
  const flags = q as unknown as Record<string, unknown>;
  const specials = ["showOtherItem", "showNoneItem", "showRefuseItem", "showDontKnowItem"].filter(
    (f) => flags[f],
  );
  // A matrix cell without choices of its own takes the matrix's: not known from the template question.
  if (q.choices.length === 0) return UNKNOWN_CHOICES_MAX;
  return q.choices.length + specials.length;
}

function planOf(q: Question): Plan {
  const type = q.getType();
  if (type === "expression") return { kind: "any" };
  if (q instanceof QuestionPanelDynamicModel)
    return { kind: "panels", max: q.maxPanelCount, panel: levelOf(q.template.questions) };
  if (q instanceof QuestionMatrixDropdownModelBase) {
    const row = levelOf([...q.columns.map((c) => c.templateQuestion), ...q.detailPanel.questions]);
    if (q instanceof QuestionMatrixDynamicModel) return { kind: "rowList", max: q.maxRowCount, row };
    return { kind: "rowsByName", rows: new Set(q.rows.map((r) => String(r.value))), row };
  }
  if (q instanceof QuestionMatrixModel)
    return { kind: "matrix", rows: new Set(q.rows.map((r) => String(r.value))) };
  if (q instanceof QuestionMultipleTextModel)
    return { kind: "items", keys: new Set(q.items.map((i) => i.name)) };
  if (q instanceof QuestionCheckboxModel || q instanceof QuestionRankingModel || type === "tagbox")
    return { kind: "choices", max: choicesMax(q as QuestionCheckboxBase) };
  if (type === "imagepicker")
    return (q as unknown as { multiSelect: boolean }).multiSelect
      ? { kind: "choices", max: choicesMax(q as QuestionCheckboxBase) }
      : { kind: "scalar" };
  if (SCALAR_TYPES.has(type)) return { kind: "scalar" };
  return { kind: "any" };
}

function levelOf(questions: Question[]): Level {
  const level: Level = { fields: new Map(), free: new Set() };
  for (const q of questions) {
    const key = q.getValueName();
    const plan = planOf(q);
    // Questions sharing a key through valueName may store different shapes: leave that key to the validators.
    level.fields.set(key, level.fields.has(key) ? { kind: "any" } : plan);
  }
  return level;
}

/** The pre-check's view of a form, built once per form version from its survey-core model. */
export function answerPlan(model: SurveyModel): Level {
  const root = levelOf(model.getAllQuestions(false, false, false));
  for (const calc of model.calculatedValues) root.free.add(calc.name);
  for (const [key, plan] of root.fields)
    if (plan.kind === "rowsByName" || plan.kind === "rowList")
      root.free.add(key + settings.matrix.totalsSuffix);
  return root;
}

/** Whether `key` is a question's key at this level, or the comment ("other" text) key of one. */
function known(level: Level, key: string): boolean {
  if (level.fields.has(key) || level.free.has(key)) return true;
  const suffix = settings.commentSuffix;
  return key.endsWith(suffix) && level.fields.has(key.slice(0, -suffix.length));
}

const joinKey = (prefix: string, key: string) => (prefix ? `${prefix}.${key}` : key);

function checkLevel(obj: Record<string, unknown>, level: Level, prefix: string): PrecheckRefusal | null {
  for (const key of Object.keys(obj)) {
    const path = joinKey(prefix, key);
    if (!known(level, key)) return refuse(path, "unknown_key");
    const plan = level.fields.get(key);
    const found = plan ? checkValue(obj[key], plan, path) : null;
    if (found) return found;
  }
  return null;
}

function checkRows(rows: Record<string, unknown>, keys: Set<string> | null, row: Level, path: string) {
  for (const key of Object.keys(rows)) {
    const rowPath = `${path}.${key}`;
    if (keys && !keys.has(key)) return refuse(rowPath, "unknown_key");
    const value = rows[key];
    if (value === null || value === undefined) continue;
    if (!isPlainObject(value)) return wrongType(rowPath, value);
    const found = checkLevel(value, row, rowPath);
    if (found) return found;
  }
  return null;
}

function checkList(list: unknown[], level: Level, path: string): PrecheckRefusal | null {
  for (let i = 0; i < list.length; i++) {
    const item = list[i];
    if (item === null || item === undefined) continue;
    if (!isPlainObject(item)) return wrongType(`${path}[${i}]`, item);
    const found = checkLevel(item, level, `${path}[${i}]`);
    if (found) return found;
  }
  return null;
}

function checkValue(value: unknown, plan: Plan, path: string): PrecheckRefusal | null {
  if (value === null || value === undefined || plan.kind === "any") return null;
  // survey-core reads "" as no answer whatever the question.
  if (value === "" && plan.kind !== "scalar") return null;
  switch (plan.kind) {
    case "scalar":
      return isScalar(value) ? null : wrongType(path, value);
    case "choices": {
      if (!Array.isArray(value)) return wrongType(path, value);
      // The count first: a huge array is refused without looking at its values.
      if (value.length > plan.max) return refuse(path, "too_many_choices");
      const seen = new Set<unknown>();
      for (const v of value) {
        if (!isScalar(v)) return refuse(path, "wrong_type");
        if (seen.has(v)) return refuse(path, "duplicate");
        seen.add(v);
      }
      return null;
    }
    case "items":
      if (!isPlainObject(value)) return wrongType(path, value);
      for (const key of Object.keys(value)) {
        if (!plan.keys.has(key)) return refuse(joinKey(path, key), "unknown_item");
        if (!isScalar(value[key]) && value[key] !== null) return wrongType(joinKey(path, key), value[key]);
      }
      return null;
    case "matrix":
      if (!isPlainObject(value)) return wrongType(path, value);
      for (const key of Object.keys(value)) {
        if (!plan.rows.has(key)) return refuse(joinKey(path, key), "unknown_key");
        if (!isScalar(value[key]) && value[key] !== null) return wrongType(joinKey(path, key), value[key]);
      }
      return null;
    case "rowsByName":
      return isPlainObject(value) ? checkRows(value, plan.rows, plan.row, path) : wrongType(path, value);
    case "rowList":
      if (!Array.isArray(value)) return wrongType(path, value);
      if (value.length > plan.max) return refuse(path, "too_many_rows");
      return checkList(value, plan.row, path);
    case "panels":
      if (!Array.isArray(value)) return wrongType(path, value);
      if (value.length > plan.max) return refuse(path, "too_many_panels");
      return checkList(value, plan.panel, path);
  }
}

/**
 * The first answer of `data` the form cannot hold, or null. Anything that is not a plain object is
 * left to the validators (they answer it with their own message).
 */
export function precheckAnswers(plan: Level, data: unknown): PrecheckRefusal | null {
  if (!isPlainObject(data)) return null;
  return checkLevel(data, plan, "");
}

export type AnswerPlan = Level;
