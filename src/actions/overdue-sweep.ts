/**
 * action.overdue: once an action's deadline has passed (local midnight, configured zone) while the
 * enterprise still owes it, one outbox message tells an external reminder system. The overdue state
 * itself is never stored (overdue.ts); only that the message was written, so it is written once.
 */
import { and, inArray, isNull, lt } from "drizzle-orm";
import { sql } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { correctiveActions } from "../db/schema.ts";
import type { AppConfig } from "../env.ts";
import { newId } from "../lib/ids.ts";
import { localDate } from "../lib/time.ts";

export const ACTION_OVERDUE_TOPIC = "action.overdue";
const BATCH = 200;

export async function sweepOverdueActions(db: Db, config: AppConfig, now: number): Promise<number> {
  if (!config.inspections.webhookUrl) return 0;
  const today = localDate(now, config.timeZone);
  const due = await db
    .select()
    .from(correctiveActions)
    .where(
      and(
        inArray(correctiveActions.status, ["open", "returned"]),
        isNull(correctiveActions.overdueNotifiedAt),
        lt(correctiveActions.deadline, today),
      ),
    )
    .limit(BATCH);
  let told = 0;
  for (const a of due) {
    const payload = JSON.stringify({
      type: ACTION_OVERDUE_TOPIC,
      action: {
        id: a.id,
        inspectionId: a.inspectionId,
        departmentId: a.departmentId,
        enterpriseId: a.enterpriseId,
        deadline: a.deadline,
      },
    });
    const [mark] = await db.batch([
      db.run(sql`UPDATE corrective_actions SET overdue_notified_at = ${now}
        WHERE id = ${a.id} AND overdue_notified_at IS NULL AND status IN ('open','returned')`),
      // Only the sweep that marked it writes the message (two sweeps at once write one).
      db.run(sql`INSERT INTO outbox (id, topic, payload, attempts, next_attempt_at, created_at)
        SELECT ${newId()}, ${ACTION_OVERDUE_TOPIC}, ${payload}, 0, ${now}, ${now} WHERE changes() = 1`),
    ]);
    if (mark.rowsAffected === 1) told++;
  }
  return told;
}
