/**
 * SECURITY.md #10: every /api route × role × own/other department, generated from the app's route
 * table (Hono's `app.routes` of an app from createApp), checked against tests/access-rules.ts. A route
 * without a rule fails here, so a new route cannot ship without an explicit access decision.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../src/app.ts";
import { configFromEnv, type AppDeps } from "../src/env.ts";
import {
  ACCESS_RULES,
  apiRoutes,
  buildWorld,
  type AccessRule,
  type CallerRole,
  type DeptWorld,
  type Outcome,
  type Role,
  type Sessions,
  type World,
  USERNAMES,
} from "./access-rules.ts";
import { enterpriseSession, type EnterpriseSession } from "./enterprise-fixtures.ts";
import { makeTestApp, type Session, type TestApp } from "./helpers.ts";

// Building an app only registers routes; no dependency is touched until a request arrives. The
// Worker bundle is built from the same createApp, so this is its route table too.
const ROUTES = apiRoutes(createApp({ config: configFromEnv({}, "x".repeat(40)) } as AppDeps).routes);
const ORDERED = [
  ...ROUTES.filter((r) => !ACCESS_RULES[r]?.last),
  ...ROUTES.filter((r) => ACCESS_RULES[r]?.last),
];

/** Who calls: a role, and for department roles the department they belong to. */
interface Caller {
  role: CallerRole;
  dept: "A" | "B" | null;
}
const CALLERS: Caller[] = [
  { role: "anonymous", dept: null },
  { role: "admin", dept: null },
  { role: "supervisor", dept: null },
  { role: "dept_admin", dept: "A" },
  { role: "dept_admin", dept: "B" },
  { role: "officer", dept: "A" },
  { role: "officer", dept: "B" },
  { role: "enterprise", dept: null },
];

let t: TestApp;
let world: World;
let sessions: Sessions;
const checked = { routes: new Set<string>(), cases: 0 };

beforeAll(async () => {
  // An SMS gateway, so the code route answers as it does in service (without one it is 503).
  t = await makeTestApp({
    // The world draws its sampling tasks at once: no day between commitment and draw here.
    SAMPLING_DRAW_DELAY_HOURS: "0",
    SMS_GATEWAY: "webhook",
    SMS_WEBHOOK_URL: "https://sms.invalid/send",
    SMS_WEBHOOK_SECRET: "matrix-sms-secret".padEnd(40, "m"),
  });
  ({ world, sessions } = await buildWorld(t));
}, 120_000);

afterAll(() => {
  console.info(
    `access matrix: ${checked.routes.size} routes, ${checked.cases} route × caller × department cases`,
  );
});

async function sessionOf(c: Caller, fresh: boolean): Promise<Session | null> {
  if (c.role === "anonymous" || c.role === "enterprise") return null;
  if (c.role === "admin" || c.role === "supervisor")
    return fresh ? t.login(USERNAMES[c.role]) : sessions[c.role];
  return fresh ? t.login(USERNAMES[c.role][c.dept!]) : sessions[c.role][c.dept!];
}

async function pathFor(route: string, rule: AccessRule, dept: DeptWorld): Promise<string> {
  let path = route.slice(route.indexOf(" ") + 1);
  for (const [, name] of path.matchAll(/:(\w+)/g)) {
    const param = rule.params?.[name!];
    if (!param) throw new Error(`${route}: the rule names no fixture for :${name}`);
    path = path.replace(`:${name}`, encodeURIComponent(await param(dept, world)));
  }
  return path;
}

async function send(route: string, rule: AccessRule, caller: Caller, variant: "own" | "other" | null) {
  const mine = world[caller.dept ?? "A"];
  const other = world[caller.dept === "B" ? "A" : "B"];
  const dept = variant === "other" ? other : mine;
  const method = route.slice(0, route.indexOf(" "));
  const req = rule.request?.({ dept, mine, world }) ?? {};
  const session = await sessionOf(caller, rule.endsSession === true);
  const headers: Record<string, string> = {};
  if (session) {
    headers.Cookie = session.cookie;
    headers["X-CSRF-Token"] = session.csrf;
  }
  if (caller.role === "enterprise") {
    const ent: EnterpriseSession = rule.endsSession
      ? await enterpriseSession(t, world.enterpriseId)
      : sessions.enterprise;
    headers.Cookie = ent.cookie;
    headers["X-Enterprise-CSRF-Token"] = ent.csrf;
  }
  let body: string | Uint8Array | undefined;
  if (req.raw) {
    headers["Content-Type"] = req.raw.type;
    body = req.raw.bytes;
  } else if (req.body !== undefined) {
    headers["Content-Type"] = "application/json";
    body = JSON.stringify(req.body);
  }
  const url = (await pathFor(route, rule, dept)) + (req.query ? `?${req.query}` : "");
  const res = await t.app.request(url, { method, headers, body: body as BodyInit | undefined });
  // A live stream (alerts) never ends by itself: the status is all this test needs.
  const text = res.headers.get("content-type")?.startsWith("text/event-stream")
    ? (await res.body?.cancel(), "")
    : await res.text();
  return { status: res.status, text, url };
}

function matches(status: number, expected: Outcome): boolean {
  if (expected === "ok") return status >= 200 && status < 300;
  if (expected === "pass") return status < 500 && ![401, 403, 404].includes(status);
  return status === expected;
}

/** Ids of the other department's records, which a department user's answer must not contain. */
function foreignIds(d: DeptWorld): [string, string][] {
  const { id: _department, code: _code, liveCode: _liveCode, officerIds, ...records } = d;
  return [
    ...Object.entries(records),
    ...officerIds.map((id, i): [string, string] => [`officerIds[${i}]`, id]),
  ];
}

describe("access control matrix", () => {
  it("has a rule for every /api route of the app, and no rule for a route that is gone", () => {
    const missing = ROUTES.filter((r) => !ACCESS_RULES[r]);
    const stale = Object.keys(ACCESS_RULES).filter((r) => !ROUTES.includes(r));
    expect(
      missing,
      `new route without an access rule (add it to tests/access-rules.ts): ${missing.join(", ")}`,
    ).toEqual([]);
    expect(stale, `access rule for a route the app no longer has: ${stale.join(", ")}`).toEqual([]);
    expect(ROUTES.length).toBeGreaterThan(50);
  });

  it.each(ORDERED)("%s", async (route) => {
    const rule = ACCESS_RULES[route];
    if (!rule) return; // reported by the test above, with every missing route named
    const failures: string[] = [];
    for (const caller of CALLERS) {
      const variants = rule.scoped ? (["own", "other"] as const) : ([null] as const);
      for (const variant of variants) {
        const expected = rule.expect[caller.role] ?? rule.expect.anonymous;
        const outcome = typeof expected === "object" ? expected[variant ?? "own"] : expected;
        const res = await send(route, rule, caller, variant);
        checked.cases++;
        const who = `${caller.role}${caller.dept ? `@${caller.dept}` : ""}${variant ? ` → ${variant}` : ""}`;
        if (!matches(res.status, outcome)) {
          failures.push(
            `${who}: expected ${outcome}, got ${res.status} (${res.url}) ${res.text.slice(0, 160)}`,
          );
          continue;
        }
        // What an enterprise is allowed to see must hold nothing of another enterprise.
        if (caller.role === "enterprise" && res.text.includes(world.otherEnterpriseInspectionId))
          failures.push(`${who}: answer contains another enterprise's inspection`);
        // What a department user is allowed to see must hold nothing of the other department.
        const ownAnswer = variant !== "other" || rule.listFilter === true;
        if (caller.dept && ownAnswer && outcome !== 404 && !route.includes("/api/public/")) {
          const leaked = foreignIds(world[caller.dept === "A" ? "B" : "A"])
            .filter(([name, id]) => res.text.includes(id) && !rule.mayName?.includes(name as keyof DeptWorld))
            .map(([name, id]) => `${name} ${id}`);
          if (leaked.length)
            failures.push(`${who}: answer contains the other department's ${leaked.join(", ")}`);
        }
      }
    }
    checked.routes.add(route);
    expect(failures, `${route}\n${failures.join("\n")}`).toEqual([]);
  });
});
