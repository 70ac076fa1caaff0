import { sql } from "drizzle-orm";
import type { Context } from "hono";
import { alertStatements } from "../alerts/create.ts";
import type { AppEnv } from "../env.ts";
import type { InspectionRow } from "../inspections/access.ts";
import { transitionStatements } from "../inspections/state.ts";
import { newId } from "../lib/ids.ts";
import type { NegativeAnswer } from "./negative.ts";

/** The anonymous actor of an evaluation in the audit log. */
export const ENTERPRISE_ACTOR = "enterprise";

export interface NewEvaluation {
  formId: string;
  version: number;
  data: Record<string, unknown>;
  negative: NegativeAnswer[];
  score: number | null;
}

/**
 * The one batch of an evaluation: the evaluation row (inserted only while the inspection is
 * registered; the unique index on inspection_id refuses a second one), the registered → evaluated
 * transition, its audit line with the anonymous actor "enterprise", and for negative answers the alert
 * with its event, audit line and outbox message. Every statement after the first depends on the
 * evaluation row existing, so the caller reads `rowsAffected` of the first result.
 */
export function evaluationStatements(c: Context<AppEnv>, row: InspectionRow, e: NewEvaluation) {
  const db = c.var.db;
  const now = Date.now();
  const id = newId();
  const stored = sql`EXISTS (SELECT 1 FROM evaluations WHERE id = ${id})`;
  // transitionStatements checks the step and stamps evaluated_at; its audit line would name no actor
  // and would not depend on the insert, so the batch writes its own below (without the client address:
  // the evaluation is anonymous).
  const [transition] = transitionStatements(c, row, "evaluated");
  const detail = {
    before: { status: row.status },
    after: { status: "evaluated" },
    evaluationId: id,
    negative: e.negative.length > 0,
  };
  const statements = [
    db.run(sql`INSERT INTO evaluations (id, inspection_id, form_id, version, data, negative, negative_answers, score, submitted_at)
      SELECT ${id}, ${row.id}, ${e.formId}, ${e.version}, ${JSON.stringify(e.data)}, ${e.negative.length > 0 ? 1 : 0},
        ${JSON.stringify(e.negative)}, ${e.score}, ${now}
      WHERE EXISTS (SELECT 1 FROM inspections WHERE id = ${row.id} AND status = 'registered')`),
    transition,
    db.run(sql`INSERT INTO audit_log (at, actor_id, actor_name, action, target_type, target_id, ip, detail)
      SELECT ${now}, NULL, ${ENTERPRISE_ACTOR}, 'inspection.evaluated', 'inspection', ${row.id}, NULL,
        ${JSON.stringify(detail)} WHERE ${stored}`),
  ];
  let alertId: string | null = null;
  if (e.negative.length > 0) {
    alertId = newId();
    const webhook = c.var.deps.config.inspections.webhookUrl;
    statements.push(
      ...alertStatements(
        db,
        {
          id: alertId,
          eventId: newId(),
          inspectionId: row.id,
          evaluationId: id,
          departmentId: row.leadDepartmentId,
          answers: e.negative,
          now,
          outboxId: webhook ? newId() : undefined,
        },
        stored,
      ),
    );
  }
  return { id, alertId, statements };
}
