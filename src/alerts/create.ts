import { sql, type SQL } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import type { AlertKind } from "../db/schema.ts";
import type { NegativeAnswer } from "../forms/negative.ts";

export const ALERT_CREATED_TOPIC = "alert.created";
const SUMMARY_MAX = 1000;

/** The alert's one-line summary: each negative answer's question and the answer given. */
export function alertSummary(answers: NegativeAnswer[]): string {
  return `负面评价：${answers.map((a) => (a.text ? `${a.title}（${a.text}）` : a.title)).join("；")}`;
}

export interface NewAlert {
  id: string;
  eventId: string;
  kind: AlertKind;
  /** The source: an evaluation (with its inspection), a complaint (perhaps naming an inspection), or
   * an inspection alone (an unregistered visit). */
  inspectionId: string | null;
  evaluationId?: string;
  complaintId?: string;
  departmentId: string;
  summary: string;
  now: number;
  /** Set when a webhook is configured: the outbox row that tells it. */
  outboxId?: string;
  /** Extra fields for the webhook, never free text an enterprise wrote or who it is. */
  webhookDetail?: Record<string, unknown>;
}

/** The alert for a negative evaluation: its summary and what the webhook may know of the answers. */
export function negativeEvaluationAlert(
  a: Omit<NewAlert, "kind" | "summary" | "webhookDetail"> & { evaluationId: string },
  answers: NegativeAnswer[],
): NewAlert {
  return {
    ...a,
    kind: "negative_evaluation",
    summary: alertSummary(answers),
    // Question names and titles only: free-text answers stay in the system.
    webhookDetail: { negativeAnswers: answers.map(({ name, title, text }) => ({ name, title, text })) },
  };
}

/**
 * The statements that raise an alert inside its source's batch, each only if `when` holds (the source
 * row exists, or the alert row itself was inserted), so a lost race leaves nothing behind: the alert,
 * its "created" event, an audit line and, with a webhook configured, the outbox message (delivered
 * later, never during the request). The insert does nothing when the source already raised its alert
 * (the unique indexes on evaluation, complaint, and unregistered inspection).
 */
export function alertStatements(db: Db, a: NewAlert, when: SQL) {
  const summary = a.summary.length > SUMMARY_MAX ? `${a.summary.slice(0, SUMMARY_MAX - 1)}…` : a.summary;
  const mine = sql`EXISTS (SELECT 1 FROM alerts WHERE id = ${a.id})`;
  const statements = [
    db.run(sql`INSERT INTO alerts (id, kind, inspection_id, evaluation_id, complaint_id, department_id, status,
        summary, created_at)
      SELECT ${a.id}, ${a.kind}, ${a.inspectionId}, ${a.evaluationId ?? null}, ${a.complaintId ?? null},
        ${a.departmentId}, 'open', ${summary}, ${a.now} WHERE ${when}
      ON CONFLICT DO NOTHING`),
    db.run(sql`INSERT INTO alert_events (id, alert_id, at, actor_id, kind, note)
      SELECT ${a.eventId}, ${a.id}, ${a.now}, NULL, 'created', '' WHERE ${mine}`),
    db.run(sql`INSERT INTO audit_log (at, actor_id, actor_name, action, target_type, target_id, ip, detail)
      SELECT ${a.now}, NULL, 'system', 'alert.create', 'alert', ${a.id}, NULL,
        ${JSON.stringify({
          after: { status: "open", kind: a.kind },
          inspectionId: a.inspectionId,
          evaluationId: a.evaluationId ?? null,
          complaintId: a.complaintId ?? null,
        })}
      WHERE ${mine}`),
  ];
  if (a.outboxId) {
    const payload = JSON.stringify({
      id: a.outboxId,
      type: ALERT_CREATED_TOPIC,
      alert: {
        id: a.id,
        kind: a.kind,
        inspectionId: a.inspectionId,
        departmentId: a.departmentId,
        summary,
        ...a.webhookDetail,
        createdAt: new Date(a.now).toISOString(),
      },
    });
    statements.push(
      db.run(sql`INSERT INTO outbox (id, topic, payload, attempts, next_attempt_at, created_at)
        SELECT ${a.outboxId}, ${ALERT_CREATED_TOPIC}, ${payload}, 0, ${a.now}, ${a.now} WHERE ${mine}`),
    );
  }
  return statements;
}
