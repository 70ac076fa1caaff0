// SurveyJS as one dynamically imported unit, for pages that show their facts first and need the
// survey only once the person starts answering (/i/:code). It lands in the shared SurveyJS chunk.
import { Model, surveyLocalization } from "survey-core";
import "survey-core/i18n/simplified-chinese";
import { renderSurvey } from "survey-js-ui";
import { registerLianmaProperties } from "./lianma-properties";
import { tappableRatings } from "./tappable-ratings";
import { fixSurveyStrings } from "./zh-cn-overrides";
import { localSchema, makeSurveySafe } from "./survey-safety";

surveyLocalization.defaultLocale = "zh-cn";
fixSurveyStrings();
registerLianmaProperties();

export { localSchema, makeSurveySafe, Model, renderSurvey, tappableRatings };
