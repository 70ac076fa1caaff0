/** 办结 and corrective actions (issue 15): what is still open, and what a dropped 复查 gives back. */
import { z } from "@hono/zod-openapi";
import { sql } from "drizzle-orm";
import type { Db } from "../db/client.ts";

export const CloseBody = z.object({
  note: z.string().trim().max(2000).optional(),
  /** With actions not yet accepted: the lead administrator's reason to close anyway (flagged). */
  openActionsReason: z.string().trim().min(1).max(2000).optional(),
});

/** Actions of this inspection (found in it, or its finding's chain) not settled: neither accepted nor superseded. */
const OPEN = (inspectionId: string) => sql`FROM corrective_actions
  WHERE (inspection_id = ${inspectionId} OR found_in_inspection_id = ${inspectionId})
    AND status NOT IN ('accepted', 'superseded')`;

export async function openActionCount(db: Db, inspectionId: string): Promise<number> {
  const [row] = await db.all<{ n: number }>(sql`SELECT count(*) AS n ${OPEN(inspectionId)}`);
  return Number(row?.n ?? 0);
}

/** A batch statement that aborts the batch when the inspection has unsettled actions. */
export const noOpenActions = (db: Db, inspectionId: string) =>
  db.run(
    sql`SELECT CASE WHEN (SELECT count(*) ${OPEN(inspectionId)}) = 0 THEN 1 ELSE json('open actions') END`,
  );

/** A refused or withdrawn 复查 gives its actions back to the enterprise (open again). */
export const releaseReinspectionActions = (db: Db, inspectionId: string) =>
  db.run(sql`UPDATE corrective_actions SET status = 'open', reinspection_id = NULL
    WHERE reinspection_id = ${inspectionId} AND status = 'reinspection'`);
