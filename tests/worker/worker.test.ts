import { eq } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import { verifyPassword } from "../../src/auth/password.ts";
import { inspectionDepartments, inspections, settings, users } from "../../src/db/schema.ts";
import { makeTestApp, PASSWORD, type TestApp } from "../helpers.ts";
import { departmentWithStaff, enterprise, window } from "../inspection-fixtures.ts";
import { startWorker, type WorkerInstance } from "./target.ts";

// These run only under vitest.workers.config.ts (TEST_TARGET=worker): `t.app` is the Worker bundle in
// workerd, and `startWorker()` starts a second one — another process, so another isolate — on the
// same database.

let t: TestApp;
beforeEach(async () => {
  t = await makeTestApp();
});

const json = (body: unknown, headers: Record<string, string> = {}) => ({
  method: "POST",
  headers: { "Content-Type": "application/json", ...headers },
  body: JSON.stringify(body),
});

describe("the Worker entry", () => {
  it("refuses to serve without APP_SECRET, and stores no generated one", async () => {
    const bare = await startWorker({ APP_SECRET: "" });
    const res = await bare.fetch("/healthz");
    expect(res.status).toBe(500);
    expect((await res.json()).error.code).toBe("misconfigured");
    expect(await t.db.select().from(settings).where(eq(settings.key, "app_secret"))).toHaveLength(0);
    await bare.dispose();
  });

  it("serves public/ through the app, with its security headers, and pages by their URL", async () => {
    const css = await t.app.request("/css/app.css");
    expect(css.status).toBe(200);
    expect(css.headers.get("content-type")).toMatch(/text\/css/);
    expect(css.headers.get("content-security-policy")).toContain("default-src 'self'");
    const etag = css.headers.get("etag");
    expect(etag).toBeTruthy();
    expect((await t.app.request("/css/app.css", { headers: { "If-None-Match": etag! } })).status).toBe(304);

    const login = await t.app.request("/login");
    expect(login.status).toBe(200);
    expect(await login.text()).toMatch(/<html/i);
    const admin = await t.app.request("/admin/forms");
    expect(admin.status).toBe(302);
    expect(admin.headers.get("location")).toBe("/login?next=%2Fadmin%2Fforms");
    // Files are reachable only under the static prefixes, as on Node.
    expect((await t.app.request("/admin/forms.html")).status).toBe(404);
    expect((await t.app.request("/css/nope.css")).status).toBe(404);
  });
});

describe("passwords (scrypt under nodejs_compat)", () => {
  it("hashes in workerd exactly as Node does: same format, verifiable both ways", async () => {
    await t.user("root", "admin");
    const admin = await t.login("root"); // a Node-made hash, verified in workerd
    const made = await t.call(admin, "POST", "/api/users", {
      username: "edge-made",
      displayName: "边缘",
      password: "long-enough-pw",
      role: "supervisor",
    });
    expect(made.status).toBe(201);
    const [row] = await t.db.select().from(users).where(eq(users.username, "edge-made"));
    expect(row!.passwordHash).toMatch(/^scrypt\$32768\$8\$3\$[\w-]{22}\$[\w-]{43}$/);
    expect(await verifyPassword("long-enough-pw", row!.passwordHash)).toBe(true); // in Node
    expect(await verifyPassword("wrong", row!.passwordHash)).toBe(false);
  });
});

describe("state shared by isolates lives in the database", () => {
  let other: WorkerInstance;
  beforeEach(async () => {
    other = await startWorker();
    await t.user("admin", "admin");
    return () => other.dispose();
  });

  it("accepts a session made by one isolate in another", async () => {
    const session = await t.login("admin");
    const me = await other.fetch("/api/auth/me", {
      headers: { Cookie: session.cookie, "CF-Connecting-IP": "127.0.0.1" },
    });
    expect(me.status).toBe(200);
    expect((await me.json()).user.username).toBe("admin");
  });

  it("counts login failures across isolates (database rate limiter)", async () => {
    const wrong = json(
      { username: "admin", password: "wrong-password-x" },
      { "CF-Connecting-IP": "10.9.8.7" },
    );
    const attempts = Array.from({ length: 10 }, (_, i) =>
      i % 2 ? other.fetch("/api/auth/login", wrong) : t.app.request("/api/auth/login", wrong),
    );
    expect((await Promise.all(attempts)).map((r) => r.status)).toEqual(Array(10).fill(401));
    const right = await other.fetch(
      "/api/auth/login",
      json({ username: "admin", password: PASSWORD }, { "CF-Connecting-IP": "10.9.8.7" }),
    );
    expect(right.status).toBe(429);
  });
});

describe("POST /api/inspections on several isolates at once", () => {
  it("lets exactly one of ten simultaneous filings for one enterprise win the window", async () => {
    const other = await startWorker({ INSPECTION_YEARLY_CAP: "3" });
    t = await makeTestApp({ INSPECTION_YEARLY_CAP: "3" });
    const market = await departmentWithStaff(t, "scjg");
    const firm = await enterprise(t);
    const session = await t.login(market.officerLogin);
    const body = JSON.stringify({
      enterpriseId: firm,
      type: "routine",
      ...window(10),
      officerIds: [...market.officerIds, market.helperId],
      itemIds: [market.itemId],
    });
    const init = {
      method: "POST",
      headers: {
        "Content-Type": "application/json",
        Cookie: session.cookie,
        "X-CSRF-Token": session.csrf,
        "CF-Connecting-IP": "127.0.0.1",
      },
      body,
    };
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        i % 2 ? other.fetch("/api/inspections", init) : t.app.request("/api/inspections", init),
      ),
    );
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([201, ...Array(9).fill(409)]);
    const conflicts = await Promise.all(results.filter((r) => r.status === 409).map((r) => r.json()));
    expect(new Set(conflicts.map((c) => c.error.code))).toEqual(new Set(["duplicate_window"]));
    expect(await t.db.select().from(inspections)).toHaveLength(1);
    expect(await t.db.select().from(inspectionDepartments)).toHaveLength(1);
    await other.dispose();
  });
});
