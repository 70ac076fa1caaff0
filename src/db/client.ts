import { createClient, type Client } from "@libsql/client";
import { drizzle, type LibSQLDatabase } from "drizzle-orm/libsql";
import * as schema from "./schema.ts";

export type Db = LibSQLDatabase<typeof schema>;

export interface Database {
  db: Db;
  client: Client;
  /** True for an embedded file/:memory: database, false for a libSQL server over HTTP/WebSocket. */
  embedded: boolean;
  close(): void;
}

export type SynchronousLevel = "OFF" | "NORMAL" | "FULL" | "EXTRA";

export interface OpenOptions {
  url: string;
  authToken?: string;
  /** SQLite `synchronous` for embedded files: FULL makes an acknowledged commit survive power loss. */
  synchronous?: SynchronousLevel;
  busyTimeoutMs?: number;
}

const SYNC_CODES: Record<SynchronousLevel, number> = { OFF: 0, NORMAL: 1, FULL: 2, EXTRA: 3 };

/**
 * Opens the database. An embedded database is held on exactly one connection (`concurrency: 1`):
 * libSQL's Node driver is synchronous, so a second connection adds no parallelism, and per-connection
 * pragmas (synchronous, foreign_keys, busy_timeout) would silently be missing on connections the pool
 * opened later. Writes that must be atomic use `batch()`, never interactive transactions, which would
 * hold the single connection across awaits.
 */
export async function openDatabase(opts: OpenOptions): Promise<Database> {
  const embedded = opts.url.startsWith("file:") || opts.url === ":memory:";
  if (opts.url.startsWith("file:") && !opts.url.includes(":memory:")) {
    // Loaded here, not at the top: the Worker bundle imports this module (runBatch, Db) and has no disk.
    const [{ mkdirSync }, { dirname }] = await Promise.all([import("node:fs"), import("node:path")]);
    mkdirSync(dirname(opts.url.slice("file:".length)), { recursive: true });
  }
  // A libSQL server over HTTP serves requests in parallel; only the embedded file needs one connection.
  const client = createClient({ url: opts.url, authToken: opts.authToken, concurrency: embedded ? 1 : 20 });
  if (embedded) await applyPragmas(client, opts);
  const db = drizzle(client, { schema });
  return { db, client, embedded, close: () => client.close() };
}

async function applyPragmas(client: Client, opts: OpenOptions): Promise<void> {
  const level = opts.synchronous ?? "FULL";
  const busy = opts.busyTimeoutMs ?? 5000;
  const inMemory = opts.url.includes(":memory:");
  if (!inMemory) await client.execute("PRAGMA journal_mode = WAL");
  await client.execute(`PRAGMA synchronous = ${level}`);
  await client.execute("PRAGMA foreign_keys = ON");
  await client.execute(`PRAGMA busy_timeout = ${busy}`);
  await assertPragmas(client, { synchronous: level, busyTimeoutMs: busy, wal: !inMemory });
}

/** Reads the pragmas back and throws if any is not what the server relies on. */
export async function assertPragmas(
  client: Client,
  want: { synchronous: SynchronousLevel; busyTimeoutMs: number; wal: boolean },
): Promise<void> {
  const read = async (name: string) => {
    const rs = await client.execute(`PRAGMA ${name}`);
    return rs.rows[0]?.[0];
  };
  const problems: string[] = [];
  const journal = String(await read("journal_mode")).toLowerCase();
  if (want.wal && journal !== "wal") problems.push(`journal_mode=${journal}, want wal`);
  const sync = Number(await read("synchronous"));
  if (sync !== SYNC_CODES[want.synchronous]) problems.push(`synchronous=${sync}, want ${want.synchronous}`);
  if (Number(await read("foreign_keys")) !== 1) problems.push("foreign_keys is off");
  const busy = Number(await read("busy_timeout"));
  if (busy !== want.busyTimeoutMs) problems.push(`busy_timeout=${busy}, want ${want.busyTimeoutMs}`);
  if (problems.length) throw new Error(`database pragmas not in force: ${problems.join("; ")}`);
}

type BatchItem = Parameters<Db["batch"]>[0][number];

/** Runs statements in one atomic batch (one transaction): all of them commit, or none. */
export async function runBatch(db: Db, items: BatchItem[]): Promise<void> {
  if (items.length === 0) return;
  await db.batch(items as [BatchItem, ...BatchItem[]]);
}
