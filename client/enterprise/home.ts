import { byId, formatTime, h, replaceChildren } from "../lib/dom";
import { renderEnterpriseActions } from "../lib/enterprise-actions";
import { entApi, show, state } from "./state";
import type { Me, Summary } from "./types";

function card(item: Summary) {
  const badges = [
    h("span", { className: "badge" }, item.statusLabel),
    item.evaluationOpen ? h("span", { className: "badge badge-open" }, "可评价") : null,
    item.evaluated ? h("span", { className: "badge badge-valid" }, "已评价") : null,
    item.enterpriseArrivalAt ? h("span", { className: "badge" }, "已确认到达") : null,
  ];
  const link = h(
    "a",
    { href: `/e/inspections/${encodeURIComponent(item.id)}`, "data-id": item.id },
    h(
      "div",
      { className: "ent-card-head" },
      h("span", { className: "ent-card-title" }, item.departments.join("、") || "检查"),
      h("span", { className: "muted small" }, item.typeLabel),
    ),
    h("div", { className: "small" }, `${formatTime(item.plannedStart)} 至 ${formatTime(item.plannedEnd)}`),
    h("div", { className: "ent-card-items muted" }, item.items.map((i) => i.name).join("；")),
    h("div", { className: "ent-badges" }, ...badges),
  );
  link.addEventListener("click", (event) => {
    event.preventDefault();
    history.pushState(null, "", link.getAttribute("href")!);
    void state.route();
  });
  return h("li", {}, link);
}

export async function renderHome(me: Me) {
  byId("enterprise-name").textContent = me.enterprise.name;
  byId("enterprise-code").textContent = `统一社会信用代码：${me.enterprise.creditCode}`;
  const { items } = await entApi<{ items: Summary[] }>("/api/enterprise/inspections");
  const empty = (text: string) => h("li", { className: "ent-empty" }, text);
  const upcoming = items.filter((i) => i.upcoming).reverse();
  const past = items.filter((i) => !i.upcoming);
  replaceChildren(
    byId("upcoming"),
    ...(upcoming.length ? upcoming.map(card) : [empty("暂无计划中的检查。")]),
  );
  replaceChildren(byId("past"), ...(past.length ? past.map(card) : [empty("暂无已进行的检查。")]));
  await renderEnterpriseActions(entApi);
  document.title = `我的检查 · ${me.enterprise.name} · 亮码`;
  show("home");
}
