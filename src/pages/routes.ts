import { Hono } from "hono";
import type { AppEnv } from "../env.ts";
import type { Role } from "../db/schema.ts";
import { notFound } from "../lib/errors.ts";

/** Page URLs and the static file in public/ each one serves; ids in the path are read by the page. */
const PAGES: [string, string][] = [
  ["/login", "/login.html"],
  ["/admin/forms", "/admin/forms.html"],
  ["/admin/forms/:id/edit", "/admin/editor.html"],
  ["/admin/forms/:id/responses", "/admin/responses.html"],
  ["/admin/forms/:id/responses/:rid", "/admin/response.html"],
  ["/admin/forms/:id/share", "/admin/share.html"],
  ["/admin/forms/:id/poster", "/admin/poster.html"],
  ["/admin/users", "/admin/users.html"],
  ["/admin/officers", "/admin/officers.html"],
  ["/admin/enterprises", "/admin/enterprises.html"],
  ["/admin/enterprises/letters", "/admin/enterprise-letters.html"],
  ["/admin/catalog", "/admin/catalog.html"],
  ["/catalog", "/catalog.html"],
  ["/admin/inspections", "/admin/inspections.html"],
  // Before "/admin/inspections/:id", so "new" is not read as an id.
  ["/admin/inspections/new", "/admin/file.html"],
  ["/admin/inspections/:id", "/admin/inspection.html"],
  ["/admin/inspections/:id/checklist", "/admin/checklist.html"],
  ["/admin/alerts", "/admin/alerts.html"],
  ["/admin/cases", "/admin/cases.html"],
  ["/admin/cases/:id", "/admin/case.html"],
  ["/admin/cases/:id/print", "/admin/case-print.html"],
  ["/admin/reviews", "/admin/reviews.html"],
  ["/admin/reviews/items/:itemId", "/admin/review-item.html"],
  ["/admin/sampling", "/sampling-admin.html"],
  ["/sampling/public", "/sampling-public.html"],
  ["/sampling/public/:id", "/sampling-public.html"],
  ["/admin/dashboard", "/admin/dashboard.html"],
  ["/admin/planning", "/planning.html"],
  // The API reference, generated in the browser from GET /api/openapi.json.
  ["/api-docs", "/api-docs.html"],
  ["/f/:id", "/runner.html"],
  ["/i/:code", "/inspection.html"],
  // The enterprise portal (issue 13): one page; the activation token arrives in the fragment.
  ["/e", "/enterprise.html"],
  ["/e/activate", "/enterprise.html"],
  ["/e/inspections/:id", "/enterprise.html"],
  ["/e/complaints", "/enterprise.html"],
];

/** Where each role starts: the page of its daily work, never one its role cannot open. */
export function homeFor(role: Role): string {
  if (role === "admin") return "/admin/forms";
  if (role === "supervisor") return "/admin/dashboard";
  return "/admin/inspections";
}

export function pageRoutes() {
  const app = new Hono<AppEnv>();
  app.get("/", (c) => c.redirect(c.var.user ? homeFor(c.var.user.role) : "/login"));
  app.get("/admin", (c) => c.redirect(c.var.user ? homeFor(c.var.user.role) : "/login?next=%2Fadmin"));
  for (const [path, file] of PAGES) {
    app.get(path, async (c) => {
      if (path.startsWith("/admin") && !c.var.user) {
        return c.redirect(`/login?next=${encodeURIComponent(new URL(c.req.url).pathname)}`);
      }
      const res = await c.var.deps.assets(file, c.req.raw);
      if (!res) throw notFound("页面");
      return new Response(res.body, {
        status: 200,
        headers: { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-cache" },
      });
    });
  }
  return app;
}
