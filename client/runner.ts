/**
 * The public runner, /f/:id. When the server sent the form's first questions as HTML
 * (src/pages/first-questions.ts), they are answerable at once: a fill in progress shows its answers,
 * and what is typed is kept in the tab's fill at each change, so nothing is lost if the page is
 * left before SurveyJS arrives. SurveyJS (runner/survey.ts, the large chunk, preloaded by the page)
 * is started only after the block has been drawn and left alone a moment: evaluating the chunk and
 * building the model are long tasks on a slow phone, and the block must take input before they run.
 */
import {
  changedInBlock,
  firstQuestionsBlock,
  readFirstAnswers,
  takeFirstAnswers,
  updateCounter,
  writeFirstAnswers,
} from "./lib/first-questions";
import { loadFill, newSubmissionId, saveFill, type FillState } from "./lib/fill-state";
import { pathSegment } from "./lib/dom";
import { addSkipLink } from "./lib/nav";

addSkipLink();

const formId = pathSegment(1);
const block = firstQuestionsBlock(formId);

function keepBlockAnswers(block: HTMLElement) {
  const version = Number(block.dataset.version);
  const stored = loadFill(formId);
  // A fill of an older version keeps its answers: runner/survey.ts keeps those this version asks.
  const fill: FillState =
    stored && stored.version === version
      ? stored
      : { id: newSubmissionId(), version, data: { ...stored?.data } };
  // What was typed before this script ran stays. Stored answers fill the other questions, over the
  // defaults the server drew, as SurveyJS puts a fill's data over its defaults: a reload must show
  // the answer the respondent chose instead of a question's default.
  const typed = changedInBlock(block);
  // A fill SurveyJS has held names every answer: a question it leaves out has none, even where the
  // server drew a default (the respondent cleared it).
  const names = fill.whole ? [...readFirstAnswers(block).keys()] : Object.keys(fill.data);
  writeFirstAnswers(
    block,
    Object.fromEntries(names.filter((name) => !typed.has(name)).map((name) => [name, fill.data[name]])),
  );
  const keep = () => {
    takeFirstAnswers(block, fill.data);
    saveFill(formId, fill);
  };
  keep();
  block.addEventListener("input", (event) => {
    const question = (event.target as Element).closest<HTMLElement>("[data-name]");
    if (question) updateCounter(question);
    keep();
  });
  block.addEventListener("change", keep);
}

/** How long the page stays free for the first questions before SurveyJS's long tasks begin. */
const QUIET_MS = 400;

/**
 * Resolves once the block has been drawn and then left alone for QUIET_MS: a tap or keystroke on
 * the first questions restarts the wait, so it is never held behind SurveyJS's long tasks (~0.5 s
 * each on a slow phone); SurveyJS comes in the first pause.
 */
function quietAfterDrawn(block: HTMLElement): Promise<void> {
  return new Promise((resolve) => {
    const events = ["pointerdown", "keydown", "input", "focusin"] as const;
    let timer = 0;
    const wait = () => {
      clearTimeout(timer);
      timer = window.setTimeout(done, QUIET_MS);
    };
    const done = () => {
      for (const name of events) block.removeEventListener(name, wait);
      resolve();
    };
    for (const name of events) block.addEventListener(name, wait);
    requestAnimationFrame(wait);
  });
}

/**
 * SurveyJS's stylesheet, preloaded by the page but applied only now: the first questions carry the
 * part of it they use (/build/first-questions.css), and its whole 300 kB would hold their first paint.
 */
function surveyStyles(): Promise<void> {
  const preload = document.querySelector<HTMLLinkElement>('link[rel="preload"][as="style"]');
  if (!preload) return Promise.resolve();
  const sheet = document.createElement("link");
  sheet.rel = "stylesheet";
  sheet.href = preload.href;
  return new Promise((resolve) => {
    // A stylesheet that fails still lets the form start, unstyled rather than not at all.
    sheet.addEventListener("load", () => resolve(), { once: true });
    sheet.addEventListener("error", () => resolve(), { once: true });
    document.head.append(sheet);
  });
}

async function main() {
  if (block) {
    keepBlockAnswers(block);
    await quietAfterDrawn(block);
  }
  const [{ startSurvey }] = await Promise.all([import("./runner/survey"), surveyStyles()]);
  startSurvey();
}

void main();
