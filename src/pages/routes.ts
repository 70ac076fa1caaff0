import { Hono, type Context } from "hono";
import type { AppEnv } from "../env.ts";
import type { Role } from "../db/schema.ts";
import { notFound } from "../lib/errors.ts";
import { escapeHtml } from "../lib/html.ts";
import { rewriteAssets, type AssetManifest } from "./asset-manifest.ts";
import { inspectionPage } from "./inspection-page.ts";
import { runnerPage } from "./runner-page.ts";

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
  ["/admin/audit", "/admin/audit.html"],
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

const DESIGNER_PAGE = "/admin/editor.html";

/**
 * The public pages that carry their data in the HTML (the inspection's facts, the form and its first
 * questions): built per request, sent compressed.
 */
const DATA_PAGES: Record<string, (c: Context<AppEnv>, template: string) => Promise<string>> = {
  "/i/:code": inspectionPage,
  "/f/:id": runnerPage,
};

/**
 * The SurveyJS Creator licence key (SURVEYJS_LICENSE_KEY) reaches the designer as a meta tag, read
 * at run time: one build serves every deployment, each with its own key. The page is behind sign-in.
 */
export function withLicenseKey(html: string, key: string): string {
  return html.replace(
    "</head>",
    `  <meta name="surveyjs-license-key" content="${escapeHtml(key)}" />\n  </head>`,
  );
}

/**
 * A page with its data gzipped when the client takes it: /i's 30 kB of HTML is 9 kB on the wire, a
 * fifth of a second less on a Fast 3G phone (issue 17).
 */
function gzipped(c: Context<AppEnv>, html: string): Response | null {
  if (c.var.deps.compressPages === false) return null;
  if (!/\bgzip\b/i.test(c.req.header("accept-encoding") ?? "")) return null;
  c.header("Content-Type", "text/html; charset=UTF-8");
  c.header("Content-Encoding", "gzip");
  c.header("Vary", "Accept-Encoding");
  return c.body(new Blob([html]).stream().pipeThrough(new CompressionStream("gzip")));
}

/** Where each role starts: the page of its daily work, never one its role cannot open. */
export function homeFor(role: Role): string {
  if (role === "admin") return "/admin/forms";
  if (role === "supervisor") return "/admin/dashboard";
  return "/admin/inspections";
}

/**
 * The public inspection page's own stylesheets, inlined: on a slow phone link every blocking
 * stylesheet is a round trip (often a new connection) before the first paint (issue 17).
 */
async function inlineStyles(c: Context<AppEnv>, html: string): Promise<string> {
  const links = [...html.matchAll(/<link rel="stylesheet" href="(\/build\/css\/[^"]+)" \/>/g)];
  for (const [tag, href] of links) {
    const res = await c.var.deps.assets(href!, new Request(new URL(href!, c.req.url)));
    if (!res || res.status !== 200) continue;
    const css = (await res.text()).replace(/<\/style/gi, "<\\/style");
    html = html.replace(tag, () => `<style>${css}</style>`);
  }
  return html;
}

export function pageRoutes(manifest: () => Promise<AssetManifest>) {
  const app = new Hono<AppEnv>();
  app.get("/", (c) => c.redirect(c.var.user ? homeFor(c.var.user.role) : "/login"));
  app.get("/admin", (c) => c.redirect(c.var.user ? homeFor(c.var.user.role) : "/login?next=%2Fadmin"));
  /** The page's HTML with its bundles pointed at their hashed names; read once per file. */
  const templates = new Map<string, Promise<string>>();
  const template = (c: Context<AppEnv>, file: string) => {
    let html = templates.get(file);
    if (!html) {
      html = (async () => {
        const res = await c.var.deps.assets(file, new Request(new URL(file, c.req.url)));
        if (!res || res.status !== 200) throw notFound("页面");
        // Every page learns the configured time zone, so its times read as the server's do (item 17).
        const zone = `<meta name="lianma-time-zone" content="${c.var.deps.config.timeZone.replace(/[^\w/+-]/g, "")}" />`;
        const html = (await res.text()).replace("<head>", `<head>\n    ${zone}`);
        const rewritten = rewriteAssets(html, await manifest());
        return file === "/inspection.html" ? inlineStyles(c, rewritten) : rewritten;
      })();
      html.catch(() => templates.delete(file));
      templates.set(file, html);
    }
    return html;
  };
  for (const [path, file] of PAGES) {
    app.get(path, async (c) => {
      if (path.startsWith("/admin") && !c.var.user) {
        return c.redirect(`/login?next=${encodeURIComponent(new URL(c.req.url).pathname)}`);
      }
      const html = await template(c, file);
      const withData = DATA_PAGES[path];
      if (withData) {
        const body = await withData(c, html);
        c.header("Cache-Control", c.res.headers.get("Cache-Control") ?? "no-cache");
        return gzipped(c, body) ?? c.html(body);
      }
      const licenseKey = c.var.deps.config.surveyjsLicenseKey;
      if (file === DESIGNER_PAGE && licenseKey) {
        // The key is this deployment's: the page that carries it is never stored by any cache.
        c.header("Cache-Control", "no-store");
        return c.html(withLicenseKey(html, licenseKey));
      }
      c.header("Cache-Control", c.res.headers.get("Cache-Control") ?? "no-cache");
      return c.html(html);
    });
  }
  return app;
}
