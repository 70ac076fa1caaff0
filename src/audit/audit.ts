import type { Context, MiddlewareHandler } from "hono";
import { auditLog } from "../db/schema.ts";
import type { AppEnv } from "../env.ts";
import { sealAuditLog } from "./chain.ts";
import { logError } from "../lib/log.ts";

/** Requests that wrote an audit line through auditInsert (GETs included: exports are audited). */
const audited = new WeakSet<Request>();
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

export interface AuditEntry {
  action: string;
  targetType?: string;
  targetId?: string;
  detail?: Record<string, unknown>;
  /** Overrides the session user, e.g. for a failed login that has no session. */
  actorName?: string;
}

/**
 * The insert for one audit line, to put in the same `db.batch()` as the change it records, so a state
 * change and its audit line commit together or not at all.
 */
export function auditInsert(c: Context<AppEnv>, entry: AuditEntry) {
  const user = c.var.user;
  audited.add(c.req.raw);
  return c.var.db.insert(auditLog).values({
    at: Date.now(),
    actorId: user?.id ?? null,
    actorName: entry.actorName ?? user?.username ?? null,
    action: entry.action,
    targetType: entry.targetType ?? null,
    targetId: entry.targetId ?? null,
    ip: c.var.clientIp ?? null,
    detail: JSON.stringify(entry.detail ?? {}),
  });
}

/** Writes an audit line on its own (for events that change nothing else: logins, denials, exports). */
export async function audit(c: Context<AppEnv>, entry: AuditEntry): Promise<void> {
  await auditInsert(c, entry);
}

export type AuditInsert = ReturnType<typeof auditInsert>;

/**
 * Seals the audit chain (src/audit/chain.ts) once the request is done: after every write request
 * (some features append audit lines with raw SQL) and after a read that audited. The form submission
 * writes no audit line and does not pass here (its lane in src/app.ts). The answer waits for the
 * seal, so an acknowledged change's audit line is already linked. Each request seals for itself, sharing
 * no promise with another (a Worker may not do I/O on behalf of another request); concurrent seals are
 * safe and cheap (one indexed SELECT when nothing is pending). A failed seal is logged, not answered
 * with an error: the change itself committed, and the next seal (or start-up) links the line.
 */
export const sealAuditAfterWrites: MiddlewareHandler<AppEnv> = async (c, next) => {
  await next();
  if (!audited.has(c.req.raw) && SAFE_METHODS.has(c.req.method)) return;
  try {
    await sealAuditLog(c.var.db);
  } catch (error) {
    logError({ event: "audit_seal_failed" }, error);
  }
};
