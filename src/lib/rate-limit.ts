/** Counts hits per key in fixed windows. Node keeps it in memory; Workers plug in a shared store. */
export interface RateLimiter {
  hit(key: string, limit: number, windowMs: number): Promise<{ allowed: boolean; retryAfterMs: number }>;
  /** Hits counted in the key's current window, without adding one. */
  peek(key: string, windowMs: number): Promise<number>;
  reset(key: string): Promise<void>;
}

/** In-process fixed-window limiter with a bounded key count (oldest windows are dropped first). */
export class MemoryRateLimiter implements RateLimiter {
  private windows = new Map<string, { start: number; count: number }>();

  constructor(
    private readonly maxKeys = 100_000,
    private readonly now: () => number = Date.now,
  ) {}

  async hit(key: string, limit: number, windowMs: number) {
    const now = this.now();
    let w = this.windows.get(key);
    if (!w || now - w.start >= windowMs) {
      this.windows.delete(key);
      if (this.windows.size >= this.maxKeys) this.evictOldest();
      w = { start: now, count: 0 };
      this.windows.set(key, w);
    }
    w.count++;
    const allowed = w.count <= limit;
    return { allowed, retryAfterMs: allowed ? 0 : w.start + windowMs - now };
  }

  async peek(key: string, windowMs: number) {
    const w = this.windows.get(key);
    return w && this.now() - w.start < windowMs ? w.count : 0;
  }

  async reset(key: string) {
    this.windows.delete(key);
  }

  private evictOldest() {
    const first = this.windows.keys().next();
    if (!first.done) this.windows.delete(first.value);
  }
}
