import { and, eq, gt } from "drizzle-orm";
import type { Context, MiddlewareHandler } from "hono";
import { getCookie, setCookie, deleteCookie } from "hono/cookie";
import { timingSafeEqual } from "node:crypto";
import { sessions, users, type Role } from "../db/schema.ts";
import type { AppEnv, SessionUser } from "../env.ts";
import { ApiError } from "../lib/errors.ts";
import { randomToken, sha256Hex } from "../lib/ids.ts";

export const SESSION_COOKIE = "lianma_session";
export const CSRF_COOKIE = "lianma_csrf";
export const CSRF_HEADER = "X-CSRF-Token";

/** Resolves the client address: the socket peer, or the proxy's X-Forwarded-For only when trusted. */
export function clientIp(c: Context<AppEnv>): string {
  const deps = c.get("deps");
  if (deps.config.trustProxy) {
    const forwarded = c.req.header("x-forwarded-for")?.split(",").pop()?.trim();
    if (forwarded) return forwarded;
  }
  return deps.remoteAddress(c) ?? "unknown";
}

/** Sets the request's client address and no session: what a request without a session cookie gets. */
export function actAnonymously(c: Context<AppEnv>): void {
  c.set("clientIp", clientIp(c));
  c.set("user", null);
  c.set("enterprise", null);
  c.set("sessionId", null);
  c.set("csrfToken", null);
}

/** True when the client reached us over https (directly, or through a trusted proxy). */
export function isHttps(c: Context<AppEnv>): boolean {
  if (new URL(c.req.url).protocol === "https:") return true;
  return c.var.deps.config.trustProxy && c.req.header("x-forwarded-proto") === "https";
}

/**
 * Loads the session user, if any, for every request. A request without a Cookie header (every
 * anonymous submission) costs no cookie parsing and no database lookup.
 */
export const loadSession: MiddlewareHandler<AppEnv> = async (c, next) => {
  actAnonymously(c);
  const token = c.req.header("cookie") === undefined ? undefined : getCookie(c, SESSION_COOKIE);
  if (token && token.length <= 128) {
    const id = sha256Hex(token);
    const [row] = await c
      .get("db")
      .select({
        csrfToken: sessions.csrfToken,
        id: users.id,
        username: users.username,
        displayName: users.displayName,
        role: users.role,
        departmentId: users.departmentId,
      })
      .from(sessions)
      .innerJoin(users, eq(users.id, sessions.userId))
      .where(and(eq(sessions.id, id), gt(sessions.expiresAt, Date.now()), eq(users.disabled, false)))
      .limit(1);
    if (row) {
      const { csrfToken, ...user } = row;
      c.set("user", user);
      c.set("sessionId", id);
      c.set("csrfToken", csrfToken);
    }
  }
  await next();
};

/** Creates a session row and sets both cookies; returns the CSRF token for the page. */
export async function startSession(c: Context<AppEnv>, userId: string): Promise<string> {
  const token = randomToken();
  const csrfToken = randomToken(24);
  const now = Date.now();
  const ttl = c.var.deps.config.sessionTtlMs;
  await c.var.db
    .insert(sessions)
    .values({ id: sha256Hex(token), userId, csrfToken, createdAt: now, expiresAt: now + ttl });
  const secure = isHttps(c);
  const maxAge = Math.floor(ttl / 1000);
  setCookie(c, SESSION_COOKIE, token, { httpOnly: true, sameSite: "Lax", secure, path: "/", maxAge });
  setCookie(c, CSRF_COOKIE, csrfToken, { httpOnly: false, sameSite: "Strict", secure, path: "/", maxAge });
  return csrfToken;
}

export async function endSession(c: Context<AppEnv>): Promise<void> {
  const id = c.var.sessionId;
  if (id) await c.var.db.delete(sessions).where(eq(sessions.id, id));
  deleteCookie(c, SESSION_COOKIE, { path: "/" });
  deleteCookie(c, CSRF_COOKIE, { path: "/" });
}

export const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * Cookie-authenticated writes need the session's CSRF token in a header (a cross-site page cannot read
 * it) and, when the browser says where the request came from, our own origin. Checked whatever the
 * Content-Type, so text/plain or odd-cased types cannot slip past (GHSA-2234-fmw7-43wr).
 */
export const csrfProtection: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (SAFE_METHODS.has(c.req.method)) return next();
  assertSameOrigin(c);
  const hasCookie = getCookie(c, SESSION_COOKIE) !== undefined;
  if (hasCookie) {
    const sent = c.req.header(CSRF_HEADER) ?? "";
    const expected = c.var.csrfToken;
    if (!expected || !sameToken(sent, expected)) throw new ApiError(403, "csrf", "缺少或错误的 CSRF 令牌");
  }
  return next();
};

/** Refuses a request the browser says came from another site (Sec-Fetch-Site, Origin). */
export function assertSameOrigin(c: Context<AppEnv>): void {
  const fetchSite = c.req.header("sec-fetch-site");
  if (fetchSite === "cross-site") throw new ApiError(403, "csrf", "拒绝跨站请求");
  const origin = c.req.header("origin");
  if (origin === "null") throw new ApiError(403, "csrf", "请求来源不被允许");
  if (origin && !allowedOrigins(c).includes(origin)) {
    throw new ApiError(403, "csrf", "请求来源不被允许");
  }
}

export function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function allowedOrigins(c: Context<AppEnv>): string[] {
  const own = new URL(c.req.url).origin;
  const list = [own];
  const { publicUrl, trustProxy } = c.var.deps.config;
  if (publicUrl) list.push(new URL(publicUrl).origin);
  if (trustProxy) {
    const host = c.req.header("x-forwarded-host") ?? c.req.header("host");
    const proto = c.req.header("x-forwarded-proto") ?? "http";
    if (host) list.push(`${proto}://${host}`);
  }
  return list;
}

/** Requires a logged-in user with one of the roles (all roles when none are named). */
export function requireUser(...roles: Role[]): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const user = c.var.user;
    if (!user) throw new ApiError(401, "unauthenticated", "请先登录");
    if (roles.length && !roles.includes(user.role))
      throw new ApiError(403, "forbidden", "没有权限执行此操作");
    await next();
  };
}

export function currentUser(c: Context<AppEnv>): SessionUser {
  const user = c.var.user;
  if (!user) throw new ApiError(401, "unauthenticated", "请先登录");
  return user;
}
