import { Serializer } from "survey-core";

/** Property-grid category of a check point's own settings in the designer. */
export const CHECKPOINT_CATEGORY = "检查要点";

/**
 * The "检查要点" question of a 检查表: a radiogroup marked `lianmaCheckpoint`, with the answers the
 * officer will have (合格 / 不合格 / 不适用, as src/checklists/metadata.ts POINT_CHOICES). Kept a
 * radiogroup in the JSON so every reader (validation, exports, checklist generation) already knows
 * it; the generated checklist carries its legal basis, points and 首违不罚 eligibility.
 */
export const CHECKPOINT_JSON = {
  type: "radiogroup",
  lianmaCheckpoint: true,
  title: "检查要点",
  description: "选择“不合格”时须填写整改要求和整改期限",
  colCount: 3,
  choices: [
    { value: "pass", text: "合格" },
    { value: "fail", text: "不合格" },
    { value: "na", text: "不适用" },
  ],
};

/** The JSON names of a check point's properties, read by the checklist generator (and 首违不罚). */
export const CHECKPOINT_PROPS = {
  marker: "lianmaCheckpoint",
  legalBasis: "legalBasis",
  points: "points",
  firstViolationEligible: "firstViolationEligible",
} as const;

/**
 * Registers the check point's properties on radiogroup questions (shown in the designer only on
 * questions made from the 检查要点 toolbox item). Shared by the server and the Creator; safe to call twice.
 */
export function registerCheckpointProperties(): void {
  if (Serializer.findProperty("radiogroup", CHECKPOINT_PROPS.marker)) return;
  const isCheckpoint = (obj: unknown) => !!(obj as Record<string, unknown> | null)?.[CHECKPOINT_PROPS.marker];
  Serializer.addProperty("radiogroup", {
    name: `${CHECKPOINT_PROPS.marker}:boolean`,
    displayName: "作为检查要点",
    category: CHECKPOINT_CATEGORY,
    default: false,
    visible: false,
  });
  Serializer.addProperty("radiogroup", {
    name: `${CHECKPOINT_PROPS.legalBasis}:text`,
    displayName: "检查依据（法律条款）",
    category: CHECKPOINT_CATEGORY,
    visibleIf: isCheckpoint,
  });
  Serializer.addProperty("radiogroup", {
    name: `${CHECKPOINT_PROPS.points}:number`,
    displayName: "分值",
    category: CHECKPOINT_CATEGORY,
    minValue: 0,
    visibleIf: isCheckpoint,
  });
  Serializer.addProperty("radiogroup", {
    name: `${CHECKPOINT_PROPS.firstViolationEligible}:boolean`,
    displayName: "适用首违不罚",
    category: CHECKPOINT_CATEGORY,
    default: false,
    visibleIf: isCheckpoint,
  });
}
