import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { openDatabase } from "../src/db/client.ts";
import { runMigrations } from "../src/db/migrate.ts";
import { rateLimits } from "../src/db/schema.ts";
import { loginClient } from "../src/auth/login-limit.ts";
import { MemoryRateLimiter, type RateLimiter } from "../src/lib/rate-limit.ts";
import { DbRateLimiter } from "../src/workers/db-rate-limiter.ts";

// Both limiters, side by side: Node's in memory and the Workers' one in the database (here over an
// in-memory libSQL; tests/worker/db-rate-limiter.test.ts runs it over HTTP as the Worker does).
const database = await openDatabase({ url: ":memory:" });
await runMigrations(database.db);
afterAll(() => database.close());

let clock = 1_000_000;
const now = () => clock;
const limiters: [string, () => RateLimiter][] = [
  ["MemoryRateLimiter", () => new MemoryRateLimiter({ now })],
  ["DbRateLimiter", () => new DbRateLimiter(database.db, { now, sweepProbability: 0 })],
];

beforeEach(async () => {
  clock = 1_000_000;
  await database.db.delete(rateLimits);
});

describe.each(limiters)("%s", (_name, make) => {
  it("counts hits in a window and tells how long to wait past the limit", async () => {
    const l = make();
    expect(await l.hit("login:k", 2, 60_000)).toEqual({ allowed: true, retryAfterMs: 0, count: 1 });
    expect(await l.hit("login:k", 2, 60_000)).toEqual({ allowed: true, retryAfterMs: 0, count: 2 });
    clock += 15_000;
    expect(await l.hit("login:k", 2, 60_000)).toEqual({ allowed: false, retryAfterMs: 45_000, count: 3 });
    clock += 45_000;
    expect(await l.hit("login:k", 2, 60_000)).toEqual({ allowed: true, retryAfterMs: 0, count: 1 });
  });

  it("gives each of many parallel hits its own count, so a reserved slot is never handed out twice", async () => {
    const l = make();
    const hits = await Promise.all(Array.from({ length: 30 }, () => l.hit("login:flood", 10, 60_000)));
    expect(hits.map((h) => h.count).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 30 }, (_, i) => i + 1),
    );
    expect(hits.filter((h) => h.allowed)).toHaveLength(10);
  });

  it("releases one hit of the current window, never below zero nor into a new window", async () => {
    const l = make();
    await l.hit("login:r", 5, 60_000);
    await l.hit("login:r", 5, 60_000);
    await l.release("login:r", 60_000);
    expect(await l.peek("login:r", 60_000)).toBe(1);
    await l.release("login:r", 60_000);
    await l.release("login:r", 60_000);
    expect(await l.peek("login:r", 60_000)).toBe(0);
    expect((await l.hit("login:r", 5, 60_000)).count).toBe(1);
    clock += 60_000;
    await l.release("login:r", 60_000);
    expect((await l.hit("login:r", 5, 60_000)).count).toBe(1);
    await l.release("login:never-hit", 60_000);
    expect(await l.peek("login:never-hit", 60_000)).toBe(0);
  });
});

describe("MemoryRateLimiter stores", () => {
  it("keeps login counters when other traffic overflows its own store", async () => {
    const l = new MemoryRateLimiter({ maxKeys: 100, now });
    for (let i = 0; i < 3; i++) await l.hit("login:pair:10.0.0.1 admin", 10, 900_000);
    // Submissions to 101 random form ids from as many addresses: more keys than a store holds.
    for (let i = 0; i < 101; i++) await l.hit(`submit:form-ip:form-${i}:10.1.${i}.1`, 30, 60_000);
    expect(await l.peek("login:pair:10.0.0.1 admin", 900_000)).toBe(3);
    // The flooded store itself stays bounded: its oldest window made room.
    expect(await l.peek("submit:form-ip:form-0:10.1.0.1", 60_000)).toBe(0);
    expect(await l.peek("submit:form-ip:form-100:10.1.100.1", 60_000)).toBe(1);
  });
});

describe("loginClient", () => {
  it("counts an IPv6 client by its /64 and an IPv4 client by its address", () => {
    expect(loginClient("2001:db8:1:2:aaaa::1")).toBe("2001:db8:1:2::/64");
    expect(loginClient("2001:DB8:1:2:bbbb:cccc:dddd:eeee")).toBe("2001:db8:1:2::/64");
    expect(loginClient("2001:db8::5")).toBe("2001:db8:0:0::/64");
    expect(loginClient("2001:0db8:0001:0002::9%eth0")).toBe("2001:db8:1:2::/64");
    expect(loginClient("::1")).toBe("0:0:0:0::/64");
    expect(loginClient("::ffff:192.0.2.7")).toBe("192.0.2.7");
    expect(loginClient("192.0.2.7")).toBe("192.0.2.7");
    expect(loginClient("192.0.2.8")).not.toBe(loginClient("192.0.2.7"));
  });
});
