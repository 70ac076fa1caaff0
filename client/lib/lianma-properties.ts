import { Serializer } from "survey-core";
import { registerCheckpointProperties } from "./checkpoint-type.ts";

/** Property-grid category of the evaluation settings in the designer. */
export const EVALUATION_CATEGORY = "评价";

/**
 * Registers lianma's own SurveyJS properties, so they load, survive `toJSON()` and show in the
 * designer: `negative` on a choice (a negative answer raises an alert), `negativeValues` on rating and
 * boolean questions, and `lianmaScore` on the question that gives the overall satisfaction score.
 * Shared by the server (src/forms/negative.ts) and the Creator bundle; safe to call twice.
 */
export function registerLianmaProperties(): void {
  registerCheckpointProperties();
  if (Serializer.findProperty("itemvalue", "negative")) return;
  Serializer.addProperty("itemvalue", {
    name: "negative:boolean",
    displayName: "负面答案（触发告警）",
    category: EVALUATION_CATEGORY,
    default: false,
  });
  for (const type of ["rating", "boolean"]) {
    Serializer.addProperty(type, {
      name: "negativeValues:string[]",
      displayName: "负面答案的取值（触发告警）",
      category: EVALUATION_CATEGORY,
    });
  }
  Serializer.addProperty("question", {
    name: "lianmaScore:boolean",
    displayName: "作为总体满意度评分",
    category: EVALUATION_CATEGORY,
    default: false,
  });
}
