import type { EventBus } from "./alerts/events.ts";
import type { Db } from "./db/client.ts";
import type { Role } from "./db/schema.ts";
import type { SchemaLimits, ValidatorCache } from "./forms/validation.ts";
import type { RateLimiter } from "./lib/rate-limit.ts";
import type { ResponseChecker } from "./responses/checks.ts";
import type { ResponseWriter } from "./responses/group-commit.ts";

export interface AppConfig {
  /** HMAC key for signed tokens; generated and stored in the database on first start when unset. */
  secret: string;
  /** IANA zone used for times in exports. */
  timeZone: string;
  /** Public origin for share links and QR codes; derived from the request when unset. */
  publicUrl?: string;
  /** Honour X-Forwarded-For / X-Forwarded-Proto only when a trusted proxy sets them. */
  trustProxy: boolean;
  bodyLimitBytes: number;
  jsonMaxDepth: number;
  sessionTtlMs: number;
  /** Anonymous submissions allowed per client and per form in one minute. */
  submitRatePerMinute: number;
  loginFailuresPerWindow: number;
  /** What a form saved or published by an administrator may cost each submission (size, expressions). */
  formLimits: SchemaLimits;
  inspections: InspectionConfig;
}

export interface InspectionConfig {
  /** Days around a filed visit in which another filing for the same enterprise is refused (R5). */
  duplicateWindowDays: number;
  /** Visits per enterprise per department per calendar year; a catalog item may set a lower cap. */
  yearlyCapPerDepartment: number;
  /** Days after the planned end that the inspection code (QR) stays valid. */
  codeTtlDays: number;
  /** The published form of kind "evaluation" that enterprises answer (事后评价). */
  evaluationFormId: string;
  /** Optional external endpoint told about alerts, with an HMAC-SHA256 signature header. */
  webhookUrl?: string;
  webhookSecret?: string;
}

export interface AppDeps {
  db: Db;
  config: AppConfig;
  rateLimiter: RateLimiter;
  validators: ValidatorCache;
  /**
   * Group commit of public responses (src/responses/group-commit.ts), one per Node process. Absent on
   * Workers, which have no buffer shared between requests: there each submission commits itself.
   */
  responseWriter?: ResponseWriter;
  /**
   * The server writes `SECURITY_HEADERS` and the API's default Cache-Control on every raw response
   * (src/node/headers.ts), so the app leaves them out; elsewhere the app's middleware sets them.
   */
  serverWritesHeaders?: boolean;
  /**
   * Checks public submissions off the event loop (the Node server's check thread,
   * src/responses/check-thread.ts); absent, they are checked in the request with `validators`.
   */
  checker?: ResponseChecker;
  /** The peer address of the TCP connection (runtime-specific). */
  remoteAddress: (c: import("hono").Context) => string | undefined;
  /** Serves a file from public/ (Node: disk; Workers: the assets binding). */
  assets: (path: string, request: Request) => Promise<Response | null>;
  now?: () => number;
  /** Fan-out of alert changes to live pages (SSE); an in-memory bus per app when absent. */
  events?: EventBus;
}

export interface SessionUser {
  id: string;
  username: string;
  displayName: string;
  role: Role;
  departmentId: string | null;
}

export interface AppEnv {
  Variables: {
    deps: AppDeps;
    db: Db;
    user: SessionUser | null;
    sessionId: string | null;
    csrfToken: string | null;
    clientIp: string;
  };
}

const DEFAULTS = {
  timeZone: "Asia/Shanghai",
  bodyLimitBytes: 2 * 1024 * 1024,
  jsonMaxDepth: 64,
  sessionTtlMs: 12 * 60 * 60 * 1000,
  submitRatePerMinute: 30,
  loginFailuresPerWindow: 10,
  // The reference validator's time per submission grows with the schema (a 400 KB schema: 5 s).
  formSchemaMaxBytes: 128 * 1024,
  formMaxExpressions: 300,
  formMaxExpressionDepth: 32,
};

/** Builds the config from environment variables (Node's process.env or Workers bindings). */
export function configFromEnv(env: Record<string, string | undefined>, secret: string): AppConfig {
  const num = (name: string, fallback: number) => {
    const raw = env[name];
    if (raw === undefined || raw === "") return fallback;
    const n = Number(raw);
    if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number, got "${raw}"`);
    return n;
  };
  const timeZone = env.TZ || env.LIANMA_TZ || DEFAULTS.timeZone;
  new Intl.DateTimeFormat("en", { timeZone }); // throws RangeError on an unknown zone, at start-up
  return {
    secret,
    timeZone,
    publicUrl: env.PUBLIC_URL?.replace(/\/+$/, "") || undefined,
    trustProxy: env.TRUST_PROXY === "1" || env.TRUST_PROXY === "true",
    bodyLimitBytes: num("BODY_LIMIT_BYTES", DEFAULTS.bodyLimitBytes),
    jsonMaxDepth: num("JSON_MAX_DEPTH", DEFAULTS.jsonMaxDepth),
    sessionTtlMs: num("SESSION_TTL_HOURS", DEFAULTS.sessionTtlMs / 3_600_000) * 3_600_000,
    submitRatePerMinute: num("SUBMIT_RATE_PER_MINUTE", DEFAULTS.submitRatePerMinute),
    loginFailuresPerWindow: num("LOGIN_FAILURES_PER_15_MIN", DEFAULTS.loginFailuresPerWindow),
    formLimits: {
      maxBytes: num("FORM_SCHEMA_MAX_BYTES", DEFAULTS.formSchemaMaxBytes),
      maxExpressions: num("FORM_MAX_EXPRESSIONS", DEFAULTS.formMaxExpressions),
      maxExpressionDepth: num("FORM_MAX_EXPRESSION_DEPTH", DEFAULTS.formMaxExpressionDepth),
    },
    inspections: {
      duplicateWindowDays: num("INSPECTION_WINDOW_DAYS", 30),
      yearlyCapPerDepartment: num("INSPECTION_YEARLY_CAP", 2),
      codeTtlDays: num("INSPECTION_CODE_TTL_DAYS", 90),
      evaluationFormId: env.EVALUATION_FORM_ID || "inspection-evaluation",
      webhookUrl: env.ALERT_WEBHOOK_URL || undefined,
      webhookSecret: env.ALERT_WEBHOOK_SECRET || undefined,
    },
  };
}
