import { beforeEach, describe, expect, it } from "vitest";
import { rateLimits } from "../../src/db/schema.ts";
import { DbRateLimiter } from "../../src/workers/db-rate-limiter.ts";
import { emptyDatabase, workerBackend } from "./target.ts";

// Over HTTP to the stand-in (or LIBSQL_URL), as the Worker runs it.
const backend = await workerBackend();
const db = backend.database.db;
let clock = 1_000_000;
const limiter = () => new DbRateLimiter(db, { now: () => clock, sweepProbability: 0 });

beforeEach(async () => {
  await emptyDatabase(backend.database);
  clock = 1_000_000;
});

describe("DbRateLimiter", () => {
  it("allows `limit` hits per window, then tells how long to wait", async () => {
    const l = limiter();
    for (let i = 0; i < 3; i++) expect((await l.hit("submit:k", 3, 60_000)).allowed).toBe(true);
    clock += 10_000;
    expect(await l.hit("submit:k", 3, 60_000)).toEqual({ allowed: false, retryAfterMs: 50_000, count: 4 });
    expect(await l.peek("submit:k", 60_000)).toBe(4);
  });

  it("starts a new window once the old one has passed", async () => {
    const l = limiter();
    await l.hit("submit:k", 1, 60_000);
    expect((await l.hit("submit:k", 1, 60_000)).allowed).toBe(false);
    clock += 60_000;
    expect((await l.hit("submit:k", 1, 60_000)).allowed).toBe(true);
    expect(await l.peek("submit:k", 60_000)).toBe(1);
    clock += 60_000;
    expect(await l.peek("submit:k", 60_000)).toBe(0);
  });

  it("loses no hit when many isolates hit at once", async () => {
    const hits = await Promise.all(
      Array.from({ length: 25 }, () => limiter().hit("submit:shared", 10, 60_000)),
    );
    expect(hits.filter((h) => h.allowed)).toHaveLength(10);
    expect(await limiter().peek("submit:shared", 60_000)).toBe(25);
  });

  it("gives a reserved slot back, never below zero, so parallel reservations stay within the limit", async () => {
    const hits = await Promise.all(Array.from({ length: 12 }, () => limiter().hit("login:pair", 5, 60_000)));
    const refused = hits.filter((h) => !h.allowed);
    expect(refused).toHaveLength(7);
    await Promise.all(refused.map(() => limiter().release("login:pair", 60_000)));
    expect(await limiter().peek("login:pair", 60_000)).toBe(5);
    for (let i = 0; i < 7; i++) await limiter().release("login:pair", 60_000);
    expect(await limiter().peek("login:pair", 60_000)).toBe(0);
  });

  it("resets a key, and sweeps windows long past", async () => {
    const l = limiter();
    await l.hit("submit:a", 5, 60_000);
    await l.hit("submit:b", 5, 60_000);
    await l.reset("submit:a");
    expect(await l.peek("submit:a", 60_000)).toBe(0);
    clock += 2 * 86_400_000;
    await l.hit("submit:c", 5, 60_000);
    await l.sweep();
    expect((await db.select().from(rateLimits)).map((r) => r.key)).toEqual(["submit:c"]);
  });
});
