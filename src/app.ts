import { OpenAPIHono } from "@hono/zod-openapi";
import { compress } from "hono/compress";
import { alertRoutes } from "./alerts/routes.ts";
import { CASE_ATTACHMENT_UPLOAD, caseRoutes } from "./cases/routes.ts";
import { reviewRoutes } from "./reviews/routes.ts";
import { sealAuditAfterWrites } from "./audit/audit.ts";
import { auditRoutes } from "./audit/routes.ts";
import { authRoutes } from "./account/routes.ts";
import { csrfProtection, loadSession } from "./auth/session.ts";
import { checklistRoutes } from "./checklists/routes.ts";
import { catalogRoutes } from "./catalog/routes.ts";
import { enterpriseActionRoutes } from "./enterprise/action-routes.ts";
import { EVIDENCE_UPLOAD } from "./actions/evidence.ts";
import { reinspectionRoutes } from "./actions/reinspection.ts";
import { actionRoutes } from "./actions/routes.ts";
import { publicCatalogRoutes } from "./catalog/public-routes.ts";
import { dashboardRoutes } from "./dashboard/routes.ts";
import { DIRECTORY_UPLOADS, directoryRoutes } from "./directory/routes.ts";
import { documentEnterpriseRoutes, documentPublicRoutes, documentStaffRoutes } from "./documents/routes.ts";
import type { AppDeps, AppEnv } from "./env.ts";
import type { ExecutionContext } from "hono";
import type { RouterRoute } from "hono/types";
import { activationRoutes, letterRoutes } from "./enterprise/activation.ts";
import { enterpriseAvoidanceRoutes } from "./enterprise/avoidance.ts";
import { enterpriseComplaintRoutes } from "./enterprise/complaints.ts";
import { enterpriseInspectionRoutes } from "./enterprise/inspections.ts";
import { enterpriseLoginRoutes } from "./enterprise/login.ts";
import { enterpriseRoutes } from "./enterprise/routes.ts";
import { enterpriseCsrf, loadEnterpriseSession } from "./enterprise/session.ts";
import { evaluationPublicRoutes } from "./evaluations/public-routes.ts";
import { evaluationRoutes } from "./evaluations/routes.ts";
import { formRoutes } from "./forms/routes.ts";
import { filingRoutes } from "./inspections/file-routes.ts";
import { joinRoutes } from "./inspections/join-routes.ts";
import { avoidanceRoutes } from "./inspections/avoidance.ts";
import { inspectionRoutes } from "./inspections/routes.ts";
import { visitRoutes } from "./inspections/visit-routes.ts";
import { metricsRoutes } from "./metrics/routes.ts";
import { WriteProbe } from "./db/health.ts";
import { answerError, front, unknownPath } from "./front.ts";
import { jsonGuard, limitBody } from "./lib/security.ts";
import { pageRoutes } from "./pages/routes.ts";
import { assetManifest } from "./pages/asset-manifest.ts";
import { PublishedFormCache } from "./forms/published-cache.ts";
import { PLANNING_IMPORT_UPLOAD } from "./planning/import.ts";
import { planningRoutes } from "./planning/routes.ts";
import { submissionLane } from "./responses/lane.ts";
import { isSubmission, publicRoutes } from "./responses/public-routes.ts";
import { responseRoutes } from "./responses/routes.ts";
import { PublicViewCache } from "./evaluations/public-view-cache.ts";
import { publicSamplingRoutes } from "./sampling/public-routes.ts";
import { samplingRoutes } from "./sampling/routes.ts";
import { shareRoutes } from "./share/routes.ts";

const STATIC_PREFIXES = ["/build/", "/css/", "/img/", "/favicon"];
/** Routes that take a file as their body instead of JSON. */
const UPLOADS = [...DIRECTORY_UPLOADS, PLANNING_IMPORT_UPLOAD, EVIDENCE_UPLOAD, CASE_ATTACHMENT_UPLOAD];

/**
 * The application as its entry points (Node, Workers) and the tests see it: every request goes to the
 * submission lane (src/responses/lane.ts) or to the main app.
 */
export interface App {
  fetch(request: Request, env?: unknown, ctx?: unknown): Response | Promise<Response>;
  /** Like Hono's `app.request`: a path (on http://localhost), a URL or a Request; `env` as the runtime's. */
  request(input: string | URL | Request, init?: RequestInit, env?: unknown): Promise<Response>;
  routes: RouterRoute[];
}

function toRequest(input: string | URL | Request, init?: RequestInit): Request {
  if (input instanceof Request) return init === undefined ? input : new Request(input, init);
  const url = String(input);
  return new Request(
    /^https?:\/\//.test(url) ? url : `http://localhost${url.startsWith("/") ? "" : "/"}${url}`,
    init,
  );
}

/** Builds the whole application from its dependencies; Node and Workers entries differ only in deps. */
export function createApp(appDeps: AppDeps): App {
  const deps: AppDeps = {
    ...appDeps,
    publishedForms: appDeps.publishedForms ?? new PublishedFormCache(),
    publicViews: appDeps.publicViews ?? new PublicViewCache(),
  };
  const app = new OpenAPIHono<AppEnv>();

  for (const middleware of front(deps)) app.use("*", middleware);
  app.use("*", sealAuditAfterWrites);
  app.use("/api/*", limitBody(deps.config.bodyLimitBytes, UPLOADS));
  app.use("*", loadSession);
  // The enterprise's own session (issue 13): a separate cookie, read only by the API.
  app.use("/api/*", loadEnterpriseSession);
  // CSRF before the Content-Type check, so a cross-site text/plain POST is refused as such (403).
  app.use("/api/*", async (c, next) => {
    // Public endpoints act with no staff authority, the enterprise's with the enterprise session
    // only (checked below), so neither needs the staff token.
    const path = c.req.path;
    if (path.startsWith("/api/public/") || path.startsWith("/api/enterprise/")) return next();
    return csrfProtection(c, next);
  });
  app.use("/api/*", enterpriseCsrf);
  app.use("/api/*", jsonGuard(deps.config.jsonMaxDepth, UPLOADS));

  // A real write, so a database that only reads (read-only or full disk) answers 503, and 200 again as
  // soon as it takes writes: the same connection recovers with the disk, no restart needed.
  const writes = new WriteProbe(deps.db);
  app.get("/healthz", async (c) => {
    const health = await writes.check();
    if (health.ok) return c.json({ ok: true });
    return c.json({ ok: false, error: { code: "database_unwritable", message: "数据库无法写入" } }, 503);
  });
  app.route("/api/auth", authRoutes());
  app.route("/api/enterprise", enterpriseRoutes());
  app.route("/api/enterprise", enterpriseInspectionRoutes());
  app.route("/api/enterprise", enterpriseComplaintRoutes());
  app.route("/api/enterprise", enterpriseAvoidanceRoutes());
  app.route("/api/enterprise", enterpriseActionRoutes());
  app.route("/api/public", enterpriseLoginRoutes());
  app.route("/api/public", activationRoutes());
  app.route("/api/enterprises", letterRoutes());
  app.route("/api", directoryRoutes());
  app.route("/api/forms", formRoutes());
  app.route("/api/forms", responseRoutes());
  app.route("/api/forms", shareRoutes());
  app.route("/api/public", publicRoutes());
  app.route("/api/catalog", catalogRoutes());
  app.route("/api/public/catalog", publicCatalogRoutes());
  app.route("/api/public", evaluationPublicRoutes());
  app.route("/api", evaluationRoutes());
  app.route("/api", alertRoutes());
  app.route("/api", actionRoutes());
  app.route("/api", reinspectionRoutes());
  app.route("/api", caseRoutes());
  app.route("/api", reviewRoutes());
  app.route("/api/dashboard", dashboardRoutes());
  app.route("/api/inspections", filingRoutes());
  app.route("/api", joinRoutes());
  app.route("/api/inspections", inspectionRoutes());
  app.route("/api/inspections", avoidanceRoutes());
  app.route("/api/inspections", visitRoutes());
  app.route("/api/inspections", checklistRoutes());
  app.route("/api/inspections", documentStaffRoutes());
  app.route("/api/enterprise", documentEnterpriseRoutes());
  app.route("/api/public", documentPublicRoutes());
  app.route("/api/planning", planningRoutes());
  app.route("/api/sampling", samplingRoutes());
  app.route("/api/public/sampling", publicSamplingRoutes());
  app.route("/api/metrics", metricsRoutes());
  app.route("/api", auditRoutes());

  app.doc31("/api/openapi.json", {
    openapi: "3.1.0",
    info: { title: "lianma 亮码 API", version: "0.1.0", description: "表单与涉企检查服务接口" },
  });

  // The enterprise's own session, so /i/:code can say in its HTML whether this viewer may evaluate.
  app.use("/i/*", loadEnterpriseSession);
  const manifest = assetManifest(deps.assets);
  app.route("/", pageRoutes(manifest));
  app.use("/build/*", compress());
  app.get("*", async (c, next) => {
    const path = c.req.path;
    if (!STATIC_PREFIXES.some((p) => path.startsWith(p))) return next();
    const res = await deps.assets(path, c.req.raw);
    // The officer's service worker lives with the bundles but controls the staff pages (issue 17).
    if (res && path === "/build/sw.js") res.headers.set("Service-Worker-Allowed", "/admin/");
    if (res) return res;
    // A bundle asked for by the name a page writes (/build/runner.js): its current hashed file,
    // revalidated each time because that name's content changes with every build.
    const hashed = path.startsWith("/build/") ? (await manifest())[path] : undefined;
    const current = hashed ? await deps.assets(hashed, c.req.raw) : null;
    if (!current) return next();
    current.headers.set("Cache-Control", "no-cache");
    return current;
  });

  app.notFound(unknownPath);
  app.onError(answerError);

  const lane = submissionLane(deps);
  const fetch: App["fetch"] = (request, env, ctx) =>
    (isSubmission(request) ? lane : app).fetch(request, env, ctx as ExecutionContext | undefined);
  return {
    fetch,
    request: (input, init, env) => Promise.resolve(fetch(toRequest(input, init), env)),
    // The lane's route is listed too: tools and tests (the access matrix, the bad-input sweep)
    // enumerate what the application answers from here.
    routes: [...app.routes, ...lane.routes.filter((r) => r.method !== "ALL")],
  };
}
