import { checklistSummary } from "../checklists/summary.ts";
import type { Db } from "../db/client.ts";

/** The registered checklist result as the enterprise's page shows it (事中登记, R7). */
export interface RegisteredResult {
  items: {
    code: string;
    name: string;
    legalBasis: string;
    result: "pass" | "fail" | "na" | "mixed";
    failures: { point: string; requirement: string; deadline: string }[];
  }[];
  submittedAt: string | null;
}

/** The registered result of an inspection, null until its checklist is submitted. */
export async function registeredResult(db: Db, inspectionId: string): Promise<RegisteredResult | null> {
  const summary = await checklistSummary(db, inspectionId);
  if (!summary) return null;
  return {
    submittedAt: summary.submittedAt,
    items: summary.items.map(({ code, name, legalBasis, result, failures }) => ({
      code,
      name,
      legalBasis,
      result,
      failures: failures.map(({ point, requirement, deadline }) => ({ point, requirement, deadline })),
    })),
  };
}
