import { STATUS_LABELS } from "../../src/sampling/labels";
import { api, errorMessage } from "../lib/api";
import { byId, formatTime, h, replaceChildren, showMessage } from "../lib/dom";
import { canManage, message, state } from "./state";
import { facts, gradeTable, outcomeTable } from "./task-view";
import type { Summary, Task } from "./types";

export async function refresh() {
  const { items } = await api<{ items: Summary[] }>("/api/sampling/tasks");
  const body = byId("tasks-body");
  if (!items.length) {
    replaceChildren(body, h("tr", {}, h("td", { colspan: "5", className: "empty" }, "还没有抽查任务。")));
  } else {
    replaceChildren(
      body,
      ...items.map((t) =>
        h(
          "tr",
          {
            "data-id": t.id,
            className: t.id === state.selected ? "selected" : "",
            onclick: () => void open(t.id),
          },
          h("td", {}, h("a", { href: `#${t.id}` }, t.name)),
          h("td", {}, t.departments.map((d) => d.name).join("、")),
          h("td", {}, `${t.periodFrom} 至 ${t.periodTo}`),
          h("td", {}, STATUS_LABELS[t.status] ?? t.status),
          h("td", {}, formatTime(t.createdAt)),
        ),
      ),
    );
  }
  if (state.selected) await open(state.selected);
}

const STEPS: { status: string; label: string }[] = [
  { status: "draft", label: "1 创建" },
  { status: "committed", label: "2 冻结并公布承诺值" },
  { status: "drawn", label: "3 抽取" },
  { status: "published", label: "4 公开种子并公示" },
];

export function stepList(task: Task) {
  const at = STEPS.findIndex((s) => s.status === task.status);
  return STEPS.map((s, i) =>
    h("li", { className: i < at ? "done" : i === at ? "current" : "" }, s.label),
  ).concat(h("li", { className: task.filedAt ? "done" : "" }, "5 生成备案"));
}

export function actionButtons(task: Task): HTMLElement[] {
  if (!canManage(task)) return [];
  const button = (label: string, step: string, confirmText: string) =>
    h(
      "button",
      {
        type: "button",
        className: "primary",
        "data-step": step,
        onclick: () => void runStep(task, step, confirmText),
      },
      label,
    );
  const buttons: HTMLElement[] = [];
  if (task.status === "draft")
    buttons.push(
      button(
        "冻结范围并公布承诺值",
        "commit",
        "冻结后抽查范围、执法人员库不再变化，并立即公布随机种子的承诺值。继续？",
      ),
    );
  if (task.status === "committed")
    buttons.push(button("抽取", "draw", "用已承诺的种子抽取企业和执法人员。继续？"));
  if (task.status === "drawn")
    buttons.push(button("公开种子并公示", "reveal", "公开随机种子和抽查结果，任何人都可以核验。继续？"));
  if ((task.status === "drawn" || task.status === "published") && !task.filedAt) {
    buttons.push(button("生成双随机检查备案", "file", "为抽中的企业生成「双随机」检查备案。继续？"));
  }
  if (task.status !== "draft") {
    buttons.push(
      h(
        "a",
        { className: "button", href: `/sampling/public/${task.id}`, target: "_blank", rel: "noopener" },
        "查看公示",
      ),
    );
  }
  return buttons;
}

export async function runStep(task: Task, step: string, confirmText: string) {
  if (!confirm(confirmText)) return;
  try {
    await api(`/api/sampling/tasks/${task.id}/${step}`, { method: "POST" });
    showMessage(message, "", "ok");
    await refresh();
  } catch (error) {
    showMessage(message, errorMessage(error));
  }
}

export async function open(id: string) {
  state.selected = id;
  for (const row of byId("tasks-body").querySelectorAll("tr[data-id]")) {
    row.classList.toggle("selected", (row as HTMLElement).dataset.id === id);
  }
  const { task } = await api<{ task: Task }>(`/api/sampling/tasks/${id}`);
  byId("task-card").hidden = false;
  byId("task-heading").textContent = `${task.name}（${STATUS_LABELS[task.status] ?? task.status}）`;
  replaceChildren(byId("steps"), ...stepList(task));
  replaceChildren(byId("step-actions"), ...actionButtons(task));
  replaceChildren(byId("task-facts"), ...facts(task));
  replaceChildren(byId("grades"), gradeTable(task));
  replaceChildren(byId("outcome"), outcomeTable(task));
}
