import { createClient, type Client } from "@libsql/client/web";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHranaStandin, type HranaStandin } from "../hrana-standin/server.ts";

// The stand-in must behave as sqld does wherever the app depends on it; the client here is the very
// `@libsql/client/web` the Worker uses.

const dir = mkdtempSync(join(tmpdir(), "lianma-standin-"));
let standin: HranaStandin;
let client: Client;

beforeAll(async () => {
  standin = await startHranaStandin({ path: join(dir, "t.db"), authToken: "sekret" });
  client = createClient({ url: standin.url, authToken: "sekret" });
  await client.execute("CREATE TABLE kv (k TEXT PRIMARY KEY, n INTEGER, r REAL, b BLOB)");
  await client.execute("CREATE TABLE child (id INTEGER PRIMARY KEY, k TEXT NOT NULL REFERENCES kv(k))");
});
afterAll(async () => {
  client.close();
  await standin.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("Hrana over HTTP (v2 pipeline)", () => {
  it("refuses a request without the token", async () => {
    const stranger = createClient({ url: standin.url });
    await expect(stranger.execute("SELECT 1")).rejects.toThrow(/Unauthorized/);
    stranger.close();
  });

  it("round-trips integers beyond 2^53, reals, text, blobs and NULL", async () => {
    const big = 9_007_199_254_740_993n;
    await client.execute({
      sql: "INSERT INTO kv VALUES (?, ?, ?, ?)",
      args: ["a", big, 2.5, new Uint8Array([0, 1, 254, 255])],
    });
    const bigints = createClient({ url: standin.url, authToken: "sekret", intMode: "bigint" });
    const rs = await bigints.execute("SELECT k, n, r, b, NULL AS z, typeof(n) AS t FROM kv WHERE k = 'a'");
    bigints.close();
    expect(rs.columns).toEqual(["k", "n", "r", "b", "z", "t"]);
    expect(rs.columnTypes.slice(0, 4)).toEqual(["TEXT", "INTEGER", "REAL", "BLOB"]);
    const row = rs.rows[0]!;
    expect(row.n).toBe(big);
    expect(row.r).toBe(2.5);
    expect([...new Uint8Array(row.b as ArrayBuffer)]).toEqual([0, 1, 254, 255]);
    expect(row.z).toBeNull();
    expect(row.t).toBe("integer");
  });

  it("reports rows affected and the last rowid, and RETURNING rows", async () => {
    const ins = await client.execute({ sql: "INSERT INTO child (k) VALUES (?)", args: ["a"] });
    expect(ins.rowsAffected).toBe(1);
    expect(Number(ins.lastInsertRowid)).toBeGreaterThan(0);
    const sel = await client.execute("SELECT * FROM child");
    expect(sel.rowsAffected).toBe(0);
    const upd = await client.execute("UPDATE child SET k = k RETURNING id");
    expect(upd.rowsAffected).toBe(1);
    expect(upd.rows).toHaveLength(1);
  });

  it("enforces foreign keys and reports SQLite's message and code", async () => {
    const err = await client.execute("INSERT INTO child (k) VALUES ('nobody')").catch((e) => e);
    expect(err.code).toBe("SQLITE_CONSTRAINT");
    expect(err.message).toMatch(/FOREIGN KEY constraint failed/);
  });

  it("runs a batch as one transaction: a failing step rolls back the ones before it", async () => {
    const err = await client
      .batch(
        [
          { sql: "INSERT INTO kv (k) VALUES (?)", args: ["b1"] },
          { sql: "INSERT INTO kv (k) VALUES (?)", args: ["a"] }, // duplicate key
        ],
        "write",
      )
      .catch((e) => e);
    expect(err.message).toMatch(/UNIQUE constraint failed/);
    expect((await client.execute("SELECT count(*) AS n FROM kv WHERE k = 'b1'")).rows[0]!.n).toBe(0);
    const ok = await client.batch(["INSERT INTO kv (k) VALUES ('b2')", "SELECT count(*) FROM kv"], "write");
    expect(ok[1]!.rows[0]![0]).toBe(2);
  });

  it("serialises concurrent guarded inserts: exactly one of twenty passes its condition", async () => {
    const attempts = Array.from({ length: 20 }, (_, i) =>
      client.batch(
        [
          {
            sql: "INSERT INTO kv (k, n) SELECT ?, 1 WHERE NOT EXISTS (SELECT 1 FROM kv WHERE n = 1)",
            args: [`race-${i}`],
          },
        ],
        "write",
      ),
    );
    const results = await Promise.all(attempts);
    expect(results.map((r) => r[0]!.rowsAffected).reduce((a, b) => a + b, 0)).toBe(1);
  });

  it("keeps an interactive transaction on its stream across requests (baton)", async () => {
    const tx = await client.transaction("write");
    await tx.execute("INSERT INTO kv (k) VALUES ('tx')");
    expect((await tx.execute("SELECT count(*) FROM kv WHERE k = 'tx'")).rows[0]![0]).toBe(1);
    await tx.rollback();
    expect((await client.execute("SELECT count(*) FROM kv WHERE k = 'tx'")).rows[0]![0]).toBe(0);
  });

  it("runs a sequence of statements", async () => {
    await client.executeMultiple(
      "CREATE TABLE seq (x); INSERT INTO seq VALUES (1); INSERT INTO seq VALUES (2);",
    );
    expect((await client.execute("SELECT sum(x) FROM seq")).rows[0]![0]).toBe(3);
  });
});
