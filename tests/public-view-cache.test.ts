/**
 * The public inspection view is served from memory (src/evaluations/public-view-cache.ts). Each test
 * reads the page once so the entry exists, changes one thing the page shows — straight in the
 * database, as any write path or another Worker isolate would — and expects the next read to show it.
 */
import { gunzipSync } from "node:zlib";
import { eq } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { inspections, officers } from "../src/db/schema.ts";
import { configFromEnv } from "../src/env.ts";
import { evaluationWindow } from "../src/evaluations/window.ts";
import {
  DAY,
  makeInspection,
  makeWorld,
  POSITIVE,
  postEvaluation,
  TEST_SECRET,
  type World,
} from "./evaluation-fixtures.ts";
import { enterpriseCall } from "./enterprise-fixtures.ts";
import { makeTestApp, type TestApp } from "./helpers.ts";
import { WORKER_TARGET } from "./worker/target.ts";

let t: TestApp;
let w: World;

beforeEach(async () => {
  t = await makeTestApp({ SUBMIT_RATE_PER_MINUTE: "100" });
  w = await makeWorld(t);
});

afterEach(() => vi.restoreAllMocks());

const view = async (code: string) =>
  (await enterpriseCall(t, null, "GET", `/api/public/inspections/${code}`)).json();
const page = async (code: string) => (await enterpriseCall(t, null, "GET", `/i/${code}`)).text();

describe("public inspection view from memory", () => {
  it("shows a status change on the next read, in the data and in the page", async () => {
    const { id, code } = await makeInspection(t, w, { status: "approved" });
    expect((await view(code)).statusLabel).toBe("已批准");
    expect(await page(code)).toContain("已批准");
    await t.db.update(inspections).set({ status: "in_progress" }).where(eq(inspections.id, id));
    const after = await view(code);
    expect(after.status).toBe("in_progress");
    expect(after.statusLabel).not.toBe("已批准");
    expect(await page(code)).toContain(`id="status">${after.statusLabel}<`);
  });

  it("shows an officer's credential change on the next read", async () => {
    const { code } = await makeInspection(t, w);
    const zhang = (body: { officers: { name: string; credentialValid?: boolean }[] }) =>
      body.officers.find((o) => o.name === "张明");
    expect(zhang(await view(code))?.credentialValid).toBe(true);
    await t.db
      .update(officers)
      .set({ credentialExpiresOn: "2001-01-01" })
      .where(eq(officers.id, w.officerIds[0]!));
    expect(zhang(await view(code))?.credentialValid).toBe(false);
  });

  it("shows a submitted evaluation on the next read", async () => {
    const { code } = await makeInspection(t, w);
    expect((await view(code)).evaluation).toMatchObject({ formId: "inspection-evaluation" });
    expect((await postEvaluation(t, code, { version: 1, data: POSITIVE })).status).toBe(201);
    expect((await view(code)).evaluation).toEqual({ submitted: true });
  });

  it("shows another filing of the enterprise in this year's count on the next read", async () => {
    const { code } = await makeInspection(t, w);
    const before = (await view(code)).yearCount.count;
    await makeInspection(t, w);
    expect((await view(code)).yearCount.count).toBe(before + 1);
  });

  // The clock of the Worker under test cannot be moved from here.
  it.skipIf(WORKER_TARGET)("closes the evaluation when the window passes, with nothing written", async () => {
    const { id, code } = await makeInspection(t, w, { expiresAt: Date.now() + 400 * DAY });
    expect((await view(code)).evaluation).toMatchObject({ formId: "inspection-evaluation" });
    const [row] = await t.db.select().from(inspections).where(eq(inspections.id, id));
    const windowDays = configFromEnv({}, TEST_SECRET).inspections.evaluationWindowDays;
    const closesAt = evaluationWindow(row!, windowDays)!.closesAt;
    vi.spyOn(Date, "now").mockReturnValue(closesAt);
    const after = await view(code);
    expect(after.evaluation).toBeNull();
    expect(after.evaluationOpensAt).toBeNull();
  });

  it("refuses a forged code of an inspection whose view is in memory", async () => {
    const { code } = await makeInspection(t, w, { expiresAt: Date.now() + 60_000 });
    expect((await enterpriseCall(t, null, "GET", `/api/public/inspections/${code}`)).status).toBe(200);
    const [id, exp, sig] = code.split(".") as [string, string, string];
    const forged = `${id}.${exp}.${sig.startsWith("A") ? "B" : "A"}${sig.slice(1)}`;
    const refused = await enterpriseCall(t, null, "GET", `/api/public/inspections/${forged}`);
    expect(refused.status).toBe(401);
    expect((await refused.json()).error.code).toBe("invalid_code");
  });

  it.skipIf(WORKER_TARGET)("refuses a code that expired while its view is in memory", async () => {
    const { code } = await makeInspection(t, w, { expiresAt: Date.now() + 60_000 });
    expect((await enterpriseCall(t, null, "GET", `/api/public/inspections/${code}`)).status).toBe(200);
    const now = Date.now();
    vi.spyOn(Date, "now").mockReturnValue(now + 120_000);
    const res = await enterpriseCall(t, null, "GET", `/api/public/inspections/${code}`);
    expect(res.status).toBe(401);
    expect((await res.json()).error.code).toBe("expired_code");
  });
});

describe("the public inspection page on the wire", () => {
  // On Workers the edge compresses; the Worker answers plain HTML (compressPages: false).
  it.skipIf(WORKER_TARGET)("is gzipped for a client that takes gzip, with the facts inside", async () => {
    const { code } = await makeInspection(t, w);
    const res = await t.app.request(`/i/${code}`, { headers: { "Accept-Encoding": "gzip, br" } });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-encoding")).toBe("gzip");
    expect(res.headers.get("cache-control")).toBe("no-store");
    const raw = new Uint8Array(await res.arrayBuffer());
    const html = gunzipSync(raw).toString("utf8");
    expect(html).toMatch(/<span class="person-name"[^>]*>张明<\/span>/);
    expect(raw.byteLength).toBeLessThan(html.length / 2);
  });
});
