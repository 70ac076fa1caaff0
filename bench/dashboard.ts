// Dashboard benchmark: every dashboard query, with typical filters, against a (large) database.
// `node --import tsx bench/dashboard.ts [dbFile]` (default data/large.db, seeded by seed:large if absent).
import { existsSync, realpathSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { sql } from "drizzle-orm";
import { dashboardWorkbook } from "../src/dashboard/export.ts";
import { frequencyFigures, visitFigures } from "../src/dashboard/overview.ts";
import { conductFigures } from "../src/dashboard/conduct.ts";
import { alertFigures, evaluationFigures, itemFigures, problemFigures } from "../src/dashboard/quality.ts";
import { drillDown, type Metric } from "../src/dashboard/records.ts";
import type { DashboardScope } from "../src/dashboard/scope.ts";
import { openDatabase, type Db } from "../src/db/client.ts";
import { parseBound } from "../src/lib/time.ts";
import { seedLarge } from "../src/seed/large.ts";

export interface BenchFigure {
  name: string;
  p50Ms: number;
  p99Ms: number;
  runs: number;
}

const TZ = "Asia/Shanghai";
const DAY = 86_400_000;

/** The filter combinations a supervisor and a department administrator typically use. */
function scopes(now: number, departmentId: string, district: string): [string, DashboardScope][] {
  const year = new Intl.DateTimeFormat("sv-SE", { timeZone: TZ }).format(new Date(now)).slice(0, 4);
  const base: DashboardScope = {
    from: parseBound(`${year}-01-01`, TZ)!,
    to: now,
    departmentId: null,
    district: null,
    timeZone: TZ,
    yearlyCap: 2,
    anonymous: false,
    minGroupSize: 5,
    now,
    bureau: true,
  };
  return [
    ["this year", base],
    ["last 30 days", { ...base, from: now - 30 * DAY }],
    ["two years", { ...base, from: now - 730 * DAY }],
    ["this year, one department", { ...base, departmentId }],
    ["this year, one district", { ...base, district }],
    ["dept admin, this year", { ...base, departmentId, anonymous: true, bureau: false }],
  ];
}

type Query = (db: Db, s: DashboardScope) => Promise<unknown>;

const drill =
  (metric: Metric, extra: { question?: string } = {}): Query =>
  (db, s) =>
    drillDown(db, s, { metric, limit: 50, ...extra });

/** Each dashboard endpoint's query; the bureau-only ones are skipped for the department administrator. */
const QUERIES: [string, Query, { bureauOnly?: boolean }][] = [
  ["visits", visitFigures, {}],
  ["frequency", frequencyFigures, {}],
  ["items", itemFigures, {}],
  ["evaluations", evaluationFigures, {}],
  ["problems", problemFigures, {}],
  ["alerts", alertFigures, { bureauOnly: true }],
  ["conduct", conductFigures, {}],
  ["records: filings", drill("filings"), {}],
  ["records: repeat", drill("repeat"), {}],
  ["records: highfreq", drill("highfreq"), {}],
  ["records: failed", drill("failed"), {}],
  ["records: negative", drill("negative"), { bureauOnly: true }],
  ["records: question", drill("question", { question: "repeat_inspection" }), { bureauOnly: true }],
  ["records: open alerts", drill("alerts_open"), { bureauOnly: true }],
  ["records: unregistered", drill("unregistered_visits"), {}],
  ["records: cancelled", drill("cancelled"), {}],
  ["records: late filings", drill("late_filings"), {}],
  ["records: complaints", drill("complaints"), { bureauOnly: true }],
];

const quantile = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
const round = (ms: number) => Math.round(ms * 10) / 10;

async function measure(name: string, runs: number, fn: () => Promise<unknown>): Promise<BenchFigure> {
  await fn(); // warm-up: statement cache and pages
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    await fn();
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return { name, p50Ms: round(quantile(times, 0.5)), p99Ms: round(quantile(times, 0.99)), runs };
}

/**
 * Runs every dashboard query with each typical filter combination `runs` times (default 20) against
 * `dbFile`, and the XLSX export a few times; returns median and p99 per query and combination.
 */
export async function runDashboardBench(opts: { dbFile: string; runs?: number }): Promise<BenchFigure[]> {
  const runs = opts.runs ?? 20;
  const database = await openDatabase({ url: `file:${resolve(opts.dbFile)}` });
  try {
    const db = database.db;
    const dept = await db.get<{ id: string }>(
      sql`SELECT department_id AS id FROM dashboard_facts GROUP BY department_id ORDER BY count(*) DESC LIMIT 1`,
    );
    const district = await db.get<{ d: string }>(
      sql`SELECT district AS d FROM enterprises GROUP BY district ORDER BY count(*) DESC LIMIT 1`,
    );
    if (!dept || !district) throw new Error(`${opts.dbFile} holds no inspections; run npm run seed:large`);
    const figures: BenchFigure[] = [];
    const combos = scopes(Date.now(), dept.id, district.d);
    for (const [query, fn, o] of QUERIES) {
      for (const [combo, s] of combos) {
        if (o.bureauOnly && !s.bureau) continue;
        figures.push(await measure(`${query} (${combo})`, runs, () => fn(db, s)));
      }
    }
    const names = new Map<string, string>();
    figures.push(
      await measure("export.xlsx (this year)", Math.max(3, Math.floor(runs / 5)), () =>
        dashboardWorkbook(db, combos[0]![1], names),
      ),
    );
    return figures;
  } finally {
    database.close();
  }
}

function printTable(figures: BenchFigure[]) {
  const width = Math.max(...figures.map((f) => f.name.length));
  console.log(`${"query".padEnd(width)}  ${"p50 ms".padStart(8)}  ${"p99 ms".padStart(8)}  runs`);
  for (const f of figures) {
    const flag = f.p50Ms >= 100 && !f.name.startsWith("export") ? "  ← over 100 ms" : "";
    console.log(
      `${f.name.padEnd(width)}  ${f.p50Ms.toFixed(1).padStart(8)}  ${f.p99Ms.toFixed(1).padStart(8)}  ${f.runs}${flag}`,
    );
  }
  const queries = figures.filter((f) => !f.name.startsWith("export"));
  const worst = queries.reduce((a, b) => (b.p50Ms > a.p50Ms ? b : a));
  console.log(
    `\n${queries.length} query/filter combinations; slowest median: ${worst.name} ${worst.p50Ms} ms`,
  );
}

if (process.argv[1] && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const dbFile = process.argv[2] ?? "data/large.db";
  if (!existsSync(dbFile)) {
    console.log(`${dbFile} does not exist: seeding it (seed:large)…`);
    const report = await seedLarge({ url: `file:${resolve(dbFile)}`, log: (line) => console.log(line) });
    console.log(`seeded in ${(report.ms / 1000).toFixed(1)} s`);
  }
  printTable(await runDashboardBench({ dbFile, runs: Number(process.env.BENCH_RUNS || 20) }));
}
