import type { EventBus } from "./alerts/events.ts";
import type { Db, SynchronousLevel } from "./db/client.ts";
import type { Role } from "./db/schema.ts";
import type { SchemaLimits } from "./forms/schema-problems.ts";
import type { ValidatorCache } from "./forms/validator-cache.ts";
import type { RateLimiter } from "./lib/rate-limit.ts";
import { z } from "zod";
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
  /** One JSON access line per request (ACCESS_LOG=0 turns it off; errors are logged either way). */
  accessLog: boolean;
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
  /** 情形 a supervision case (督办) may name, in the order the pages list them. */
  caseSituations: string[];
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
  /** 首违不罚: years looked back for an earlier failure of the same item and point (issue 15). */
  firstViolationYears: number;
  /** How far a checklist's start/end may lie outside the planned window, in minutes. */
  checklistTimeMarginMinutes: number;
  /** A device clock further than this from the server's is flagged on the checklist (offline work). */
  clockSkewLimitMinutes: number;
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
   * Checks public submissions off the event loop (the Node server's check thread,
   * src/responses/check-thread.ts); absent, they are checked in the request with `validators`.
   */
  checker?: ResponseChecker;
  /** The peer address of the TCP connection (runtime-specific). */
  remoteAddress: (c: import("hono").Context) => string | undefined;
  /** Serves a file from public/ (Node: disk; Workers: the assets binding). */
  assets: (path: string, request: Request) => Promise<Response | null>;
  now?: () => number;
  /**
   * Published form versions as ready bytes (src/forms/published-cache.ts). The Node server on its own
   * file trusts its own invalidation; absent, createApp makes one that checks the live version per request.
   */
  publishedForms?: import("./forms/published-cache.ts").PublishedFormCache;
  /**
   * Whether the server gzips the public inspection page's HTML itself (default true). Workers say
   * false: the edge compresses what they answer, and a body they encoded would be encoded twice.
   */
  compressPages?: boolean;
  /** The public inspection view as ready text, checked against the public revision per request. */
  publicViews?: import("./evaluations/public-view-cache.ts").PublicViewCache;
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
    /** Set first by withRequestId (src/lib/access-log.ts), sent back as X-Request-Id. */
    requestId: string;
    /** A JSON write's body text, read once, strict UTF-8 and depth-checked by jsonGuard. */
    bodyText?: string;
  };
}

/**
 * Every environment variable the server reads, in one zod schema: the Node entry, the Worker entry
 * and the app's configuration all parse through it, so a bad value is refused at start naming its
 * variable, and tests/config.test.ts holds this list and README.md's configuration table equal.
 */
const positive = (fallback: number, bounds: { whole?: boolean; max?: number } = {}) =>
  z
    .string()
    .optional()
    .transform((raw, ctx) => {
      if (raw === undefined || raw.trim() === "") return fallback;
      const n = Number(raw);
      if (!Number.isFinite(n) || n <= 0) {
        ctx.addIssue({ code: "custom", message: `must be a positive number, got "${raw}"` });
        return z.NEVER;
      }
      if (bounds.whole && !Number.isInteger(n)) {
        ctx.addIssue({ code: "custom", message: `must be a whole number, got "${raw}"` });
        return z.NEVER;
      }
      if (bounds.max !== undefined && n > bounds.max) {
        ctx.addIssue({ code: "custom", message: `must be at most ${bounds.max}, got "${raw}"` });
        return z.NEVER;
      }
      return n;
    });
/** Longest delay a timer takes: beyond it Node and Workers fire after 1 ms, so a loop would never pause. */
const TIMER_MAX_MS = 2_147_483_647;
/** Sizes (a cache's, a batch's) and what Node's server options take: whole numbers only. */
const whole = (fallback: number, max?: number) => positive(fallback, { whole: true, max });
/** A TCP port; 0 asks the system for a free one. */
const port = (fallback: number) =>
  z
    .string()
    .optional()
    .transform((raw, ctx) => {
      if (raw === undefined || raw.trim() === "") return fallback;
      const n = Number(raw);
      if (Number.isInteger(n) && n >= 0 && n <= 65535) return n;
      ctx.addIssue({ code: "custom", message: `must be a port number (0–65535), got "${raw}"` });
      return z.NEVER;
    });
/** A number that may be 0 (a delay that tests and demos turn off). */
const atLeastZero = (fallback: number) =>
  z
    .string()
    .optional()
    .transform((raw, ctx) => {
      if (raw === undefined || raw.trim() === "") return fallback;
      const n = Number(raw);
      if (Number.isFinite(n) && n >= 0) return n;
      ctx.addIssue({ code: "custom", message: `must be a number ≥ 0, got "${raw}"` });
      return z.NEVER;
    });
/** On/off: `1`/`true` and `0`/`false`; unset or empty keeps the default; anything else is refused. */
const onOff = (fallback: boolean) =>
  z
    .string()
    .optional()
    .transform((raw, ctx) => {
      const value = raw?.trim().toLowerCase();
      if (!value) return fallback;
      if (value === "1" || value === "true") return true;
      if (value === "0" || value === "false") return false;
      ctx.addIssue({ code: "custom", message: `must be 1 or 0, got "${raw}"` });
      return z.NEVER;
    });
/** A text value; empty counts as unset. */
const text = () =>
  z
    .string()
    .optional()
    .transform((raw) => (raw?.trim() ? raw : undefined));
const url = () =>
  text().refine((raw) => raw === undefined || URL.canParse(raw), { message: "must be a URL" });

const VARIABLES = z.object({
  // The Node server
  PORT: port(8787),
  HOST: text(),
  DATABASE_URL: text(),
  LIBSQL_URL: url(),
  LIBSQL_AUTH_TOKEN: text(),
  DB_SYNCHRONOUS: text().refine((v) => v === undefined || /^(off|normal|full|extra)$/i.test(v), {
    message: "must be OFF, NORMAL, FULL or EXTRA",
  }),
  ADMIN_USERNAME: text(),
  ADMIN_PASSWORD: text(),
  APP_SECRET: text().refine((v) => v === undefined || v.length >= 32, {
    message: "must be at least 32 characters",
  }),
  SEED_FORMS: onOff(true),
  VALIDATION_THREAD: onOff(false),
  VALIDATOR_CACHE_SIZE: whole(200),
  GROUP_COMMIT_MAX: whole(128),
  NODE_ENV: text(),
  // Both targets
  TZ: text(),
  LIANMA_TZ: text(),
  PUBLIC_URL: url(),
  ALLOWED_HOSTS: text(),
  TRUST_PROXY: onOff(false),
  ACCESS_LOG: onOff(true),
  BODY_LIMIT_BYTES: positive(2 * 1024 * 1024),
  JSON_MAX_DEPTH: positive(64),
  SESSION_TTL_HOURS: positive(12),
  SUBMIT_RATE_PER_MINUTE: positive(30),
  LOGIN_FAILURES_PER_15_MIN: positive(10),
  LOGIN_CLIENT_FAILURES_PER_15_MIN: positive(50),
  LOGIN_ACCOUNT_FAILURES_PER_15_MIN: positive(100),
  SWEEP_INTERVAL_MINUTES: positive(10, { max: Math.floor(TIMER_MAX_MS / 60_000) }),
  // The reference validator's time per submission grows with the schema: a bound on its size bounds it.
  FORM_SCHEMA_MAX_BYTES: positive(128 * 1024),
  FORM_MAX_EXPRESSIONS: positive(300),
  FORM_MAX_EXPRESSION_DEPTH: positive(32),
  INSPECTION_WINDOW_DAYS: positive(30),
  INSPECTION_YEARLY_CAP: positive(2),
  INSPECTION_CODE_TTL_DAYS: positive(90),
  JOINT_MIN_OFFICERS_PER_DEPARTMENT: positive(2),
  EVALUATION_FORM_ID: text(),
  EVALUATION_WINDOW_DAYS: positive(30),
  LATE_FILING_MAX_DAYS: positive(10),
  REGISTRATION_GRACE_HOURS: positive(24),
  FIRST_VIOLATION_YEARS: positive(2),
  CASE_SITUATIONS: text(),
  SURVEYJS_LICENSE_KEY: text(),
  SAMPLING_DRAW_DELAY_HOURS: atLeastZero(24),
  CHECKLIST_TIME_MARGIN_MINUTES: positive(120),
  CLOCK_SKEW_LIMIT_MINUTES: positive(5),
  ALERT_WEBHOOK_URL: url(),
  ALERT_WEBHOOK_SECRET: text(),
  ENTERPRISE_SESSION_DAYS: positive(180),
  ENTERPRISE_ACTIVATION_DAYS: positive(90),
  SMS_GATEWAY: text(),
  SMS_WEBHOOK_URL: url(),
  SMS_WEBHOOK_SECRET: text(),
  SMS_FILE: text(),
  DASHBOARD_MAX_PERIOD_YEARS: positive(5),
  IMPORT_MAX_UNPACKED_BYTES: positive(20 * 1024 * 1024),
  IMPORT_MAX_CELLS: positive(200_000),
  IMPORT_REPORT_MAX_ROWS: positive(100),
  IMPORT_ECHO_MAX_CHARS: positive(200),
  HEADERS_TIMEOUT_MS: whole(15_000),
  REQUEST_TIMEOUT_MS: whole(120_000),
  MAX_CONNECTIONS: positive(1000),
  // The Worker
  ALERT_POLL_MS: positive(3000, { max: TIMER_MAX_MS }),
});

/** The variables checked together as well. */
const CHECKED = VARIABLES.refine((v) => v.HEADERS_TIMEOUT_MS <= v.REQUEST_TIMEOUT_MS, {
  // Node's createServer throws otherwise, naming its option rather than our variable.
  path: ["HEADERS_TIMEOUT_MS"],
  message: "must not exceed REQUEST_TIMEOUT_MS",
});

export type Variables = z.output<typeof VARIABLES>;

/** The names of every variable the server reads (README.md's configuration table lists each). */
export const VARIABLE_NAMES = Object.keys(VARIABLES.shape) as (keyof Variables)[];

/** Parses the environment (Node's process.env or the Worker's string bindings); throws naming every bad variable. */
export function readVariables(env: Record<string, string | undefined>): Variables {
  const parsed = CHECKED.safeParse(env);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => `${issue.path.join(".")} ${issue.message}`);
  throw new Error(`configuration: ${problems.join("; ")}`);
}

/** The hosts a request may name when PUBLIC_URL is unset: this machine's names and its listen address. */
function allowedHostsFrom(v: Variables): string[] {
  const listed = v.ALLOWED_HOSTS?.split(",")
    .map((h) => h.trim().toLowerCase())
    .filter(Boolean);
  if (listed?.length) return listed;
  const local = ["localhost", "127.0.0.1", "[::1]"];
  // A wildcard listen address (0.0.0.0, ::) names no host anyone types.
  const listen = v.HOST?.trim().toLowerCase();
  if (!listen || listen === "0.0.0.0" || listen === "::" || listen === "[::]") return local;
  return [...local, listen.includes(":") && !listen.startsWith("[") ? `[${listen}]` : listen];
}

/** Builds the app's config from environment variables (Node's process.env or Workers bindings). */
export function configFromEnv(env: Record<string, string | undefined>, secret: string): AppConfig {
  const v = readVariables(env);
  const timeZone = v.TZ || v.LIANMA_TZ || "Asia/Shanghai";
  assertTimeZone(timeZone); // throws RangeError on an unknown zone, at start-up
  return {
    secret,
    timeZone,
    publicUrl: v.PUBLIC_URL?.replace(/\/+$/, "") || undefined,
    allowedHosts: allowedHostsFrom(v),
    trustProxy: v.TRUST_PROXY,
    accessLog: v.ACCESS_LOG,
    surveyjsLicenseKey: v.SURVEYJS_LICENSE_KEY ?? "",
    samplingDrawDelayMs: v.SAMPLING_DRAW_DELAY_HOURS * 3_600_000,
    bodyLimitBytes: v.BODY_LIMIT_BYTES,
    jsonMaxDepth: v.JSON_MAX_DEPTH,
    sessionTtlMs: v.SESSION_TTL_HOURS * 3_600_000,
    submitRatePerMinute: v.SUBMIT_RATE_PER_MINUTE,
    loginFailuresPerWindow: v.LOGIN_FAILURES_PER_15_MIN,
    sweepIntervalMs: v.SWEEP_INTERVAL_MINUTES * 60_000,
    loginClientFailuresPerWindow: v.LOGIN_CLIENT_FAILURES_PER_15_MIN,
    loginAccountFailuresPerWindow: v.LOGIN_ACCOUNT_FAILURES_PER_15_MIN,
    formLimits: {
      maxBytes: v.FORM_SCHEMA_MAX_BYTES,
      maxExpressions: v.FORM_MAX_EXPRESSIONS,
      maxExpressionDepth: v.FORM_MAX_EXPRESSION_DEPTH,
    },
    inspections: {
      duplicateWindowDays: v.INSPECTION_WINDOW_DAYS,
      yearlyCapPerDepartment: v.INSPECTION_YEARLY_CAP,
      codeTtlDays: v.INSPECTION_CODE_TTL_DAYS,
      jointMinOfficersPerDepartment: Math.floor(v.JOINT_MIN_OFFICERS_PER_DEPARTMENT),
      evaluationFormId: v.EVALUATION_FORM_ID ?? "inspection-evaluation",
      evaluationWindowDays: v.EVALUATION_WINDOW_DAYS,
      lateFilingMaxDays: v.LATE_FILING_MAX_DAYS,
      registrationGraceHours: v.REGISTRATION_GRACE_HOURS,
      firstViolationYears: Math.floor(v.FIRST_VIOLATION_YEARS),
      checklistTimeMarginMinutes: v.CHECKLIST_TIME_MARGIN_MINUTES,
      clockSkewLimitMinutes: v.CLOCK_SKEW_LIMIT_MINUTES,
      webhookUrl: v.ALERT_WEBHOOK_URL,
      webhookSecret: v.ALERT_WEBHOOK_SECRET,
    },
    enterprise: {
      sessionTtlMs: v.ENTERPRISE_SESSION_DAYS * 86_400_000,
      activationTtlMs: v.ENTERPRISE_ACTIVATION_DAYS * 86_400_000,
      sms: smsGatewayFrom(v),
    },
    dashboardMaxPeriodYears: v.DASHBOARD_MAX_PERIOD_YEARS,
    imports: {
      maxUnpackedBytes: v.IMPORT_MAX_UNPACKED_BYTES,
      maxCells: v.IMPORT_MAX_CELLS,
      reportMaxRows: v.IMPORT_REPORT_MAX_ROWS,
      echoMaxChars: v.IMPORT_ECHO_MAX_CHARS,
    },
    server: {
      headersTimeoutMs: v.HEADERS_TIMEOUT_MS,
      requestTimeoutMs: v.REQUEST_TIMEOUT_MS,
      maxConnections: v.MAX_CONNECTIONS,
    },
    caseSituations: listOf(v.CASE_SITUATIONS, DEFAULT_CASE_SITUATIONS),
  };
}

export const DEFAULT_CASE_SITUATIONS = [
  "不作为",
  "乱作为",
  "吃拿卡要",
  "作风粗暴",
  "超范围检查",
  "重复检查",
  "未亮码/未备案",
];

/** A comma-separated list (、 and ， also separate); empty or unset → the defaults. */
function listOf(text: string | undefined, defaults: string[]): string[] {
  const items = (text ?? "")
    .split(/[,，、]/)
    .map((s) => s.trim())
    .filter(Boolean);
  return items.length ? [...new Set(items)] : defaults;
}

/** What the Node entry reads beside the app's config (src/node/start.ts). */
export function nodeSettings(env: Record<string, string | undefined>) {
  const v = readVariables(env);
  return {
    databaseUrl: v.DATABASE_URL ?? "file:./data/lianma.db",
    authToken: v.LIBSQL_AUTH_TOKEN,
    synchronous: (v.DB_SYNCHRONOUS?.toUpperCase() ?? "FULL") as SynchronousLevel,
    port: v.PORT,
    host: v.HOST ?? "0.0.0.0",
    adminName: v.ADMIN_USERNAME ?? "admin",
    adminPassword: v.ADMIN_PASSWORD,
    appSecret: v.APP_SECRET,
    seedForms: v.SEED_FORMS,
    groupCommitMax: v.GROUP_COMMIT_MAX,
    validatorCacheSize: v.VALIDATOR_CACHE_SIZE,
    validationThread: v.VALIDATION_THREAD,
    nodeEnv: v.NODE_ENV,
  };
}

/** What the Worker entry reads beside the app's config (src/worker.ts). */
export function workerSettings(env: Record<string, string | undefined>) {
  const v = readVariables(env);
  return {
    libsqlUrl: v.LIBSQL_URL,
    authToken: v.LIBSQL_AUTH_TOKEN,
    appSecret: v.APP_SECRET,
    validatorCacheSize: v.VALIDATOR_CACHE_SIZE,
    alertPollMs: v.ALERT_POLL_MS,
  };
}

function smsGatewayFrom(v: Variables): SmsGatewayConfig {
  const kind = v.SMS_GATEWAY ?? "none";
  if (kind === "none") return { kind };
  if (kind === "file") return { kind, path: v.SMS_FILE ?? "./data/sms.jsonl" };
  if (kind === "webhook") {
    const url = v.SMS_WEBHOOK_URL;
    const secret = v.SMS_WEBHOOK_SECRET;
    if (!url || !secret)
      throw new Error("SMS_GATEWAY=webhook needs SMS_WEBHOOK_URL and SMS_WEBHOOK_SECRET (signs deliveries)");
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
