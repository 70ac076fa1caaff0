import { sql, type SQL } from "drizzle-orm";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";
import { decodeCursor as decode, encodeCursor as encode } from "../lib/cursor.ts";

/** `column LIKE %q%` with LIKE's wildcards in `q` escaped, so a search for "50%" means the characters. */
export function contains(column: SQLiteColumn | SQL, q: string): SQL {
  const pattern = `%${q.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;
  return sql`${column} LIKE ${pattern} ESCAPE '\\'`;
}

/** Opaque keyset cursor over (text, id). */
export function encodeCursor(key: string, id: string): string {
  return encode([key, id]);
}

/** null for an unreadable cursor, which the caller reports. */
export function decodeCursor(cursor: string): { key: string; id: string } | null {
  const c = decode(cursor, ["string", "string"] as const);
  return c && { key: c[0], id: c[1] };
}
