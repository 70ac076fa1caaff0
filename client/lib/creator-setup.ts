import { Serializer } from "survey-core";
import { SurveyQuestionEditorDefinition } from "survey-creator-core";
import { registerLianmaProperties } from "./lianma-properties";

// Negative answers (alerts) and the satisfaction score are part of the form JSON: the designer must
// know the properties to show them under 评价 and to keep them when it saves. A choice's "negative"
// flag is edited in the choice's detail panel (the pencil beside it in the choices table).
registerLianmaProperties();
for (const key of ["itemvalue[]@choices", "choiceitem[]@choices"]) {
  const definition = SurveyQuestionEditorDefinition.definition[key];
  if (definition && !definition.properties?.includes("negative")) {
    definition.properties = [...(definition.properties ?? []), "negative"];
  }
}

// Properties whose features call servers other than ours: SurveyJS's cloud service (load the schema,
// post the results) and "choices from a web service". Hidden in the designer so nobody configures them.
const remoteProperties: Array<[string, string]> = [
  ["survey", "surveyId"],
  ["survey", "surveyPostId"],
  ["survey", "surveyShowDataSaving"],
  ["selectbase", "choicesByUrl"],
];

/** Hides the designer properties that would make forms call remote services. */
export function hideRemoteProperties(): void {
  for (const [className, name] of remoteProperties) {
    const property = Serializer.findProperty(className, name);
    if (property) property.visible = false;
  }
}

/** The form title stored in a survey schema (`title` may be a string or a localized object). */
export function schemaTitle(schema: Record<string, unknown>): string {
  const title = schema.title as unknown;
  if (typeof title === "string") return title.trim();
  if (title && typeof title === "object") {
    const texts = title as Record<string, unknown>;
    for (const key of ["default", "zh-cn", "en"]) {
      if (typeof texts[key] === "string" && (texts[key] as string).trim())
        return (texts[key] as string).trim();
    }
  }
  return "";
}
