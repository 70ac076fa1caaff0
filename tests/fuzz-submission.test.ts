/**
 * Property test (fast-check) of the anonymous submission endpoint, POST /api/public/forms/:id/responses
 * (SECURITY.md #7, issue 7): arbitrary JSON, mutated valid bodies, wrong types and raw bytes. For every
 * input: never a 5xx, a row stored exactly when the answer says so, and the server healthy afterwards.
 * Run counts are bounded for CI; FUZZ_RUNS raises them for a longer local run.
 */
import fc from "fast-check";
import { count } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { responses } from "../src/db/schema.ts";
import { makeTestApp, type TestApp } from "./helpers.ts";
import { WORKER_TARGET } from "./worker/target.ts";

/** Inputs per property: each is one HTTP request (slower through workerd and Hrana). */
const RUNS = Number(process.env.FUZZ_RUNS) || (WORKER_TARGET ? 60 : 250);

const SCHEMA = {
  pages: [
    {
      name: "p1",
      elements: [
        { type: "text", name: "name", title: "姓名", isRequired: true, maxLength: 20 },
        { type: "text", name: "age", inputType: "number", min: 0, max: 150 },
        { type: "radiogroup", name: "rating", isRequired: true, choices: ["good", "bad"] },
        { type: "checkbox", name: "tags", choices: ["a", "b", "c"], maxSelectedChoices: 2 },
        { type: "boolean", name: "agree" },
        { type: "comment", name: "why", visibleIf: "{rating} = 'bad'", isRequired: true },
        { type: "matrix", name: "grid", columns: ["1", "2"], rows: ["r1", "r2"] },
        { type: "multipletext", name: "contact", items: [{ name: "phone" }, { name: "mail" }] },
      ],
    },
  ],
};

let t: TestApp;
let formId: string;
const tried = { arbitrary: 0, mutated: 0, raw: 0, accepted: 0 };

beforeAll(async () => {
  t = await makeTestApp({ SUBMIT_RATE_PER_MINUTE: "1000000" });
  await t.user("fuzz-admin", "admin");
  const admin = await t.login("fuzz-admin");
  const created = await t.call(admin, "POST", "/api/forms", {
    title: "模糊测试",
    kind: "survey",
    schema: SCHEMA,
  });
  formId = (await created.json()).form.id;
  expect((await t.call(admin, "POST", `/api/forms/${formId}/publish`)).status).toBe(201);
}, 60_000);

afterAll(() => {
  const total = tried.arbitrary + tried.mutated + tried.raw;
  console.info(
    `fuzz submission: ${total} inputs (${tried.arbitrary} arbitrary JSON, ${tried.mutated} mutated valid, ` +
      `${tried.raw} raw bodies), ${tried.accepted} accepted`,
  );
});

async function stored(): Promise<number> {
  const [{ n }] = (await t.db.select({ n: count() }).from(responses)) as [{ n: number }];
  return n;
}

/** Posts one body; checks the status class and that rows changed exactly as the answer says. */
async function submit(body: string | Uint8Array, contentType = "application/json") {
  const before = await stored();
  const res = await t.app.request(`/api/public/forms/${formId}/responses`, {
    method: "POST",
    headers: { "Content-Type": contentType },
    body: body as BodyInit,
  });
  const text = await res.text();
  const after = await stored();
  expect(res.status, text).toBeLessThan(500);
  if (res.status === 201) {
    tried.accepted++;
    expect(after).toBe(before + 1);
  } else {
    expect(after, `${res.status} ${text}`).toBe(before);
    expect([200, 400, 404, 409, 413, 415, 422]).toContain(res.status);
    if (res.status !== 200) expect(JSON.parse(text).error.code).toEqual(expect.any(String));
  }
  return res.status;
}

const validData = fc.record({
  name: fc.string({ minLength: 1, maxLength: 20 }).filter((s) => s.trim().length > 0),
  rating: fc.constant("good"),
  age: fc.option(fc.integer({ min: 0, max: 150 }), { nil: undefined }),
  tags: fc.option(fc.subarray(["a", "b", "c"], { maxLength: 2 }), { nil: undefined }),
  agree: fc.option(fc.boolean(), { nil: undefined }),
});
const validBody = fc.record({ id: fc.uuid({ version: 4 }), version: fc.constant(1), data: validData });

/** Ways to break a valid body: a field replaced by anything, removed, or given a wrong type. */
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({
    kind: fc.constant("replace" as const),
    key: fc.constantFrom("id", "version", "data"),
    value: fc.jsonValue(),
  }),
  fc.record({ kind: fc.constant("drop" as const), key: fc.constantFrom("id", "version", "data") }),
  fc.record({
    kind: fc.constant("answer" as const),
    key: fc.constantFrom(
      "name",
      "age",
      "rating",
      "tags",
      "agree",
      "why",
      "grid",
      "contact",
      "unknown",
      "__proto__",
    ),
    value: fc.oneof(
      fc.jsonValue({ maxDepth: 4 }),
      fc.string({ maxLength: 300 }),
      fc.array(fc.string(), { maxLength: 50 }),
      fc.double(),
      fc.constantFrom(null, "", 1e308, -0, "=1+1", "<script>alert(1)</script>", "\u0000", "\ud800"),
    ),
  }),
  fc.record({
    kind: fc.constant("extra" as const),
    key: fc.string({ maxLength: 20 }),
    value: fc.jsonValue({ maxDepth: 3 }),
  }),
);

type Mutation = { kind: "replace" | "drop" | "answer" | "extra"; key: string; value?: unknown };

function mutate(body: Record<string, unknown>, m: Mutation) {
  const copy: Record<string, unknown> = structuredClone(body);
  if (m.kind === "replace") copy[m.key] = m.value;
  else if (m.kind === "drop") delete copy[m.key];
  else if (m.kind === "extra") copy[m.key] = m.value;
  else if (copy.data && typeof copy.data === "object")
    (copy.data as Record<string, unknown>)[m.key] = m.value;
  return copy;
}

describe("POST /api/public/forms/:id/responses under fuzzing", () => {
  it("accepts the valid bodies the mutations start from", async () => {
    await fc.assert(
      fc.asyncProperty(validBody, async (body) => {
        tried.mutated++;
        expect(await submit(JSON.stringify(body))).toBe(201);
      }),
      { numRuns: 10 },
    );
  });

  it("never answers 5xx to arbitrary JSON, and stores only what it acknowledges", async () => {
    await fc.assert(
      fc.asyncProperty(fc.jsonValue({ maxDepth: 6 }), async (body) => {
        tried.arbitrary++;
        await submit(JSON.stringify(body));
      }),
      { numRuns: RUNS },
    );
  });

  it("never answers 5xx to mutated valid bodies, and stores only what it acknowledges", async () => {
    await fc.assert(
      fc.asyncProperty(validBody, fc.array(mutation, { minLength: 1, maxLength: 3 }), async (body, ms) => {
        tried.mutated++;
        const mutated = ms.reduce<Record<string, unknown>>((b, m) => mutate(b, m), body);
        await submit(JSON.stringify(mutated));
      }),
      { numRuns: RUNS },
    );
  });

  it("never answers 5xx to raw bytes under any content type", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.string({ maxLength: 400 }), fc.uint8Array({ maxLength: 400 })),
        fc.constantFrom(
          "application/json",
          "application/json; charset=utf-8",
          "text/plain",
          "APPLICATION/JSON",
          "",
        ),
        async (body, type) => {
          tried.raw++;
          await submit(body, type);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it("is still healthy afterwards", async () => {
    expect((await t.app.request("/healthz")).status).toBe(200);
    const res = await t.app.request(`/api/public/forms/${formId}`);
    expect(res.status).toBe(200);
  });
});
