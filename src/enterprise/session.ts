import { and, eq, gt } from "drizzle-orm";
import type { Context, MiddlewareHandler } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { createHmac } from "node:crypto";
import { assertSameOrigin, isHttps, SAFE_METHODS, sameToken } from "../auth/session.ts";
import { enterprises, enterpriseSessions } from "../db/schema.ts";
import type { AppEnv, SessionEnterprise } from "../env.ts";
import { ApiError } from "../lib/errors.ts";
import { randomToken, sha256Hex } from "../lib/ids.ts";

/** The enterprise's own cookies: never the staff ones (lianma_session / lianma_csrf). */
export const ENTERPRISE_COOKIE = "lianma_ent";
export const ENTERPRISE_CSRF_COOKIE = "lianma_ent_csrf";
export const ENTERPRISE_CSRF_HEADER = "X-Enterprise-CSRF-Token";

export type EnterpriseSignIn = "sms" | "activation";

/**
 * Loads the signed-in enterprise, if any. Like loadSession, a request without a Cookie header (or
 * without the enterprise cookie) costs no database lookup.
 */
export const loadEnterpriseSession: MiddlewareHandler<AppEnv> = async (c, next) => {
  c.set("enterprise", null);
  // Staff requests carry cookies too: only one that names the enterprise cookie is parsed for it.
  const header = c.req.header("cookie");
  const token = header?.includes(`${ENTERPRISE_COOKIE}=`) ? getCookie(c, ENTERPRISE_COOKIE) : undefined;
  if (token && token.length <= 128) {
    const id = sha256Hex(token);
    const [row] = await c.var.db
      .select({
        csrfToken: enterpriseSessions.csrfToken,
        id: enterprises.id,
        name: enterprises.name,
        creditCode: enterprises.creditCode,
      })
      .from(enterpriseSessions)
      .innerJoin(enterprises, eq(enterprises.id, enterpriseSessions.enterpriseId))
      .where(and(eq(enterpriseSessions.id, id), gt(enterpriseSessions.expiresAt, Date.now())))
      .limit(1);
    if (row) c.set("enterprise", { ...row, sessionId: id });
  }
  await next();
};

/** Requires a signed-in enterprise: 401 `enterprise_login_required` otherwise (a staff session never counts). */
export const requireEnterprise = (): MiddlewareHandler<AppEnv> => async (c, next) => {
  currentEnterprise(c);
  await next();
};

export function currentEnterprise(c: Context<AppEnv>): SessionEnterprise {
  const enterprise = c.var.enterprise;
  if (!enterprise) throw new ApiError(401, "enterprise_login_required", "请先以企业身份登录");
  return enterprise;
}

/**
 * Writes on the enterprise's authority need its own CSRF token in `X-Enterprise-CSRF-Token` (read
 * from the `lianma_ent_csrf` cookie) and a same-origin request. It runs on /api/enterprise/* and, for
 * a request that carries a live enterprise session, on /api/public/* (the evaluation acts on it).
 * A staff token is never accepted: only the enterprise session's own token matches.
 */
export const enterpriseCsrf: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (SAFE_METHODS.has(c.req.method)) return next();
  const enterprise = c.var.enterprise;
  const path = c.req.path;
  const ownRoute = path.startsWith("/api/enterprise/");
  // Staff routes ignore the enterprise session, so its token is not asked for there.
  if (!ownRoute && !(enterprise && path.startsWith("/api/public/"))) return next();
  assertSameOrigin(c);
  if (enterprise) {
    const sent = c.req.header(ENTERPRISE_CSRF_HEADER) ?? "";
    if (!sameToken(sent, enterprise.csrfToken)) throw new ApiError(403, "csrf", "缺少或错误的企业 CSRF 令牌");
  }
  return next();
};

/** A keyed hash of the client address (the address itself is never stored) and the user agent. */
export function clientTrace(c: Context<AppEnv>): { ipHash: string; userAgent: string | null } {
  const ipHash = createHmac("sha256", c.var.deps.config.secret)
    .update(`client-ip:${c.var.clientIp}`)
    .digest("hex");
  return { ipHash, userAgent: c.req.header("user-agent")?.slice(0, 300) ?? null };
}

/**
 * The statement that creates an enterprise session, and the cookies to set once it committed (so
 * it can share a batch with the consumption of a code or token and their audit line).
 */
export function newEnterpriseSession(c: Context<AppEnv>, enterpriseId: string, method: EnterpriseSignIn) {
  const token = randomToken();
  const csrfToken = randomToken(24);
  const now = Date.now();
  const ttl = c.var.deps.config.enterprise.sessionTtlMs;
  const id = sha256Hex(token);
  const values = {
    id,
    enterpriseId,
    csrfToken,
    method,
    ...clientTrace(c),
    createdAt: now,
    expiresAt: now + ttl,
  };
  const insert = c.var.db.insert(enterpriseSessions).values(values);
  const setCookies = () => {
    const secure = isHttps(c);
    const maxAge = Math.floor(ttl / 1000);
    setCookie(c, ENTERPRISE_COOKIE, token, { httpOnly: true, sameSite: "Lax", secure, path: "/", maxAge });
    setCookie(c, ENTERPRISE_CSRF_COOKIE, csrfToken, {
      httpOnly: false,
      sameSite: "Strict",
      secure,
      path: "/",
      maxAge,
    });
  };
  return { id, csrfToken, values, insert, setCookies };
}

/** Creates an enterprise session and sets both cookies; returns the CSRF token for the page. */
export async function startEnterpriseSession(
  c: Context<AppEnv>,
  enterpriseId: string,
  method: EnterpriseSignIn = "sms",
): Promise<string> {
  const session = newEnterpriseSession(c, enterpriseId, method);
  await session.insert;
  session.setCookies();
  return session.csrfToken;
}

/** Ends the request's enterprise session (if any) and clears both cookies. */
export async function endEnterpriseSession(c: Context<AppEnv>): Promise<void> {
  const id = c.var.enterprise?.sessionId;
  if (id) await c.var.db.delete(enterpriseSessions).where(eq(enterpriseSessions.id, id));
  c.set("enterprise", null);
  deleteCookie(c, ENTERPRISE_COOKIE, { path: "/" });
  deleteCookie(c, ENTERPRISE_CSRF_COOKIE, { path: "/" });
}

/** The audit actor of an enterprise's own acts (audit_log.actor_name; it has no user id). */
export function enterpriseActor(e: { creditCode: string }): string {
  return `enterprise:${e.creditCode}`;
}
