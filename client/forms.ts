import { api, errorMessage } from "./lib/api";
import { byId, formatTime, h, kindLabels, replaceChildren, showMessage, statusLabels } from "./lib/dom";
import { auditLink } from "./lib/audit-link";
import { adminPage } from "./lib/layout";
import type { Form, FormKind, FormSummary, User } from "./lib/types";

const body = byId("forms-body");
const message = byId("message");
const kindFilter = byId<HTMLSelectElement>("filter-kind");
const statusFilter = byId<HTMLSelectElement>("filter-status");
const dialog = byId<HTMLDialogElement>("new-form-dialog");
const dialogMessage = byId("new-form-message");
const newTitle = byId<HTMLInputElement>("new-form-title");
const newKind = byId<HTMLSelectElement>("new-form-kind");
const newSubmit = byId<HTMLButtonElement>("new-form-submit");

let user: User | null = null;
const canWrite = () => user !== null && user.role !== "supervisor" && user.role !== "officer";

function syncFiltersFromUrl() {
  const params = new URLSearchParams(location.search);
  kindFilter.value = params.get("kind") ?? "";
  statusFilter.value = params.get("status") ?? "";
}

function filterQuery(): string {
  const params = new URLSearchParams();
  if (kindFilter.value) params.set("kind", kindFilter.value);
  if (statusFilter.value) params.set("status", statusFilter.value);
  const query = params.toString();
  return query ? `?${query}` : "";
}

async function load() {
  try {
    const { items } = await api<{ items: FormSummary[] }>(`/api/forms${filterQuery()}`);
    render(items);
  } catch (error) {
    replaceChildren(body, h("tr", {}, h("td", { colspan: 7, className: "empty" }, "加载失败")));
    showMessage(message, errorMessage(error));
  }
}

function render(items: FormSummary[]) {
  if (items.length === 0) {
    const hint = filterQuery() ? "没有符合条件的表单。" : "还没有表单，点击“新建表单”开始设计。";
    replaceChildren(body, h("tr", {}, h("td", { colspan: 7, className: "empty" }, hint)));
    return;
  }
  replaceChildren(body, ...items.map(row));
}

type Transition = "publish" | "unpublish" | "archive" | "restore";
const transitionLabels: Record<Transition, string> = {
  publish: "发布",
  unpublish: "停止收集",
  archive: "归档",
  restore: "恢复",
};

function transitionsFor(form: FormSummary): Transition[] {
  if (form.status === "draft") return ["publish", "archive"];
  if (form.status === "published") return ["publish", "unpublish", "archive"];
  return ["restore"];
}

function row(form: FormSummary): HTMLTableRowElement {
  const base = `/admin/forms/${encodeURIComponent(form.id)}`;
  const actions = h(
    "div",
    { className: "actions" },
    h("a", { href: `${base}/edit`, className: "button small-button" }, canWrite() ? "设计" : "查看"),
    h("a", { href: `${base}/responses`, className: "button small-button" }, "响应"),
    h("a", { href: `${base}/share`, className: "button small-button" }, "分享"),
    auditLink(user?.role, "form", form.id),
  );
  if (canWrite()) {
    for (const transition of transitionsFor(form)) {
      const label =
        transition === "publish" && form.status === "published" ? "发布新版" : transitionLabels[transition];
      const button = h(
        "button",
        {
          type: "button",
          className: `small-button${transition === "archive" ? " danger" : ""}`,
          "data-action": transition,
        },
        label,
      );
      button.addEventListener("click", () => runTransition(form, transition, button));
      actions.append(button);
    }
  }
  return h(
    "tr",
    { "data-form-id": form.id },
    h(
      "td",
      { className: "title-cell" },
      h("a", { href: `${base}/edit`, className: "form-title-link" }, form.title || "（未命名）"),
    ),
    h("td", { "data-label": "类型" }, kindLabels[form.kind] ?? form.kind),
    h(
      "td",
      { "data-label": "状态" },
      h("span", { className: `badge badge-${form.status}` }, statusLabels[form.status] ?? form.status),
    ),
    h("td", { "data-label": "发布版本" }, form.publishedVersion ? `第 ${form.publishedVersion} 版` : "—"),
    h("td", { "data-label": "响应数" }, String(form.responseCount ?? 0)),
    h("td", { "data-label": "更新时间" }, formatTime(form.updatedAt)),
    h("td", {}, actions),
  );
}

async function runTransition(form: FormSummary, transition: Transition, button: HTMLButtonElement) {
  const confirmations: Partial<Record<Transition, string>> = {
    publish: `将“${form.title}”的当前草稿发布为新版本？发布后扫码填写的将是新版本。`,
    unpublish: `停止收集“${form.title}”的响应？已提交的响应会保留。`,
    archive: `归档“${form.title}”？归档后将不再接受填写，可随时恢复。`,
  };
  const question = confirmations[transition];
  if (question && !window.confirm(question)) return;
  button.disabled = true;
  try {
    const result = await api<{ version?: number }>(
      `/api/forms/${encodeURIComponent(form.id)}/${transition}`,
      {
        method: "POST",
      },
    );
    const done =
      transition === "publish" && result?.version
        ? `已发布 第${result.version}版`
        : `已${transitionLabels[transition]}`;
    showMessage(message, `“${form.title}”${done}。`, "ok");
    await load();
  } catch (error) {
    showMessage(message, errorMessage(error));
    button.disabled = false;
  }
}

function openDialog() {
  showMessage(dialogMessage, "");
  newTitle.value = "";
  const kind = kindFilter.value as FormKind | "";
  if (kind) newKind.value = kind;
  dialog.showModal();
  newTitle.focus();
}

async function createForm(event: Event) {
  event.preventDefault();
  const title = newTitle.value.trim();
  if (!title) {
    showMessage(dialogMessage, "请输入表单标题。");
    newTitle.focus();
    return;
  }
  newSubmit.disabled = true;
  try {
    const { form } = await api<{ form: Form }>("/api/forms", {
      method: "POST",
      body: { title, kind: newKind.value },
    });
    location.assign(`/admin/forms/${encodeURIComponent(form.id)}/edit`);
  } catch (error) {
    showMessage(dialogMessage, errorMessage(error));
    newSubmit.disabled = false;
  }
}

function onFilterChange() {
  history.replaceState(null, "", `${location.pathname}${filterQuery()}`);
  void load();
}

byId("new-form").addEventListener("click", openDialog);
byId("new-form-cancel").addEventListener("click", () => dialog.close());
byId("new-form-form").addEventListener("submit", createForm);
kindFilter.addEventListener("change", onFilterChange);
statusFilter.addEventListener("change", onFilterChange);

syncFiltersFromUrl();
adminPage()
  .then((me) => {
    user = me;
    if (!canWrite())
      document.querySelectorAll<HTMLElement>(".write-only").forEach((el) => (el.hidden = true));
    return load();
  })
  .catch((error) => showMessage(message, errorMessage(error)));
