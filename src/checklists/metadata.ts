import { Serializer } from "survey-core";
import { registerCheckpointProperties } from "../../client/lib/checkpoint-type.ts";

/** The only answers a check point takes: 合格 / 不合格 / 不适用. */
export const POINT_CHOICES = [
  { value: "pass", text: "合格" },
  { value: "fail", text: "不合格" },
  { value: "na", text: "不适用" },
] as const;
export type PointResult = (typeof POINT_CHOICES)[number]["value"];

/** What a generated question is for, kept in the snapshot so results can be read back. */
export type QuestionRole = "checkpoint" | "requirement" | "deadline";

/** Custom SurveyJS properties of the generated checklist (pages carry the item, questions their role). */
export const PAGE_PROPS = {
  itemCode: "lianmaItemCode",
  itemName: "lianmaItemName",
  legalBasis: "lianmaLegalBasis",
  formId: "lianmaFormId",
  formVersion: "lianmaFormVersion",
} as const;
export const QUESTION_PROPS = {
  role: "lianmaRole",
  point: "lianmaPoint",
  /** Copied from the item form's `firstViolationEligible: true` (首违不罚, issue 15). */
  firstViolation: "lianmaFirstViolationEligible",
  /** On a 复查 checklist: the requirement the original finding set, shown with the point. */
  originalRequirement: "lianmaOriginalRequirement",
} as const;
/** The item form's own property (set in the designer) that marks a point eligible for 首违不罚. */
export const FIRST_VIOLATION_PROPERTY = "firstViolationEligible";

/** Names of the standard questions on the header and final pages. */
export const FIXED = {
  place: "inspection_place",
  start: "start_time",
  end: "end_time",
  rights: "rights_notified",
  photos: "photos",
  officerSignature: (n: number) => `officer_signature_${n}`,
  representative: "enterprise_representative",
  enterpriseSignature: "enterprise_signature",
} as const;

let registered = false;

/**
 * Registers the custom properties with survey-core's Serializer, so a model built from the snapshot
 * keeps them (toJSON, getPropertyValue). Hidden from the Creator's property grid.
 */
export function registerChecklistProperties(): void {
  if (registered) return;
  registered = true;
  registerCheckpointProperties();
  const add = (className: string, name: string) => {
    const bare = name.split(":")[0]!;
    if (!Serializer.findProperty(className, bare))
      Serializer.addProperty(className, { name, visible: false });
  };
  add("page", PAGE_PROPS.itemCode);
  add("page", PAGE_PROPS.itemName);
  add("page", PAGE_PROPS.legalBasis);
  add("page", PAGE_PROPS.formId);
  add("page", `${PAGE_PROPS.formVersion}:number`);
  add("question", QUESTION_PROPS.role);
  add("question", QUESTION_PROPS.point);
  add("question", `${QUESTION_PROPS.firstViolation}:boolean`);
  add("question", QUESTION_PROPS.originalRequirement);
}
