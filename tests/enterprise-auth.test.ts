/**
 * Issue 13, enterprise sign-in: SMS one-time codes (webhook gateway from the outbox; the file gateway
 * and none are in tests/enterprise-sms-gateways.test.ts) and activation letters. Codes are read where the gateway puts them, as a phone would.
 */
import { createHmac } from "node:crypto";
import { and, desc, eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { deliverDue, type FetchFn } from "../src/alerts/outbox.ts";
import { auditLog, enterpriseActivationTokens, enterpriseLoginCodes, outbox } from "../src/db/schema.ts";
import { configFromEnv } from "../src/env.ts";
import { cookiesOf, setPhone } from "./enterprise-fixtures.ts";
import { makeTestApp, type Session, type TestApp } from "./helpers.ts";
import { enterprise } from "./inspection-fixtures.ts";

const SMS_URL = "https://sms.example/send";
const SMS_SECRET = "sms-secret-".padEnd(40, "s");
const ENV = { SMS_GATEWAY: "webhook", SMS_WEBHOOK_URL: SMS_URL, SMS_WEBHOOK_SECRET: SMS_SECRET };

let t: TestApp;
let admin: Session;
let phoneSerial = 0;

beforeAll(async () => {
  t = await makeTestApp(ENV);
  await t.user("ea-admin", "admin");
  await t.user("ea-dept-admin", "dept_admin", await t.department("EA"));
  admin = await t.login("ea-admin");
});

const json = async <T = Record<string, unknown>>(res: Response) => (await res.json()) as T;
const errorCode = async (res: Response) => (await json<{ error: { code: string } }>(res)).error.code;

/** A fresh enterprise with a mobile number; returns its id and credit code. */
async function withPhone(name: string) {
  const id = await enterprise(t, name);
  const phone = `139${String(++phoneSerial).padStart(8, "0")}`;
  await setPhone(t, id, phone);
  const creditCode = (
    await json<{ creditCode: string }>(await t.call(admin, "GET", `/api/enterprises/${id}`))
  ).creditCode;
  return { id, phone, creditCode };
}

const requestCode = (creditCode: string) =>
  t.call(null, "POST", "/api/public/enterprise/code", { creditCode });
const login = (creditCode: string, code: string) =>
  t.call(null, "POST", "/api/public/enterprise/login", { creditCode, code });

/** The code of the latest SMS the webhook gateway queued for `phone`. */
async function sentCode(phone: string): Promise<string> {
  const rows = await t.db
    .select()
    .from(outbox)
    .where(eq(outbox.topic, "sms.code"))
    .orderBy(desc(outbox.createdAt));
  const mine = rows.map((r) => JSON.parse(r.payload)).filter((p) => p.to === phone);
  if (!mine.length) throw new Error(`no SMS queued for ${phone}`);
  return mine[0].code;
}

const wrong = (code: string) => String((Number(code) + 1) % 1_000_000).padStart(6, "0");

describe("POST /api/public/enterprise/code", () => {
  it("answers 202 and queues a signed SMS for an enterprise with a phone", async () => {
    const e = await withPhone("济南短信一号有限公司");
    const res = await requestCode(e.creditCode);
    expect(res.status).toBe(202);
    const [row] = await t.db.select().from(outbox).where(eq(outbox.topic, "sms.code"));
    const payload = JSON.parse(row!.payload);
    expect(payload).toMatchObject({ type: "sms.code", to: e.phone, template: "enterprise_login" });
    expect(payload.code).toMatch(/^\d{6}$/);
    expect(payload.text).toContain(payload.code);
    // Stored as an HMAC only.
    const [stored] = await t.db
      .select()
      .from(enterpriseLoginCodes)
      .where(eq(enterpriseLoginCodes.enterpriseId, e.id));
    expect(stored!.codeHash).not.toContain(payload.code);
    expect(stored!.codeHash).toMatch(/^[0-9a-f]{64}$/);
  });

  it("delivers the queued SMS to SMS_WEBHOOK_URL, signed with SMS_WEBHOOK_SECRET", async () => {
    const calls: { url: string; headers: Record<string, string>; body: string }[] = [];
    const fn: FetchFn = async (url, init) => {
      calls.push({ url, headers: init.headers as Record<string, string>, body: String(init.body) });
      return new Response("ok");
    };
    const config = configFromEnv(ENV, "test-secret-".padEnd(40, "x"));
    const result = await deliverDue(t.db, config, fn, Date.now() + 1000);
    expect(result.delivered).toBeGreaterThan(0);
    for (const call of calls) {
      expect(call.url).toBe(SMS_URL);
      const signature = `sha256=${createHmac("sha256", SMS_SECRET).update(call.body).digest("hex")}`;
      expect(call.headers["X-Lianma-Signature"]).toBe(signature);
      expect(call.headers["X-Lianma-Topic"]).toBe("sms.code");
    }
  });

  it("keeps no code in the outbox once a message is delivered, and drops one that expired unsent", async () => {
    const fresh = await withPhone("济南短信脱敏有限公司");
    const stale = await withPhone("济南短信过期有限公司");
    expect((await requestCode(stale.creditCode)).status).toBe(202);
    const sent = Date.now();
    const [staleRow] = (await t.db.select().from(outbox).where(eq(outbox.topic, "sms.code"))).filter(
      (r) => JSON.parse(r.payload).to === stale.phone,
    );
    // The stale message was queued 11 minutes before this delivery run; the fresh one just now.
    await t.db
      .update(outbox)
      .set({ createdAt: sent - 11 * 60_000, deliveredAt: null })
      .where(eq(outbox.id, staleRow!.id));
    expect((await requestCode(fresh.creditCode)).status).toBe(202);
    const code = await sentCode(fresh.phone);
    const bodies: string[] = [];
    const fn: FetchFn = async (_url, init) => {
      bodies.push(String(init.body));
      return new Response("ok");
    };
    await deliverDue(t.db, configFromEnv(ENV, "test-secret-".padEnd(40, "x")), fn, Date.now() + 1000);
    expect(bodies.some((b) => b.includes(code))).toBe(true);
    expect(bodies.some((b) => b.includes(stale.phone))).toBe(false);
    const rows = await t.db.select().from(outbox).where(eq(outbox.topic, "sms.code"));
    expect(rows.find((r) => r.id === staleRow!.id)).toBeUndefined();
    const settled = rows
      .map((r) => JSON.parse(r.payload))
      .filter((p) => p.to === fresh.phone.slice(0, 3) + "****" + fresh.phone.slice(-4));
    expect(settled).toHaveLength(1);
    expect(settled[0]).toMatchObject({ type: "sms.code", template: "enterprise_login", redacted: true });
    expect(JSON.stringify(rows)).not.toContain(code);
    // The code still signs in: only the outbox copy is gone.
    expect((await login(fresh.creditCode, code)).status).toBe(200);
  });

  it("answers the same 202 for an unknown credit code and for an enterprise without a phone", async () => {
    const before = (await t.db.select().from(outbox)).length;
    const unknown = await requestCode("91370100MA9999999X");
    expect(unknown.status).toBe(202);
    const noPhone = await enterprise(t, "济南无手机有限公司");
    const code = (
      await json<{ creditCode: string }>(await t.call(admin, "GET", `/api/enterprises/${noPhone}`))
    ).creditCode;
    const res = await requestCode(code);
    expect(res.status).toBe(202);
    expect(await json(res)).toEqual(await json(await requestCode("91370100MA8888888X")));
    expect((await t.db.select().from(outbox)).length).toBe(before);
  });

  it("limits codes per credit code (one a minute)", async () => {
    const e = await withPhone("济南频率有限公司");
    expect((await requestCode(e.creditCode)).status).toBe(202);
    const again = await requestCode(e.creditCode);
    expect(again.status).toBe(429);
    expect(await errorCode(again)).toBe("rate_limited");
  });

  it("limits codes per client across credit codes", async () => {
    t.setRemote("10.9.9.9");
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 21; i++)
        statuses.push((await requestCode(`91370100MA77${String(i).padStart(5, "0")}X`)).status);
      expect(statuses.slice(0, 20).every((s) => s === 202)).toBe(true);
      expect(statuses[20]).toBe(429);
    } finally {
      t.setRemote("127.0.0.1");
    }
  });

  it("answers 400 for a body without a credit code", async () => {
    expect((await t.call(null, "POST", "/api/public/enterprise/code", {})).status).toBe(400);
  });
});

describe("POST /api/public/enterprise/login", () => {
  it("signs in with the code: 200, both cookies, the enterprise and its CSRF token", async () => {
    const e = await withPhone("济南登录有限公司");
    await requestCode(e.creditCode);
    const res = await login(e.creditCode, await sentCode(e.phone));
    expect(res.status).toBe(200);
    const body = await json<{ enterprise: { id: string; name: string }; csrfToken: string }>(res);
    expect(body.enterprise).toMatchObject({ id: e.id, name: "济南登录有限公司" });
    const setCookies = res.headers.getSetCookie();
    const session = setCookies.find((c) => c.startsWith("lianma_ent="))!;
    expect(session).toMatch(/HttpOnly/i);
    expect(session).toMatch(/SameSite=Lax/i);
    expect(session).toMatch(/Path=\//);
    expect(session).toMatch(/Max-Age=15552000/); // 180 days
    expect(setCookies.find((c) => c.startsWith("lianma_ent_csrf="))).not.toMatch(/HttpOnly/i);
    const me = await t.app.request("/api/enterprise/me", { headers: { Cookie: cookiesOf(res) } });
    expect(me.status).toBe(200);
    const [line] = await t.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, "enterprise.login"), eq(auditLog.targetId, e.id)));
    expect(line!.actorName).toBe(`enterprise:${e.creditCode}`);
  });

  it("takes a code once", async () => {
    const e = await withPhone("济南一次有限公司");
    await requestCode(e.creditCode);
    const code = await sentCode(e.phone);
    expect((await login(e.creditCode, code)).status).toBe(200);
    const again = await login(e.creditCode, code);
    expect(again.status).toBe(401);
    expect(await errorCode(again)).toBe("invalid_code");
  });

  it("locks the code after 5 wrong answers: even the right one is refused then", async () => {
    const e = await withPhone("济南锁定有限公司");
    await requestCode(e.creditCode);
    const code = await sentCode(e.phone);
    for (let i = 0; i < 5; i++) {
      const res = await login(e.creditCode, wrong(code));
      expect(res.status).toBe(401);
      expect(await errorCode(res)).toBe("invalid_code");
    }
    const locked = await login(e.creditCode, code);
    expect(locked.status).toBe(429);
    expect(await errorCode(locked)).toBe("code_locked");
  });

  it("refuses an expired code", async () => {
    const e = await withPhone("济南过期有限公司");
    await requestCode(e.creditCode);
    const code = await sentCode(e.phone);
    await t.db
      .update(enterpriseLoginCodes)
      .set({ expiresAt: Date.now() - 1 })
      .where(eq(enterpriseLoginCodes.enterpriseId, e.id));
    const res = await login(e.creditCode, code);
    expect(res.status).toBe(401);
    expect(await errorCode(res)).toBe("invalid_code");
  });

  it("refuses a code of another enterprise", async () => {
    const a = await withPhone("济南甲有限公司");
    const b = await withPhone("济南乙有限公司");
    await requestCode(a.creditCode);
    await requestCode(b.creditCode);
    expect((await login(b.creditCode, await sentCode(a.phone))).status).toBe(401);
  });

  it("answers 400 for a code that is not six digits", async () => {
    expect((await login("91370100MA9999999X", "12345")).status).toBe(400);
  });
});

describe("configuration", () => {
  it("refuses SMS_GATEWAY=webhook without its URL and secret, and unknown gateways", () => {
    expect(() => configFromEnv({ SMS_GATEWAY: "webhook" }, "x".repeat(40))).toThrow(/SMS_WEBHOOK_URL/);
    expect(() => configFromEnv({ SMS_GATEWAY: "carrier-pigeon" }, "x".repeat(40))).toThrow(/SMS_GATEWAY/);
    const config = configFromEnv(
      { ENTERPRISE_SESSION_DAYS: "7", ENTERPRISE_ACTIVATION_DAYS: "30" },
      "x".repeat(40),
    );
    expect(config.enterprise.sessionTtlMs).toBe(7 * 86_400_000);
    expect(config.enterprise.activationTtlMs).toBe(30 * 86_400_000);
  });
});

// ---- activation letters ----

interface Letter {
  enterprise: { id: string; name: string; creditCode: string; hasPhone: boolean };
  token: string;
  url: string;
  qrSvg: string;
  expiresAt: string;
}

async function printLetters(body: unknown, session = admin): Promise<Letter[]> {
  const res = await t.call(session, "POST", "/api/enterprises/activation-letters", body);
  if (res.status !== 201) throw new Error(`letters: ${res.status} ${await res.text()}`);
  return (await json<{ letters: Letter[] }>(res)).letters;
}

const activate = async (token: string): Promise<Response> =>
  t.call(null, "POST", "/api/public/enterprise/activate", { token });

describe("POST /api/enterprises/activation-letters", () => {
  it("prints a letter: token as text, the QR of /e/activate#token=…, an expiry", async () => {
    const id = await enterprise(t, "济南激活函有限公司");
    const [letter] = await printLetters({ enterpriseIds: [id] });
    expect(letter!.enterprise).toMatchObject({ id, name: "济南激活函有限公司", hasPhone: false });
    expect(letter!.token).toMatch(/^[0-9A-Z]{5}(-[0-9A-Z]{5}){3}$/);
    expect(letter!.url).toMatch(new RegExp(`/e/activate#token=${letter!.token}$`));
    expect(letter!.qrSvg).toMatch(/^<svg/);
    const days = (Date.parse(letter!.expiresAt) - Date.now()) / 86_400_000;
    expect(Math.round(days)).toBe(90);
    // Only the hash is stored.
    const rows = await t.db
      .select()
      .from(enterpriseActivationTokens)
      .where(eq(enterpriseActivationTokens.enterpriseId, id));
    expect(JSON.stringify(rows)).not.toContain(letter!.token.replaceAll("-", "").toLowerCase());
    const [line] = await t.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, "enterprise.activation_issue"), eq(auditLog.targetId, id)));
    expect(line).toBeDefined();
  });

  it("prints for a district's enterprises without a phone", async () => {
    const a = await enterprise(t, "济南区县甲有限公司");
    const b = await enterprise(t, "济南区县乙有限公司");
    const phoned = await enterprise(t, "济南区县丙有限公司");
    await setPhone(t, phoned, "13600000009");
    const letters = await printLetters({ district: "历下区" });
    const ids = letters.map((l) => l.enterprise.id);
    expect(ids).toEqual(expect.arrayContaining([a, b]));
    expect(ids).not.toContain(phoned);
  });

  it("is the administrator's: a department administrator gets 403", async () => {
    const id = await enterprise(t, "济南权限有限公司");
    const head = await t.login("ea-dept-admin");
    expect(
      (await t.call(head, "POST", "/api/enterprises/activation-letters", { enterpriseIds: [id] })).status,
    ).toBe(403);
  });

  it("answers 400 without enterpriseIds or district, 404 for an unknown enterprise", async () => {
    expect((await t.call(admin, "POST", "/api/enterprises/activation-letters", {})).status).toBe(400);
    const res = await t.call(admin, "POST", "/api/enterprises/activation-letters", {
      enterpriseIds: ["nope"],
    });
    expect(res.status).toBe(404);
  });
});

describe("POST /api/public/enterprise/activate", () => {
  it("signs in once with the letter's token (typed in any case, with or without hyphens)", async () => {
    const id = await enterprise(t, "济南激活有限公司");
    const [letter] = await printLetters({ enterpriseIds: [id] });
    const typed = letter!.token.replaceAll("-", " ").toLowerCase();
    const res = await activate(typed);
    expect(res.status).toBe(200);
    expect((await json<{ enterprise: { id: string } }>(res)).enterprise.id).toBe(id);
    const me = await t.app.request("/api/enterprise/me", { headers: { Cookie: cookiesOf(res) } });
    expect(me.status).toBe(200);
    const [line] = await t.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, "enterprise.activate"), eq(auditLog.targetId, id)));
    expect(line).toBeDefined();

    const reused = await activate(letter!.token);
    expect(reused.status).toBe(401);
    expect(await errorCode(reused)).toBe("invalid_token");
  });

  it("refuses an expired token (401)", async () => {
    const id = await enterprise(t, "济南过期激活有限公司");
    const [letter] = await printLetters({ enterpriseIds: [id] });
    await t.db
      .update(enterpriseActivationTokens)
      .set({ expiresAt: Date.now() - 1 })
      .where(eq(enterpriseActivationTokens.enterpriseId, id));
    expect((await activate(letter!.token)).status).toBe(401);
  });

  it("refuses the old letter once it was reprinted; the new one works", async () => {
    const id = await enterprise(t, "济南重印有限公司");
    const [first] = await printLetters({ enterpriseIds: [id] });
    const [second] = await printLetters({ enterpriseIds: [id] });
    expect((await activate(first!.token)).status).toBe(401);
    expect((await activate(second!.token)).status).toBe(200);
  });

  it("starts one session from parallel uses of one token", async () => {
    const id = await enterprise(t, "济南并发激活有限公司");
    const [letter] = await printLetters({ enterpriseIds: [id] });
    const statuses = await Promise.all(
      Array.from({ length: 10 }, async () => (await activate(letter!.token)).status),
    );
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 401)).toHaveLength(9);
  });

  it("refuses a token that was never issued", async () => {
    expect((await activate("AAAAA-BBBBB-CCCCC-DDDDD")).status).toBe(401);
  });
});
