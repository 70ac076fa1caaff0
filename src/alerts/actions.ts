import { sql, type SQL } from "drizzle-orm";
import type { Context } from "hono";
import type { Db } from "../db/client.ts";
import type { AppEnv, SessionUser } from "../env.ts";
import { ApiError } from "../lib/errors.ts";
import { newId } from "../lib/ids.ts";

export type AlertAction =
  | { kind: "assigned"; assignee: { id: string; displayName: string } }
  | { kind: "note"; note: string }
  | { kind: "closed"; outcome: string };

/** Alerts still being handled; a closed alert takes no further step. */
const HANDLED = sql`('open','assigned')`;

/**
 * The statements of one handling step, for one batch: the alert_events row goes first and only while
 * the alert is open or assigned; the alert's update and the audit line follow only if that row exists,
 * so of two racing steps on a closed alert none leaves a trace. The caller reads `rowsAffected` of the
 * first result (0 → the alert was closed meanwhile).
 */
export function actionStatements(
  c: Context<AppEnv>,
  alertId: string,
  actor: SessionUser,
  action: AlertAction,
) {
  const db = c.var.db;
  const now = Date.now();
  const eventId = newId();
  const happened = sql`EXISTS (SELECT 1 FROM alert_events WHERE id = ${eventId})`;
  const note =
    action.kind === "assigned"
      ? `指派给 ${action.assignee.displayName}`
      : action.kind === "note"
        ? action.note
        : action.outcome;
  const statements = [
    db.run(sql`INSERT INTO alert_events (id, alert_id, at, actor_id, kind, note)
      SELECT ${eventId}, ${alertId}, ${now}, ${actor.id}, ${action.kind}, ${note}
      WHERE EXISTS (SELECT 1 FROM alerts WHERE id = ${alertId} AND status IN ${HANDLED})`),
  ];
  let update: SQL | null = null;
  if (action.kind === "assigned") {
    update = sql`UPDATE alerts SET status = 'assigned', assigned_to = ${action.assignee.id},
      first_handled_at = COALESCE(first_handled_at, ${now}) WHERE id = ${alertId} AND ${happened}`;
  } else if (action.kind === "closed") {
    update = sql`UPDATE alerts SET status = 'closed', outcome = ${action.outcome}, closed_at = ${now},
      closed_by = ${actor.id}, first_handled_at = COALESCE(first_handled_at, ${now}) WHERE id = ${alertId} AND ${happened}`;
  }
  if (update) statements.push(db.run(update));
  // A complaint's sender follows its alert: handling once assigned, the outcome once closed (R14).
  const complaint = sql`(SELECT complaint_id FROM alerts WHERE id = ${alertId})`;
  if (action.kind === "assigned") {
    statements.push(
      db.run(sql`UPDATE complaints SET status = 'handling'
        WHERE id = ${complaint} AND status = 'received' AND ${happened}`),
    );
  } else if (action.kind === "closed") {
    statements.push(
      db.run(sql`UPDATE complaints SET status = 'closed', outcome = ${action.outcome}, closed_at = ${now}
        WHERE id = ${complaint} AND ${happened}`),
    );
  }
  statements.push(auditWhen(db, c, actor, alertId, now, action, happened));
  return statements;
}

function auditWhen(
  db: Db,
  c: Context<AppEnv>,
  actor: SessionUser,
  alertId: string,
  now: number,
  action: AlertAction,
  when: SQL,
) {
  const names = { assigned: "alert.assign", note: "alert.note", closed: "alert.close" } as const;
  const detail =
    action.kind === "assigned"
      ? { after: { status: "assigned", assignedTo: action.assignee.id } }
      : action.kind === "closed"
        ? { after: { status: "closed", outcome: action.outcome } }
        : { note: action.note };
  return db.run(sql`INSERT INTO audit_log (at, actor_id, actor_name, action, target_type, target_id, ip, detail)
    SELECT ${now}, ${actor.id}, ${actor.username}, ${names[action.kind]}, 'alert', ${alertId}, ${c.var.clientIp ?? null},
      ${JSON.stringify(detail)} WHERE ${when}`);
}

/** Runs a handling step; 409 when the alert no longer takes one. */
export async function applyAction(
  c: Context<AppEnv>,
  alertId: string,
  actor: SessionUser,
  action: AlertAction,
) {
  const statements = actionStatements(c, alertId, actor, action);
  const results = (await c.var.db.batch(statements as unknown as Parameters<Db["batch"]>[0])) as unknown as {
    rowsAffected: number;
  }[];
  if (results[0]?.rowsAffected !== 1) throw new ApiError(409, "invalid_state", "告警已办结，不能再处理");
}
