// Issue 18 #10: one's own password, an administrator's reset of another's, the server-side reset for a
// lost administrator password, and case-insensitive usernames.
import { eq } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import { resetPassword } from "../src/auth/reset-password.ts";
import { auditLog, users } from "../src/db/schema.ts";
import { WORKER_TARGET } from "./worker/target.ts";
import { makeTestApp, PASSWORD, type TestApp } from "./helpers.ts";

let t: TestApp;
beforeEach(async () => {
  t = await makeTestApp();
  await t.user("admin", "admin");
});

const loginStatus = async (username: string, password: string) =>
  (
    await t.app.request("/api/auth/login", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ username, password }),
    })
  ).status;

describe("POST /api/auth/password", () => {
  it("changes one's own password given the current one, ending the other sessions only", async () => {
    const here = await t.login("admin");
    const elsewhere = await t.login("admin");
    const res = await t.call(here, "POST", "/api/auth/password", {
      currentPassword: PASSWORD,
      newPassword: "a-brand-new-password",
    });
    expect(res.status).toBe(204);
    expect((await t.call(here, "GET", "/api/auth/me")).status).toBe(200);
    expect((await t.call(elsewhere, "GET", "/api/auth/me")).status).toBe(401);
    expect(await loginStatus("admin", PASSWORD)).toBe(401);
    expect(await loginStatus("admin", "a-brand-new-password")).toBe(200);
    const actions = (await t.db.select().from(auditLog)).map((r) => r.action);
    expect(actions).toContain("auth.password_change");
  });

  it("refuses a wrong current password with 400, changing nothing, and a short new one with 400", async () => {
    const session = await t.login("admin");
    const wrong = await t.call(session, "POST", "/api/auth/password", {
      currentPassword: "not-my-password",
      newPassword: "a-brand-new-password",
    });
    expect(wrong.status).toBe(400);
    expect((await wrong.json()).error.code).toBe("wrong_password");
    const short = await t.call(session, "POST", "/api/auth/password", {
      currentPassword: PASSWORD,
      newPassword: "short",
    });
    expect(short.status).toBe(400);
    expect(await loginStatus("admin", PASSWORD)).toBe(200);
  });

  it("is 401 without a session", async () => {
    const res = await t.call(null, "POST", "/api/auth/password", {
      currentPassword: PASSWORD,
      newPassword: "x".repeat(12),
    });
    expect(res.status).toBe(401);
  });
});

describe("case-insensitive usernames", () => {
  it("signs in SCJG-admin as scjg-admin", async () => {
    await t.user("scjg-admin", "admin");
    expect(await loginStatus("SCJG-admin", PASSWORD)).toBe(200);
  });

  it("refuses a new user whose name differs from another only in case (409)", async () => {
    const admin = await t.login("admin");
    const dept = await t.department("SCJG");
    const res = await t.call(admin, "POST", "/api/users", {
      username: "ADMIN",
      displayName: "冒名",
      password: "long-enough-password",
      role: "officer",
      departmentId: dept,
    });
    expect(res.status).toBe(409);
  });

  it("signs nobody in by a name that, ignoring case, fits two old accounts", async () => {
    await t.user("Zhang", "admin");
    await t.user("zhang", "admin");
    expect(await loginStatus("ZHANG", PASSWORD)).toBe(401);
    expect(await loginStatus("Zhang", PASSWORD)).toBe(200);
  });
});

describe.skipIf(WORKER_TARGET)("npm run admin:reset-password", () => {
  it("sets a new password for an account in any case, ends its sessions and is audited", async () => {
    const old = await t.login("admin");
    const result = await resetPassword(t.db, "ADMIN", "recovered-password-1");
    expect(result).toMatchObject({ username: "admin", generated: false });
    expect((await t.call(old, "GET", "/api/auth/me")).status).toBe(401);
    expect(await loginStatus("admin", "recovered-password-1")).toBe(200);
    const [line] = await t.db.select().from(auditLog).where(eq(auditLog.action, "user.password_reset"));
    expect(line).toBeDefined();
    expect(await resetPassword(t.db, "nobody")).toBeNull();
    const generated = await resetPassword(t.db, "admin");
    expect(generated?.password.length).toBeGreaterThanOrEqual(12);
    const [row] = await t.db.select().from(users).where(eq(users.username, "admin"));
    expect(row!.passwordHash).not.toContain(generated!.password);
  });
});
