import { RISK_LABELS } from "../../src/sampling/labels";
import { api, errorMessage } from "../lib/api";
import { byId, h, replaceChildren, showMessage } from "../lib/dom";
import type { Department } from "../lib/types";
import { message, state } from "./state";
import { refresh } from "./tasks";
import type { Task } from "./types";

export function checkboxes(container: HTMLElement, options: { value: string; label: string }[]) {
  replaceChildren(
    container,
    ...(options.length
      ? options.map((o) => h("label", {}, h("input", { type: "checkbox", value: o.value }), o.label))
      : [h("span", { className: "muted small" }, "（无可选项）")]),
  );
}

export const checked = (id: string) =>
  [...byId(id).querySelectorAll<HTMLInputElement>("input[type=checkbox]:checked")].map((i) => i.value);

export async function loadItems() {
  const department = byId<HTMLSelectElement>("task-department").value || state.user.departmentId || "";
  const { items } = await api<{ items: { id: string; code: string; name: string; status: string }[] }>(
    `/api/catalog/items?status=active&department=${encodeURIComponent(department)}`,
  );
  checkboxes(
    byId("items"),
    items.map((i) => ({ value: i.id, label: `${i.code} ${i.name}` })),
  );
}

export async function setUpForm() {
  byId("create-card").hidden = false;
  checkboxes(
    byId("risk-levels"),
    Object.entries(RISK_LABELS).map(([value, label]) => ({ value, label })),
  );
  const today = new Date();
  const iso = (d: Date) => d.toISOString().slice(0, 10);
  byId<HTMLInputElement>("period-from").value = iso(new Date(today.getTime() + 86_400_000));
  byId<HTMLInputElement>("period-to").value = iso(new Date(today.getTime() + 30 * 86_400_000));
  const select = byId<HTMLSelectElement>("task-department");
  if (state.user.role === "admin") {
    const { items } = await api<{ items: Department[] }>("/api/departments");
    select.append(...items.map((d) => h("option", { value: d.id }, d.name)));
    select.addEventListener("change", () => void loadItems());
  } else {
    byId("department-field").hidden = true;
  }
  const options = await api<{ districts: string[]; industries: string[] }>("/api/sampling/options");
  checkboxes(
    byId("districts"),
    options.districts.map((d) => ({ value: d, label: d })),
  );
  checkboxes(
    byId("industries"),
    options.industries.map((d) => ({ value: d, label: d })),
  );
  await loadItems();
  byId<HTMLFormElement>("task-form").addEventListener("submit", (event) => {
    event.preventDefault();
    void createTask();
  });
}

export async function createTask() {
  const ratio = (g: string) => Number(byId<HTMLInputElement>(`ratio-${g}`).value || 0);
  const body = {
    name: byId<HTMLInputElement>("task-name").value,
    departmentIds:
      state.user.role === "admin" ? [byId<HTMLSelectElement>("task-department").value] : undefined,
    itemIds: checked("items"),
    periodFrom: byId<HTMLInputElement>("period-from").value,
    periodTo: byId<HTMLInputElement>("period-to").value,
    filters: {
      districts: checked("districts"),
      industries: checked("industries"),
      riskLevels: checked("risk-levels"),
    },
    ratios: { A: ratio("A"), B: ratio("B"), C: ratio("C"), D: ratio("D") },
    triggeredCreditCodes: byId<HTMLTextAreaElement>("triggered")
      .value.split(/[\s,，;；]+/)
      .filter(Boolean),
    inspectorsPerEnterprise: Number(byId<HTMLInputElement>("per-enterprise").value || 2),
  };
  try {
    const { task } = await api<{ task: Task }>("/api/sampling/tasks", { method: "POST", body });
    showMessage(message, `已创建抽查任务「${task.name}」。下一步：冻结范围并公布承诺值。`, "ok");
    state.selected = task.id;
    await refresh();
  } catch (error) {
    showMessage(message, `创建失败：${errorMessage(error)}`);
  }
}
