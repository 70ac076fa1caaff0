import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { configFromEnv, nodeSettings, readVariables, VARIABLE_NAMES, workerSettings } from "../src/env.ts";

// Issue 19 item 10: one zod-checked configuration, every variable in the README's table.
const SECRET = "s".repeat(40);

/** Variable names of README.md's configuration table (a row may name two: `A` / `B`). */
function readmeVariables(): string[] {
  const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
  const table = readme.slice(readme.indexOf("## Configuration"));
  const rows = table
    .slice(0, table.indexOf("\n## "))
    .split("\n")
    .filter((l) => l.startsWith("| `"));
  return rows.flatMap((row) => [...row.split("|")[1]!.matchAll(/`([A-Z][A-Z0-9_]+)`/g)].map((m) => m[1]!));
}

describe("the configuration", () => {
  it("lists in README.md exactly the variables the server reads", () => {
    expect(readmeVariables().sort()).toEqual([...VARIABLE_NAMES].sort());
  });

  it("gives the documented defaults", () => {
    const config = configFromEnv({}, SECRET);
    expect(config).toMatchObject({
      timeZone: "Asia/Shanghai",
      trustProxy: false,
      accessLog: true,
      bodyLimitBytes: 2 * 1024 * 1024,
      sessionTtlMs: 12 * 3_600_000,
      inspections: {
        duplicateWindowDays: 30,
        yearlyCapPerDepartment: 2,
        evaluationFormId: "inspection-evaluation",
      },
      enterprise: { sms: { kind: "none" } },
    });
    expect(nodeSettings({})).toMatchObject({
      databaseUrl: "file:./data/lianma.db",
      synchronous: "FULL",
      port: 8787,
      host: "0.0.0.0",
      adminName: "admin",
      seedForms: true,
      validationThread: false,
      groupCommitMax: 128,
      validatorCacheSize: 200,
    });
    expect(workerSettings({})).toMatchObject({ alertPollMs: 3000, validatorCacheSize: 200 });
  });

  it("reads switches as 1/0 (or true/false) and refuses anything else, naming the variable", () => {
    expect(configFromEnv({ TRUST_PROXY: "true", ACCESS_LOG: "0" }, SECRET)).toMatchObject({
      trustProxy: true,
      accessLog: false,
    });
    expect(nodeSettings({ SEED_FORMS: "0", VALIDATION_THREAD: "1" })).toMatchObject({
      seedForms: false,
      validationThread: true,
    });
    expect(() => configFromEnv({ TRUST_PROXY: "yes please" }, SECRET)).toThrow(/TRUST_PROXY must be 1 or 0/);
  });

  it("refuses every bad value at start, all of them in one message", () => {
    const bad = { PORT: "eighty", DB_SYNCHRONOUS: "fast", APP_SECRET: "short", PUBLIC_URL: "not a url" };
    let message = "";
    try {
      readVariables(bad);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/PORT must be a port number \(0–65535\), got "eighty"/);
    expect(message).toMatch(/DB_SYNCHRONOUS must be OFF, NORMAL, FULL or EXTRA/);
    expect(message).toMatch(/APP_SECRET must be at least 32 characters/);
    expect(message).toMatch(/PUBLIC_URL must be a URL/);
    expect(() => configFromEnv({ SESSION_TTL_HOURS: "-1" }, SECRET)).toThrow(/SESSION_TTL_HOURS/);
    expect(() => configFromEnv({ SMS_GATEWAY: "webhook", SMS_WEBHOOK_URL: "x" }, SECRET)).toThrow(
      /SMS_WEBHOOK_URL must be a URL/,
    );
  });

  it("refuses at start, naming the variable, values Node or a timer would take wrongly", () => {
    const refused = (env: Record<string, string>, pattern: RegExp) => {
      let message = "";
      try {
        readVariables(env);
      } catch (error) {
        message = (error as Error).message;
      }
      expect(message).toMatch(pattern);
    };
    // Node's createServer throws for a fraction, and for headers allowed longer than the whole request.
    refused({ HEADERS_TIMEOUT_MS: "1.5" }, /HEADERS_TIMEOUT_MS must be a whole number/);
    refused({ HEADERS_TIMEOUT_MS: "200000" }, /HEADERS_TIMEOUT_MS must not exceed REQUEST_TIMEOUT_MS/);
    // A timer beyond 2^31-1 ms fires after 1 ms: the sweep or the poll would run without pause.
    refused({ SWEEP_INTERVAL_MINUTES: "40000" }, /SWEEP_INTERVAL_MINUTES must be at most 35791/);
    refused({ ALERT_POLL_MS: "3000000000" }, /ALERT_POLL_MS must be at most 2147483647/);
    // lru-cache refuses a fractional size.
    refused({ VALIDATOR_CACHE_SIZE: "0.5" }, /VALIDATOR_CACHE_SIZE must be a whole number/);
    expect(
      readVariables({ HEADERS_TIMEOUT_MS: "200000", REQUEST_TIMEOUT_MS: "300000" }).HEADERS_TIMEOUT_MS,
    ).toBe(200000);
  });

  it("takes PORT=0 as any free port", () => {
    expect(nodeSettings({ PORT: "0" }).port).toBe(0);
  });

  it("treats an empty value as unset", () => {
    expect(nodeSettings({ PORT: "", HOST: "", DATABASE_URL: "" })).toMatchObject({
      port: 8787,
      host: "0.0.0.0",
      databaseUrl: "file:./data/lianma.db",
    });
  });
});

describe("the Worker's variables", () => {
  // wrangler.toml's [vars] give a TOML number or boolean as one: `ALERT_POLL_MS = 5000` was read before
  // the schema; a value the Worker silently dropped would leave a rate limit or a proxy switch at its default.
  const base = { LIBSQL_URL: "libsql://db.example", APP_SECRET: SECRET, ASSETS: {} };

  it("reads number and boolean bindings like their text", async () => {
    const { misconfiguration } = await import("../src/worker.ts");
    expect(misconfiguration({ ...base, SUBMIT_RATE_PER_MINUTE: 0 } as never)).toMatch(
      /SUBMIT_RATE_PER_MINUTE/,
    );
    expect(misconfiguration({ ...base, TRUST_PROXY: 2 } as never)).toMatch(/TRUST_PROXY/);
    expect(misconfiguration({ ...base, ALERT_POLL_MS: 5000, TRUST_PROXY: true } as never)).toBeNull();
  });
});
