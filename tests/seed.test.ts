import { eq } from "drizzle-orm";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../src/app.ts";
import { openDatabase, type Database } from "../src/db/client.ts";
import { runMigrations } from "../src/db/migrate.ts";
import {
  alerts,
  catalogItems,
  departments,
  enterprises,
  forms,
  formVersions,
  inspections,
  officers,
  users,
} from "../src/db/schema.ts";
import { isValidCreditCode } from "../src/directory/uscc.ts";
import { configFromEnv } from "../src/env.ts";
import { ValidatorCache } from "../src/forms/validator-cache.ts";
import { MemoryRateLimiter } from "../src/lib/rate-limit.ts";
import { nodeAssets } from "../src/node/assets.ts";
import { seedDemo, type DemoReport } from "../src/seed/demo.ts";

const PASSWORD = "Demo-test-password";
let dir: string;
let database: Database;
let first: DemoReport;
let second: DemoReport;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "lianma-seed-"));
  database = await openDatabase({ url: `file:${join(dir, "demo.db")}` });
  await runMigrations(database.db);
  first = await seedDemo(database.db, { password: PASSWORD });
  second = await seedDemo(database.db, { password: "another-password-x" });
}, 60_000);

afterAll(async () => {
  database?.close();
  await rm(dir, { recursive: true, force: true });
});

describe("npm run seed:demo (seedDemo)", () => {
  it("runs twice without error and adds nothing the second time", async () => {
    expect(first.filings).toBeGreaterThan(20);
    expect(first.logins.every((l) => l.created)).toBe(true);
    expect(second.filings).toBe(0);
    expect(second.evaluations).toBe(0);
    expect(second.logins.some((l) => l.created)).toBe(false);
    expect(second.enterprises).toBe(200);
    expect(await database.db.$count(enterprises)).toBe(200);
    expect(await database.db.$count(inspections)).toBe(first.filings);
    expect(await database.db.$count(alerts)).toBe(first.alerts);
  });

  it("creates 200 enterprises in the ten districts, all with a valid 统一社会信用代码", async () => {
    const rows = await database.db.select().from(enterprises);
    expect(rows).toHaveLength(200);
    expect(rows.filter((r) => !isValidCreditCode(r.creditCode)).map((r) => r.creditCode)).toEqual([]);
    expect(new Set(rows.map((r) => r.district)).size).toBe(10);
    expect(new Set(rows.map((r) => r.creditGrade))).toEqual(new Set(["A", "B", "C", "D"]));
    expect(new Set(rows.map((r) => r.name)).size).toBe(200);
  });

  it("links every catalog item to a published checklist form", async () => {
    const items = await database.db.select().from(catalogItems);
    expect(items.length).toBeGreaterThanOrEqual(18);
    for (const item of items) {
      const [form] = await database.db.select().from(forms).where(eq(forms.id, item.checklistFormId!));
      expect(form?.kind).toBe("checklist");
      expect(form?.publishedVersion).toBe(1);
      const versions = await database.db.select().from(formVersions).where(eq(formVersions.formId, form!.id));
      expect(versions).toHaveLength(1);
    }
  });

  it("lists the inspecting bodies, with credentialed officers, expired and suspended ones and helpers", async () => {
    const depts = await database.db.select().from(departments);
    expect(depts.filter((d) => d.listed).map((d) => d.code)).toEqual(
      expect.arrayContaining(["SCJG", "YJGL", "XFJY", "STHJ", "WSJK"]),
    );
    expect(depts.find((d) => d.code === "SFJ")?.listed).toBe(false);
    const people = await database.db.select().from(officers);
    for (const d of depts.filter((x) => x.listed)) {
      const list = people.filter((o) => o.departmentId === d.id);
      expect(list.length).toBeGreaterThanOrEqual(6);
      expect(list.filter((o) => o.isHelper && o.credentialNo === null).length).toBeGreaterThanOrEqual(1);
      expect(list.some((o) => o.status === "suspended")).toBe(true);
      const today = new Date().toISOString().slice(0, 10);
      expect(list.some((o) => !o.isHelper && o.credentialExpiresOn! < today)).toBe(true);
      expect(
        list.filter((o) => !o.isHelper && o.status === "active" && o.credentialExpiresOn! > today).length,
      ).toBeGreaterThanOrEqual(2);
    }
    const [supervisor] = await database.db.select().from(users).where(eq(users.username, "sfj-supervisor"));
    expect(supervisor?.role).toBe("supervisor");
  });

  it("has filings in every state, readable through the API by the demo logins", async () => {
    const statuses = new Set((await database.db.select().from(inspections)).map((i) => i.status));
    for (const s of ["filed", "approved", "refused", "in_progress", "registered", "evaluated", "closed"]) {
      expect(statuses).toContain(s);
    }
    const app = createApp({
      db: database.db,
      config: configFromEnv({ ACCESS_LOG: "0" }, "seed-test-secret-".padEnd(40, "x")),
      rateLimiter: new MemoryRateLimiter(),
      validators: new ValidatorCache(20),
      remoteAddress: () => "127.0.0.1",
      assets: nodeAssets("public"),
    });
    const login = await app.request("/api/auth/login", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ username: "scjg-officer1", password: PASSWORD }),
    });
    expect(login.status).toBe(200);
    const cookie = login.headers
      .getSetCookie()
      .map((c) => c.split(";")[0])
      .join("; ");
    const mine = await app.request("/api/inspections?mine=1", { headers: { Cookie: cookie } });
    expect(mine.status).toBe(200);
    const { items } = (await mine.json()) as { items: { id: string; status: string }[] };
    expect(items.length).toBeGreaterThan(2);
    const registered = items.find((i) => i.status === "registered" || i.status === "evaluated");
    expect(registered).toBeDefined();
    const checklist = await app.request(`/api/inspections/${registered!.id}/checklist`, {
      headers: { Cookie: cookie },
    });
    expect(checklist.status).toBe(200);
    expect(((await checklist.json()) as { status: string }).status).toBe("submitted");
  });
});

describe("seedDemo: enterprise portal access (issue 13)", () => {
  it("gives enterprises phones and prints a working one-time activation token each run", async () => {
    const phones = await database.db.select({ phone: enterprises.contactPhone }).from(enterprises);
    const withPhone = phones.filter((p) => p.phone !== null);
    expect(withPhone.length).toBeGreaterThan(100);
    expect(withPhone.every((p) => /^1[3-9]\d{9}$/.test(p.phone!))).toBe(true);
    expect(second.enterpriseAccess.sms?.phone).toMatch(/^1[3-9]\d{9}$/);
    const app = createApp({
      db: database.db,
      config: configFromEnv({ ACCESS_LOG: "0" }, "seed-test-secret-".padEnd(40, "x")),
      rateLimiter: new MemoryRateLimiter(),
      validators: new ValidatorCache(20),
      remoteAddress: () => "127.0.0.1",
      assets: nodeAssets("public"),
    });
    const activate = (token: string) =>
      app.request("/api/public/enterprise/activate", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ token }),
      });
    // The first run's letter was revoked by the second run's reprint.
    expect((await activate(first.enterpriseAccess.letter!.token)).status).toBe(401);
    const res = await activate(second.enterpriseAccess.letter!.token);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { enterprise: { creditCode: string } };
    expect(body.enterprise.creditCode).toBe(second.enterpriseAccess.letter!.creditCode);
    const list = await app.request("/api/enterprise/inspections", {
      headers: {
        Cookie: res.headers
          .getSetCookie()
          .map((c) => c.split(";")[0])
          .join("; "),
      },
    });
    expect(((await list.json()) as { items: unknown[] }).items.length).toBeGreaterThan(0);
  });
});
