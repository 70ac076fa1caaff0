import { createRoute } from "@hono/zod-openapi";
import { audit } from "../audit/audit.ts";
import { errors, jsonResponse, newRouter } from "../lib/router.ts";
import { EnterpriseSessionSchema } from "./schemas.ts";
import { currentEnterprise, endEnterpriseSession, enterpriseActor, requireEnterprise } from "./session.ts";

const me = createRoute({
  method: "get",
  path: "/me",
  tags: ["enterprise"],
  summary: "当前登录的企业",
  middleware: [requireEnterprise()] as const,
  responses: { 200: jsonResponse("当前企业", EnterpriseSessionSchema), ...errors(401) },
});

const logout = createRoute({
  method: "post",
  path: "/logout",
  description: "在服务器端删除会话并清除两个 Cookie。审计 `enterprise.logout`。",
  tags: ["enterprise"],
  summary: "企业退出登录（结束本机会话）",
  middleware: [requireEnterprise()] as const,
  responses: { 204: { description: "已退出" }, ...errors(401, 403) },
});

/** The signed-in enterprise's own routes, under /api/enterprise (never reachable with a staff session). */
export function enterpriseRoutes() {
  const app = newRouter();

  app.openapi(me, (c) => {
    const { id, name, creditCode, csrfToken } = currentEnterprise(c);
    return c.json({ enterprise: { id, name, creditCode }, csrfToken }, 200);
  });

  app.openapi(logout, async (c) => {
    const enterprise = currentEnterprise(c);
    await audit(c, {
      action: "enterprise.logout",
      targetType: "enterprise",
      targetId: enterprise.id,
      actorName: enterpriseActor(enterprise),
    });
    await endEnterpriseSession(c);
    return c.body(null, 204);
  });

  return app;
}
