import type { Context } from "hono";
import { auditLog } from "../db/schema.ts";
import type { AppEnv } from "../env.ts";

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
