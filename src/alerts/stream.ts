import { and, eq, gt, inArray } from "drizzle-orm";
import type { Context } from "hono";
import { streamSSE } from "hono/streaming";
import { sessions, users } from "../db/schema.ts";
import type { AppEnv } from "../env.ts";
import { ALERT_TOPIC, eventsOf } from "./events.ts";

export const HEARTBEAT_MS = 15_000;
/** A stream ends after this long; EventSource reconnects, re-checking the session and refetching. */
export const MAX_STREAM_MS = 10 * 60_000;
/** A client this far behind is dropped; on reconnect it refetches the list anyway. */
const MAX_QUEUE = 500;

/** Whether the stream's session still exists and still belongs to an active bureau user. */
async function sessionAlive(c: Context<AppEnv>, sessionId: string | null): Promise<boolean> {
  if (!sessionId) return false;
  const [row] = await c.var.db
    .select({ id: sessions.id })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(
      and(
        eq(sessions.id, sessionId),
        gt(sessions.expiresAt, Date.now()),
        eq(users.disabled, false),
        inArray(users.role, ["admin", "supervisor"]),
      ),
    )
    .limit(1);
  return Boolean(row);
}

/**
 * `GET /api/alerts/stream`: Server-Sent Events. An `alert` event (`{kind, alert}`) whenever an alert is
 * created or handled, a `ready` event on connection (the page refetches the list then, so nothing is
 * missed across reconnects without Last-Event-ID), and a heartbeat comment every 15 s, at which the
 * session is checked again.
 */
export function alertStream(c: Context<AppEnv>) {
  const bus = eventsOf(c.var.deps);
  const sessionId = c.var.sessionId;
  return streamSSE(c, async (stream) => {
    const queue: unknown[] = [];
    let wake: (() => void) | null = null;
    const unsubscribe = bus.subscribe(ALERT_TOPIC, (payload) => {
      queue.push(payload);
      wake?.();
    });
    stream.onAbort(() => {
      unsubscribe();
      wake?.();
    });
    const endAt = Date.now() + MAX_STREAM_MS;
    try {
      await stream.writeSSE({ event: "ready", data: "{}", retry: 3000 });
      while (!stream.aborted && Date.now() < endAt && queue.length <= MAX_QUEUE) {
        if (queue.length === 0) {
          const timedOut = await new Promise<boolean>((resolve) => {
            const timer = setTimeout(() => resolve(true), HEARTBEAT_MS);
            wake = () => {
              clearTimeout(timer);
              resolve(false);
            };
          });
          wake = null;
          if (stream.aborted) break;
          if (timedOut) {
            if (!(await sessionAlive(c, sessionId))) break;
            await stream.write(": heartbeat\n\n");
            continue;
          }
        }
        while (queue.length > 0 && !stream.aborted) {
          await stream.writeSSE({ event: "alert", data: JSON.stringify(queue.shift()) });
        }
      }
    } finally {
      unsubscribe();
    }
  });
}
