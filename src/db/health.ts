/**
 * The database's write path, checked for real: reads go on working from a file that can no longer be
 * written (read-only disk, full disk, a file the process may not change), so a health check that only
 * reads says "ok" while every write fails. The probe writes one row of `settings` and commits, the
 * cheapest durable write there is; concurrent checks share one probe, and a result is reused for a
 * second, so a flood of /healthz costs at most one commit a second.
 */
import { sql } from "drizzle-orm";
import type { Db } from "./client.ts";

const PROBE_KEY = "healthz_write_probe";
const REUSE_MS = 1000;

export type WriteHealth = { ok: true } | { ok: false; error: string };

/** One commit of a row only this probe touches; throws when the database cannot take a write. */
export async function probeWrite(db: Db, now = Date.now()): Promise<void> {
  await db.run(
    sql`INSERT INTO settings (key, value) VALUES (${PROBE_KEY}, ${String(now)})
      ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
  );
}

/** The driver's code and message of a failed write, without the statement's values. */
export function writeFailure(err: unknown): string {
  let e: unknown = err;
  for (let depth = 0; depth < 3 && e instanceof Error; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && code.startsWith("SQLITE")) return `${code}: ${e.message}`;
    e = e.cause;
  }
  return err instanceof Error ? err.message.split("\n")[0]! : String(err);
}

/** Checks the write path at most once a second, however many ask at once. */
export class WriteProbe {
  private last: { at: number; result: WriteHealth } | null = null;
  private running: Promise<WriteHealth> | null = null;

  constructor(private readonly db: Db) {}

  check(now = Date.now()): Promise<WriteHealth> {
    if (this.last && now - this.last.at < REUSE_MS) return Promise.resolve(this.last.result);
    this.running ??= probeWrite(this.db, now)
      .then((): WriteHealth => ({ ok: true }))
      .catch((err): WriteHealth => ({ ok: false, error: writeFailure(err) }))
      .then((result) => {
        this.last = { at: Date.now(), result };
        this.running = null;
        return result;
      });
    return this.running;
  }
}

/** SQLite's codes for a database that cannot store right now (as opposed to a bad statement). */
const STORAGE_CODES = /^SQLITE_(READONLY|FULL|IOERR|CANTOPEN|BUSY|LOCKED|PERM|CORRUPT|NOTADB)/;

/** True when `err` (or its cause) is the database refusing writes for a reason outside the request. */
export function isStorageFailure(err: unknown): boolean {
  let e: unknown = err;
  for (let depth = 0; depth < 4 && e instanceof Error; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && STORAGE_CODES.test(code)) return true;
    e = e.cause;
  }
  return false;
}
