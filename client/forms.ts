import { api, errorMessage } from "./lib/api";
import { byId, formatTime, h, kindLabels, replaceChildren, showMessage, statusLabels } from "./lib/dom";
import { auditLink } from "./lib/audit-link";
import { adminPage } from "./lib/layout";
import type { Form, FormKind, FormSummary, User } from "./lib/types";
import checklistSkeleton from "../forms/checklist-skeleton.json";
import customerSurvey from "../forms/customer-survey.json";
import inspectionEvaluation from "../forms/inspection-evaluation.json";

/** The sample forms shipped in forms/, offered as starting points for a new form. */
const TEMPLATES: { title: string; kind: FormKind; schema: Record<string, unknown> }[] = [
  checklistSkeleton,
  inspectionEvaluation,
  customerSurvey,
].map((t) => ({ title: t.title, kind: t.kind as FormKind, schema: t.schema as Record<string, unknown> }));

const body = byId("forms-body");
const message = byId("message");
const kindFilter = byId<HTMLSelectElement>("filter-kind");
const statusFilter = byId<HTMLSelectElement>("filter-status");
const dialog = byId<HTMLDialogElement>("new-form-dialog");
const dialogMessage = byId("new-form-message");
const newTitle = byId<HTMLInputElement>("new-form-title");
const newKind = byId<HTMLSelectElement>("new-form-kind");
const newSubmit = byId<HTMLButtonElement>("new-form-submit");
const newTemplate = byId<HTMLSelectElement>("new-form-template");
TEMPLATES.forEach((t, i) => newTemplate.append(h("option", { value: String(i) }, t.title)));
newTemplate.addEventListener("change", () => {
  const template = TEMPLATES[Number(newTemplate.value)];
  if (!newTemplate.value || !template) return;
  newKind.value = template.kind;
  if (!newTitle.value.trim()) newTitle.value = `${template.title}（新）`;
});

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

type Transition = "publish" | "unpublish" | "resume" | "archive" | "restore";
const transitionLabels: Record<Transition, string> = {
  publish: "发布",
  unpublish: "停止收集",
  resume: "恢复收集",
  archive: "归档",
  restore: "恢复",
};

/** Stopped collecting (停止收集): a draft again on the server, but with a version that collected. */
export const isStopped = (form: Pick<FormSummary, "status" | "latestVersion">) =>
  form.status === "draft" && !!form.latestVersion;

function transitionsFor(form: FormSummary): Transition[] {
  if (isStopped(form)) return ["resume", "publish", "archive"];
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
        transition === "publish" && form.latestVersion ? "发布新版" : transitionLabels[transition];
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
    const duplicate = h(
      "button",
      { type: "button", className: "small-button", "data-action": "duplicate" },
      "复制",
    );
    duplicate.addEventListener("click", () => duplicateForm(form, duplicate));
    actions.append(duplicate);
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
      isStopped(form)
        ? h("span", { className: "badge badge-stopped" }, "已停止收集")
        : h("span", { className: `badge badge-${form.status}` }, statusLabels[form.status] ?? form.status),
    ),
    h(
      "td",
      { "data-label": "发布版本" },
      form.publishedVersion
        ? `第 ${form.publishedVersion} 版`
        : isStopped(form)
          ? `第 ${form.latestVersion} 版（已停止）`
          : "—",
    ),
    h("td", { "data-label": "响应数" }, String(form.responseCount ?? 0)),
    h("td", { "data-label": "更新时间" }, formatTime(form.updatedAt)),
    h("td", {}, actions),
  );
}

async function runTransition(form: FormSummary, transition: Transition, button: HTMLButtonElement) {
  const confirmations: Partial<Record<Transition, string>> = {
    publish: `将“${form.title}”的当前草稿发布为新版本？发布后扫码填写的将是新版本。`,
    unpublish: `停止收集“${form.title}”的响应？已提交的响应会保留，之后可“恢复收集”。`,
    resume: `恢复收集“${form.title}”？将继续使用第 ${form.latestVersion} 版，不产生新版本。`,
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

/** A copy of the form's current draft, as a new draft of the same kind and department. */
async function duplicateForm(form: FormSummary, button: HTMLButtonElement) {
  button.disabled = true;
  try {
    const { form: full } = await api<{ form: Form }>(`/api/forms/${encodeURIComponent(form.id)}`);
    const title = `${form.title}（副本）`.slice(0, 200);
    const schema = { ...full.schema, title };
    const { form: copy } = await api<{ form: Form }>("/api/forms", {
      method: "POST",
      body: {
        title,
        kind: form.kind,
        schema,
        ...(form.departmentId ? { departmentId: form.departmentId } : {}),
      },
    });
    showMessage(message, `已复制为“${copy.title}”（草稿）。`, "ok");
    await load();
  } catch (error) {
    showMessage(message, errorMessage(error));
  } finally {
    button.disabled = false;
  }
}

function openDialog() {
  newTemplate.value = "";
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
    const template = newTemplate.value ? TEMPLATES[Number(newTemplate.value)] : undefined;
    const { form } = await api<{ form: Form }>("/api/forms", {
      method: "POST",
      body: { title, kind: newKind.value, ...(template ? { schema: { ...template.schema, title } } : {}) },
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
