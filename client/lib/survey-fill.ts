import type { SurveyModel } from "survey-core";
import type { FillState } from "./fill-state";

/**
 * Puts a fill's answers into a new SurveyJS model, and makes the fill hold the model's whole data.
 *
 * A fill SurveyJS has held (`whole`) is every answer, defaults included: it replaces the model's
 * data, so a default the respondent cleared stays cleared. Any other fill (what the page's first
 * questions took before SurveyJS arrived, or an older version's answers) names only some
 * questions: it is merged, so every other question keeps its default. Replacing with it erased
 * every default past the first questions as soon as one of them was answered.
 */
export function fillSurvey(survey: SurveyModel, fill: FillState): void {
  if (Object.keys(fill.data).length > 0) {
    if (fill.whole) survey.data = fill.data;
    else survey.mergeData(fill.data);
  }
  fill.data = survey.data;
  fill.whole = true;
}
