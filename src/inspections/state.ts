import { and, eq } from "drizzle-orm";
import type { Context } from "hono";
import { auditInsert } from "../audit/audit.ts";
import { inspections, type InspectionStatus } from "../db/schema.ts";
import type { AppEnv } from "../env.ts";
import { ApiError } from "../lib/errors.ts";
import type { InspectionRow } from "./access.ts";
import { STATUS_LABELS } from "./labels.ts";

/** The inspection life cycle: 事前备案 → 审批 → 事中登记 → 事后评价 → 办结. */
export const TRANSITIONS: Record<InspectionStatus, InspectionStatus[]> = {
  draft: ["filed"],
  filed: ["approved", "refused", "cancelled"],
  approved: ["in_progress", "registered", "cancelled"],
  refused: [],
  in_progress: ["registered"],
  // The evaluation runs beside the life cycle (src/evaluations/window.ts); "evaluated" remains for
  // inspections evaluated before that, which close from there.
  registered: ["closed"],
  evaluated: ["closed"],
  closed: [],
  cancelled: [],
};

/** Throws 409 unless `from → to` is a step of the life cycle. */
export function assertTransition(from: InspectionStatus, to: InspectionStatus): void {
  if (!TRANSITIONS[from].includes(to)) {
    throw new ApiError(
      409,
      "invalid_state",
      `检查当前为「${STATUS_LABELS[from]}」，不能变为「${STATUS_LABELS[to]}」`,
    );
  }
}

/** The timestamp column each status stamps when entered. */
const STAMPS: Partial<Record<InspectionStatus, keyof InspectionRow>> = {
  approved: "decidedAt",
  refused: "decidedAt",
  in_progress: "startedAt",
  registered: "registeredAt",
  evaluated: "evaluatedAt",
  closed: "closedAt",
  cancelled: "cancelledAt",
};

/**
 * The statements for one transition, to run in a batch together with whatever else the step writes.
 * The update is conditional on the status it read (`WHERE status = from`), so of two concurrent
 * transitions only one changes the row; check `rowsAffected` of the first result when that matters.
 */
export function transitionStatements(
  c: Context<AppEnv>,
  row: InspectionRow,
  to: InspectionStatus,
  extra: Partial<InspectionRow> = {},
  detail: Record<string, unknown> = {},
) {
  assertTransition(row.status, to);
  const now = Date.now();
  const stamp = STAMPS[to];
  const set: Partial<InspectionRow> = {
    ...extra,
    status: to,
    updatedAt: now,
    ...(stamp ? { [stamp]: now } : {}),
  };
  return [
    c.var.db
      .update(inspections)
      .set(set)
      .where(and(eq(inspections.id, row.id), eq(inspections.status, row.status))),
    auditInsert(c, {
      action: `inspection.${to}`,
      targetType: "inspection",
      targetId: row.id,
      detail: { before: { status: row.status }, after: { status: to }, ...detail },
    }),
  ] as const;
}
