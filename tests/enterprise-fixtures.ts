import { eq } from "drizzle-orm";
import { enterprises, enterpriseSessions } from "../src/db/schema.ts";
import { randomToken, sha256Hex } from "../src/lib/ids.ts";
import type { TestApp } from "./helpers.ts";

/** An enterprise's signed-in browser: both cookies and the CSRF token its pages send. */
export interface EnterpriseSession {
  cookie: string;
  csrf: string;
}

/** A session row written directly, for tests about what a session may do (not how it starts). */
export async function enterpriseSession(
  t: TestApp,
  enterpriseId: string,
  ttlMs = 86_400_000,
): Promise<EnterpriseSession> {
  const token = randomToken();
  const csrf = randomToken(24);
  const now = Date.now();
  await t.db.insert(enterpriseSessions).values({
    id: sha256Hex(token),
    enterpriseId,
    csrfToken: csrf,
    method: "sms",
    createdAt: now,
    expiresAt: now + ttlMs,
  });
  return { cookie: `lianma_ent=${token}; lianma_ent_csrf=${csrf}`, csrf };
}

/** A JSON request as the enterprise portal sends it (enterprise cookie + its CSRF header). */
export function enterpriseCall(
  t: TestApp,
  session: EnterpriseSession | null,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
) {
  const h: Record<string, string> = { ...headers };
  if (session) {
    h.Cookie = h.Cookie ? `${h.Cookie}; ${session.cookie}` : session.cookie;
    h["X-Enterprise-CSRF-Token"] ??= session.csrf;
  }
  if (body !== undefined) h["Content-Type"] ??= "application/json";
  return t.app.request(path, {
    method,
    headers: h,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

/** Sets an enterprise's mobile number in the directory. */
export async function setPhone(t: TestApp, enterpriseId: string, phone: string | null) {
  await t.db.update(enterprises).set({ contactPhone: phone }).where(eq(enterprises.id, enterpriseId));
}

/** The cookies a response set, as a Cookie header value (name=value pairs). */
export function cookiesOf(res: Response): string {
  return res.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; ");
}
