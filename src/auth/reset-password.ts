import { eq } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { runBatch } from "../db/client.ts";
import { auditLog, sessions, users } from "../db/schema.ts";
import { randomToken } from "../lib/ids.ts";
import { hashPassword } from "./password.ts";
import { findUserByLogin } from "./username.ts";

/**
 * Sets a new password for the account named `username` (any case) on the server itself — the way
 * back in when the only administrator's password is lost. Ends the account's sessions and leaves an
 * audit line. Generates a password when none is given. Returns null when there is no such account.
 */
export async function resetPassword(
  db: Db,
  username: string,
  password?: string,
): Promise<{ username: string; password: string; generated: boolean } | null> {
  const user = await findUserByLogin(db, username);
  if (!user) return null;
  if (password !== undefined && password.length < 10) throw new Error("密码至少 10 位");
  const chosen = password ?? randomToken(12);
  const now = Date.now();
  await runBatch(db, [
    db
      .update(users)
      .set({ passwordHash: await hashPassword(chosen), disabled: false, updatedAt: now })
      .where(eq(users.id, user.id)),
    db.delete(sessions).where(eq(sessions.userId, user.id)),
    db.insert(auditLog).values({
      at: now,
      actorName: "system",
      action: "user.password_reset",
      targetType: "user",
      targetId: user.id,
      detail: JSON.stringify({
        reason: "admin:reset-password (server console)",
        sessionsEnded: true,
        reenabled: user.disabled,
      }),
    }),
  ]);
  return { username: user.username, password: chosen, generated: password === undefined };
}
