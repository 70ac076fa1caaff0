/**
 * The first questions in the page (src/pages/first-questions.ts) before SurveyJS arrives: a fill in
 * progress shows its answers, and what is typed is kept in the tab's fill at once, so nothing is
 * lost if the page is left or reloaded before the form's script has loaded. client/runner.ts takes
 * the answers over from the same fill and the block itself.
 */
import {
  firstQuestionsBlock,
  readFirstAnswers,
  updateCounter,
  writeFirstAnswers,
} from "./lib/first-questions";
import { loadFill, newSubmissionId, saveFill, type FillState } from "./lib/fill-state";

const formId = decodeURIComponent(location.pathname.split("/").filter(Boolean)[1] ?? "");
const block = firstQuestionsBlock(formId);

if (block) {
  const version = Number(block.dataset.version);
  const stored = loadFill(formId);
  // A fill of an older version keeps its answers: client/runner.ts keeps those this version still asks.
  const fill: FillState =
    stored && stored.version === version
      ? stored
      : { id: newSubmissionId(), version, data: { ...stored?.data } };
  // What was typed before this script ran stays; stored answers fill the questions left empty.
  const typed = readFirstAnswers(block);
  writeFirstAnswers(
    block,
    Object.fromEntries(Object.entries(fill.data).filter(([name]) => typed.get(name) === undefined)),
  );
  const keep = () => {
    for (const [name, value] of readFirstAnswers(block)) {
      if (value === undefined) delete fill.data[name];
      else fill.data[name] = value;
    }
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
