import { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, Tooltip } from "chart.js";
import { api, errorMessage } from "./lib/api";
import { byId, h, replaceChildren, showMessage } from "./lib/dom";
import { adminPage } from "./lib/layout";

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Tooltip, Legend);

type Keyed<F> = { key: string; figures: F }[];

interface VisitFigures {
  filings: number;
  visits: number;
  joint: number;
  offSite: number;
  cases: number;
  late: number;
  refused: number;
  jointShare: number | null;
  offSiteShare: number | null;
  caseShare: number | null;
}
interface FrequencyFigures {
  repeatVisits: number;
  highFrequency: number;
}
interface EvaluationFigures {
  evaluations: number;
  averageScore: number | null;
  negative: number;
  negativeRate: number | null;
}
interface Hours {
  median: number | null;
  p90: number | null;
}
interface AlertFigures {
  raised: number;
  open: number;
  closed: number;
  firstHandlingHours: Hours;
  closeHours: Hours;
}
interface ConductFigures {
  complaints: number | null;
  unfiledVisitComplaints: number | null;
  unregisteredVisits: number;
  cancelled: number;
  lateFilings: number;
  lateDays: { median: number | null; average: number | null; max: number | null };
  lateBuckets: { upTo1: number; upTo3: number; upTo10: number; over10: number };
}
interface Item {
  itemId: string;
  code: string;
  name: string;
  departmentId: string;
  checked: number;
  failed: number;
  failureRate: number | null;
}
interface Filters {
  period: { from: string; to: string };
  departments: { id: string; code: string; name: string }[];
  districts: string[];
  departmentId: string | null;
  bureau: boolean;
  yearlyCap: number;
}
interface DrillRow {
  inspectionId: string;
  department: { id: string; name: string };
  enterprise: { id: string; name: string; creditCode: string };
  district: string;
  plannedStart: string;
  typeLabel: string;
  statusLabel: string;
  joint: boolean;
  offSite: boolean;
  late: boolean;
  lateDays?: number;
  cancelled?: { at: string | null; reason: string };
  item?: { code: string; name: string };
  evaluation?: { score: number | null; negative: boolean };
  alert?: { status: string; createdAt: string; closedAt: string | null };
}
interface DrillComplaint {
  receiptNo: string;
  kindLabel: string;
  department: { id: string; name: string };
  enterprise: { id: string; name: string; creditCode: string };
  district: string;
  visitDate: string;
  unfiledVisit: boolean;
  status: string;
  text: string;
  createdAt: string;
}
interface DrillGroup {
  department: { id: string; name: string };
  enterprise: { id: string; name: string; creditCode: string };
  district: string;
  year: number;
  filings: number;
  visits: number;
}

const message = byId("message");
const charts = new Map<string, Chart>();
const names = new Map<string, string>();
let filters: Filters;
let drillQuery = "";
let drillCursor: string | null = null;

const pct = (v: number | null | undefined) =>
  v === null || v === undefined ? "—" : `${(v * 100).toFixed(1)}%`;
const num = (v: number | null | undefined) =>
  v === null || v === undefined ? "—" : v.toLocaleString("zh-CN");
const hours = (v: number | null) => (v === null ? "—" : v >= 48 ? `${(v / 24).toFixed(1)} 天` : `${v} 小时`);
const nameOf = (id: string) => names.get(id) ?? id;
const ALERT_LABELS: Record<string, string> = { open: "待处理", assigned: "处理中", closed: "已办结" };
const COMPLAINT_LABELS: Record<string, string> = { received: "已收到", handling: "处理中", closed: "已办结" };
const days = (v: number | null) => (v === null ? "—" : `${v} 天`);

/** The current filters as a query string (also kept in the address bar, so a reload keeps them). */
function scopeQuery(): string {
  const q = new URLSearchParams();
  q.set("from", byId<HTMLInputElement>("from").value);
  q.set("to", byId<HTMLInputElement>("to").value);
  const dept = byId<HTMLSelectElement>("department").value;
  const district = byId<HTMLSelectElement>("district").value;
  if (dept) q.set("departmentId", dept);
  if (district) q.set("district", district);
  return q.toString();
}

/** A link that opens the list of records behind a number. */
function drillLink(text: string, title: string, params: Record<string, string>): HTMLAnchorElement {
  return h(
    "a",
    {
      href: "#drill",
      className: "drill-link",
      "data-metric": params.metric ?? "",
      onclick: (e: Event) => {
        e.preventDefault();
        void openDrill(title, params);
      },
    },
    text,
  );
}

function kpi(label: string, value: string, drill: Record<string, string> | null, sub = "", warn = false) {
  const body = [
    h("span", { className: "label" }, label),
    h("span", { className: "value" }, value),
    sub ? h("span", { className: "sub" }, sub) : null,
  ];
  if (!drill) return h("div", { className: `kpi${warn ? " warn" : ""}` }, ...body);
  return h(
    "button",
    {
      type: "button",
      className: `kpi${warn ? " warn" : ""}`,
      "data-metric": drill.metric ?? "",
      title: "查看明细",
      onclick: () => void openDrill(label, drill),
    },
    ...body,
  );
}

function barChart(
  id: string,
  labels: string[],
  datasets: { label: string; data: number[]; color: string; axis?: string }[],
  opts: { horizontal?: boolean; percentAxis?: boolean } = {},
) {
  charts.get(id)?.destroy();
  const scales: Record<string, object> = { x: { ticks: { autoSkip: false } }, y: { beginAtZero: true } };
  if (datasets.some((d) => d.axis === "y1")) {
    scales.y1 = {
      beginAtZero: true,
      position: "right",
      grid: { drawOnChartArea: false },
      ticks: { callback: (v: number | string) => `${v}%` },
    };
  }
  if (opts.percentAxis)
    scales.x = { beginAtZero: true, ticks: { callback: (v: number | string) => `${v}%` } };
  const chart = new Chart(byId<HTMLCanvasElement>(id), {
    type: "bar",
    data: {
      labels,
      datasets: datasets.map((d) => ({
        maxBarThickness: 56,
        label: d.label,
        data: d.data,
        backgroundColor: d.color,
        yAxisID: d.axis ?? (opts.horizontal ? undefined : "y"),
      })),
    },
    options: {
      indexAxis: opts.horizontal ? "y" : "x",
      maintainAspectRatio: false,
      animation: false,
      plugins: { legend: { position: "bottom" } },
      scales: opts.horizontal ? { x: scales.x!, y: { ticks: { autoSkip: false } } } : scales,
    },
  });
  charts.set(id, chart);
}

const short = (name: string) => name.replace(/^济南市/, "");

function table(id: string, head: string[], rows: (Node | string)[][]) {
  const cells = (row: (Node | string)[], tag: "td" | "th") =>
    row.map((c, i) => h(tag, { className: i > 0 ? "num" : "" }, c));
  replaceChildren(
    byId(id),
    h("thead", {}, h("tr", {}, ...cells(head, "th"))),
    h(
      "tbody",
      {},
      ...(rows.length
        ? rows.map((r) => h("tr", {}, ...cells(r, "td")))
        : [h("tr", {}, h("td", { colspan: String(head.length), className: "muted" }, "暂无数据"))]),
    ),
  );
}

/** Fewest evaluations a department's chart is drawn from (the anonymity threshold, docs/DASHBOARD.md). */
const MIN_EVALUATIONS_SHOWN = 5;

function renderEvaluations(e: {
  totals: EvaluationFigures;
  byDepartment: Keyed<EvaluationFigures>;
  months: unknown[] | null;
}) {
  const bureau = filters.bureau;
  replaceChildren(
    byId("eval-kpis"),
    kpi("评价数", num(e.totals.evaluations), bureau ? { metric: "evaluations" } : null),
    kpi(
      "满意度平均分",
      e.totals.averageScore === null ? "—" : String(e.totals.averageScore),
      null,
      "满分 100",
    ),
    kpi(
      "负面评价",
      num(e.totals.negative),
      bureau ? { metric: "negative" } : null,
      `负面率 ${pct(e.totals.negativeRate)}`,
      e.totals.negative > 0,
    ),
  );
  const note = byId("eval-note");
  note.hidden = e.months === null;
  note.textContent = "评价对被检查部门匿名：仅统计已结束、且本部门评价不少于 5 份的整月。";
  const rows = e.byDepartment.filter((r) => r.figures.evaluations > 0);
  // A department sees its figures only from 5 evaluations on (anonymity): below that an empty chart
  // with 0–1 axes would look broken, so the card says why instead.
  const chartBox = byId("eval-chart").parentElement!;
  const tooFew = !bureau && e.totals.evaluations < MIN_EVALUATIONS_SHOWN;
  chartBox.hidden = tooFew || rows.length === 0;
  if (tooFew) {
    note.hidden = false;
    note.textContent = `评价不足 ${MIN_EVALUATIONS_SHOWN} 份（目前 ${e.totals.evaluations} 份）：为保护评价企业的匿名，满 ${MIN_EVALUATIONS_SHOWN} 份后才显示图表。`;
    return;
  }
  if (rows.length === 0) {
    note.hidden = false;
    note.textContent = "所选期间暂无评价。";
    return;
  }
  barChart(
    "eval-chart",
    rows.map((r) => short(nameOf(r.key))),
    [
      { label: "满意度平均分", data: rows.map((r) => r.figures.averageScore ?? 0), color: "#1d4e89" },
      {
        label: "负面评价率（%）",
        data: rows.map((r) => Math.round((r.figures.negativeRate ?? 0) * 1000) / 10),
        color: "#b3261e",
        axis: "y1",
      },
    ],
  );
}

function visitRow(
  label: Node | string,
  f: VisitFigures,
  params: Record<string, string>,
  freq?: FrequencyFigures,
): (Node | string)[] {
  const link = (v: number, metric: string, title: string) => drillLink(num(v), title, { ...params, metric });
  return [
    label,
    link(f.filings, "filings", "备案"),
    link(f.visits, "visits", "实施检查"),
    link(f.joint, "joint", "联合检查"),
    pct(f.jointShare),
    link(f.offSite, "offsite", "非现场检查"),
    pct(f.offSiteShare),
    link(f.cases, "case", "个案检查"),
    pct(f.caseShare),
    link(f.late, "late", "补办备案"),
    link(f.refused, "refused", "不予通过"),
    freq ? drillLink(num(freq.repeatVisits), "重复检查", { ...params, metric: "repeat" }) : "0",
    freq ? drillLink(num(freq.highFrequency), "高频检查预警", { ...params, metric: "highfreq" }) : "0",
  ];
}

const VISIT_HEAD = [
  "",
  "备案",
  "实施检查",
  "联合",
  "联合占比",
  "非现场",
  "非现场占比",
  "个案",
  "个案占比",
  "补办",
  "不予通过",
  "重复检查",
  "高频预警",
];

function renderVisits(
  v: { totals: VisitFigures; byDepartment: Keyed<VisitFigures>; byDistrict: Keyed<VisitFigures> },
  fq: {
    totals: FrequencyFigures;
    byDepartment: Keyed<FrequencyFigures>;
    byDistrict: Keyed<FrequencyFigures>;
  },
) {
  const t = v.totals;
  replaceChildren(
    byId("visit-kpis"),
    kpi("备案数", num(t.filings), { metric: "filings" }),
    kpi("实施检查", num(t.visits), { metric: "visits" }),
    kpi("联合检查占比", pct(t.jointShare), { metric: "joint" }, `${num(t.joint)} 次`),
    kpi("非现场检查占比", pct(t.offSiteShare), { metric: "offsite" }, `${num(t.offSite)} 次`),
    kpi("个案检查占比", pct(t.caseShare), { metric: "case" }, `${num(t.cases)} 次`),
    kpi("补办备案", num(t.late), { metric: "late" }),
  );
  const freqOf = (list: Keyed<FrequencyFigures>) => new Map(list.map((r) => [r.key, r.figures]));
  const deptFreq = freqOf(fq.byDepartment);
  const districtFreq = freqOf(fq.byDistrict);
  table(
    "dept-table",
    ["部门", ...VISIT_HEAD.slice(1)],
    v.byDepartment.map((r) =>
      visitRow(nameOf(r.key), r.figures, { departmentId: r.key }, deptFreq.get(r.key)),
    ),
  );
  table(
    "district-table",
    ["区县", ...VISIT_HEAD.slice(1)],
    [
      ...v.byDistrict.map((r) =>
        visitRow(r.key || "（未填写）", r.figures, { district: r.key }, districtFreq.get(r.key)),
      ),
      visitRow(h("strong", {}, "合计"), t, {}, fq.totals),
    ],
  );
  const dataset = (list: Keyed<VisitFigures>) => [
    { label: "备案", data: list.map((r) => r.figures.filings), color: "#9bb7d9" },
    { label: "实施检查", data: list.map((r) => r.figures.visits), color: "#1d4e89" },
  ];
  barChart(
    "dept-chart",
    v.byDepartment.map((r) => short(nameOf(r.key))),
    dataset(v.byDepartment),
  );
  barChart(
    "district-chart",
    v.byDistrict.map((r) => r.key || "（未填写）"),
    dataset(v.byDistrict),
  );
}

function renderFrequency(fq: {
  years: [number, number];
  yearlyCap: number;
  totals: FrequencyFigures;
  warnings: {
    departmentId: string;
    enterprise: { id: string; name: string };
    district: string;
    year: number;
    filings: number;
    visits: number;
  }[];
}) {
  const years = fq.years[0] === fq.years[1] ? `${fq.years[0]} 年` : `${fq.years[0]}–${fq.years[1]} 年`;
  byId("freq-note").textContent = `${years}（自然年），每部门每企业年度上限 ${fq.yearlyCap} 次`;
  replaceChildren(
    byId("freq-kpis"),
    kpi("重复检查", num(fq.totals.repeatVisits), { metric: "repeat" }, "同部门同年再查同一企业"),
    kpi(
      "高频检查预警",
      num(fq.totals.highFrequency),
      { metric: "highfreq" },
      `超过年度上限 ${fq.yearlyCap} 次`,
      fq.totals.highFrequency > 0,
    ),
  );
  table(
    "warnings-table",
    ["企业（预警最多的 10 家）", "部门", "区县", "年度", "备案", "实施检查"],
    fq.warnings.map((x) => [
      x.enterprise.name,
      short(nameOf(x.departmentId)),
      x.district,
      String(x.year),
      num(x.filings),
      num(x.visits),
    ]),
  );
}

function conductRow(label: Node | string, f: ConductFigures, params: Record<string, string>) {
  const link = (v: number, metric: string, title: string) => drillLink(num(v), title, { ...params, metric });
  // Complaint records are the bureau's; a department administrator sees the count only.
  const complaint = (v: number | null, metric: string, title: string) =>
    v === null ? "—" : filters.bureau ? link(v, metric, title) : num(v);
  return [
    label,
    complaint(f.complaints, "complaints", "投诉"),
    complaint(f.unfiledVisitComplaints, "unfiled_visit_complaints", "未备案入企投诉"),
    link(f.unregisteredVisits, "unregistered_visits", "逾期未登记"),
    link(f.cancelled, "cancelled", "撤回备案"),
    link(f.lateFilings, "late_filings", "补办备案"),
    days(f.lateDays.median),
    days(f.lateDays.average),
    days(f.lateDays.max),
    num(f.lateBuckets.upTo1),
    num(f.lateBuckets.upTo3),
    num(f.lateBuckets.upTo10),
    num(f.lateBuckets.over10),
  ];
}

const CONDUCT_HEAD = [
  "投诉",
  "未备案入企投诉",
  "逾期未登记",
  "撤回备案",
  "补办",
  "补办迟延中位数",
  "平均",
  "最长",
  "≤1天",
  "1–3天",
  "3–10天",
  ">10天",
];

function renderConduct(c: {
  complaintPeriod: { from: string; to: string } | null;
  totals: ConductFigures;
  byDepartment: Keyed<ConductFigures>;
  byDistrict: Keyed<ConductFigures>;
}) {
  const t = c.totals;
  const bureau = filters.bureau;
  replaceChildren(
    byId("conduct-kpis"),
    kpi(
      "企业投诉",
      num(t.complaints),
      bureau && t.complaints !== null ? { metric: "complaints" } : null,
      `未备案入企 ${num(t.unfiledVisitComplaints)} 件`,
      (t.unfiledVisitComplaints ?? 0) > 0,
    ),
    kpi(
      "逾期未登记",
      num(t.unregisteredVisits),
      { metric: "unregistered_visits" },
      "计划结束后超时未登记检查结果",
      t.unregisteredVisits > 0,
    ),
    kpi("撤回备案", num(t.cancelled), { metric: "cancelled" }),
    kpi(
      "补办迟延（中位数）",
      days(t.lateDays.median),
      { metric: "late_filings" },
      `${num(t.lateFilings)} 件；平均 ${days(t.lateDays.average)}，最长 ${days(t.lateDays.max)}`,
    ),
  );
  const note = byId("conduct-note");
  note.hidden = bureau;
  const months = c.complaintPeriod
    ? `（本次统计 ${new Date(c.complaintPeriod.from).toLocaleDateString("zh-CN")} 至 ${new Date(
        new Date(c.complaintPeriod.to).getTime() - 1,
      ).toLocaleDateString("zh-CN")}）`
    : "（所选期间没有已结束的整月，不显示投诉数）";
  note.textContent = `投诉对被投诉部门匿名：只显示本部门已结束整月的投诉数${months}，不按区县拆分，不显示投诉明细。`;
  table(
    "conduct-dept-table",
    ["部门", ...CONDUCT_HEAD],
    c.byDepartment.map((r) => conductRow(nameOf(r.key), r.figures, { departmentId: r.key })),
  );
  table(
    "conduct-district-table",
    ["区县", ...CONDUCT_HEAD],
    [
      ...c.byDistrict.map((r) => conductRow(r.key || "（未填写）", r.figures, { district: r.key })),
      conductRow(h("strong", {}, "合计"), t, {}),
    ],
  );
}

interface CaseFigures {
  opened: number;
  major: number;
  active: number;
  overdue: number;
  closed: number;
  byConclusion: Record<string, number>;
  reviewed: number;
  reviewAverage: number | null;
}

const CASE_CONCLUSIONS: [string, string][] = [
  ["no_issue", "无问题"],
  ["rectify", "责令整改"],
  ["interview", "约谈"],
  ["notice", "通报"],
  ["transfer", "移送纪检监察"],
  ["accountability", "追责"],
];

/** Supervision cases (督办, issue 16): counts link to the cases page, not to the drill-down. */
function renderCases(c: { totals: CaseFigures; byDepartment: Keyed<CaseFigures> }) {
  const t = c.totals;
  replaceChildren(
    byId("cases-kpis"),
    kpi("立案", num(t.opened), null, `其中重大 ${num(t.major)} 件`),
    kpi("未办结", num(t.active), null),
    kpi("答复逾期", num(t.overdue), null, "部门未按期报送自查", t.overdue > 0),
    kpi("已办结", num(t.closed), null),
  );
  const row = (label: Node | string, f: CaseFigures) => [
    label,
    num(f.opened),
    num(f.major),
    num(f.active),
    num(f.overdue),
    num(f.closed),
    ...CASE_CONCLUSIONS.map(([k]) => num(f.byConclusion[k] ?? 0)),
    num(f.reviewed),
    f.reviewAverage === null ? "—" : `${f.reviewAverage}%`,
  ];
  table(
    "cases-dept-table",
    [
      "部门",
      "立案",
      "重大",
      "未办结",
      "答复逾期",
      "办结",
      ...CASE_CONCLUSIONS.map(([, l]) => l),
      "评查案卷",
      "评查均分",
    ],
    [...c.byDepartment.map((r) => row(nameOf(r.key), r.figures)), row(h("strong", {}, "合计"), t)],
  );
}

function renderItems(items: Item[]) {
  const top = items.filter((i) => i.checked > 0).slice(0, 15);
  barChart(
    "items-chart",
    top.map((i) => `${i.code} ${i.name}`.slice(0, 26)),
    [
      {
        label: "不合格率（%）",
        data: top.map((i) => Math.round((i.failureRate ?? 0) * 1000) / 10),
        color: "#b3261e",
      },
    ],
    { horizontal: true, percentAxis: true },
  );
  table(
    "items-table",
    ["检查事项", "部门", "登记", "不合格", "不合格率"],
    items.map((i) => [
      `${i.code} ${i.name}`,
      short(nameOf(i.departmentId)),
      drillLink(num(i.checked), `${i.code} 登记`, { metric: "checked", itemId: i.itemId }),
      drillLink(num(i.failed), `${i.code} 不合格`, { metric: "failed", itemId: i.itemId }),
      pct(i.failureRate),
    ]),
  );
}

function renderProblems(p: {
  items: Item[];
  questions: { name: string; title: string; negative: number }[];
}) {
  const li = (text: string, count: Node) => h("li", {}, `${text.replace(/[？?]$/, "")}：`, count);
  replaceChildren(
    byId("questions-list"),
    ...(p.questions.length
      ? p.questions
          .slice(0, 10)
          .map((q) =>
            li(
              q.title,
              filters.bureau
                ? drillLink(`${q.negative} 次`, q.title, { metric: "question", question: q.name })
                : document.createTextNode(`${q.negative} 次`),
            ),
          )
      : [h("li", { className: "muted" }, "暂无")]),
  );
  replaceChildren(
    byId("failed-list"),
    ...(p.items.length
      ? p.items.map((i) =>
          li(
            `${i.code} ${i.name}`,
            drillLink(`${i.failed} 次`, `${i.code} 不合格`, { metric: "failed", itemId: i.itemId }),
          ),
        )
      : [h("li", { className: "muted" }, "暂无")]),
  );
}

function renderAlerts(a: { totals: AlertFigures; byDepartment: Keyed<AlertFigures> }) {
  const t = a.totals;
  replaceChildren(
    byId("alert-kpis"),
    kpi("告警", num(t.raised), { metric: "alerts" }),
    kpi("未办结", num(t.open), { metric: "alerts_open" }, "", t.open > 0),
    kpi("已办结", num(t.closed), { metric: "alerts_closed" }),
    kpi(
      "首次处理用时",
      hours(t.firstHandlingHours.median),
      null,
      `中位数；P90 ${hours(t.firstHandlingHours.p90)}`,
    ),
    kpi("办结用时", hours(t.closeHours.median), null, `中位数；P90 ${hours(t.closeHours.p90)}`),
  );
  table(
    "alerts-table",
    [
      "部门",
      "告警",
      "未办结",
      "已办结",
      "首次处理用时中位数",
      "首次处理用时P90",
      "办结用时中位数",
      "办结用时P90",
    ],
    [...a.byDepartment]
      .sort((x, y) => y.figures.raised - x.figures.raised)
      .map((r) => [
        nameOf(r.key),
        drillLink(num(r.figures.raised), "告警", { metric: "alerts", departmentId: r.key }),
        drillLink(num(r.figures.open), "未办结告警", { metric: "alerts_open", departmentId: r.key }),
        drillLink(num(r.figures.closed), "已办结告警", { metric: "alerts_closed", departmentId: r.key }),
        hours(r.figures.firstHandlingHours.median),
        hours(r.figures.firstHandlingHours.p90),
        hours(r.figures.closeHours.median),
        hours(r.figures.closeHours.p90),
      ]),
  );
}

function drillRow(r: DrillRow): (Node | string)[] {
  const flags = [r.joint ? "联合" : "", r.offSite ? "非现场" : "", r.late ? "补办" : ""].filter(Boolean);
  const extra = r.item
    ? `${r.item.code}`
    : r.evaluation
      ? `评分 ${r.evaluation.score ?? "—"}${r.evaluation.negative ? "（负面）" : ""}`
      : r.alert
        ? (ALERT_LABELS[r.alert.status] ?? r.alert.status)
        : r.cancelled
          ? `撤回：${r.cancelled.reason}`
          : r.lateDays !== undefined
            ? `检查后 ${r.lateDays} 天备案`
            : "";
  const time = new Date(r.plannedStart).toLocaleDateString("zh-CN");
  return [
    time,
    h("span", {}, r.enterprise.name, ...flags.map((f) => h("span", { className: "flag" }, f))),
    r.district,
    short(r.department.name),
    r.typeLabel,
    r.statusLabel,
    extra,
    h(
      "a",
      { href: r.alert ? "/admin/alerts" : `/admin/inspections/${encodeURIComponent(r.inspectionId)}` },
      "查看",
    ),
  ];
}

function complaintRow(c: DrillComplaint): (Node | string)[] {
  return [
    new Date(c.createdAt).toLocaleDateString("zh-CN"),
    h(
      "span",
      {},
      c.enterprise.name,
      ...(c.unfiledVisit ? [h("span", { className: "flag" }, "未备案入企")] : []),
    ),
    c.district,
    short(c.department.name),
    c.kindLabel,
    COMPLAINT_LABELS[c.status] ?? c.status,
    `${c.receiptNo}：${c.text.length > 40 ? `${c.text.slice(0, 40)}…` : c.text}`,
    h("a", { href: "/admin/alerts" }, "查看"),
  ];
}

function groupRow(g: DrillGroup): (Node | string)[] {
  return [
    String(g.year),
    g.enterprise.name,
    g.district,
    short(g.department.name),
    `备案 ${g.filings}`,
    `实施 ${g.visits}`,
    "",
    "",
  ];
}

async function loadDrillPage(append: boolean) {
  const page = await api<{
    items: DrillRow[];
    groups?: DrillGroup[];
    complaints?: DrillComplaint[];
    nextCursor: string | null;
  }>(
    `/api/dashboard/records?${drillQuery}${drillCursor ? `&cursor=${encodeURIComponent(drillCursor)}` : ""}`,
  );
  const rows = [
    ...page.items.map(drillRow),
    ...(page.groups ?? []).map(groupRow),
    ...(page.complaints ?? []).map(complaintRow),
  ];
  const body = byId("drill-table").querySelector("tbody")!;
  if (!append) body.replaceChildren();
  for (const r of rows) body.append(h("tr", {}, ...r.map((c) => h("td", {}, c))));
  if (!append && rows.length === 0)
    body.append(h("tr", {}, h("td", { colspan: "8", className: "muted" }, "没有记录")));
  drillCursor = page.nextCursor;
  byId("drill-more").hidden = !drillCursor;
}

async function openDrill(title: string, params: Record<string, string>) {
  const q = new URLSearchParams(scopeQuery());
  for (const [k, v] of Object.entries(params)) q.set(k, v);
  q.set("limit", "50");
  drillQuery = q.toString();
  drillCursor = null;
  const box = byId("drill");
  box.hidden = false;
  byId("drill-heading").textContent = `明细：${title}`;
  replaceChildren(
    byId("drill-table"),
    h(
      "thead",
      {},
      h(
        "tr",
        {},
        ...(params.metric === "complaints" || params.metric === "unfiled_visit_complaints"
          ? ["收到日期", "企业", "区县", "被投诉部门", "投诉类型", "状态", "回执号与内容", ""]
          : ["计划检查日期", "企业", "区县", "部门", "类型", "状态", "", ""]
        ).map((c) => h("th", {}, c)),
      ),
    ),
    h("tbody", {}),
  );
  try {
    await loadDrillPage(false);
    box.scrollTop = 0;
  } catch (error) {
    showMessage(message, errorMessage(error));
  }
}

async function load() {
  const q = scopeQuery();
  history.replaceState(null, "", `?${q}`);
  byId<HTMLAnchorElement>("export").href = `/api/dashboard/export.xlsx?${q}`;
  message.hidden = true;
  try {
    const [evaluations, visits, frequency, items, problems, conduct, cases] = await Promise.all([
      api<Parameters<typeof renderEvaluations>[0]>(`/api/dashboard/evaluations?${q}`),
      api<Parameters<typeof renderVisits>[0]>(`/api/dashboard/visits?${q}`),
      api<Parameters<typeof renderVisits>[1] & Parameters<typeof renderFrequency>[0]>(
        `/api/dashboard/frequency?${q}`,
      ),
      api<{ items: Item[] }>(`/api/dashboard/items?${q}`),
      api<Parameters<typeof renderProblems>[0]>(`/api/dashboard/problems?${q}`),
      api<Parameters<typeof renderConduct>[0]>(`/api/dashboard/conduct?${q}`),
      api<Parameters<typeof renderCases>[0]>(`/api/dashboard/cases?${q}`),
    ]);
    renderEvaluations(evaluations);
    renderVisits(visits, frequency);
    renderFrequency(frequency);
    renderConduct(conduct);
    renderCases(cases);
    renderItems(items.items);
    renderProblems(problems);
    byId("alerts-section").hidden = !filters.bureau;
    if (filters.bureau) renderAlerts(await api(`/api/dashboard/alerts?${q}`));
    document.body.dataset.loaded = "1";
  } catch (error) {
    showMessage(message, errorMessage(error));
  }
}

function fillFilters(f: Filters) {
  const params = new URLSearchParams(location.search);
  byId<HTMLInputElement>("from").value = params.get("from") ?? f.period.from;
  byId<HTMLInputElement>("to").value = params.get("to") ?? f.period.to;
  const dept = byId<HTMLSelectElement>("department");
  replaceChildren(
    dept,
    ...(f.departmentId ? [] : [h("option", { value: "" }, "全部部门")]),
    ...f.departments.map((d) => h("option", { value: d.id }, d.name)),
  );
  dept.value = f.departmentId ?? params.get("departmentId") ?? "";
  dept.disabled = Boolean(f.departmentId);
  const district = byId<HTMLSelectElement>("district");
  replaceChildren(
    district,
    h("option", { value: "" }, "全部区县"),
    ...f.districts.map((d) => h("option", { value: d }, d)),
  );
  district.value = params.get("district") ?? "";
  byId("scope-note").textContent = f.bureau ? "司法局：全部部门" : "部门管理员：仅本部门数据";
}

async function main() {
  await adminPage();
  try {
    filters = await api<Filters>("/api/dashboard/filters");
  } catch (error) {
    showMessage(message, errorMessage(error));
    return;
  }
  for (const d of filters.departments) names.set(d.id, d.name);
  fillFilters(filters);
  byId("filters").addEventListener("submit", (e) => {
    e.preventDefault();
    byId("drill").hidden = true;
    void load();
  });
  byId("drill-close").addEventListener("click", () => (byId("drill").hidden = true));
  document.addEventListener("keydown", (e) => {
    if (e.key === "Escape") byId("drill").hidden = true;
  });
  byId("drill-more").addEventListener(
    "click",
    () => void loadDrillPage(true).catch((e) => showMessage(message, errorMessage(e))),
  );
  await load();
}

void main();
