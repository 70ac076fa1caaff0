import { api, errorMessage } from "./lib/api";
import { byId, h, replaceChildren, showMessage } from "./lib/dom";
import { adminPage } from "./lib/layout";
import {
  itemStatus,
  TASK_STATUS,
  type ReviewItem,
  type ReviewList,
  type ReviewTask,
} from "./lib/review-types";

const message = byId("message");
const taskBox = byId("task");
let reviewers = new Map<string, string>();
let departments = new Map<string, string>();
let meId = "";

function selected(): string | null {
  return new URLSearchParams(location.search).get("task");
}

function select(id: string) {
  history.replaceState(null, "", `/admin/reviews?task=${encodeURIComponent(id)}`);
  void showTask(id);
}

async function loadList() {
  const list = await api<ReviewList>("/api/reviews");
  reviewers = new Map(list.reviewers.map((r) => [r.id, r.name]));
  const box = byId("task-items");
  if (list.items.length === 0) replaceChildren(box, h("li", { className: "empty" }, "还没有评查任务。"));
  else
    replaceChildren(
      box,
      ...list.items.map((t) =>
        h(
          "li",
          {},
          h(
            "a",
            {
              className: "case-card",
              href: `/admin/reviews?task=${encodeURIComponent(t.id)}`,
              "data-id": t.id,
              onclick: (event: Event) => {
                event.preventDefault();
                select(t.id);
              },
            },
            h(
              "div",
              { className: "line1" },
              h("strong", {}, t.name),
              h("span", { className: `badge badge-${t.status}` }, TASK_STATUS[t.status]),
            ),
            h("div", { className: "muted" }, `检查登记 ${t.periodFrom} 至 ${t.periodTo}`),
          ),
        ),
      ),
    );
  return list;
}

function itemCard(task: ReviewTask, item: ReviewItem) {
  const mine = item.reviewerId === meId && item.score === null;
  return h(
    "li",
    { className: "case-card review-item", "data-item": item.id },
    h(
      "div",
      { className: "line1" },
      h("a", { href: `/admin/inspections/${encodeURIComponent(item.inspectionId)}` }, "检查案卷"),
      h(
        "span",
        { className: `badge ${item.score !== null && item.score < task.threshold ? "badge-overdue" : ""}` },
        itemStatus(item, task.threshold),
      ),
      item.score !== null
        ? h("strong", { className: "review-score" }, `${item.score} / ${item.maxScore} 分`)
        : null,
    ),
    h("div", { className: "muted" }, `评查人员：${reviewers.get(item.reviewerId ?? "") ?? "—"}`),
    h(
      "div",
      { className: "line1" },
      h(
        "a",
        {
          href: `/admin/reviews/items/${encodeURIComponent(item.id)}`,
          className: mine ? "button primary" : "",
        },
        item.score === null ? (mine ? "去评分" : "查看评查表") : "查看评分",
      ),
      item.caseId
        ? h(
            "a",
            { href: `/admin/cases/${encodeURIComponent(item.caseId)}`, className: "case-link" },
            "已立案督办 →",
          )
        : null,
    ),
  );
}

function verificationLink(task: ReviewTask) {
  const blob = new Blob([JSON.stringify(task.verification, null, 2)], { type: "application/json" });
  return h(
    "a",
    { href: URL.createObjectURL(blob), download: `案卷评查-${task.id}.json`, id: "verification" },
    "下载验证文件",
  );
}

function renderTask(task: ReviewTask) {
  const byDept = new Map<string, ReviewItem[]>();
  for (const item of task.items)
    byDept.set(item.departmentId, [...(byDept.get(item.departmentId) ?? []), item]);
  const draw = h("button", { type: "button", className: "primary", id: "draw" }, "抽取案卷并公布种子");
  draw.addEventListener("click", async () => {
    draw.disabled = true;
    try {
      renderTask(
        await api<ReviewTask>(`/api/reviews/${encodeURIComponent(task.id)}/draw`, { method: "POST" }),
      );
      void loadList();
    } catch (error) {
      showMessage(message, `抽取失败：${errorMessage(error)}`);
      draw.disabled = false;
    }
  });
  replaceChildren(
    taskBox,
    h(
      "div",
      { className: "line1" },
      h("h2", {}, task.name),
      h("span", { className: `badge badge-${task.status}`, id: "task-status" }, TASK_STATUS[task.status]),
    ),
    h(
      "dl",
      { className: "case-facts" },
      h("dt", {}, "检查登记期间"),
      h("dd", {}, `${task.periodFrom} 至 ${task.periodTo}`),
      h("dt", {}, "每部门抽取"),
      h("dd", {}, `${task.perDepartment} 份`),
      h("dt", {}, "分数线"),
      h("dd", {}, `${task.threshold} 分`),
      h("dt", {}, "种子承诺值"),
      h("dd", { className: "hash" }, task.commitment),
      h("dt", {}, "种子"),
      h("dd", { className: "hash", id: "seed" }, task.seed ?? "抽取时公布"),
    ),
    task.status === "committed"
      ? h("p", {}, draw)
      : h(
          "p",
          {},
          verificationLink(task),
          h("span", { className: "muted" }, "（可用 npm run verify-draw 复核）"),
        ),
    task.status === "drawn" && task.items.length === 0
      ? h("p", { className: "muted" }, "期间内没有已登记的检查。")
      : null,
    ...[...byDept].map(([dept, items]) =>
      h(
        "section",
        { className: "review-dept" },
        h("h3", {}, `${departments.get(dept) ?? dept}（${items.length} 份）`),
        h("ul", { className: "case-items" }, ...items.map((i) => itemCard(task, i))),
      ),
    ),
  );
  taskBox.hidden = false;
}

async function showTask(id: string) {
  try {
    renderTask(await api<ReviewTask>(`/api/reviews/${encodeURIComponent(id)}`));
  } catch (error) {
    showMessage(message, `评查任务加载失败：${errorMessage(error)}`);
  }
}

function createForm(list: ReviewList) {
  const today = new Date();
  byId<HTMLInputElement>("to").value = today.toISOString().slice(0, 10);
  byId<HTMLInputElement>("from").value = new Date(today.getTime() - 90 * 86_400_000)
    .toISOString()
    .slice(0, 10);
  replaceChildren(
    byId("reviewers"),
    ...list.reviewers.map((r) =>
      h("label", {}, h("input", { type: "checkbox", value: r.id, checked: r.id === meId }), r.name),
    ),
  );
  byId("create-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const submit = byId<HTMLButtonElement>("create-submit");
    const reviewerIds = [...byId("reviewers").querySelectorAll<HTMLInputElement>("input:checked")].map(
      (i) => i.value,
    );
    if (reviewerIds.length === 0) return showMessage(message, "请至少选择一名评查人员。");
    submit.disabled = true;
    try {
      const task = await api<ReviewTask>("/api/reviews", {
        method: "POST",
        body: {
          name: byId<HTMLInputElement>("name").value,
          periodFrom: byId<HTMLInputElement>("from").value,
          periodTo: byId<HTMLInputElement>("to").value,
          perDepartment: Number(byId<HTMLInputElement>("per").value),
          threshold: Number(byId<HTMLInputElement>("threshold").value),
          reviewerIds,
        },
      });
      showMessage(message, "");
      await loadList();
      select(task.id);
      taskBox.scrollIntoView({ block: "start" });
    } catch (error) {
      showMessage(message, `建立任务失败：${errorMessage(error)}`);
    } finally {
      submit.disabled = false;
    }
  });
}

async function main() {
  const me = await adminPage();
  meId = me.id;
  try {
    const { items } = await api<{ items: { id: string; name: string }[] }>("/api/departments");
    departments = new Map(items.map((d) => [d.id, d.name]));
    const list = await loadList();
    createForm(list);
    const id = selected();
    if (id) await showTask(id);
  } catch (error) {
    showMessage(message, errorMessage(error));
  }
}

void main();
