import { byId, replaceChildren } from "../lib/dom";
import { kpi } from "./drill";
import { barChart, nameOf, num, pct, short } from "./format";
import { state } from "./state";
import type { Evaluations } from "./types";

/** Fewest evaluations a department's chart is drawn from (the anonymity threshold, docs/DASHBOARD.md). */
const MIN_EVALUATIONS_SHOWN = 5;

export function renderEvaluations(e: Evaluations) {
  const bureau = state.filters.bureau;
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
