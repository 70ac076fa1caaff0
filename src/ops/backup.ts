/**
 * Online backup and restore of the embedded database (Node deployment).
 *
 * Backup is SQLite's `VACUUM INTO`, run by libSQL on its own connection: it reads the database in one
 * read transaction, so under WAL it neither blocks the running server nor sees half of a commit, and it
 * writes a compact, self-contained file (no -wal/-shm). It writes a temporary file beside the
 * destination and renames it only once `PRAGMA integrity_check` passed on it, so a backup path never
 * holds a torn or unchecked copy.
 *
 * Restore copies a backup to a database path that must be fresh (no file, or an empty one) unless
 * forced, removing any old -wal/-shm with it; the server must be stopped for a forced restore. Both
 * sides are integrity-checked, and the audit chain of the copy is verified without writing to it.
 */
import { createClient, type Client } from "@libsql/client";
import { copyFile, mkdir, rename, rm, stat } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { drizzle } from "drizzle-orm/libsql";
import { verifyAuditChain, type ChainReport } from "../audit/chain.ts";
import { userTables } from "../db/export-import.ts";
import * as schema from "../db/schema.ts";

export interface CopyReport {
  /** Rows per table of the copy. */
  tables: Record<string, number>;
  audit: ChainReport;
}

/** The file path of a `file:` URL (or a plain path); anything else is not an embedded database. */
export function filePath(urlOrPath: string): string {
  let path = urlOrPath;
  if (urlOrPath.startsWith("file:")) {
    path = urlOrPath.slice("file:".length).replace(/^\/\/(?=\/)/, ""); // file:///srv/x.db → /srv/x.db
  } else if (/^[a-z][a-z0-9+.-]*:/i.test(urlOrPath) && !/^[a-z]:[\\/]/i.test(urlOrPath)) {
    throw new Error(
      `${urlOrPath.split(":")[0]}: is a libSQL server: back it up with the server's own tools, ` +
        "or take a logical copy with `npm run db:export`",
    );
  }
  if (!path || path.includes(":memory:")) throw new Error("an in-memory database has nothing to back up");
  return path;
}

const open = (path: string) => createClient({ url: `file:${path}` });

/** Throws unless `PRAGMA integrity_check` answers exactly "ok". */
export async function assertIntact(client: Client, label: string): Promise<void> {
  const rs = await client.execute("PRAGMA integrity_check");
  const answers = rs.rows.map((r) => String(r[0]));
  if (answers.length !== 1 || answers[0] !== "ok") {
    throw new Error(`integrity_check failed on ${label}: ${answers.slice(0, 5).join("; ")}`);
  }
}

async function sizeOf(path: string): Promise<number | null> {
  try {
    return (await stat(path)).size;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw error;
  }
}

async function describeCopy(client: Client): Promise<CopyReport> {
  const tables: Record<string, number> = {};
  for (const table of await userTables(client)) {
    const rs = await client.execute(`SELECT count(*) FROM "${table.replaceAll('"', '""')}"`);
    tables[table] = Number(rs.rows[0]![0]);
  }
  return { tables, audit: await verifyAuditChain(drizzle(client, { schema })) };
}

const temporaryBeside = (path: string) =>
  join(dirname(path), `.${basename(path)}.partial-${process.pid}-${Date.now()}`);

/**
 * Snapshots the database at `source` (a `file:` URL or path; the server may be running) into a new
 * file `dest`, which must not exist yet.
 */
export async function backupDatabase(source: string, dest: string): Promise<CopyReport> {
  const from = filePath(source);
  if ((await sizeOf(from)) === null) throw new Error(`no database at ${from}`);
  if ((await sizeOf(dest)) !== null)
    throw new Error(`${dest} exists already; choose a new file for each backup`);
  await mkdir(dirname(dest), { recursive: true });
  const temporary = temporaryBeside(dest);
  const src = open(from);
  try {
    await src.execute("PRAGMA busy_timeout = 5000");
    await assertIntact(src, from);
    await src.execute({ sql: "VACUUM INTO ?", args: [temporary] });
  } finally {
    src.close();
  }
  const copy = open(temporary);
  try {
    await assertIntact(copy, dest);
    const report = await describeCopy(copy);
    copy.close();
    await rename(temporary, dest);
    return report;
  } catch (error) {
    copy.close();
    await rm(temporary, { force: true });
    throw error;
  }
}

/**
 * Puts the backup `backup` in place as the database at `target` (a `file:` URL or path). Refuses a
 * target holding a non-empty database unless `force` (stop the server first).
 */
export async function restoreDatabase(
  backup: string,
  target: string,
  opts: { force?: boolean } = {},
): Promise<CopyReport> {
  const to = filePath(target);
  if ((await sizeOf(backup)) === null) throw new Error(`no backup at ${backup}`);
  const src = open(backup);
  try {
    await assertIntact(src, backup);
  } finally {
    src.close();
  }
  const existing = await sizeOf(to);
  if (existing && !opts.force) {
    throw new Error(
      `${to} holds a database already; restore into a new path, or stop the server and add --force`,
    );
  }
  await mkdir(dirname(to), { recursive: true });
  const temporary = temporaryBeside(to);
  await copyFile(backup, temporary);
  const copy = open(temporary);
  try {
    await assertIntact(copy, to);
    const report = await describeCopy(copy);
    copy.close();
    await Promise.all(["-wal", "-shm"].map((s) => rm(to + s, { force: true })));
    await rename(temporary, to);
    return report;
  } catch (error) {
    copy.close();
    await rm(temporary, { force: true });
    throw error;
  }
}
