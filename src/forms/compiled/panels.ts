/**
 * Dynamic panels (`paneldynamic`) of the compiled validator.
 *
 * The reference gives survey-core the whole array; survey-core builds one panel per item (or
 * `panelCount` empty panels when there is none), validates the questions of every panel when the
 * dynamic panel is visible and editable, and clearIncorrectValues(true) drops item keys that name
 * no template question. Errors are named `items[0].label`; of everything dropped under one
 * top-level key the reference names only the first loss in the data's order.
 *
 * Decided here: an absent, null or empty value, or an array of plain objects whose keys are
 * template question names or unknown names. Template questions are the simple kinds (text,
 * comment, choices, boolean, rating) whose conditions may read root questions, `{panel.x}` and
 * `{panelIndex}`. Comment keys, case variants and anything else are deferred; nested panels,
 * `templateVisibleIf` and defaults are refused. `keyName` is reproduced: in a validated dynamic
 * panel, a key answer loosely equal (`==`) to an earlier panel's gets survey-core's duplication error.
 */
import { Question, settings } from "survey-core";
import { SIMPLE_VALUE_TYPES, Unsupported } from "./conditions.ts";
import type { Values, VariableResolver } from "./conditions.ts";
import { DEFER, assertKeys, compilePlainQuestion, isBlank, questionFlags } from "./questions.ts";
import type { Checker, CompileEnv, CompiledQuestion, Out } from "./questions.ts";
import { isPlainObject } from "../validation-types.ts";
import type { FieldError, JsonObject } from "../validation-types.ts";

const PANEL_DYNAMIC_KEYS = [
  "templateElements",
  "templateTitle",
  "templateTabTitle",
  "tabTitlePlaceholder",
  "templateDescription",
  "noEntriesText",
  "allowAddPanel",
  "allowRemovePanel",
  "newPanelPosition",
  "panelCount",
  "minPanelCount",
  "maxPanelCount",
  "panelsState",
  "confirmDelete",
  "confirmDeleteText",
  "addPanelText",
  "panelAddText",
  "removePanelText",
  "panelRemoveText",
  "prevPanelText",
  "panelPrevText",
  "nextPanelText",
  "panelNextText",
  "showQuestionNumbers",
  "questionStartIndex",
  "renderMode",
  "displayMode",
  "showProgressBar",
  "progressBarLocation",
  "showRangeInProgress",
  "tabAlign",
  "templateQuestionTitleLocation",
  "templateQuestionTitleWidth",
  "templateErrorLocation",
  "removePanelButtonLocation",
  "panelRemoveButtonLocation",
  "keyName",
  "keyDuplicationError",
];

/** Keys of `{panel.x}` and `{panelIndex}` in a panel's values: own properties, so a response key spelt alike cannot leak in. */
const PANEL_KEY = "\u0000panel.";
const INDEX_KEY = "\u0000panelIndex";

interface PanelDynamicInternals {
  template: { questions: Question[]; elements: unknown[] };
  keyName: string;
  keyDuplicationError: string;
  panelCount: number;
}

/**
 * Inside a panel, `{panel.x}` is the panel's question x (case-insensitive, like survey-core's
 * context variables), `{panelIndex}` the panel's index and any other name a root question.
 */
function panelResolver(byLowerName: Map<string, Question>, root: VariableResolver): VariableResolver {
  const vars = settings.expressionVariables;
  const prefix = `${vars.panel.toLowerCase()}.`;
  return (variable) => {
    const lower = variable.toLowerCase();
    if (lower === vars.panelIndex.toLowerCase()) return INDEX_KEY;
    if (lower.startsWith(prefix)) {
      const q = byLowerName.get(lower.slice(prefix.length));
      if (!q || !SIMPLE_VALUE_TYPES.has(q.getType()))
        throw new Unsupported(`expression variable {${variable}}`);
      const s = q as unknown as { showOtherItem?: boolean; showCommentArea?: boolean };
      if (s.showOtherItem || s.showCommentArea)
        throw new Unsupported(`expression variable {${variable}} with "other"`);
      return PANEL_KEY + q.name;
    }
    return root(variable);
  };
}

function innerChecker(json: JsonObject, q: Question, env: CompileEnv): Checker {
  // A bound computed in a panel would differ between the live question and the template the reference's limits read.
  if (json.minValueExpression || json.maxValueExpression)
    throw new Unsupported("min/maxValueExpression in a dynamic panel");
  const checker = compilePlainQuestion(json, q, env);
  if (!checker) throw new Unsupported(`question type ${q.getType()} in a dynamic panel`);
  return checker;
}

function compileInner(json: unknown, q: Question, env: CompileEnv): CompiledQuestion {
  if (!isPlainObject(json) || json.name !== q.name) throw new Unsupported("template element");
  if (q.getValueName() !== q.name || json.valueName !== undefined) throw new Unsupported("valueName");
  if (!q.name || q.name.includes("-") || q.name === "__proto__") throw new Unsupported("question name");
  const own = questionFlags(json, q, env.resolve);
  return { name: q.name, check: innerChecker(json, q, env), ...own };
}

/** `paneldynamic`: an array of panel objects, each checked question by question. */
export function compilePanelDynamic(json: JsonObject, q: Question, env: CompileEnv): Checker {
  assertKeys(json, PANEL_DYNAMIC_KEYS);
  if (json.isRequired || json.requiredIf || json.validators !== undefined)
    throw new Unsupported("required or validated dynamic panel");
  const pd = q as unknown as PanelDynamicInternals;
  const template = pd.template;
  const list = json.templateElements;
  if (
    !Array.isArray(list) ||
    list.length !== template.elements.length ||
    template.questions.some((tq, i) => template.elements[i] !== tq)
  )
    throw new Unsupported("dynamic panel template elements");
  const byLowerName = new Map<string, Question>();
  for (const tq of template.questions) {
    if (!(tq instanceof Question)) throw new Unsupported("dynamic panel template element");
    const key = tq.name.toLowerCase();
    if (byLowerName.has(key)) throw new Unsupported("question names differing only in case");
    byLowerName.set(key, tq);
  }
  const inner: CompileEnv = { ...env, resolve: panelResolver(byLowerName, env.resolve) };
  const questions = template.questions.map((tq, i) => compileInner(list[i], tq, inner));
  const names = new Set(questions.map((iq) => iq.name));
  // Without a value survey-core shows panelCount (at least minPanelCount) empty panels; with one, a
  // panel per item, even below minPanelCount or above maxPanelCount (neither is checked on submit).
  const emptyPanels: JsonObject[] = Array.from({ length: pd.panelCount }, () => ({}));
  const invalidValue = env.texts.invalidValue;
  const panelKey = keyOf(pd, byLowerName);

  return (value, path, state, out) => {
    let panels: JsonObject[];
    if (value === undefined || value === null || (Array.isArray(value) && value.length === 0)) {
      panels = emptyPanels;
    } else {
      if (!Array.isArray(value)) return DEFER;
      for (const panel of value) {
        if (!isPlainObject(panel)) return DEFER;
        for (const key of Object.keys(panel)) {
          if (panel[key] === undefined || key === "__proto__") return DEFER;
          // Comment keys and case variants mean something to survey-core; leave them to it.
          if (!names.has(key) && (byLowerName.has(key.toLowerCase()) || key.includes("-"))) return DEFER;
        }
      }
      panels = value as JsonObject[];
    }
    if (panelKey && state.active) checkKeys(panels, path, panelKey, out);
    const lost = new Set<string>();
    for (let i = 0; i < panels.length; i++) {
      const panel = panels[i];
      const prefix = `${path}[${i}]`;
      const values = panelValues(out.values, panel, i, names);
      const removed: FieldError[] = [];
      const inside: Out = { core: out.core, removed, limits: out.limits, values };
      for (const iq of questions) {
        const active = state.active && iq.visible(values) && !iq.readOnly(values);
        const inner = { active, required: active && iq.required(values) };
        if (!iq.check(panel[iq.name], `${prefix}.${iq.name}`, inner, inside)) return DEFER;
      }
      for (const error of removed) lost.add(error.name);
      for (const key of Object.keys(panel)) if (!names.has(key)) lost.add(`${prefix}.${key}`);
    }
    if (lost.size) {
      const first = firstLost(panels, path, lost);
      if (first === undefined) return DEFER;
      out.removed.push({ name: first, message: invalidValue });
    }
    return true;
  };
}

interface PanelKey {
  name: string;
  message: string;
}

/** The `keyName` question, if it names one: a plain text or single choice, so its stored value is the answer as sent. */
function keyOf(pd: PanelDynamicInternals, byLowerName: Map<string, Question>): PanelKey | undefined {
  if (!pd.keyName) return undefined;
  const q = pd.template.questions.find((tq) => tq.getValueName() === pd.keyName);
  if (!q) return undefined;
  const type = q.getType();
  // A number input's range limit is skipped where survey-core reported an error; the key error would count.
  const plain =
    type === "text"
      ? (q as unknown as { inputType: string }).inputType !== "number"
      : ["comment", "radiogroup", "dropdown"].includes(type);
  if (!plain || byLowerName.get(q.name.toLowerCase()) !== q) throw new Unsupported(`keyName ${pd.keyName}`);
  return { name: q.name, message: pd.keyDuplicationError };
}

/** survey-core's isValueDuplicated: non-empty key answers compared with `==` to those of earlier panels. */
function checkKeys(panels: JsonObject[], path: string, key: PanelKey, out: Out): void {
  const seen: unknown[] = [];
  for (let i = 0; i < panels.length; i++) {
    const value = panels[i][key.name];
    if (isBlank(value) || (typeof value === "string" && value.trim() === "")) continue;
    if (seen.some((v) => v == value))
      out.core.push({ name: `${path}[${i}].${key.name}`, message: key.message });
    else seen.push(value);
  }
}

/** The values a panel's expressions see: the response's values plus this panel's answers and index. */
function panelValues(root: Values, panel: JsonObject, index: number, names: Set<string>): Values {
  const values = Object.create(root) as Values;
  for (const name of names) values[PANEL_KEY + name] = panel[name];
  values[INDEX_KEY] = index;
  return values;
}

/** The loss the reference names: the first in panel order, then in each panel's key order. */
function firstLost(panels: JsonObject[], path: string, lost: Set<string>): string | undefined {
  let found = 0;
  let first: string | undefined;
  for (let i = 0; i < panels.length; i++) {
    for (const key of Object.keys(panels[i])) {
      const name = `${path}[${i}].${key}`;
      if (!lost.has(name)) continue;
      found++;
      first ??= name;
    }
  }
  // A loss the walk cannot place (inside a value) is left to the reference.
  return found === lost.size ? first : undefined;
}
