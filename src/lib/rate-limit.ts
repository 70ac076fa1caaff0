import { Lru } from "./lru.ts";

/**
 * What a counter limits. Each purpose has a store of its own, so a flood of one kind of traffic
 * (submissions to random form ids, say) can never push out the counters of another (failed logins).
 */
export type LimitPurpose =
  "login" | "submit" | "inspection-view" | "inspection-evaluate" | "enterprise-login";

/** A counter's key: its purpose, then whatever the purpose counts by (client, form, account…). */
export type LimitKey = `${LimitPurpose}:${string}`;

export interface LimitHit {
  allowed: boolean;
  retryAfterMs: number;
  /** Hits in the key's current window, this one included. */
  count: number;
}

/**
 * Counts hits per key in fixed windows. Node keeps it in memory (`MemoryRateLimiter`); Workers keep
 * it in the database (src/workers/db-rate-limiter.ts). Both behave alike: tests/rate-limit.test.ts
 * runs the same cases over each.
 */
export interface RateLimiter {
  /** Counts one hit, atomically: concurrent hits each see a different count. */
  hit(key: LimitKey, limit: number, windowMs: number): Promise<LimitHit>;
  /** Hits counted in the key's current window, without adding one. */
  peek(key: LimitKey, windowMs: number): Promise<number>;
  /**
   * Takes back one hit of the current window (never below zero): a slot reserved by `hit` before
   * slow work, returned once the work showed it should not count.
   */
  release(key: LimitKey, windowMs: number): Promise<void>;
  reset(key: LimitKey): Promise<void>;
}

/** Keys each in-memory store holds at most (~150 bytes a key). */
const STORE_KEYS: Record<LimitPurpose, number> = {
  login: 50_000,
  submit: 100_000,
  "inspection-view": 50_000,
  "inspection-evaluate": 50_000,
  // Enterprise sign-in (SMS codes, activation letters): kept apart so submissions cannot evict it.
  "enterprise-login": 50_000,
};

interface Window {
  start: number;
  count: number;
}

/**
 * In-process fixed-window limiter: one bounded map per purpose (oldest windows are dropped first when
 * a store is full, and only from that store).
 */
export class MemoryRateLimiter implements RateLimiter {
  private readonly stores = new Map<LimitPurpose, Lru<string, Window>>();
  private readonly maxKeys: (purpose: LimitPurpose) => number;
  private readonly now: () => number;

  /** `maxKeys`: the same bound for every store (tests); else the defaults of `STORE_KEYS`. */
  constructor(opts: { maxKeys?: number; now?: () => number } = {}) {
    this.maxKeys = (purpose) => opts.maxKeys ?? STORE_KEYS[purpose];
    this.now = opts.now ?? Date.now;
  }

  async hit(key: LimitKey, limit: number, windowMs: number): Promise<LimitHit> {
    const now = this.now();
    const windows = this.store(key);
    // peek, not get: a store is ordered by window start, so a full store drops the oldest window.
    let w = windows.peek(key);
    if (!w || now - w.start >= windowMs) {
      w = { start: now, count: 0 };
      windows.set(key, w);
    }
    w.count++;
    const allowed = w.count <= limit;
    return { allowed, retryAfterMs: allowed ? 0 : w.start + windowMs - now, count: w.count };
  }

  async peek(key: LimitKey, windowMs: number) {
    const w = this.store(key).peek(key);
    return w && this.now() - w.start < windowMs ? w.count : 0;
  }

  async release(key: LimitKey, windowMs: number) {
    const w = this.store(key).peek(key);
    if (w && this.now() - w.start < windowMs && w.count > 0) w.count--;
  }

  async reset(key: LimitKey) {
    this.store(key).delete(key);
  }

  private store(key: LimitKey): Lru<string, Window> {
    const purpose = purposeOf(key);
    let windows = this.stores.get(purpose);
    if (!windows) this.stores.set(purpose, (windows = new Lru(this.maxKeys(purpose))));
    return windows;
  }
}

function purposeOf(key: LimitKey): LimitPurpose {
  const purpose = key.slice(0, key.indexOf(":")) as LimitPurpose;
  // The type already says so; this keeps a key built around the type from sharing another's store.
  if (!(purpose in STORE_KEYS)) throw new Error(`rate limit key without a known purpose: ${purpose}`);
  return purpose;
}
