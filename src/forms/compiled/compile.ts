/**
 * Compiles a published SurveyJS form into a fast response validator that decides exactly as the
 * reference in src/forms/reference-validator.ts (survey-core validate() + clearIncorrectValues(true) +
 * declared limits), without building a survey-core model per response.
 *
 * The compiler either refuses a form (it uses something not reproduced exactly; the caller then
 * uses the reference for every response of that form) or returns a function that answers a
 * ValidationResult, or `undefined` for a response outside the value domain it decides exactly
 * (see questions.ts); the caller then asks the reference for that one response.
 */
import { Model, OneAnswerRequiredError, PanelModel, Question } from "survey-core";
import type { JsonError, PanelModelBase, SurveyModel } from "survey-core";
import { SIMPLE_VALUE_TYPES, Unsupported, compileCondition } from "./conditions.ts";
import type { Condition, Values } from "./conditions.ts";
import {
  assertKeys,
  compileFile,
  compileMatrix,
  compileNoValue,
  compilePlainQuestion,
  compileSignature,
  compileSlider,
  compileSingleChoice,
  questionFlags,
} from "./questions.ts";
import type { Checker, CompileEnv, CompiledQuestion, Out, OwnTexts } from "./questions.ts";
import { compilePanelDynamic } from "./panels.ts";
import { compileChoicesFromQuestion } from "./choices-from.ts";
import { compileMatrixDropdown, compileMatrixDynamic, compileMultipleText } from "./matrices.ts";
import { installLinearRegex } from "../linear-regex.ts";
import { dedupe, isPlainObject } from "../validation-types.ts";
import type { FieldError, JsonObject, ValidationResult } from "../validation-types.ts";

// The regex validators this compiler calls are survey-core's objects: on the same linear engine as the reference's.
installLinearRegex();

/** Outcome of validating one response: the reference's ValidationResult. */
export type CompiledResult = ValidationResult;

/** A compiled validator: a result, or `undefined` when the response must be decided by the reference. */
export type CompiledValidator = (data: unknown) => CompiledResult | undefined;

/** What `compileResponseValidator` returns: a validator, or the reason the form is refused. */
export type CompileOutcome = { ok: true; validate: CompiledValidator } | { ok: false; reason: string };

/** Survey-level keys with no influence on the reference's decision. */
const SURVEY_KEYS = [
  "title",
  "description",
  "logo",
  "logoPosition",
  "logoWidth",
  "logoHeight",
  "logoFit",
  "showQuestionNumbers",
  "showProgressBar",
  "progressBarType",
  "progressBarLocation",
  "checkErrorsMode",
  "completeText",
  "pagePrevText",
  "pageNextText",
  "previewText",
  "editText",
  "startSurveyText",
  "completedHtml",
  "completedBeforeHtml",
  "loadingHtml",
  "pages",
  "elements",
  "questions",
  "maxTextLength",
  "maxCommentLength",
  "showTitle",
  "showPageTitles",
  "showPageNumbers",
  "questionErrorLocation",
  "questionTitleLocation",
  "questionDescriptionLocation",
  "questionTitlePattern",
  "textUpdateMode",
  "clearInvisibleValues",
  "requiredText",
  "requiredMark",
  "widthMode",
  "width",
  "focusFirstQuestionAutomatic",
  "focusOnFirstError",
  "goNextPageAutomatic",
  "autoAdvanceEnabled",
  "allowCompleteSurveyAutomatic",
  "showPreviewBeforeComplete",
  "showNavigationButtons",
  "navigationButtonsLocation",
  "showPrevButton",
  "showCompletedPage",
  "showTOC",
  "tocLocation",
  "headerView",
  "locale",
  "cookieName",
  "navigateToUrl",
  "questionsOrder",
  "showTimer",
  "showTimerPanel",
  // Rendering and navigation only (issue 20, item 7): survey-core's validate() never reads them.
  "autoFocusFirstQuestion",
  "autoFocusFirstError",
  "questionTitleTemplate",
  "questionStartIndex",
  "progressBarShowNavigationText",
  "progressBarShowPageTitles",
  "progressBarShowPageNumbers",
  "progressBarInheritWidthFrom",
  "completedHtmlOnCondition",
  "navigateToUrlOnCondition",
  "showBrandInfo",
  "fitToContainer",
  "backgroundImage",
  "backgroundOpacity",
  "showCompleteButton",
  "autoAdvanceAllowComplete",
  "allowResizeComment",
  "autoGrowComment",
  "commentAreaRows",
  "lazyRenderingEnabled",
  "previewMode",
  // Triggers run when a respondent changes an answer or pages, never while a response is loaded.
  "triggers",
  // Timers run in the browser only.
  "timeLimit",
  "timeLimitPerPage",
  "maxTimeToFinish",
  "maxTimeToFinishPage",
  "showTimerPanelMode",
  "timerLocation",
  "timerInfoMode",
  // The start page is left out of validate() like a hidden page (see compileSurvey).
  "firstPageIsStartPage",
  "firstPageIsStarted",
];

/** A page's or panel's own required check ("answer at least one question"), as survey-core's validateRequired. */
const CONTAINER_REQUIRED_KEYS = ["isRequired", "requiredIf", "requiredErrorText"];

const PAGE_KEYS = [
  ...CONTAINER_REQUIRED_KEYS,
  "timeLimit",
  "maxTimeToFinish",
  "name",
  "title",
  "description",
  "elements",
  "questions",
  "visible",
  "visibleIf",
  "enableIf",
  "readOnly",
  "navigationTitle",
  "navigationDescription",
  "questionTitleLocation",
  "maxWidth",
  "questionsOrder",
];
const PANEL_KEYS = [
  ...CONTAINER_REQUIRED_KEYS,
  "type",
  "name",
  "title",
  "description",
  "elements",
  "visible",
  "visibleIf",
  "enableIf",
  "readOnly",
  "state",
  "startWithNewLine",
  "indent",
  "width",
  "minWidth",
  "maxWidth",
  "questionStartIndex",
  "showNumber",
  "showQuestionNumbers",
  "innerIndent",
  "questionTitleLocation",
  "titleLocation",
  "showPanelBorder",
];

/** A required page or panel: at least one of its visible questions must be answered. */
export interface ContainerCheck {
  name: string;
  state: ContainerState;
  required: (values: Values) => boolean;
  questions: CompiledQuestion[];
  message: string;
}

/** Visibility and editability of a page or panel, combined with its parent's. */
interface ContainerState {
  visible: (values: Values) => boolean;
  readOnly: (values: Values) => boolean;
}

/** A condition-driven flag: the condition's result when set, else the static value. */
function flag(condition: Condition | undefined, staticValue: boolean): (values: Values) => boolean {
  return condition ?? (() => staticValue);
}

function combine(
  parent: ContainerState,
  visible: (v: Values) => boolean,
  readOnly: (v: Values) => boolean,
): ContainerState {
  return {
    visible: (values) => parent.visible(values) && visible(values),
    readOnly: (values) => parent.readOnly(values) || readOnly(values),
  };
}

class FormCompiler {
  readonly questions: CompiledQuestion[] = [];
  readonly containers: ContainerCheck[] = [];
  private readonly env: CompileEnv;
  private readonly byLowerName = new Map<string, Question>();
  /** Every `name`/`valueName` in the schema at any depth, lower case: a variable naming one is not free. */
  private readonly schemaNames = new Set<string>();
  /** Variables no element defines (set by page code in a browser, never on the server): always empty here. */
  readonly freeVariables = new Set<string>();

  constructor(
    private readonly model: SurveyModel,
    locale: string,
    texts: OwnTexts,
    schema: JsonObject,
  ) {
    collectNames(schema, this.schemaNames);
    for (const q of model.getAllQuestions(false, false, false)) {
      // Elements without an answer share no data key with anything.
      if (NO_ANSWER_TYPES.has(q.getType())) continue;
      const key = q.name.toLowerCase();
      if (this.byLowerName.has(key)) throw new Unsupported("question names differing only in case");
      this.byLowerName.set(key, q);
    }
    this.env = { model, locale, texts, resolve: (variable) => this.resolve(variable, true) };
    // Inside panels and rows survey-core looks a name up in the panel or row first: no free variables there.
    this.nestedEnv = { ...this.env, resolve: (variable) => this.resolve(variable, false) };
  }

  private readonly nestedEnv: CompileEnv;

  /** Expression variables must name root questions whose data value expressions see unchanged. */
  private resolve(variable: string, allowFree: boolean): string {
    // Paths, indexes and unwrapped names mean something else to survey-core than a plain question name.
    if (/[.[\]{}]|-unwrapped$/i.test(variable)) throw new Unsupported(`expression variable {${variable}}`);
    const lower = variable.toLowerCase();
    const q = this.byLowerName.get(lower);
    if (
      !q &&
      !this.schemaNames.has(lower) &&
      !BUILT_IN_VARIABLES.has(lower) &&
      allowFree &&
      /^[\p{L}_$][\p{L}\p{N}_$]*$/u.test(variable)
    ) {
      // A response that sends such a key is left to the reference (survey-core's expressions would read it).
      this.freeVariables.add(lower);
      return variable;
    }
    if (!q || !SIMPLE_VALUE_TYPES.has(q.getType()))
      throw new Unsupported(`expression variable {${variable}}`);
    const s = q as unknown as { showOtherItem?: boolean; showCommentArea?: boolean };
    if (s.showOtherItem || s.showCommentArea)
      throw new Unsupported(`expression variable {${variable}} with "other"`);
    // survey-core may clear such an answer while loading the response; expressions would see that.
    if ((q as unknown as { choicesFromQuestion?: string }).choicesFromQuestion)
      throw new Unsupported(`expression variable {${variable}} with choicesFromQuestion`);
    return q.name;
  }

  compileSurvey(schema: JsonObject): void {
    assertKeys(schema, SURVEY_KEYS);
    if ([schema.pages, schema.elements, schema.questions].filter((v) => v !== undefined).length > 1)
      throw new Unsupported("more than one of pages, elements, questions");
    const root: ContainerState = { visible: () => true, readOnly: () => false };
    // survey-core validates visible pages other than the start page; its answers keep their limits, like hidden ones.
    const startPage = this.model.firstPageIsStarted ? this.model.pages[0] : undefined;
    const hidden: ContainerState = { visible: () => false, readOnly: () => false };
    const pages: unknown = schema.pages;
    if (Array.isArray(pages)) {
      if (pages.length !== this.model.pages.length) throw new Unsupported("pages");
      pages.forEach((pageJson: unknown, i) => {
        if (!isPlainObject(pageJson)) throw new Unsupported("page");
        for (const key of Object.keys(pageJson))
          if (!PAGE_KEYS.includes(key)) throw new Unsupported(`page property ${key}`);
        for (const key of ["visible", "readOnly"])
          if (pageJson[key] !== undefined && typeof pageJson[key] !== "boolean")
            throw new Unsupported(`page ${key}`);
        const page = this.model.pages[i];
        this.compileContainer(pageJson, page, page === startPage ? hidden : root);
      });
    } else if (schema.elements !== undefined || schema.questions !== undefined) {
      if (this.model.pages.length !== 1) throw new Unsupported("root elements");
      const page = this.model.pages[0];
      this.compileElements(schema.elements ?? schema.questions, page, page === startPage ? hidden : root);
    }
    if (this.questions.length !== this.model.getAllQuestions(false, false, false).length)
      throw new Unsupported("questions outside the compiled structure");
  }

  private compileContainer(json: JsonObject, container: PanelModelBase, parent: ContainerState): void {
    const visible = flag(compileCondition(json.visibleIf, this.env.resolve), json.visible !== false);
    const enabled = compileCondition(json.enableIf, this.env.resolve);
    const staticReadOnly = json.readOnly === true;
    const readOnly = enabled ? (values: Values) => !enabled(values) : () => staticReadOnly;
    if (json.elements !== undefined && json.questions !== undefined)
      throw new Unsupported("elements and questions");
    const state = combine(parent, visible, readOnly);
    const first = this.questions.length;
    this.compileElements(json.elements ?? json.questions, container, state);
    const requiredIf = compileCondition(json.requiredIf, this.env.resolve);
    if (requiredIf || json.isRequired === true)
      this.containers.push({
        name: container.name,
        state,
        required: requiredIf ?? (() => true),
        questions: this.questions.slice(first),
        message: new OneAnswerRequiredError(container.requiredErrorText, container).getText(),
      });
  }

  private compileElements(list: unknown, container: PanelModelBase, state: ContainerState): void {
    if (list === undefined) return;
    if (!Array.isArray(list) || list.length !== container.elements.length) throw new Unsupported("elements");
    list.forEach((json: unknown, i) => {
      const element = container.elements[i];
      // Panels and html elements may be unnamed: survey-core then names the panel itself.
      if (!isPlainObject(json) || (json.name !== undefined && element.name !== json.name))
        throw new Unsupported("element");
      if (
        json.name === undefined &&
        !(element instanceof PanelModel) &&
        !NO_ANSWER_TYPES.has(String(json.type))
      )
        throw new Unsupported("element without a name");
      if (element instanceof PanelModel && json.type === "panel") {
        assertKeys(json, PANEL_KEYS);
        this.compileContainer(json, element, state);
      } else if (element instanceof Question) {
        this.compileQuestion(json, element, state);
      } else {
        throw new Unsupported(`element type ${String(json.type)}`);
      }
    });
  }

  private compileQuestion(json: JsonObject, q: Question, parent: ContainerState): void {
    if (q.getValueName() !== q.name || json.valueName !== undefined) throw new Unsupported("valueName");
    const noAnswer = NO_ANSWER_TYPES.has(q.getType());
    if ((!q.name && !noAnswer) || q.name.endsWith("-Comment") || q.name === "__proto__")
      throw new Unsupported("question name");
    const own = questionFlags(json, q, this.env.resolve);
    this.questions.push({
      name: q.name,
      check: this.checkerFor(withoutRootDefault(json, q), q),
      visible: (values) => parent.visible(values) && own.visible(values),
      readOnly: (values) => parent.readOnly(values) || own.readOnly(values),
      required: own.required,
    });
  }

  private checkerFor(json: JsonObject, q: Question): Checker {
    const env = ["matrix", "matrixdynamic", "matrixdropdown", "paneldynamic", "multipletext"].includes(
      q.getType(),
    )
      ? this.nestedEnv
      : this.env;
    const type = q.getType();
    if (type === "radiogroup" || type === "dropdown") {
      if (json.choicesFromQuestion !== undefined) return compileChoicesFromQuestion(json, q, env);
      // Root questions only: "other" answers in panels and matrix cells were not compared with survey-core.
      return compileSingleChoice(json, q, env, ["storeOthersAsComment"]);
    }
    const plain = compilePlainQuestion(json, q, env);
    if (plain) return plain;
    switch (type) {
      case "matrix":
        return compileMatrix(json, q, env);
      case "matrixdynamic":
        return compileMatrixDynamic(json, q, env);
      case "paneldynamic":
        return compilePanelDynamic(json, q, env);
      case "matrixdropdown":
        return compileMatrixDropdown(json, q, env);
      case "multipletext":
        return compileMultipleText(json, q, env);
      case "file":
        return compileFile(json, q, env);
      case "signaturepad":
        return compileSignature(json, q);
      case "slider":
        return compileSlider(json, q, env);
      case "html":
        return compileNoValue(json, ["html"]);
      case "expression":
        // Its value is computed by survey-core; conditions cannot reference it (see resolve).
        return compileNoValue(json, [
          "expression",
          "displayStyle",
          "currency",
          "precision",
          "format",
          "maximumFractionDigits",
          "minimumFractionDigits",
          "useGrouping",
        ]);
      case "image":
        return compileNoValue(json, [
          "imageLink",
          "imageHeight",
          "imageWidth",
          "contentMode",
          "imageFit",
          "altText",
        ]);
      default:
        throw new Unsupported(`question type ${q.getType()}`);
    }
  }
}

/** Variables survey-core computes itself (getBuiltInVariableValue) or reads from the locale. */
const BUILT_IN_VARIABLES = new Set([
  "pageno",
  "pagecount",
  "correctedanswers",
  "correctanswers",
  "correctedanswercount",
  "incorrectedanswers",
  "incorrectanswers",
  "incorrectedanswercount",
  "questioncount",
  "locale",
]);

/** Lower-case values of every `name` and `valueName` in the schema JSON, at any depth. */
function collectNames(node: unknown, out: Set<string>): void {
  if (Array.isArray(node)) for (const item of node) collectNames(item, out);
  else if (isPlainObject(node))
    for (const [key, value] of Object.entries(node)) {
      if ((key === "name" || key === "valueName") && typeof value === "string") out.add(value.toLowerCase());
      else collectNames(value, out);
    }
}

/** Question types whose default creates rows or panels of their own: their defaults are not ignored here. */
const DEFAULT_SHAPES_ROWS = new Set([
  "paneldynamic",
  "matrixdynamic",
  "matrixdropdown",
  "multipletext",
  "matrix",
]);

/**
 * survey-core applies a root question's `defaultValue` while loading the form, and the reference
 * then assigns the response to `data`, which starts from an empty value hash: the default is gone.
 */
function withoutRootDefault(json: JsonObject, q: Question): JsonObject {
  if (json.defaultValue === undefined || DEFAULT_SHAPES_ROWS.has(q.getType())) return json;
  const { defaultValue: _ignored, ...rest } = json;
  return rest;
}

/** html and image elements hold no answer; survey-core runs them without a name. */
const NO_ANSWER_TYPES = new Set(["html", "image"]);

function isUnnamedNoAnswer(error: JsonError): boolean {
  const at: unknown = error.jsonObj;
  const property = (error as JsonError & { propertyName?: string }).propertyName;
  return (
    error.type === "requiredproperty" &&
    property === "name" &&
    isPlainObject(at) &&
    NO_ANSWER_TYPES.has(String(at.type))
  );
}

/** survey-core's emptiness where it is plain; `undefined` for values whose emptiness depends on the question (spaces, rows, objects). */
function isAnswered(value: unknown): boolean | undefined {
  if (value === undefined || value === null || value === "") return false;
  if (typeof value === "string") return value.trim() ? true : undefined;
  if (typeof value === "number" || typeof value === "boolean") return true;
  if (
    Array.isArray(value) &&
    value.length > 0 &&
    value.every((v) => typeof v === "string" || typeof v === "number")
  )
    return true;
  return undefined;
}

/** Adds a container's OneAnswerRequiredError like survey-core's validateRequired; false to defer. */
function checkContainer(c: ContainerCheck, data: JsonObject, values: Values, out: Out): boolean {
  if (!c.state.visible(values) || c.state.readOnly(values) || !c.required(values)) return true;
  let anyVisible = false;
  for (const q of c.questions) {
    if (!q.visible(values)) continue;
    anyVisible = true;
    const answered = isAnswered(data[q.name]);
    if (answered === undefined) return false;
    if (answered) return true;
  }
  if (anyVisible) out.core.push({ name: c.name, message: c.message });
  return true;
}

/** Builds the per-response function from the compiled questions. */
function makeValidator(
  questions: CompiledQuestion[],
  containers: ContainerCheck[],
  freeVariables: Set<string>,
  texts: OwnTexts,
): CompiledValidator {
  const names = new Set(questions.map((q) => q.name));
  const lowerNames = new Set(questions.map((q) => q.name.toLowerCase()));
  return (data) => {
    if (!isPlainObject(data)) return undefined;
    // A fresh object per response: compiled expressions remember their result per values object.
    const values: Values = { ...data };
    const out: Out = { core: [], removed: [], limits: [], values };
    const unknown: FieldError[] = [];
    for (const key of Object.keys(data)) {
      // Not JSON: the reference reports it with its own message.
      if (data[key] === undefined) return undefined;
      if (names.has(key)) continue;
      if (freeVariables.has(key.toLowerCase())) return undefined;
      // Comment and totals keys, case variants and __proto__ are left to the reference.
      if (lowerNames.has(key.toLowerCase()) || key.includes("-") || key === "__proto__") return undefined;
      unknown.push({ name: key, message: texts.unknownField });
    }
    for (const q of questions) {
      const active = q.visible(values) && !q.readOnly(values);
      const state = { active, required: active && q.required(values) };
      if (!q.check(data[q.name], q.name, state, out)) return undefined;
    }
    for (const c of containers) if (!checkContainer(c, data, values, out)) return undefined;
    const errors = dedupe([...out.core, ...unknown, ...out.removed, ...out.limits]);
    return errors.length ? { ok: false, errors } : { ok: true };
  };
}

/**
 * Compiles one published form version. Builds one survey-core model of the form to read its static
 * facts (choices, scales, error texts); no model is built per response.
 *
 * @param schema The published SurveyJS JSON (already checked by findSchemaProblems).
 * @param texts The reference's own messages in `locale`.
 */
export function compileResponseValidator(schema: unknown, locale: string, texts: OwnTexts): CompileOutcome {
  if (!isPlainObject(schema)) return { ok: false, reason: "schema is not an object" };
  let model: SurveyModel | undefined;
  try {
    model = new Model(schema);
    model.locale = locale;
    // Unknown properties are ignored by survey-core (and refused by the key lists below where they matter).
    if (model.jsonErrors?.some((e) => e.type !== "unknownproperty" && !isUnnamedNoAnswer(e)))
      return { ok: false, reason: "schema has JSON errors" };
    if (model.isDisplayMode || model.calculatedValues.length)
      return { ok: false, reason: "survey mode or calculated values" };
    // An expression question sets its value while the response loads, and that change would run triggers.
    if (model.triggers.length && model.getAllQuestions().some((q) => q.getType() === "expression"))
      return { ok: false, reason: "triggers beside expression questions" };
    const compiler = new FormCompiler(model, locale, texts, schema);
    compiler.compileSurvey(schema);
    // The template model stays alive: validators and scales belong to it (only read, never changed).
    return {
      ok: true,
      validate: makeValidator(compiler.questions, compiler.containers, compiler.freeVariables, texts),
    };
  } catch (error) {
    model?.dispose();
    if (error instanceof Unsupported) return { ok: false, reason: error.message };
    return { ok: false, reason: `compiler error: ${(error as Error).message}` };
  }
}
