import { byId, h, replaceChildren } from "../lib/dom";
import { drillLink } from "./drill";
import { barChart, nameOf, num, pct, short, table } from "./format";
import { state } from "./state";
import type { Item, Problems } from "./types";

export function renderItems(items: Item[]) {
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

export function renderProblems(p: Problems) {
  const li = (text: string, count: Node) => h("li", {}, `${text.replace(/[？?]$/, "")}：`, count);
  replaceChildren(
    byId("questions-list"),
    ...(p.questions.length
      ? p.questions
          .slice(0, 10)
          .map((q) =>
            li(
              q.title,
              state.filters.bureau
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
