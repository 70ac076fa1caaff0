import { checklistSummary } from "../checklists/summary.ts";
import type { Db } from "../db/client.ts";
import { and, eq, isNotNull } from "drizzle-orm";
import { firstViolationLabel } from "../actions/first-violation.ts";
import { correctiveActions } from "../db/schema.ts";

/** 首违 labels of the inspection's eligible failed points, by item code and point title. */
async function firstViolationLabels(db: Db, inspectionId: string): Promise<Map<string, string>> {
  const rows = await db
    .select()
    .from(correctiveActions)
    .where(
      and(
        eq(correctiveActions.foundInInspectionId, inspectionId),
        isNotNull(correctiveActions.firstViolation),
      ),
    );
  const labels = new Map<string, string>();
  for (const r of rows) {
    // A failed 复查 hands the finding on: the chain's last action tells how it ended.
    let last = r;
    for (let next = await successor(db, r.id); next; next = await successor(db, next.id)) last = next;
    const label = firstViolationLabel(last.firstViolation, last.status, last.correctedOnTime);
    if (label) labels.set(`${r.itemCode}\u0000${r.pointTitle}`, label);
  }
  return labels;
}

async function successor(db: Db, actionId: string) {
  const [row] = await db
    .select()
    .from(correctiveActions)
    .where(eq(correctiveActions.previousActionId, actionId))
    .limit(1);
  return row;
}

/** The registered checklist result as the enterprise's page shows it (事中登记, R7). */
export interface RegisteredResult {
  items: {
    code: string;
    name: string;
    legalBasis: string;
    result: "pass" | "fail" | "na" | "mixed";
    /** `firstViolation` (首违不罚 / 再次违反) only for a point marked eligible (issue 15). */
    failures: { point: string; requirement: string; deadline: string; firstViolation?: string }[];
  }[];
  submittedAt: string | null;
}

/** The registered result of an inspection, null until its checklist is submitted. */
export async function registeredResult(db: Db, inspectionId: string): Promise<RegisteredResult | null> {
  const summary = await checklistSummary(db, inspectionId);
  if (!summary) return null;
  const labels = await firstViolationLabels(db, inspectionId);
  return {
    submittedAt: summary.submittedAt,
    items: summary.items.map(({ code, name, legalBasis, result, failures }) => ({
      code,
      name,
      legalBasis,
      result,
      failures: failures.map(({ point, requirement, deadline }) => {
        const label = labels.get(`${code}\u0000${point}`);
        return { point, requirement, deadline, ...(label ? { firstViolation: label } : {}) };
      }),
    })),
  };
}
