import { createRoute } from "@hono/zod-openapi";
import { and, asc, eq } from "drizzle-orm";
import { catalogItems, departments } from "../db/schema.ts";
import { jsonResponse, newRouter } from "../lib/router.ts";
import { PublicCatalogSchema } from "./schemas.ts";

const publicCatalog = createRoute({
  method: "get",
  path: "/",
  summary: "公开的涉企检查事项清单（无需登录）",
  tags: ["public"],
  description:
    "公开的涉企检查事项清单：仅列入行政检查主体清单的部门的在用事项（清单之外无检查）。缓存 60 秒（Cache-Control: public, max-age=60）。",
  responses: { 200: jsonResponse("检查事项清单", PublicCatalogSchema) },
});

/** The public catalog (R3), readable by anyone: enterprises check what may be inspected, and on what basis. */
export function publicCatalogRoutes() {
  const app = newRouter();
  app.openapi(publicCatalog, async (c) => {
    const listed = await c.var.db
      .select({ code: departments.code, name: departments.name, district: departments.district })
      .from(departments)
      .where(eq(departments.listed, true))
      .orderBy(asc(departments.code));
    const items = await c.var.db
      .select({
        code: catalogItems.code,
        departmentCode: departments.code,
        departmentName: departments.name,
        name: catalogItems.name,
        legalBasis: catalogItems.legalBasis,
        method: catalogItems.method,
      })
      .from(catalogItems)
      .innerJoin(departments, eq(departments.id, catalogItems.departmentId))
      .where(and(eq(catalogItems.status, "active"), eq(departments.listed, true)))
      .orderBy(asc(departments.code), asc(catalogItems.code));
    c.header("Cache-Control", "public, max-age=60");
    return c.json({ departments: listed, items }, 200);
  });
  return app;
}
