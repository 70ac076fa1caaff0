import { byId, h, replaceChildren } from "../lib/dom";
import { drillLink, kpi } from "./drill";
import { nameOf, num, pct, table } from "./format";
import type { ActionFigures, Actions } from "./types";

/** Corrective actions (整改, issue 15): every count opens its records. */
export function renderActions(a: Actions) {
  const t = a.totals;
  replaceChildren(
    byId("actions-kpis"),
    kpi("下达整改", num(t.opened), { metric: "actions_opened" }),
    kpi("按期整改", num(t.onTime), { metric: "actions_on_time" }),
    kpi("逾期未整改", num(t.overdue), { metric: "actions_overdue" }, "截至今日", t.overdue > 0),
    kpi("复查", num(t.reinspections), { metric: "reinspections" }),
    kpi(
      "首违占比",
      pct(t.firstShare),
      { metric: "actions_first" },
      `首违 ${num(t.first)} / ${num(t.eligible)} 点`,
    ),
    kpi(
      "带未完成整改办结",
      num(a.closedWithOpenActions),
      { metric: "closed_open_actions" },
      "说明理由后办结",
      a.closedWithOpenActions > 0,
    ),
  );
  const row = (
    label: Node | string,
    f: ActionFigures,
    params: Record<string, string>,
    reinspections = true,
  ) => {
    const link = (v: number, metric: string, title: string) =>
      drillLink(num(v), title, { ...params, metric });
    return [
      label,
      link(f.opened, "actions_opened", "下达整改"),
      link(f.onTime, "actions_on_time", "按期整改"),
      link(f.overdue, "actions_overdue", "逾期未整改"),
      reinspections ? link(f.reinspections, "reinspections", "复查") : "—",
      link(f.first, "actions_first", "首违"),
      pct(f.firstShare),
    ];
  };
  const header = (first: string) => [first, "下达整改", "按期整改", "逾期未整改", "复查", "首违", "首违占比"];
  table("actions-dept-table", header("部门"), [
    ...a.byDepartment.map((r) => row(nameOf(r.key), r.figures, { departmentId: r.key })),
    row(h("strong", {}, "合计"), t, {}),
  ]);
  table(
    "actions-district-table",
    header("区县"),
    a.byDistrict.map((r) => row(r.key || "（未填）", r.figures, { district: r.key })),
  );
  table(
    "actions-item-table",
    header("检查事项"),
    a.byItem.map((r) => row(`${r.code} ${r.name}`, r.figures, { itemId: r.key }, false)),
  );
}
