/**
 * The audit log as a hash chain. Entries are appended unsealed (`hash` NULL) inside the batch of the
 * change they record; the sealer then links them in id order:
 *
 *   prev_hash(n) = hash(n-1)   (GENESIS for the first entry)
 *   hash(n)      = sha256(prev_hash(n) ‖ "\n" ‖ canonical(entry n))
 *
 * Sealing is a separate step because SQLite has no sha256 and an entry must stay a plain drizzle insert
 * in someone else's batch. It is safe to run anywhere and concurrently (two isolates, two requests,
 * the verify command beside the server): the input of every hash is immutable, so any two sealers
 * compute the same values, and each UPDATE is guarded (`hash IS NULL` and the previous entry's hash is
 * the one chained to), so a sealer that lost a race changes nothing. Triggers of migration 0006 refuse
 * DELETE, any other UPDATE, and an INSERT before the last entry.
 */
import { asc, gt, sql } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { auditLog } from "../db/schema.ts";

/** The `prev_hash` of the first entry. */
export const GENESIS = "0".repeat(64);

const SEAL_PAGE = 500;
const VERIFY_PAGE = 1000;

/** The immutable part of an entry: everything the hash covers. */
export interface ChainEntry {
  id: number;
  at: number;
  actorId: string | null;
  actorName: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  ip: string | null;
  detail: string;
}

/** One line of JSON with the entry's fields in a fixed order; the id is in it, so no entry can move. */
export function canonicalEntry(e: ChainEntry): string {
  return JSON.stringify([
    e.id,
    e.at,
    e.actorId,
    e.actorName,
    e.action,
    e.targetType,
    e.targetId,
    e.ip,
    e.detail,
  ]);
}

/** sha256(prev ‖ "\n" ‖ canonical(entry)) as lower-case hex, with Web Crypto (Node and Workers). */
export async function entryHash(prev: string, entry: ChainEntry): Promise<string> {
  const bytes = new TextEncoder().encode(`${prev}\n${canonicalEntry(entry)}`);
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

interface RawEntry {
  id: number;
  at: number;
  actor_id: string | null;
  actor_name: string | null;
  action: string;
  target_type: string | null;
  target_id: string | null;
  ip: string | null;
  detail: string;
  hash: string | null;
}

const fromRaw = (r: RawEntry): ChainEntry => ({
  id: Number(r.id),
  at: Number(r.at),
  actorId: r.actor_id,
  actorName: r.actor_name,
  action: r.action,
  targetType: r.target_type,
  targetId: r.target_id,
  ip: r.ip,
  detail: r.detail,
});

/**
 * The last sealed entry and the unsealed ones after it, read in ONE statement so the head and the
 * pending entries come from the same snapshot (a concurrent sealer cannot slip in between).
 */
function pendingWithHead(db: Db) {
  return db.all<RawEntry>(sql`
    WITH first AS (SELECT min(id) AS id FROM audit_log WHERE hash IS NULL)
    SELECT a.id, a.at, a.actor_id, a.actor_name, a.action, a.target_type, a.target_id, a.ip, a.detail, a.hash
      FROM audit_log a, first
     WHERE first.id IS NOT NULL
       AND a.id >= coalesce((SELECT max(id) FROM audit_log WHERE id < first.id), first.id)
     ORDER BY a.id
     LIMIT ${SEAL_PAGE + 1}`);
}

function sealUpdate(db: Db, id: number, prev: string, hash: string) {
  return db
    .update(auditLog)
    .set({ prevHash: prev, hash })
    .where(
      sql`${auditLog.id} = ${id} AND ${auditLog.hash} IS NULL
        AND coalesce((SELECT p.hash FROM audit_log p WHERE p.id < ${id} ORDER BY p.id DESC LIMIT 1), ${GENESIS}) = ${prev}`,
    );
}

/**
 * Seals one page of pending entries; returns how many updates it tried (for paging) and how many took
 * effect (a concurrent sealer may have linked the same entries first).
 */
async function sealPage(db: Db): Promise<{ tried: number; linked: number; more: boolean }> {
  const rows = await pendingWithHead(db);
  if (rows.length === 0) return { tried: 0, linked: 0, more: false };
  let prev = GENESIS;
  let start = 0;
  if (rows[0]!.hash !== null) {
    prev = rows[0]!.hash;
    start = 1;
  }
  const updates = [];
  for (const row of rows.slice(start)) {
    // Sealing goes in id order, so one snapshot never shows a sealed entry after a pending one.
    if (row.hash !== null) break;
    const hash = await entryHash(prev, fromRaw(row));
    updates.push(sealUpdate(db, Number(row.id), prev, hash));
    prev = hash;
  }
  if (updates.length === 0) return { tried: 0, linked: 0, more: false };
  const results = await db.batch(updates as [(typeof updates)[0], ...typeof updates]);
  const linked = results.reduce((n, r) => n + r.rowsAffected, 0);
  return { tried: updates.length, linked, more: rows.length > SEAL_PAGE };
}

/** Links every unsealed entry into the chain; returns how many this call linked itself. */
export async function sealAuditLog(db: Db): Promise<number> {
  let total = 0;
  for (;;) {
    const { tried, linked, more } = await sealPage(db);
    total += linked;
    if (!more || tried === 0) return total;
  }
}

export interface ChainReport {
  ok: boolean;
  /** Sealed entries checked and found linked. */
  verified: number;
  /** Entries after the last sealed one that are not sealed yet (appended since the last seal). */
  pending: number;
  /** The last verified entry: record it somewhere else to detect a rewrite of the whole chain later. */
  head: { id: number; hash: string } | null;
  /** The first entry that does not fit, and why. */
  broken?: { id: number; reason: string };
}

export interface VerifyOptions {
  /** An entry verified earlier: checking continues after it, chained to its hash. */
  from?: { id: number; hash: string };
  /** Stop after this many sealed entries (`more` then says whether any are left). */
  limit?: number;
}

/**
 * Recomputes the chain from the first entry (or from `options.from`). Reads pages in id order; an entry
 * appended while it runs is simply checked too (or counted as pending if not sealed yet).
 */
export async function verifyAuditChain(
  db: Db,
  options: VerifyOptions = {},
): Promise<ChainReport & { more?: boolean }> {
  const report: ChainReport = { ok: true, verified: 0, pending: 0, head: options.from ?? null };
  let prev = options.from?.hash ?? GENESIS;
  let after = options.from?.id ?? -Infinity;
  const limit = options.limit ?? Infinity;
  for (;;) {
    if (report.verified >= limit) return { ...report, more: true };
    const pageSize = Math.min(VERIFY_PAGE, limit - report.verified);
    const rows = await db
      .select()
      .from(auditLog)
      .where(after === -Infinity ? undefined : gt(auditLog.id, after))
      .orderBy(asc(auditLog.id))
      .limit(pageSize);
    for (const row of rows) {
      const fail = (reason: string): ChainReport => ({
        ...report,
        ok: false,
        broken: { id: row.id, reason },
      });
      if (row.hash === null) {
        if (row.prevHash !== null) return fail("prev_hash set on an unsealed entry");
        report.pending++;
        continue;
      }
      if (report.pending > 0) return fail("sealed entry after an unsealed one");
      if (row.prevHash !== prev)
        return fail("prev_hash is not the previous entry's hash (entry removed or moved)");
      const expected = await entryHash(prev, row);
      if (row.hash !== expected) return fail("hash does not match the entry (entry changed)");
      report.verified++;
      report.head = { id: row.id, hash: row.hash };
      prev = row.hash;
    }
    if (rows.length < pageSize) return report;
    after = rows[rows.length - 1]!.id;
  }
}
