/**
 * Per-question checkers of the compiled validator.
 *
 * Each checker reproduces, for one question, the three parts of the reference
 * (src/forms/reference-validator.ts): (a) survey-core's errors when the question is visible and editable,
 * (b) what `clearIncorrectValues(true)` would remove, (c) the declared limits. It does so only for
 * values in a *domain* it understands exactly — well-formed strings, numbers, choice values, rows —
 * and answers `DEFER` for anything else (a wrong type, an ambiguous loose match, an "other" answer),
 * in which case the whole response is decided by the reference. Domains are chosen so that inside
 * them survey-core stores and exposes the value unchanged; everything outside is rare in real
 * submissions and handled by survey-core itself.
 *
 * Static facts (choice lists, rate values, error texts, validators) are read once from a
 * survey-core model of the form built at compile time — the "template" question — so they are the
 * exact objects and strings the reference uses.
 */
import {
  AnswerRequiredError,
  ExpressionValidator,
  Helpers,
  ItemValue,
  QuestionTextModel,
  Serializer,
  getLocaleString,
  settings,
} from "survey-core";
import type { Question, SurveyModel, SurveyValidator } from "survey-core";
import { Unsupported, compileCondition, compileEvaluator } from "./conditions.ts";
import type { Evaluator, Values, VariableResolver } from "./conditions.ts";
import { isPlainObject } from "../validation-types.ts";
import type { FieldError, JsonObject } from "../validation-types.ts";

/** Messages of the reference's own checks, in the validator's locale. */
export interface OwnTexts {
  unknownField: string;
  invalidValue: string;
  ratingOutOfRange: string;
}

/** Where a checker writes: the three parts are kept apart like in the reference. */
export interface Out {
  core: FieldError[];
  removed: FieldError[];
  limits: FieldError[];
  values: Values;
}

/** Returned by a checker that cannot decide the value exactly. */
export const DEFER = false;

/** Runtime state of a question: whether survey-core would validate it, and whether it is required. */
export interface QuestionState {
  active: boolean;
  required: boolean;
}

/** A compiled value checker. `value` is `undefined` when the key is absent. Returns `DEFER` or true. */
export type Checker = (value: unknown, path: string, state: QuestionState, out: Out) => boolean;

/** A question's own state, by the values of a response (or of a panel or row). */
export interface QuestionFlags {
  visible: (values: Values) => boolean;
  readOnly: (values: Values) => boolean;
  required: (values: Values) => boolean;
}

/** A question compiled for its container: the value checker and its own state. */
export interface CompiledQuestion extends QuestionFlags {
  name: string;
  check: Checker;
}

/** The question's visibleIf, enableIf and requiredIf compiled, else its static visible, readOnly and isRequired. */
export function questionFlags(
  json: Record<string, unknown>,
  q: Question,
  resolve: VariableResolver,
): QuestionFlags {
  const visibleIf = compileCondition(json.visibleIf, resolve);
  const enableIf = compileCondition(json.enableIf, resolve);
  const requiredIf = compileCondition(json.requiredIf, resolve);
  const staticVisible = json.visible !== false;
  const staticReadOnly = json.readOnly === true;
  const staticRequired = q.isRequired;
  return {
    visible: visibleIf ?? (() => staticVisible),
    readOnly: enableIf ? (values) => !enableIf(values) : () => staticReadOnly,
    required: requiredIf ?? (() => staticRequired),
  };
}

/** Everything a question compiler needs besides the question. */
export interface CompileEnv {
  model: SurveyModel;
  locale: string;
  texts: OwnTexts;
  resolve: VariableResolver;
}

/** Keys with no influence on validation (layout, texts, client behaviour). */
const PRESENTATION_KEYS = [
  "type",
  "name",
  "title",
  "description",
  "startWithNewLine",
  "indent",
  "width",
  "minWidth",
  "maxWidth",
  "titleLocation",
  "descriptionLocation",
  "hideNumber",
  "errorLocation",
  "state",
  "colCount",
  "placeholder",
  "placeHolder",
  "requiredErrorText",
  "visible",
  "visibleIf",
  "enableIf",
  "requiredIf",
  "isRequired",
  "readOnly",
  "validators",
  // Quiz scoring (correctAnswers) is read by the client only.
  "correctAnswer",
];

/** Refuses the element when its JSON has a key the compiler does not know to be harmless. */
export function assertKeys(json: JsonObject, extra: readonly string[]): void {
  // survey-core converts other JSON types for these; only plain booleans are read here.
  for (const key of ["visible", "readOnly", "isRequired"])
    if (json[key] !== undefined && typeof json[key] !== "boolean")
      throw new Unsupported(`non-boolean ${key}`);
  for (const key of Object.keys(json)) {
    if (!PRESENTATION_KEYS.includes(key) && !extra.includes(key))
      throw new Unsupported(`property "${key}" of ${String(json.type)} "${String(json.name)}"`);
  }
}

/**
 * The empty values survey-core stores as "no answer" (undefined, null, "", [], {}). Other values
 * survey-core also treats as empty (NaN, objects of empty values) are left to the reference.
 */
export function isBlank(value: unknown): boolean {
  if (value === undefined || value === null || value === "") return true;
  if (Array.isArray(value)) return value.length === 0;
  return isPlainObject(value) && Object.keys(value).length === 0;
}

/** For questions with a scalar value: [] and {} are stored by survey-core differently from a missing answer. */
export function isEmptyContainer(value: unknown): boolean {
  return typeof value === "object" && value !== null && isBlank(value);
}

/** A string survey-core's isEmpty() trims to nothing: treated as "no answer" in some checks and as a value in others. */
export function isBlankText(value: unknown): boolean {
  return typeof value === "string" && value !== "" && value.trim() === "";
}

export function isPrimitive(value: unknown): value is string | number {
  return typeof value === "string" || (typeof value === "number" && Number.isFinite(value));
}

function coreMessage(name: string, locale: string, arg: unknown): string {
  return getLocaleString(name, locale).replace("{0}", String(arg));
}

// ---------------------------------------------------------------------------------------------
// Validators
// ---------------------------------------------------------------------------------------------

const VALIDATOR_KEYS: Record<string, readonly string[]> = {
  text: ["minLength", "maxLength", "allowDigits"],
  regex: ["regex", "caseInsensitive", "insensitive"],
  email: [],
  numeric: ["minValue", "maxValue"],
  answercount: ["minCount", "maxCount"],
  expression: ["expression"],
};

type RunValidators = (value: unknown, values: Values) => string[];

interface ValidatorInternals {
  createCustomError(name: string | null): { getText(): string };
}

/** survey-core's validators of the template question, run as the reference's ValidatorRunner runs them. */
export function compileValidators(json: JsonObject, q: Question, env: CompileEnv): RunValidators {
  const list: unknown = json.validators;
  if (list === undefined) return () => [];
  if (!Array.isArray(list) || list.length !== q.validators.length) throw new Unsupported("validators");
  const runs = list.map((vJson: unknown, i): ((value: unknown, values: Values) => string | null) => {
    if (!isPlainObject(vJson) || typeof vJson.type !== "string") throw new Unsupported("validator");
    const allowed = VALIDATOR_KEYS[vJson.type];
    if (!allowed) throw new Unsupported(`validator ${vJson.type}`);
    for (const key of Object.keys(vJson))
      if (key !== "type" && key !== "text" && !allowed.includes(key) && key !== "notificationType")
        throw new Unsupported(`validator property ${key}`);
    const notification = vJson.notificationType ?? "error";
    // Warnings and notes never block a response; the reference skips them too.
    if (notification === "warning" || notification === "info") return () => null;
    if (notification !== "error") throw new Unsupported(`validator notificationType ${String(notification)}`);
    const validator: SurveyValidator = q.validators[i];
    if (validator instanceof ExpressionValidator) {
      const condition = compileCondition(validator.expression, env.resolve);
      if (!condition) return () => null;
      const message = (validator as unknown as ValidatorInternals).createCustomError(null).getText();
      return (_value, values) => (condition(values) ? null : message);
    }
    return (value) => {
      const result = validator.validate(value, undefined as unknown as string, undefined);
      return result?.error ? result.error.getText() : null;
    };
  });
  return (value, values) => {
    const errors: string[] = [];
    for (const run of runs) {
      const message = run(value, values);
      if (message !== null) errors.push(message);
    }
    return errors;
  };
}

export function requiredMessage(q: Question): string {
  return new AnswerRequiredError(q.requiredErrorText, q).getText();
}

/** Question.isEmpty(): empty after trimming strings (allowSpaceAsAnswer is refused). */
function isEmptyAnswer(q: Question, value: unknown): boolean {
  return (q as unknown as { isValueEmpty(v: unknown, trim: boolean): boolean }).isValueEmpty(value, true);
}

/**
 * The shared core sequence of Question.collectErrors: the required error and type-specific errors
 * first; validators run only when these found nothing.
 */
export function collectCore(
  path: string,
  errors: string[],
  validators: RunValidators,
  value: unknown,
  out: Out,
): boolean {
  const all = errors.length ? errors : validators(value, out.values);
  for (const message of all) out.core.push({ name: path, message });
  return all.length > 0;
}

// ---------------------------------------------------------------------------------------------
// Text and comment
// ---------------------------------------------------------------------------------------------

const TEXT_INPUT_TYPES = new Set([
  "text",
  "email",
  "tel",
  "url",
  "password",
  "search",
  "number",
  "date",
  "datetime-local",
  "color",
  "month",
  "week",
  "time",
  "range",
]);
const TEXT_KEYS = [
  "maskType",
  "maskSettings",
  "inputType",
  "maxLength",
  "min",
  "max",
  "minValueExpression",
  "maxValueExpression",
  "minErrorText",
  "maxErrorText",
  "size",
  "inputSize",
  "autocomplete",
  "textUpdateMode",
];

interface TextInternals {
  isDateInputType: boolean;
  renderedMin: unknown;
  renderedMax: unknown;
  minErrorText: string;
  maxErrorText: string;
  getCalculatedMinMax(v: unknown): unknown;
  convertFuncValuetoQuestionValue(v: unknown): unknown;
  getMinMaxErrorText(text: string, v: unknown): string;
}

/** The bound survey-core's setRenderedMinMax would compute: the expression result or the static property. */
function boundOf(
  t: TextInternals,
  evaluator: Evaluator | undefined,
  staticValue: unknown,
  isMax: boolean,
): (values: Values) => unknown {
  if (!evaluator) return () => staticValue;
  return (values) => {
    let val = evaluator(values);
    if (!val && t.isDateInputType) val = isMax ? settings.maxDate : settings.minDate || val;
    return t.convertFuncValuetoQuestionValue(val);
  };
}

/** `text` questions (and text cells): strings, or finite numbers for inputType number. */
export function compileText(
  json: JsonObject,
  q: Question,
  env: CompileEnv,
  extraKeys: readonly string[] = [],
): Checker {
  assertKeys(json, [...TEXT_KEYS, ...extraKeys]);
  if (!(q instanceof QuestionTextModel)) throw new Unsupported("text model");
  const inputType = q.inputType;
  if (!TEXT_INPUT_TYPES.has(inputType)) throw new Unsupported(`inputType ${inputType}`);
  // A mask converts the value survey-core keeps (masked/unmasked): answers to it are left to the reference.
  const masked = !!q.maskType && q.maskType !== "none";
  const t = q as unknown as TextInternals;
  const isMinMax = inputType === "number" || inputType === "range" || t.isDateInputType;
  const hasBounds =
    json.min !== undefined || json.max !== undefined || json.minValueExpression || json.maxValueExpression;
  if (hasBounds && !isMinMax) throw new Unsupported("min/max on a non-number text");
  const minOf = boundOf(t, compileEvaluator(json.minValueExpression, env.resolve), t.renderedMin, false);
  const maxOf = boundOf(t, compileEvaluator(json.maxValueExpression, env.resolve), t.renderedMax, true);
  const validators = compileValidators(json, q, env);
  const reqMessage = requiredMessage(q);
  const maxLength = Helpers.getMaxLength(q.maxLength, env.model.maxTextLength);
  const checkEmail = inputType === "email" && !q.validators.some((v) => v.getType() === "emailvalidator");
  const emailMessage = getLocaleString("invalidEmail", env.locale);
  const emailRe =
    /^(([^<>()[\]\\.,;:\s@"]+(\.[^<>()[\]\\.,;:\s@"]+)*)|(".+"))@(([^<>()=[\]\\.,;:\s@"]+\.)+[^<>()=[\]\\.,;:\s@"]{2,})$/i;
  const isNumber = inputType === "number" || inputType === "range";

  return (value, path, state, out) => {
    const empty = isBlank(value);
    if (isEmptyContainer(value)) return DEFER;
    if (
      !empty &&
      !(isNumber ? typeof value === "number" && Number.isFinite(value) : typeof value === "string")
    )
      return DEFER;
    if (masked && !empty) return DEFER;
    let coreReported = false;
    // Bounds matter only for a value that is present (expressions such as today() are not free).
    const min = isMinMax && !empty ? minOf(out.values) : undefined;
    const max = isMinMax && !empty ? maxOf(out.values) : undefined;
    if (state.active) {
      const errors: string[] = [];
      const blank = empty || isEmptyAnswer(q, value);
      if (state.required && blank) errors.push(reqMessage);
      if (isMinMax && !blank) {
        const v = t.getCalculatedMinMax(value) as number;
        if (!Helpers.isValueEmpty(min) && v < (t.getCalculatedMinMax(min) as number))
          errors.push(t.getMinMaxErrorText(t.minErrorText, t.getCalculatedMinMax(min)));
        if (!Helpers.isValueEmpty(max) && v > (t.getCalculatedMinMax(max) as number))
          errors.push(t.getMinMaxErrorText(t.maxErrorText, t.getCalculatedMinMax(max)));
      }
      if (checkEmail && value && !emailRe.test(String(value))) errors.push(emailMessage);
      coreReported = collectCore(path, errors, validators, value, out);
    }
    if (empty) return true;
    if (q.isTextInput && maxLength && typeof value === "string" && value.length > maxLength)
      out.limits.push({ name: path, message: coreMessage("textMaxLength", env.locale, maxLength) });
    if (isNumber && !coreReported) checkNumberRange(value as number, min, max, path, env.locale, out);
    return true;
  };
}

function checkNumberRange(
  n: number,
  minValue: unknown,
  maxValue: unknown,
  path: string,
  locale: string,
  out: Out,
): void {
  const min = Number(minValue);
  const max = Number(maxValue);
  if (!Helpers.isValueEmpty(minValue) && Number.isFinite(min) && n < min)
    out.limits.push({ name: path, message: coreMessage("minError", locale, min) });
  if (!Helpers.isValueEmpty(maxValue) && Number.isFinite(max) && n > max)
    out.limits.push({ name: path, message: coreMessage("maxError", locale, max) });
}

/** `comment` questions (and comment cells): strings. */
export function compileComment(
  json: JsonObject,
  q: Question,
  env: CompileEnv,
  extraKeys: readonly string[] = [],
): Checker {
  assertKeys(json, [
    "maxLength",
    "rows",
    "autoGrow",
    "allowResize",
    "acceptCarriageReturn",
    "textUpdateMode",
    ...extraKeys,
  ]);
  const validators = compileValidators(json, q, env);
  const reqMessage = requiredMessage(q);
  const maxLength = Helpers.getMaxLength(
    (q as unknown as { maxLength: number }).maxLength,
    env.model.maxTextLength,
  );
  return (value, path, state, out) => {
    const empty = isBlank(value);
    if (isEmptyContainer(value)) return DEFER;
    if (!empty && typeof value !== "string") return DEFER;
    if (state.active) {
      const errors = state.required && (empty || isEmptyAnswer(q, value)) ? [reqMessage] : [];
      collectCore(path, errors, validators, value, out);
    }
    if (!empty && maxLength && (value as string).length > maxLength)
      out.limits.push({ name: path, message: coreMessage("textMaxLength", env.locale, maxLength) });
    return true;
  };
}

// ---------------------------------------------------------------------------------------------
// Choice questions
// ---------------------------------------------------------------------------------------------

/**
 * Item keys that cannot change what an answer may be: the value and its text, and lianma's own
 * `negative` mark (a negative answer raises an alert after it is stored; client/lib/lianma-properties.ts).
 */
const CHOICE_ITEM_KEYS = ["value", "text", "negative"];

/** Properties survey-core knows on choice items; unknown ones are ignored by survey-core and so harmless. */
function isKnownItemProperty(key: string): boolean {
  return !!Serializer.findProperty("choiceitem", key) || !!Serializer.findProperty("itemvalue", key);
}

/** Static choice lists only: items given as values or {value, text}. */
export function checkChoicesJson(list: unknown): void {
  if (list === undefined) return;
  if (!Array.isArray(list)) throw new Unsupported("choices");
  for (const item of list) {
    if (isPrimitive(item)) continue;
    if (!isPlainObject(item)) throw new Unsupported("choice item");
    for (const key of Object.keys(item))
      if (!CHOICE_ITEM_KEYS.includes(key) && isKnownItemProperty(key))
        throw new Unsupported(`choice property ${key}`);
    if (!isPrimitive(item.value)) throw new Unsupported("choice value");
  }
}

export interface ChoiceSet {
  /** The choice items survey-core matches values against (without other/none). */
  items: ItemValue[];
  /** Values compared strictly; a value in here is stored and exposed unchanged. */
  strict: Set<unknown>;
  /** Values of special items (other, none) whose answers the compiler leaves to survey-core. */
  special: unknown[];
  hasOther: boolean;
}

interface SelectInternals {
  choices: ItemValue[];
  showOtherItem: boolean;
  showNoneItem: boolean;
  otherItem: ItemValue;
  noneItem: ItemValue;
  refuseItem: ItemValue;
  dontKnowItem: ItemValue;
}

/** `choices` overrides the question's own list (a matrix cell showing the matrix's choices). */
export function choiceSetOf(q: Question, choices?: ItemValue[]): ChoiceSet {
  const s = q as unknown as SelectInternals;
  const items = [...(choices ?? s.choices)];
  const special: unknown[] = [
    s.otherItem.value,
    s.noneItem.value,
    s.refuseItem?.value,
    s.dontKnowItem?.value,
  ].filter((v) => v !== undefined);
  const strict = new Set<unknown>();
  for (const item of items) {
    // A regular choice that collides (loosely) with a special item is ambiguous: leave it to survey-core.
    if (!special.some((sv) => Helpers.isTwoValueEquals(sv, item.value, false, true, false)))
      strict.add(item.value);
  }
  return { items, strict, special, hasOther: s.showOtherItem };
}

export const SELECT_KEYS = [
  "choices",
  "choicesOrder",
  "showOtherItem",
  "hasOther",
  "otherText",
  "otherPlaceholder",
  "otherErrorText",
  "showNoneItem",
  "hasNone",
  "noneText",
  "separateSpecialChoices",
  "allowClear",
  "showClearButton",
  "searchEnabled",
  "itemComponent",
];

/** What survey-core keeps of a single choice value: strict match → kept; no loose match → cleared; else ask survey-core. */
function classifyChoice(set: ChoiceSet, value: unknown): "ok" | "unknown" | "defer" {
  if (!isPrimitive(value)) return "defer";
  if (set.strict.has(value)) {
    // Two choices that are loosely equal would make survey-core's first match differ: ambiguous.
    return "ok";
  }
  if (set.hasOther) return "defer";
  if (set.special.some((sv) => Helpers.isTwoValueEquals(sv, value, false, true, false))) return "defer";
  return ItemValue.getItemByValue(set.items, value) ? "defer" : "unknown";
}

/** A string matching no choice and no special item, not even loosely: an "other" answer's text. */
function isOtherText(set: ChoiceSet, value: unknown): boolean {
  if (typeof value !== "string") return false;
  if (set.special.some((sv) => Helpers.isTwoValueEquals(sv, value))) return false;
  return !set.items.some((item) => Helpers.isTwoValueEquals(item.value, value));
}

export function assertDistinctChoices(set: ChoiceSet): void {
  const items = set.items;
  for (let i = 0; i < items.length; i++)
    for (let j = i + 1; j < items.length; j++)
      if (Helpers.isTwoValueEquals(items[i].value, items[j].value, false, true, false))
        throw new Unsupported("choices that survey-core considers equal");
}

/**
 * Choices known only at run time (loaded lazily by the page, filtered by `choicesVisibleIf`): the form
 * compiles, and every non-empty answer to such a question is left to the reference.
 */
const RUNTIME_CHOICE_KEYS = [
  "choicesLazyLoadEnabled",
  "choicesLazyLoadPageSize",
  "choicesVisibleIf",
  "choicesByUrl",
];

function hasRuntimeChoices(json: JsonObject): boolean {
  // choicesByUrl never reaches the network on the server (withoutRemoteChoices): survey-core keeps any value.
  return (
    json.choicesLazyLoadEnabled === true ||
    json.choicesByUrl !== undefined ||
    (typeof json.choicesVisibleIf === "string" && json.choicesVisibleIf.trim() !== "")
  );
}

/** What single and multiple choice questions share: their choices, validators and required text. */
function compileChoiceQuestion(json: JsonObject, q: Question, env: CompileEnv, choices?: ItemValue[]) {
  checkChoicesJson(json.choices);
  const set = choiceSetOf(q, choices);
  assertDistinctChoices(set);
  return { set, validators: compileValidators(json, q, env), reqMessage: requiredMessage(q) };
}

/** `radiogroup` and `dropdown` (and such cells). */
export function compileSingleChoice(
  json: JsonObject,
  q: Question,
  env: CompileEnv,
  extraKeys: readonly string[] = [],
  choices?: ItemValue[],
): Checker {
  assertKeys(json, [...SELECT_KEYS, ...RUNTIME_CHOICE_KEYS, "placeholder", "autocomplete", ...extraKeys]);
  const { set, validators, reqMessage } = compileChoiceQuestion(json, q, env, choices);
  const runtimeChoices = hasRuntimeChoices(json);
  // With storeOthersAsComment: false the "other" text is the value itself, kept and validated as sent.
  const othersAsValue =
    set.hasOther && !(q as unknown as { getStoreOthersAsComment(): boolean }).getStoreOthersAsComment();
  return (value, path, state, out) => {
    const empty = isBlank(value);
    if (isEmptyContainer(value)) return DEFER;
    if (isBlankText(value)) return DEFER;
    if (!empty && runtimeChoices) return DEFER;
    if (!empty) {
      const kind = othersAsValue && isOtherText(set, value) ? "ok" : classifyChoice(set, value);
      if (kind === "defer") return DEFER;
      if (kind === "unknown") out.removed.push({ name: path, message: env.texts.invalidValue });
    }
    if (state.active) collectCore(path, state.required && empty ? [reqMessage] : [], validators, value, out);
    return true;
  };
}

interface CheckboxInternals {
  minSelectedChoices: number;
  maxSelectedChoices: number;
}

/** `checkbox` and `tagbox` (and such cells): arrays of distinct regular choice values. */
export function compileMultiChoice(
  json: JsonObject,
  q: Question,
  env: CompileEnv,
  extraKeys: readonly string[] = [],
  choices?: ItemValue[],
): Checker {
  assertKeys(json, [
    ...SELECT_KEYS,
    ...RUNTIME_CHOICE_KEYS,
    "minSelectedChoices",
    "maxSelectedChoices",
    "hideSelectedItems",
    "closeOnSelect",
    ...extraKeys,
  ]);
  const { set, validators, reqMessage } = compileChoiceQuestion(json, q, env, choices);
  const runtimeChoices = hasRuntimeChoices(json);
  const c = q as unknown as CheckboxInternals;
  const min = c.minSelectedChoices;
  const max = c.maxSelectedChoices;
  return (value, path, state, out) => {
    const empty = isBlank(value);
    // survey-core does not read {} as "no choices" (a required checkbox given {} passes): leave it to survey-core.
    if (isPlainObject(value)) return DEFER;
    if (!empty && runtimeChoices) return DEFER;
    if (!empty) {
      if (!Array.isArray(value)) return DEFER;
      const seen = new Set<unknown>();
      for (const item of value) {
        if (!set.strict.has(item) || seen.has(item)) return DEFER;
        seen.add(item);
      }
    }
    const count = Array.isArray(value) ? value.length : 0;
    let coreReported = false;
    if (state.active) {
      const errors: string[] = [];
      if (state.required && empty) errors.push(reqMessage);
      if (min >= 1 && count < min) errors.push(coreMessage("minSelectError", env.locale, min));
      coreReported = collectCore(path, errors, validators, value, out);
    }
    if (empty) return true;
    if (max > 0 && count > max)
      out.limits.push({ name: path, message: coreMessage("maxSelectError", env.locale, max) });
    if (!coreReported && min >= 1 && count < min)
      out.limits.push({ name: path, message: coreMessage("minSelectError", env.locale, min) });
    return true;
  };
}

// ---------------------------------------------------------------------------------------------
// Boolean, rating, file, signature
// ---------------------------------------------------------------------------------------------

interface BooleanInternals {
  getValueTrue(): unknown;
  getValueFalse(): unknown;
}

/** `boolean`: exactly its valueTrue or valueFalse. */
export function compileBoolean(json: JsonObject, q: Question, env: CompileEnv): Checker {
  assertKeys(json, ["labelTrue", "labelFalse", "valueTrue", "valueFalse", "renderAs", "swapOrder"]);
  const b = q as unknown as BooleanInternals;
  const allowed = [b.getValueTrue(), b.getValueFalse()];
  if (!allowed.every((v) => typeof v === "boolean" || isPrimitive(v)))
    throw new Unsupported("boolean values");
  const validators = compileValidators(json, q, env);
  const reqMessage = requiredMessage(q);
  return (value, path, state, out) => {
    const empty = isBlank(value);
    if (isEmptyContainer(value)) return DEFER;
    if (isBlankText(value)) return DEFER;
    if (!empty && !(allowed as unknown[]).includes(value)) return DEFER;
    if (state.active) collectCore(path, state.required && empty ? [reqMessage] : [], validators, value, out);
    return true;
  };
}

interface RatingInternals {
  visibleRateValues: ItemValue[];
}

/** `rating`: a value of its scale; a primitive matching no scale value is out of range (c). */
export function compileRating(json: JsonObject, q: Question, env: CompileEnv): Checker {
  assertKeys(json, [
    "rateMin",
    "rateMax",
    "rateStep",
    "rateValues",
    "rateCount",
    "rateType",
    "scaleColorMode",
    "rateColorMode",
    "displayMode",
    "minRateDescription",
    "maxRateDescription",
    "displayRateDescriptionsAsExtremeItems",
    "autoGenerate",
  ]);
  checkChoicesJson(json.rateValues);
  const scale = (q as unknown as RatingInternals).visibleRateValues;
  const strict = new Set(scale.map((item) => item.value));
  const validators = compileValidators(json, q, env);
  const reqMessage = requiredMessage(q);
  return (value, path, state, out) => {
    const empty = isBlank(value);
    if (isEmptyContainer(value)) return DEFER;
    if (isBlankText(value)) return DEFER;
    if (!empty) {
      if (!isPrimitive(value)) return DEFER;
      if (!strict.has(value)) {
        if (ItemValue.getItemByValue(scale, value)) return DEFER;
        out.limits.push({ name: path, message: env.texts.ratingOutOfRange });
      }
    }
    if (state.active) collectCore(path, state.required && empty ? [reqMessage] : [], validators, value, out);
    return true;
  };
}

/** `file`: an array of file descriptors (objects of strings); survey-core checks nothing else on the server. */
export function compileFile(json: JsonObject, q: Question, env: CompileEnv): Checker {
  assertKeys(json, [
    "allowMultiple",
    "acceptedTypes",
    "storeDataAsText",
    "maxSize",
    "sourceType",
    "waitForUpload",
    "needConfirmRemoveFile",
    "showPreview",
    "allowImagesPreview",
    "imageHeight",
    "imageWidth",
  ]);
  if (json.validators !== undefined) throw new Unsupported("file validators");
  const reqMessage = requiredMessage(q);
  return (value, path, state, out) => {
    const empty = isBlank(value);
    if (!empty) {
      if (!Array.isArray(value)) return DEFER;
      for (const item of value) {
        if (!isPlainObject(item) || isBlank(item)) return DEFER;
        for (const field of Object.values(item)) if (typeof field !== "string") return DEFER;
      }
    }
    if (state.active && state.required && empty) out.core.push({ name: path, message: reqMessage });
    return true;
  };
}

/** `signaturepad`: a non-empty string (a data URL or an uploaded file's URL). */
export function compileSignature(json: JsonObject, q: Question): Checker {
  assertKeys(json, [
    "dataFormat",
    "penColor",
    "backgroundColor",
    "signatureWidth",
    "signatureHeight",
    "allowClear",
    "showPlaceholder",
    "placeholderReadOnly",
  ]);
  if (json.validators !== undefined) throw new Unsupported("signature validators");
  const reqMessage = requiredMessage(q);
  return (value, path, state, out) => {
    const empty = isBlank(value);
    if (isEmptyContainer(value)) return DEFER;
    if (!empty && (typeof value !== "string" || isEmptyAnswer(q, value))) return DEFER;
    if (state.active && state.required && empty) out.core.push({ name: path, message: reqMessage });
    return true;
  };
}

/** Questions without a value of their own (html, image, expression): any value sent for them goes to survey-core. */
const SLIDER_KEYS = [
  "min",
  "max",
  "step",
  "sliderType",
  "segmentCount",
  "labelCount",
  "showLabels",
  "customLabels",
  "labelFormat",
  "tooltipFormat",
  "tooltipVisibilityPG",
  "allowDragRange",
  "minRangeLength",
  "maxRangeLength",
  "autoGenerate",
  "allowSwap",
  "allowClear",
];

/**
 * `slider`: only an absent or empty answer is decided here (required, validators); every value is
 * left to the reference, which knows the slider's range and step.
 */
export function compileSlider(json: JsonObject, q: Question, env: CompileEnv): Checker {
  assertKeys(json, SLIDER_KEYS);
  const validators = compileValidators(json, q, env);
  const reqMessage = requiredMessage(q);
  return (value, path, state, out) => {
    if (value !== undefined && value !== null) return DEFER;
    if (state.active) collectCore(path, state.required ? [reqMessage] : [], validators, value, out);
    return true;
  };
}

export function compileNoValue(json: JsonObject, extraKeys: readonly string[]): Checker {
  assertKeys(json, extraKeys);
  if (json.isRequired || json.requiredIf || json.validators)
    throw new Unsupported("required display element");
  return (value) => value === undefined;
}

// ---------------------------------------------------------------------------------------------
// Matrices
// ---------------------------------------------------------------------------------------------

interface MatrixInternals {
  rows: ItemValue[];
  columns: ItemValue[];
  eachRowRequired: boolean;
}

/** Single-choice `matrix`: an object mapping row values to column values. */
export function compileMatrix(json: JsonObject, q: Question, env: CompileEnv): Checker {
  assertKeys(json, [
    "rows",
    "columns",
    "isAllRowRequired",
    "eachRowRequired",
    "columnMinWidth",
    "rowTitleWidth",
    "alternateRows",
    "showHeader",
    "columnsLocation",
    "verticalAlign",
  ]);
  checkChoicesJson(json.rows);
  checkChoicesJson(json.columns);
  if (json.validators !== undefined) throw new Unsupported("matrix validators");
  const m = q as unknown as MatrixInternals;
  const rowKeys = new Set<string>();
  for (const row of m.rows) {
    if (typeof row.value !== "string") throw new Unsupported("non-string matrix row");
    rowKeys.add(row.value);
  }
  if (rowKeys.size !== m.rows.length) throw new Unsupported("duplicate matrix rows");
  const columnSet: ChoiceSet = {
    items: [...m.columns],
    strict: new Set(m.columns.map((c) => c.value)),
    special: [],
    hasOther: false,
  };
  assertDistinctChoices(columnSet);
  const reqMessage = requiredMessage(q);
  const allRowsMessage = getLocaleString("requiredInAllRowsError", env.locale);
  const eachRowRequired = m.eachRowRequired;
  return (value, path, state, out) => {
    const empty = isBlank(value);
    if (!empty) {
      if (!isPlainObject(value)) return DEFER;
      for (const [key, cell] of Object.entries(value)) {
        if (!rowKeys.has(key) || !columnSet.strict.has(cell)) return DEFER;
      }
    }
    if (state.active) {
      if (state.required && empty) out.core.push({ name: path, message: reqMessage });
      if (eachRowRequired) {
        const answered = empty ? 0 : Object.keys(value as JsonObject).length;
        if (answered < rowKeys.size) out.core.push({ name: path, message: allRowsMessage });
      }
    }
    return true;
  };
}

/**
 * The question types whose value is a plain answer, compiled alike at the root and in a dynamic
 * panel's template; `undefined` for any other type. The root adds its own radiogroup/dropdown
 * variants (choicesFromQuestion, other texts as values) before asking here.
 */
export function compilePlainQuestion(json: JsonObject, q: Question, env: CompileEnv): Checker | undefined {
  switch (q.getType()) {
    case "text":
      return compileText(json, q, env);
    case "comment":
      return compileComment(json, q, env);
    case "radiogroup":
    case "dropdown":
      return compileSingleChoice(json, q, env);
    case "checkbox":
    case "tagbox":
      return compileMultiChoice(json, q, env);
    case "boolean":
      return compileBoolean(json, q, env);
    case "rating":
      return compileRating(json, q, env);
    default:
      return undefined;
  }
}
