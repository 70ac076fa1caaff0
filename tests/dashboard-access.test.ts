import { sql } from "drizzle-orm";
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
      "conduct",
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
      "conduct",
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

describe("dashboard access: complaints (issue 13)", () => {
  beforeAll(async () => {
    const complaint = async (n: number, dept: string, ent: string, unfiled: boolean) =>
      t.db
        .run(sql`INSERT INTO complaints (id, receipt_no, enterprise_id, department_id, kind, visit_date, text,
          unfiled_visit, status, created_at)
        VALUES (${`c-${n}`}, ${`TS-${n}`}, ${ent}, ${dept}, 'unfiled_visit', '2026-03-04', '未出示备案',
          ${unfiled ? 1 : 0}, 'received', ${Date.parse(`2026-03-0${n}T10:00:00+08:00`)})`);
    await complaint(4, w.deptA, w.enterprises.E1, true);
    await complaint(5, w.deptA, w.enterprises.E2, false);
    await complaint(6, w.deptB, w.enterprises.E3, true);
    // I4 (A, approved, 20 March) left unregistered: the sweep's alert.
    await t.db
      .run(sql`INSERT INTO alerts (id, kind, inspection_id, department_id, status, summary, created_at)
      VALUES ('unregistered-I4', 'unregistered_visit', ${w.inspections.I4}, ${w.deptA}, 'open', '未登记',
        ${Date.parse("2026-03-22T10:00:00+08:00")})`);
  });

  type Conduct = {
    totals: { complaints: number | null; unfiledVisitComplaints: number | null; unregisteredVisits: number };
    byDepartment: { key: string }[];
    byDistrict: { key: string; figures: { complaints: number | null } }[];
  };

  it("shows a department administrator their own department's complaint counts, whole months only, without a district split", async () => {
    const own = await json<Conduct>(headA, `/api/dashboard/conduct?${MARCH}`);
    expect(own.totals).toMatchObject({ complaints: 2, unfiledVisitComplaints: 1, unregisteredVisits: 1 });
    expect(own.byDepartment.map((r) => r.key)).toEqual([w.deptA]);
    expect(own.byDistrict.map((r) => r.figures.complaints)).toEqual(own.byDistrict.map(() => null));
    const lixia = await json<Conduct>(
      headA,
      `/api/dashboard/conduct?${MARCH}&district=${encodeURIComponent("历下区")}`,
    );
    expect(lixia.totals).toMatchObject({ complaints: null, unfiledVisitComplaints: null });
    // Not a whole month (5–31 March): a department administrator's complaint counts stay hidden,
    // so a short period cannot single out one complaint; the bureau counts them.
    const part = "from=2026-03-05&to=2026-03-31";
    const partial = await json<Conduct & { complaintPeriod: unknown }>(
      headA,
      `/api/dashboard/conduct?${part}`,
    );
    expect(partial.totals).toMatchObject({
      complaints: null,
      unfiledVisitComplaints: null,
      unregisteredVisits: 1,
    });
    expect(partial.complaintPeriod).toBeNull();
    expect((await json<Conduct>(admin, `/api/dashboard/conduct?${part}`)).totals.complaints).toBe(2);
    const bureau = await json<Conduct>(admin, `/api/dashboard/conduct?${MARCH}`);
    expect(bureau.totals).toMatchObject({ complaints: 3, unfiledVisitComplaints: 2 });
    expect(Object.fromEntries(bureau.byDistrict.map((r) => [r.key, r.figures.complaints]))).toMatchObject({
      历下区: 2,
      市中区: 1,
    });
  });

  it("never lists who complained to a department administrator; the bureau sees every complaint", async () => {
    for (const metric of ["complaints", "unfiled_visit_complaints"]) {
      expect([metric, await status(headA, `/api/dashboard/records?${MARCH}&metric=${metric}`)]).toEqual([
        metric,
        403,
      ]);
      expect([metric, await status(admin, `/api/dashboard/records?${MARCH}&metric=${metric}`)]).toEqual([
        metric,
        200,
      ]);
    }
    const page = await json<{ complaints: { enterprise: { id: string } }[] }>(
      admin,
      `/api/dashboard/records?${MARCH}&metric=complaints&limit=200`,
    );
    expect(page.complaints).toHaveLength(3);
  });

  it("lists a department administrator's own unregistered, cancelled and late filings, without the alerts", async () => {
    const unregistered = await json<{ items: { inspectionId: string; alert?: unknown }[] }>(
      headA,
      `/api/dashboard/records?${MARCH}&metric=unregistered_visits`,
    );
    expect(unregistered.items.map((i) => [i.inspectionId, i.alert])).toEqual([[w.inspections.I4, undefined]]);
    for (const metric of ["cancelled", "late_filings"])
      expect([metric, await status(headA, `/api/dashboard/records?${MARCH}&metric=${metric}`)]).toEqual([
        metric,
        200,
      ]);
    // I6, the only late filing of March, is B's.
    const late = await json<{ items: unknown[] }>(
      headA,
      `/api/dashboard/records?${MARCH}&metric=late_filings`,
    );
    expect(late.items).toEqual([]);
    expect(
      await status(headA, `/api/dashboard/records?${MARCH}&metric=cancelled&departmentId=${w.deptB}`),
    ).toBe(403);
  });
});
