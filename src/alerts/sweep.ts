/**
 * R15: a visit whose checklist is not registered within `registrationGraceHours` after its planned end
 * raises one alert of kind `unregistered_visit` for the 司法局. Runs on an interval on Node and from
 * the cron trigger on Workers; idempotent (the unique index on (inspection, kind) for this kind), so
 * two sweeps, or two isolates sweeping at once, raise one alert.
 */
import { and, inArray, lt, sql } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { inspections } from "../db/schema.ts";
import type { AppConfig } from "../env.ts";
import { newId } from "../lib/ids.ts";
import { localDateTime } from "../lib/time.ts";
import { alertStatements } from "./create.ts";
import { sweepOverdueActions } from "../actions/overdue-sweep.ts";
import { ALERT_TOPIC, type EventBus } from "./events.ts";
import { alertItem } from "./views.ts";
import { logError } from "../lib/log.ts";

/** At most this many alerts per sweep, so one run stays short; the next run takes the rest. */
const BATCH = 200;

export async function sweepUnregisteredVisits(
  db: Db,
  config: AppConfig,
  now: number,
  events?: EventBus,
): Promise<number> {
  const cutoff = now - config.inspections.registrationGraceHours * 3_600_000;
  const due = await db
    .select({
      id: inspections.id,
      departmentId: inspections.leadDepartmentId,
      plannedEnd: inspections.plannedEnd,
    })
    .from(inspections)
    .where(
      and(
        inArray(inspections.status, ["approved", "in_progress"]),
        lt(inspections.plannedEnd, cutoff),
        sql`NOT EXISTS (SELECT 1 FROM alerts a WHERE a.inspection_id = ${inspections.id}
          AND a.kind = 'unregistered_visit')`,
      ),
    )
    .orderBy(inspections.plannedEnd)
    .limit(BATCH);
  let raised = 0;
  for (const visit of due) {
    const id = newId();
    const hours = config.inspections.registrationGraceHours;
    const statements = alertStatements(
      db,
      {
        id,
        eventId: newId(),
        kind: "unregistered_visit",
        inspectionId: visit.id,
        departmentId: visit.departmentId,
        summary: `检查计划于 ${localDateTime(visit.plannedEnd, config.timeZone)} 结束，超过 ${hours} 小时仍未登记检查结果`,
        now,
        outboxId: config.inspections.webhookUrl ? newId() : undefined,
      },
      // Still unregistered at the moment of writing (a registration may have landed since the read).
      sql`EXISTS (SELECT 1 FROM inspections WHERE id = ${visit.id} AND status IN ('approved', 'in_progress'))`,
    );
    await db.batch(statements as unknown as Parameters<Db["batch"]>[0]);
    const alert = await alertItem(db, id);
    if (alert) {
      raised++;
      events?.publish(ALERT_TOPIC, { kind: "created", alert });
    }
  }
  return raised;
}

/** The Node server's sweep: once at start, then every `intervalMs`; returns the stop function. */
export function startSweepLoop(db: Db, config: AppConfig, events: EventBus, intervalMs: number): () => void {
  let running = false;
  const run = async () => {
    if (running) return;
    running = true;
    try {
      await sweepUnregisteredVisits(db, config, Date.now(), events);
      await sweepOverdueActions(db, config, Date.now());
    } catch (error) {
      logError({ event: "sweep_failed" }, error);
    } finally {
      running = false;
    }
  };
  void run();
  const timer = setInterval(run, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
