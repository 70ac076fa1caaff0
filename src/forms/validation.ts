/**
 * Server-side reference validation of SurveyJS responses and form schemas.
 *
 * The reference is survey-core itself, run headless on the server against the exact published
 * form version a response claims. A response is valid iff
 *  (a) survey-core's `validate()` passes on every visible page,
 *  (b) survey-core's `clearIncorrectValues(true)` would remove or change nothing that was sent, and
 *  (c) limits the schema declares but survey-core does not enforce on submit (text length, number of
 *      selected choices, rating scale, boolean values, number min/max of hidden questions) hold for
 *      every value present, visible or not.
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
  QuestionMatrixDropdownModelBase,
  QuestionMatrixDynamicModel,
  QuestionMultipleTextModel,
  QuestionPanelDynamicModel,
  QuestionRankingModel,
  QuestionRatingModel,
  QuestionTextModel,
  Serializer,
  getLocaleString,
  settings,
} from "survey-core";
import type { IExpressionError, JsonError, Operand, SurveyError, SurveyModel } from "survey-core";
// Registers the "zh-cn" strings used for survey-core's own error messages.
import "survey-core/i18n/simplified-chinese";

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
    internal: "The submitted data could not be validated",
  },
} as const;

type OwnMessages = (typeof OWN_MESSAGES)[keyof typeof OWN_MESSAGES];

function ownMessages(locale: string): OwnMessages {
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
// Value scopes: what survey-core stores under each data key, derived once per form version
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
}

function newScope(): Scope {
  return { fields: new Map(), computedKeys: new Set() };
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
  for (const calc of model.calculatedValues) if (calc.includeIntoResult) scope.computedKeys.add(calc.name);
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

function clearAllErrors(model: SurveyModel): void {
  for (const q of model.getAllQuestions(false, false, true)) if (q.errors.length) q.errors = [];
  for (const p of model.getAllPanels(false, false))
    if (p instanceof PanelModelBase && p.errors.length) p.errors = [];
}

// ---------------------------------------------------------------------------------------------
// (b) clearIncorrectValues(true) would change nothing that was sent
// ---------------------------------------------------------------------------------------------

/** First path under which `sent` has content that `kept` lacks or differs in; extra content in `kept` is survey-core adding (defaults, comments), not removing. */
function firstLoss(sent: unknown, kept: unknown, path: string): string | null {
  if (Array.isArray(sent)) {
    if (!Array.isArray(kept)) return path;
    for (let i = 0; i < sent.length; i++) {
      if (i >= kept.length) return `${path}[${i}]`;
      const lost = firstLoss(sent[i], kept[i], `${path}[${i}]`);
      if (lost !== null) return lost;
    }
    return null;
  }
  if (isPlainObject(sent)) {
    if (!isPlainObject(kept)) return path;
    for (const key of Object.keys(sent)) {
      if (!Object.hasOwn(kept, key)) return joinKey(path, key);
      const lost = firstLoss(sent[key], kept[key], joinKey(path, key));
      if (lost !== null) return lost;
    }
    return null;
  }
  return sent === kept ? null : path;
}

function firstLossInScope(sent: unknown, kept: unknown, scope: Scope, path: string): string | null {
  if (!isPlainObject(sent) || !isPlainObject(kept)) return firstLoss(sent, kept, path);
  for (const key of Object.keys(sent)) {
    if (scope.computedKeys.has(key)) continue;
    const keyPath = joinKey(path, key);
    if (!Object.hasOwn(kept, key)) return keyPath;
    const lost = firstLossInField(sent[key], kept[key], scope.fields.get(key), keyPath);
    if (lost !== null) return lost;
  }
  return null;
}

function firstLossInField(sent: unknown, kept: unknown, specs: FieldSpec[] | undefined, path: string): string | null {
  if (specs?.some((s) => s.kind === "computed")) return null;
  const container = specs?.find((s) => s.child);
  if (!container?.child) return firstLoss(sent, kept, path);
  const child = container.child;
  if (container.kind === "scope") return firstLossInScope(sent, kept, child, path);
  if (container.kind === "arrayOfScopes" && Array.isArray(sent)) {
    if (!Array.isArray(kept)) return path;
    for (let i = 0; i < sent.length; i++) {
      if (i >= kept.length) return `${path}[${i}]`;
      const lost = firstLossInScope(sent[i], kept[i], child, `${path}[${i}]`);
      if (lost !== null) return lost;
    }
    return null;
  }
  if (container.kind === "objectOfScopes" && isPlainObject(sent)) {
    if (!isPlainObject(kept)) return path;
    for (const rowKey of Object.keys(sent)) {
      if (!Object.hasOwn(kept, rowKey)) return `${path}.${rowKey}`;
      const lost = firstLossInScope(sent[rowKey], kept[rowKey], child, `${path}.${rowKey}`);
      if (lost !== null) return lost;
    }
    return null;
  }
  return firstLoss(sent, kept, path);
}

/** One error per top-level key: survey-core either dropped the key (unknown field) or dropped/changed something inside it. */
function removalErrors(sent: JsonObject, kept: JsonObject, root: Scope, msg: OwnMessages): FieldError[] {
  const errors: FieldError[] = [];
  for (const key of Object.keys(sent)) {
    if (root.computedKeys.has(key)) continue;
    const specs = root.fields.get(key);
    if (!Object.hasOwn(kept, key)) {
      errors.push({ name: key, message: specs || isCommentKeyOf(key, root) ? msg.invalidValue : msg.unknownField });
      continue;
    }
    const lost = firstLossInField(sent[key], kept[key], specs, key);
    if (lost !== null) errors.push({ name: lost, message: msg.invalidValue });
  }
  return errors;
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

type DynamicQuestion = QuestionMatrixDynamicModel | QuestionPanelDynamicModel;

interface DynamicState {
  question: DynamicQuestion;
  /** Row or panel count of a freshly built model. */
  count: number;
  hasNestedDynamic: boolean;
}

function isDynamic(q: Question): q is DynamicQuestion {
  return q instanceof QuestionMatrixDynamicModel || q instanceof QuestionPanelDynamicModel;
}

/** Whether rows or panels of `q` contain dynamic questions, whose state would survive in reused rows or panels. */
function hasNestedDynamic(q: Question): boolean {
  const nested =
    q instanceof QuestionPanelDynamicModel
      ? q.template.questions
      : q instanceof QuestionMatrixDropdownModelBase
        ? q.detailPanel.questions
        : [];
  return nested.some((n) => isDynamic(n) || hasNestedDynamic(n));
}

function setDynamicCount(question: DynamicQuestion, count: number): void {
  if (question instanceof QuestionMatrixDynamicModel) {
    if (question.rowCount !== count) question.rowCount = count;
  } else if (question.panelCount !== count) {
    question.panelCount = count;
  }
}

/** A survey-core model built once and reset before every response; see `reset()` for what must be restored. */
class CompiledForm {
  readonly model: SurveyModel;
  readonly root: Scope;
  private readonly dynamics: DynamicState[];

  constructor(schema: JsonObject, locale: string) {
    const model = new Model(schema);
    model.locale = locale;
    // Hidden answers are kept as sent; survey-core must not erase them while conditions run.
    model.clearInvisibleValues = "none";
    this.model = model;
    this.root = rootScopeOf(model);
    this.dynamics = model
      .getAllQuestions(false, false, false)
      .filter(isDynamic)
      .map((question) => ({
        question,
        count: question instanceof QuestionMatrixDynamicModel ? question.rowCount : question.panelCount,
        hasNestedDynamic: hasNestedDynamic(question),
      }));
  }

  /**
   * Loads one response so that the model is in the state of a freshly built model given the same
   * data (tests compare the two). Replacing `model.data` alone is not enough:
   * - a dynamic matrix or panel whose key is absent keeps the previous answer's row or panel count,
   *   while a fresh model shows the schema's count, with its required cells;
   * - rows and panels survive a data change, and with them the state of dynamic questions nested in
   *   them, so containers with nested dynamic questions are emptied first and rebuilt from templates;
   * - errors stay on questions that the next validate() does not visit (hidden ones).
   */
  private load(data: JsonObject): void {
    const model = this.model;
    for (const dynamic of this.dynamics) if (dynamic.hasNestedDynamic) setDynamicCount(dynamic.question, 0);
    clearAllErrors(model);
    model.data = structuredClone(data);
    for (const { question, count } of this.dynamics) {
      if (Object.hasOwn(data, question.getValueName())) continue;
      setDynamicCount(question, 0);
      setDynamicCount(question, count);
    }
  }

  validate(data: JsonObject, locale: string, msg: OwnMessages): FieldError[] {
    const model = this.model;
    this.load(data);

    const core: CoreErrors = { errors: [], paths: new Set(), questions: new Set() };
    model.validate(true, false);
    for (const page of model.pages) collectContainerErrors(page, "", core);

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
 * The survey-core model is built once and reset before each call (about 10x cheaper than building
 * it per call); the reset is covered by tests comparing against a freshly built model. Calls are
 * synchronous, so sharing the model between requests is safe.
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
  const locale = opts.locale ?? DEFAULT_LOCALE;
  const msg = ownMessages(locale);
  let compiled: CompiledForm | null = new CompiledForm(schema, locale);

  return (data: unknown): ValidationResult => {
    if (!isPlainObject(data)) return { ok: false, errors: [{ name: "", message: msg.notObject }] };
    const nonJson = findNonJson(data, "", 0, msg);
    if (nonJson) return { ok: false, errors: [nonJson] };
    try {
      compiled ??= new CompiledForm(schema, locale);
      const errors = compiled.validate(data, locale, msg);
      return errors.length ? { ok: false, errors } : { ok: true };
    } catch {
      // Rebuild next time: a model that threw halfway may hold state from this response.
      compiled = null;
      return { ok: false, errors: [{ name: "", message: msg.internal }] };
    }
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

function checkExpressions(model: SurveyModel, paths: Map<Base, string>): SchemaProblem[] {
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

/** Question names share a namespace per data level; expressions look names up case-insensitively. */
function checkNames(model: SurveyModel, paths: Map<Base, string>): SchemaProblem[] {
  const problems: SchemaProblem[] = [];
  const checkLevel = (items: NamedItem[]): void => {
    const byName = new Map<string, NamedItem>();
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

/**
 * Problems that make a form schema unsavable: not a JSON object, malformed element lists, element
 * types or required properties survey-core cannot load, duplicate question names (per data level,
 * case-insensitive), and expressions that fail to parse or call a function not registered in
 * survey-core's FunctionFactory. Structural problems are reported alone, since later paths would
 * not line up with the JSON.
 *
 * @returns An empty array when the schema is fine.
 */
export function findSchemaProblems(schema: unknown): SchemaProblem[] {
  if (!isPlainObject(schema)) return [{ path: "", message: "表单定义必须是 JSON 对象" }];
  const structural: SchemaProblem[] = [];
  checkElementLists(schema, "", structural);
  if (structural.length) return structural;

  const model = new Model();
  try {
    // Design mode loads the structure without running conditions and expressions.
    model.setDesignMode(true);
    model.fromJSON(schema);
    const loadProblems = checkJsonErrors(model, schema);
    if (loadProblems.length) return loadProblems;
    const paths = indexSurveyPaths(model, schema);
    return [...checkNames(model, paths), ...checkExpressions(model, paths)];
  } catch (error) {
    return [{ path: "", message: `survey-core 无法加载此表单：${(error as Error).message}` }];
  } finally {
    model.dispose();
  }
}

// ---------------------------------------------------------------------------------------------
// Cache
// ---------------------------------------------------------------------------------------------

/** A small LRU cache of compiled validators keyed by e.g. `${formId}:${version}`. */
export class ValidatorCache {
  private readonly entries = new Map<string, (data: unknown) => ValidationResult>();
  private readonly maxEntries: number;

  /** @param maxEntries How many compiled form versions to keep (at least 1). */
  constructor(maxEntries: number) {
    this.maxEntries = maxEntries >= 1 ? Math.floor(maxEntries) : 1;
  }

  /**
   * Returns the validator for `key`, compiling `schema()` on a miss. A key must always name the
   * same schema (published versions are immutable); the least recently used entry is evicted.
   */
  get(key: string, schema: () => unknown): (data: unknown) => ValidationResult {
    const hit = this.entries.get(key);
    if (hit) {
      // Map iteration order is insertion order: re-inserting marks the entry most recently used.
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit;
    }
    const validator = createResponseValidator(schema());
    this.entries.set(key, validator);
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
    return validator;
  }

  /** Number of cached validators. */
  get size(): number {
    return this.entries.size;
  }
}
