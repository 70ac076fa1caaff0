import { sql, type SQL } from "drizzle-orm";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";

/** `column LIKE %q%` with LIKE's wildcards in `q` escaped, so a search for "50%" means the characters. */
export function contains(column: SQLiteColumn | SQL, q: string): SQL {
  const pattern = `%${q.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;
  return sql`${column} LIKE ${pattern} ESCAPE '\\'`;
}

/** Opaque keyset cursor over (text, id). */
export function encodeCursor(key: string, id: string): string {
  return Buffer.from(JSON.stringify([key, id])).toString("base64url");
}

export function decodeCursor(cursor: string): { key: string; id: string } | null {
  try {
    const [key, id] = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
    if (typeof key === "string" && typeof id === "string") return { key, id };
  } catch {
    // an unreadable cursor is reported by the caller
  }
  return null;
}
