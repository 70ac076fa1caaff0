import { createApp } from "../src/app.ts";
import { hashPassword } from "../src/auth/password.ts";
import { openDatabase, type Database } from "../src/db/client.ts";
import { runMigrations } from "../src/db/migrate.ts";
import { departments, users, type Role } from "../src/db/schema.ts";
import { configFromEnv } from "../src/env.ts";
import { ValidatorCache } from "../src/forms/validation.ts";
import { newId } from "../src/lib/ids.ts";
import { MemoryRateLimiter } from "../src/lib/rate-limit.ts";
import { nodeAssets } from "../src/node/assets.ts";

export const PASSWORD = "correct-horse-battery";

export interface Session {
  cookie: string;
  csrf: string;
}

/** A fresh app over a fresh in-memory database, migrated with the committed SQL. */
export async function makeTestApp(env: Record<string, string> = {}) {
  const database: Database = await openDatabase({ url: ":memory:" });
  await runMigrations(database.db);
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
  });

  const passwordHash = await hashPassword(PASSWORD);

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

  return {
    app,
    db,
    database,
    rateLimiter,
    department,
    user,
    login,
    call,
    setRemote: (ip: string) => {
      remote = ip;
    },
  };
}

export type TestApp = Awaited<ReturnType<typeof makeTestApp>>;

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
