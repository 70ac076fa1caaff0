/**
 * Issue 13: the enterprise's session is its own. A staff cookie never counts as an enterprise, an
 * enterprise cookie never counts as staff, and each side's CSRF token is worthless to the other.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { enterpriseCall, enterpriseSession, type EnterpriseSession } from "./enterprise-fixtures.ts";
import { makeTestApp, type Session, type TestApp } from "./helpers.ts";
import { enterprise } from "./inspection-fixtures.ts";

let t: TestApp;
let enterpriseId: string;
let officer: Session;

beforeAll(async () => {
  t = await makeTestApp();
  const dept = await t.department("ES");
  await t.user("es-officer", "officer", dept);
  officer = await t.login("es-officer");
  enterpriseId = await enterprise(t, "济南会话测试有限公司");
});

const errorCode = async (res: Response) => ((await res.json()) as { error: { code: string } }).error.code;

describe("GET /api/enterprise/me", () => {
  it("answers the signed-in enterprise", async () => {
    const s = await enterpriseSession(t, enterpriseId);
    const res = await enterpriseCall(t, s, "GET", "/api/enterprise/me");
    expect(res.status).toBe(200);
    const body = (await res.json()) as { enterprise: { id: string; name: string }; csrfToken: string };
    expect(body.enterprise).toMatchObject({ id: enterpriseId, name: "济南会话测试有限公司" });
    expect(body.csrfToken).toBe(s.csrf);
  });

  it("refuses a request without an enterprise session (401 enterprise_login_required)", async () => {
    const res = await enterpriseCall(t, null, "GET", "/api/enterprise/me");
    expect(res.status).toBe(401);
    expect(await errorCode(res)).toBe("enterprise_login_required");
  });

  it("does not take a staff session for an enterprise", async () => {
    const res = await t.call(officer, "GET", "/api/enterprise/me");
    expect(res.status).toBe(401);
    expect(await errorCode(res)).toBe("enterprise_login_required");
  });

  it("does not take an expired enterprise session", async () => {
    const s = await enterpriseSession(t, enterpriseId, -1000);
    expect((await enterpriseCall(t, s, "GET", "/api/enterprise/me")).status).toBe(401);
  });
});

describe("staff routes", () => {
  it("do not take an enterprise session for a user", async () => {
    const s = await enterpriseSession(t, enterpriseId);
    const res = await enterpriseCall(t, s, "GET", "/api/auth/me");
    expect(res.status).toBe(401);
    expect((await enterpriseCall(t, s, "GET", "/api/inspections")).status).toBe(401);
  });

  it("keep working for a browser signed in both as staff and as an enterprise", async () => {
    const s = await enterpriseSession(t, enterpriseId);
    const both = { Cookie: `${officer.cookie}; ${s.cookie}`, "X-CSRF-Token": officer.csrf };
    const res = await t.app.request("/api/auth/me", { headers: both });
    expect(res.status).toBe(200);
    const staffWrite = await t.app.request("/api/inspections", {
      method: "POST",
      headers: { ...both, "Content-Type": "application/json" },
      body: "{}",
    });
    // Refused for its body (400), not by either CSRF check (403).
    expect(staffWrite.status).toBe(400);
  });
});

describe("POST /api/enterprise/logout", () => {
  let s: EnterpriseSession;
  beforeAll(async () => {
    s = await enterpriseSession(t, enterpriseId);
  });

  it("needs the enterprise CSRF token (403 without it)", async () => {
    const res = await enterpriseCall(t, s, "POST", "/api/enterprise/logout", undefined, {
      "X-Enterprise-CSRF-Token": "",
    });
    expect(res.status).toBe(403);
    expect(await errorCode(res)).toBe("csrf");
  });

  it("does not accept a staff CSRF token in its place", async () => {
    const res = await enterpriseCall(t, s, "POST", "/api/enterprise/logout", undefined, {
      Cookie: officer.cookie,
      "X-CSRF-Token": officer.csrf,
      "X-Enterprise-CSRF-Token": officer.csrf,
    });
    expect(res.status).toBe(403);
  });

  it("refuses a cross-site request even with the right token", async () => {
    const res = await enterpriseCall(t, s, "POST", "/api/enterprise/logout", undefined, {
      Origin: "https://evil.example",
    });
    expect(res.status).toBe(403);
  });

  it("ends the session and clears both cookies", async () => {
    const res = await enterpriseCall(t, s, "POST", "/api/enterprise/logout");
    expect(res.status).toBe(204);
    const cleared = res.headers.getSetCookie().join("\n");
    expect(cleared).toMatch(/lianma_ent=;/);
    expect(cleared).toMatch(/lianma_ent_csrf=;/);
    expect((await enterpriseCall(t, s, "GET", "/api/enterprise/me")).status).toBe(401);
  });

  it("is refused with a staff session only (401)", async () => {
    expect((await t.call(officer, "POST", "/api/enterprise/logout")).status).toBe(401);
  });
});
