import { api, errorMessage } from "../lib/api";
import { byId, formatTime, h, replaceChildren, showMessage } from "../lib/dom";
import { message, state } from "./state";
import type { Conflict } from "./types";

export async function loadConflicts() {
  const { items } = await api<{ items: Conflict[] }>("/api/sampling/conflicts");
  const body = byId("conflicts-body");
  if (!items.length) {
    replaceChildren(body, h("tr", {}, h("td", { colspan: "5", className: "empty" }, "暂无回避登记。")));
    return;
  }
  replaceChildren(
    body,
    ...items.map((c) =>
      h(
        "tr",
        {},
        h("td", {}, c.officer.name),
        h("td", {}, `${c.enterprise.name}（${c.enterprise.creditCode}）`),
        h("td", {}, c.reason),
        h("td", {}, formatTime(c.createdAt)),
        h(
          "td",
          {},
          state.user.role === "admin" || state.user.role === "dept_admin"
            ? h(
                "button",
                { type: "button", className: "small-button", onclick: () => void deleteConflict(c) },
                "删除",
              )
            : null,
        ),
      ),
    ),
  );
}

export async function deleteConflict(c: Conflict) {
  if (!confirm(`删除 ${c.officer.name} 与 ${c.enterprise.name} 的回避登记？`)) return;
  try {
    await api(`/api/sampling/conflicts/${c.id}`, { method: "DELETE" });
    await loadConflicts();
  } catch (error) {
    showMessage(message, errorMessage(error));
  }
}

export async function searchEnterprises() {
  const q = byId<HTMLInputElement>("conflict-enterprise-q").value.trim();
  if (q.length < 2) return;
  const { items } = await api<{ items: { id: string; name: string; creditCode: string }[] }>(
    `/api/enterprises?limit=20&q=${encodeURIComponent(q)}`,
  );
  state.enterpriseChoices = items.map((e) => ({ id: e.id, label: `${e.name}（${e.creditCode}）` }));
  replaceChildren(
    byId("conflict-enterprises"),
    ...state.enterpriseChoices.map((e) => h("option", { value: e.label })),
  );
}

export async function setUpConflictForm() {
  const form = byId<HTMLFormElement>("conflict-form");
  form.hidden = false;
  const department =
    state.user.role === "admin" ? "" : `&department=${encodeURIComponent(state.user.departmentId ?? "")}`;
  const { items } = await api<{
    items: { id: string; name: string; departmentName: string; isHelper: boolean }[];
  }>(`/api/officers?status=active&helper=0${department}`);
  replaceChildren(
    byId("conflict-officer"),
    ...items.map((o) =>
      h("option", { value: o.id }, state.user.role === "admin" ? `${o.name}（${o.departmentName}）` : o.name),
    ),
  );
  byId("conflict-enterprise-q").addEventListener(
    "input",
    () => void searchEnterprises().catch(() => undefined),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const label = byId<HTMLInputElement>("conflict-enterprise-q").value;
    const enterprise = state.enterpriseChoices.find((e) => e.label === label);
    if (!enterprise) {
      showMessage(message, "请从列表中选择企业");
      return;
    }
    try {
      await api("/api/sampling/conflicts", {
        method: "POST",
        body: {
          officerId: byId<HTMLSelectElement>("conflict-officer").value,
          enterpriseId: enterprise.id,
          reason: byId<HTMLInputElement>("conflict-reason").value,
        },
      });
      form.reset();
      showMessage(message, "已登记回避。", "ok");
      await loadConflicts();
    } catch (error) {
      showMessage(message, errorMessage(error));
    }
  });
}
