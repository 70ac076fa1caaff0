import { sql } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { users } from "../db/schema.ts";

/**
 * The user a sign-in name means, whatever its case (`SCJG-admin` is `scjg-admin`). Names stored
 * before this rule may differ only in case: then the exact spelling wins, and without one the name
 * is ambiguous and means nobody (never a guess between two accounts).
 */
export async function findUserByLogin(db: Db, username: string) {
  const rows = await db
    .select()
    .from(users)
    .where(sql`lower(${users.username}) = lower(${username})`)
    .limit(10);
  return rows.find((u) => u.username === username) ?? (rows.length === 1 ? rows[0] : undefined);
}

/** Whether a sign-in name is taken by another account in any case (new names must differ in more than case). */
export async function usernameTaken(db: Db, username: string, exceptId?: string): Promise<boolean> {
  const rows = await db
    .select({ id: users.id })
    .from(users)
    .where(sql`lower(${users.username}) = lower(${username})`)
    .limit(2);
  return rows.some((r) => r.id !== exceptId);
}
