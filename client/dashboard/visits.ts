import { byId, h, replaceChildren } from "../lib/dom";
import { drillLink, kpi } from "./drill";
import { barChart, nameOf, num, pct, short, table } from "./format";
import type { Frequency, FrequencyFigures, Keyed, VisitFigures, Visits } from "./types";

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

export function renderVisits(v: Visits, fq: Frequency) {
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

export function renderFrequency(fq: Frequency) {
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
