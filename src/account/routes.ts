// The account routes: sign in and out, who am I, change one's own password. Each writes its audit line, so
// they sit above audit/, while the session guard they share with every route stays in auth/.
import { createRoute, z } from "@hono/zod-openapi";
import { and, eq, ne } from "drizzle-orm";
import { users } from "../db/schema.ts";
import { audit } from "../audit/audit.ts";
import { ApiError } from "../lib/errors.ts";
import { errors, jsonBody, jsonResponse, newRouter } from "../lib/router.ts";
import { reserveLogin } from "../auth/login-limit.ts";
import { dummyHash, verifyPassword } from "../auth/password.ts";
import { endSession, requireUser, startSession } from "../auth/session.ts";
import { findUserByLogin } from "../auth/username.ts";
import { passwordField, UserSchema } from "../auth/schemas.ts";
import { hashPassword } from "../auth/password.ts";
import { auditInsert } from "../audit/audit.ts";
import { runBatch } from "../db/client.ts";
import { sessions } from "../db/schema.ts";

const SessionSchema = z.object({ user: UserSchema, csrfToken: z.string() }).openapi("Session");

const login = createRoute({
  method: "post",
  path: "/login",
  summary: "工作人员登录",
  description:
    "设置 Cookie `lianma_session`（HttpOnly）和 `lianma_csrf`（页面脚本可读）。用户名不区分大小写。401 `invalid_credentials`；429 `rate_limited` 并带 `Retry-After`（按该客户端对该账号的失败次数、按客户端、以及对从多个地址失败的账号逐次放慢：src/auth/login-limit.ts）。",
  tags: ["auth"],
  request: jsonBody(z.object({ username: z.string().min(1).max(64), password: z.string().min(1).max(256) })),
  responses: { 200: jsonResponse("已登录", SessionSchema), ...errors(400, 401, 429) },
});

const logout = createRoute({
  method: "post",
  path: "/logout",
  summary: "退出登录",
  tags: ["auth"],
  responses: { 204: { description: "已退出" } },
});

const me = createRoute({
  method: "get",
  path: "/me",
  summary: "当前用户及 CSRF 令牌",
  tags: ["auth"],
  middleware: [requireUser()] as const,
  responses: { 200: jsonResponse("当前用户", SessionSchema), ...errors(401) },
});

const changePassword = createRoute({
  method: "post",
  path: "/password",
  summary: "修改本人密码",
  description:
    "至少 10 个字符；本人在其他设备上的登录结束，当前登录保留。400 `wrong_password`（按失败登录计数，过多后 429），400 `same_password`。",
  tags: ["auth"],
  middleware: [requireUser()] as const,
  request: jsonBody(z.object({ currentPassword: z.string().min(1).max(256), newPassword: passwordField })),
  responses: { 204: { description: "密码已修改（其他设备上的登录已结束）" }, ...errors(400, 401, 429) },
});

export function authRoutes() {
  const app = newRouter();

  app.openapi(login, async (c) => {
    const { username, password } = c.req.valid("json");
    const attempt = await reserveLogin(c, username);
    if (!attempt.allowed) {
      if (attempt.firstRefusal) await audit(c, { action: "auth.login_blocked", actorName: username });
      c.header("Retry-After", String(Math.ceil(attempt.retryAfterMs / 1000)));
      throw new ApiError(429, "rate_limited", "登录失败次数过多，请稍后再试");
    }
    const user = await findUserByLogin(c.var.db, username);
    const ok = await verifyPassword(password, user?.passwordHash ?? (await dummyHash()));
    if (!ok || !user || user.disabled) {
      await attempt.failed();
      await audit(c, {
        action: "auth.login_failed",
        actorName: username,
        detail: { reason: !user ? "unknown_user" : user.disabled ? "disabled" : "bad_password" },
      });
      throw new ApiError(401, "invalid_credentials", "用户名或密码错误");
    }
    await attempt.succeeded();
    // A fresh session on every login: any token planted before login is worthless afterwards.
    if (c.var.sessionId) await endSession(c);
    const csrfToken = await startSession(c, user.id);
    const sessionUser = {
      id: user.id,
      username: user.username,
      displayName: user.displayName,
      role: user.role,
      departmentId: user.departmentId,
    };
    c.set("user", sessionUser);
    await audit(c, { action: "auth.login", targetType: "user", targetId: user.id });
    return c.json({ user: sessionUser, csrfToken }, 200);
  });

  app.openapi(logout, async (c) => {
    if (c.var.user) await audit(c, { action: "auth.logout", targetType: "user", targetId: c.var.user.id });
    await endSession(c);
    return c.body(null, 204);
  });

  // One's own password, proven by the current one (a session left open on a shared computer must
  // not be enough). Guesses count like failed logins. Other sessions end; this one stays.
  app.openapi(changePassword, async (c) => {
    const { currentPassword, newPassword } = c.req.valid("json");
    const self = c.var.user!;
    const attempt = await reserveLogin(c, self.username);
    if (!attempt.allowed) {
      c.header("Retry-After", String(Math.ceil(attempt.retryAfterMs / 1000)));
      throw new ApiError(429, "rate_limited", "尝试次数过多，请稍后再试");
    }
    const [user] = await c.var.db.select().from(users).where(eq(users.id, self.id)).limit(1);
    if (!user || !(await verifyPassword(currentPassword, user.passwordHash))) {
      await attempt.failed();
      await audit(c, { action: "auth.password_change_failed", targetType: "user", targetId: self.id });
      throw new ApiError(400, "wrong_password", "当前密码不正确");
    }
    await attempt.succeeded();
    if (newPassword === currentPassword) throw new ApiError(400, "same_password", "新密码不能与当前密码相同");
    const now = Date.now();
    await runBatch(c.var.db, [
      c.var.db
        .update(users)
        .set({ passwordHash: await hashPassword(newPassword), updatedAt: now })
        .where(eq(users.id, self.id)),
      c.var.db
        .delete(sessions)
        .where(and(eq(sessions.userId, self.id), ne(sessions.id, c.var.sessionId ?? ""))),
      auditInsert(c, {
        action: "auth.password_change",
        targetType: "user",
        targetId: self.id,
        detail: { otherSessionsEnded: true },
      }),
    ]);
    return c.body(null, 204);
  });

  app.openapi(me, (c) => c.json({ user: c.var.user!, csrfToken: c.var.csrfToken! }, 200));

  return app;
}
