import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { sealAuditLog } from "../src/audit/chain.ts";
import { auditLog, officers, users } from "../src/db/schema.ts";
import { encodeCursor } from "../src/lib/cursor.ts";
import { makeInspection } from "./evaluation-fixtures.ts";
import { makeTestApp, seedDemoForms, type Session, type TestApp } from "./helpers.ts";
import { catalogItem, enterprise } from "./inspection-fixtures.ts";

interface Line {
  id: number;
  at: string;
  actor: { id: string | null; name: string; role: string | null; roleLabel: string };
  action: string;
  actionLabel: string;
  target: { type: string; typeLabel: string; id: string | null } | null;
  before: unknown;
  after: unknown;
  ip: string | null;
  chain: { position: number; prevHash: string | null; hash: string | null };
}
interface Page {
  items: Line[];
  nextCursor: string | null;
}

let t: TestApp;
let admin: Session;
let supervisor: Session;
let headA: Session;
let headB: Session;
let officerA: Session;
/** Target ids by what they are, and the audit ids of the lines about them. */
const ids: Record<string, string> = {};
const lineOf: Record<string, number> = {};
let adminId: string;

const DAY = 86_400_000;
const T0 = Date.parse("2026-03-10T02:00:00Z"); // 10:00 in Jinan

async function line(
  key: string,
  action: string,
  targetType: string | null,
  targetId: string | null,
  at = T0,
) {
  const [row] = await t.db
    .insert(auditLog)
    .values({
      at,
      actorId: adminId,
      actorName: "root",
      action,
      targetType,
      targetId,
      ip: "10.0.0.9",
      detail: JSON.stringify({ before: { n: 1 }, after: { n: 2 } }),
    })
    .returning({ id: auditLog.id });
  lineOf[key] = row!.id;
}

beforeAll(async () => {
  t = await makeTestApp();
  await seedDemoForms(t);
  const deptA = await t.department("AA", "甲局");
  const deptB = await t.department("BB", "乙局");
  adminId = await t.user("root", "admin");
  await t.user("watch", "supervisor");
  const headAId = await t.user("head-a", "dept_admin", deptA);
  const headBId = await t.user("head-b", "dept_admin", deptB);
  await t.user("off-a", "officer", deptA);
  [admin, supervisor, headA, headB, officerA] = await Promise.all(
    ["root", "watch", "head-a", "head-b", "off-a"].map((u) => t.login(u)),
  );
  const firm = await enterprise(t);
  const itemA = await catalogItem(t, deptA, "A-1");
  const itemB = await catalogItem(t, deptB, "B-1");
  const now = Date.now();
  const officerId = async (dept: string) => {
    const id = `off-${dept}`;
    await t.db
      .insert(officers)
      .values({ id, departmentId: dept, name: id, isHelper: false, createdAt: now, updatedAt: now });
    return id;
  };
  const w = { deptA, enterpriseId: firm, officerIds: [], itemId: itemA };
  Object.assign(ids, {
    deptA,
    deptB,
    headA: headAId,
    headB: headBId,
    itemA,
    itemB,
    officerA: await officerId(deptA),
    officerB: await officerId(deptB),
    inspA: (await makeInspection(t, w, { departmentIds: [deptA] })).id,
    inspB: (await makeInspection(t, w, { departmentIds: [deptB] })).id,
    inspJoint: (await makeInspection(t, w, { departmentIds: [deptB, deptA] })).id,
    firm,
  });
  // Lines about A's records, B's records, and the bureau's own (alerts, complaints, enterprises).
  await line("inspA", "inspection.filed", "inspection", ids.inspA!, T0);
  await line("inspB", "inspection.filed", "inspection", ids.inspB!, T0 + DAY);
  await line("inspJoint", "inspection.joined", "inspection", ids.inspJoint!, T0 + 2 * DAY);
  await line("evaluatedA", "inspection.evaluated", "inspection", ids.inspA!, T0 + 3 * DAY);
  await line("userA", "user.update", "user", headAId);
  await line("userB", "user.update", "user", headBId);
  await line("itemA", "catalog.update", "catalog_item", itemA);
  await line("itemB", "catalog.update", "catalog_item", itemB);
  await line("officerA", "officer.update", "officer", ids.officerA!);
  await line("officerB", "officer.update", "officer", ids.officerB!);
  await line("deptA", "department.update", "department", deptA);
  await line("deptB", "department.update", "department", deptB);
  await line("alert", "alert.create", "alert", "some-alert");
  await line("complaint", "complaint.file", "complaint", "some-complaint");
  await line("firm", "enterprise.update", "enterprise", firm);
  await line("denied", "access.denied", "route", "/api/x");
  await sealAuditLog(t.db);
});

const get = async (s: Session | null, query = "") => {
  const res = await t.call(s, "GET", `/api/audit${query ? `?${query}` : ""}`);
  return { status: res.status, body: (await res.json()) as Page & { error?: { code: string } } };
};

/** Every line a reader reaches, page by page with `limit`. */
async function all(s: Session, query: string, limit: number): Promise<Line[]> {
  const lines: Line[] = [];
  let cursor: string | null = null;
  for (let guard = 0; guard < 200; guard++) {
    const q: string = `${query}&limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`;
    const { status, body } = await get(s, q);
    expect(status).toBe(200);
    lines.push(...body.items);
    cursor = body.nextCursor;
    if (!cursor) return lines;
  }
  throw new Error("paging did not end");
}

const keysOf = (lines: Line[]) => {
  const byId = new Map(Object.entries(lineOf).map(([k, v]) => [v, k]));
  return lines.map((l) => byId.get(l.id)).filter((k): k is string => k !== undefined);
};

describe("GET /api/audit", () => {
  it("is the bureau's and the department administrators': anonymous 401, officer 403", async () => {
    expect((await get(null)).status).toBe(401);
    expect((await get(officerA)).status).toBe(403);
    expect((await get(supervisor)).status).toBe(200);
  });

  it("answers who, when, what, on what, before/after and the chain position of each line", async () => {
    const { body } = await get(admin, `targetType=inspection&targetId=${ids.inspA}&action=inspection.filed`);
    expect(body.items).toHaveLength(1);
    const [l] = body.items;
    expect(l).toMatchObject({
      id: lineOf.inspA,
      at: new Date(T0).toISOString(),
      actor: { id: adminId, name: "root", role: "admin", roleLabel: "管理员" },
      action: "inspection.filed",
      actionLabel: "备案",
      target: { type: "inspection", typeLabel: "检查", id: ids.inspA },
      before: { n: 1 },
      after: { n: 2 },
      ip: "10.0.0.9",
      chain: { position: lineOf.inspA },
    });
    expect(l!.chain.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it("filters by target, actor, action and period (local days, both ends included)", async () => {
    const target = await all(admin, `targetType=inspection&targetId=${ids.inspA}`, 50);
    expect(keysOf(target).sort()).toEqual(["evaluatedA", "inspA"]);
    expect(keysOf(await all(admin, "action=catalog.update", 50)).sort()).toEqual(["itemA", "itemB"]);
    expect(keysOf(await all(admin, `actor=${adminId}&targetType=department`, 50)).sort()).toEqual([
      "deptA",
      "deptB",
    ]);
    expect(keysOf(await all(admin, "actor=root&targetType=officer", 50)).sort()).toEqual([
      "officerA",
      "officerB",
    ]);
    // T0 + 1 day is 2026-03-11 in Jinan; the period 03-11..03-12 holds the lines of those two days.
    const period = await all(admin, "targetType=inspection&from=2026-03-11&to=2026-03-12", 50);
    expect(keysOf(period).sort()).toEqual(["inspB", "inspJoint"]);
    expect(keysOf(await all(admin, "targetType=nothing_here", 50))).toEqual([]);
  });

  it("refuses bad filters with 400: dates, a period ending before it starts, unknown parameters, cursors", async () => {
    for (const q of [
      "from=yesterday",
      "from=2026-03-12&to=2026-03-11",
      "sort=actor",
      "cursor=not-a-cursor",
      `cursor=${encodeCursor(["x"])}`,
      "limit=0",
      "targetType=Robert');DROP",
    ]) {
      const { status, body } = await get(admin, q);
      expect(status, q).toBe(400);
      expect(body.error?.code, q).toMatch(/invalid_request|invalid_cursor/);
    }
  });

  it("pages newest first without losing or repeating a line", async () => {
    const paged = await all(admin, "", 3);
    const whole = (await get(admin, "limit=200")).body.items;
    expect(paged.map((l) => l.id)).toEqual(whole.map((l) => l.id));
    expect(new Set(paged.map((l) => l.id)).size).toBe(paged.length);
    expect(paged.map((l) => l.id)).toEqual([...paged.map((l) => l.id)].sort((a, b) => b - a));
  });
});

describe("GET /api/audit — a department administrator", () => {
  const mineA = ["inspA", "inspJoint", "userA", "itemA", "officerA", "deptA"];
  const mineB = ["inspB", "inspJoint", "userB", "itemB", "officerB", "deptB"];

  it("reads the lines about its own department's records only, on every page", async () => {
    for (const limit of [1, 4, 200]) {
      expect(keysOf(await all(headA, "", limit)).sort()).toEqual([...mineA].sort());
      expect(keysOf(await all(headB, "", limit)).sort()).toEqual([...mineB].sort());
    }
  });

  it("never reaches another department's line through a filter or a made-up cursor", async () => {
    for (const q of [
      `targetType=inspection&targetId=${ids.inspB}`,
      `targetType=user&targetId=${ids.headB}`,
      `targetType=catalog_item&targetId=${ids.itemB}`,
      `targetType=department&targetId=${ids.deptB}`,
      "action=alert.create",
      "action=complaint.file",
      "targetType=enterprise",
      `cursor=${encodeCursor([Number.MAX_SAFE_INTEGER])}`,
      `cursor=${encodeCursor([lineOf.deptB! + 1])}`,
    ]) {
      const { status, body } = await get(headA, q);
      expect(status, q).toBe(200);
      expect(
        keysOf(body.items).filter((k) => !mineA.includes(k)),
        q,
      ).toEqual([]);
    }
  });

  it("does not see the enterprise's evaluation of its own inspection (anonymous towards it), nor addresses", async () => {
    const { body } = await get(headA, `targetType=inspection&targetId=${ids.inspA}`);
    expect(keysOf(body.items)).toEqual(["inspA"]);
    expect(body.items.every((l) => l.ip === null)).toBe(true);
  });

  it("follows the record: a user moved to another department takes its lines along", async () => {
    expect(keysOf(await all(headB, "targetType=user", 50))).toEqual(["userB"]);
    await t.db.update(users).set({ departmentId: ids.deptB }).where(eq(users.id, ids.headA!));
    try {
      expect(keysOf(await all(headB, "targetType=user", 50)).sort()).toEqual(["userA", "userB"]);
    } finally {
      await t.db.update(users).set({ departmentId: ids.deptA }).where(eq(users.id, ids.headA!));
    }
  });
});

describe("GET /api/audit/export", () => {
  it("exports the filtered lines as CSV (BOM) and audits the export", async () => {
    const res = await t.call(headA, "GET", `/api/audit/export?format=csv&targetType=catalog_item`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/csv/);
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]); // the BOM, for Excel
    const text = new TextDecoder().decode(bytes);
    expect(text.startsWith("序号,时间,操作人")).toBe(true);
    expect(text).toContain(ids.itemA);
    expect(text).not.toContain(ids.itemB);
    const lines = await t.db.select().from(auditLog).where(eq(auditLog.action, "audit.export"));
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!.detail)).toMatchObject({
      format: "csv",
      filter: { targetType: "catalog_item" },
      rows: 1,
    });
    expect(lines[0]!.hash).not.toBeNull(); // sealed before the answer, as every audited request
  });

  it("neutralises cells a spreadsheet would run as a formula", async () => {
    await line("formula", "access.denied", "route", "=1+2");
    await sealAuditLog(t.db);
    const res = await t.call(admin, "GET", `/api/audit/export?format=csv&targetType=route`);
    const text = await res.text();
    expect(text).toContain(",'=1+2,");
    expect(text).not.toContain(",=1+2,");
  });

  it("exports XLSX for the bureau", async () => {
    const res = await t.call(supervisor, "GET", `/api/audit/export?format=xlsx&targetType=inspection`);
    expect(res.status).toBe(200);
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect([...bytes.slice(0, 2)]).toEqual([0x50, 0x4b]); // a zip (xlsx)
    const count = await t.db.select().from(auditLog).where(eq(auditLog.action, "audit.export"));
    expect(count).toHaveLength(3);
  });

  it("refuses the officer (403) and a bad format (400), writing nothing", async () => {
    expect((await t.call(officerA, "GET", "/api/audit/export")).status).toBe(403);
    expect((await t.call(admin, "GET", "/api/audit/export?format=pdf")).status).toBe(400);
    const count = await t.db.select().from(auditLog).where(eq(auditLog.action, "audit.export"));
    expect(count).toHaveLength(3);
  });
});

describe("GET /api/audit/chain", () => {
  it("reports the head and how far the chain is verified", async () => {
    await sealAuditLog(t.db);
    const res = await t.call(headA, "GET", "/api/audit/chain");
    expect(res.status).toBe(200);
    const state = (await res.json()) as {
      ok: boolean;
      head: { id: number; hash: string };
      verifiedThrough: { id: number; hash: string };
      verifiedCount: number;
      pending: number;
    };
    const rows = await t.db.select().from(auditLog).orderBy(auditLog.id);
    const last = rows[rows.length - 1];
    expect(state.ok).toBe(true);
    expect(state.pending).toBe(0);
    expect(state.head).toEqual({ id: last!.id, hash: last!.hash });
    expect(state.verifiedThrough).toEqual(state.head);
    expect(state.verifiedCount).toBe(rows.length);
    expect((await t.call(officerA, "GET", "/api/audit/chain")).status).toBe(403);
  });
});
