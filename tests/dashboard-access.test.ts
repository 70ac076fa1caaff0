import { beforeAll, describe, expect, it } from "vitest";
import { buildDashboardWorld, type DashboardWorld } from "./dashboard-fixture.ts";
import { makeTestApp, type Session, type TestApp } from "./helpers.ts";

const MARCH = "from=2026-03-01&to=2026-03-31";
const APRIL = "from=2026-04-01&to=2026-04-30";

let t: TestApp;
let w: DashboardWorld;
let headA: Session;
let officerA: Session;
let admin: Session;

beforeAll(async () => {
  t = await makeTestApp();
  w = await buildDashboardWorld(t);
  await t.user("head-a", "dept_admin", w.deptA);
  await t.user("officer-a", "officer", w.deptA);
  await t.user("admin", "admin");
  headA = await t.login("head-a");
  officerA = await t.login("officer-a");
  admin = await t.login("admin");
});

const status = async (session: Session | null, path: string) => (await t.call(session, "GET", path)).status;

async function json<T>(session: Session, path: string): Promise<T> {
  const res = await t.call(session, "GET", path);
  expect(res.status).toBe(200);
  return (await res.json()) as T;
}

describe("dashboard access", () => {
  it("answers 401 without a session and 403 to officers, on every endpoint", async () => {
    const paths = [
      "filters",
      "visits",
      "frequency",
      "items",
      "evaluations",
      "problems",
      "alerts",
      "records?metric=filings",
      "export.xlsx",
    ];
    for (const p of paths) {
      expect([p, await status(null, `/api/dashboard/${p}`)]).toEqual([p, 401]);
      expect([p, await status(officerA, `/api/dashboard/${p}`)]).toEqual([p, 403]);
    }
  });

  it("lets an administrator see every department", async () => {
    const body = await json<{ byDepartment: { key: string }[] }>(admin, `/api/dashboard/visits?${MARCH}`);
    expect(body.byDepartment.map((r) => r.key).sort()).toEqual([w.deptA, w.deptB].sort());
  });

  it("limits a department administrator to their own department's numbers", async () => {
    const body = await json<{ totals: { filings: number }; byDepartment: { key: string }[] }>(
      headA,
      `/api/dashboard/visits?${MARCH}`,
    );
    expect(body.byDepartment.map((r) => r.key)).toEqual([w.deptA]);
    expect(body.totals.filings).toBe(6);
    const filters = await json<{ departments: { id: string }[]; departmentId: string; bureau: boolean }>(
      headA,
      "/api/dashboard/filters",
    );
    expect(filters).toMatchObject({ departmentId: w.deptA, bureau: false });
    expect(filters.departments.map((d) => d.id)).toEqual([w.deptA]);
  });

  it("refuses a department administrator another department's figures", async () => {
    for (const p of [
      "visits",
      "frequency",
      "items",
      "evaluations",
      "records?metric=filings&",
      "export.xlsx",
    ]) {
      const sep = p.includes("?") ? "" : "?";
      expect([p, await status(headA, `/api/dashboard/${p}${sep}departmentId=${w.deptB}`)]).toEqual([p, 403]);
    }
  });

  it("never lists another department's records to a department administrator", async () => {
    const page = await json<{ items: { inspectionId: string; department: { id: string } }[] }>(
      headA,
      `/api/dashboard/records?${MARCH}&metric=filings&limit=200`,
    );
    const ids = page.items.map((i) => i.inspectionId);
    // I6 is B's alone; I3 is joint, so A's own record.
    expect(ids).not.toContain(w.inspections.I6);
    expect(ids).toContain(w.inspections.I3);
    expect(new Set(page.items.map((i) => i.department.id))).toEqual(new Set([w.deptA]));
    const frequency = await json<{ warnings: { departmentId: string }[] }>(
      headA,
      `/api/dashboard/frequency?${MARCH}`,
    );
    expect(frequency.warnings.every((x) => x.departmentId === w.deptA)).toBe(true);
  });

  it("keeps individual evaluations and alerts from department administrators", async () => {
    for (const metric of [
      "evaluations",
      "negative",
      "question&question=rude_conduct",
      "alerts",
      "alerts_open",
    ]) {
      expect([metric, await status(headA, `/api/dashboard/records?${MARCH}&metric=${metric}`)]).toEqual([
        metric,
        403,
      ]);
    }
    expect(await status(headA, `/api/dashboard/alerts?${MARCH}`)).toBe(403);
  });

  it("shows a department administrator only whole months with at least five evaluations", async () => {
    // March holds two evaluations of A (I1, I2): left out. April holds five (J1–J5): shown.
    const march = await json<{ totals: { evaluations: number }; months: unknown[]; byDistrict: unknown[] }>(
      headA,
      `/api/dashboard/evaluations?${MARCH}`,
    );
    expect(march).toMatchObject({ totals: { evaluations: 0 }, months: [], byDistrict: [] });
    const april = await json<{ totals: unknown; months: unknown[] }>(
      headA,
      `/api/dashboard/evaluations?${APRIL}`,
    );
    expect(april.totals).toEqual({ evaluations: 5, averageScore: 100, negative: 0, negativeRate: 0 });
    expect(april.months).toHaveLength(1);
    const problems = await json<{ questions: unknown[] }>(headA, `/api/dashboard/problems?${MARCH}`);
    expect(problems.questions).toEqual([]);
  });
});
