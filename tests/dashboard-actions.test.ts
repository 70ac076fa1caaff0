import ExcelJS from "exceljs";
import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { isOverdue } from "../src/actions/overdue.ts";
import { ACTION_STATUSES, type ActionStatus } from "../src/db/schema.ts";
import { localDate } from "../src/lib/time.ts";
import { insertAction } from "./action-fixtures.ts";
import { at, buildDashboardWorld, FILINGS, type DashboardWorld } from "./dashboard-fixture.ts";
import { makeTestApp, type Session, type TestApp } from "./helpers.ts";

// Random corrective actions over the dashboard world; every figure is compared with a direct count
// of what was written here (not with the dashboard's own SQL), and with the length of its records.
const MARCH = "from=2026-03-01&to=2026-03-31";
const TZ = "Asia/Shanghai";
const DISTRICTS: Record<string, string> = { E1: "历下区", E3: "历下区", E2: "市中区", E4: "市中区" };

let t: TestApp;
let w: DashboardWorld;
let supervisor: Session;
let headA: Session;

interface Written {
  inspection: string;
  dept: string;
  item: string;
  createdAt: number;
  status: ActionStatus;
  deadline: string;
  onTime: boolean;
  first: "first" | "repeat" | null;
}
const written: Written[] = [];
const reinspected = new Set<string>();
const closedOpen = new Set<string>();

// A small deterministic generator: a failing seed can be replayed.
let seed = 20261206;
const rand = (n: number) => {
  seed = (seed * 1103515245 + 12345) % 2 ** 31;
  return (seed >>> 16) % n;
};
const pick = <T>(xs: readonly T[]) => xs[rand(xs.length)]!;

beforeAll(async () => {
  t = await makeTestApp({ TZ });
  w = await buildDashboardWorld(t);
  await t.user("jiandu", "supervisor");
  await t.user("head-a", "dept_admin", w.deptA);
  supervisor = await t.login("jiandu");
  headA = await t.login("head-a");
  const today = localDate(Date.now(), TZ);
  const yesterday = localDate(Date.now() - 86_400_000, TZ);
  const itemDept = { A1: w.deptA, A2: w.deptA, B1: w.deptB } as const;
  const names = Object.keys(w.inspections);
  for (let k = 0; k < 60; k++) {
    const inspection = pick(names);
    const item = pick(["A1", "A2", "B1"] as const);
    const a: Written = {
      inspection,
      dept: itemDept[item],
      item: w.items[item],
      // Some outside the period, on both sides, and on its edges.
      createdAt: pick([at(2, 28, 23), at(3, 1, 0), at(3, 5), at(3, 20), at(3, 31, 23), at(4, 1, 0)]),
      status: pick(ACTION_STATUSES),
      deadline: pick(["2026-03-10", yesterday, today, "2099-01-01"]),
      onTime: rand(2) === 0,
      first: pick(["first", "repeat", null] as const),
    };
    written.push(a);
    const id = await insertAction(t, {
      inspectionId: w.inspections[inspection]!,
      enterpriseId: w.enterprises[FILINGS[inspection]!.enterprise],
      departmentId: a.dept,
      itemId: a.item,
      status: a.status,
      deadline: a.deadline,
      createdAt: a.createdAt,
    });
    await t.db.run(sql`UPDATE corrective_actions SET first_violation = ${a.first},
      corrected_on_time = ${a.status === "accepted" ? Number(a.onTime) : null} WHERE id = ${id}`);
  }
  for (const name of names) {
    if (rand(3) === 0) {
      reinspected.add(name);
      await t.db.run(sql`UPDATE inspections SET reinspection_of = ${w.inspections[names[0]!]!}
        WHERE id = ${w.inspections[name]!}`);
    }
    if (FILINGS[name]!.status === "closed" && rand(2) === 0) {
      closedOpen.add(name);
      await t.db.run(
        sql`UPDATE inspections SET closed_with_open_actions = 1 WHERE id = ${w.inspections[name]!}`,
      );
    }
  }
});

async function get<T>(path: string, session = supervisor): Promise<T> {
  const res = await t.call(session, "GET", path);
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json()) as T;
}

async function drill(query: string, session = supervisor) {
  const rows: Record<string, unknown>[] = [];
  let cursor: string | null = null;
  do {
    const page: { items: Record<string, unknown>[]; nextCursor: string | null } = await get(
      `/api/dashboard/records?${MARCH}&limit=7&${query}${cursor ? `&cursor=${cursor}` : ""}`,
      session,
    );
    rows.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return rows;
}

type Figures = {
  opened: number;
  onTime: number;
  overdue: number;
  eligible: number;
  first: number;
  firstShare: number | null;
  reinspections: number;
};
type Actions = {
  totals: Figures;
  closedWithOpenActions: number;
  byDepartment: { key: string; figures: Figures }[];
  byDistrict: { key: string; figures: Figures }[];
  byItem: { key: string; figures: Figures }[];
};

const inMarch = (ms: number) => ms >= at(3, 1, 0) && ms < at(4, 1, 0);
const inMarchFiling = (name: string) => inMarch(FILINGS[name]!.start);

function direct(filter: (a: Written) => boolean) {
  const rows = written.filter((a) => inMarch(a.createdAt) && filter(a));
  const eligible = rows.filter((a) => a.first !== null).length;
  const first = rows.filter((a) => a.first === "first").length;
  return {
    opened: rows.length,
    onTime: rows.filter((a) => a.status === "accepted" && a.onTime).length,
    overdue: rows.filter((a) => isOverdue(a, Date.now(), TZ)).length,
    eligible,
    first,
    firstShare: eligible ? Math.round((first / eligible) * 10_000) / 10_000 : null,
  };
}

describe("GET /api/dashboard/actions", () => {
  it("matches a direct count of random actions per department, district and item, and in total", async () => {
    const r = await get<Actions>(`/api/dashboard/actions?${MARCH}`);
    const marchReinspections = [...reinspected].filter(inMarchFiling);
    expect(r.totals).toEqual({ ...direct(() => true), reinspections: marchReinspections.length });
    expect(r.closedWithOpenActions).toBe([...closedOpen].filter(inMarchFiling).length);
    const dept = Object.fromEntries(r.byDepartment.map((x) => [x.key, x.figures]));
    for (const d of [w.deptA, w.deptB]) {
      // 复查 per department counts joint partners too: checked against its records below.
      const { reinspections: _, ...rest } = dept[d]!;
      expect(rest).toEqual(direct((a) => a.dept === d));
    }
    const district = Object.fromEntries(r.byDistrict.map((x) => [x.key, x.figures]));
    for (const name of ["历下区", "市中区"]) {
      const here = (n: string) => DISTRICTS[FILINGS[n]!.enterprise] === name;
      expect(district[name]).toEqual({
        ...direct((a) => here(a.inspection)),
        reinspections: marchReinspections.filter(here).length,
      });
    }
    const item = Object.fromEntries(r.byItem.map((x) => [x.key, x.figures]));
    for (const i of Object.values(w.items))
      expect(item[i]).toEqual({ ...direct((a) => a.item === i), reinspections: 0 });
    expect(r.totals.opened).toBeGreaterThan(0);
    expect(r.totals.overdue).toBeGreaterThan(0);
    expect(r.totals.onTime).toBeGreaterThan(0);
  });

  it("opens exactly the records behind each figure", async () => {
    const r = await get<Actions>(`/api/dashboard/actions?${MARCH}`);
    const cases: [string, number][] = [
      ["metric=actions_opened", r.totals.opened],
      ["metric=actions_on_time", r.totals.onTime],
      ["metric=actions_overdue", r.totals.overdue],
      ["metric=actions_first", r.totals.first],
      ["metric=reinspections", r.totals.reinspections],
      ["metric=closed_open_actions", r.closedWithOpenActions],
      [`metric=actions_overdue&itemId=${w.items.B1}`, direct((a) => a.item === w.items.B1).overdue],
      [`metric=actions_opened&departmentId=${w.deptB}`, direct((a) => a.dept === w.deptB).opened],
      [
        `metric=actions_on_time&district=${encodeURIComponent("市中区")}`,
        direct((a) => DISTRICTS[FILINGS[a.inspection]!.enterprise] === "市中区").onTime,
      ],
    ];
    for (const [query, count] of cases) expect([query, (await drill(query)).length]).toEqual([query, count]);
    const overdue = await drill("metric=actions_overdue");
    expect(overdue.every((x) => (x.action as { status: string }).status.match(/^(open|returned)$/))).toBe(
      true,
    );
  });

  it("shows a department administrator their own department only", async () => {
    const r = await get<Actions>(`/api/dashboard/actions?${MARCH}`, headA);
    expect(r.byDepartment.map((x) => x.key)).toEqual([w.deptA]);
    expect(r.totals).toMatchObject(direct((a) => a.dept === w.deptA));
    expect(r.byItem.map((x) => x.key).sort()).toEqual([w.items.A1, w.items.A2].sort());
    expect((await drill("metric=actions_opened", headA)).length).toBe(
      direct((a) => a.dept === w.deptA).opened,
    );
    const other = await t.call(headA, "GET", `/api/dashboard/actions?${MARCH}&departmentId=${w.deptB}`);
    expect(other.status).toBe(403);
    const otherRecords = await t.call(
      headA,
      "GET",
      `/api/dashboard/records?${MARCH}&metric=actions_opened&departmentId=${w.deptB}`,
    );
    expect(otherRecords.status).toBe(403);
  });

  it("exports a 整改 sheet with the totals", async () => {
    const r = await get<Actions>(`/api/dashboard/actions?${MARCH}`);
    const res = await t.call(supervisor, "GET", `/api/dashboard/export.xlsx?${MARCH}`);
    expect(res.status).toBe(200);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(await res.arrayBuffer());
    const sheet = book.getWorksheet("整改")!;
    expect(sheet).toBeDefined();
    const total = sheet.getRows(2, sheet.rowCount - 1)!.find((x) => x.getCell(1).value === "合计")!;
    expect((total.values as unknown[]).slice(3, 6)).toEqual([
      r.totals.opened,
      r.totals.onTime,
      r.totals.overdue,
    ]);
  });
});
