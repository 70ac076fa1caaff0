import { createRoute, z } from "@hono/zod-openapi";
import { eq } from "drizzle-orm";
import { users } from "../db/schema.ts";
import { audit } from "../audit/audit.ts";
import { ApiError } from "../lib/errors.ts";
import { errors, jsonBody, jsonResponse, newRouter } from "../lib/router.ts";
import { reserveLogin } from "./login-limit.ts";
import { dummyHash, verifyPassword } from "./password.ts";
import { endSession, requireUser, startSession } from "./session.ts";
import { UserSchema } from "../directory/schemas.ts";

const SessionSchema = z.object({ user: UserSchema, csrfToken: z.string() }).openapi("Session");

const login = createRoute({
  method: "post",
  path: "/login",
  tags: ["auth"],
  request: jsonBody(z.object({ username: z.string().min(1).max(64), password: z.string().min(1).max(256) })),
  responses: { 200: jsonResponse("已登录", SessionSchema), ...errors(400, 401, 429) },
});

const logout = createRoute({
  method: "post",
  path: "/logout",
  tags: ["auth"],
  responses: { 204: { description: "已退出" } },
});

const me = createRoute({
  method: "get",
  path: "/me",
  tags: ["auth"],
  middleware: [requireUser()] as const,
  responses: { 200: jsonResponse("当前用户", SessionSchema), ...errors(401) },
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
    const [user] = await c.var.db.select().from(users).where(eq(users.username, username)).limit(1);
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

  app.openapi(me, (c) => c.json({ user: c.var.user!, csrfToken: c.var.csrfToken! }, 200));

  return app;
}
