import { byId, h, replaceChildren } from "../lib/dom";
import { localDay } from "../lib/local-time";
import { drillLink, kpi } from "./drill";
import { days, nameOf, num, table } from "./format";
import { state } from "./state";
import type { Conduct, ConductFigures } from "./types";

function conductRow(label: Node | string, f: ConductFigures, params: Record<string, string>) {
  const link = (v: number, metric: string, title: string) => drillLink(num(v), title, { ...params, metric });
  // Complaint records are the bureau's; a department administrator sees the count only.
  const complaint = (v: number | null, metric: string, title: string) =>
    v === null ? "—" : state.filters.bureau ? link(v, metric, title) : num(v);
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

export function renderConduct(c: Conduct) {
  const t = c.totals;
  const bureau = state.filters.bureau;
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
    ? `（本次统计 ${localDay(c.complaintPeriod.from)} 至 ${localDay(Date.parse(c.complaintPeriod.to) - 1)}）`
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
