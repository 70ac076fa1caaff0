/**
 * Server-side reference validation of SurveyJS responses and form schemas.
 *
 * The reference is survey-core itself, run headless on the server against the exact published
 * form version a response claims. A response is valid iff
 *  (a) survey-core's `validate()` passes on every visible page,
 *  (b) survey-core's `clearIncorrectValues(true)` would remove or change nothing that was sent, and
 *  (c) limits the schema declares but survey-core does not enforce on submit (text length, number of
 *      selected choices, rating scale, boolean values, number min/max of hidden questions) hold for
 *      every value present, visible or not;
 * and, checked first, every answer has a JSON shape its question can hold (survey-core keeps any).
 */
import {
  Base,
  ConditionsParser,
  ExpressionErrorType,
  FunctionFactory,
  FunctionOperand,
  Helpers,
  ItemValue,
  Model,
  PanelModelBase,
  Question,
  QuestionBooleanModel,
  QuestionCheckboxModel,
  QuestionCommentModel,
  QuestionDropdownModel,
  QuestionMatrixDropdownModelBase,
  QuestionMatrixModel,
  QuestionMatrixDynamicModel,
  QuestionMultipleTextModel,
  QuestionPanelDynamicModel,
  QuestionRadiogroupModel,
  QuestionRankingModel,
  QuestionRatingModel,
  QuestionTextModel,
  RegexValidator,
  Serializer,
  getLocaleString,
  settings,
} from "survey-core";
import type { IExpressionError, JsonError, Operand, SurveyError, SurveyModel } from "survey-core";
// Registers the "zh-cn" strings used for survey-core's own error messages.
import "survey-core/i18n/simplified-chinese";
import { compileResponseValidator } from "./compiled/index.ts";
import { installLinearRegex, linearRegexProblem } from "./linear-regex.ts";
import { answerPlan, precheckAnswers, type AnswerPlan } from "./precheck.ts";
import { Lru } from "../lib/lru.ts";

// Form authors' regexes run on a linear-time engine in every survey-core model of this process.
installLinearRegex();

/** One reason a response is invalid. `name` is a field path: a question name, `pd[0].q`, `matrix.row.col`; `""` means the whole response. */
export interface FieldError {
  name: string;
  message: string;
}

/** Outcome of validating one response. */
export type ValidationResult = { ok: true } | { ok: false; errors: FieldError[] };

type JsonObject = Record<string, unknown>;

const DEFAULT_LOCALE = "zh-cn";
/** Deeper data cannot come from any form and would only risk stack exhaustion in recursive code. */
const MAX_DATA_DEPTH = 64;

const OWN_MESSAGES = {
  zh: {
    notObject: "提交的数据必须是 JSON 对象",
    notJson: "数据包含无法识别的值（只允许 JSON 字符串、数字、布尔值、null、数组和对象）",
    tooDeep: "数据嵌套层级过深",
    forbiddenKey: "数据包含不允许的键名 __proto__",
    unknownField: "表单中没有此字段",
    invalidValue: "值不在表单允许的范围内（例如不是选项、行或列中的值）",
    ratingOutOfRange: "评分不在允许的范围内",
    booleanInvalid: "值不是此是非题允许的取值",
    wrongType: "答案的类型与此题不符",
    computedMismatch: "此值由表单根据答案计算，与提交的值不符",
    internal: "无法校验提交的数据",
  },
  en: {
    notObject: "The submitted data must be a JSON object",
    notJson: "The data contains a value that is not JSON (only strings, numbers, booleans, null, arrays and objects)",
    tooDeep: "The data is nested too deeply",
    forbiddenKey: "The data contains the forbidden key __proto__",
    unknownField: "The form has no such field",
    invalidValue: "The value is not allowed by the form (for example not one of the choices, rows or columns)",
    ratingOutOfRange: "The rating is outside the allowed scale",
    booleanInvalid: "The value is not one of this yes/no question's values",
    wrongType: "The answer's type does not fit this question",
    computedMismatch: "This value is computed by the form from the answers and differs from the value sent",
    internal: "The submitted data could not be validated",
  },
} as const;

type OwnMessages = (typeof OWN_MESSAGES)[keyof typeof OWN_MESSAGES];

/** The reference's own messages in `locale` (Chinese for zh*, else English); shared with the compiled validator. */
export function ownMessages(locale: string): OwnMessages {
  return locale.toLowerCase().startsWith("zh") ? OWN_MESSAGES.zh : OWN_MESSAGES.en;
}

/** survey-core's own localized string (e.g. "textMaxLength") with `{0}` filled in, so (c) reads like (a). */
function coreMessage(name: string, locale: string, arg: unknown): string {
  return getLocaleString(name, locale).replace("{0}", String(arg));
}

function isPlainObject(value: unknown): value is JsonObject {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function joinKey(prefix: string, key: string): string {
  return prefix ? `${prefix}.${key}` : key;
}

// ---------------------------------------------------------------------------------------------
// Data shape
// ---------------------------------------------------------------------------------------------

/** Rejects anything JSON.parse could not have produced, plus `__proto__` keys, which survey-core's plain-object value hashes would treat as a prototype assignment. */
function findNonJson(value: unknown, path: string, depth: number, msg: OwnMessages): FieldError | null {
  if (depth > MAX_DATA_DEPTH) return { name: path, message: msg.tooDeep };
  if (value === null || typeof value === "string" || typeof value === "boolean") return null;
  if (typeof value === "number") return Number.isFinite(value) ? null : { name: path, message: msg.notJson };
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findNonJson(value[i], `${path}[${i}]`, depth + 1, msg);
      if (found) return found;
    }
    return null;
  }
  if (!isPlainObject(value)) return { name: path, message: msg.notJson };
  for (const key of Object.keys(value)) {
    const childPath = joinKey(path, key);
    if (key === "__proto__") return { name: childPath, message: msg.forbiddenKey };
    const found = findNonJson(value[key], childPath, depth + 1, msg);
    if (found) return found;
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// Value scopes: which question stores what under each data key, at every nesting level
// ---------------------------------------------------------------------------------------------

/**
 * How a data value relates to the schema. `computed` values are recalculated by survey-core from
 * other answers (expression questions and columns), so differences there are not removals.
 */
type FieldKind = "value" | "computed" | "arrayOfScopes" | "objectOfScopes" | "scope";

interface FieldSpec {
  /** The live question for root fields; the template question (panel template, column) for nested ones. */
  question: Question;
  kind: FieldKind;
  child?: Scope;
}

interface Scope {
  /** Several questions may share a data key through `valueName`. */
  fields: Map<string, FieldSpec[]>;
  /** Keys survey-core computes itself at this level (calculated values, matrix totals). */
  computedKeys: Set<string>;
  /** Of those, calculated values stored with the response: compared with survey-core's result. */
  calculatedKeys: Set<string>;
}

function newScope(): Scope {
  return { fields: new Map(), computedKeys: new Set(), calculatedKeys: new Set() };
}

function addField(scope: Scope, key: string, spec: FieldSpec): void {
  const list = scope.fields.get(key);
  if (list) list.push(spec);
  else scope.fields.set(key, [spec]);
}

function scopeOfQuestions(questions: Question[]): Scope {
  const scope = newScope();
  for (const q of questions) addField(scope, q.getValueName(), fieldSpecOf(q));
  return scope;
}

function matrixRowScope(matrix: QuestionMatrixDropdownModelBase): Scope {
  const scope = newScope();
  for (const column of matrix.columns) addField(scope, column.name, fieldSpecOf(column.templateQuestion));
  // Detail-panel answers live in the same row object as the cells.
  for (const q of matrix.detailPanel.questions) addField(scope, q.getValueName(), fieldSpecOf(q));
  return scope;
}

function fieldSpecOf(q: Question): FieldSpec {
  if (q.getType() === "expression") return { question: q, kind: "computed" };
  if (q instanceof QuestionPanelDynamicModel)
    return { question: q, kind: "arrayOfScopes", child: scopeOfQuestions(q.template.questions) };
  if (q instanceof QuestionMatrixDynamicModel) return { question: q, kind: "arrayOfScopes", child: matrixRowScope(q) };
  if (q instanceof QuestionMatrixDropdownModelBase)
    return { question: q, kind: "objectOfScopes", child: matrixRowScope(q) };
  if (q instanceof QuestionMultipleTextModel) {
    const child = newScope();
    for (const item of q.items) addField(child, item.name, { question: item.editor, kind: "value" });
    return { question: q, kind: "scope", child };
  }
  return { question: q, kind: "value" };
}

function rootScopeOf(model: SurveyModel): Scope {
  const scope = scopeOfQuestions(model.getAllQuestions(false, false, false));
  // Only calculated values with includeIntoResult belong in the data; clearIncorrectValues(true) drops the rest.
  for (const calc of model.calculatedValues)
    if (calc.includeIntoResult) {
      scope.computedKeys.add(calc.name);
      scope.calculatedKeys.add(calc.name);
    }
  for (const [key, specs] of scope.fields) {
    if (specs.some((s) => s.question instanceof QuestionMatrixDropdownModelBase))
      scope.computedKeys.add(key + settings.matrix.totalsSuffix);
  }
  return scope;
}

// ---------------------------------------------------------------------------------------------
// (a) survey-core validate(): collecting errors with field paths
// ---------------------------------------------------------------------------------------------

interface CoreErrors {
  errors: FieldError[];
  /** Paths and questions survey-core already reported on, so (c) does not repeat its own checks. */
  paths: Set<string>;
  questions: Set<Question>;
}

function pushCoreErrors(out: CoreErrors, errors: SurveyError[], name: string, q?: Question): void {
  for (const error of errors) {
    // Warnings and informational notes never block completion in survey-core either.
    if (!error.isError || !error.visible) continue;
    out.errors.push({ name, message: error.getText() });
    out.paths.add(name);
    if (q) out.questions.add(q);
  }
}

function collectContainerErrors(container: PanelModelBase, prefix: string, out: CoreErrors): void {
  for (const element of container.elements) {
    if (element instanceof PanelModelBase) {
      pushCoreErrors(out, element.errors, joinKey(prefix, element.name));
      collectContainerErrors(element, prefix, out);
    } else if (element instanceof Question) {
      collectQuestionErrors(element, joinKey(prefix, element.name), out);
    }
  }
}

function collectQuestionErrors(q: Question, path: string, out: CoreErrors): void {
  pushCoreErrors(out, q.errors, path, q);
  if (q instanceof QuestionPanelDynamicModel) {
    q.panels.forEach((panel, i) => {
      pushCoreErrors(out, panel.errors, `${path}[${i}]`);
      collectContainerErrors(panel, `${path}[${i}]`, out);
    });
  } else if (q instanceof QuestionMatrixDropdownModelBase) {
    for (const row of q.visibleRows) {
      const rowPath = q instanceof QuestionMatrixDynamicModel ? `${path}[${row.getIndex()}]` : `${path}.${row.rowName}`;
      for (const cell of row.cells) collectQuestionErrors(cell.question, `${rowPath}.${cell.question.name}`, out);
      if (row.hasPanel) collectContainerErrors(row.detailPanel, rowPath, out);
    }
  } else if (q instanceof QuestionMultipleTextModel) {
    for (const item of q.items) collectQuestionErrors(item.editor, `${path}.${item.name}`, out);
  }
}

// ---------------------------------------------------------------------------------------------
// (b) clearIncorrectValues(true) would change nothing that was sent
// ---------------------------------------------------------------------------------------------

/**
 * First path under which the data kept by survey-core lost or changed something that was sent.
 * Extra content in `kept` is survey-core adding (defaults, "other" comments), not removing, and
 * empty values are never stored by survey-core, so dropping them is not a correction either.
 */
function firstLoss(sent: unknown, kept: unknown, specs: FieldSpec[] | undefined, path: string): string | null {
  if (Helpers.isValueEmpty(sent)) return null;
  // A computed value (expression question or column) must be what survey-core computed from the answers.
  if (specs?.some((s) => s.kind === "computed")) return sameComputed(sent, kept) ? null : path;
  const container = specs?.find((s) => s.child);
  const child = container?.child;
  if (Array.isArray(sent)) {
    if (!Array.isArray(kept)) return path;
    for (let i = 0; i < sent.length; i++) {
      const itemPath = `${path}[${i}]`;
      if (i >= kept.length) return itemPath;
      const lost =
        child && container?.kind === "arrayOfScopes"
          ? firstLossInScope(sent[i], kept[i], child, itemPath)
          : firstLoss(sent[i], kept[i], undefined, itemPath);
      if (lost !== null) return lost;
    }
    return null;
  }
  if (isPlainObject(sent)) {
    if (!isPlainObject(kept)) return path;
    if (child && container?.kind === "scope") return firstLossInScope(sent, kept, child, path);
    for (const key of Object.keys(sent)) {
      const keyPath = joinKey(path, key);
      if (!Object.hasOwn(kept, key)) {
        if (Helpers.isValueEmpty(sent[key])) continue;
        return keyPath;
      }
      const lost =
        child && container?.kind === "objectOfScopes"
          ? firstLossInScope(sent[key], kept[key], child, keyPath)
          : firstLoss(sent[key], kept[key], undefined, keyPath);
      if (lost !== null) return lost;
    }
    return null;
  }
  if (sent === kept || isNumberConversion(sent, kept, specs)) return null;
  return path;
}

/**
 * survey-core turns a numeric string of a number input into the number in some places (matrix
 * cells) and keeps it as sent in others (root, panels, multipletext): a conversion, not a loss.
 */
function isNumberConversion(sent: unknown, kept: unknown, specs: FieldSpec[] | undefined): boolean {
  if (typeof sent !== "string" || typeof kept !== "number" || !sent.trim() || Number(sent) !== kept) return false;
  return !!specs?.some((s) => s.question instanceof QuestionTextModel && (s.question.inputType === "number" || s.question.inputType === "range"));
}

/** A client's copy of a computed value matches survey-core's result (numbers sent as strings, 12 vs "12", count as equal). */
function sameComputed(sent: unknown, computed: unknown): boolean {
  if (Helpers.isValueEmpty(computed)) return false;
  return Helpers.isTwoValueEquals(sent, computed, false, true, false);
}

/** Like `firstLoss` for an object whose keys are questions (a dynamic panel, a matrix row); keys unknown there count even when empty. */
function firstLossInScope(sent: unknown, kept: unknown, scope: Scope, path: string): string | null {
  if (!isPlainObject(sent) || !isPlainObject(kept)) return firstLoss(sent, kept, undefined, path);
  for (const key of Object.keys(sent)) {
    if (scope.computedKeys.has(key)) continue;
    const keyPath = joinKey(path, key);
    if (!Object.hasOwn(kept, key)) {
      if (isKnownKey(key, scope) && Helpers.isValueEmpty(sent[key])) continue;
      return keyPath;
    }
    const lost = firstLoss(sent[key], kept[key], scope.fields.get(key), keyPath);
    if (lost !== null) return lost;
  }
  return null;
}

/** One error per top-level key: survey-core either dropped the key (unknown field) or dropped/changed something inside it. */
function removalErrors(sent: JsonObject, kept: JsonObject, root: Scope, msg: OwnMessages): FieldError[] {
  const errors: FieldError[] = [];
  for (const key of Object.keys(sent)) {
    const value = sent[key];
    if (root.calculatedKeys.has(key) || root.fields.get(key)?.some((s) => s.kind === "computed")) {
      // What the form computes is never taken from the client (docs/VALIDATION.md, "Computed values").
      if (!Helpers.isValueEmpty(value) && !sameComputed(value, kept[key])) errors.push({ name: key, message: msg.computedMismatch });
      continue;
    }
    if (root.computedKeys.has(key)) continue;
    const known = isKnownKey(key, root);
    if (!Object.hasOwn(kept, key)) {
      if (known && Helpers.isValueEmpty(sent[key])) continue;
      errors.push({ name: key, message: known ? msg.invalidValue : msg.unknownField });
      continue;
    }
    const lost = firstLoss(sent[key], kept[key], root.fields.get(key), key);
    if (lost !== null) errors.push({ name: lost, message: msg.invalidValue });
  }
  return errors;
}

function isKnownKey(key: string, scope: Scope): boolean {
  return scope.fields.has(key) || isCommentKeyOf(key, scope);
}

function isCommentKeyOf(key: string, scope: Scope): boolean {
  const suffix = settings.commentSuffix;
  return key.endsWith(suffix) && scope.fields.has(key.slice(0, -suffix.length));
}

// ---------------------------------------------------------------------------------------------
// (c) declared limits survey-core does not enforce on submit
// ---------------------------------------------------------------------------------------------

interface LimitContext {
  model: SurveyModel;
  locale: string;
  msg: OwnMessages;
  core: CoreErrors;
  errors: FieldError[];
}

function checkScopeLimits(obj: JsonObject, scope: Scope, prefix: string, ctx: LimitContext): void {
  for (const key of Object.keys(obj)) {
    const path = joinKey(prefix, key);
    const specs = scope.fields.get(key);
    if (specs) {
      for (const spec of specs) checkFieldLimits(spec, obj[key], path, ctx);
    } else if (isCommentKeyOf(key, scope)) {
      checkCommentLength(obj[key], path, ctx);
    }
  }
}

function checkFieldLimits(spec: FieldSpec, value: unknown, path: string, ctx: LimitContext): void {
  if (Helpers.isValueEmpty(value)) return;
  const child = spec.child;
  switch (spec.kind) {
    case "computed":
      return;
    case "scope":
      if (child && isPlainObject(value)) checkScopeLimits(value, child, path, ctx);
      return;
    case "arrayOfScopes":
      if (child && Array.isArray(value))
        value.forEach((item, i) => isPlainObject(item) && checkScopeLimits(item, child, `${path}[${i}]`, ctx));
      return;
    case "objectOfScopes":
      if (child && isPlainObject(value))
        for (const [rowKey, row] of Object.entries(value))
          if (isPlainObject(row)) checkScopeLimits(row, child, `${path}.${rowKey}`, ctx);
      return;
    case "value":
      checkValueLimits(spec.question, value, path, ctx);
  }
}

const isScalar = (v: unknown) => typeof v === "string" || typeof v === "number" || typeof v === "boolean";
const isText = (v: unknown) => typeof v === "string" || (typeof v === "number" && Number.isFinite(v));

/**
 * The JSON shape each kind of question stores. survey-core keeps any value it is given (an object
 * for a text question, a string for a checkbox), so a shape no form can produce is refused here.
 */
function hasExpectedShape(spec: FieldSpec, value: unknown): boolean {
  const q = spec.question;
  switch (spec.kind) {
    case "computed":
      return true;
    case "scope":
      return isPlainObject(value);
    case "arrayOfScopes":
      return Array.isArray(value) && value.every(isPlainObject);
    case "objectOfScopes":
      return isPlainObject(value) && Object.values(value).every(isPlainObject);
  }
  if (q instanceof QuestionTextModel && (q.inputType === "number" || q.inputType === "range"))
    return isText(value) && Number.isFinite(Number(value));
  if (q instanceof QuestionTextModel || q instanceof QuestionCommentModel) return isText(value);
  if (q instanceof QuestionCheckboxModel) return Array.isArray(value) && value.every(isScalar);
  if (q instanceof QuestionRadiogroupModel || q instanceof QuestionDropdownModel) return isScalar(value);
  if (q instanceof QuestionMatrixModel) return isPlainObject(value) && Object.values(value).every(isScalar);
  return true;
}

/**
 * Answers whose JSON shape no form can produce, found before survey-core is given the data: it would
 * keep them (or log each one to the console, value included) instead of refusing them.
 */
function shapeErrors(obj: JsonObject, scope: Scope, prefix: string, msg: OwnMessages, out: FieldError[]): void {
  for (const [key, value] of Object.entries(obj)) {
    if (Helpers.isValueEmpty(value)) continue;
    const path = joinKey(prefix, key);
    for (const spec of scope.fields.get(key) ?? []) {
      if (!hasExpectedShape(spec, value)) {
        out.push({ name: path, message: msg.wrongType });
        continue;
      }
      const child = spec.child;
      if (!child) continue;
      if (spec.kind === "scope") shapeErrors(value as JsonObject, child, path, msg, out);
      if (spec.kind === "arrayOfScopes")
        (value as JsonObject[]).forEach((item, i) => shapeErrors(item, child, `${path}[${i}]`, msg, out));
      if (spec.kind === "objectOfScopes")
        for (const [rowKey, row] of Object.entries(value as JsonObject))
          shapeErrors(row as JsonObject, child, `${path}.${rowKey}`, msg, out);
    }
  }
}

function checkValueLimits(q: Question, value: unknown, path: string, ctx: LimitContext): void {
  const add = (message: string): void => void ctx.errors.push({ name: path, message });
  // survey-core checks these two only for questions it validates; skip them where it already reported.
  const coreReported = ctx.core.paths.has(path) || ctx.core.questions.has(q);
  if (q instanceof QuestionTextModel) {
    if (q.isTextInput) checkTextLength(q.maxLength, value, add, ctx);
    if (!coreReported && (q.inputType === "number" || q.inputType === "range")) checkNumberRange(q, value, add, ctx);
  } else if (q instanceof QuestionCommentModel) {
    checkTextLength(q.maxLength, value, add, ctx);
  } else if (q instanceof QuestionCheckboxModel) {
    checkSelectedCount(q, value, coreReported, add, ctx);
  } else if (q instanceof QuestionRatingModel) {
    if (!ItemValue.getItemByValue(q.visibleRateValues, value)) add(ctx.msg.ratingOutOfRange);
  } else if (q instanceof QuestionBooleanModel) {
    const allowed = [q.getValueTrue(), q.getValueFalse()];
    if (!allowed.some((v) => Helpers.isTwoValueEquals(v, value, false, true, false))) add(ctx.msg.booleanInvalid);
  }
}

function checkTextLength(ownMax: number, value: unknown, add: (m: string) => void, ctx: LimitContext): void {
  // Same rule as survey-core's input maxlength: the question's own limit, else the survey's maxTextLength.
  const max = Helpers.getMaxLength(ownMax, ctx.model.maxTextLength);
  if (max && typeof value === "string" && value.length > max) add(coreMessage("textMaxLength", ctx.locale, max));
}

function checkCommentLength(value: unknown, path: string, ctx: LimitContext): void {
  const max = ctx.model.maxCommentLength;
  if (max > 0 && typeof value === "string" && value.length > max)
    ctx.errors.push({ name: path, message: coreMessage("textMaxLength", ctx.locale, max) });
}

function checkNumberRange(q: QuestionTextModel, value: unknown, add: (m: string) => void, ctx: LimitContext): void {
  const n = typeof value === "number" ? value : typeof value === "string" ? Number(value) : NaN;
  if (!Number.isFinite(n)) return;
  const min = Number(q.renderedMin);
  const max = Number(q.renderedMax);
  if (!Helpers.isValueEmpty(q.renderedMin) && Number.isFinite(min) && n < min) add(coreMessage("minError", ctx.locale, min));
  if (!Helpers.isValueEmpty(q.renderedMax) && Number.isFinite(max) && n > max) add(coreMessage("maxError", ctx.locale, max));
}

function checkSelectedCount(
  q: QuestionCheckboxModel,
  value: unknown,
  coreReported: boolean,
  add: (m: string) => void,
  ctx: LimitContext,
): void {
  // A plain ranking orders all choices; selection limits only apply when choices are picked to rank.
  if (q instanceof QuestionRankingModel && !q.selectToRankEnabled) return;
  if (!Array.isArray(value)) return;
  const count = value.length;
  if (q.maxSelectedChoices > 0 && count > q.maxSelectedChoices)
    add(coreMessage("maxSelectError", ctx.locale, q.maxSelectedChoices));
  if (coreReported || q.minSelectedChoices < 1 || count >= q.minSelectedChoices) return;
  // survey-core accepts a lone exclusive answer such as "none" below the minimum.
  const only = count === 1 ? ItemValue.getItemByValue(q.visibleChoices, value[0]) : null;
  if (only && q.isNoneItem(only)) return;
  add(coreMessage("minSelectError", ctx.locale, q.minSelectedChoices));
}

// ---------------------------------------------------------------------------------------------
// Compiled validator
// ---------------------------------------------------------------------------------------------

type ChoicesRequestHook = typeof settings.web.onBeforeRequestChoices;

/**
 * Runs survey-core code without letting `choicesByUrl` reach the network. Node has `fetch`, so
 * survey-core would request every choices URL from the server, with respondent answers substituted
 * into `{placeholders}`, and cache the result process-wide, making later validations depend on it.
 * The request is aborted before it starts; such questions then have no loaded choices, which
 * survey-core treats as "any value allowed" (as it does while choices are loading).
 */
function withoutRemoteChoices<T>(run: () => T): T {
  const web = settings.web;
  const previous: ChoicesRequestHook = web.onBeforeRequestChoices;
  web.onBeforeRequestChoices = (_sender, options) => {
    options.url = "data:,";
    if (options.fetchOptions) options.fetchOptions.signal = AbortSignal.abort();
    // Where XMLHttpRequest exists survey-core sends `options.request` next: swap in one that never sends.
    if (options.request) options.request = { send: () => undefined } as unknown as XMLHttpRequest;
  };
  try {
    return run();
  } finally {
    web.onBeforeRequestChoices = previous;
  }
}

/**
 * One survey-core model of a form, used for a single response.
 *
 * Models are not reused between responses: survey-core reacts to *changes* of data, so a model's
 * state after loading a response depends on what it held before. Examples found while testing: a
 * choice that becomes hidden clears its value while one hidden from the start is kept as "other"
 * text; a dynamic matrix or panel derives its row or panel count from the old and the new value; a
 * matrix cell keeps its "other" state across data changes. No reset reproduced a fresh model for
 * every input, and the reference is a fresh model given the response.
 */
class FormInstance {
  readonly model: SurveyModel;
  readonly root: Scope;

  constructor(schema: JsonObject, locale: string) {
    const model = new Model(schema);
    model.locale = locale;
    // Hidden answers are kept as sent; survey-core must not erase them while conditions run.
    model.clearInvisibleValues = "none";
    this.model = model;
    this.root = rootScopeOf(model);
  }

  validate(data: JsonObject, locale: string, msg: OwnMessages): FieldError[] {
    const wrongShapes: FieldError[] = [];
    shapeErrors(data, this.root, "", msg, wrongShapes);
    if (wrongShapes.length) return wrongShapes;
    const model = this.model;
    model.data = structuredClone(data);

    const core: CoreErrors = { errors: [], paths: new Set(), questions: new Set() };
    model.validate(true, false);
    for (const page of model.pages) {
      // A page's own isRequired/requiredIf error ("answer at least one question") is the page's, named by it.
      pushCoreErrors(core, page.errors, page.name);
      collectContainerErrors(page, "", core);
    }

    const limits: LimitContext = { model, locale, msg, core, errors: [] };
    checkScopeLimits(data, this.root, "", limits);

    model.clearIncorrectValues(true);
    const removed = removalErrors(data, model.data as JsonObject, this.root, msg);

    return dedupe([...core.errors, ...removed, ...limits.errors]);
  }
}

function dedupe(errors: FieldError[]): FieldError[] {
  const seen = new Set<string>();
  return errors.filter((e) => {
    const key = `${e.name}\u0000${e.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * Compiles a validator for one published form version; call it once per response.
 *
 * Each call runs on a freshly built survey-core model (see `FormInstance` for why models are not
 * reused), so nothing leaks between calls; compiling only takes a private copy of the schema.
 * Calls are synchronous.
 *
 * @param schema The published SurveyJS JSON. It should have passed `findSchemaProblems`.
 * @param opts.locale Locale of error messages, default `"zh-cn"`; survey-core falls back to English for locales not loaded.
 * @throws TypeError if `schema` is not a JSON object.
 */
export function createResponseValidator(
  schema: unknown,
  opts: { locale?: string } = {},
): (data: unknown) => ValidationResult {
  if (!isPlainObject(schema)) throw new TypeError("A form schema must be a JSON object");
  // The caller may keep mutating its object; a published version must not change under us.
  const frozen = structuredClone(schema);
  const locale = opts.locale ?? DEFAULT_LOCALE;
  const msg = ownMessages(locale);

  return (data: unknown): ValidationResult => {
    if (!isPlainObject(data)) return { ok: false, errors: [{ name: "", message: msg.notObject }] };
    const nonJson = findNonJson(data, "", 0, msg);
    if (nonJson) return { ok: false, errors: [nonJson] };
    let errors: FieldError[];
    try {
      errors = withoutRemoteChoices(() => {
        const instance = new FormInstance(frozen, locale);
        try {
          return instance.validate(data, locale, msg);
        } finally {
          instance.model.dispose();
        }
      });
    } catch {
      return { ok: false, errors: [{ name: "", message: msg.internal }] };
    }
    return errors.length ? { ok: false, errors } : { ok: true };
  };
}

// ---------------------------------------------------------------------------------------------
// Schema problems
// ---------------------------------------------------------------------------------------------

/** A reason a form schema cannot be saved. `path` points into the schema JSON, e.g. `pages[0].elements[2].visibleIf`. */
export interface SchemaProblem {
  path: string;
  message: string;
}

/** JSON keys that hold element lists in the survey, pages, panels, dynamic panels and matrix detail panels. */
const ELEMENT_LIST_KEYS = ["pages", "elements", "questions", "templateElements", "detailElements"];

/**
 * survey-core silently skips malformed element lists (losing questions without a trace) and throws
 * on a non-string name, so the element structure is checked on the raw JSON first.
 */
function checkElementLists(node: unknown, path: string, problems: SchemaProblem[]): void {
  if (Array.isArray(node)) {
    node.forEach((item, i) => checkElementLists(item, `${path}[${i}]`, problems));
    return;
  }
  if (!isPlainObject(node)) return;
  // Elsewhere the same keys mean other things: a trigger's or a template's `questions` lists names.
  if (!holdsElements(path)) {
    for (const [key, value] of Object.entries(node)) checkElementLists(value, joinKey(path, key), problems);
    return;
  }
  for (const key of ELEMENT_LIST_KEYS) {
    if (node[key] === undefined) continue;
    const list = node[key];
    const listPath = joinKey(path, key);
    if (!Array.isArray(list)) {
      problems.push({ path: listPath, message: `${key} 必须是数组` });
      continue;
    }
    list.forEach((item, i) => {
      const itemPath = `${listPath}[${i}]`;
      if (!isPlainObject(item)) problems.push({ path: itemPath, message: "每一项都必须是 JSON 对象" });
      else if (item.name !== undefined && typeof item.name !== "string")
        problems.push({ path: `${itemPath}.name`, message: "name 必须是字符串" });
      else if (item.type !== undefined && typeof item.type !== "string")
        problems.push({ path: `${itemPath}.type`, message: "type 必须是字符串" });
    });
  }
  for (const [key, value] of Object.entries(node)) checkElementLists(value, joinKey(path, key), problems);
}

/** The survey itself, its pages and its elements (anything reached through an element list) hold element lists. */
function holdsElements(path: string): boolean {
  return path === "" || /(?:^|\.)(?:pages|elements|questions|templateElements|detailElements)\[\d+\]$/.test(path);
}

/** Identity map from every object in the schema JSON to its path, to locate survey-core's JSON errors. */
function indexJsonPaths(node: unknown, path: string, out: Map<unknown, string>): void {
  if (Array.isArray(node)) {
    out.set(node, path);
    node.forEach((item, i) => indexJsonPaths(item, `${path}[${i}]`, out));
  } else if (isPlainObject(node)) {
    out.set(node, path);
    for (const [key, value] of Object.entries(node)) indexJsonPaths(value, joinKey(path, key), out);
  }
}

/** Element types, names and other required properties survey-core could not load. */
function checkJsonErrors(model: SurveyModel, schema: JsonObject): SchemaProblem[] {
  const jsonPaths = new Map<unknown, string>();
  indexJsonPaths(schema, "", jsonPaths);
  const problems: SchemaProblem[] = [];
  const errors: JsonError[] = model.jsonErrors ?? [];
  for (const error of errors) {
    const at: unknown = error.jsonObj;
    const path = jsonPaths.get(at) ?? "";
    if (error.type === "missingtypeproperty") {
      problems.push({ path, message: "缺少 type（题型）" });
    } else if (error.type === "incorrecttypeproperty") {
      const type = isPlainObject(at) ? at.type : undefined;
      problems.push({ path, message: `未知的题型 "${String(type)}"` });
    } else if (error.type === "requiredproperty") {
      const property = (error as JsonError & { propertyName?: string }).propertyName ?? "";
      // An html or image element holds no answer: survey-core runs the form without its name.
      if (property === "name" && isPlainObject(at) && NO_ANSWER_TYPES.has(String(at.type))) continue;
      problems.push({ path: joinKey(path, property), message: `缺少必填属性 ${property}` });
    }
  }
  return problems;
}

/**
 * Identity map from every survey-core object loaded from the schema to its JSON path. survey-core's
 * property metadata says which JSON key (or its alternative name) each object came from; only keys
 * present in the JSON are followed, so computed collections (like the survey's `questions`) are not.
 */
function indexModelPaths(obj: Base, json: unknown, path: string, out: Map<Base, string>): void {
  if (out.has(obj)) return;
  out.set(obj, path);
  if (!isPlainObject(json)) return;
  const props = obj.getType() === "survey" ? [] : Serializer.getPropertiesByObj(obj);
  for (const prop of props) {
    if (prop.isExpression) continue;
    const key = [prop.name, prop.alternativeName].find((k) => !!k && Object.hasOwn(json, k));
    if (!key) continue;
    const value: unknown = (obj as unknown as Record<string, unknown>)[prop.name];
    const jsonValue = json[key];
    if (value instanceof Base) {
      indexModelPaths(value, jsonValue, joinKey(path, key), out);
    } else if (Array.isArray(value)) {
      value.forEach((item: unknown, i) => {
        const jsonItem = Array.isArray(jsonValue) ? jsonValue[i] : undefined;
        if (item instanceof Base) indexModelPaths(item, jsonItem, `${joinKey(path, key)}[${i}]`, out);
      });
    }
  }
}

/** The survey object itself needs care: its `questions` property lists all questions, and a schema without `pages` puts its root `elements` on a page survey-core creates. */
function indexSurveyPaths(model: SurveyModel, schema: JsonObject): Map<Base, string> {
  const out = new Map<Base, string>();
  out.set(model, "");
  for (const prop of Serializer.getPropertiesByObj(model)) {
    if (prop.isExpression || prop.name === "questions" || prop.name === "pages") continue;
    const value: unknown = (model as unknown as Record<string, unknown>)[prop.name];
    const jsonValue = schema[prop.name];
    if (!Array.isArray(value) || !Array.isArray(jsonValue)) continue;
    value.forEach((item: unknown, i) => {
      if (item instanceof Base) indexModelPaths(item, jsonValue[i], `${prop.name}[${i}]`, out);
    });
  }
  const jsonPages = schema.pages;
  if (Array.isArray(jsonPages)) {
    model.pages.forEach((page, i) => indexModelPaths(page, jsonPages[i], `pages[${i}]`, out));
  } else if (model.pages.length > 0) {
    indexModelPaths(model.pages[0], schema, "", out);
  }
  return out;
}

function expressionProblem(expression: string, error: IExpressionError): string | null {
  if (error.errorType === ExpressionErrorType.SyntaxError) return `表达式无法解析：${expression}`;
  if (error.errorType === ExpressionErrorType.UnknownFunction)
    return `表达式调用了未注册的函数 ${error.functionName}()：${expression}`;
  return null;
}

/** Syntax errors and calls to functions that survey-core's FunctionFactory does not know. */
function expressionErrors(expression: string): IExpressionError[] {
  const operand: Operand | undefined = new ConditionsParser().parseExpression(expression);
  if (!operand) return [{ errorType: ExpressionErrorType.SyntaxError }];
  const operands: Operand[] = [];
  operand.addOperandsToList(operands);
  const errors: IExpressionError[] = [];
  for (const op of operands) {
    if (op instanceof FunctionOperand && !FunctionFactory.Instance.hasFunction(op.functionName))
      errors.push({ errorType: ExpressionErrorType.UnknownFunction, functionName: op.functionName });
  }
  return errors;
}

/** What a published form may cost each submission (issue 14, item 3); configured in src/env.ts. */
export interface SchemaLimits {
  /** Largest schema JSON, in bytes (UTF-8). */
  maxBytes: number;
  /** Most expressions (conditions, calculated values, expression validators, value expressions…). */
  maxExpressions: number;
  /** Deepest expression, in levels of its parse tree (`a and b and c` is three). */
  maxExpressionDepth: number;
}

/** Levels of an expression's parse tree, walked without recursion: a chain of 10,000 `or` is 10,000 deep. */
function operandDepth(root: Operand): number {
  let deepest = 0;
  const seen = new Set<unknown>();
  const stack: [unknown, number][] = [[root, 1]];
  while (stack.length) {
    const [node, depth] = stack.pop()!;
    if (seen.has(node)) continue;
    seen.add(node);
    if (Array.isArray(node)) {
      for (const item of node) stack.push([item, depth]);
      continue;
    }
    if (typeof node !== "object" || node === null) continue;
    deepest = Math.max(deepest, depth);
    for (const value of Object.values(node)) {
      if (Array.isArray(value) || (typeof value === "object" && value !== null && "getType" in value))
        stack.push([value, depth + 1]);
    }
  }
  return deepest;
}

interface ExpressionStats {
  count: number;
  deepest: { depth: number; path: string; expression: string };
}

function checkExpressions(model: SurveyModel, paths: Map<Base, string>, stats?: ExpressionStats): SchemaProblem[] {
  const problems: SchemaProblem[] = [];
  const seen = new Set<string>();
  const report = (obj: Base, propertyName: string, expression: string, errors: IExpressionError[]): void => {
    const path = joinKey(paths.get(obj) ?? obj.getType(), propertyName);
    for (const error of errors) {
      const message = expressionProblem(expression, error);
      const key = `${path}\u0000${message}`;
      if (!message || seen.has(key)) continue;
      seen.add(key);
      problems.push({ path, message });
    }
  };
  // Every expression property of every object loaded from the schema, found through its metadata...
  for (const obj of paths.keys()) {
    for (const prop of Serializer.getPropertiesByObj(obj)) {
      if (!prop.isExpression) continue;
      const expression: unknown = (obj as unknown as Record<string, unknown>)[prop.name];
      if (typeof expression !== "string" || !expression.trim()) continue;
      report(obj, prop.name, expression, expressionErrors(expression));
      if (stats) {
        stats.count++;
        const operand = new ConditionsParser().parseExpression(expression);
        const depth = operand ? operandDepth(operand) : 0;
        if (depth > stats.deepest.depth)
          stats.deepest = { depth, path: joinKey(paths.get(obj) ?? obj.getType(), prop.name), expression };
      }
    }
  }
  // ...and survey-core's own expression check as a backstop for objects the walk did not reach.
  for (const result of model.validateExpressions({ functions: true, variables: false, semantics: false })) {
    const expression: unknown = (result.obj as unknown as Record<string, unknown>)[result.propertyName];
    report(result.obj, result.propertyName, String(expression ?? ""), result.errors);
  }
  return problems;
}

interface NamedItem {
  name: string;
  /** The object whose JSON path locates the name. */
  at: Base;
}

/** Elements that hold no answer, so their names (optional for survey-core) cannot collide with data. */
const NO_ANSWER_TYPES = new Set(["html", "image"]);

function holdsAnswer(at: Base): boolean {
  return !NO_ANSWER_TYPES.has(at.getType());
}

/** Question names share a namespace per data level; expressions look names up case-insensitively. */
function checkNames(model: SurveyModel, paths: Map<Base, string>): SchemaProblem[] {
  const problems: SchemaProblem[] = [];
  const checkLevel = (all: NamedItem[]): void => {
    const byName = new Map<string, NamedItem>();
    // Elements without an answer collide with nothing; only names of answers must be unique.
    const items = all.filter((item) => holdsAnswer(item.at));
    for (const item of items) {
      if (!item.name) continue; // reported by survey-core as a missing required property
      const key = item.name.toLowerCase();
      const first = byName.get(key);
      if (!first) {
        byName.set(key, item);
        continue;
      }
      const firstPath = paths.get(first.at);
      problems.push({
        path: joinKey(paths.get(item.at) ?? "", "name"),
        message: `名称 "${item.name}" 重复（与 ${firstPath ? `${firstPath} 的 ` : ""}"${first.name}"）`,
      });
    }
  };
  const questions = model.getAllQuestions(false, false, false);
  checkLevel(questions.map((q) => ({ name: q.name, at: q })));
  const visit = (q: Question): void => {
    if (q instanceof QuestionPanelDynamicModel) {
      checkLevel(q.template.questions.map((t) => ({ name: t.name, at: t })));
      q.template.questions.forEach(visit);
    } else if (q instanceof QuestionMatrixDropdownModelBase) {
      // Columns and detail-panel questions share the row object.
      const detail = q.detailPanel.questions;
      checkLevel([...q.columns.map((c) => ({ name: c.name, at: c })), ...detail.map((d) => ({ name: d.name, at: d }))]);
      detail.forEach(visit);
    } else if (q instanceof QuestionMultipleTextModel) {
      checkLevel(q.items.map((item) => ({ name: item.name, at: item })));
    }
  };
  questions.forEach(visit);
  return problems;
}

/** Regex validators whose pattern cannot run on the server's linear-time engine (src/forms/linear-regex.ts). */
function checkRegexes(paths: Map<Base, string>): SchemaProblem[] {
  const problems: SchemaProblem[] = [];
  for (const owner of paths.keys()) {
    const validators: unknown = (owner as unknown as { validators?: unknown }).validators;
    if (!Array.isArray(validators)) continue;
    const name = String((owner as unknown as { name?: unknown }).name ?? "");
    validators.forEach((validator: unknown, i) => {
      if (!(validator instanceof RegexValidator) || !validator.regex) return;
      const problem = linearRegexProblem(String(validator.regex), validator.caseInsensitive ? "i" : "");
      if (!problem) return;
      const path = joinKey(paths.get(validator) ?? `${paths.get(owner) ?? ""}.validators[${i}]`, "regex");
      problems.push({ path, message: `题目 "${name}" 的正则表达式 ${String(validator.regex)} 不能在服务器上安全执行：${problem}` });
    });
  }
  return problems;
}

function checkLimits(limits: SchemaLimits, stats: ExpressionStats): SchemaProblem[] {
  const problems: SchemaProblem[] = [];
  if (stats.count > limits.maxExpressions)
    problems.push({
      path: "",
      message: `表单中的表达式过多：${stats.count} 个，上限 ${limits.maxExpressions} 个（显示/启用/必填条件、计算值、表达式校验等）`,
    });
  const { depth, path, expression } = stats.deepest;
  if (depth > limits.maxExpressionDepth)
    problems.push({
      path,
      message: `表达式嵌套过深：${depth} 层，上限 ${limits.maxExpressionDepth} 层：${expression.slice(0, 80)}${expression.length > 80 ? "…" : ""}`,
    });
  return problems;
}

/** UTF-8 bytes of the schema's JSON text. */
function schemaBytes(schema: unknown): number {
  return new TextEncoder().encode(JSON.stringify(schema)).length;
}

/** A schema survey-core loads in design mode may still throw once conditions run; every response would then fail. */
function checkRuns(schema: JsonObject): SchemaProblem[] {
  let instance: FormInstance | undefined;
  try {
    instance = new FormInstance(schema, DEFAULT_LOCALE);
    instance.validate({}, DEFAULT_LOCALE, OWN_MESSAGES.zh);
    return [];
  } catch (error) {
    return [{ path: "", message: `survey-core 运行此表单时出错：${(error as Error).message}` }];
  } finally {
    instance?.model.dispose();
  }
}

/**
 * Problems that make a form schema unsavable: not a JSON object, malformed element lists, element
 * types or required properties survey-core cannot load, duplicate question names (per data level,
 * case-insensitive), and expressions that fail to parse or call a function not registered in
 * survey-core's FunctionFactory, and regex validators the server's linear-time engine cannot run.
 * With `limits` (forms saved and published by administrators), also a schema too large, with too
 * many expressions or one nested too deep. Structural problems are reported alone, since later
 * paths would not line up with the JSON.
 *
 * @returns An empty array when the schema is fine.
 */
export function findSchemaProblems(schema: unknown, limits?: SchemaLimits): SchemaProblem[] {
  if (!isPlainObject(schema)) return [{ path: "", message: "表单定义必须是 JSON 对象" }];
  if (limits) {
    // Before survey-core loads it: loading and a trial run cost time in proportion to the size.
    const bytes = schemaBytes(schema);
    if (bytes > limits.maxBytes)
      return [
        {
          path: "",
          message: `表单定义过大：${Math.ceil(bytes / 1024)} KB，上限 ${Math.floor(limits.maxBytes / 1024)} KB`,
        },
      ];
  }
  const structural: SchemaProblem[] = [];
  checkElementLists(schema, "", structural);
  if (structural.length) return structural;

  return withoutRemoteChoices(() => {
    const model = new Model();
    try {
      // Design mode loads the structure without running conditions and expressions.
      model.setDesignMode(true);
      model.fromJSON(schema);
      const loadProblems = checkJsonErrors(model, schema);
      if (loadProblems.length) return loadProblems;
      const paths = indexSurveyPaths(model, schema);
      const stats: ExpressionStats = { count: 0, deepest: { depth: 0, path: "", expression: "" } };
      const problems = [...checkNames(model, paths), ...checkExpressions(model, paths, stats), ...checkRegexes(paths)];
      if (limits) problems.push(...checkLimits(limits, stats));
      if (!problems.length) problems.push(...checkRuns(schema));
      return problems;
    } catch (error) {
      return [{ path: "", message: `survey-core 无法加载此表单：${(error as Error).message}` }];
    } finally {
      model.dispose();
    }
  });
}

// ---------------------------------------------------------------------------------------------
// Cache
// ---------------------------------------------------------------------------------------------

/** Counters of a ValidatorCache, for the metrics endpoint. */
export interface ValidatorCacheStats {
  /** Validators currently cached. */
  size: number;
  capacity: number;
  /** Cached form versions validated by the compiled fast path / by the survey-core reference. */
  compiled: number;
  fallback: number;
  hits: number;
  misses: number;
  /** Keys of cached form versions the compiler refused, with the reason. */
  fallbackForms: string[];
  /** Responses of compiled forms that the fast path left to the reference (values outside its exact domain). */
  deferredResponses: number;
  /** Responses decided by the fast path. */
  compiledResponses: number;
}

interface CacheEntry {
  validate: (data: unknown) => ValidationResult;
  /** Why the compiler refused this form; undefined when it compiled. */
  refused?: string;
}

/** The pre-check's plan of a form version, read from a survey-core model of it. */
export function planOf(schema: unknown): AnswerPlan {
  if (!isPlainObject(schema)) throw new TypeError("A form schema must be a JSON object");
  return withoutRemoteChoices(() => {
    const model = new Model(structuredClone(schema));
    try {
      return answerPlan(model);
    } finally {
      model.dispose();
    }
  });
}

/**
 * A small LRU cache of validators keyed by e.g. `${formId}:${version}`. Each form version is
 * compiled once into the fast validator of src/forms/compiled/ when the compiler supports it, and
 * falls back to the survey-core reference (`createResponseValidator`) otherwise; a compiled
 * validator still hands single responses outside its exact domain to the reference.
 */
export class ValidatorCache {
  private readonly entries: Lru<string, CacheEntry>;
  private hits = 0;
  private misses = 0;
  private deferred = 0;
  private fast = 0;

  /** @param maxEntries How many compiled form versions to keep (at least 1). */
  constructor(maxEntries: number) {
    this.entries = new Lru(maxEntries);
  }

  /**
   * Returns the validator for `key`, compiling `schema()` on a miss. A key must always name the
   * same schema (published versions are immutable); the least recently used entry is evicted.
   */
  get(key: string, schema: () => unknown): (data: unknown) => ValidationResult {
    const hit = this.entries.get(key);
    if (hit) {
      this.hits++;
      return hit.validate;
    }
    this.misses++;
    const entry = this.build(schema());
    this.entries.set(key, entry);
    return entry.validate;
  }

  /** Whether `key` is cached (without counting or touching it). */
  has(key: string): boolean {
    return this.entries.has(key);
  }

  private build(schema: unknown): CacheEntry {
    const reference = createResponseValidator(schema);
    const plan = planOf(schema);
    // Before either validator: what no form can hold is refused at the cost of one pass over it.
    const precheck = (data: unknown): ValidationResult | undefined => {
      const found = precheckAnswers(plan, data);
      return found ? { ok: false, errors: [found.error] } : undefined;
    };
    // The compiler reads one survey-core model of the form: no choicesByUrl request from it either.
    const outcome = withoutRemoteChoices(() => compileResponseValidator(schema, DEFAULT_LOCALE, ownMessages(DEFAULT_LOCALE)));
    if (!outcome.ok) return { validate: (data) => precheck(data) ?? reference(data), refused: outcome.reason };
    const compiled = outcome.validate;
    return {
      validate: (data) => {
        const refused = precheck(data);
        if (refused) return refused;
        const result = compiled(data);
        if (result) {
          this.fast++;
          return result;
        }
        this.deferred++;
        return reference(data);
      },
    };
  }

  /** Number of cached validators. */
  get size(): number {
    return this.entries.size;
  }

  /** Cache and fast-path counters (see ValidatorCacheStats). */
  stats(): ValidatorCacheStats {
    const fallbackForms: string[] = [];
    for (const [key, entry] of this.entries.entries()) if (entry.refused !== undefined) fallbackForms.push(`${key}: ${entry.refused}`);
    return {
      size: this.entries.size,
      capacity: this.entries.max,
      compiled: this.entries.size - fallbackForms.length,
      fallback: fallbackForms.length,
      hits: this.hits,
      misses: this.misses,
      fallbackForms,
      deferredResponses: this.deferred,
      compiledResponses: this.fast,
    };
  }
}
