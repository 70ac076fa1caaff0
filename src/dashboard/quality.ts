import { sql, type SQL } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { breakdown, cube } from "./cube.ts";
import { keyedRows } from "./overview.ts";
import { factFilter, num, periodStarts, rate } from "./sql.ts";
import type { DashboardScope } from "./scope.ts";

const DAY = 86_400_000;

/** Checklist results of one catalog item: registrations that included it and those that failed it. */
export interface ItemFigures {
  itemId: string;
  code: string;
  name: string;
  departmentId: string;
  checked: number;
  failed: number;
  failureRate: number | null;
}

function itemFilter(s: DashboardScope): SQL {
  const parts = [sql`t.planned_start >= ${s.from}`, sql`t.planned_start < ${s.to}`];
  if (s.departmentId) parts.push(sql`t.department_id = ${s.departmentId}`);
  if (s.district) parts.push(sql`t.district = ${s.district}`);
  return sql.join(parts, sql` AND `);
}

/** Failure rate per catalog item over the registered inspections of the period, worst first. */
export async function itemFigures(db: Db, s: DashboardScope): Promise<ItemFigures[]> {
  const rows = await db.all<{ item_id: string; checked: number; failed: number }>(
    sql`SELECT t.item_id, count(*) AS checked, sum(t.failed) AS failed
      FROM dashboard_item_facts t WHERE ${itemFilter(s)} GROUP BY t.item_id`,
  );
  const catalog = await db.all<{ id: string; code: string; name: string; department_id: string }>(
    sql`SELECT id, code, name, department_id FROM catalog_items`,
  );
  const byId = new Map(catalog.map((c) => [c.id, c]));
  return rows
    .map((r) => {
      const item = byId.get(r.item_id);
      const checked = num(r.checked);
      const failed = num(r.failed);
      return {
        itemId: r.item_id,
        code: item?.code ?? "",
        name: item?.name ?? "",
        departmentId: item?.department_id ?? "",
        checked,
        failed,
        failureRate: rate(failed, checked),
      };
    })
    .sort(
      (a, b) =>
        (b.failureRate ?? 0) - (a.failureRate ?? 0) || b.failed - a.failed || a.code.localeCompare(b.code),
    );
}

/** Evaluation figures (企业获得感): how many, the average satisfaction score and the negative rate. */
export interface EvaluationFigures {
  evaluations: number;
  averageScore: number | null;
  negative: number;
  negativeRate: number | null;
}

interface EvaluationRow {
  key: string;
  n: number;
  scored: number;
  score_sum: number;
  negative: number;
}

function toEvaluation(r: Pick<EvaluationRow, "n" | "scored" | "score_sum" | "negative">): EvaluationFigures {
  const n = num(r.n);
  const scored = num(r.scored);
  return {
    evaluations: n,
    averageScore: scored ? Math.round((num(r.score_sum) / scored) * 10) / 10 : null,
    negative: num(r.negative),
    negativeRate: rate(num(r.negative), n),
  };
}

/**
 * For a department administrator: the months (start, end) of the period that are over and hold at
 * least `minGroupSize` evaluations of their department, so no single evaluation can be read off.
 */
export async function anonymousMonths(db: Db, s: DashboardScope): Promise<[number, number][]> {
  const thisMonth = periodStarts(s.now, s.now + 1, s.timeZone, "month")[0]!;
  const whole = periodStarts(s.from, s.to, s.timeZone, "month")
    .map(
      (start) => [start, periodStarts(start, start + 32 * DAY, s.timeZone, "month")[1]!] as [number, number],
    )
    .filter(([start, end]) => start >= s.from && end <= Math.min(s.to, thisMonth));
  if (!whole.length) return [];
  const scope = { ...s, from: whole[0]![0], to: whole.at(-1)![1], district: null };
  // The months travel as one JSON parameter and are joined as a table: one range lookup per month,
  // and a statement of the same size whatever the number of months.
  const rows = await db.all<{ m: number; n: number }>(
    sql`SELECT m.key AS m, count(*) AS n
      FROM json_each(${JSON.stringify(whole)}) m
      JOIN dashboard_facts f ON f.evaluated_at >= m.value ->> 0 AND f.evaluated_at < m.value ->> 1
      WHERE ${factFilter(scope, sql`f.evaluated_at`, true)} GROUP BY m.key`,
  );
  const kept = new Set(rows.filter((r) => num(r.n) >= s.minGroupSize).map((r) => num(r.m)));
  return whole.filter((_, i) => kept.has(i));
}

/** The evaluation-time condition: the period, or for department administrators the kept months. */
function evaluatedWithin(months: [number, number][] | null): SQL {
  if (!months) return sql`1`;
  if (!months.length) return sql`0`;
  // Adjacent kept months make one range: usually a single one.
  const ranges: [number, number][] = [];
  for (const [a, b] of months) {
    const last = ranges.at(-1);
    if (last && last[1] === a) last[1] = b;
    else ranges.push([a, b]);
  }
  return sql`(${sql.join(
    ranges.map(([a, b]) => sql`(f.evaluated_at >= ${a} AND f.evaluated_at < ${b})`),
    sql` OR `,
  )})`;
}

function evaluationWhere(s: DashboardScope, months: [number, number][] | null): SQL {
  const scope = s.anonymous ? { ...s, district: null } : s;
  return sql`${factFilter(scope, sql`f.evaluated_at`, false)} AND ${evaluatedWithin(months)}`;
}

/**
 * The top problems: the catalog items failed most often and the evaluation questions answered
 * negatively most often (an evaluation counts once per question), under the same rules as the
 * item and evaluation figures.
 */
export async function problemFigures(db: Db, s: DashboardScope) {
  const items = (await itemFigures(db, s))
    .filter((i) => i.failed > 0)
    .sort((a, b) => b.failed - a.failed || a.code.localeCompare(b.code))
    .slice(0, 10);
  const months = s.anonymous ? await anonymousMonths(db, s) : null;
  const questions = await db.all<{ name: string; title: string; n: number }>(
    sql`SELECT a.name, max(a.title) AS title, count(*) AS n
      FROM dashboard_facts f JOIN dashboard_negative_answers a ON a.inspection_id = f.inspection_id
      WHERE ${evaluationWhere(s, months)} AND f.negative = 1 ${s.departmentId ? sql`` : sql`AND f.is_lead = 1`}
      GROUP BY a.name ORDER BY n DESC, a.name`,
  );
  return { items, questions: questions.map((q) => ({ name: q.name, title: q.title, negative: num(q.n) })) };
}

const toEvaluationFigures = (f: Record<string, number>) =>
  toEvaluation({
    n: f.evaluations ?? 0,
    scored: f.scored ?? 0,
    score_sum: f.score_sum ?? 0,
    negative: f.negative ?? 0,
  });

/**
 * Evaluation figures per department and district, by evaluation time. Department administrators get
 * their department's whole, sufficiently large months only, and no district split.
 */
export async function evaluationFigures(db: Db, s: DashboardScope) {
  if (!s.anonymous) {
    const parts = breakdown(await cube(db, s, "evaluation"), s);
    return {
      totals: toEvaluationFigures(parts.totals),
      byDepartment: keyedRows(parts.byDepartment, toEvaluationFigures),
      byDistrict: keyedRows(parts.byDistrict, toEvaluationFigures),
      months: null,
    };
  }
  const months = await anonymousMonths(db, s);
  const [row] =
    await db.all<EvaluationRow>(sql`SELECT f.department_id AS key, count(*) AS n, count(f.score) AS scored,
      sum(f.score) AS score_sum, sum(f.negative) AS negative
    FROM dashboard_facts f WHERE ${evaluationWhere(s, months)} GROUP BY f.department_id`);
  const totals = toEvaluation(row ?? { n: 0, scored: 0, score_sum: 0, negative: 0 });
  return {
    totals,
    byDepartment: row ? [{ key: row.key, figures: totals }] : [],
    byDistrict: [],
    months: months.map(([a, b]) => ({ from: new Date(a).toISOString(), to: new Date(b).toISOString() })),
  };
}

/** Alert figures: raised in the period, still open, closed, and handling times. */
export interface AlertFigures {
  raised: number;
  open: number;
  closed: number;
  /** Hours from raising to first handling / to closing: median and 90th percentile. */
  firstHandlingHours: { median: number | null; p90: number | null };
  closeHours: { median: number | null; p90: number | null };
}

/** The nearest-rank percentile of sorted values. */
export function percentile(sorted: number[], p: number): number | null {
  if (!sorted.length) return null;
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** One group's alerts: how many, how many closed, and the handling durations in ms. */
interface AlertGroup {
  raised: number;
  closed: number;
  firstHandling: number[];
  toClose: number[];
}

function toAlertFigures(g: AlertGroup): AlertFigures {
  const hours = (list: number[]) =>
    list.map((ms) => Math.round((ms / 3_600_000) * 10) / 10).sort((a, b) => a - b);
  const first = hours(g.firstHandling);
  const close = hours(g.toClose);
  return {
    raised: g.raised,
    open: g.raised - g.closed,
    closed: g.closed,
    firstHandlingHours: { median: percentile(first, 50), p90: percentile(first, 90) },
    closeHours: { median: percentile(close, 50), p90: percentile(close, 90) },
  };
}

const durations = (text: string | null) => (text ? text.split(",").map(Number) : []);

/**
 * Alerts grouped by `key`, one row per group: the durations come back concatenated, so a year of
 * alerts costs a few rows to read, not thousands. Joins the facts only for the district.
 */
async function alertGroups(db: Db, s: DashboardScope, key: "department" | "district") {
  const district = key === "district" || s.district !== null;
  const parts = [sql`a.created_at >= ${s.from}`, sql`a.created_at < ${s.to}`];
  if (s.departmentId) parts.push(sql`a.department_id = ${s.departmentId}`);
  if (s.district) parts.push(sql`f.district = ${s.district}`);
  const rows = await db.all<{
    key: string;
    raised: number;
    closed: number;
    first: string | null;
    close: string | null;
  }>(
    sql`SELECT ${key === "district" ? sql`f.district` : sql`a.department_id`} AS key, count(*) AS raised,
        sum(a.status = 'closed') AS closed, group_concat(a.first_handled_at - a.created_at) AS first,
        group_concat(a.closed_at - a.created_at) AS close
      FROM alerts a ${district ? sql`JOIN dashboard_facts f ON f.inspection_id = a.inspection_id AND f.department_id = a.department_id` : sql``}
      WHERE ${sql.join(parts, sql` AND `)} GROUP BY key`,
  );
  return rows.map((r) => ({
    key: r.key,
    group: {
      raised: num(r.raised),
      closed: num(r.closed),
      firstHandling: durations(r.first),
      toClose: durations(r.close),
    },
  }));
}

/** Alerts raised in the period per department (the inspection's lead) and per district, and in total. */
export async function alertFigures(db: Db, s: DashboardScope) {
  const departments = await alertGroups(db, s, "department");
  const districts = await alertGroups(db, s, "district");
  const all: AlertGroup = { raised: 0, closed: 0, firstHandling: [], toClose: [] };
  for (const { group } of departments) {
    all.raised += group.raised;
    all.closed += group.closed;
    all.firstHandling.push(...group.firstHandling);
    all.toClose.push(...group.toClose);
  }
  const list = (groups: typeof departments) =>
    groups.map((g) => ({ key: g.key, figures: toAlertFigures(g.group) }));
  return { totals: toAlertFigures(all), byDepartment: list(departments), byDistrict: list(districts) };
}
