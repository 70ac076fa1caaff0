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
  getLocaleString,
  settings,
} from "survey-core";
import type { SurveyError, SurveyModel } from "survey-core";
// Registers the "zh-cn" strings used for survey-core's own error messages.
import "survey-core/i18n/simplified-chinese";
import { installLinearRegex } from "./linear-regex.ts";
import { dedupe, isPlainObject, joinKey } from "./validation-types.ts";
import type { FieldError, JsonObject, ValidationResult } from "./validation-types.ts";

// Form authors' regexes run on a linear-time engine in every survey-core model of this process.
installLinearRegex();

export const DEFAULT_LOCALE = "zh-cn";
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
    notJson:
      "The data contains a value that is not JSON (only strings, numbers, booleans, null, arrays and objects)",
    tooDeep: "The data is nested too deeply",
    forbiddenKey: "The data contains the forbidden key __proto__",
    unknownField: "The form has no such field",
    invalidValue:
      "The value is not allowed by the form (for example not one of the choices, rows or columns)",
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
  if (q instanceof QuestionMatrixDynamicModel)
    return { question: q, kind: "arrayOfScopes", child: matrixRowScope(q) };
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
      const rowPath =
        q instanceof QuestionMatrixDynamicModel ? `${path}[${row.getIndex()}]` : `${path}.${row.rowName}`;
      for (const cell of row.cells)
        collectQuestionErrors(cell.question, `${rowPath}.${cell.question.name}`, out);
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
function firstLoss(
  sent: unknown,
  kept: unknown,
  specs: FieldSpec[] | undefined,
  path: string,
): string | null {
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
  if (typeof sent !== "string" || typeof kept !== "number" || !sent.trim() || Number(sent) !== kept)
    return false;
  return !!specs?.some(
    (s) =>
      s.question instanceof QuestionTextModel &&
      (s.question.inputType === "number" || s.question.inputType === "range"),
  );
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
      if (!Helpers.isValueEmpty(value) && !sameComputed(value, kept[key]))
        errors.push({ name: key, message: msg.computedMismatch });
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
        value.forEach(
          (item, i) => isPlainObject(item) && checkScopeLimits(item, child, `${path}[${i}]`, ctx),
        );
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
function shapeErrors(
  obj: JsonObject,
  scope: Scope,
  prefix: string,
  msg: OwnMessages,
  out: FieldError[],
): void {
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
    if (!coreReported && (q.inputType === "number" || q.inputType === "range"))
      checkNumberRange(q, value, add, ctx);
  } else if (q instanceof QuestionCommentModel) {
    checkTextLength(q.maxLength, value, add, ctx);
  } else if (q instanceof QuestionCheckboxModel) {
    checkSelectedCount(q, value, coreReported, add, ctx);
  } else if (q instanceof QuestionRatingModel) {
    if (!ItemValue.getItemByValue(q.visibleRateValues, value)) add(ctx.msg.ratingOutOfRange);
  } else if (q instanceof QuestionBooleanModel) {
    const allowed = [q.getValueTrue(), q.getValueFalse()];
    if (!allowed.some((v) => Helpers.isTwoValueEquals(v, value, false, true, false)))
      add(ctx.msg.booleanInvalid);
  }
}

function checkTextLength(ownMax: number, value: unknown, add: (m: string) => void, ctx: LimitContext): void {
  // Same rule as survey-core's input maxlength: the question's own limit, else the survey's maxTextLength.
  const max = Helpers.getMaxLength(ownMax, ctx.model.maxTextLength);
  if (max && typeof value === "string" && value.length > max)
    add(coreMessage("textMaxLength", ctx.locale, max));
}

function checkCommentLength(value: unknown, path: string, ctx: LimitContext): void {
  const max = ctx.model.maxCommentLength;
  if (max > 0 && typeof value === "string" && value.length > max)
    ctx.errors.push({ name: path, message: coreMessage("textMaxLength", ctx.locale, max) });
}

function checkNumberRange(
  q: QuestionTextModel,
  value: unknown,
  add: (m: string) => void,
  ctx: LimitContext,
): void {
  const n = typeof value === "number" ? value : typeof value === "string" ? Number(value) : NaN;
  if (!Number.isFinite(n)) return;
  const min = Number(q.renderedMin);
  const max = Number(q.renderedMax);
  if (!Helpers.isValueEmpty(q.renderedMin) && Number.isFinite(min) && n < min)
    add(coreMessage("minError", ctx.locale, min));
  if (!Helpers.isValueEmpty(q.renderedMax) && Number.isFinite(max) && n > max)
    add(coreMessage("maxError", ctx.locale, max));
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
// Headless models
// ---------------------------------------------------------------------------------------------

type ChoicesRequestHook = typeof settings.web.onBeforeRequestChoices;

/**
 * Runs survey-core code without letting `choicesByUrl` reach the network. Node has `fetch`, so
 * survey-core would request every choices URL from the server, with respondent answers substituted
 * into `{placeholders}`, and cache the result process-wide, making later validations depend on it.
 * The request is aborted before it starts; such questions then have no loaded choices, which
 * survey-core treats as "any value allowed" (as it does while choices are loading).
 */
export function withoutRemoteChoices<T>(run: () => T): T {
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
export class FormInstance {
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
