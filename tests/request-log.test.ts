import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { setLogSink, type LogSink } from "../src/lib/log.ts";
import { makeTestApp, type TestApp } from "./helpers.ts";
import { WORKER_TARGET } from "./worker/target.ts";

// Issue 19 item 11: a request id on every response and log line, and one access line per request
// that names the route pattern, never the path (an inspection code) or the query.
let t: TestApp;
const lines: Record<string, unknown>[] = [];
let previous: LogSink;

beforeAll(async () => {
  t = await makeTestApp({ ACCESS_LOG: "1" });
  previous = setLogSink((line) => void lines.push(JSON.parse(line) as Record<string, unknown>));
});

afterAll(() => void setLogSink(previous));

beforeEach(() => {
  lines.length = 0;
});

describe("request ids", () => {
  it("gives every response its own X-Request-Id", async () => {
    const a = await t.app.request("/healthz");
    const b = await t.app.request("/api/nowhere");
    const idA = a.headers.get("X-Request-Id");
    const idB = b.headers.get("X-Request-Id");
    expect(idA).toMatch(/^[0-9a-f-]{36}$/);
    expect(idB).toMatch(/^[0-9a-f-]{36}$/);
    expect(idA).not.toBe(idB);
  });

  it("takes no id from a client when there is no proxy to trust", async () => {
    // Otherwise any client picks the id its lines are logged under: another request's, an administrator's.
    const res = await t.app.request("/healthz", { headers: { "X-Request-Id": "edge-42_abc=" } });
    expect(res.headers.get("X-Request-Id")).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("keeps a well-formed id from the proxy and replaces one that could forge a log line", async () => {
    const t = await makeTestApp({ TRUST_PROXY: "1" });
    const kept = await t.app.request("/healthz", { headers: { "X-Request-Id": "edge-42_abc=" } });
    expect(kept.headers.get("X-Request-Id")).toBe("edge-42_abc=");
    const forged = await t.app.request("/healthz", { headers: { "X-Request-Id": 'x"},{"level":"error' } });
    expect(forged.headers.get("X-Request-Id")).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("also answers the submission lane with one", async () => {
    const res = await t.app.request(`/api/public/forms/nope/responses`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: "{}",
    });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.headers.get("X-Request-Id")).toMatch(/^[0-9a-f-]{36}$/);
  });
});

// The log sink is this process's; in workerd (TEST_TARGET=worker) the app logs to its own console.
describe.skipIf(WORKER_TARGET)("the access log", () => {
  it("writes one line per request with the route pattern, status, duration and request id", async () => {
    const code = "LM.2026.SECRETCODE";
    const res = await t.app.request(`/api/public/inspections/${code}?token=hidden-value`);
    const line = lines.find((l) => l.event === "request");
    expect(line).toMatchObject({
      level: "info",
      method: "GET",
      route: "/api/public/inspections/:code",
      status: res.status,
      requestId: res.headers.get("X-Request-Id"),
    });
    expect(typeof line!.ms).toBe("number");
    expect(typeof line!.time).toBe("string");
    const text = JSON.stringify(lines);
    expect(text).not.toContain("SECRETCODE");
    expect(text).not.toContain("hidden-value");
  });

  it("logs the lane's submissions and refusals too", async () => {
    const res = await t.app.request(`/api/public/forms/nope/responses`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: "{}",
    });
    expect(lines.filter((l) => l.event === "request")).toEqual([
      expect.objectContaining({
        method: "POST",
        status: res.status,
        requestId: res.headers.get("X-Request-Id"),
      }),
    ]);
  });

  it("puts the request id on the error line of a failed request", async () => {
    const broken = t.db as unknown as { batch: unknown; select: unknown };
    const original = broken.select;
    broken.select = () => {
      throw new Error("database unavailable");
    };
    try {
      const res = await t.app.request("/api/public/catalog");
      expect(res.status).toBe(500);
      const error = lines.find((l) => l.level === "error");
      expect(error).toMatchObject({ event: "request_failed", requestId: res.headers.get("X-Request-Id") });
    } finally {
      broken.select = original;
    }
  });

  it("is off with ACCESS_LOG=0 (errors are still logged)", async () => {
    const quiet = await makeTestApp();
    await quiet.app.request("/healthz");
    expect(lines.filter((l) => l.event === "request")).toEqual([]);
  });
});
