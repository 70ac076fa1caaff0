import { sql } from "drizzle-orm";
import { ALERT_TOPIC, MemoryEventBus, type EventBus } from "../alerts/events.ts";
import { alertItem } from "../alerts/views.ts";
import type { Db } from "../db/client.ts";
import { logError } from "../lib/log.ts";

export interface PollingOptions {
  /** How often each live stream looks for new alert events. */
  intervalMs?: number;
}

/**
 * The alert fan-out for Workers, where no in-process bus reaches the isolate holding a live page's
 * stream: each subscription polls `alert_events` (every change of an alert writes one row there, in
 * the same batch as the change) and delivers `{kind, alert}` as the Node bus does. Publishing is a
 * no-op for alerts, since the table is the channel; other topics stay within the isolate.
 *
 * Rows are followed by rowid: SQLite has one writer, so rowids grow in commit order and `rowid > last`
 * finds each new event exactly once, through the table's own B-tree, whatever the writers' clocks say.
 * Each subscription owns its timer, started inside the request that streams, because a Worker may not
 * do I/O on behalf of another request. A Durable Object holding the streams would push instead of
 * poll; see docs/DEPLOY.md.
 */
export class PollingAlertBus implements EventBus {
  private readonly local = new MemoryEventBus();
  private readonly intervalMs: number;

  constructor(
    private readonly db: Db,
    opts: PollingOptions = {},
  ) {
    this.intervalMs = opts.intervalMs ?? 3_000;
  }

  publish(topic: string, payload: unknown): void {
    if (topic !== ALERT_TOPIC) this.local.publish(topic, payload);
  }

  subscribe(topic: string, fn: (payload: unknown) => void): () => void {
    if (topic !== ALERT_TOPIC) return this.local.subscribe(topic, fn);
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    // What happened before the subscription is not sent: the page fetches the list on `ready`.
    let last: number | null = null;

    const poll = async () => {
      if (last === null) {
        const [row] = await this.db.all<{ last: number }>(
          sql`SELECT coalesce(max(rowid), 0) AS last FROM alert_events`,
        );
        last = Number(row?.last ?? 0);
        return;
      }
      const rows = await this.db.all<{ seq: number; alert_id: string; kind: string }>(
        sql`SELECT rowid AS seq, alert_id, kind FROM alert_events WHERE rowid > ${last} ORDER BY rowid LIMIT 500`,
      );
      for (const row of rows) {
        last = Number(row.seq);
        if (stopped) return;
        const alert = await alertItem(this.db, row.alert_id);
        if (alert && !stopped) fn({ kind: row.kind, alert });
      }
    };

    const loop = (delay: number) => {
      timer = setTimeout(() => {
        poll()
          .catch((error) => logError({ task: "alert-poll" }, error))
          .finally(() => {
            if (!stopped) loop(this.intervalMs);
          });
      }, delay);
    };
    loop(0);
    return () => {
      stopped = true;
      if (timer) clearTimeout(timer);
    };
  }
}
