import { OpenAPIHono } from "@hono/zod-openapi";
import { compress } from "hono/compress";
import { HTTPException } from "hono/http-exception";
import { alertRoutes } from "./alerts/routes.ts";
import { CASE_ATTACHMENT_UPLOAD, caseRoutes } from "./cases/routes.ts";
import { reviewRoutes } from "./reviews/routes.ts";
import { audit, sealAuditAfterWrites } from "./audit/audit.ts";
import { auditRoutes } from "./audit/routes.ts";
import { authRoutes } from "./auth/routes.ts";
import { actAnonymously, csrfProtection, loadSession } from "./auth/session.ts";
import { checklistRoutes } from "./checklists/routes.ts";
import { catalogRoutes } from "./catalog/routes.ts";
import { enterpriseActionRoutes } from "./actions/enterprise-routes.ts";
import { EVIDENCE_UPLOAD } from "./actions/evidence.ts";
import { reinspectionRoutes } from "./actions/reinspection.ts";
import { actionRoutes } from "./actions/routes.ts";
import { publicCatalogRoutes } from "./catalog/public-routes.ts";
import { dashboardRoutes } from "./dashboard/routes.ts";
import { DIRECTORY_UPLOADS, directoryRoutes } from "./directory/routes.ts";
import { documentEnterpriseRoutes, documentPublicRoutes, documentStaffRoutes } from "./documents/routes.ts";
import type { AppDeps, AppEnv } from "./env.ts";
import { Hono, type Context, type ErrorHandler, type NotFoundHandler } from "hono";
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
import { ApiError, codeForStatus } from "./lib/errors.ts";
import { accessLog, withRequestId } from "./lib/access-log.ts";
import { logError, logOnce } from "./lib/log.ts";
import { isStorageFailure, WriteProbe } from "./db/health.ts";
import { jsonGuard, limitBody, securityHeaders } from "./lib/security.ts";
import { pageRoutes } from "./pages/routes.ts";
import { assetManifest } from "./pages/asset-manifest.ts";
import { PublishedFormCache } from "./forms/published-cache.ts";
import { PLANNING_IMPORT_UPLOAD } from "./planning/import.ts";
import { planningRoutes } from "./planning/routes.ts";
import { isSubmission, publicRoutes, SUBMISSION_PATH, submitResponse } from "./responses/public-routes.ts";
import { responseRoutes } from "./responses/routes.ts";
import { PublicViewCache } from "./evaluations/public-view-cache.ts";
import { publicSamplingRoutes } from "./sampling/public-routes.ts";
import { samplingRoutes } from "./sampling/routes.ts";
import { shareRoutes } from "./share/routes.ts";

const STATIC_PREFIXES = ["/build/", "/css/", "/img/", "/favicon"];
/** Routes that take a file as their body instead of JSON. */
const UPLOADS = [...DIRECTORY_UPLOADS, PLANNING_IMPORT_UPLOAD, EVIDENCE_UPLOAD, CASE_ATTACHMENT_UPLOAD];

/** Builds the whole application from its dependencies; Node and Workers entries differ only in deps. */
export function createApp(appDeps: AppDeps) {
  const deps: AppDeps = {
    ...appDeps,
    publishedForms: appDeps.publishedForms ?? new PublishedFormCache(),
    publicViews: appDeps.publicViews ?? new PublicViewCache(),
  };
  const app = new OpenAPIHono<AppEnv>();

  // Outermost, so refusals of the checks below (413, 415, 403, …) carry the headers too. The Node
  // server writes the same table on the raw response instead, a few µs cheaper per request.
  if (!deps.serverWritesHeaders) app.use("*", securityHeaders);
  app.use("*", withRequestId(deps.config.trustProxy));
  if (deps.config.accessLog) app.use("*", accessLog);
  app.use("*", async (c, next) => {
    c.set("deps", deps);
    c.set("db", deps.db);
    await next();
  });
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

  // The submission lane: POST /api/public/forms/{id}/responses, the hot path, is answered by an app
  // of its own, so it skips the main app's router (372 entries, one trie walk per request), the
  // session, CSRF and audit-seal middlewares (the submission is anonymous and writes no audit line)
  // and the zod-openapi validator middlewares. It runs the same body checks and answers the same
  // errors. Every entry (Node, Workers, app.request in tests) goes through app.fetch, so the lane
  // is the only way to the handler; the endpoint's OpenAPI entry stays with the main app.
  const lane = new Hono<AppEnv>();
  if (!deps.serverWritesHeaders) lane.use(securityHeaders);
  lane.use(withRequestId(deps.config.trustProxy));
  if (deps.config.accessLog) lane.use(accessLog);
  lane.use(async (c, next) => {
    c.set("deps", deps);
    c.set("db", deps.db);
    actAnonymously(c);
    await next();
  });
  // No upload route lies under the lane's path, so it needs none of the feature upload rules.
  lane.use(limitBody(deps.config.bodyLimitBytes));
  lane.use(jsonGuard(deps.config.jsonMaxDepth));
  lane.post(SUBMISSION_PATH, submitResponse());
  lane.notFound(unknownPath);
  lane.onError(answerError);

  // Listed in the app's route table too, where tools and tests (the access matrix, the bad-input
  // sweep) enumerate what the app answers.
  app.routes.push(...lane.routes.filter((r) => r.method !== "ALL"));
  const main = app.fetch;
  app.fetch = (request, env, ctx) => (isSubmission(request) ? lane.fetch : main)(request, env, ctx);
  return app;
}

const unknownPath: NotFoundHandler<AppEnv> = (c) =>
  c.json({ error: { code: "not_found", message: "请求的地址不存在" } }, 404);

/** Renders a thrown error as `{error:{code,message,details?}}`; an unexpected one is logged and a 500. */
const answerError: ErrorHandler<AppEnv> = async (err, c) => {
  if (err instanceof ApiError) {
    if (err.status === 403 && c.var.user) await auditDenial(c, err);
    const body = { error: { code: err.code, message: err.message, details: err.details, ...err.extra } };
    return c.json(body, err.status);
  }
  if (err instanceof HTTPException) {
    const status = err.status;
    const message = status === 400 ? "请求格式错误（JSON 无法解析）" : err.message || "请求错误";
    return c.json({ error: { code: codeForStatus(status), message } }, status);
  }
  if (clientGone(c, err)) {
    // The client closed the connection (or the server's request timeout did) before its body was
    // read: nobody is left to answer, and a crowd of such sockets must not write a stack each.
    logOnce("request_aborted", "a request body was aborted by its client or by the request timeout");
    return c.json({ error: { code: "request_aborted", message: "请求未完整发送" } }, 400);
  }
  // The route pattern, not the path: a path can carry a secret (the inspection code under /i/ and
  // /api/public/inspections/), which must never reach the logs.
  logError({ event: "request_failed", route: c.req.routePath, requestId: c.var.requestId }, err);
  if (isStorageFailure(err)) {
    const message = "数据库暂时无法写入，请稍后重试";
    return c.json({ error: { code: "storage_unavailable", message } }, 503);
  }
  return c.json({ error: { code: "internal", message: "服务器内部错误" } }, 500);
};

/** The request's body was cut off: the client hung up, or Node's request timeout closed the socket. */
function clientGone(c: Context<AppEnv>, err: unknown): boolean {
  if (c.req.raw.signal?.aborted) return true;
  const e = err as { code?: unknown; message?: unknown } | null;
  return e?.code === "ECONNRESET" && e.message === "aborted";
}

/**
 * One audit line per refusal of a signed-in user (role, CSRF, origin): who tried what. Anonymous 403s
 * are not written, so nobody can flood the log without an account. A cross-department id answers 404
 * exactly like a missing one and is indistinguishable here, so it is not audited as a denial.
 */
async function auditDenial(c: Context<AppEnv>, err: ApiError): Promise<void> {
  try {
    await audit(c, {
      action: "access.denied",
      targetType: "route",
      targetId: `${c.req.method} ${c.req.routePath}`,
      detail: { code: err.code },
    });
  } catch (error) {
    logError({ event: "audit_denial_failed" }, error);
  }
}

export type App = ReturnType<typeof createApp>;
