import { TYPE_LABELS } from "../../src/inspections/labels";
import { api, errorMessage } from "../lib/api";
import { byId, h, replaceChildren, showMessage } from "../lib/dom";
import { formatWindow } from "../lib/inspection-ui";
import { openDialog } from "./dialog";
import { canWrite, message, periodQuery, state } from "./state";
import type { Task } from "./types";

export function taskRow(task: Task): HTMLElement {
  const open = task.status === "planned";
  const actions = h("td", { className: "actions-cell" });
  if (open && canWrite()) {
    actions.append(
      h(
        "button",
        { type: "button", className: "small-button", onclick: () => void openDialog(task) },
        "编辑",
      ),
      " ",
      h(
        "button",
        { type: "button", className: "small-button danger", onclick: () => void removeTask(task) },
        "删除",
      ),
    );
  }
  if (task.inspectionId) {
    actions.append(
      h("a", { href: `/admin/inspections/${encodeURIComponent(task.inspectionId)}` }, "查看联合检查"),
    );
  }
  return h(
    "tr",
    { "data-task-id": task.id, "data-status": task.status },
    h(
      "td",
      {},
      task.enterprise.name,
      h("div", { className: "muted small mono" }, task.enterprise.creditCode),
    ),
    h("td", {}, task.department.name),
    h("td", {}, TYPE_LABELS[task.kind]),
    h("td", {}, formatWindow(task.plannedStart, task.plannedEnd)),
    h("td", {}, task.items.map((i) => `${i.code} ${i.name}`).join("；")),
    h(
      "td",
      {},
      h(
        "span",
        { className: `badge ${open ? "badge-draft" : "badge-published"}` },
        open ? "待匹配" : "已合并",
      ),
    ),
    actions,
  );
}

export async function loadTasks() {
  const body = byId("tasks-body");
  const { items } = await api<{ items: Task[] }>(`/api/planning/tasks?${periodQuery()}`);
  if (items.length === 0) {
    replaceChildren(body, h("tr", {}, h("td", { colSpan: 7, className: "empty" }, "本期间还没有计划任务。")));
    return;
  }
  replaceChildren(body, ...items.map(taskRow));
}

export async function removeTask(task: Task) {
  if (!confirm(`删除对“${task.enterprise.name}”的计划任务？`)) return;
  try {
    await api(`/api/planning/tasks/${encodeURIComponent(task.id)}`, { method: "DELETE" });
    await state.refresh();
  } catch (error) {
    showMessage(message, errorMessage(error));
  }
}
