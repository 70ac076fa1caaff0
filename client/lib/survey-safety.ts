import type { SurveyModel } from "survey-core";
import { sanitizeHtml } from "./sanitize";

// Properties that make SurveyJS talk to its cloud service (api.surveyjs.io): loading the schema and
// posting the answers there would leak respondents' data outside our server.
const cloudProperties = ["surveyId", "surveyPostId", "clientId"];

/** A copy of a stored schema without the properties that call SurveyJS's cloud service. */
export function localSchema(schema: unknown): Record<string, unknown> {
  const copy = { ...((schema ?? {}) as Record<string, unknown>) };
  for (const key of cloudProperties) delete copy[key];
  return copy;
}

/** Hooks a survey so user-written HTML is sanitized and only web links are followed on completion. */
export function makeSurveySafe(survey: SurveyModel): void {
  survey.onProcessHtml.add((_, options) => {
    options.html = sanitizeHtml(options.html);
  });
  survey.onNavigateToUrl.add((_, options) => {
    const url = (options.url ?? "").trim();
    if (url && !/^(https?:\/\/|\/(?![/\\]))/i.test(url)) options.allow = false;
  });
}
