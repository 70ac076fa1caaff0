import type { AppConfig } from "../env.ts";
import { evaluationState } from "../evaluations/window.ts";
import type { InspectionRow } from "../inspections/access.ts";

/**
 * What the portal says about an inspection's evaluation: received already, or open now (the
 * evaluation window rule of src/evaluations/window.ts decides; the portal never second-guesses it).
 */
export function enterpriseEvaluationState(
  row: InspectionRow,
  hasEvaluation: boolean,
  now: number,
  config: AppConfig,
): { evaluated: boolean; evaluationOpen: boolean } {
  const evaluated = hasEvaluation || row.status === "evaluated";
  const open = evaluationState(row, now, config.inspections.evaluationWindowDays).open;
  return { evaluated, evaluationOpen: !evaluated && open };
}
