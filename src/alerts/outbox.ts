import { and, asc, eq, isNull, lte, ne, type SQL } from "drizzle-orm";
import { createHmac } from "node:crypto";
import type { Db } from "../db/client.ts";
import { outbox } from "../db/schema.ts";
import type { AppConfig } from "../env.ts";
import { CODE_TTL_MS, redactedSmsPayload, SMS_TOPIC } from "./sms.ts";
import { logError } from "../lib/log.ts";

export type FetchFn = (url: string, init: RequestInit) => Promise<Response>;

const BATCH = 20;
const FIRST_RETRY_MS = 30_000;
const MAX_RETRY_MS = 6 * 60 * 60_000;
const TIMEOUT_MS = 10_000;

/** `sha256=<hex HMAC-SHA256 of the exact body>`, as sent in X-Lianma-Signature. */
export function webhookSignature(secret: string, body: string): string {
  return `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
}

/** Delay before attempt `attempts + 1`: 30 s, 1 min, 2 min, … at most 6 h. */
export function retryDelay(attempts: number): number {
  return Math.min(FIRST_RETRY_MS * 2 ** Math.max(0, attempts - 1), MAX_RETRY_MS);
}

interface Endpoint {
  url: string;
  secret: string;
}

/**
 * Where each topic goes: sign-in codes to the SMS gateway's webhook (SMS_WEBHOOK_URL), everything
 * else to the alert webhook. A topic without a configured endpoint stays in the outbox.
 */
function endpoints(config: AppConfig): { sms?: Endpoint; alerts?: Endpoint } {
  const { webhookUrl, webhookSecret } = config.inspections;
  if (webhookUrl && !webhookSecret)
    throw new Error("ALERT_WEBHOOK_SECRET is required to sign webhook deliveries");
  const { sms } = config.enterprise;
  return {
    alerts: webhookUrl ? { url: webhookUrl, secret: webhookSecret! } : undefined,
    sms: sms.kind === "webhook" ? { url: sms.url, secret: sms.secret } : undefined,
  };
}

/** True when some outbox topic has somewhere to go (the delivery loop / cron is needed). */
export function outboxConfigured(config: AppConfig): boolean {
  const { sms, alerts } = endpoints(config);
  return Boolean(sms || alerts);
}

/**
 * Delivers the outbox rows that are due to their webhook (alerts: ALERT_WEBHOOK_URL, sign-in codes:
 * SMS_WEBHOOK_URL), each signed with that webhook's secret; a 2xx marks it delivered, anything else
 * (a redirect too: it is never followed) schedules a retry with exponential backoff. Delivery is at least once: receivers de-duplicate on
 * the X-Lianma-Delivery id.
 */
export async function deliverDue(
  db: Db,
  config: AppConfig,
  fetchFn: FetchFn,
  now: number,
): Promise<{ delivered: number; failed: number }> {
  const { sms: smsEndpoint, alerts } = endpoints(config);
  if (!smsEndpoint && !alerts) return { delivered: 0, failed: 0 };
  let topics: SQL | undefined;
  if (!smsEndpoint) topics = ne(outbox.topic, SMS_TOPIC);
  else if (!alerts) topics = eq(outbox.topic, SMS_TOPIC);
  const due = await db
    .select()
    .from(outbox)
    .where(and(isNull(outbox.deliveredAt), lte(outbox.nextAttemptAt, now), topics))
    .orderBy(asc(outbox.nextAttemptAt))
    .limit(BATCH);
  let delivered = 0;
  let attempted = 0;
  for (const row of due) {
    const sms = row.topic === SMS_TOPIC;
    if (sms && now - row.createdAt >= CODE_TTL_MS) {
      // The code expired before it could be delivered: sending it now would only confuse, and its
      // row would keep a code for nothing. The audit line of the request stays.
      await db.delete(outbox).where(and(eq(outbox.id, row.id), isNull(outbox.deliveredAt)));
      continue;
    }
    attempted++;
    const attempts = row.attempts + 1;
    const { url, secret } = (sms ? smsEndpoint : alerts)!;
    let error: string | null = null;
    try {
      const res = await fetchFn(url, {
        method: "POST",
        headers: {
          "Content-Type": "application/json",
          "X-Lianma-Signature": webhookSignature(secret, row.payload),
          "X-Lianma-Topic": row.topic,
          "X-Lianma-Delivery": row.id,
        },
        body: row.payload,
        signal: AbortSignal.timeout(TIMEOUT_MS),
        // A redirect would carry the signed alert (a 307 the body too) to wherever the receiver, or
        // whoever took over its address, points: only the configured URL is ever sent to.
        redirect: "manual",
      });
      if (res.status >= 300 && res.status < 400) error = `HTTP ${res.status} (redirect not followed)`;
      else if (!res.ok) error = `HTTP ${res.status}`;
      await res.body?.cancel().catch(() => undefined);
    } catch (e) {
      error = String((e as Error)?.message ?? e).slice(0, 500);
    }
    const mark = error
      ? { attempts, lastError: error, nextAttemptAt: now + retryDelay(attempts) }
      : {
          attempts,
          lastError: null,
          deliveredAt: now,
          ...(sms ? { payload: redactedSmsPayload(row.payload) } : {}),
        };
    await db
      .update(outbox)
      .set(mark)
      .where(and(eq(outbox.id, row.id), isNull(outbox.deliveredAt)));
    if (!error) delivered++;
  }
  return { delivered, failed: attempted - delivered };
}

/** Runs deliverDue every `intervalMs`, never two at once; returns the function that stops it. */
export function startOutboxLoop(
  db: Db,
  config: AppConfig,
  fetchFn: FetchFn = fetch,
  intervalMs = 5_000,
): () => void {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    deliverDue(db, config, fetchFn, Date.now())
      .catch((error) => logError({ task: "outbox" }, error))
      .finally(() => {
        running = false;
      });
  }, intervalMs);
  timer.unref?.();
  return () => clearInterval(timer);
}
