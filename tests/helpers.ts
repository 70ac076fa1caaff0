import { fileURLToPath } from "node:url";
import { createApp, type App } from "../src/app.ts";
import { loadSeedForms, publishSeedForms, type SeedForm } from "../src/bootstrap.ts";
import { openDatabase, type Database } from "../src/db/client.ts";
import { runMigrations } from "../src/db/migrate.ts";
import { departments, users, type Role } from "../src/db/schema.ts";
import { configFromEnv } from "../src/env.ts";
import { ValidatorCache } from "../src/forms/validator-cache.ts";
import { newId } from "../src/lib/ids.ts";
import { MemoryRateLimiter, type RateLimiter } from "../src/lib/rate-limit.ts";
import { appendTextFile } from "../src/node/append-file.ts";
import { nodeAssets } from "../src/node/assets.ts";
import { DbRateLimiter } from "../src/workers/db-rate-limiter.ts";
import { WORKER_TARGET, workerForTest } from "./worker/target.ts";

export const PASSWORD = "correct-horse-battery";

/**
 * PASSWORD hashed once, with scrypt at N=1024 (production: 32768). Every test user gets it, so neither
 * making a test app nor a login pays the production cost (most of the suite's time before). The server
 * verifies with the N, r, p written in the hash, the same code path as a production hash
 * (tests/password.test.ts checks both).
 */
export const TEST_PASSWORD_HASH =
  "scrypt$1024$8$1$EK3XUEBS3kPpj2wk1Houfg$ZU2KekTjGpbyvQFvbpF8Dmg_fBO4nCq4N74RboMg-PU";

export interface Session {
  cookie: string;
  csrf: string;
}

/**
 * A fresh app over a fresh in-memory database, migrated with the committed SQL. With
 * `TEST_TARGET=worker` (npm run test:worker) the same tests reach the Worker bundle in workerd
 * instead, over an emptied database served by the Hrana stand-in (tests/worker/target.ts).
 */
export async function makeTestApp(env: Record<string, string> = {}) {
  // An access line per request would bury the test output; tests/request-log.test.ts turns it on.
  env = { ACCESS_LOG: "0", ...env };
  const target = WORKER_TARGET ? await workerTestApp(env) : await nodeTestApp(env);
  const { app, db } = target;

  const passwordHash = TEST_PASSWORD_HASH;

  async function department(code: string, name = `${code} 部门`) {
    const id = newId();
    await db.insert(departments).values({ id, code, name, createdAt: Date.now() });
    return id;
  }

  async function user(username: string, role: Role, departmentId: string | null = null) {
    const id = newId();
    const now = Date.now();
    await db.insert(users).values({
      id,
      username,
      displayName: username,
      passwordHash,
      role,
      departmentId,
      createdAt: now,
      updatedAt: now,
    });
    return id;
  }

  async function login(username: string, password = PASSWORD): Promise<Session> {
    const res = await app.request("/api/auth/login", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ username, password }),
    });
    if (res.status !== 200) throw new Error(`login ${username} failed: ${res.status} ${await res.text()}`);
    const cookies = res.headers.getSetCookie().map((c) => c.split(";")[0]);
    const body = (await res.json()) as { csrfToken: string };
    return { cookie: cookies.join("; "), csrf: body.csrfToken };
  }

  /** A JSON request as the logged-in page would send it (cookie + CSRF header). */
  function call(
    session: Session | null,
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ) {
    const h: Record<string, string> = { ...headers };
    if (session) {
      h.Cookie = session.cookie;
      h["X-CSRF-Token"] = session.csrf;
    }
    if (body !== undefined) h["Content-Type"] ??= "application/json";
    return app.request(path, {
      method,
      headers: h,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  }

  return { ...target, department, user, login, call };
}

/**
 * The migrated database as one SQL script (schema in creation order, then the rows the migrations
 * wrote, the drizzle journal included), made once per test file: replaying it costs a fraction of
 * running the migrations for every test app. tests/database.test.ts checks a replayed database
 * against a freshly migrated one.
 */
let migratedScript: Promise<string> | undefined;

async function migratedDatabaseScript(): Promise<string> {
  const template = await openDatabase({ url: ":memory:" });
  try {
    await runMigrations(template.db);
    const objects = await template.client.execute(
      "SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%' ORDER BY rowid",
    );
    const order = ["table", "view", "index", "trigger"];
    const rows = objects.rows.map((r) => ({
      type: String(r.type),
      name: String(r.name),
      sql: String(r.sql),
    }));
    const schema = order.flatMap((type) => rows.filter((r) => r.type === type).map((r) => `${r.sql};`));
    const data: string[] = [];
    const tables = rows.filter((r) => r.type === "table").map((r) => r.name);
    const sequence = await template.client.execute(
      "SELECT 1 FROM sqlite_master WHERE name = 'sqlite_sequence'",
    );
    if (sequence.rows.length) tables.push("sqlite_sequence");
    for (const table of tables) {
      const quoted = `"${table.replaceAll('"', '""')}"`;
      const columns = await template.client.execute(`SELECT name FROM pragma_table_info('${table}')`);
      const values = columns.rows
        .map((c) => `quote("${String(c.name).replaceAll('"', '""')}")`)
        .join(" || ',' || ");
      const inserts = await template.client.execute(
        `SELECT 'INSERT INTO ${quoted.replaceAll("'", "''")} VALUES(' || ${values} || ');' FROM ${quoted}`,
      );
      data.push(...inserts.rows.map((r) => String(r[0])));
    }
    // Rows go in table by table, not in foreign-key order; the pragma is back on before any test runs.
    return [
      "PRAGMA foreign_keys = OFF;",
      "BEGIN;",
      ...schema,
      ...data,
      "COMMIT;",
      "PRAGMA foreign_keys = ON;",
    ].join("\n");
  } finally {
    template.close();
  }
}

/** A fresh in-memory database in the state the committed migrations leave it in. */
export async function migratedTestDatabase(): Promise<Database> {
  migratedScript ??= migratedDatabaseScript();
  const database = await openDatabase({ url: ":memory:" });
  await database.client.executeMultiple(await migratedScript);
  return database;
}

async function nodeTestApp(env: Record<string, string>) {
  const database = await migratedTestDatabase();
  const db = database.db;
  const rateLimiter = new MemoryRateLimiter();
  let remote = "127.0.0.1";
  const app = createApp({
    db,
    config: configFromEnv(env, "test-secret-".padEnd(40, "x")),
    rateLimiter,
    validators: new ValidatorCache(50),
    remoteAddress: () => remote,
    assets: nodeAssets("public"),
    appendFile: appendTextFile,
  });
  const setRemote = (ip: string) => {
    remote = ip;
  };
  return { app, db, database, rateLimiter: rateLimiter as RateLimiter, setRemote };
}

/** The Worker in workerd stands in for `app`: only `app.request()` reaches it, as in the tests. */
async function workerTestApp(env: Record<string, string>) {
  const { worker, database } = await workerForTest(env);
  let remote = "127.0.0.1";
  const request = (input: string, init: RequestInit = {}) => {
    const headers = new Headers(init.headers);
    // What Cloudflare's edge sets for every request, and the Worker takes as the client address.
    if (!headers.has("cf-connecting-ip")) headers.set("cf-connecting-ip", remote);
    return worker.fetch(input, { ...init, headers });
  };
  const app = new Proxy({ request } as unknown as App, {
    get(target, prop) {
      if (prop === "request") return request;
      if (typeof prop === "symbol" || prop === "then") return undefined;
      throw new Error(
        `TEST_TARGET=worker: app.${String(prop)} is not reachable in workerd; use app.request()`,
      );
    },
  });
  const setRemote = (ip: string) => {
    remote = ip;
  };
  return {
    app,
    db: database.db,
    database,
    rateLimiter: new DbRateLimiter(database.db) as RateLimiter,
    setRemote,
  };
}

export type TestApp = Awaited<ReturnType<typeof makeTestApp>>;

let demoForms: Promise<SeedForm[]> | undefined;

/**
 * Publishes the forms in forms/ as the server's boot does (seedForms), checking them once per test
 * file instead of once per test: survey-core loading them was most of a seeded test app's cost.
 */
export async function seedDemoForms(t: Pick<TestApp, "db">): Promise<string[]> {
  demoForms ??= loadSeedForms(fileURLToPath(new URL("../forms", import.meta.url)));
  return publishSeedForms(t.db, await demoForms);
}

export const SAMPLE_SCHEMA = {
  title: "满意度",
  pages: [
    {
      name: "p1",
      elements: [
        { type: "text", name: "name", title: "姓名", isRequired: true, maxLength: 20 },
        {
          type: "radiogroup",
          name: "rating",
          title: "评价",
          isRequired: true,
          choices: [
            { value: "good", text: "好" },
            { value: "bad", text: "差" },
          ],
        },
        { type: "comment", name: "why", title: "原因", visibleIf: "{rating} = 'bad'", isRequired: true },
      ],
    },
  ],
};
