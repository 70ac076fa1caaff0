/**
 * The first questions of a published form as HTML the browser can answer before SurveyJS arrives
 * (issue 17: on a slow phone the SurveyJS chunk and its model cost seconds before anything could be
 * answered). The markup carries SurveyJS's own classes, so its stylesheet draws it as SurveyJS will;
 * client/runner.ts hands what was typed here to the SurveyJS model and swaps this block for it.
 *
 * Invariant: only what SurveyJS would show identically, and only what cannot change while SurveyJS
 * is absent. The block is the longest run of the first page's questions that are plain (no
 * condition, no text placeholder, a type and properties listed below); it stops before the first
 * question that is not, or whose default answer it cannot show as SurveyJS keeps it, or whose data
 * key another question shares; a survey whose settings change the first page's look or order gets
 * no block at all. Answers typed here are checked like any others when the form is submitted.
 */
import {
  Model,
  type Question,
  type QuestionCommentModel,
  type QuestionSelectBase,
  type QuestionTextBase,
} from "survey-core";
import { withoutRemoteChoices } from "../forms/reference-validator.ts";
import { isPlainObject } from "../forms/validation-types.ts";
import { escapeHtml } from "../lib/html.ts";

/** At most this many questions: enough to start answering while the rest loads. */
const MAX_QUESTIONS = 12;

/** Survey settings that leave the first page's questions, their order and their look as plain. */
const SURVEY_KEYS = new Set([
  "title",
  "description",
  "pages",
  "locale",
  "showQuestionNumbers",
  "completedHtml",
  "completedHtmlOnCondition",
  "completedBeforeHtml",
  "loadingHtml",
  "checkErrorsMode",
  "textUpdateMode",
  "showCompletedPage",
  "navigateToUrl",
  "navigateToUrlOnCondition",
  "pageNextText",
  "pagePrevText",
  "completeText",
  "showPrevButton",
  "clearInvisibleValues",
]);
const PAGE_KEYS = new Set(["name", "title", "description", "elements", "navigationTitle"]);
const COMMON_KEYS = ["type", "name", "title", "description", "isRequired", "requiredErrorText", "validators"];
const QUESTION_KEYS: Record<string, Set<string>> = {
  text: new Set([...COMMON_KEYS, "inputType", "maxLength", "placeholder", "autocomplete", "defaultValue"]),
  comment: new Set([...COMMON_KEYS, "maxLength", "placeholder", "rows", "defaultValue"]),
  radiogroup: new Set([...COMMON_KEYS, "choices", "colCount", "defaultValue"]),
  checkbox: new Set([...COMMON_KEYS, "choices", "colCount", "defaultValue"]),
};
/** Text input types whose value SurveyJS keeps as the input's own string. */
const INPUT_TYPES = new Set(["text", "tel", "email", "url", "date"]);

type Json = Record<string, unknown>;

/** A plain text: a string with no `{placeholder}` that SurveyJS would fill in. */
const plainText = (value: unknown) =>
  value === undefined || (typeof value === "string" && !value.includes("{"));

function plainChoices(choices: unknown): boolean {
  if (!Array.isArray(choices) || choices.length === 0 || choices.length > 50) return false;
  return choices.every((item) => {
    if (typeof item === "string") return !item.includes("{");
    if (typeof item === "number") return true;
    if (!isPlainObject(item)) return false;
    if (Object.keys(item).some((k) => k !== "value" && k !== "text")) return false;
    // Without a text SurveyJS shows the value, with its placeholders filled in.
    if (item.text === undefined && typeof item.value === "string" && item.value.includes("{")) return false;
    return (typeof item.value === "string" || typeof item.value === "number") && plainText(item.text);
  });
}

function plainQuestion(element: unknown): boolean {
  if (!isPlainObject(element) || typeof element.type !== "string" || typeof element.name !== "string")
    return false;
  const keys = QUESTION_KEYS[element.type];
  if (!keys || Object.keys(element).some((k) => !keys.has(k))) return false;
  if (!plainText(element.title) || !plainText(element.description) || !plainText(element.placeholder))
    return false;
  if (
    element.type === "text" &&
    element.inputType !== undefined &&
    !INPUT_TYPES.has(String(element.inputType))
  )
    return false;
  if (element.colCount !== undefined && element.colCount !== 1) return false;
  if (element.type === "radiogroup" || element.type === "checkbox") return plainChoices(element.choices);
  return true;
}

/** The first page's leading plain questions, or null when the survey's settings rule the block out. */
function plainLead(schema: Json): Json[] | null {
  if (Object.keys(schema).some((k) => !SURVEY_KEYS.has(k))) return null;
  if (!plainText(schema.title) || !plainText(schema.description)) return null;
  const pages = schema.pages;
  if (!Array.isArray(pages) || !isPlainObject(pages[0])) return null;
  const page = pages[0];
  if (Object.keys(page).some((k) => !PAGE_KEYS.has(k))) return null;
  if (!plainText(page.title) || !plainText(page.description) || !Array.isArray(page.elements)) return null;
  const lead: Json[] = [];
  for (const element of page.elements) {
    if (lead.length === MAX_QUESTIONS || !plainQuestion(element)) break;
    lead.push(element as Json);
  }
  return lead.length > 0 ? lead : null;
}

const viewer = (text: string, multiline = true) =>
  `<span class="sv-string-viewer${multiline ? " sv-string-viewer--multiline" : ""}">${escapeHtml(text)}</span>`;

function titleHtml(q: Question, id: string): string {
  const required = q.isRequired
    ? `<span>&nbsp;</span><span aria-hidden="true" class="sd-question__required-text">${escapeHtml(q.requiredText)}</span>`
    : "";
  const no = q.no
    ? `<span aria-hidden="true" class="sd-element__num" style="position: static">${escapeHtml(q.no)}</span><span>&nbsp;</span>`
    : "";
  const cls = `sd-title sd-element__title sd-question__title${q.isRequired ? " sd-question__title--required" : ""}`;
  const description = q.description
    ? `<div id="${id}-desc" class="sd-description sd-question__description">${viewer(q.description)}</div>`
    : "";
  return (
    `<div class="sd-question__header sd-element__header sd-question__header--location-top sd-element__header--location-top">` +
    `<div id="${id}-title" class="${cls}">${no}${viewer(q.processedTitle)}${required}</div>${description}</div>`
  );
}

function aria(q: Question, id: string): string {
  // survey-core keeps a non-boolean isRequired as the author wrote it (any text): never write it raw.
  return (
    `aria-required="${q.isRequired ? "true" : "false"}" aria-labelledby="${id}-title"` +
    (q.description ? ` aria-describedby="${id}-desc"` : "")
  );
}

function textHtml(q: Question, json: Json, id: string): string {
  const value = typeof q.value === "string" ? q.value : "";
  // survey-core's reading: "60" is 60, and a date has none. Counted in UTF-16 units, as SurveyJS and
  // the maxlength attribute count (a rare character such as 𠮷 is two).
  const max = Number((q as QuestionTextBase).getMaxLength());
  const maxLength = Number.isInteger(max) && max > 0 ? max : 0;
  const counter = maxLength
    ? `<div class="sd-remaining-character-counter">${value.length}/${maxLength}</div>`
    : "";
  const attrs =
    `id="${id}-input" ${aria(q, id)} placeholder="${escapeHtml(String(json.placeholder ?? ""))}"` +
    (maxLength ? ` maxlength="${maxLength}"` : "");
  if (json.type === "comment") {
    const set = Number((q as QuestionCommentModel).rows);
    const rows = Number.isInteger(set) && set > 0 ? Math.min(set, 30) : 4;
    return (
      `<div role="presentation" class="sd-comment__content sd-question__content">` +
      // The parser drops one line break right after <textarea>: this one, never the answer's own.
      `<textarea ${attrs} rows="${rows}" cols="50" class="sd-input sd-comment" style="resize: both">\n${escapeHtml(value)}</textarea>${counter}</div>`
    );
  }
  const type = INPUT_TYPES.has(String(json.inputType)) ? String(json.inputType) : "text";
  const counterClass = maxLength ? " sd-text__character-counter sd-text__character-counter--big" : "";
  const extra =
    (type === "date" ? ` max="2999-12-31"` : "") +
    (typeof json.autocomplete === "string" ? ` autocomplete="${escapeHtml(json.autocomplete)}"` : "");
  return (
    `<div role="presentation" class="sd-text__content sd-question__content">` +
    `<input type="${type}" ${attrs}${extra} value="${escapeHtml(value)}" class="sd-input sd-text${counterClass}" />${counter}</div>`
  );
}

/** SurveyJS's check mark, once per block; each checkbox uses it as SurveyJS's own do. */
const CHECK_SYMBOL =
  '<svg style="display: none"><symbol id="lm-icon-check" viewBox="0 0 16 16"><path d="M14.0275 5.0275L6.5275 12.5275C6.3775 12.6775 6.1875 12.7475 5.9975 12.7475C5.8075 12.7475 5.6175 12.6775 5.4675 12.5275L2.4675 9.5275C2.1775 9.2375 2.1775 8.7575 2.4675 8.4675C2.7575 8.1775 3.2375 8.1775 3.5275 8.4675L5.9975 10.9375L12.9675 3.9675C13.2575 3.6775 13.7375 3.6775 14.0275 3.9675C14.3175 4.2575 14.3175 4.7375 14.0275 5.0275Z"></path></symbol></svg>';
const CHECK_ICON = '<svg class="sd-item__svg sd-checkbox__svg"><use href="#lm-icon-check"></use></svg>';

function choicesHtml(q: Question, json: Json, id: string): string {
  const kind = json.type === "checkbox" ? "checkbox" : "radio";
  const chosen = (Array.isArray(q.value) ? q.value : [q.value]).map((v) => JSON.stringify(v));
  // survey-core's own reading of the choices: "1|满意" is the value "1" with the text 满意, and an
  // empty text shows the value. The answer typed here must be one of SurveyJS's values.
  const items = (q as QuestionSelectBase).choices.map((item, i) => {
    const value: unknown = item.value;
    const text = item.text;
    const checked = chosen.includes(JSON.stringify(value));
    // The value is the choice's JSON, so a number answer stays a number (client/lib/first-questions.ts).
    return (
      `<div role="presentation" class="sd-item sd-${kind} sd-selectbase__item sv-q-col-1 sd-item--allowhover sd-${kind}--allowhover">` +
      `<label class="sd-selectbase__label"><input type="${kind}" name="${id}" id="${id}-${i}" value="${escapeHtml(JSON.stringify(value))}"` +
      `${checked ? " checked" : ""} class="sd-visuallyhidden sd-item__control sd-${kind}__control" />` +
      `<span class="sd-item__decorator sd-${kind}__decorator">${kind === "checkbox" ? CHECK_ICON : ""}</span>` +
      `<span class="sd-item__control-label">${viewer(text, false)}</span></label></div>`
    );
  });
  const role =
    kind === "radio" ? `role="radiogroup" ${aria(q, id)}` : `role="group" aria-labelledby="${id}-title"`;
  return (
    `<div role="presentation" class="sd-element__content sd-question__content">` +
    `<fieldset ${role} class="sd-selectbase">${items.join("")}</fieldset></div>`
  );
}

function questionHtml(q: Question, json: Json, index: number): string {
  const id = `lm-q${index + 1}`;
  const small = json.type === "text" || json.type === "comment" ? " sd-row__question--small" : "";
  const body =
    json.type === "text" || json.type === "comment" ? textHtml(q, json, id) : choicesHtml(q, json, id);
  return (
    `<div class="sd-row sd-clearfix sd-page__row"><div class="lm-first__cell">` +
    `<div data-name="${escapeHtml(q.name)}" data-type="${json.type}" class="sd-element--with-frame sd-element sd-question sd-row__question sd-question--title-top${small}">` +
    `${titleHtml(q, id)}${body}</div></div></div>`
  );
}

/**
 * The block for a form's schema, or null when its first question is not plain. Builds a survey-core
 * model once (the caller keeps the result per published version) for what SurveyJS computes:
 * numbers, required marks, default values, titles falling back to names.
 */
export function firstQuestionsHtml(schemaJson: string, formId: string, version: number): string | null {
  let schema: unknown;
  try {
    schema = JSON.parse(schemaJson);
  } catch {
    return null;
  }
  if (!isPlainObject(schema)) return null;
  const lead = plainLead(schema);
  if (!lead) return null;
  // Other pages may load choices from a URL: a model built here must never send that request.
  return withoutRemoteChoices(() => render(new Model(schema), lead, formId, version));
}

/** A date input keeps only a real calendar day; anything else it empties. */
const isDate = (text: string) =>
  /^\d{4}-\d{2}-\d{2}$/.test(text) &&
  !Number.isNaN(Date.parse(`${text}T00:00:00Z`)) &&
  new Date(`${text}T00:00:00Z`).toISOString().startsWith(text);

/**
 * Whether the block shows the question's default answer exactly as SurveyJS keeps it. The hand-over
 * writes the block's answer over SurveyJS's, so a default the block cannot show (a number for a
 * text, a value no choice has, what an input strips) would be lost or changed.
 */
function showsDefault(q: Question, json: Json): boolean {
  if (q.isEmpty()) return true;
  const value: unknown = q.value;
  if (json.type === "comment") return typeof value === "string" && !value.includes("\r");
  if (json.type === "text") {
    // Inputs drop line breaks; email and url inputs trim; a date input keeps only a date.
    if (typeof value !== "string" || /[\r\n]/.test(value)) return false;
    if (json.inputType === "date") return isDate(value);
    return json.inputType !== "email" && json.inputType !== "url" ? true : value === value.trim();
  }
  const values = new Set((q as QuestionSelectBase).choices.map((item) => JSON.stringify(item.value)));
  const chosen = json.type === "checkbox" ? value : [value];
  return Array.isArray(chosen) && chosen.every((v) => values.has(JSON.stringify(v)));
}

function render(model: Model, all: Json[], formId: string, version: number): string | null {
  try {
    const page = model.visiblePages[0];
    if (!page || page !== model.pages[0]) return null;
    const found = all.map((json) => model.getQuestionByName(String(json.name)));
    if (found.some((q, i) => !q || !q.isVisible || page.elements[i] !== q)) return null;
    // A data key another question also holds (through its valueName) can get a
    // value the block never shows, which the hand-over would erase.
    const keys = new Map<string, number>();
    for (const q of model.getAllQuestions())
      keys.set(q.getValueName(), (keys.get(q.getValueName()) ?? 0) + 1);
    let count = 0;
    while (
      count < all.length &&
      keys.get(found[count]!.getValueName()) === 1 &&
      showsDefault(found[count]!, all[count]!)
    )
      count++;
    if (count === 0) return null;
    const lead = all.slice(0, count);
    const questions = found.slice(0, count);
    const header =
      model.title && model.showTitle
        ? `<div class="sd-title sd-container-modern__title"><div class="sd-header__text"><div class="sd-title">${viewer(model.title, false)}</div>` +
          (model.description ? `<div class="sd-description">${viewer(model.description)}</div>` : "") +
          `</div></div>`
        : "";
    const pageHeader =
      (page.title ? `<div class="sd-title sd-page__title">${viewer(page.title)}</div>` : "") +
      (page.description
        ? `<div class="sd-description sd-page__description">${viewer(page.description)}</div>`
        : "");
    const rows = questions.map((q, i) => questionHtml(q!, lead[i]!, i)).join("");
    return (
      `<div id="first-questions" class="sd-root-modern sd-root-modern--full-container lm-first" data-form-id="${escapeHtml(formId)}" data-version="${version}">` +
      (lead.some((q) => q.type === "checkbox") ? CHECK_SYMBOL : "") +
      `<div class="sd-root-modern__wrapper"><div class="sd-container-modern">${header}` +
      `<div class="sd-body sd-body--static"><div class="sd-page sd-body__page${pageHeader ? "" : " sd-page__empty-header"}">` +
      `${pageHeader}${rows}</div>` +
      `<p class="lm-first__rest" role="status">表单其余部分正在加载…</p>` +
      `</div></div></div></div>`
    );
  } finally {
    model.dispose();
  }
}
