import { CONCLUSION_LABELS } from "../../src/cases/rules";
import { byId, h, replaceChildren } from "../lib/dom";
import { kpi } from "./drill";
import { nameOf, num, table } from "./format";
import type { CaseFigures, Cases } from "./types";

// The conclusions in the order the server defines them (CONCLUSION_LABELS), one column each.
const CASE_CONCLUSIONS = Object.entries(CONCLUSION_LABELS);

/** Supervision cases (督办, issue 16): counts link to the cases page, not to the drill-down. */
export function renderCases(c: Cases) {
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
