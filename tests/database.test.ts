import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { assertPragmas, openDatabase } from "../src/db/client.ts";
import { runMigrations } from "../src/db/migrate.ts";
import { settings } from "../src/db/schema.ts";
import { migratedTestDatabase } from "./helpers.ts";

const dir = mkdtempSync(join(tmpdir(), "lianma-db-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("openDatabase (embedded file)", () => {
  it("puts WAL, synchronous=FULL, foreign keys and a busy timeout in force", async () => {
    const database = await openDatabase({ url: `file:${join(dir, "a.db")}` });
    await expect(
      assertPragmas(database.client, { synchronous: "FULL", busyTimeoutMs: 5000, wal: true }),
    ).resolves.toBeUndefined();
    database.close();
  });

  it("keeps the pragmas after batches and many operations (one pooled connection)", async () => {
    const database = await openDatabase({ url: `file:${join(dir, "b.db")}`, synchronous: "NORMAL" });
    await runMigrations(database.db);
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        database.db.batch([
          database.db.insert(settings).values({ key: `k${i}`, value: "v" }),
          database.db.insert(settings).values({ key: `k${i}b`, value: "v" }),
        ]),
      ),
    );
    expect(await database.db.select().from(settings)).toHaveLength(40);
    await assertPragmas(database.client, { synchronous: "NORMAL", busyTimeoutMs: 5000, wal: true });
    database.close();
  });

  it("sees no SQLITE_BUSY with 20 parallel writers on two clients of one file", async () => {
    const url = `file:${join(dir, "c.db")}`;
    const a = await openDatabase({ url });
    await runMigrations(a.db);
    const b = await openDatabase({ url });
    const writes = Array.from({ length: 20 }, (_, i) =>
      (i % 2 ? a : b).db.insert(settings).values({ key: `w${i}`, value: String(i) }),
    );
    await Promise.all(writes);
    expect(await a.db.select().from(settings)).toHaveLength(20);
    a.close();
    b.close();
  });

  it("refuses to start when a pragma is not in force", async () => {
    const database = await openDatabase({ url: `file:${join(dir, "d.db")}` });
    await database.client.execute("PRAGMA foreign_keys = OFF");
    await expect(
      assertPragmas(database.client, { synchronous: "FULL", busyTimeoutMs: 5000, wal: true }),
    ).rejects.toThrow(/foreign_keys/);
    database.close();
  });
});

describe("the test helpers' migrated database", () => {
  /** Every schema object, every row of every table (the drizzle journal too), in a stable order. */
  async function contents(client: import("@libsql/client").Client) {
    const objects = await client.execute(
      "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_autoindex%' ORDER BY type, name",
    );
    const data: Record<string, unknown[]> = {};
    for (const o of objects.rows.filter((r) => r.type === "table")) {
      const rows = await client.execute(`SELECT * FROM "${String(o.name)}" ORDER BY 1`);
      data[String(o.name)] = rows.rows.map((r) => Array.from(r));
    }
    return { objects: objects.rows.map((r) => Array.from(r)), data };
  }

  it("replays to exactly what the migrations leave, with foreign keys in force", async () => {
    const migrated = await openDatabase({ url: ":memory:" });
    await runMigrations(migrated.db);
    const replayed = await migratedTestDatabase();
    const want = await contents(migrated.client);
    expect(want.objects.length).toBeGreaterThan(20);
    expect(await contents(replayed.client)).toEqual(want);
    await assertPragmas(replayed.client, { synchronous: "FULL", busyTimeoutMs: 5000, wal: false });
    // Running the migrations again finds nothing to do: the journal came along.
    await expect(runMigrations(replayed.db)).resolves.toBeUndefined();
    expect(await contents(replayed.client)).toEqual(want);
    migrated.close();
    replayed.close();
  });
});
