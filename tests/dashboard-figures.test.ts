import ExcelJS from "exceljs";
import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { at, buildDashboardWorld, type DashboardWorld } from "./dashboard-fixture.ts";
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

// ---- issue 13: complaints, unregistered visits, cancelled filings, how late 补办 filings are ----
// June holds only the rows below (new enterprises E5, E6, E7, at most one visit per department and
// enterprise, so the yearly repeat and high-frequency figures above stay as they are).
const JUNE = "from=2026-06-01&to=2026-06-30";
const DAY = 86_400_000;
let june: Record<string, string>;

async function buildJune() {
  const now = Date.now();
  const ent = async (n: number, district: string) => {
    const id = `june-e${n}`;
    await t.db.run(sql`INSERT INTO enterprises (id, credit_code, name, district, created_at, updated_at)
      VALUES (${id}, ${`91370100MA00006${n}0X`}, ${`六月企业${n}`}, ${district}, ${now}, ${now})`);
    return id;
  };
  const E5 = await ent(5, "历下区");
  const E6 = await ent(6, "市中区");
  const E7 = await ent(7, "市中区");
  const ids: Record<string, string> = {};
  const filing = async (
    name: string,
    f: { lead: string; also?: string; ent: string; status: string; start: number; lateDays?: number },
  ) => {
    const id = `june-${name}`;
    ids[name] = id;
    const filed = f.lateDays === undefined ? f.start - DAY : f.start + f.lateDays * DAY;
    await t.db
      .run(sql`INSERT INTO inspections (id, enterprise_id, lead_department_id, type, status, planned_start,
        planned_end, legal_basis, late_filing, late_reason, filed_at, cancelled_at, cancel_reason, code_nonce,
        created_at, updated_at)
      VALUES (${id}, ${f.ent}, ${f.lead}, 'routine', ${f.status}, ${f.start}, ${f.start + 2 * 3_600_000},
        '《示例条例》', ${f.lateDays === undefined ? 0 : 1}, ${f.lateDays === undefined ? null : "紧急"}, ${filed},
        ${f.status === "cancelled" ? f.start - DAY / 2 : null}, ${f.status === "cancelled" ? "企业停产" : null},
        ${id}, ${now}, ${now})`);
    for (const dept of [f.lead, ...(f.also ? [f.also] : [])])
      await t.db.run(sql`INSERT INTO inspection_departments (inspection_id, department_id, joined_at)
        VALUES (${id}, ${dept}, ${now})`);
  };
  const { deptA: A, deptB: B } = w;
  await filing("K1", { lead: A, ent: E5, status: "cancelled", start: at(6, 5) });
  await filing("K2", { lead: A, also: B, ent: E6, status: "cancelled", start: at(6, 8) });
  await filing("L1", { lead: B, ent: E5, status: "closed", start: at(6, 10), lateDays: 0.5 });
  await filing("L2", { lead: A, ent: E6, status: "registered", start: at(6, 12), lateDays: 2.5 });
  await filing("L3", { lead: A, ent: E5, status: "evaluated", start: at(6, 14), lateDays: 7 });
  await filing("L4", { lead: B, ent: E6, status: "closed", start: at(6, 2), lateDays: 12 });
  await filing("U1", { lead: A, also: B, ent: E7, status: "approved", start: at(6, 16) });
  await filing("U2", { lead: A, ent: E5, status: "approved", start: at(6, 20) });
  // Planned in May, found unregistered in June: a May figure, not a June one.
  await filing("U3", { lead: A, ent: E7, status: "approved", start: at(5, 31, 20) });
  // The alerts the sweep (src/alerts/sweep.ts) writes for a visit unregistered past the grace time.
  for (const name of ["U1", "U2", "U3"]) {
    const start = Number(
      (await t.db.get<{ s: number }>(
        sql`SELECT planned_start AS s FROM inspections WHERE id = ${ids[name]!}`,
      ))!.s,
    );
    await t.db
      .run(sql`INSERT INTO alerts (id, kind, inspection_id, department_id, status, summary, created_at)
      VALUES (${`alert-${name}`}, 'unregistered_visit', ${ids[name]!}, ${A}, 'open', '未登记', ${start + 2 * DAY})`);
  }
  const complaint = async (
    n: number,
    dept: string,
    ent: string,
    kind: string,
    unfiled: boolean,
    created: number,
  ) =>
    t.db.run(sql`INSERT INTO complaints (id, receipt_no, enterprise_id, department_id, kind, visit_date, text,
        unfiled_visit, status, created_at)
      VALUES (${`complaint-${n}`}, ${`TS-${n}`}, ${ent}, ${dept}, ${kind}, '2026-06-01', '检查人员未出示备案',
        ${unfiled ? 1 : 0}, 'received', ${created})`);
  await complaint(1, A, E5, "conduct", false, at(6, 3));
  await complaint(2, A, E6, "unfiled_visit", true, at(6, 15));
  // The flag, not the kind the enterprise chose, makes a complaint an unfiled-visit one.
  await complaint(3, B, E5, "other", true, at(6, 20));
  await complaint(4, A, E5, "conduct", false, at(5, 30));
  june = ids;
}

describe("GET /api/dashboard/conduct", () => {
  beforeAll(buildJune);

  const figures = (
    complaints: number,
    unfiled: number,
    unregistered: number,
    cancelled: number,
    late: [number, number | null, number | null, number | null],
    buckets: [number, number, number, number],
  ) => ({
    complaints,
    unfiledVisitComplaints: unfiled,
    unregisteredVisits: unregistered,
    cancelled,
    lateFilings: late[0],
    lateDays: { median: late[1], average: late[2], max: late[3] },
    lateBuckets: { upTo1: buckets[0], upTo3: buckets[1], upTo10: buckets[2], over10: buckets[3] },
  });

  it("counts complaints, unregistered visits, cancelled filings and 补办 delays per department, district and in total", async () => {
    const body = await get<{ totals: unknown; byDepartment: Keyed<unknown>; byDistrict: Keyed<unknown> }>(
      `/api/dashboard/conduct?${JUNE}`,
    );
    // A: complaints 1 and 2 (2 flagged); U1 (joint) and U2; K1, K2 (joint); L2 2.5 d, L3 7 d.
    // B: complaint 3 (flagged); U1; K2; L1 0.5 d, L4 12 d. Median by nearest rank.
    expect(byKey(body.byDepartment)).toEqual({
      [w.deptA]: figures(2, 1, 2, 2, [2, 2.5, 4.8, 7], [0, 1, 1, 0]),
      [w.deptB]: figures(1, 1, 1, 1, [2, 0.5, 6.3, 12], [1, 0, 0, 1]),
    });
    // Per district and in total a joint inspection counts once, with its lead: 历下区 E5, 市中区 E6 E7.
    expect(byKey(body.byDistrict)).toEqual({
      历下区: figures(2, 1, 1, 1, [2, 0.5, 3.8, 7], [1, 0, 1, 0]),
      市中区: figures(1, 1, 1, 1, [2, 2.5, 7.3, 12], [0, 1, 0, 1]),
    });
    expect(body.totals).toEqual(figures(3, 2, 2, 2, [4, 2.5, 5.5, 12], [1, 1, 1, 1]));
  });

  it("counts an unregistered visit by its planned start, not by the alert time", async () => {
    const may = await get<{ totals: { unregisteredVisits: number; complaints: number } }>(
      `/api/dashboard/conduct?from=2026-05-01&to=2026-05-31`,
    );
    expect(may.totals).toMatchObject({ unregisteredVisits: 1, complaints: 1 });
  });

  it("keeps counting cancelled filings as filings, never as visits", async () => {
    const body = await get<{ totals: { filings: number; visits: number } }>(`/api/dashboard/visits?${JUNE}`);
    // K1 K2 L1–L4 U1 U2 filed; visits L1–L4 only.
    expect(body.totals).toMatchObject({ filings: 8, visits: 4 });
  });

  it("filters by department and district", async () => {
    const b = await get<{ totals: unknown }>(`/api/dashboard/conduct?${JUNE}&departmentId=${w.deptB}`);
    expect(b.totals).toEqual(figures(1, 1, 1, 1, [2, 0.5, 6.3, 12], [1, 0, 0, 1]));
    const lixia = await get<{ totals: unknown }>(
      `/api/dashboard/conduct?${JUNE}&district=${encodeURIComponent("历下区")}`,
    );
    expect(lixia.totals).toEqual(figures(2, 1, 1, 1, [2, 0.5, 3.8, 7], [1, 0, 1, 0]));
  });

  it("lists exactly the records behind each new figure", async () => {
    const rows = async (query: string) => {
      const all: Record<string, unknown>[] = [];
      let cursor: string | null = null;
      do {
        const page: {
          items: Record<string, unknown>[];
          complaints?: Record<string, unknown>[];
          nextCursor: string | null;
        } = await get(`/api/dashboard/records?${JUNE}&limit=1&${query}${cursor ? `&cursor=${cursor}` : ""}`);
        all.push(...page.items, ...(page.complaints ?? []));
        cursor = page.nextCursor;
      } while (cursor);
      return all;
    };
    const expected: [string, number][] = [
      ["metric=complaints", 3],
      ["metric=unfiled_visit_complaints", 2],
      ["metric=unregistered_visits", 2],
      ["metric=cancelled", 2],
      ["metric=late_filings", 4],
      [`metric=unregistered_visits&departmentId=${w.deptB}`, 1],
      [`metric=cancelled&departmentId=${w.deptB}`, 1],
      [`metric=complaints&departmentId=${w.deptB}`, 1],
      [`metric=complaints&district=${encodeURIComponent("历下区")}`, 2],
    ];
    for (const [query, count] of expected)
      expect([query, (await rows(query)).length]).toEqual([query, count]);
    const late = await rows("metric=late_filings");
    expect(Object.fromEntries(late.map((r) => [r.inspectionId, r.lateDays]))).toEqual({
      [june.L1!]: 0.5,
      [june.L2!]: 2.5,
      [june.L3!]: 7,
      [june.L4!]: 12,
    });
    const cancelled = await rows("metric=cancelled");
    expect(cancelled.map((r) => r.cancelled)).toEqual([
      { at: expect.any(String), reason: "企业停产" },
      { at: expect.any(String), reason: "企业停产" },
    ]);
    const complaints = await rows("metric=unfiled_visit_complaints");
    expect(complaints.map((r) => [r.receiptNo, r.kindLabel])).toEqual([
      ["TS-3", "其他"],
      ["TS-2", "未备案入企"],
    ]);
    const unregistered = await rows("metric=unregistered_visits");
    expect(unregistered.map((r) => (r.alert as { id: string }).id).sort()).toEqual(["alert-U1", "alert-U2"]);
  });

  it("exports the new figures in the department sheet", async () => {
    const res = await t.call(supervisor, "GET", `/api/dashboard/export.xlsx?${JUNE}`);
    expect(res.status).toBe(200);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(await res.arrayBuffer());
    const sheet = book.getWorksheet("部门")!;
    const header = (sheet.getRow(1).values as unknown[]).slice(1);
    const rowOf = (name: string) => {
      const found = sheet.getRows(2, sheet.rowCount - 1)!.find((r) => r.getCell(1).value === name)!;
      return Object.fromEntries(header.map((h, k) => [h, found.getCell(k + 1).value]));
    };
    expect(rowOf("济南市应急管理局")).toMatchObject({
      投诉数: 1,
      未备案入企投诉: 1,
      逾期未登记: 1,
      撤回备案: 1,
      补办备案数: 2,
      "补办迟延中位数（天）": 0.5,
      "补办迟延最长（天）": 12,
      "补办迟延≤1天": 1,
      "补办迟延>10天": 1,
    });
    expect(rowOf("合计（联合检查计一次）")).toMatchObject({
      投诉数: 3,
      撤回备案: 2,
      "补办迟延平均（天）": 5.5,
    });
  });
});
