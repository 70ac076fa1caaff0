/**
 * `npm run db:backup` / `npm run db:restore` (src/ops/backup-cli.ts) against the real server's file: an
 * online backup while submissions keep arriving is a consistent snapshot, and a backup of the stopped
 * server restores to a fresh file equal to the original in every table, row by row.
 */
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createClient, type Client } from "@libsql/client";
import { drizzle } from "drizzle-orm/libsql";
import { afterAll, describe, expect, it } from "vitest";
import { verifyAuditChain } from "../../src/audit/chain.ts";
import { userTables } from "../../src/db/export-import.ts";
import * as schema from "../../src/db/schema.ts";
import { makeInspection, makeWorld, NEGATIVE, POSITIVE } from "../evaluation-fixtures.ts";
import { departmentWithStaff, enterprise, window } from "../inspection-fixtures.ts";
import { SAMPLE_SCHEMA } from "../helpers.ts";
import {
  ADMIN_PASSWORD,
  fileTestApp,
  httpClient,
  openFile,
  enterpriseHeaders,
  sessionHeaders,
  startServer,
  tempDatabase,
  type ServerProcess,
} from "./support.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const tmp = tempDatabase("lianma-backup-");
let server: ServerProcess | undefined;
afterAll(async () => {
  await server?.stop("SIGKILL");
  tmp.cleanup();
});

/** Runs `npm run db:<command> -- <args>` as a user would (tsx entry, the env's DATABASE_URL). */
function cli(command: "backup" | "restore", args: string[], databaseUrl: string) {
  return new Promise<{ code: number | null; out: string }>((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", "src/ops/backup-cli.ts", command, ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, DATABASE_URL: databaseUrl },
    });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (out += d));
    child.on("exit", (code) => resolve({ code, out }));
  });
}

const exact = (path: string) => createClient({ url: `file:${path}`, intMode: "bigint" });

/** Every row of every table as a canonical string (integers exact, blobs base64), sorted. */
async function snapshot(client: Client): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const table of await userTables(client)) {
    const rs = await client.execute(`SELECT * FROM "${table}"`);
    out[table] = rs.rows
      .map((row) =>
        JSON.stringify(Array.from(row), (_, v) =>
          typeof v === "bigint" ? `${v}n` : v instanceof ArrayBuffer ? Buffer.from(v).toString("base64") : v,
        ),
      )
      .sort();
  }
  return out;
}

/** Forms, responses, inspections (filed through the API), evaluations with alerts, logins: audit lines. */
async function populate() {
  const database = await openFile(tmp.path);
  const t = fileTestApp(database, () => server!.url);
  const world = await makeWorld(t);
  const codes = [];
  for (let i = 0; i < 4; i++) codes.push((await makeInspection(t, world)).code);
  const staff = await departmentWithStaff(t, "xf");
  const firms = [];
  for (let i = 0; i < 5; i++) firms.push(await enterprise(t, `济南备份测试${i}有限公司`));
  database.close();

  server = await startServer(tmp.path);
  const admin = await t.login("admin", ADMIN_PASSWORD);
  const created = await t.call(admin, "POST", "/api/forms", {
    title: "备份",
    kind: "survey",
    schema: SAMPLE_SCHEMA,
  });
  const formId = ((await created.json()) as { form: { id: string } }).form.id;
  expect((await t.call(admin, "POST", `/api/forms/${formId}/publish`)).status).toBe(201);
  const officer = await t.login(staff.officerLogin);
  const client = httpClient(server.url, 16);
  for (const enterpriseId of firms) {
    const body = {
      enterpriseId,
      type: "routine",
      ...window(10),
      officerIds: [...staff.officerIds, staff.helperId],
      itemIds: [staff.itemId],
    };
    expect((await client.send("POST", "/api/inspections", body, sessionHeaders(officer))).status).toBe(201);
  }
  for (const [i, code] of codes.entries()) {
    const data = i % 2 ? NEGATIVE : POSITIVE;
    const res = await client.send(
      "POST",
      `/api/public/inspections/${code}/evaluation`,
      { version: 1, data },
      enterpriseHeaders(world.enterprise),
    );
    expect(res.status).toBe(201);
  }
  const submit = (i: number) =>
    client.send("POST", `/api/public/forms/${formId}/responses`, {
      id: randomUUID(),
      version: 1,
      data: { name: `备份${i}`, rating: "good" },
    });
  const first = await Promise.all(Array.from({ length: 200 }, (_, i) => submit(i)));
  expect(first.every((r) => r.status === 201)).toBe(true);
  return { client, submit };
}

describe("npm run db:backup / db:restore", () => {
  it("backs up online while writes go on, and restores a copy equal in every table", async () => {
    const { client, submit } = await populate();

    // Online: submissions keep arriving during the backup.
    let writing = true;
    let written = 0;
    const writer = (async () => {
      for (let i = 1000; writing; i++) {
        expect((await submit(i)).status).toBe(201);
        written++;
      }
    })();
    const online = join(tmp.dir, "online.db");
    const backedUp = await cli("backup", [online], `file:${tmp.path}`);
    writing = false;
    await writer;
    expect(backedUp.code, backedUp.out).toBe(0);
    expect(backedUp.out).toMatch(/integrity_check ok; audit chain OK/);
    expect(written).toBeGreaterThan(0);

    const restoredOnline = join(tmp.dir, "restored-online.db");
    const restored = await cli("restore", [online], `file:${restoredOnline}`);
    expect(restored.code, restored.out).toBe(0);

    // A consistent snapshot: every table but responses unchanged since, every restored response as
    // stored, and only responses that arrived after the snapshot missing.
    await server!.stop("SIGTERM");
    const source = await snapshot(exact(tmp.path));
    const copy = await snapshot(exact(restoredOnline));
    expect(Object.keys(copy)).toEqual(Object.keys(source));
    for (const table of Object.keys(source)) {
      if (table === "responses") continue;
      expect(copy[table], table).toEqual(source[table]);
    }
    const sourceResponses = new Set(source.responses);
    expect(copy.responses!.filter((r) => !sourceResponses.has(r))).toEqual([]);
    expect(copy.responses!.length).toBeGreaterThanOrEqual(200);
    expect(copy.responses!.length).toBeLessThanOrEqual(200 + written);

    // Stopped: the restored copy equals the original exactly, row by row, and its chain verifies.
    const quiet = join(tmp.dir, "quiet.db");
    expect((await cli("backup", [quiet], `file:${tmp.path}`)).code).toBe(0);
    const fresh = join(tmp.dir, "fresh", "lianma.db");
    const restoredQuiet = await cli("restore", [quiet], `file:${fresh}`);
    expect(restoredQuiet.code, restoredQuiet.out).toBe(0);
    const freshClient = exact(fresh);
    const equal = await snapshot(freshClient);
    expect(equal).toEqual(await snapshot(exact(tmp.path)));
    const chain = await verifyAuditChain(drizzle(createClient({ url: `file:${fresh}` }), { schema }));
    expect(chain).toMatchObject({ ok: true, pending: 0 });
    expect(chain.verified).toBeGreaterThan(10);
    const tables = Object.keys(equal).filter((table) => equal[table]!.length > 0);
    for (const table of [
      "audit_log",
      "forms",
      "responses",
      "inspections",
      "evaluations",
      "alerts",
      "sessions",
    ]) {
      expect(tables).toContain(table);
    }

    // A restore never lands on a database holding data unless forced; a backup never overwrites.
    const refused = await cli("restore", [quiet], `file:${fresh}`);
    expect(refused.code).toBe(1);
    expect(refused.out).toMatch(/holds a database already/);
    const forced = await cli("restore", [quiet, "--force"], `file:${fresh}`);
    expect(forced.code, forced.out).toBe(0);
    const again = await cli("backup", [quiet], `file:${tmp.path}`);
    expect(again.code).toBe(1);
    expect(again.out).toMatch(/exists already/);
    client.close();
    console.log(
      JSON.stringify({
        backup: {
          tables: Object.keys(equal).length,
          rows: Object.values(equal).reduce((a, r) => a + r.length, 0),
          onlineSnapshotResponses: copy.responses!.length,
          writtenDuringBackup: written,
          auditEntriesVerified: chain.verified,
        },
      }),
    );
  }, 120_000);
});
