/**
 * Operational metrics for administrators: the response-validator caches (how many form versions run
 * on the compiled fast path and which fall back to survey-core; on Node with VALIDATION_THREAD=1,
 * public submissions are validated on the check thread, with a cache of its own), uptime and, on
 * Node, the RSS.
 */
import { createRoute, z } from "@hono/zod-openapi";
import { requireUser } from "../auth/session.ts";
import { errors, jsonResponse, newRouter } from "../lib/router.ts";

const ValidatorStats = z.object({
  size: z.number().int(),
  capacity: z.number().int(),
  compiled: z.number().int(),
  fallback: z.number().int(),
  hits: z.number().int(),
  misses: z.number().int(),
  fallbackForms: z.array(z.string()),
  deferredResponses: z.number().int(),
  compiledResponses: z.number().int(),
});

const MetricsResponse = z
  .object({
    validators: ValidatorStats,
    checkThread: z
      .object({
        running: z.boolean(),
        restarts: z.number().int(),
        checkedOnLoop: z.number().int(),
        validators: ValidatorStats,
      })
      .optional()
      .openapi({ description: "Node：公开提交在校验线程上的校验器缓存" }),
    uptimeSeconds: z.number(),
    rssBytes: z.number().int().optional(),
  })
  .openapi("Metrics");

const metricsRoute = createRoute({
  method: "get",
  path: "/",
  description:
    "系统管理员和监督人员（匿名 401，其他人 403）。`rssBytes` 只在 Node 上。见 docs/VALIDATION.md。",
  tags: ["metrics"],
  summary: "运行指标：校验器缓存（编译/回退）、运行时间、内存",
  middleware: [requireUser("admin", "supervisor")] as const,
  responses: { 200: jsonResponse("运行指标", MetricsResponse), ...errors(401, 403) },
});

/** When this module was loaded: the process (or Worker isolate) start, near enough. */
const startedAt = Date.now();

/** process.memoryUsage exists on Node only; Workers have no RSS to report. */
function rssBytes(): number | undefined {
  const proc = (globalThis as { process?: { memoryUsage?: { rss?: () => number } } }).process;
  const rss = proc?.memoryUsage?.rss;
  return typeof rss === "function" ? rss() : undefined;
}

/** GET /api/metrics — administrators and supervisors only. */
export function metricsRoutes() {
  const app = newRouter();
  app.openapi(metricsRoute, async (c) => {
    const rss = rssBytes();
    const checker = c.var.deps.checker;
    return c.json(
      {
        validators: c.var.deps.validators.stats(),
        ...(checker ? { checkThread: await checker.stats() } : {}),
        uptimeSeconds: Math.round((Date.now() - startedAt) / 1000),
        ...(rss === undefined ? {} : { rssBytes: rss }),
      },
      200,
    );
  });
  return app;
}
