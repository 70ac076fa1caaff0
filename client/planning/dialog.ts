import { inputValue } from "../lib/local-time";
import { TYPE_LABELS } from "../../src/inspections/labels";
import { api, errorMessage } from "../lib/api";
import { errorWithDetails } from "../lib/details";
import { byId, h, replaceChildren, showMessage } from "../lib/dom";

import {
  dayEnd,
  dayStart,
  departmentSelect,
  dialog,
  enterpriseQuery,
  enterpriseSelect,
  state,
  taskMessage,
} from "./state";
import type { Named, Task } from "./types";

/** The kinds a planned task may have, labelled as the inspections they become. */
const KINDS: Task["kind"][] = ["routine", "random", "campaign"];

export function fillKinds() {
  replaceChildren(byId("task-kind"), ...KINDS.map((k) => h("option", { value: k }, TYPE_LABELS[k])));
}

export async function loadDepartments() {
  const { items } = await api<{ items: (Named & { listed: boolean })[] }>("/api/departments");
  replaceChildren(
    departmentSelect,
    ...items.filter((d) => d.listed).map((d) => h("option", { value: d.id }, d.name)),
  );
}

export async function searchEnterprises(keep?: Named) {
  const params = new URLSearchParams({ limit: "20" });
  if (enterpriseQuery.value.trim()) params.set("q", enterpriseQuery.value.trim());
  const { items } = await api<{ items: (Named & { creditCode: string })[] }>(`/api/enterprises?${params}`);
  const options = items.map((e) => h("option", { value: e.id }, `${e.name}（${e.creditCode}）`));
  if (keep && !items.some((e) => e.id === keep.id)) {
    options.unshift(h("option", { value: keep.id }, keep.name));
  }
  replaceChildren(enterpriseSelect, ...options);
  if (keep) enterpriseSelect.value = keep.id;
}

export async function loadItems(departmentId: string, checked: string[]) {
  const params = new URLSearchParams({ department: departmentId, status: "active" });
  const { items } = await api<{ items: { id: string; code: string; name: string }[] }>(
    `/api/catalog/items?${params}`,
  );
  replaceChildren(
    byId("task-items"),
    ...(items.length
      ? items.map((i) =>
          h(
            "label",
            {},
            h("input", { type: "checkbox", value: i.id, checked: checked.includes(i.id) }),
            `${i.code} ${i.name}`,
          ),
        )
      : ["本部门清单中没有现行事项。"]),
  );
}

export const dialogDepartment = () =>
  state.me.role === "admin" ? departmentSelect.value : (state.me.departmentId ?? "");

export async function openDialog(task: Task | null) {
  state.editing = task;
  byId("task-heading").textContent = task ? "修改计划任务" : "录入计划任务";
  showMessage(taskMessage, "");
  byId("task-department-field").hidden = state.me.role !== "admin" || task !== null;
  if (task) departmentSelect.value = task.department.id;
  enterpriseQuery.value = "";
  byId<HTMLSelectElement>("task-kind").value = task?.kind ?? "routine";
  byId<HTMLInputElement>("task-start").value = task
    ? inputValue(Date.parse(task.plannedStart)).slice(0, 10)
    : "";
  byId<HTMLInputElement>("task-end").value = task ? inputValue(Date.parse(task.plannedEnd)).slice(0, 10) : "";
  byId<HTMLTextAreaElement>("task-notes").value = task?.notes ?? "";
  dialog.showModal();
  try {
    await Promise.all([
      searchEnterprises(task?.enterprise),
      loadItems(task?.department.id ?? dialogDepartment(), task?.items.map((i) => i.id) ?? []),
    ]);
  } catch (error) {
    showMessage(taskMessage, errorMessage(error));
  }
}

export async function saveTask(event: Event) {
  event.preventDefault();
  const start = byId<HTMLInputElement>("task-start").value;
  const end = byId<HTMLInputElement>("task-end").value;
  const body = {
    enterpriseId: enterpriseSelect.value,
    kind: byId<HTMLSelectElement>("task-kind").value,
    plannedStart: dayStart(start),
    plannedEnd: dayEnd(end),
    itemIds: [...byId("task-items").querySelectorAll<HTMLInputElement>("input:checked")].map((i) => i.value),
    notes: byId<HTMLTextAreaElement>("task-notes").value,
  };
  const submit = byId<HTMLButtonElement>("task-submit");
  submit.disabled = true;
  try {
    if (state.editing) {
      await api(`/api/planning/tasks/${encodeURIComponent(state.editing.id)}`, { method: "PATCH", body });
    } else {
      const departmentId = state.me.role === "admin" ? departmentSelect.value : undefined;
      await api("/api/planning/tasks", { method: "POST", body: { ...body, departmentId } });
    }
    dialog.close();
    await state.refresh();
  } catch (error) {
    replaceChildren(taskMessage, errorWithDetails(error));
    taskMessage.className = "message message-error";
    taskMessage.hidden = false;
  } finally {
    submit.disabled = false;
  }
}
