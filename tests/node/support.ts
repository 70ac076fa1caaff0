/**
 * The real Node server as a child process (`node --import tsx src/server.ts`) over a database file, and
 * a keep-alive HTTP client for it, for the process-level tests: crash (kill -9), backup, soak.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { Agent, request } from "node:http";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { hashPassword } from "../../src/auth/password.ts";
import { openDatabase, type Database } from "../../src/db/client.ts";
import { runMigrations } from "../../src/db/migrate.ts";
import { departments, users, type Role } from "../../src/db/schema.ts";
import { newId } from "../../src/lib/ids.ts";
import type { Session, TestApp } from "../helpers.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
/** The secret the fixtures sign inspection codes with (tests/evaluation-fixtures.ts). */
export const TEST_SECRET = "test-secret-".padEnd(40, "x");
export const ADMIN_PASSWORD = "admin-password-for-tests";
/**
 * tests/helpers.ts's PASSWORD, repeated: this module must not load helpers.ts, which needs vitest, so
 * that scripts/soak.ts can use it outside the test runner.
 */
const PASSWORD = "correct-horse-battery";

/** A fresh directory holding `lianma.db`; `cleanup()` removes it. */
export function tempDatabase(prefix = "lianma-node-") {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const path = join(dir, "lianma.db");
  return { dir, path, url: `file:${path}`, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A TCP port nobody listens on right now (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

export interface ServerProcess {
  url: string;
  port: number;
  child: ChildProcess;
  /** Everything the server wrote to stdout and stderr so far. */
  output(): string;
  /** Sends the signal and resolves when the process has exited. */
  stop(signal?: NodeJS.Signals): Promise<void>;
  /** Bytes of resident memory of the server process (Linux /proc), or null elsewhere. */
  rss(): Promise<number | null>;
}

/**
 * Starts the real server on 127.0.0.1 over the database file `dbPath` and waits until /healthz
 * answers. Rate limits are raised far above any test's load unless `env` says otherwise.
 */
export async function startServer(dbPath: string, env: Record<string, string> = {}): Promise<ServerProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, ["--import", "tsx", "src/server.ts"], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NODE_ENV: "production",
      DATABASE_URL: `file:${dbPath}`,
      HOST: "127.0.0.1",
      PORT: String(port),
      ADMIN_PASSWORD,
      APP_SECRET: TEST_SECRET,
      SUBMIT_RATE_PER_MINUTE: "1000000",
      LOGIN_FAILURES_PER_15_MIN: "1000000",
      INSPECTION_YEARLY_CAP: "100000",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let log = "";
  child.stdout!.on("data", (d) => (log += d));
  child.stderr!.on("data", (d) => (log += d));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const server: ServerProcess = {
    url,
    port,
    child,
    output: () => log,
    async stop(signal = "SIGTERM") {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
    async rss() {
      try {
        const { readFile } = await import("node:fs/promises");
        const status = await readFile(`/proc/${child.pid}/status`, "utf8");
        const kb = /VmRSS:\s+(\d+)/.exec(status)?.[1];
        return kb ? Number(kb) * 1024 : null;
      } catch {
        return null;
      }
    },
  };
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the server exited on start:\n${log}`);
    try {
      const res = await fetch(`${url}/healthz`);
      if (res.ok) return server;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await server.stop("SIGKILL");
      throw new Error(`the server did not answer /healthz within 60 s:\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

export interface Reply {
  status: number;
  body: unknown;
}

/**
 * An HTTP/1.1 client with its own keep-alive agent (many sockets), as a crowd of phones behind one
 * proxy would be. A request whose connection breaks rejects: it was never acknowledged. One exception,
 * as Node's documentation advises (`request.reusedSocket`): a reset on a reused idle socket is the race
 * with the server closing it after its keep-alive timeout, before reading anything; that request is
 * sent once more (counted in `retries()`).
 */
export function httpClient(base: string, maxSockets = 64) {
  const agent = new Agent({ keepAlive: true, maxSockets });
  let retries = 0;
  function attempt(
    method: string,
    path: string,
    payload: Buffer | undefined,
    headers: Record<string, string>,
  ) {
    return new Promise<Reply>((resolve, reject) => {
      const req = request(
        `${base}${path}`,
        {
          method,
          agent,
          headers: {
            ...(payload ? { "Content-Type": "application/json", "Content-Length": payload.length } : {}),
            ...headers,
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("error", reject);
          res.on("end", () => {
            const text = Buffer.concat(chunks).toString("utf8");
            let parsed: unknown = text;
            try {
              parsed = text ? JSON.parse(text) : null;
            } catch {
              // not JSON: keep the text
            }
            resolve({ status: res.statusCode ?? 0, body: parsed });
          });
        },
      );
      req.on("error", (error: NodeJS.ErrnoException) => {
        if (req.reusedSocket && error.code === "ECONNRESET") {
          retries++;
          attempt(method, path, payload, headers).then(resolve, reject);
        } else reject(error);
      });
      req.end(payload);
    });
  }
  function send(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    return attempt(method, path, payload, headers);
  }
  return { send, retries: () => retries, close: () => agent.destroy() };
}

/** Opens (and migrates) the database file from the test process, beside or instead of the server. */
export async function openFile(path: string): Promise<Database> {
  const database = await openDatabase({ url: `file:${path}` });
  await runMigrations(database.db);
  return database;
}

/**
 * What tests/inspection-fixtures.ts and tests/evaluation-fixtures.ts need of a TestApp, over the
 * database file and the running server: direct inserts go to the file, requests to the server.
 */
export function fileTestApp(database: Database, server: () => string): TestApp {
  const db = database.db;
  let passwordHash: Promise<string> | undefined;
  const send = (path: string, init: RequestInit = {}) => fetch(`${server()}${path}`, init);
  async function department(code: string, name = `${code} 部门`) {
    const id = newId();
    await db.insert(departments).values({ id, code, name, createdAt: Date.now() });
    return id;
  }
  async function user(username: string, role: Role, departmentId: string | null = null) {
    const id = newId();
    const now = Date.now();
    passwordHash ??= hashPassword(PASSWORD);
    await db.insert(users).values({
      id,
      username,
      displayName: username,
      passwordHash: await passwordHash,
      role,
      departmentId,
      createdAt: now,
      updatedAt: now,
    });
    return id;
  }
  async function login(username: string, password = PASSWORD): Promise<Session> {
    const res = await send("/api/auth/login", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ username, password }),
    });
    if (res.status !== 200) throw new Error(`login ${username} failed: ${res.status} ${await res.text()}`);
    const cookie = res.headers
      .getSetCookie()
      .map((c) => c.split(";")[0])
      .join("; ");
    return { cookie, csrf: ((await res.json()) as { csrfToken: string }).csrfToken };
  }
  function call(session: Session | null, method: string, path: string, body?: unknown) {
    const headers: Record<string, string> = {};
    if (session) Object.assign(headers, { Cookie: session.cookie, "X-CSRF-Token": session.csrf });
    if (body !== undefined) headers["Content-Type"] = "application/json";
    return send(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  }
  const app = { request: send };
  return { app, db, database, department, user, login, call } as unknown as TestApp;
}

/** Headers that make a logged-in JSON write: the session cookie and its CSRF token. */
export const sessionHeaders = (s: Session) => ({ Cookie: s.cookie, "X-CSRF-Token": s.csrf });

/** The headers of an enterprise's signed-in phone (its own cookie and CSRF header, R14). */
export const enterpriseHeaders = (s: { cookie: string; csrf: string }) => ({
  Cookie: s.cookie,
  "X-Enterprise-CSRF-Token": s.csrf,
});
