import { Model } from "survey-core";
import "survey-core/i18n/simplified-chinese";
import { fixSurveyStrings } from "./lib/zh-cn-overrides";
import { surveyLocalization } from "survey-core";
import { renderSurvey } from "survey-js-ui";
import { api, errorMessage } from "./lib/api";
import { byId, formatTime, pathSegment, showMessage } from "./lib/dom";
import { adminPage } from "./lib/layout";
import { localSchema, makeSurveySafe } from "./lib/survey-safety";
import type { ResponseDetail } from "./lib/types";

surveyLocalization.defaultLocale = "zh-cn";
fixSurveyStrings();

const formId = pathSegment(2);
const responseId = pathSegment(4);
const message = byId("message");
byId<HTMLAnchorElement>("crumb-responses").href = `/admin/forms/${encodeURIComponent(formId)}/responses`;

async function start() {
  await adminPage();
  const response = await api<ResponseDetail>(
    `/api/forms/${encodeURIComponent(formId)}/responses/${encodeURIComponent(responseId)}`,
  );
  byId("meta-id").textContent = response.id;
  byId("meta-version").textContent = `第${response.version}版`;
  byId("meta-time").textContent = formatTime(response.submittedAt);
  const survey = new Model(localSchema(response.schema));
  makeSurveySafe(survey);
  survey.mode = "display";
  survey.questionsOnPageMode = "singlePage";
  survey.showNavigationButtons = false;
  survey.showProgressBar = false;
  survey.data = response.data;
  renderSurvey(survey, byId("survey"));
}

start().catch((error) => showMessage(message, errorMessage(error)));
