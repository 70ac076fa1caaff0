/**
 * Single-choice questions whose choices come from another question (`choicesFromQuestion`).
 *
 * survey-core copies the source's choices — all of them, or only those the source's current answer
 * selects (`choicesFromQuestionMode: "selected"`) or leaves unselected (`"unselected"`) — so the
 * allowed values change with each response. A value outside them is cleared while the response is
 * loaded, before validate(): the reference then reports the question as unanswered (required,
 * validators on an empty value) *and* the removal.
 *
 * Compiled only with a root radiogroup/dropdown/checkbox/tagbox source with static choices and no
 * other/none/select-all items; the dependent question is a root radiogroup or dropdown without
 * special items of its own. Loose matches are deferred, as everywhere.
 */
import { Helpers, ItemValue } from "survey-core";
import type { Question } from "survey-core";
import { Unsupported } from "./conditions.ts";
import {
  DEFER,
  SELECT_KEYS,
  assertDistinctChoices,
  assertKeys,
  choiceSetOf,
  collectCore,
  compileValidators,
  isBlank,
  isBlankText,
  isEmptyContainer,
  isPrimitive,
  requiredMessage,
} from "./questions.ts";
import type { Checker, CompileEnv } from "./questions.ts";
import type { JsonObject } from "../validation-types.ts";

const SOURCE_TYPES = new Set(["radiogroup", "dropdown", "checkbox", "tagbox"]);
const MODES = new Set(["all", "selected", "unselected"]);

interface SpecialItems {
  showOtherItem?: boolean;
  showNoneItem?: boolean;
  showRefuseItem?: boolean;
  showDontKnowItem?: boolean;
  showSelectAllItem?: boolean;
  choicesFromQuestion?: string;
  choicesVisibleIf?: string;
  choicesEnableIf?: string;
  choicesByUrl?: { url?: string };
  hideIfChoicesEmpty?: boolean;
}

function hasSpecialItems(q: Question): boolean {
  const s = q as unknown as SpecialItems;
  return !!(
    s.showOtherItem ||
    s.showNoneItem ||
    s.showRefuseItem ||
    s.showDontKnowItem ||
    s.showSelectAllItem
  );
}

/** The source question, provided survey-core's copy of its choices is its static choice list. */
function sourceOf(name: unknown, q: Question, env: CompileEnv): Question {
  if (typeof name !== "string") throw new Unsupported("choicesFromQuestion");
  const source = env.model.getQuestionByName(name);
  if (!source || source === q || source.name !== name || !SOURCE_TYPES.has(source.getType()))
    throw new Unsupported(`choicesFromQuestion "${name}"`);
  const s = source as unknown as SpecialItems;
  if (
    hasSpecialItems(source) ||
    s.choicesFromQuestion ||
    s.choicesVisibleIf ||
    s.choicesEnableIf ||
    s.choicesByUrl?.url
  )
    throw new Unsupported(`choicesFromQuestion "${name}" with special or dynamic choices`);
  if (source.parentQuestion) throw new Unsupported(`choicesFromQuestion "${name}" inside a question`);
  return source;
}

/** `radiogroup`/`dropdown` with `choicesFromQuestion`: allowed values follow the source's answer. */
export function compileChoicesFromQuestion(json: JsonObject, q: Question, env: CompileEnv): Checker {
  assertKeys(json, [
    ...SELECT_KEYS.filter((k) => k !== "choices"),
    "placeholder",
    "autocomplete",
    "choicesFromQuestion",
    "choicesFromQuestionMode",
  ]);
  if (hasSpecialItems(q) || (q as unknown as SpecialItems).hideIfChoicesEmpty)
    throw new Unsupported(`choicesFromQuestion with special items "${q.name}"`);
  const mode = json.choicesFromQuestionMode ?? "all";
  if (typeof mode !== "string" || !MODES.has(mode)) throw new Unsupported("choicesFromQuestionMode");
  const source = sourceOf(json.choicesFromQuestion, q, env);
  const sourceSet = choiceSetOf(source);
  assertDistinctChoices(sourceSet);
  const items = sourceSet.items;
  // The source's checkbox compares answers with survey-core's default (case-insensitive) equality.
  for (let i = 0; i < items.length; i++)
    for (let j = i + 1; j < items.length; j++)
      if (Helpers.isTwoValueEquals(items[i].value, items[j].value))
        throw new Unsupported("source choices equal ignoring case");
  const special = choiceSetOf(q).special;
  if (
    items.some((item) => special.some((sv) => Helpers.isTwoValueEquals(sv, item.value, false, true, false)))
  )
    throw new Unsupported("source choice equal to an other/none value");
  const validators = compileValidators(json, q, env);
  const reqMessage = requiredMessage(q);
  const sourceName = source.name;

  /** The source's answer as the set of selected choice values, or `undefined` outside the exact domain. */
  const selectedOf = (answer: unknown): Set<unknown> | undefined => {
    if (answer === undefined || answer === null) return new Set();
    const list = Array.isArray(answer) ? answer : [answer];
    for (const v of list) if (!sourceSet.strict.has(v)) return undefined;
    return new Set(list);
  };

  return (value, path, state, out) => {
    const empty = isBlank(value);
    if (isEmptyContainer(value) || isBlankText(value)) return DEFER;
    let cleared = false;
    if (!empty) {
      if (!isPrimitive(value)) return DEFER;
      const selected = selectedOf(out.values[sourceName]);
      if (!selected) return DEFER;
      if (sourceSet.strict.has(value)) {
        cleared = mode !== "all" && selected.has(value) !== (mode === "selected");
      } else {
        // A loose match might be kept by survey-core (or be an other/none answer): its call.
        if (
          ItemValue.getItemByValue(items, value) ||
          special.some((sv) => Helpers.isTwoValueEquals(sv, value))
        )
          return DEFER;
        cleared = true;
      }
      if (cleared) {
        out.removed.push({ name: path, message: env.texts.invalidValue });
      }
    }
    if (state.active) {
      const seen = cleared ? undefined : value;
      collectCore(path, state.required && (empty || cleared) ? [reqMessage] : [], validators, seen, out);
    }
    return true;
  };
}
