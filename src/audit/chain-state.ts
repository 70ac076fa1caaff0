/**
 * The chain's verification state for the log page, without recomputing the whole chain per view:
 * each view continues from the last entry this process verified (kept per database handle) and checks
 * at most STEP more entries, so a view costs a bounded amount however long the log grows. The
 * checkpoint is re-read on every view: a rewritten entry at or before it is caught by
 * `npm run audit:verify` (the full check), but a rewritten checkpoint itself shows here at once.
 */
import { desc, eq, isNotNull, isNull, sql } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { auditLog } from "../db/schema.ts";
import { verifyAuditChain } from "./chain.ts";

const STEP = 2000;

interface Checkpoint {
  id: number;
  hash: string;
  /** Entries verified up to and including `id`. */
  count: number;
}

const checkpoints = new WeakMap<Db, Checkpoint>();

export interface ChainState {
  ok: boolean;
  /** The last sealed entry. */
  head: { id: number; hash: string } | null;
  /** The last entry recomputed and found linked; equal to head when the check has caught up. */
  verifiedThrough: { id: number; hash: string } | null;
  verifiedCount: number;
  /** Lines appended and not linked yet (they are linked at the end of the request that wrote them). */
  pending: number;
  broken: { id: number; reason: string } | null;
}

export async function chainState(db: Db): Promise<ChainState> {
  let start = checkpoints.get(db);
  if (start) {
    const [row] = await db.select({ hash: auditLog.hash }).from(auditLog).where(eq(auditLog.id, start.id));
    if (row?.hash !== start.hash) {
      checkpoints.delete(db);
      return {
        ...(await counts(db)),
        ok: false,
        verifiedThrough: null,
        verifiedCount: 0,
        broken: { id: start.id, reason: "verified entry changed or removed since it was checked" },
      };
    }
  }
  const report = await verifyAuditChain(db, { from: start, limit: STEP });
  if (report.ok && report.head && report.head.id !== start?.id) {
    start = { ...report.head, count: (start?.count ?? 0) + report.verified };
    checkpoints.set(db, start);
  }
  return {
    ...(await counts(db)),
    ok: report.ok,
    verifiedThrough: start ? { id: start.id, hash: start.hash } : null,
    verifiedCount: start?.count ?? 0,
    broken: report.broken ?? null,
  };
}

async function counts(db: Db) {
  const [head] = await db
    .select({ id: auditLog.id, hash: auditLog.hash })
    .from(auditLog)
    .where(isNotNull(auditLog.hash))
    .orderBy(desc(auditLog.id))
    .limit(1);
  const [pending] = await db
    .select({ n: sql<number>`count(*)` })
    .from(auditLog)
    .where(isNull(auditLog.hash));
  return { head: head ? { id: head.id, hash: head.hash! } : null, pending: Number(pending?.n ?? 0) };
}
