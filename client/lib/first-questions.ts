/**
 * The first questions the server put in the page (src/pages/first-questions.ts), read and written
 * as answers. No SurveyJS here: this runs before its chunk arrives. Choice inputs carry their
 * choice's JSON as value, so an answer keeps the type the form gave it.
 */

/** The block, when the server rendered one for this form. */
export function firstQuestionsBlock(formId: string): HTMLElement | null {
  const block = document.getElementById("first-questions");
  return block && block.dataset.formId === formId ? block : null;
}

function questions(block: HTMLElement): HTMLElement[] {
  return Array.from(block.querySelectorAll<HTMLElement>("[data-name]"));
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** A question's answer as SurveyJS keeps it; undefined when it has none. */
function answerOf(question: HTMLElement): unknown {
  if (question.dataset.type === "radiogroup") {
    const checked = question.querySelector<HTMLInputElement>("input:checked");
    return checked ? parse(checked.value) : undefined;
  }
  if (question.dataset.type === "checkbox") {
    const values = Array.from(question.querySelectorAll<HTMLInputElement>("input:checked"), (i) =>
      parse(i.value),
    );
    return values.length > 0 ? values : undefined;
  }
  const input = question.querySelector<HTMLInputElement | HTMLTextAreaElement>("input, textarea");
  return input && input.value !== "" ? input.value : undefined;
}

/** Every question of the block by name, with its answer (undefined: none). */
export function readFirstAnswers(block: HTMLElement): Map<string, unknown> {
  return new Map(questions(block).map((q) => [q.dataset.name!, answerOf(q)]));
}

/** Puts the block's answers into `data`: an emptied question removes its answer. */
export function takeFirstAnswers(block: HTMLElement, data: Record<string, unknown>): Record<string, unknown> {
  for (const [name, value] of readFirstAnswers(block)) {
    if (value === undefined) delete data[name];
    else data[name] = value;
  }
  return data;
}

/**
 * The questions answered before this script ran: those whose controls no longer match the page's
 * HTML. A default the server drew is not an answer the respondent gave.
 */
export function changedInBlock(block: HTMLElement): Set<string> {
  const changed = new Set<string>();
  for (const question of questions(block)) {
    const controls = question.querySelectorAll<HTMLInputElement | HTMLTextAreaElement>("input, textarea");
    for (const control of controls) {
      const moved =
        control instanceof HTMLInputElement && (control.type === "radio" || control.type === "checkbox")
          ? control.checked !== control.defaultChecked
          : control.value !== control.defaultValue;
      if (moved) changed.add(question.dataset.name!);
    }
  }
  return changed;
}

/** Shows stored answers in the block (a reload of a fill in progress). */
export function writeFirstAnswers(block: HTMLElement, data: Record<string, unknown>): void {
  for (const question of questions(block)) {
    const name = question.dataset.name!;
    if (!(name in data)) continue;
    const value = data[name];
    if (question.dataset.type === "radiogroup" || question.dataset.type === "checkbox") {
      const chosen = new Set((Array.isArray(value) ? value : [value]).map((v) => JSON.stringify(v)));
      for (const input of question.querySelectorAll<HTMLInputElement>("input")) {
        input.checked = chosen.has(JSON.stringify(parse(input.value)));
      }
    } else {
      const input = question.querySelector<HTMLInputElement | HTMLTextAreaElement>("input, textarea");
      // No answer (a default the respondent cleared) empties the control the server drew.
      if (input && value === undefined) input.value = "";
      else if (input && (typeof value === "string" || typeof value === "number")) input.value = String(value);
    }
    updateCounter(question);
  }
}

/** SurveyJS's "n/max" under a text with a maximum length, in UTF-16 units as SurveyJS counts. */
export function updateCounter(question: HTMLElement): void {
  const input = question.querySelector<HTMLInputElement | HTMLTextAreaElement>("input, textarea");
  const counter = question.querySelector(".sd-remaining-character-counter");
  if (!input || !counter || input.maxLength <= 0) return;
  counter.textContent = `${input.value.length}/${input.maxLength}`;
}

/** Where the focus is in the block, to put it back in SurveyJS's copy of the same question. */
export interface FirstFocus {
  name: string;
  /** The focused control's place among its question's inputs. */
  index: number;
  selection: [number, number] | null;
}

export function focusInBlock(block: HTMLElement): FirstFocus | null {
  const active = document.activeElement;
  if (
    !(active instanceof HTMLInputElement || active instanceof HTMLTextAreaElement) ||
    !block.contains(active)
  )
    return null;
  const question = active.closest<HTMLElement>("[data-name]");
  if (!question) return null;
  const controls = Array.from(question.querySelectorAll("input, textarea"));
  let selection: [number, number] | null = null;
  try {
    if (active.selectionStart !== null && active.selectionEnd !== null)
      selection = [active.selectionStart, active.selectionEnd];
  } catch {
    // Inputs such as date have no selection.
  }
  return { name: question.dataset.name!, index: controls.indexOf(active), selection };
}

export function restoreFocus(root: HTMLElement, focus: FirstFocus): void {
  const question = Array.from(root.querySelectorAll<HTMLElement>("[data-name]")).find(
    (q) => q.dataset.name === focus.name,
  );
  const control = question?.querySelectorAll<HTMLInputElement | HTMLTextAreaElement>("input, textarea")[
    focus.index
  ];
  if (!control) return;
  control.focus({ preventScroll: true });
  if (focus.selection) {
    try {
      control.setSelectionRange(...focus.selection);
    } catch {
      // Not a text control.
    }
  }
}
