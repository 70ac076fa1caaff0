import { sql } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import type { LimitHit, LimitKey, RateLimiter } from "../lib/rate-limit.ts";

const DAY_MS = 86_400_000;

export interface DbRateLimiterOptions {
  now?: () => number;
  /** Rows whose window started this long ago are deleted now and then (no app window is that long). */
  staleAfterMs?: number;
  /** Chance per hit of sweeping stale rows, so the table stays small without a scheduled job. */
  sweepProbability?: number;
}

/**
 * Fixed-window counters in the `rate_limits` table, shared by every isolate that reaches the database.
 * Each hit is one UPSERT … RETURNING: the database settles concurrent hits, so no count is lost and no
 * isolate needs to remember anything between requests. Nothing is evicted by traffic: rows go only
 * when their window is long past (`sweep`), so no flood of one purpose can erase another's counters.
 */
export class DbRateLimiter implements RateLimiter {
  private readonly now: () => number;
  private readonly staleAfterMs: number;
  private readonly sweepProbability: number;

  constructor(
    private readonly db: Db,
    opts: DbRateLimiterOptions = {},
  ) {
    this.now = opts.now ?? Date.now;
    this.staleAfterMs = opts.staleAfterMs ?? DAY_MS;
    this.sweepProbability = opts.sweepProbability ?? 0.01;
  }

  async hit(key: LimitKey, limit: number, windowMs: number): Promise<LimitHit> {
    const now = this.now();
    // Both SET expressions read the row as it was before this hit (SQL UPDATE semantics).
    const expired = sql`${now} - rate_limits.window_start >= ${windowMs}`;
    const [row] = await this.db.all<{ window_start: number; count: number }>(sql`
      INSERT INTO rate_limits (key, window_start, count) VALUES (${key}, ${now}, 1)
      ON CONFLICT (key) DO UPDATE SET
        count = CASE WHEN ${expired} THEN 1 ELSE rate_limits.count + 1 END,
        window_start = CASE WHEN ${expired} THEN ${now} ELSE rate_limits.window_start END
      RETURNING window_start, count`);
    if (Math.random() < this.sweepProbability) await this.sweep(now);
    const count = Number(row!.count);
    const allowed = count <= limit;
    const retryAfterMs = allowed ? 0 : Math.max(0, Number(row!.window_start) + windowMs - now);
    return { allowed, retryAfterMs, count };
  }

  async peek(key: LimitKey, windowMs: number) {
    const [row] = await this.db.all<{ window_start: number; count: number }>(
      sql`SELECT window_start, count FROM rate_limits WHERE key = ${key}`,
    );
    return row && this.now() - Number(row.window_start) < windowMs ? Number(row.count) : 0;
  }

  async release(key: LimitKey, windowMs: number) {
    await this.db.run(sql`
      UPDATE rate_limits SET count = count - 1
      WHERE key = ${key} AND count > 0 AND ${this.now()} - window_start < ${windowMs}`);
  }

  async reset(key: LimitKey) {
    await this.db.run(sql`DELETE FROM rate_limits WHERE key = ${key}`);
  }

  /** Deletes counters whose window ended long ago. */
  async sweep(now = this.now()) {
    await this.db.run(sql`DELETE FROM rate_limits WHERE window_start < ${now - this.staleAfterMs}`);
  }
}
