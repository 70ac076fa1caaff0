/**
 * `npm run db:export -- file.jsonl` / `npm run db:import -- file.jsonl`: moves every table between an
 * embedded file and a libSQL server (either direction), as JSON lines.
 *
 * The database is LIBSQL_URL (with LIBSQL_AUTH_TOKEN) when set, else DATABASE_URL, else the Node
 * server's file; `--url <url>` overrides both. The export reads in one read transaction, so it is a
 * consistent snapshot even while the server writes. The import migrates the target, refuses one that
 * holds data or whose migrations differ from the source's, and checks foreign keys at the end.
 *
 * Format: a header line `{"format":"lianma-export","version":1,"migrations":[…],"tables":[…]}`, then
 * per table `{"table":name,"columns":[…]}` followed by `{"row":[…]}` lines. Integers are JSON numbers
 * (`{"$int":"…"}` beyond 2^53), a REAL with an integral value is `{"$real":n}`, blobs `{"$blob":base64}`.
 */
import { createClient, type Client, type InStatement, type InValue, type Transaction } from "@libsql/client";
import { createReadStream, createWriteStream } from "node:fs";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { pathToFileURL } from "node:url";
import { openDatabase } from "./client.ts";
import { runMigrations } from "./migrate.ts";

const FORMAT = "lianma-export";
const VERSION = 1;
const PAGE = 500;
const BATCH_STATEMENTS = 200;
const BATCH_BYTES = 512 * 1024;

type Json = null | number | string | { $int: string } | { $real: number } | { $blob: string };
type Reader = Pick<Client | Transaction, "execute">;

interface Header {
  format: string;
  version: number;
  exportedAt: string;
  migrations: string[];
  tables: string[];
}

/** Opens a client that reads integers as bigint, so an INTEGER and an integral REAL stay apart. */
export function openTransferClient(url: string, authToken?: string): Client {
  return createClient({ url, authToken, intMode: "bigint" });
}

const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;

/** Every table the app owns: not SQLite's, not the migrations journal, not a replicator's. */
export async function userTables(db: Reader): Promise<string[]> {
  const rs = await db.execute(
    `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'
      AND name <> '__drizzle_migrations' AND name NOT LIKE '\\_litestream%' ESCAPE '\\'
      AND name NOT LIKE 'libsql\\_%' ESCAPE '\\' AND name NOT LIKE '\\_cf\\_%' ESCAPE '\\' ORDER BY name`,
  );
  return rs.rows.map((r) => String(r[0]));
}

async function appliedMigrations(db: Reader): Promise<string[]> {
  const rs = await db.execute("SELECT hash FROM __drizzle_migrations ORDER BY created_at, id");
  return rs.rows.map((r) => String(r[0]));
}

async function columnsOf(db: Reader, table: string): Promise<string[]> {
  const rs = await db.execute(
    `SELECT name FROM pragma_table_info(${`'${table.replaceAll("'", "''")}'`}) ORDER BY cid`,
  );
  return rs.rows.map((r) => String(r[0]));
}

function encode(v: unknown): Json {
  if (v === null || v === undefined) return null;
  if (typeof v === "bigint") return Number.isSafeInteger(Number(v)) ? Number(v) : { $int: v.toString() };
  if (typeof v === "number") return Number.isInteger(v) ? { $real: v } : v;
  if (typeof v === "string") return v;
  if (v instanceof ArrayBuffer) return { $blob: Buffer.from(v).toString("base64") };
  if (ArrayBuffer.isView(v))
    return { $blob: Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString("base64") };
  throw new Error(`cannot export a value of type ${typeof v}`);
}

function decode(v: Json): InValue {
  if (v === null) return null;
  if (typeof v === "number") return Number.isInteger(v) ? BigInt(v) : v;
  if (typeof v === "string") return v;
  if ("$int" in v) return BigInt(v.$int);
  if ("$real" in v) return v.$real;
  if ("$blob" in v) return new Uint8Array(Buffer.from(v.$blob, "base64"));
  throw new Error(`unknown value ${JSON.stringify(v)}`);
}

/**
 * Writes the whole database as JSON lines through `write`, from one read transaction. `client` must
 * read integers as bigint (openTransferClient). Returns the row count of each table.
 */
export async function exportDatabase(
  client: Client,
  write: (line: string) => void | Promise<void>,
): Promise<Record<string, number>> {
  const tx = await client.transaction("read");
  try {
    const tables = await userTables(tx);
    const header: Header = {
      format: FORMAT,
      version: VERSION,
      exportedAt: new Date().toISOString(),
      migrations: await appliedMigrations(tx),
      tables,
    };
    await write(JSON.stringify(header));
    const counts: Record<string, number> = {};
    for (const table of tables) {
      const columns = await columnsOf(tx, table);
      await write(JSON.stringify({ table, columns }));
      counts[table] = 0;
      let after: bigint | null = null;
      for (;;) {
        const list = columns.map(quote).join(", ");
        const rs = await tx.execute({
          sql: `SELECT rowid, ${list} FROM ${quote(table)} ${after === null ? "" : "WHERE rowid > ?"} ORDER BY rowid LIMIT ${PAGE}`,
          args: after === null ? [] : [after],
        });
        for (const row of rs.rows) {
          await write(JSON.stringify({ row: columns.map((_, i) => encode(row[i + 1])) }));
        }
        counts[table] += rs.rows.length;
        if (rs.rows.length < PAGE) break;
        after = BigInt(rs.rows[rs.rows.length - 1]![0] as bigint);
      }
    }
    return counts;
  } finally {
    tx.close();
  }
}

/**
 * Loads an export into a migrated, empty database: batches of inserts with foreign keys deferred
 * (`client.migrate()`) and triggers lifted, then `PRAGMA foreign_key_check`. Returns the row count of
 * each table.
 */
export async function importDatabase(
  client: Client,
  lines: AsyncIterable<string>,
): Promise<Record<string, number>> {
  const iterator = lines[Symbol.asyncIterator]();
  const first = await iterator.next();
  if (first.done) throw new Error("the export is empty");
  const header = JSON.parse(first.value) as Header;
  if (header.format !== FORMAT || header.version !== VERSION) {
    throw new Error(`not a ${FORMAT} v${VERSION} file`);
  }
  const migrations = await appliedMigrations(client);
  if (JSON.stringify(migrations) !== JSON.stringify(header.migrations)) {
    throw new Error(
      `the target has ${migrations.length} migrations applied, the export ${header.migrations.length}, ` +
        "or they differ: run `npm run db:migrate` on the source, export again, and import into a fresh database",
    );
  }
  const targetTables = new Set(await userTables(client));
  for (const table of targetTables) {
    const rs = await client.execute(`SELECT 1 FROM ${quote(table)} LIMIT 1`);
    if (rs.rows.length)
      throw new Error(`the target is not empty (table ${table} has rows); import into a fresh database`);
  }

  // Rows are restored as they were, derived tables too: no trigger may fire on them (the audit log's
  // append-only triggers, the dashboard's counters). They are put back even if the load fails.
  const triggers = await liftTriggers(client);
  try {
    return await loadRows(client, iterator, targetTables);
  } finally {
    await client.migrate(triggers.map((t) => t.sql));
  }
}

async function liftTriggers(client: Client): Promise<{ name: string; sql: string }[]> {
  const rs = await client.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name");
  const triggers = rs.rows.map((r) => ({ name: String(r[0]), sql: String(r[1]) }));
  await client.migrate(triggers.map((t) => `DROP TRIGGER ${quote(t.name)}`));
  return triggers;
}

async function loadRows(
  client: Client,
  iterator: AsyncIterator<string>,
  targetTables: Set<string>,
): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  let table: string | null = null;
  let insert = "";
  let pending: InStatement[] = [];
  let pendingBytes = 0;
  const flush = async () => {
    if (pending.length) await client.migrate(pending);
    pending = [];
    pendingBytes = 0;
  };
  for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
    const line = next.value;
    if (!line.trim()) continue;
    const item = JSON.parse(line) as { table?: string; columns?: string[]; row?: Json[] };
    if (item.table !== undefined) {
      if (!targetTables.has(item.table)) throw new Error(`the target has no table ${item.table}`);
      const targetColumns = new Set(await columnsOf(client, item.table));
      for (const c of item.columns ?? []) {
        if (!targetColumns.has(c)) throw new Error(`the target table ${item.table} has no column ${c}`);
      }
      table = item.table;
      counts[table] = 0;
      const cols = item.columns!;
      insert = `INSERT INTO ${quote(table)} (${cols.map(quote).join(", ")}) VALUES (${cols.map(() => "?").join(", ")})`;
      continue;
    }
    if (!item.row || table === null) throw new Error("a row before its table line");
    pending.push({ sql: insert, args: item.row.map(decode) });
    pendingBytes += line.length;
    counts[table]++;
    if (pending.length >= BATCH_STATEMENTS || pendingBytes >= BATCH_BYTES) await flush();
  }
  await flush();
  const broken = await client.execute("PRAGMA foreign_key_check");
  if (broken.rows.length) {
    throw new Error(
      `imported rows break ${broken.rows.length} foreign keys, e.g. in table ${String(broken.rows[0]![0])}`,
    );
  }
  return counts;
}

function targetUrl(args: string[]): { url: string; authToken?: string } {
  const i = args.indexOf("--url");
  const url =
    (i >= 0 ? args[i + 1] : undefined) ||
    process.env.LIBSQL_URL ||
    process.env.DATABASE_URL ||
    "file:./data/lianma.db";
  return { url, authToken: process.env.LIBSQL_AUTH_TOKEN || undefined };
}

export const redact = (url: string) =>
  url.replace(/\/\/[^@/]*@/, "//***@").replace(/([?&]authToken=)[^&]+/, "$1***");

async function main(args: string[]) {
  const [command, file] = args.filter((a, i) => !a.startsWith("--") && args[i - 1] !== "--url");
  if ((command !== "export" && command !== "import") || !file) {
    console.error(
      "usage: npm run db:export -- <file.jsonl>   |   npm run db:import -- <file.jsonl>   [--url <url>]",
    );
    process.exit(2);
  }
  const { url, authToken } = targetUrl(args);
  if (command === "export") {
    const client = openTransferClient(url, authToken);
    const out = createWriteStream(file);
    const counts = await exportDatabase(client, async (line) => {
      if (!out.write(line + "\n")) await once(out, "drain");
    });
    out.end();
    await once(out, "finish");
    client.close();
    console.log(`exported ${redact(url)} → ${file}: ${JSON.stringify(counts)}`);
  } else {
    const database = await openDatabase({ url, authToken });
    await runMigrations(database.db);
    database.close();
    const client = openTransferClient(url, authToken);
    const lines = createInterface({ input: createReadStream(file, "utf8"), crlfDelay: Infinity });
    const counts = await importDatabase(client, lines);
    client.close();
    console.log(`imported ${file} → ${redact(url)}: ${JSON.stringify(counts)}`);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).catch((error) => {
    console.error(String(error?.message ?? error));
    process.exit(1);
  });
}
