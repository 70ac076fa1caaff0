import type { SurveyModel } from "survey-core";

/**
 * Rating questions as a row of buttons on every screen. SurveyJS's default (`displayMode: "auto"`)
 * folds a scale that does not fit into a 请选择 dropdown on a phone: two taps and a list instead of
 * one tap on the number. The buttons wrap onto a second row when needed (public/css/app.css).
 */
export function tappableRatings(survey: SurveyModel): void {
  for (const question of survey.getAllQuestions(true)) {
    if (question.getType() === "rating") question.setPropertyValue("displayMode", "buttons");
  }
}
