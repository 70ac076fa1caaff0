import { sql, type SQL } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import type { NegativeAnswer } from "../evaluations/negative.ts";

export const ALERT_CREATED_TOPIC = "alert.created";
const SUMMARY_MAX = 1000;

/** The alert's one-line summary: each negative answer's question and the answer given. */
export function alertSummary(answers: NegativeAnswer[]): string {
  const text = `负面评价：${answers.map((a) => (a.text ? `${a.title}（${a.text}）` : a.title)).join("；")}`;
  return text.length > SUMMARY_MAX ? `${text.slice(0, SUMMARY_MAX - 1)}…` : text;
}

export interface NewAlert {
  id: string;
  eventId: string;
  inspectionId: string;
  evaluationId: string;
  departmentId: string;
  answers: NegativeAnswer[];
  now: number;
  /** Set when a webhook is configured: the outbox row that tells it. */
  outboxId?: string;
}

/**
 * The statements that raise an alert inside the evaluation's batch, each only if the evaluation row
 * exists (`when`), so a lost race leaves nothing behind: the alert, its "created" event, an audit line
 * and, with a webhook configured, the outbox message (delivered later, never during the submission).
 */
export function alertStatements(db: Db, a: NewAlert, when: SQL) {
  const summary = alertSummary(a.answers);
  const statements = [
    db.run(sql`INSERT INTO alerts (id, inspection_id, evaluation_id, department_id, status, summary, created_at)
      SELECT ${a.id}, ${a.inspectionId}, ${a.evaluationId}, ${a.departmentId}, 'open', ${summary}, ${a.now} WHERE ${when}`),
    db.run(sql`INSERT INTO alert_events (id, alert_id, at, actor_id, kind, note)
      SELECT ${a.eventId}, ${a.id}, ${a.now}, NULL, 'created', '' WHERE ${when}`),
    db.run(sql`INSERT INTO audit_log (at, actor_id, actor_name, action, target_type, target_id, ip, detail)
      SELECT ${a.now}, NULL, 'system', 'alert.create', 'alert', ${a.id}, NULL,
        ${JSON.stringify({ after: { status: "open" }, inspectionId: a.inspectionId, evaluationId: a.evaluationId })}
      WHERE ${when}`),
  ];
  if (a.outboxId) {
    const payload = JSON.stringify({
      id: a.outboxId,
      type: ALERT_CREATED_TOPIC,
      alert: {
        id: a.id,
        inspectionId: a.inspectionId,
        departmentId: a.departmentId,
        summary,
        // Question names and titles only: free-text answers stay in the system.
        negativeAnswers: a.answers.map(({ name, title, text }) => ({ name, title, text })),
        createdAt: new Date(a.now).toISOString(),
      },
    });
    statements.push(
      db.run(sql`INSERT INTO outbox (id, topic, payload, attempts, next_attempt_at, created_at)
        SELECT ${a.outboxId}, ${ALERT_CREATED_TOPIC}, ${payload}, 0, ${a.now}, ${a.now} WHERE ${when}`),
    );
  }
  return statements;
}
