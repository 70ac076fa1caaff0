import { createHmac } from "node:crypto";
import { createServer, type RequestListener } from "node:http";
import type { AddressInfo } from "node:net";
import { beforeEach, describe, expect, it } from "vitest";
import { deliverDue, retryDelay, type FetchFn } from "../src/alerts/outbox.ts";
import { outbox } from "../src/db/schema.ts";
import { configFromEnv, type AppConfig } from "../src/env.ts";
import { makeInspection, makeWorld, NEGATIVE, postEvaluation } from "./evaluation-fixtures.ts";
import { makeTestApp, type TestApp } from "./helpers.ts";

const URL_ = "https://hooks.example/lianma";
const SECRET = "webhook-secret-".padEnd(40, "w");
const ENV = { ALERT_WEBHOOK_URL: URL_, ALERT_WEBHOOK_SECRET: SECRET };

let t: TestApp;
let config: AppConfig;

interface Call {
  url: string;
  headers: Record<string, string>;
  body: string;
}

/** A fetch that records each call and answers with the next status in `statuses` (or throws). */
function fakeFetch(statuses: (number | Error)[]) {
  const calls: Call[] = [];
  const fn: FetchFn = async (url, init) => {
    calls.push({ url, headers: init.headers as Record<string, string>, body: String(init.body) });
    const next = statuses.shift() ?? 200;
    if (next instanceof Error) throw next;
    return new Response("ok", { status: next });
  };
  return { fn, calls };
}

beforeEach(async () => {
  t = await makeTestApp(ENV);
  config = configFromEnv(ENV, "test-secret-".padEnd(40, "x"));
  const w = await makeWorld(t);
  const { code } = await makeInspection(t, w);
  expect((await postEvaluation(t, code, { version: 1, data: NEGATIVE })).status).toBe(201);
});

describe("deliverDue", () => {
  it("posts the alert with an HMAC-SHA256 signature of the body and marks it delivered", async () => {
    const { fn, calls } = fakeFetch([200]);
    const now = Date.now();
    expect(await deliverDue(t.db, config, fn, now)).toEqual({ delivered: 1, failed: 0 });
    expect(calls).toHaveLength(1);
    const [call] = calls;
    expect(call!.url).toBe(URL_);
    const expected = `sha256=${createHmac("sha256", SECRET).update(call!.body).digest("hex")}`;
    expect(call!.headers["X-Lianma-Signature"]).toBe(expected);
    expect(call!.headers["X-Lianma-Topic"]).toBe("alert.created");
    const payload = JSON.parse(call!.body);
    expect(payload.type).toBe("alert.created");
    expect(call!.headers["X-Lianma-Delivery"]).toBe(payload.id);
    const [row] = await t.db.select().from(outbox);
    expect(row).toMatchObject({ deliveredAt: now, attempts: 1, lastError: null });
    // Delivered rows are not sent again.
    expect(await deliverDue(t.db, config, fn, now + 60_000)).toEqual({ delivered: 0, failed: 0 });
    expect(calls).toHaveLength(1);
  });

  it("retries a failed delivery with exponential backoff, then delivers", async () => {
    const { fn, calls } = fakeFetch([503, new Error("connect ECONNREFUSED"), 200]);
    const t0 = Date.now();
    expect(await deliverDue(t.db, config, fn, t0)).toEqual({ delivered: 0, failed: 1 });
    let [row] = await t.db.select().from(outbox);
    expect(row).toMatchObject({
      attempts: 1,
      lastError: "HTTP 503",
      deliveredAt: null,
      nextAttemptAt: t0 + retryDelay(1),
    });

    // Not due yet: nothing is sent.
    expect(await deliverDue(t.db, config, fn, t0 + retryDelay(1) - 1)).toEqual({ delivered: 0, failed: 0 });
    expect(calls).toHaveLength(1);

    const t1 = t0 + retryDelay(1);
    expect(await deliverDue(t.db, config, fn, t1)).toEqual({ delivered: 0, failed: 1 });
    [row] = await t.db.select().from(outbox);
    expect(row).toMatchObject({
      attempts: 2,
      lastError: "connect ECONNREFUSED",
      nextAttemptAt: t1 + retryDelay(2),
    });
    expect(retryDelay(2)).toBe(2 * retryDelay(1));

    const t2 = t1 + retryDelay(2);
    expect(await deliverDue(t.db, config, fn, t2)).toEqual({ delivered: 1, failed: 0 });
    [row] = await t.db.select().from(outbox);
    expect(row).toMatchObject({ attempts: 3, deliveredAt: t2, lastError: null });
    expect(calls).toHaveLength(3);
    // Every attempt carries the same body and signature.
    expect(new Set(calls.map((c) => c.headers["X-Lianma-Signature"])).size).toBe(1);
  });

  it("caps the backoff at six hours", () => {
    expect(retryDelay(1)).toBe(30_000);
    expect(retryDelay(30)).toBe(6 * 3_600_000);
  });

  it("does nothing without a webhook URL, and refuses to send unsigned", async () => {
    const { fn, calls } = fakeFetch([200]);
    expect(await deliverDue(t.db, configFromEnv({}, "x".repeat(40)), fn, Date.now())).toEqual({
      delivered: 0,
      failed: 0,
    });
    const unsigned = configFromEnv({ ALERT_WEBHOOK_URL: URL_ }, "x".repeat(40));
    await expect(deliverDue(t.db, unsigned, fn, Date.now())).rejects.toThrow(/ALERT_WEBHOOK_SECRET/);
    expect(calls).toHaveLength(0);
  });

  it("does not follow a redirect: the signed alert goes nowhere else, and the delivery is retried", async () => {
    // A real fetch against two local servers: the webhook answers 307 (which keeps method and body)
    // towards the other one, which must never hear of the alert.
    const elsewhere: string[] = [];
    const other = await listen((req, res) => {
      elsewhere.push(`${req.method} ${req.url}`);
      res.end("ok");
    });
    const hook = await listen((_req, res) => {
      res.writeHead(307, { Location: `${other.url}/stolen` });
      res.end();
    });
    try {
      const redirected = configFromEnv({ ...ENV, ALERT_WEBHOOK_URL: hook.url }, "x".repeat(40));
      const now = Date.now();
      expect(await deliverDue(t.db, redirected, fetch, now)).toEqual({ delivered: 0, failed: 1 });
      expect(elsewhere).toEqual([]);
      const [row] = await t.db.select().from(outbox);
      expect(row).toMatchObject({ deliveredAt: null, attempts: 1, nextAttemptAt: now + retryDelay(1) });
      expect(row!.lastError).toMatch(/307.*redirect/);
    } finally {
      await Promise.all([hook.close(), other.close()]);
    }
  });
});

/** A local HTTP server on a free port. */
async function listen(handler: RequestListener) {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
