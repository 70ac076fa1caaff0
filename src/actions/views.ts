import { z } from "@hono/zod-openapi";
import { asc, inArray } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { actionEvidence, ACTION_STATUSES } from "../db/schema.ts";
import { iso } from "../lib/router.ts";
import type { ActionRow } from "./access.ts";
import { firstViolationLabel } from "./first-violation.ts";
import { ACTION_STATUS_LABELS, isOverdue } from "./overdue.ts";

export const ActionView = z
  .object({
    id: z.string(),
    inspectionId: z.string(),
    foundInInspectionId: z.string(),
    departmentId: z.string(),
    itemCode: z.string(),
    pointTitle: z.string(),
    requirement: z.string(),
    deadline: z.string(),
    status: z.enum(ACTION_STATUSES),
    statusLabel: z.string(),
    /** Computed from the deadline at local midnight in the configured zone, never stored. */
    overdue: z.boolean(),
    late: z.boolean(),
    statement: z.string().nullable(),
    creditCommitment: z.boolean(),
    evidenceSubmittedAt: z.string().nullable(),
    returnReason: z.string().nullable(),
    verification: z.enum(["written", "reinspection"]).nullable(),
    acceptedAt: z.string().nullable(),
    correctedOnTime: z.boolean().nullable(),
    previousActionId: z.string().nullable(),
    reinspectionId: z.string().nullable(),
    firstViolation: z
      .object({
        kind: z.enum(["first", "repeat"]),
        label: z.string(),
        /** The rule's inputs: the look-back period and the earlier inspections looked at. */
        basis: z.record(z.string(), z.unknown()).nullable(),
      })
      .nullable(),
    evidence: z.array(
      z.object({
        id: z.string(),
        fileName: z.string(),
        contentType: z.string(),
        byteSize: z.number(),
        url: z.string(),
      }),
    ),
  })
  .openapi("CorrectiveAction");

export type ActionViewT = z.infer<typeof ActionView>;

/** Views of actions with their evidence; `evidenceUrl` says where this caller downloads a file. */
export async function actionViews(
  db: Db,
  rows: ActionRow[],
  now: number,
  timeZone: string,
  evidenceUrl: (actionId: string, evidenceId: string) => string,
): Promise<ActionViewT[]> {
  const files = rows.length
    ? await db
        .select({
          id: actionEvidence.id,
          actionId: actionEvidence.actionId,
          fileName: actionEvidence.fileName,
          contentType: actionEvidence.contentType,
          byteSize: actionEvidence.byteSize,
        })
        .from(actionEvidence)
        .where(
          inArray(
            actionEvidence.actionId,
            rows.map((r) => r.id),
          ),
        )
        .orderBy(asc(actionEvidence.createdAt))
    : [];
  return rows.map((r) => ({
    id: r.id,
    inspectionId: r.inspectionId,
    foundInInspectionId: r.foundInInspectionId,
    departmentId: r.departmentId,
    itemCode: r.itemCode,
    pointTitle: r.pointTitle,
    requirement: r.requirement,
    deadline: r.deadline,
    status: r.status,
    statusLabel: ACTION_STATUS_LABELS[r.status],
    overdue: isOverdue(r, now, timeZone),
    late: r.late,
    statement: r.statement,
    creditCommitment: r.creditCommitment,
    evidenceSubmittedAt: iso(r.evidenceSubmittedAt),
    returnReason: r.returnReason,
    verification: r.verification,
    acceptedAt: iso(r.acceptedAt),
    correctedOnTime: r.correctedOnTime,
    previousActionId: r.previousActionId,
    reinspectionId: r.reinspectionId,
    firstViolation: r.firstViolation
      ? {
          kind: r.firstViolation,
          label: firstViolationLabel(r.firstViolation, r.status, r.correctedOnTime)!,
          basis: r.firstViolationBasis
            ? (JSON.parse(r.firstViolationBasis) as Record<string, unknown>)
            : null,
        }
      : null,
    evidence: files
      .filter((f) => f.actionId === r.id)
      .map(({ actionId: _, ...f }) => ({ ...f, url: evidenceUrl(r.id, f.id) })),
  }));
}
