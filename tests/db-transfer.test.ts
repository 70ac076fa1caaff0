import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase } from "../src/db/client.ts";
import { exportDatabase, importDatabase, openTransferClient, userTables } from "../src/db/export-import.ts";
import { runMigrations } from "../src/db/migrate.ts";
import { startHranaStandin, type HranaStandin } from "./hrana-standin/server.ts";

// Moving a deployment: export the single machine's file, import into a libSQL server over HTTP (here
// the Hrana stand-in), export that again — every table, every row, every byte the same.

const dir = mkdtempSync(join(tmpdir(), "lianma-transfer-"));
const sourceUrl = `file:${join(dir, "source.db")}`;
let standin: HranaStandin;

afterAll(async () => {
  await standin?.close();
  rmSync(dir, { recursive: true, force: true });
});

const PHOTO = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 255, 1, 2, 3]);
const T = 1_795_000_000_000;
/** Beyond 2^53: exported as {"$int": …}, never rounded through a double. */
const BIG_ID = 2n ** 60n + 1n;

const SEEDED = new Set(
  "settings departments users sessions forms form_versions responses audit_log officers enterprises catalog_items inspections inspection_departments inspection_officers inspection_items checklists photos evaluations alerts alert_events outbox rate_limits".split(
    " ",
  ),
);

async function seed() {
  const database = await openDatabase({ url: sourceUrl });
  await runMigrations(database.db);
  const rows: [string, unknown[]][] = [
    ["INSERT INTO settings VALUES ('app_secret', ?)", ["s".repeat(48)]],
    [
      "INSERT INTO departments (id, code, name, created_at, district) VALUES ('d1', 'scjg', '市场监管局', ?, '历下区')",
      [T],
    ],
    [
      `INSERT INTO users (id, username, display_name, password_hash, role, department_id, created_at, updated_at)
       VALUES ('u1', 'officer', '张三 "甲"', 'scrypt$1$2$3$s$h', 'officer', 'd1', ?, ?)`,
      [T, T],
    ],
    ["INSERT INTO sessions VALUES ('s1', 'u1', 'csrf', ?, ?)", [T, T + 1]],
    [
      `INSERT INTO forms (id, kind, title, draft_schema, status, latest_version, published_version, created_at, updated_at)
       VALUES ('f1', 'evaluation', '评价', '{"pages":[]}', 'published', 1, 1, ?, ?)`,
      [T, T],
    ],
    ["INSERT INTO form_versions VALUES ('f1', 1, '评价', '{\"pages\":[]}', ?, NULL)", [T]],
    ["INSERT INTO responses VALUES ('r1', 'f1', 1, '{\"a\":\"换行\\n\"}', 'hash', ?)", [T]],
    ["INSERT INTO audit_log (id, at, action, detail) VALUES (?, ?, 'x', '{}')", [BIG_ID, T]],
    ["INSERT INTO audit_log (at, action, ip) VALUES (?, 'y', NULL)", [T]],
    [
      `INSERT INTO officers (id, department_id, user_id, name, credential_no, credential_issued_on,
        credential_expires_on, created_at, updated_at) VALUES ('o1', 'd1', 'u1', '张三', '370100', '2020-01-01', '2030-12-31', ?, ?)`,
      [T, T],
    ],
    [
      `INSERT INTO enterprises (id, credit_code, name, created_at, updated_at)
       VALUES ('e1', '91370100MA3C0000X1', '示例公司', ?, ?)`,
      [T, T],
    ],
    [
      `INSERT INTO catalog_items (id, code, department_id, name, legal_basis, checklist_form_id, created_at, updated_at)
       VALUES ('c1', 'SCJG-001', 'd1', '事项', '条例', NULL, ?, ?)`,
      [T, T],
    ],
    [
      `INSERT INTO inspections (id, enterprise_id, lead_department_id, type, planned_start, planned_end,
        legal_basis, filed_by, filed_at, code_nonce, created_at, updated_at)
       VALUES ('i1', 'e1', 'd1', 'routine', ?, ?, '条例', 'u1', ?, 'nonce', ?, ?)`,
      [T, T + 7_200_000, T, T, T],
    ],
    ["INSERT INTO inspection_departments VALUES ('i1', 'd1', ?, 'u1')", [T]],
    ["INSERT INTO inspection_officers VALUES ('i1', 'o1', 0)", []],
    ["INSERT INTO inspection_items VALUES ('i1', 'c1', 'd1')", []],
    ["INSERT INTO checklists (inspection_id, schema, generated_at) VALUES ('i1', '{}', ?)", [T]],
    [
      "INSERT INTO photos (id, inspection_id, content_type, byte_size, sha256, data, created_at) VALUES ('p1', 'i1', 'image/png', ?, 'h', ?, ?)",
      [PHOTO.length, PHOTO, T],
    ],
    [
      `INSERT INTO evaluations (id, inspection_id, form_id, version, data, negative, score, submitted_at)
       VALUES ('v1', 'i1', 'f1', 1, '{}', 1, 40, ?)`,
      [T],
    ],
    [
      "INSERT INTO alerts (id, inspection_id, evaluation_id, department_id, summary, created_at) VALUES ('a1', 'i1', 'v1', 'd1', '问题', ?)",
      [T],
    ],
    ["INSERT INTO alert_events (id, alert_id, at, kind) VALUES ('ae1', 'a1', ?, 'created')", [T]],
    [
      "INSERT INTO outbox (id, topic, payload, next_attempt_at, created_at) VALUES ('ob1', 'alert', '{}', ?, ?)",
      [T, T],
    ],
    ["INSERT INTO rate_limits VALUES ('login:ip:1.2.3.4', ?, 3)", [T]],
  ];
  for (const [sql, args] of rows) {
    await database.client.execute({ sql, args: args as never });
  }
  database.close();
}

async function dump(url: string, authToken?: string): Promise<string[]> {
  const client = openTransferClient(url, authToken);
  const lines: string[] = [];
  await exportDatabase(client, (line) => void lines.push(line));
  client.close();
  const header = JSON.parse(lines[0]!);
  delete header.exportedAt;
  return [JSON.stringify(header), ...lines.slice(1)];
}

async function* linesOf(lines: string[]) {
  yield* lines;
}

beforeAll(async () => {
  await seed();
  standin = await startHranaStandin({ path: join(dir, "remote.db") });
});

describe("db:export / db:import", () => {
  it("round-trips every table from an embedded file to a libSQL server and back", async () => {
    const exported = await dump(sourceUrl);
    const source = openTransferClient(sourceUrl);
    const tables = await userTables(source);
    // Tables added after this test are still exported and compared, only without fixture rows.
    for (const table of tables.filter((name) => SEEDED.has(name))) {
      const n = (await source.execute(`SELECT count(*) FROM "${table}"`)).rows[0]![0];
      expect(n, `fixture rows in ${table}`).toBeGreaterThan(0n);
    }
    expect(tables.filter((name) => SEEDED.has(name))).toHaveLength(SEEDED.size);
    source.close();

    const remote = await openDatabase({ url: standin.url });
    await runMigrations(remote.db);
    remote.close();
    const target = openTransferClient(standin.url);
    const counts = await importDatabase(target, linesOf(exported));
    target.close();
    expect(Object.keys(counts).sort()).toEqual([...tables].sort());
    expect(counts.audit_log).toBe(2);

    expect(await dump(standin.url)).toEqual(exported);
    const check = openTransferClient(standin.url);
    const photo = (await check.execute("SELECT data FROM photos")).rows[0]![0] as ArrayBuffer;
    expect([...new Uint8Array(photo)]).toEqual([...PHOTO]);
    const ids = (await check.execute("SELECT id FROM audit_log ORDER BY id")).rows.map((r) => r[0]);
    expect(ids).toEqual([BIG_ID, BIG_ID + 1n]);
    check.close();
  });

  it("refuses a target that holds data, or whose migrations differ", async () => {
    const exported = await dump(sourceUrl);
    const full = openTransferClient(standin.url);
    await expect(importDatabase(full, linesOf(exported))).rejects.toThrow(/not empty/);
    full.close();

    const fresh = openTransferClient(`file:${join(dir, "unmigrated.db")}`);
    await fresh.execute(
      "CREATE TABLE __drizzle_migrations (id INTEGER PRIMARY KEY, hash TEXT, created_at NUMERIC)",
    );
    await expect(importDatabase(fresh, linesOf(exported))).rejects.toThrow(/migrations/);
    fresh.close();
  });
});
