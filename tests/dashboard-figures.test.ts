import ExcelJS from "exceljs";
import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { buildDashboardWorld, type DashboardWorld } from "./dashboard-fixture.ts";
import { makeTestApp, type Session, type TestApp } from "./helpers.ts";

// Every expected number below is worked out by hand from FILINGS in tests/dashboard-fixture.ts.
const MARCH = "from=2026-03-01&to=2026-03-31";

let t: TestApp;
let w: DashboardWorld;
let supervisor: Session;

beforeAll(async () => {
  t = await makeTestApp();
  w = await buildDashboardWorld(t);
  await t.user("jiandu", "supervisor");
  supervisor = await t.login("jiandu");
});

async function get<T = Record<string, unknown>>(path: string, session = supervisor): Promise<T> {
  const res = await t.call(session, "GET", path);
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json()) as T;
}

type Keyed<F> = { key: string; figures: F }[];
const byKey = <F>(rows: Keyed<F>) => Object.fromEntries(rows.map((r) => [r.key, r.figures]));

describe("GET /api/dashboard/visits", () => {
  it("counts filings, visits, joint, off-site, 个案, late and refused per department, district and in total", async () => {
    const body = await get<{ totals: unknown; byDepartment: Keyed<unknown>; byDistrict: Keyed<unknown> }>(
      `/api/dashboard/visits?${MARCH}`,
    );
    // A: I1 I2 I3 I4 I5 I7; visits I1 I2 I3 I7; joint I3; off-site I5 I7 (A-2 only); 个案 I4; refused I5.
    // B: I3 (joint) and I6 (late).
    expect(byKey(body.byDepartment)).toEqual({
      [w.deptA]: {
        filings: 6,
        visits: 4,
        joint: 1,
        offSite: 2,
        cases: 1,
        late: 0,
        refused: 1,
        jointShare: 0.1667,
        offSiteShare: 0.3333,
        caseShare: 0.1667,
      },
      [w.deptB]: {
        filings: 2,
        visits: 2,
        joint: 1,
        offSite: 0,
        cases: 0,
        late: 1,
        refused: 0,
        jointShare: 0.5,
        offSiteShare: 0,
        caseShare: 0,
      },
    });
    // Per district and in total a joint inspection counts once: 历下区 I1 I2 I4 I5 I6, 市中区 I3 I7.
    expect(byKey(body.byDistrict)).toEqual({
      历下区: {
        filings: 5,
        visits: 3,
        joint: 0,
        offSite: 1,
        cases: 1,
        late: 1,
        refused: 1,
        jointShare: 0,
        offSiteShare: 0.2,
        caseShare: 0.2,
      },
      市中区: {
        filings: 2,
        visits: 2,
        joint: 1,
        offSite: 1,
        cases: 0,
        late: 0,
        refused: 0,
        jointShare: 0.5,
        offSiteShare: 0.5,
        caseShare: 0,
      },
    });
    expect(body.totals).toEqual({
      filings: 7,
      visits: 5,
      joint: 1,
      offSite: 2,
      cases: 1,
      late: 1,
      refused: 1,
      jointShare: 0.1429,
      offSiteShare: 0.2857,
      caseShare: 0.1429,
    });
  });

  it("filters by department and by district", async () => {
    const dept = await get<{ totals: { filings: number }; byDistrict: Keyed<{ filings: number }> }>(
      `/api/dashboard/visits?${MARCH}&departmentId=${w.deptA}`,
    );
    // A's own rows: 历下区 I1 I2 I4 I5, 市中区 I3 I7.
    expect(dept.totals.filings).toBe(6);
    expect(Object.fromEntries(dept.byDistrict.map((r) => [r.key, r.figures.filings]))).toEqual({
      历下区: 4,
      市中区: 2,
    });
    const district = await get<{ totals: { filings: number; visits: number } }>(
      `/api/dashboard/visits?${MARCH}&district=${encodeURIComponent("市中区")}`,
    );
    expect(district.totals).toMatchObject({ filings: 2, visits: 2 });
  });
});

describe("GET /api/dashboard/frequency", () => {
  it("counts repeat visits and high-frequency warnings over the calendar year", async () => {
    const body = await get<{
      years: number[];
      totals: unknown;
      byDepartment: Keyed<unknown>;
      byDistrict: Keyed<unknown>;
      warnings: { enterprise: { id: string }; filings: number; visits: number; year: number }[];
    }>(`/api/dashboard/frequency?${MARCH}`);
    // A@E1: I8 I1 I2 visited + I4 approved → 4 filings (> cap 2), 2 repeats. A@E2: I3 I7 → 1 repeat.
    // A@E4: J1–J5 → 5 filings, 4 repeats. B has one filing per enterprise in 2026.
    expect(body.years).toEqual([2026, 2026]);
    expect(body.totals).toEqual({ repeatVisits: 7, highFrequency: 2 });
    expect(byKey(body.byDepartment)).toEqual({ [w.deptA]: { repeatVisits: 7, highFrequency: 2 } });
    expect(byKey(body.byDistrict)).toEqual({
      历下区: { repeatVisits: 2, highFrequency: 1 },
      市中区: { repeatVisits: 5, highFrequency: 1 },
    });
    expect(body.warnings.map((x) => [x.enterprise.id, x.filings, x.visits, x.year])).toEqual([
      [w.enterprises.E4, 5, 5, 2026],
      [w.enterprises.E1, 4, 3, 2026],
    ]);
  });
});

describe("GET /api/dashboard/items and /problems", () => {
  it("gives the failure rate per catalog item, worst first", async () => {
    const body = await get<{
      items: { code: string; checked: number; failed: number; failureRate: number }[];
    }>(`/api/dashboard/items?${MARCH}`);
    // A-1: I1 (fail) I2 I3; B-1: I3 (fail) I6; A-2: I7. I8's failure is in February.
    expect(body.items.map((i) => [i.code, i.checked, i.failed, i.failureRate])).toEqual([
      ["B-1", 2, 1, 0.5],
      ["A-1", 3, 1, 0.3333],
      ["A-2", 1, 0, 0],
    ]);
  });

  it("ranks the most failed items and the most frequent negative answers", async () => {
    const body = await get<{ items: { code: string }[]; questions: { name: string; negative: number }[] }>(
      `/api/dashboard/problems?${MARCH}`,
    );
    expect(body.items.map((i) => i.code)).toEqual(["A-1", "B-1"]);
    expect(body.questions.map((q) => [q.name, q.negative])).toEqual([
      ["demanded_gifts", 1],
      ["overall_satisfaction", 1],
      ["rude_conduct", 1],
    ]);
  });
});

describe("GET /api/dashboard/evaluations", () => {
  it("gives the count, average score and negative rate by evaluation time", async () => {
    const body = await get<{ totals: unknown; byDepartment: Keyed<unknown>; byDistrict: Keyed<unknown> }>(
      `/api/dashboard/evaluations?${MARCH}`,
    );
    // I1 (A, 100), I2 (A, 25, negative), I6 (B, 75, negative); I8's is in February.
    expect(byKey(body.byDepartment)).toEqual({
      [w.deptA]: { evaluations: 2, averageScore: 62.5, negative: 1, negativeRate: 0.5 },
      [w.deptB]: { evaluations: 1, averageScore: 75, negative: 1, negativeRate: 1 },
    });
    expect(byKey(body.byDistrict)).toEqual({
      历下区: { evaluations: 3, averageScore: 66.7, negative: 2, negativeRate: 0.6667 },
    });
    expect(body.totals).toEqual({ evaluations: 3, averageScore: 66.7, negative: 2, negativeRate: 0.6667 });
  });
});

describe("GET /api/dashboard/alerts", () => {
  it("counts open and closed alerts with median and p90 handling hours", async () => {
    const body = await get<{ totals: unknown; byDepartment: Keyed<{ raised: number; open: number }> }>(
      `/api/dashboard/alerts?${MARCH}`,
    );
    expect(body.totals).toEqual({
      raised: 2,
      open: 1,
      closed: 1,
      firstHandlingHours: { median: 2, p90: 2 },
      closeHours: { median: 10, p90: 10 },
    });
    expect(
      Object.fromEntries(body.byDepartment.map((r) => [r.key, [r.figures.raised, r.figures.open]])),
    ).toEqual({
      [w.deptA]: [1, 0],
      [w.deptB]: [1, 1],
    });
  });
});

/** Pages through a drill-down list two rows at a time and returns every row. */
async function drill(query: string, session = supervisor) {
  const rows: Record<string, unknown>[] = [];
  let cursor: string | null = null;
  do {
    const page: {
      items: Record<string, unknown>[];
      groups?: Record<string, unknown>[];
      nextCursor: string | null;
    } = await get(
      `/api/dashboard/records?${MARCH}&limit=2&${query}${cursor ? `&cursor=${cursor}` : ""}`,
      session,
    );
    rows.push(...page.items, ...(page.groups ?? []));
    cursor = page.nextCursor;
  } while (cursor);
  return rows;
}

describe("GET /api/dashboard/records", () => {
  it("lists exactly the records behind each figure", async () => {
    const expected: [string, number][] = [
      ["metric=filings", 7],
      ["metric=visits", 5],
      ["metric=joint", 1],
      ["metric=offsite", 2],
      ["metric=case", 1],
      ["metric=late", 1],
      ["metric=refused", 1],
      ["metric=repeat", 7],
      ["metric=highfreq", 2],
      ["metric=checked", 6],
      ["metric=failed", 2],
      ["metric=evaluations", 3],
      ["metric=negative", 2],
      ["metric=question&question=demanded_gifts", 1],
      ["metric=alerts", 2],
      ["metric=alerts_open", 1],
      ["metric=alerts_closed", 1],
      [`metric=filings&departmentId=${w.deptB}`, 2],
      [`metric=checked&itemId=${w.items.A1}`, 3],
      [`metric=visits&district=${encodeURIComponent("历下区")}`, 3],
    ];
    for (const [query, count] of expected)
      expect([query, (await drill(query)).length]).toEqual([query, count]);
  });

  it("names the repeat visits: every visit after a department's first to an enterprise that year", async () => {
    const ids = (await drill("metric=repeat")).map((r) => r.inspectionId);
    const { inspections: i } = w;
    expect(new Set(ids)).toEqual(new Set([i.I1, i.I2, i.I7, i.J2, i.J3, i.J4, i.J5]));
  });

  it("refuses an unknown metric and a forged cursor", async () => {
    expect((await t.call(supervisor, "GET", `/api/dashboard/records?metric=secrets`)).status).toBe(400);
    const forged = Buffer.from("[1,2]").toString("base64url");
    expect(
      (await t.call(supervisor, "GET", `/api/dashboard/records?metric=filings&cursor=${forged}`)).status,
    ).toBe(400);
  });
});

describe("GET /api/dashboard/export.xlsx", () => {
  it("exports the figures as a workbook that opens, and records the export in the audit log", async () => {
    const res = await t.call(supervisor, "GET", `/api/dashboard/export.xlsx?${MARCH}`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-disposition")).toContain("dashboard-2026-03-01-2026-03-31.xlsx");
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(await res.arrayBuffer());
    const sheet = book.getWorksheet("部门")!;
    const header = (sheet.getRow(1).values as unknown[]).slice(1);
    const rowOf = (name: string) => {
      const found = sheet.getRows(2, sheet.rowCount - 1)!.find((r) => r.getCell(1).value === name)!;
      return Object.fromEntries(header.map((h, k) => [h, found.getCell(k + 1).value]));
    };
    expect(rowOf("济南市市场监督管理局")).toMatchObject({
      评价数: 2,
      备案数: 6,
      实施检查数: 4,
      联合检查数: 1,
      告警数: 1,
    });
    expect(rowOf("合计（联合检查计一次）")).toMatchObject({
      备案数: 7,
      "重复检查次数（自然年）": 7,
      "高频检查预警（自然年）": 2,
    });
    const items = book.getWorksheet("检查事项")!;
    expect(items.getRow(3).values).toEqual([
      undefined,
      "A-1",
      "事项 A-1",
      "济南市市场监督管理局",
      3,
      1,
      33.3,
    ]);
    expect(book.getWorksheet("高频预警")!.rowCount).toBe(3);
    const audit = await t.db.all<{ n: number }>(
      sql`SELECT count(*) AS n FROM audit_log WHERE action = 'dashboard.export_xlsx'`,
    );
    expect(Number(audit[0]!.n)).toBeGreaterThan(0);
  });
});
