import type { InspectionStatus } from "../db/schema.ts";
import type { AppConfig } from "../env.ts";

/** What the evaluation window rule reads of an inspection. */
export interface EvaluationWindowRow {
  status: InspectionStatus;
  evaluatedAt: number | null;
}

/**
 * Whether the enterprise may evaluate the inspection now. Minimal rule until the evaluation window
 * of issue 13 lands (opens at arrival or planned start, closes EVALUATION_WINDOW_DAYS after
 * registration): open once registered and not yet evaluated.
 */
export function evaluationOpen(row: EvaluationWindowRow, _now: number, _config: AppConfig): boolean {
  return row.status === "registered" && row.evaluatedAt == null;
}
