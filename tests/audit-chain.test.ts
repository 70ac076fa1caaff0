import { asc, eq, isNull, sql } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import { canonicalEntry, GENESIS, sealAuditLog, verifyAuditChain } from "../src/audit/chain.ts";
import { auditLog } from "../src/db/schema.ts";
import { departmentWithStaff, enterprise, window } from "./inspection-fixtures.ts";
import { makeTestApp, SAMPLE_SCHEMA, type Session, type TestApp } from "./helpers.ts";

let t: TestApp;
let admin: Session;

beforeEach(async () => {
  t = await makeTestApp();
  await t.user("root", "admin");
  admin = await t.login("root");
});

const createDepartment = (i: number) =>
  t.call(admin, "POST", "/api/departments", { name: `部门${i}`, code: `D${String(i).padStart(3, "0")}` });

/** The database's own refusal message (drizzle wraps it as the cause of "Failed query: …"). */
async function refusal(query: PromiseLike<unknown>): Promise<string> {
  try {
    await query;
  } catch (error) {
    let message = "";
    for (let e: unknown = error; e instanceof Error; e = e.cause) message += ` ${e.message}`;
    return message;
  }
  return "accepted";
}

const entries = () => t.db.select().from(auditLog).orderBy(asc(auditLog.id));

/** Runs `change` with one of the append-only triggers dropped, as someone with the file in hand could. */
async function withoutTrigger(name: string, change: () => Promise<unknown>) {
  const [trigger] = await t.db.all<{ sql: string }>(
    sql`SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ${name}`,
  );
  expect(trigger).toBeDefined();
  await t.db.run(sql.raw(`DROP TRIGGER "${name}"`));
  try {
    await change();
  } finally {
    await t.db.run(sql.raw(trigger!.sql));
  }
}

describe("audit hash chain", () => {
  it("links every entry, written by concurrent requests, before the answers arrive", async () => {
    const results = await Promise.all(Array.from({ length: 40 }, (_, i) => createDepartment(i)));
    expect(results.map((r) => r.status)).toEqual(Array(40).fill(201));
    const rows = await entries();
    expect(rows.filter((r) => r.action === "department.create")).toHaveLength(40);
    expect(rows.filter((r) => r.hash === null)).toEqual([]);
    expect(rows[0]!.prevHash).toBe(GENESIS);
    for (let i = 1; i < rows.length; i++) expect(rows[i]!.prevHash).toBe(rows[i - 1]!.hash);
    const report = await verifyAuditChain(t.db);
    expect(report).toMatchObject({ ok: true, verified: rows.length, pending: 0 });
    expect(report.head).toEqual({ id: rows.at(-1)!.id, hash: rows.at(-1)!.hash });
  });

  it("links audit lines written with raw SQL (a filing) before the answer", async () => {
    const staff = await departmentWithStaff(t, "xf");
    const firm = await enterprise(t);
    const officer = await t.login(staff.officerLogin);
    const res = await t.call(officer, "POST", "/api/inspections", {
      enterpriseId: firm,
      type: "routine",
      ...window(10),
      officerIds: [...staff.officerIds, staff.helperId],
      itemIds: [staff.itemId],
    });
    expect(res.status).toBe(201);
    const [line] = await t.db.select().from(auditLog).where(eq(auditLog.action, "inspection.filed"));
    expect(line!.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it("links the audit line of a read that is audited (an export) before the answer", async () => {
    const created = await t.call(admin, "POST", "/api/forms", {
      title: "导出",
      kind: "survey",
      schema: SAMPLE_SCHEMA,
    });
    const formId = (await created.json()).form.id;
    const res = await t.call(admin, "GET", `/api/forms/${formId}/responses.csv`);
    expect(res.status).toBe(200);
    await res.arrayBuffer();
    const [line] = await t.db.select().from(auditLog).where(eq(auditLog.action, "responses.export_csv"));
    expect(line!.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it("stays one chain when other sealers race the server's", async () => {
    const writes = Promise.all(Array.from({ length: 30 }, (_, i) => createDepartment(100 + i)));
    const sealers = Promise.all(Array.from({ length: 5 }, () => sealAuditLog(t.db)));
    await Promise.all([writes, sealers]);
    await sealAuditLog(t.db);
    const report = await verifyAuditChain(t.db);
    expect(report.ok).toBe(true);
    expect(report.verified).toBe((await entries()).length);
    expect(await t.db.select().from(auditLog).where(isNull(auditLog.hash))).toEqual([]);
  });

  it("seals entries appended outside a request, page after page, in id order, and only once", async () => {
    // More than a page (500) and a verify page (1,000), as after a crash or an upgrade to migration 0006.
    const raw = Array.from({ length: 1200 }, (_, i) => ({ at: Date.now(), action: `test.raw.${i}` }));
    for (let i = 0; i < raw.length; i += 300) await t.db.insert(auditLog).values(raw.slice(i, i + 300));
    expect(await verifyAuditChain(t.db)).toMatchObject({ ok: true, verified: 1, pending: 1200 });
    expect(await sealAuditLog(t.db)).toBe(1200);
    expect(await sealAuditLog(t.db)).toBe(0);
    expect(await verifyAuditChain(t.db)).toMatchObject({ ok: true, verified: 1201, pending: 0 });
  });

  it("refuses to delete or change an entry, sealed or not", async () => {
    await createDepartment(1);
    const [sealed] = await entries();
    expect(await refusal(t.db.delete(auditLog).where(eq(auditLog.id, sealed!.id)))).toMatch(/append-only/);
    expect(
      await refusal(t.db.update(auditLog).set({ detail: "{}" }).where(eq(auditLog.id, sealed!.id))),
    ).toMatch(/append-only/);
    expect(
      await refusal(
        t.db
          .update(auditLog)
          .set({ hash: "f".repeat(64) })
          .where(eq(auditLog.id, sealed!.id)),
      ),
    ).toMatch(/append-only/);
    await t.db.insert(auditLog).values({ at: Date.now(), action: "test.raw" });
    const unsealed = (await entries()).at(-1)!;
    expect(
      await refusal(
        t.db.update(auditLog).set({ action: "test.changed" }).where(eq(auditLog.id, unsealed.id)),
      ),
    ).toMatch(/append-only/);
    expect(
      await refusal(
        t.db.insert(auditLog).values({ id: sealed!.id, at: Date.now(), action: "test.backdated" }),
      ),
    ).toMatch(/after the last one/);
    expect(await entries()).toHaveLength(3);
  });

  it("names the first changed entry when a row is altered behind the triggers", async () => {
    await Promise.all(Array.from({ length: 8 }, (_, i) => createDepartment(i)));
    const rows = await entries();
    const victim = rows[4]!;
    await withoutTrigger("audit_log_seal_only", () =>
      t.db.update(auditLog).set({ actorName: "someone-else" }).where(eq(auditLog.id, victim.id)),
    );
    const report = await verifyAuditChain(t.db);
    expect(report.ok).toBe(false);
    expect(report.broken).toMatchObject({ id: victim.id, reason: expect.stringMatching(/changed/) });
    expect(report.verified).toBe(4);
  });

  it("names the entry after a removed one", async () => {
    await Promise.all(Array.from({ length: 6 }, (_, i) => createDepartment(i)));
    const rows = await entries();
    await withoutTrigger("audit_log_no_delete", () =>
      t.db.delete(auditLog).where(eq(auditLog.id, rows[2]!.id)),
    );
    const report = await verifyAuditChain(t.db);
    expect(report.ok).toBe(false);
    expect(report.broken).toMatchObject({ id: rows[3]!.id, reason: expect.stringMatching(/removed/) });
  });

  it("keeps CR/LF in an input inside one entry and one hashed line", async () => {
    const username = "eve\r\nauth.login ok root\n";
    const res = await t.app.request("/api/auth/login", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ username, password: "wrong-password" }),
    });
    expect(res.status).toBe(401);
    const failed = await t.db.select().from(auditLog).where(eq(auditLog.action, "auth.login_failed"));
    expect(failed).toHaveLength(1);
    expect(failed[0]!.actorName).toBe(username);
    expect(failed[0]!.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(canonicalEntry(failed[0]!)).not.toMatch(/[\r\n]/);
    expect((await entries()).filter((r) => r.action === "auth.login")).toHaveLength(1);
    expect((await verifyAuditChain(t.db)).ok).toBe(true);
  });
});
