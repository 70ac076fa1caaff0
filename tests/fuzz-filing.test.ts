/**
 * Property test (fast-check) of the filing endpoints (src/inspections/file-routes.ts): POST
 * /api/inspections and POST /api/inspections/:id/join-request, with arbitrary JSON, mutated valid
 * filings and wrong types. For every input: never a 5xx, rows stored exactly when the answer says so
 * (a filing: one inspection; a join request: one pending request and nothing joined, R18), and the
 * server healthy afterwards.
 * Run counts are bounded for CI; FUZZ_RUNS raises them.
 */
import fc from "fast-check";
import { count } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  inspectionDepartments,
  inspectionItems,
  inspectionOfficers,
  inspections,
  joinRequests,
} from "../src/db/schema.ts";
import { makeTestApp, type Session, type TestApp } from "./helpers.ts";
import { departmentWithStaff, enterprise, window } from "./inspection-fixtures.ts";
import { WORKER_TARGET } from "./worker/target.ts";

const RUNS = Number(process.env.FUZZ_RUNS) || (WORKER_TARGET ? 50 : 200);
const DAY = 86_400_000;

let t: TestApp;
let market: Awaited<ReturnType<typeof departmentWithStaff>>;
let fire: Awaited<ReturnType<typeof departmentWithStaff>>;
let firms: string[];
/** Filings of the fire department that the market officer may ask to join. */
let joinable: string[];
let officerSession: Session;
const tried = { file: 0, join: 0, filed: 0, joined: 0 };

beforeAll(async () => {
  t = await makeTestApp({ INSPECTION_YEARLY_CAP: "100000" });
  market = await departmentWithStaff(t, "fzsc");
  fire = await departmentWithStaff(t, "fzxf");
  firms = [];
  for (let i = 0; i < 6; i++) firms.push(await enterprise(t, `模糊测试企业${i}`));
  officerSession = await t.login(market.officerLogin);
  const fireSession = await t.login(fire.officerLogin);
  joinable = [];
  for (const firm of firms.slice(0, 3)) {
    const res = await t.call(fireSession, "POST", "/api/inspections", {
      enterpriseId: firm,
      type: "routine",
      ...window(400),
      officerIds: fire.officerIds,
      itemIds: [fire.itemId],
    });
    expect(res.status).toBe(201);
    joinable.push((await res.json()).id);
  }
}, 60_000);

afterAll(() => {
  console.info(
    `fuzz filing: ${tried.file + tried.join} inputs (${tried.file} filings, ${tried.join} join requests), ` +
      `${tried.filed} filed, ${tried.joined} joined`,
  );
});

async function tableCount(
  table:
    | typeof inspections
    | typeof inspectionDepartments
    | typeof inspectionOfficers
    | typeof inspectionItems
    | typeof joinRequests,
) {
  const [{ n }] = (await t.db.select({ n: count() }).from(table)) as [{ n: number }];
  return n;
}

async function rows() {
  return {
    inspections: await tableCount(inspections),
    departments: await tableCount(inspectionDepartments),
    officers: await tableCount(inspectionOfficers),
    items: await tableCount(inspectionItems),
    joinRequests: await tableCount(joinRequests),
  };
}

async function post(path: string, body: string | Uint8Array, contentType = "application/json") {
  const res = await t.app.request(path, {
    method: "POST",
    headers: {
      "Content-Type": contentType,
      Cookie: officerSession.cookie,
      "X-CSRF-Token": officerSession.csrf,
    },
    body: body as BodyInit,
  });
  const text = await res.text();
  expect(res.status, text).toBeLessThan(500);
  if (res.status >= 400) expect(JSON.parse(text).error.code, text).toEqual(expect.any(String));
  return { status: res.status, text };
}

/** Files `body`; a 201 adds exactly one inspection, anything else adds nothing. */
async function file(body: string | Uint8Array, contentType?: string) {
  tried.file++;
  const before = await rows();
  const res = await post("/api/inspections", body, contentType);
  const after = await rows();
  if (res.status === 201) {
    tried.filed++;
    expect(after.inspections).toBe(before.inspections + 1);
  } else {
    expect(after, `${res.status} ${res.text}`).toEqual(before);
    expect([400, 409, 413, 415, 422]).toContain(res.status);
  }
}

/** Asks to join `id`; a 202 adds exactly one pending request and joins nothing, anything else adds nothing. */
async function join(id: string, body: string) {
  tried.join++;
  const before = await rows();
  const res = await post(`/api/inspections/${encodeURIComponent(id)}/join-request`, body);
  const after = await rows();
  if (res.status === 202) {
    tried.joined++;
    expect(after).toEqual({ ...before, joinRequests: before.joinRequests + 1 });
  } else {
    expect(after, `${res.status} ${res.text}`).toEqual(before);
    expect([400, 404, 409, 413, 415, 422]).toContain(res.status);
  }
}

const iso = (ms: number) => new Date(ms).toISOString();
const validFiling = fc
  .record({
    firm: fc.integer({ min: 0, max: 5 }),
    days: fc.integer({ min: 1, max: 330 }),
    hours: fc.integer({ min: 1, max: 48 }),
  })
  .map(({ firm, days, hours }) => {
    const start = Date.now() + days * DAY;
    return {
      enterpriseId: firms[firm]!,
      type: "routine",
      plannedStart: iso(start),
      plannedEnd: iso(start + hours * 3_600_000),
      officerIds: [...market.officerIds, market.helperId],
      itemIds: [market.itemId],
    } as Record<string, unknown>;
  });

const FIELDS = [
  "enterpriseId",
  "type",
  "caseReason",
  "plannedStart",
  "plannedEnd",
  "departmentIds",
  "officerIds",
  "itemIds",
  "legalBasis",
  "notes",
  "lateReason",
];
const strangeValue = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.string({ maxLength: 100 }),
  fc.array(fc.oneof(fc.string({ maxLength: 70 }), fc.integer(), fc.constant(null)), { maxLength: 60 }),
  fc.constantFrom(
    "case",
    "joint",
    "2026-13-45T99:99:99Z",
    "0000-01-01T00:00:00Z",
    "+275760-09-13T00:00:00.000Z",
    "2026-06-01T08:00:00",
    "2026-06-01T08:00:00+25:00",
    "",
    " ",
    "x".repeat(5000),
    1e308,
    -1,
    true,
  ),
  fc.constantFrom([], ["no-such-id"], ["", ""], [{ id: "x" }]),
  fc.constant(null),
);
type Mutation = { kind: "set" | "drop"; key: string; value?: unknown };
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant("set" as const), key: fc.constantFrom(...FIELDS), value: strangeValue }),
  fc.record({ kind: fc.constant("drop" as const), key: fc.constantFrom(...FIELDS) }),
  fc.record({
    kind: fc.constant("set" as const),
    key: fc.string({ maxLength: 12 }),
    value: fc.jsonValue({ maxDepth: 2 }),
  }),
);

function mutate(body: Record<string, unknown>, ms: Mutation[]) {
  const copy = structuredClone(body);
  for (const m of ms) {
    if (m.kind === "drop") delete copy[m.key];
    else copy[m.key] = m.value;
  }
  return copy;
}

describe("POST /api/inspections under fuzzing", () => {
  it("never answers 5xx to valid filings, and stores exactly the acknowledged ones", async () => {
    await fc.assert(
      fc.asyncProperty(validFiling, async (body) => file(JSON.stringify(body))),
      { numRuns: Math.ceil(RUNS / 4) },
    );
    expect(tried.filed).toBeGreaterThan(0);
  });

  it("never answers 5xx to arbitrary JSON", async () => {
    await fc.assert(
      fc.asyncProperty(fc.jsonValue({ maxDepth: 5 }), async (body) => file(JSON.stringify(body))),
      { numRuns: RUNS },
    );
  });

  it("never answers 5xx to mutated filings", async () => {
    await fc.assert(
      fc.asyncProperty(validFiling, fc.array(mutation, { minLength: 1, maxLength: 3 }), async (body, ms) =>
        file(JSON.stringify(mutate(body, ms))),
      ),
      { numRuns: RUNS },
    );
  });

  it("never answers 5xx to raw bytes", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.string({ maxLength: 300 }), fc.uint8Array({ maxLength: 300 })),
        fc.constantFrom("application/json", "text/plain", "application/x-www-form-urlencoded"),
        async (body, type) => file(body, type),
      ),
      { numRuns: Math.ceil(RUNS / 2) },
    );
  });
});

describe("POST /api/inspections/:id/join-request under fuzzing", () => {
  const target = () =>
    fc.oneof(
      fc.integer({ min: 0, max: 2 }).map((i) => joinable[i]!),
      fc.string({ minLength: 1, maxLength: 80 }),
      fc.constantFrom("..", "%2e%2e", "x".repeat(65), "'; DROP TABLE inspections; --"),
    );
  const validJoin = () =>
    ({ officerIds: market.officerIds, itemIds: [market.itemId] }) as Record<string, unknown>;

  it("never answers 5xx to arbitrary or mutated bodies on real and made-up ids", async () => {
    await fc.assert(
      fc.asyncProperty(
        target(),
        fc.oneof(
          fc.jsonValue({ maxDepth: 4 }),
          fc.array(mutation, { maxLength: 2 }).map((ms) => mutate(validJoin(), ms)),
          fc.record({ officerIds: strangeValue, itemIds: strangeValue }),
        ),
        async (id, body) => join(id, JSON.stringify(body)),
      ),
      { numRuns: RUNS },
    );
  });

  it("still files and joins with valid requests after all of that", async () => {
    const fireSession = await t.login(fire.officerLogin);
    const filed = await t.call(fireSession, "POST", "/api/inspections", {
      enterpriseId: firms[5],
      type: "routine",
      ...window(420),
      officerIds: fire.officerIds,
      itemIds: [fire.itemId],
    });
    expect(filed.status).toBe(201);
    const { id } = await filed.json();
    await join(id, JSON.stringify(validJoin()));
    expect(tried.joined).toBeGreaterThan(0);
    expect((await t.app.request("/healthz")).status).toBe(200);
  });
});
