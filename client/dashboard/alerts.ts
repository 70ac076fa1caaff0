import { byId, replaceChildren } from "../lib/dom";
import { drillLink, kpi } from "./drill";
import { hours, nameOf, num, table } from "./format";
import type { Alerts } from "./types";

export function renderAlerts(a: Alerts) {
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
