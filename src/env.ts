import type { EventBus } from "./alerts/events.ts";
import type { Db } from "./db/client.ts";
import type { Role } from "./db/schema.ts";
import type { SchemaLimits, ValidatorCache } from "./forms/validation.ts";
import type { RateLimiter } from "./lib/rate-limit.ts";
import { assertTimeZone } from "./lib/time.ts";
import type { ResponseChecker } from "./responses/checks.ts";
import type { ResponseWriter } from "./responses/group-commit.ts";

export interface AppConfig {
  /** HMAC key for signed tokens; generated and stored in the database on first start when unset. */
  secret: string;
  /** IANA zone used for times in exports. */
  timeZone: string;
  /**
   * Public origin for share links and QR codes. When unset, the request's host is used, but only a
   * host listed in `allowedHosts`: a forged Host header must never end up in a printed QR code.
   */
  publicUrl?: string;
  /** Host names (optionally `name:port`) whose requests may stand in for PUBLIC_URL; lower case. */
  allowedHosts: string[];
  /** Honour X-Forwarded-For / X-Forwarded-Proto only when a trusted proxy sets them. */
  trustProxy: boolean;
  bodyLimitBytes: number;
  jsonMaxDepth: number;
  sessionTtlMs: number;
  /** Anonymous submissions allowed per client and per form in one minute. */
  submitRatePerMinute: number;
  /** Failed logins per account and client in 15 minutes before that client is refused (429). */
  loginFailuresPerWindow: number;
  /** How often the Node server looks for unregistered visits (Workers: the cron trigger). */
  sweepIntervalMs: number;
  /** Failed logins per client across all accounts in 15 minutes before that client is refused. */
  loginClientFailuresPerWindow: number;
  /**
   * Failed logins of one account from anywhere in 15 minutes after which each client gets a single
   * try at it (a slow-down for guessing from many addresses; never a lockout of a clean client).
   */
  loginAccountFailuresPerWindow: number;
  /** What a form saved or published by an administrator may cost each submission (size, expressions). */
  formLimits: SchemaLimits;
  inspections: InspectionConfig;
  enterprise: EnterpriseConfig;
  /** Longest period a dashboard figure or export may cover, in calendar years (400 above). */
  dashboardMaxPeriodYears: number;
  imports: ImportConfig;
  /** The Node server's socket limits (src/node/start.ts); Workers have the platform's own. */
  server: ServerConfig;
  /**
   * The deployment's SurveyJS Creator licence key, handed to the designer page at run time (the
   * Creator shows its "license required" banner without one). Empty when unset.
   */
  surveyjsLicenseKey: string;
  /**
   * 双随机: the least time between publishing the seed's commitment and the draw, so the public can
   * see (and record) the commitment before anyone knows the outcome. 0 only for tests and demos.
   */
  samplingDrawDelayMs: number;
}

export interface ServerConfig {
  /** Time a client has to send the request's headers. */
  headersTimeoutMs: number;
  /** Time a client has to send the whole request, body included: a trickling body is cut off. */
  requestTimeoutMs: number;
  /** Open connections at most; further ones are closed at once, before they hold a descriptor long. */
  maxConnections: number;
}

/** Bounds of the table imports (enterprises, planned tasks), whatever the uploaded file holds. */
export interface ImportConfig {
  /** Bytes an XLSX file may inflate to, counted while inflating (zip bombs declare small sizes). */
  maxUnpackedBytes: number;
  /** Cells an XLSX's sheets may hold: the reader builds an object per cell, in one go. */
  maxCells: number;
  /** Refused rows listed in a refusal (the count is always given). */
  reportMaxRows: number;
  /** Characters of any file text (a cell, a header) echoed back in a refusal. */
  echoMaxChars: number;
}

/** Where SMS sign-in codes go: a signed webhook from the outbox, a local file, or nowhere (503). */
export type SmsGatewayConfig =
  { kind: "none" } | { kind: "webhook"; url: string; secret: string } | { kind: "file"; path: string };

export interface EnterpriseConfig {
  /** How long an enterprise stays signed in on its phone. */
  sessionTtlMs: number;
  /** How long a printed activation letter's token stays valid. */
  activationTtlMs: number;
  sms: SmsGatewayConfig;
}

export interface InspectionConfig {
  /** Days around a filed visit in which another filing for the same enterprise is refused (R5). */
  duplicateWindowDays: number;
  /** Visits per enterprise per department per calendar year; a catalog item may set a lower cap. */
  yearlyCapPerDepartment: number;
  /** Days after the planned end that the inspection code (QR) stays valid. */
  codeTtlDays: number;
  /** Own credentialed officers each department of a joint inspection brings (R18; helpers do not count). */
  jointMinOfficersPerDepartment: number;
  /** The published form of kind "evaluation" that enterprises answer (事后评价). */
  evaluationFormId: string;
  /** Days after the registration (or, unregistered, the planned end) that the evaluation stays open (R14). */
  evaluationWindowDays: number;
  /** 补办: how many days in the past a late filing's planned start may lie (R15). */
  lateFilingMaxDays: number;
  /** Hours after the planned end before an unregistered visit raises an alert (R15). */
  registrationGraceHours: number;
  /** How far a checklist's start/end may lie outside the planned window, in minutes. */
  checklistTimeMarginMinutes: number;
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
  /**
   * Appends text to a local file (Node only): the SMS file gateway writes through it. Absent on
   * Workers, which have no file system, so the file gateway answers like no gateway there.
   */
  appendFile?: (path: string, text: string) => Promise<void>;
}

/** The enterprise signed in through its own session (issue 13); never a staff user. */
export interface SessionEnterprise {
  id: string;
  name: string;
  creditCode: string;
  sessionId: string;
  csrfToken: string;
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
    /** Set by loadEnterpriseSession (src/enterprise/session.ts); null without an enterprise cookie. */
    enterprise: SessionEnterprise | null;
  };
}

const DEFAULTS = {
  timeZone: "Asia/Shanghai",
  bodyLimitBytes: 2 * 1024 * 1024,
  jsonMaxDepth: 64,
  sessionTtlMs: 12 * 60 * 60 * 1000,
  submitRatePerMinute: 30,
  loginFailuresPerWindow: 10,
  dashboardMaxPeriodYears: 5,
  importMaxUnpackedBytes: 20 * 1024 * 1024,
  importMaxCells: 200_000,
  importReportMaxRows: 100,
  importEchoMaxChars: 200,
  headersTimeoutMs: 15_000,
  requestTimeoutMs: 120_000,
  maxConnections: 1000,
  loginClientFailuresPerWindow: 50,
  loginAccountFailuresPerWindow: 100,
  // The reference validator's time per submission grows with the schema (a 400 KB schema: 5 s).
  formSchemaMaxBytes: 128 * 1024,
  formMaxExpressions: 300,
  formMaxExpressionDepth: 32,
};

/** The hosts a request may name when PUBLIC_URL is unset: this machine's names and its listen address. */
function allowedHostsFrom(env: Record<string, string | undefined>): string[] {
  const listed = env.ALLOWED_HOSTS?.split(",")
    .map((h) => h.trim().toLowerCase())
    .filter(Boolean);
  if (listed?.length) return listed;
  const local = ["localhost", "127.0.0.1", "[::1]"];
  // A wildcard listen address (0.0.0.0, ::) names no host anyone types.
  const listen = env.HOST?.trim().toLowerCase();
  if (!listen || listen === "0.0.0.0" || listen === "::" || listen === "[::]") return local;
  return [...local, listen.includes(":") && !listen.startsWith("[") ? `[${listen}]` : listen];
}

/** Builds the config from environment variables (Node's process.env or Workers bindings). */
/** A number of hours that may be 0 (unlike `num`, which wants a positive one). */
function hoursAtLeastZero(env: Record<string, string | undefined>, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0) throw new Error(`${name} must be a number of hours ≥ 0, got "${raw}"`);
  return n;
}

export function configFromEnv(env: Record<string, string | undefined>, secret: string): AppConfig {
  const num = (name: string, fallback: number) => {
    const raw = env[name];
    if (raw === undefined || raw === "") return fallback;
    const n = Number(raw);
    if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number, got "${raw}"`);
    return n;
  };
  const timeZone = env.TZ || env.LIANMA_TZ || DEFAULTS.timeZone;
  assertTimeZone(timeZone); // throws RangeError on an unknown zone, at start-up
  return {
    secret,
    timeZone,
    publicUrl: env.PUBLIC_URL?.replace(/\/+$/, "") || undefined,
    allowedHosts: allowedHostsFrom(env),
    trustProxy: env.TRUST_PROXY === "1" || env.TRUST_PROXY === "true",
    surveyjsLicenseKey: (env.SURVEYJS_LICENSE_KEY ?? "").trim(),
    samplingDrawDelayMs: hoursAtLeastZero(env, "SAMPLING_DRAW_DELAY_HOURS", 24) * 3_600_000,
    bodyLimitBytes: num("BODY_LIMIT_BYTES", DEFAULTS.bodyLimitBytes),
    jsonMaxDepth: num("JSON_MAX_DEPTH", DEFAULTS.jsonMaxDepth),
    sessionTtlMs: num("SESSION_TTL_HOURS", DEFAULTS.sessionTtlMs / 3_600_000) * 3_600_000,
    submitRatePerMinute: num("SUBMIT_RATE_PER_MINUTE", DEFAULTS.submitRatePerMinute),
    loginFailuresPerWindow: num("LOGIN_FAILURES_PER_15_MIN", DEFAULTS.loginFailuresPerWindow),
    sweepIntervalMs: num("SWEEP_INTERVAL_MINUTES", 10) * 60_000,
    loginClientFailuresPerWindow: num(
      "LOGIN_CLIENT_FAILURES_PER_15_MIN",
      DEFAULTS.loginClientFailuresPerWindow,
    ),
    loginAccountFailuresPerWindow: num(
      "LOGIN_ACCOUNT_FAILURES_PER_15_MIN",
      DEFAULTS.loginAccountFailuresPerWindow,
    ),
    formLimits: {
      maxBytes: num("FORM_SCHEMA_MAX_BYTES", DEFAULTS.formSchemaMaxBytes),
      maxExpressions: num("FORM_MAX_EXPRESSIONS", DEFAULTS.formMaxExpressions),
      maxExpressionDepth: num("FORM_MAX_EXPRESSION_DEPTH", DEFAULTS.formMaxExpressionDepth),
    },
    inspections: {
      duplicateWindowDays: num("INSPECTION_WINDOW_DAYS", 30),
      yearlyCapPerDepartment: num("INSPECTION_YEARLY_CAP", 2),
      codeTtlDays: num("INSPECTION_CODE_TTL_DAYS", 90),
      jointMinOfficersPerDepartment: Math.floor(num("JOINT_MIN_OFFICERS_PER_DEPARTMENT", 2)),
      evaluationFormId: env.EVALUATION_FORM_ID || "inspection-evaluation",
      evaluationWindowDays: num("EVALUATION_WINDOW_DAYS", 30),
      lateFilingMaxDays: num("LATE_FILING_MAX_DAYS", 10),
      registrationGraceHours: num("REGISTRATION_GRACE_HOURS", 24),
      checklistTimeMarginMinutes: num("CHECKLIST_TIME_MARGIN_MINUTES", 120),
      webhookUrl: env.ALERT_WEBHOOK_URL || undefined,
      webhookSecret: env.ALERT_WEBHOOK_SECRET || undefined,
    },
    enterprise: {
      sessionTtlMs: num("ENTERPRISE_SESSION_DAYS", 180) * 86_400_000,
      activationTtlMs: num("ENTERPRISE_ACTIVATION_DAYS", 90) * 86_400_000,
      sms: smsGatewayFromEnv(env),
    },
    dashboardMaxPeriodYears: num("DASHBOARD_MAX_PERIOD_YEARS", DEFAULTS.dashboardMaxPeriodYears),
    imports: {
      maxUnpackedBytes: num("IMPORT_MAX_UNPACKED_BYTES", DEFAULTS.importMaxUnpackedBytes),
      maxCells: num("IMPORT_MAX_CELLS", DEFAULTS.importMaxCells),
      reportMaxRows: num("IMPORT_REPORT_MAX_ROWS", DEFAULTS.importReportMaxRows),
      echoMaxChars: num("IMPORT_ECHO_MAX_CHARS", DEFAULTS.importEchoMaxChars),
    },
    server: {
      headersTimeoutMs: num("HEADERS_TIMEOUT_MS", DEFAULTS.headersTimeoutMs),
      requestTimeoutMs: num("REQUEST_TIMEOUT_MS", DEFAULTS.requestTimeoutMs),
      maxConnections: num("MAX_CONNECTIONS", DEFAULTS.maxConnections),
    },
  };
}

function smsGatewayFromEnv(env: Record<string, string | undefined>): SmsGatewayConfig {
  const kind = env.SMS_GATEWAY || "none";
  if (kind === "none") return { kind };
  if (kind === "file") return { kind, path: env.SMS_FILE || "./data/sms.jsonl" };
  if (kind === "webhook") {
    const url = env.SMS_WEBHOOK_URL;
    const secret = env.SMS_WEBHOOK_SECRET;
    if (!url || !secret)
      throw new Error("SMS_GATEWAY=webhook needs SMS_WEBHOOK_URL and SMS_WEBHOOK_SECRET (signs deliveries)");
    new URL(url); // throws on a malformed URL, at start-up
    return { kind, url, secret };
  }
  throw new Error(`SMS_GATEWAY must be webhook, file or none, got "${kind}"`);
}

/** What an operator should hear at start-up about this configuration (logged as warnings). */
export function startupWarnings(env: Record<string, string | undefined>, config: AppConfig): string[] {
  const warnings: string[] = [];
  if (env.NODE_ENV === "production" && !config.publicUrl) {
    warnings.push(
      "PUBLIC_URL is not set: share links, QR codes and inspection codes are refused (409 public_url_required) " +
        `for any host outside ALLOWED_HOSTS (${config.allowedHosts.join(", ")}). Set PUBLIC_URL to the public origin.`,
    );
  }
  return warnings;
}
