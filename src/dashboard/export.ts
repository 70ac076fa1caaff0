import type * as ExcelJS from "exceljs";
import type { Db } from "../db/client.ts";
import { localDate } from "../lib/time.ts";
import { CONCLUSION_LABELS } from "../cases/rules.ts";
import { CASE_CONCLUSIONS } from "../db/schema.ts";
import { neutraliseCell } from "../lib/cells.ts";
import { actionFigures, type ActionFigures } from "./actions.ts";
import { caseFigures, type CaseFigures } from "./cases.ts";
import { conductFigures, type ConductFigures } from "./conduct.ts";
import { frequencyFigures, visitFigures, type FrequencyFigures, type VisitFigures } from "./overview.ts";
import {
  alertFigures,
  evaluationFigures,
  itemFigures,
  problemFigures,
  type AlertFigures,
  type EvaluationFigures,
} from "./quality.ts";
import { drillDown } from "./records.ts";
import type { DashboardScope } from "./scope.ts";

type Cell = string | number | null;

const MAX_WARNINGS = 20_000;

interface Row {
  visits?: VisitFigures;
  frequency?: FrequencyFigures;
  evaluation?: EvaluationFigures;
  alerts?: AlertFigures;
  conduct?: ConductFigures;
}

const pct = (v: number | null | undefined) =>
  v === null || v === undefined ? null : Math.round(v * 1000) / 10;

/** Columns of the department and district sheets: 企业获得感 first, then visits, then alerts. */
function columns(bureau: boolean): [string, (r: Row) => Cell][] {
  const list: [string, (r: Row) => Cell][] = [
    ["评价数", (r) => r.evaluation?.evaluations ?? 0],
    ["满意度平均分（0–100）", (r) => r.evaluation?.averageScore ?? null],
    ["负面评价数", (r) => r.evaluation?.negative ?? 0],
    ["负面评价率（%）", (r) => pct(r.evaluation?.negativeRate)],
    ["备案数", (r) => r.visits?.filings ?? 0],
    ["实施检查数", (r) => r.visits?.visits ?? 0],
    ["联合检查数", (r) => r.visits?.joint ?? 0],
    ["联合检查占比（%）", (r) => pct(r.visits?.jointShare)],
    ["非现场检查数", (r) => r.visits?.offSite ?? 0],
    ["非现场检查占比（%）", (r) => pct(r.visits?.offSiteShare)],
    ["个案检查数", (r) => r.visits?.cases ?? 0],
    ["个案检查占比（%）", (r) => pct(r.visits?.caseShare)],
    ["补办备案数", (r) => r.visits?.late ?? 0],
    ["不予通过数", (r) => r.visits?.refused ?? 0],
    ["重复检查次数（自然年）", (r) => r.frequency?.repeatVisits ?? 0],
    ["高频检查预警（自然年）", (r) => r.frequency?.highFrequency ?? 0],
    ["投诉数", (r) => (r.conduct ? r.conduct.complaints : 0)],
    ["未备案入企投诉", (r) => (r.conduct ? r.conduct.unfiledVisitComplaints : 0)],
    ["逾期未登记", (r) => r.conduct?.unregisteredVisits ?? 0],
    ["撤回备案", (r) => r.conduct?.cancelled ?? 0],
    ["补办迟延中位数（天）", (r) => r.conduct?.lateDays.median ?? null],
    ["补办迟延平均（天）", (r) => r.conduct?.lateDays.average ?? null],
    ["补办迟延最长（天）", (r) => r.conduct?.lateDays.max ?? null],
    ["补办迟延≤1天", (r) => r.conduct?.lateBuckets.upTo1 ?? 0],
    ["补办迟延1–3天", (r) => r.conduct?.lateBuckets.upTo3 ?? 0],
    ["补办迟延3–10天", (r) => r.conduct?.lateBuckets.upTo10 ?? 0],
    ["补办迟延>10天", (r) => r.conduct?.lateBuckets.over10 ?? 0],
  ];
  if (!bureau) return list;
  return [
    ...list,
    ["告警数", (r) => r.alerts?.raised ?? 0],
    ["未办结告警", (r) => r.alerts?.open ?? 0],
    ["已办结告警", (r) => r.alerts?.closed ?? 0],
    ["首次处理用时中位数（小时）", (r) => r.alerts?.firstHandlingHours.median ?? null],
    ["首次处理用时P90（小时）", (r) => r.alerts?.firstHandlingHours.p90 ?? null],
    ["办结用时中位数（小时）", (r) => r.alerts?.closeHours.median ?? null],
    ["办结用时P90（小时）", (r) => r.alerts?.closeHours.p90 ?? null],
  ];
}

const text = (v: Cell) => (typeof v === "string" ? neutraliseCell(v) : v);

function sheet(book: ExcelJS.Workbook, name: string, header: string[], rows: Cell[][]) {
  const ws = book.addWorksheet(name);
  ws.addRow(header.map(text)).font = { bold: true };
  for (const r of rows) ws.addRow(r.map(text));
  ws.columns.forEach((c, i) => (c.width = i === 0 ? 28 : Math.max(10, Math.min(24, header[i]!.length * 2))));
  ws.views = [{ state: "frozen", ySplit: 1 }];
  return ws;
}

/** Merges the keyed lists of each figure family into one row per key. */
function merge(parts: { [K in keyof Row]?: { key: string; figures: NonNullable<Row[K]> }[] }): Map<
  string,
  Row
> {
  const rows = new Map<string, Row>();
  for (const [family, list] of Object.entries(parts) as [keyof Row, { key: string; figures: never }[]][]) {
    for (const { key, figures } of list ?? []) {
      const row = rows.get(key) ?? {};
      row[family] = figures;
      rows.set(key, row);
    }
  }
  return rows;
}

/** Every high-frequency warning of the scope, up to a sheet's sensible size. */
async function allWarnings(db: Db, s: DashboardScope) {
  const all = [];
  let cursor: string | undefined;
  do {
    const page = await drillDown(db, s, { metric: "highfreq", cursor, limit: 200 });
    all.push(...(page.groups ?? []));
    cursor = page.nextCursor ?? undefined;
  } while (cursor && all.length < MAX_WARNINGS);
  return all;
}

/**
 * The dashboard's figures for assessment (法治督察 / 考核) as an XLSX workbook: a cover sheet with the
 * period and filters, per department, per district, per catalog item, the top negative answers and
 * the high-frequency warnings. Department administrators get their own department, without alerts.
 */
export async function dashboardWorkbook(
  db: Db,
  s: DashboardScope,
  names: Map<string, string>,
): Promise<ArrayBuffer> {
  const visits = await visitFigures(db, s);
  const frequency = await frequencyFigures(db, s);
  const evaluations = await evaluationFigures(db, s);
  const items = await itemFigures(db, s);
  const problems = await problemFigures(db, s);
  const alerts = s.bureau ? await alertFigures(db, s) : null;
  const conduct = await conductFigures(db, s);
  const supervision = await caseFigures(db, s);
  const actions = await actionFigures(db, s);
  // Loaded on the first export, not at start: exceljs adds much of the server's resident memory.
  const { default: Excel } = await import("exceljs");
  const book = new Excel.Workbook();
  book.created = new Date(s.now);
  const cols = columns(s.bureau);
  const period = `${localDate(s.from, s.timeZone)} 至 ${localDate(s.to - 1, s.timeZone)}`;
  sheet(
    book,
    "说明",
    ["项目", "内容"],
    [
      ["统计期间", period],
      ["部门", s.departmentId ? (names.get(s.departmentId) ?? s.departmentId) : "全部"],
      ["区县", s.district ?? "全部"],
      ["生成时间", new Date(s.now).toLocaleString("zh-CN", { timeZone: s.timeZone, hour12: false })],
      ["年度检查上限（每部门每企业）", s.yearlyCap],
      ["重复检查与高频预警统计年度", `${frequency.years[0]}–${frequency.years[1]} 年（自然年）`],
      ["评价口径", s.anonymous ? "部门管理员：仅含已结束且评价数不少于 5 份的整月" : "按评价提交时间"],
      [
        "投诉口径",
        s.anonymous
          ? "按投诉提交时间；部门管理员：仅统计期间内已结束的整月，不按区县拆分，选了区县则不显示"
          : "按投诉提交时间",
      ],
      ["补办迟延", "备案时间减计划检查开始时间（天）；逾期未登记、撤回备案按计划检查开始时间"],
      ["指标定义", "见 docs/DASHBOARD.md"],
    ],
  );
  const table = (title: string, rows: Map<string, Row>, label: (k: string) => string) =>
    sheet(
      book,
      title,
      [title === "部门" ? "部门" : "区县", ...cols.map((c) => c[0])],
      [...[...rows].map(([k, r]) => [label(k), ...cols.map((c) => c[1](r))])],
    );
  table(
    "部门",
    merge({
      visits: visits.byDepartment,
      frequency: frequency.byDepartment,
      evaluation: evaluations.byDepartment,
      alerts: alerts?.byDepartment,
      conduct: conduct.byDepartment,
    }),
    (k) => names.get(k) ?? k,
  );
  table(
    "区县",
    merge({
      visits: visits.byDistrict,
      frequency: frequency.byDistrict,
      evaluation: evaluations.byDistrict,
      alerts: alerts?.byDistrict,
      conduct: conduct.byDistrict,
    }),
    (k) => k || "（未填写）",
  );
  const totals: Row = {
    visits: visits.totals,
    frequency: frequency.totals,
    evaluation: evaluations.totals,
    alerts: alerts?.totals,
    conduct: conduct.totals,
  };
  book.getWorksheet("部门")!.addRow(["合计（联合检查计一次）", ...cols.map((c) => c[1](totals))]).font = {
    bold: true,
  };
  sheet(
    book,
    "检查事项",
    ["事项编码", "事项名称", "部门", "登记数", "不合格数", "不合格率（%）"],
    items.map((i) => [
      i.code,
      i.name,
      names.get(i.departmentId) ?? "",
      i.checked,
      i.failed,
      pct(i.failureRate),
    ]),
  );
  sheet(
    book,
    "问题排行",
    ["负面评价问题", "次数"],
    problems.questions.map((q) => [q.title, q.negative]),
  );
  sheet(
    book,
    "高频预警",
    ["企业", "统一社会信用代码", "部门", "区县", "年度", "备案数", "实施检查数"],
    (await allWarnings(db, s)).map((w) => [
      w.enterprise.name,
      w.enterprise.creditCode,
      w.department.name,
      w.district,
      w.year,
      w.filings,
      w.visits,
    ]),
  );
  const caseRow = (label: string, f: CaseFigures) => [
    label,
    f.opened,
    f.major,
    f.active,
    f.overdue,
    f.closed,
    ...CASE_CONCLUSIONS.map((k) => f.byConclusion[k]),
    f.reviewed,
    f.reviewAverage ?? "",
  ];
  sheet(
    book,
    "督办案件",
    [
      "部门",
      "立案",
      "其中重大",
      "未办结",
      "答复逾期",
      "办结",
      ...CASE_CONCLUSIONS.map((k) => CONCLUSION_LABELS[k]),
      "评查案卷",
      "评查平均得分（%）",
    ],
    [
      ...supervision.byDepartment.map((r) => caseRow(names.get(r.key) ?? r.key, r.figures)),
      caseRow("合计", supervision.totals),
    ],
  );
  const actionRow = (kind: string, name: string, f: ActionFigures, reinspections = true): Cell[] => [
    kind,
    name,
    f.opened,
    f.onTime,
    f.overdue,
    reinspections ? f.reinspections : "",
    f.eligible,
    f.first,
    f.firstShare === null ? "" : Math.round(f.firstShare * 1000) / 10,
  ];
  sheet(
    book,
    "整改",
    [
      "维度",
      "名称",
      "下达整改",
      "按期整改",
      "逾期未整改",
      "复查",
      "可适用首违的不合格点",
      "首违",
      "首违占比（%）",
    ],
    [
      ...actions.byDepartment.map((r) => actionRow("部门", names.get(r.key) ?? r.key, r.figures)),
      ...actions.byDistrict.map((r) => actionRow("区县", r.key || "（未填）", r.figures)),
      ...actions.byItem.map((r) => actionRow("事项", `${r.code} ${r.name}`, r.figures, false)),
      actionRow("合计", "", actions.totals),
      ["合计", "带未完成整改办结的检查", actions.closedWithOpenActions, "", "", "", "", "", ""],
    ],
  );
  return (await book.xlsx.writeBuffer()) as ArrayBuffer;
}
