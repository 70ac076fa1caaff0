import { and, eq, sql } from "drizzle-orm";
import type { Context } from "hono";
import { createHmac } from "node:crypto";
import { ALERT_TOPIC, eventsOf } from "../alerts/events.ts";
import { alertStatements, negativeEvaluationAlert } from "../alerts/create.ts";
import { alertItem } from "../alerts/views.ts";
import type { Db } from "../db/client.ts";
import { evaluations, forms, formVersions } from "../db/schema.ts";
import type { AppEnv } from "../env.ts";
import type { InspectionRow } from "../inspections/access.ts";
import { ApiError } from "../lib/errors.ts";
import { newId } from "../lib/ids.ts";
import { localDateTime } from "../lib/time.ts";
import { negativeAnswers, satisfactionScore, type NegativeAnswer } from "../forms/negative.ts";
import { liveEvaluationForm } from "./public-view.ts";
import { evaluationState } from "./window.ts";
import { questionTitle } from "../forms/question-title.ts";

/** The enterprise as the actor of an evaluation in the audit log (its name, never the address). */
export const ENTERPRISE_ACTOR = "enterprise";

/** How far back a staff member's address on the inspection counts as "recent" for the flag. */
const STAFF_ADDRESS_LOOKBACK_MS = 30 * 86_400_000;
const USER_AGENT_MAX = 300;

export interface EvaluationBody {
  version: number;
  data: Record<string, unknown>;
}

export const alreadyEvaluated = () =>
  new ApiError(409, "already_evaluated", "本次检查已经评价过，感谢您的反馈");

/**
 * Who may evaluate (R14): only the inspected enterprise, signed in as itself. A staff session on the
 * request is refused even when an enterprise session rides along, so an officer's phone cannot
 * evaluate his own visit.
 */
export function assertEvaluator(c: Context<AppEnv>, row: InspectionRow): string {
  if (c.var.user) throw new ApiError(403, "staff_cannot_evaluate", "工作人员不能提交企业评价");
  const enterprise = c.var.enterprise;
  if (!enterprise) throw new ApiError(401, "enterprise_login_required", "请先以企业身份登录后再评价");
  if (enterprise.id !== row.enterpriseId)
    throw new ApiError(403, "wrong_enterprise", "只有被检查企业本身可以评价本次检查");
  return enterprise.id;
}

/** 409 unless the evaluation window is open now (src/evaluations/window.ts). */
export function assertWindowOpen(c: Context<AppEnv>, row: InspectionRow, now: number): void {
  const { timeZone, inspections: cfg } = c.var.deps.config;
  const state = evaluationState(row, now, cfg.evaluationWindowDays);
  if (state.open) return;
  if (state.reason === "no_visit") throw new ApiError(409, "no_visit", "本次检查未实施，无需评价");
  if (state.reason === "not_yet_open")
    throw new ApiError(
      409,
      "evaluation_not_open",
      `检查人员到达或计划开始（${localDateTime(state.opensAt!, timeZone)}）后即可评价`,
    );
  throw new ApiError(409, "evaluation_closed", `评价期已于 ${localDateTime(state.closesAt!, timeZone)} 结束`);
}

async function hasEvaluation(db: Db, inspectionId: string): Promise<boolean> {
  const [row] = await db
    .select({ id: evaluations.id })
    .from(evaluations)
    .where(eq(evaluations.inspectionId, inspectionId))
    .limit(1);
  return Boolean(row);
}

async function formVersion(db: Db, formId: string, version: number) {
  const [row] = await db
    .select({ schema: formVersions.schema })
    .from(forms)
    .innerJoin(formVersions, and(eq(formVersions.formId, forms.id), eq(formVersions.version, version)))
    .where(and(eq(forms.id, formId), eq(forms.status, "published")))
    .limit(1);
  return row ? (JSON.parse(row.schema) as Record<string, unknown>) : null;
}

function isUniqueViolation(error: unknown): boolean {
  for (let e: unknown = error; e; e = (e as { cause?: unknown }).cause) {
    if (/UNIQUE constraint failed/i.test(String((e as Error).message ?? ""))) return true;
  }
  return false;
}

/** A keyed hash of the client address: comparable within this deployment, not reversible to an address. */
export function clientHash(secret: string, address: string): string {
  return createHmac("sha256", secret).update(`client-address:${address}`).digest("hex");
}

/**
 * The enterprise's evaluation of an inspection, whatever page it came from (the code page or the
 * portal): who, when, the form version, validation, then one batch. Returns the new evaluation's id.
 */
export async function submitEvaluation(
  c: Context<AppEnv>,
  row: InspectionRow,
  body: EvaluationBody,
): Promise<string> {
  const enterpriseId = assertEvaluator(c, row);
  const now = c.var.deps.now?.() ?? Date.now();
  if (await hasEvaluation(c.var.db, row.id)) throw alreadyEvaluated();
  assertWindowOpen(c, row, now);
  const formId = c.var.deps.config.inspections.evaluationFormId;
  const schema = await formVersion(c.var.db, formId, body.version);
  if (!schema) {
    const live = await liveEvaluationForm(c.var.db, formId);
    if (!live) throw new ApiError(409, "evaluation_unavailable", "评价表暂未开放，请稍后再试");
    throw new ApiError(409, "version_mismatch", `评价表已更新为第 ${live.version} 版，请刷新页面`);
  }
  const validate = c.var.deps.validators.get(`${formId}:${body.version}`, () => schema);
  const result = validate(body.data);
  if (!result.ok) {
    const first = result.errors[0]!;
    throw new ApiError(
      400,
      "invalid_response",
      `评价未通过校验：「${questionTitle(schema, first.name)}」${first.message}`,
      result.errors,
    );
  }
  const { id, alertId, statements } = evaluationStatements(c, row, {
    formId,
    version: body.version,
    data: body.data,
    negative: negativeAnswers(schema, body.data),
    score: satisfactionScore(schema, body.data),
    enterpriseId,
    now,
  });
  let results: { rowsAffected: number }[];
  try {
    results = (await c.var.db.batch(statements as unknown as Parameters<Db["batch"]>[0])) as unknown as {
      rowsAffected: number;
    }[];
  } catch (error) {
    // The unique index on inspection_id: a concurrent submission for this inspection won.
    if (isUniqueViolation(error)) throw alreadyEvaluated();
    throw error;
  }
  if (results[0]?.rowsAffected !== 1) {
    if (await hasEvaluation(c.var.db, row.id)) throw alreadyEvaluated();
    throw new ApiError(409, "invalid_state", "检查状态已变化，请刷新页面");
  }
  if (alertId) {
    const alert = await alertItem(c.var.db, alertId);
    if (alert) eventsOf(c.var.deps).publish(ALERT_TOPIC, { kind: "created", alert });
  }
  return id;
}

interface NewEvaluation extends EvaluationBody {
  formId: string;
  negative: NegativeAnswer[];
  score: number | null;
  enterpriseId: string;
  now: number;
}

/**
 * The one batch of an evaluation: the evaluation row (inserted only while the filing is a visit — not
 * withdrawn or refused meanwhile; the unique index on inspection_id refuses a second one), the
 * inspection's evaluated_at stamp, the audit line with the actor "enterprise", and for negative answers
 * the alert with its event, audit line and outbox message. The status does not move: the evaluation
 * belongs to the enterprise and runs beside the department's life cycle, not inside it. Every statement
 * after the first depends on the evaluation row existing, so the caller reads `rowsAffected` of the
 * first result.
 */
function evaluationStatements(c: Context<AppEnv>, row: InspectionRow, e: NewEvaluation) {
  const db = c.var.db;
  const { now } = e;
  const id = newId();
  const stored = sql`EXISTS (SELECT 1 FROM evaluations WHERE id = ${id})`;
  const address = c.var.clientIp;
  const userAgent = (c.req.header("user-agent") ?? "").slice(0, USER_AGENT_MAX);
  // Staff acts on this inspection are audited with their address; the same address now is worth a look.
  const staffMatch = sql`EXISTS (SELECT 1 FROM audit_log WHERE target_type = 'inspection'
    AND target_id = ${row.id} AND actor_id IS NOT NULL AND ip = ${address} AND at > ${now - STAFF_ADDRESS_LOOKBACK_MS})`;
  const detail = { evaluationId: id, negative: e.negative.length > 0 };
  const statements = [
    db.run(sql`INSERT INTO evaluations (id, inspection_id, form_id, version, data, negative, negative_answers,
        score, submitted_at, enterprise_id, client_hash, user_agent, staff_address_match)
      SELECT ${id}, ${row.id}, ${e.formId}, ${e.version}, ${JSON.stringify(e.data)}, ${e.negative.length > 0 ? 1 : 0},
        ${JSON.stringify(e.negative)}, ${e.score}, ${now}, ${e.enterpriseId},
        ${clientHash(c.var.deps.config.secret, address)}, ${userAgent}, ${staffMatch}
      WHERE EXISTS (SELECT 1 FROM inspections WHERE id = ${row.id}
        AND status NOT IN ('draft', 'refused', 'cancelled'))`),
    db.run(sql`UPDATE inspections SET evaluated_at = ${now}, updated_at = ${now}
      WHERE id = ${row.id} AND ${stored}`),
    // Anonymous towards the department (R9): no address in the line, only the evaluation it names.
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
        negativeEvaluationAlert(
          {
            id: alertId,
            eventId: newId(),
            inspectionId: row.id,
            evaluationId: id,
            departmentId: row.leadDepartmentId,
            now,
            outboxId: webhook ? newId() : undefined,
          },
          e.negative,
        ),
        stored,
      ),
    );
  }
  return { id, alertId, statements };
}
