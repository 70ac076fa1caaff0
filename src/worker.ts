import { createClient } from "@libsql/client/web";
import { drizzle } from "drizzle-orm/libsql/web";
import { deliverDue, outboxConfigured } from "./alerts/outbox.ts";
import { sweepUnregisteredVisits } from "./alerts/sweep.ts";
import { sweepOverdueActions } from "./actions/overdue-sweep.ts";
import { createApp, type App } from "./app.ts";
import * as schema from "./db/schema.ts";
import { smsGatewayWarnings } from "./alerts/sms.ts";
import { configFromEnv, workerSettings } from "./env.ts";
import { ValidatorCache } from "./forms/validator-cache.ts";
import { PollingAlertBus } from "./workers/alert-poller.ts";
import { workerAssets, type AssetsBinding } from "./workers/assets.ts";
import { DbRateLimiter } from "./workers/db-rate-limiter.ts";
import { log } from "./lib/log.ts";

/** What wrangler.toml and `wrangler secret put` give the Worker. */
export interface WorkerEnv {
  LIBSQL_URL?: string;
  LIBSQL_AUTH_TOKEN?: string;
  APP_SECRET?: string;
  ASSETS: AssetsBinding;
  [name: string]: unknown;
}

interface Built {
  key: string;
  app: App;
  db: ReturnType<typeof openRemote>;
  config: ReturnType<typeof configFromEnv>;
}

function openRemote(settings: ReturnType<typeof workerSettings>) {
  // No concurrency cap: a queued query would start from another request's promise, and a Worker may
  // not do I/O on behalf of another request. The runtime itself queues excess connections.
  const client = createClient({
    url: settings.libsqlUrl!,
    authToken: settings.authToken,
    concurrency: Infinity,
  });
  return drizzle(client, { schema });
}

/**
 * The text of each variable. wrangler.toml's [vars] hand a TOML number or boolean (`ALERT_POLL_MS =
 * 5000`, `TRUST_PROXY = true`) to the Worker as one: read like its text, never dropped for the default.
 * Bindings (ASSETS) are objects and stay out.
 */
function stringVars(env: WorkerEnv): Record<string, string | undefined> {
  const vars: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(env)) {
    if (typeof value === "string") vars[name] = value;
    else if (typeof value === "number" || typeof value === "boolean") vars[name] = String(value);
  }
  return vars;
}

/** What is missing for the Worker to serve; a secret is never generated per request or per isolate. */
export function misconfiguration(env: WorkerEnv): string | null {
  const vars = stringVars(env);
  const key = JSON.stringify(vars);
  if (checked?.key !== key) checked = { key, problem: problemOf(vars) };
  return checked.problem;
}

let checked: { key: string; problem: string | null } | undefined;

function problemOf(vars: Record<string, string | undefined>): string | null {
  let settings: ReturnType<typeof workerSettings>;
  try {
    settings = workerSettings(vars);
    configFromEnv(vars, "-".repeat(32)); // a bad number, zone or gateway is said here, not per request
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
  if (!settings.libsqlUrl)
    return "LIBSQL_URL is not set (wrangler.toml [vars] or `wrangler secret put LIBSQL_URL`)";
  if (!settings.appSecret) return "APP_SECRET is not set (`wrangler secret put APP_SECRET`)";
  return null;
}

// One app per isolate: the validator cache is worth keeping between requests; everything that must
// be shared between isolates (sessions, rate limits, alerts) lives in the database.
let built: Built | undefined;

function build(env: WorkerEnv): Built {
  // Keyed on the values, not on the env object, whose identity the runtime does not promise.
  const vars = stringVars(env);
  const key = JSON.stringify(vars);
  if (built?.key === key) return built;
  const settings = workerSettings(vars);
  const db = openRemote(settings);
  const config = configFromEnv(vars, settings.appSecret!);
  const app = createApp({
    db,
    config,
    rateLimiter: new DbRateLimiter(db),
    validators: new ValidatorCache(settings.validatorCacheSize),
    compressPages: false,
    // Set by Cloudflare's edge for every request; a client cannot forge it.
    remoteAddress: (c) => c.req.header("cf-connecting-ip"),
    assets: workerAssets(env.ASSETS),
    events: new PollingAlertBus(db, { intervalMs: settings.alertPollMs }),
  });
  // No file system here: SMS_GATEWAY=file is refused at use (503) and said so once per isolate.
  for (const warning of smsGatewayWarnings({ config })) log("warn", "sms_gateway", { warning });
  built = { key, app, db, config };
  return built;
}

function misconfigured(problem: string): Response {
  log("error", "misconfigured", { problem });
  const body = { error: { code: "misconfigured", message: "服务配置不完整，请联系管理员" } };
  return Response.json(body, { status: 500, headers: { "Cache-Control": "no-store" } });
}

export default {
  fetch(request: Request, env: WorkerEnv, ctx: unknown) {
    const problem = misconfiguration(env);
    if (problem) return misconfigured(problem);
    return build(env).app.fetch(request, env, ctx as never);
  },

  /**
   * Cron trigger (wrangler.toml, every minute): raises alerts for unregistered visits (R15), then
   * delivers due webhook messages of the outbox (alerts, SMS codes). Live pages learn of the alerts
   * through the database poller, as of any other.
   */
  async scheduled(_controller: unknown, env: WorkerEnv) {
    if (misconfiguration(env)) return;
    const { db, config } = build(env);
    await sweepUnregisteredVisits(db, config, Date.now());
    await sweepOverdueActions(db, config, Date.now());
    if (!outboxConfigured(config)) return;
    await deliverDue(db, config, (url, init) => fetch(url, init), Date.now());
  },
};
