/**
 * TEST_TARGET=worker: the API suite's requests go to the Worker bundle running in workerd (Miniflare,
 * as `wrangler dev` runs it), and the Worker reaches its database over Hrana/HTTP — the Hrana stand-in
 * of tests/hrana-standin, or the libSQL server in LIBSQL_URL when that is set (with TEST_LIBSQL_WIPE=1:
 * every test empties it). Fixtures and assertions
 * in the tests use an HTTP libSQL client on the same database, so both sides see the same rows.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "drizzle-orm";
import { afterAll, inject } from "vitest";
import { openDatabase, type Database } from "../../src/db/client.ts";
import { runMigrations } from "../../src/db/migrate.ts";
import { startHranaStandin, type HranaStandin } from "../hrana-standin/server.ts";

export const WORKER_TARGET = process.env.TEST_TARGET === "worker";
export const TEST_SECRET = "test-secret-".padEnd(40, "x");

type Miniflare = import("miniflare").Miniflare;
export type WorkerFetch = (path: string, init?: RequestInit) => Promise<Response>;

export interface WorkerInstance {
  fetch: WorkerFetch;
  /** Restarts the Worker with other variables (the bindings of wrangler.toml stay). */
  setVars(vars: Record<string, string>): Promise<void>;
  dispose(): Promise<void>;
}

interface Backend {
  /** LIBSQL_URL as the Worker sees it. */
  url: string;
  authToken?: string;
  database: Database;
  standin?: HranaStandin;
  dir?: string;
}

let backend: Promise<Backend> | undefined;
let shared: { worker: WorkerInstance; varsKey: string } | undefined;
const started: WorkerInstance[] = [];

if (WORKER_TARGET) {
  afterAll(async () => {
    await Promise.all([...started].map((w) => w.dispose()));
    shared = undefined;
    const b = await backend;
    backend = undefined;
    if (b) {
      b.database.close();
      await b.standin?.close();
      if (b.dir) rmSync(b.dir, { recursive: true, force: true });
    }
  });
}

/** The database behind the Worker: a real libSQL server when LIBSQL_URL is set, else the stand-in. */
export function workerBackend(): Promise<Backend> {
  backend ??= (async () => {
    const external = process.env.LIBSQL_URL;
    if (external) {
      // Each test empties every table: never let an exported production URL be taken by accident.
      if (process.env.TEST_LIBSQL_WIPE !== "1") {
        throw new Error(
          "LIBSQL_URL is set: the worker tests would empty that database before each test. " +
            "Unset it to use the Hrana stand-in, or set TEST_LIBSQL_WIPE=1 if it is a throwaway database.",
        );
      }
      const authToken = process.env.LIBSQL_AUTH_TOKEN;
      const database = await openDatabase({ url: external, authToken });
      await runMigrations(database.db);
      return { url: external, authToken, database };
    }
    const dir = mkdtempSync(join(tmpdir(), "lianma-worker-"));
    const standin = await startHranaStandin({ path: join(dir, "lianma.db") });
    const database = await openDatabase({ url: standin.url });
    await runMigrations(database.db);
    return { url: standin.url, database, standin, dir };
  })();
  return backend;
}

/**
 * Empties every table (not the migrations journal) in one batch with foreign keys off — the same
 * `migrate()` path the client offers for schema changes — so each test starts from a migrated, empty
 * database, whether the stand-in or a real server serves it.
 */
export async function emptyDatabase(database: Database): Promise<void> {
  const tables = await database.db.all<{ name: string }>(
    sql`SELECT name FROM sqlite_master WHERE type = 'table'
      AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '__drizzle%' AND name NOT LIKE '_litestream%'`,
  );
  const hasSequence = await database.db.all(sql`SELECT 1 FROM sqlite_master WHERE name = 'sqlite_sequence'`);
  // The append-only audit log refuses DELETE by trigger: lift the triggers while emptying, in the same batch.
  const triggers = await database.db.all<{ name: string; sql: string }>(
    sql`SELECT name, sql FROM sqlite_master WHERE type = 'trigger'`,
  );
  const statements = [
    ...triggers.map((t) => `DROP TRIGGER "${t.name.replaceAll('"', '""')}"`),
    ...tables.map((t) => `DELETE FROM "${t.name.replaceAll('"', '""')}"`),
  ];
  if (hasSequence.length) statements.push("DELETE FROM sqlite_sequence");
  statements.push(...triggers.map((t) => t.sql));
  await database.client.migrate(statements);
}

/** Starts one more Worker (its own workerd process, so its own isolate) over the same database. */
export async function startWorker(vars: Record<string, string> = {}): Promise<WorkerInstance> {
  const b = await workerBackend();
  const [{ Miniflare }, { unstable_getMiniflareWorkerOptions }] = await Promise.all([
    import("miniflare"),
    import("wrangler"),
  ]);
  const { workerOptions } = unstable_getMiniflareWorkerOptions("wrangler.toml");
  const options = (extra: Record<string, string>) => ({
    ...workerOptions,
    modules: true,
    scriptPath: inject("workerBundle"),
    port: 0,
    bindings: {
      ...workerOptions.bindings,
      LIBSQL_URL: b.url,
      ...(b.authToken ? { LIBSQL_AUTH_TOKEN: b.authToken } : {}),
      APP_SECRET: TEST_SECRET,
      // Live alert pages poll the database on Workers; faster than the 3 s default, for test timeouts.
      ALERT_POLL_MS: "500",
      // Tests read their answers, not the access log (tests/request-log.test.ts covers it on Node).
      ACCESS_LOG: "0",
      ...extra,
    },
  });
  const mf: Miniflare = new Miniflare(options(vars) as ConstructorParameters<typeof Miniflare>[0]);
  await mf.ready;
  let disposed: Promise<void> | undefined;
  const instance: WorkerInstance = {
    fetch: async (path, init = {}) => {
      const headers = new Headers(init.headers);
      // The client sets a body's true length; a test's hand-written Content-Length cannot reach a
      // Worker behind Cloudflare's edge either.
      if (typeof init.body === "string" || init.body instanceof Uint8Array) headers.delete("content-length");
      // Like Hono's app.request(): a redirect is the answer, not something to follow.
      const res = await mf.dispatchFetch(new URL(path, "http://localhost").toString(), {
        redirect: "manual",
        ...init,
        headers,
      } as never);
      // dispatchFetch decodes a compressed body and renames the header; show it as a browser sees it.
      const encoding = res.headers.get("mf-content-encoding");
      if (encoding) {
        res.headers.delete("mf-content-encoding");
        res.headers.set("content-encoding", encoding);
      }
      return res as unknown as Response;
    },
    async setVars(next) {
      await mf.setOptions(options(next) as never);
    },
    dispose() {
      const i = started.indexOf(instance);
      if (i >= 0) started.splice(i, 1);
      disposed ??= mf.dispose();
      return disposed;
    },
  };
  started.push(instance);
  return instance;
}

/**
 * The Worker a test file talks to, over an emptied database, with `vars` as its extra variables
 * (started once per file; restarted only when the variables change).
 */
export async function workerForTest(vars: Record<string, string>) {
  const b = await workerBackend();
  await emptyDatabase(b.database);
  const varsKey = JSON.stringify(Object.entries(vars).sort());
  if (!shared) {
    shared = { worker: await startWorker(vars), varsKey };
  } else if (shared.varsKey !== varsKey) {
    await shared.worker.setVars(vars);
    shared.varsKey = varsKey;
  }
  return { worker: shared.worker, database: b.database };
}
