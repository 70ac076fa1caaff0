import { api, errorMessage } from "./lib/api";
import { byId, h, replaceChildren, showMessage } from "./lib/dom";
import { adminPage } from "./lib/layout";
import { renderActions } from "./dashboard/actions";
import { renderAlerts } from "./dashboard/alerts";
import { renderCases } from "./dashboard/cases";
import { renderConduct } from "./dashboard/conduct";
import { loadDrillPage, scopeQuery } from "./dashboard/drill";
import { renderEvaluations } from "./dashboard/evaluations";
import { renderItems, renderProblems } from "./dashboard/items";
import { state } from "./dashboard/state";
import type * as T from "./dashboard/types";
import { renderFrequency, renderVisits } from "./dashboard/visits";

async function load() {
  const q = scopeQuery();
  history.replaceState(null, "", `?${q}`);
  byId<HTMLAnchorElement>("export").href = `/api/dashboard/export.xlsx?${q}`;
  state.message.hidden = true;
  try {
    const [evaluations, visits, frequency, items, problems, conduct, cases, actions] = await Promise.all([
      api<T.Evaluations>(`/api/dashboard/evaluations?${q}`),
      api<T.Visits>(`/api/dashboard/visits?${q}`),
      api<T.Frequency>(`/api/dashboard/frequency?${q}`),
      api<T.Items>(`/api/dashboard/items?${q}`),
      api<T.Problems>(`/api/dashboard/problems?${q}`),
      api<T.Conduct>(`/api/dashboard/conduct?${q}`),
      api<T.Cases>(`/api/dashboard/cases?${q}`),
      api<T.Actions>(`/api/dashboard/actions?${q}`),
    ]);
    renderEvaluations(evaluations);
    renderVisits(visits, frequency);
    renderFrequency(frequency);
    renderConduct(conduct);
    renderCases(cases);
    renderActions(actions);
    renderItems(items.items);
    renderProblems(problems);
    byId("alerts-section").hidden = !state.filters.bureau;
    if (state.filters.bureau) renderAlerts(await api<T.Alerts>(`/api/dashboard/alerts?${q}`));
    document.body.dataset.loaded = "1";
  } catch (error) {
    showMessage(state.message, errorMessage(error));
  }
}

function fillFilters(f: T.Filters) {
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
    state.filters = await api<T.Filters>("/api/dashboard/filters");
  } catch (error) {
    showMessage(state.message, errorMessage(error));
    return;
  }
  for (const d of state.filters.departments) state.names.set(d.id, d.name);
  fillFilters(state.filters);
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
    () => void loadDrillPage(true).catch((e) => showMessage(state.message, errorMessage(e))),
  );
  await load();
}

void main();
