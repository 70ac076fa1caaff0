import { sql, type SQL } from "drizzle-orm";
import type { ActionStatus } from "../db/schema.ts";
import { localDate } from "../lib/time.ts";

/** Statuses in which the enterprise still owes a correction, so a passed deadline makes it overdue. */
const OWED = new Set<ActionStatus>(["open", "returned"]);

/**
 * An action is overdue from the local midnight that ends its deadline day in `timeZone`, while the
 * enterprise still owes the correction. Computed when read, so it can never drift from the deadline.
 */
export function isOverdue(
  action: { status: ActionStatus; deadline: string },
  now: number,
  timeZone: string,
): boolean {
  return OWED.has(action.status) && localDate(now, timeZone) > action.deadline;
}

/**
 * The same rule as `isOverdue`, as a condition on `corrective_actions` rows (alias `alias`), so a
 * dashboard count and its list of records page through exactly the actions `isOverdue` calls overdue.
 */
export function overdueCondition(alias: string, now: number, timeZone: string): SQL {
  const owed = sql.join(
    [...OWED].map((st) => sql`${st}`),
    sql`, `,
  );
  const a = sql.raw(alias);
  return sql`(${a}.status IN (${owed}) AND ${a}.deadline < ${localDate(now, timeZone)})`;
}

/** On time: on or before the deadline day in `timeZone`. */
export const onTime = (at: number, deadline: string, timeZone: string) => localDate(at, timeZone) <= deadline;

export const ACTION_STATUS_LABELS: Record<ActionStatus, string> = {
  open: "待整改",
  evidence_submitted: "已提交整改材料",
  accepted: "已验收",
  returned: "已退回",
  reinspection: "待复查",
  superseded: "复查不合格，已转新整改",
};
