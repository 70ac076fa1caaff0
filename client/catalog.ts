import { api, errorMessage } from "./lib/api";
import { errorWithDetails } from "./lib/details";
import { byId, h, replaceChildren, showMessage } from "./lib/dom";
import { adminPage } from "./lib/layout";
import type { Department, FormSummary, User } from "./lib/types";

interface DepartmentInfo extends Department {
  listed: boolean;
  district: string;
}

interface CatalogItem {
  id: string;
  code: string;
  departmentId: string;
  departmentName: string;
  name: string;
  legalBasis: string;
  method: string;
  yearlyCap: number | null;
  writtenVerification: boolean;
  checklistFormId: string | null;
  checklistForm: { id: string; title: string; publishedVersion: number | null } | null;
  status: "active" | "retired";
}

const message = byId("message");
const itemsBody = byId("items-body");
const departmentsBody = byId("departments-body");
const filters = byId<HTMLFormElement>("filters");
const departmentFilter = byId<HTMLSelectElement>("filter-department");
const statusFilter = byId<HTMLSelectElement>("filter-status");
const textFilter = byId<HTMLInputElement>("filter-q");

const itemDialog = byId<HTMLDialogElement>("item-dialog");
const itemForm = byId<HTMLFormElement>("item-form");
const itemMessage = byId("item-message");
const formSelect = byId<HTMLSelectElement>("item-form-id");
const departmentDialog = byId<HTMLDialogElement>("department-dialog");

let me: User | null = null;
let departments: DepartmentInfo[] = [];
let checklists: FormSummary[] = [];
let editingItem: CatalogItem | null = null;
let editingDepartment: DepartmentInfo | null = null;

const canWrite = () => me?.role === "admin" || me?.role === "dept_admin";
const input = (id: string) => byId<HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement>(id);

function showError(box: HTMLElement, error: unknown) {
  replaceChildren(box, errorWithDetails(error));
  box.className = "message message-error";
  box.hidden = false;
}

function formLink(item: CatalogItem): Node {
  if (!item.checklistForm) return h("span", { className: "badge badge-draft" }, "未关联");
  const version = item.checklistForm.publishedVersion;
  return h(
    "span",
    {},
    h(
      "a",
      { href: `/admin/forms/${encodeURIComponent(item.checklistForm.id)}/edit` },
      item.checklistForm.title,
    ),
    h("span", { className: "muted small" }, version ? ` 第 ${version} 版` : "（未发布）"),
  );
}

function itemRow(item: CatalogItem): HTMLTableRowElement {
  const edit =
    canWrite() && (me?.role === "admin" || item.departmentId === me?.departmentId)
      ? h("button", { type: "button", className: "small-button" }, "编辑")
      : null;
  edit?.addEventListener("click", () => openItemDialog(item));
  return h(
    "tr",
    { "data-item-id": item.id },
    h("td", { className: "title-cell" }, item.name),
    h("td", { "data-label": "编码", className: "mono" }, item.code),
    h("td", { "data-label": "部门" }, item.departmentName),
    h("td", { "data-label": "依据", className: "basis-cell" }, item.legalBasis),
    h("td", { "data-label": "方式", className: "nowrap" }, item.method),
    h(
      "td",
      { "data-label": "年度上限", className: "nowrap" },
      item.yearlyCap === null ? "默认" : `${item.yearlyCap} 次`,
    ),
    h("td", { "data-label": "检查表" }, formLink(item)),
    h(
      "td",
      { "data-label": "状态" },
      h(
        "span",
        { className: `badge ${item.status === "active" ? "badge-published" : "badge-archived"}` },
        item.status === "active" ? "在用" : "已停用",
      ),
    ),
    h("td", {}, edit ? h("div", { className: "actions" }, edit) : null),
  );
}

async function loadItems() {
  const params = new URLSearchParams();
  if (departmentFilter.value) params.set("department", departmentFilter.value);
  if (statusFilter.value) params.set("status", statusFilter.value);
  if (textFilter.value.trim()) params.set("q", textFilter.value.trim());
  try {
    const { items } = await api<{ items: CatalogItem[] }>(`/api/catalog/items?${params}`);
    if (items.length === 0) {
      replaceChildren(
        itemsBody,
        h("tr", {}, h("td", { colspan: 9, className: "empty" }, "没有符合条件的事项。")),
      );
      return;
    }
    replaceChildren(itemsBody, ...items.map(itemRow));
  } catch (error) {
    showMessage(message, errorMessage(error));
  }
}

function departmentRow(d: DepartmentInfo): HTMLTableRowElement {
  const edit =
    me?.role === "admin" ? h("button", { type: "button", className: "small-button" }, "编辑") : null;
  edit?.addEventListener("click", () => openDepartmentDialog(d));
  return h(
    "tr",
    {},
    h("td", { className: "title-cell" }, d.name),
    h("td", { "data-label": "代码", className: "mono" }, d.code),
    h("td", { "data-label": "区县" }, d.district || "市级"),
    h(
      "td",
      { "data-label": "检查主体" },
      h(
        "span",
        { className: `badge ${d.listed ? "badge-published" : "badge-archived"}` },
        d.listed ? "已列入" : "未列入",
      ),
    ),
    h("td", {}, edit ? h("div", { className: "actions" }, edit) : null),
  );
}

async function loadDepartments() {
  departments = (await api<{ items: DepartmentInfo[] }>("/api/departments")).items;
  if (departments.length === 0) {
    replaceChildren(
      departmentsBody,
      h("tr", {}, h("td", { colspan: 5, className: "empty" }, "还没有部门。")),
    );
  } else {
    replaceChildren(departmentsBody, ...departments.map(departmentRow));
  }
  const options = () => departments.map((d) => h("option", { value: d.id }, d.name));
  const selected = departmentFilter.value;
  replaceChildren(departmentFilter, h("option", { value: "" }, "全部部门"), ...options());
  departmentFilter.value = selected;
  replaceChildren(byId("item-department"), ...options());
}

function fillForms(departmentId: string, selected: string | null) {
  const usable = checklists.filter((f) => f.departmentId === null || f.departmentId === departmentId);
  replaceChildren(
    formSelect,
    h("option", { value: "" }, "暂不关联"),
    ...usable.map((f) => h("option", { value: f.id }, `${f.title}（第 ${f.publishedVersion} 版）`)),
  );
  // A linked form this user cannot list (e.g. another administrator's) stays selected as it is.
  if (selected && !usable.some((f) => f.id === selected)) {
    formSelect.append(h("option", { value: selected }, "（当前关联的表单）"));
  }
  formSelect.value = selected ?? "";
}

function openItemDialog(item: CatalogItem | null) {
  editingItem = item;
  itemForm.reset();
  showMessage(itemMessage, "");
  byId("item-heading").textContent = item ? `编辑事项 ${item.code}` : "新增事项";
  input("item-code").value = item?.code ?? "";
  input("item-department").value = item?.departmentId ?? me?.departmentId ?? departments[0]?.id ?? "";
  input("item-name").value = item?.name ?? "";
  input("item-basis").value = item?.legalBasis ?? "";
  input("item-method").value = item?.method ?? "现场检查";
  input("item-cap").value = item?.yearlyCap === null || !item ? "" : String(item.yearlyCap);
  input("item-status").value = item?.status ?? "active";
  byId<HTMLInputElement>("item-written").checked = item?.writtenVerification ?? false;
  fillForms(input("item-department").value, item?.checklistFormId ?? null);
  itemDialog.showModal();
}

byId("item-department").addEventListener("change", () =>
  fillForms(input("item-department").value, formSelect.value || null),
);

itemForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  const capText = input("item-cap").value.trim();
  if (capText && !/^\d+$/.test(capText)) {
    showMessage(itemMessage, "年度上限须为正整数，留空表示按部门默认。");
    return;
  }
  const payload: Record<string, unknown> = {
    code: input("item-code").value.trim(),
    name: input("item-name").value.trim(),
    legalBasis: input("item-basis").value.trim(),
    method: input("item-method").value.trim() || "现场检查",
    yearlyCap: capText ? Number(capText) : null,
    writtenVerification: byId<HTMLInputElement>("item-written").checked,
    checklistFormId: formSelect.value || null,
    status: input("item-status").value,
  };
  if (me?.role === "admin") payload.departmentId = input("item-department").value;
  const submit = byId<HTMLButtonElement>("item-submit");
  submit.disabled = true;
  try {
    if (editingItem) {
      await api(`/api/catalog/items/${encodeURIComponent(editingItem.id)}`, {
        method: "PATCH",
        body: payload,
      });
    } else {
      await api("/api/catalog/items", { method: "POST", body: payload });
    }
    itemDialog.close();
    showMessage(message, `已保存事项“${payload.name}”。`, "ok");
    await loadItems();
  } catch (error) {
    showError(itemMessage, error);
  } finally {
    submit.disabled = false;
  }
});

function openDepartmentDialog(d: DepartmentInfo) {
  editingDepartment = d;
  showMessage(byId("department-message"), "");
  input("department-name").value = d.name;
  input("department-district").value = d.district;
  byId<HTMLInputElement>("department-listed").checked = d.listed;
  departmentDialog.showModal();
}

byId<HTMLFormElement>("department-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  if (!editingDepartment) return;
  const listed = byId<HTMLInputElement>("department-listed").checked;
  if (editingDepartment.listed && !listed) {
    const ok = window.confirm(
      `将“${editingDepartment.name}”移出行政检查主体清单？移出后该部门不能再备案检查。`,
    );
    if (!ok) return;
  }
  try {
    await api(`/api/departments/${encodeURIComponent(editingDepartment.id)}`, {
      method: "PATCH",
      body: {
        name: input("department-name").value.trim(),
        district: input("department-district").value.trim(),
        listed,
      },
    });
    departmentDialog.close();
    showMessage(message, `已更新部门“${input("department-name").value.trim()}”。`, "ok");
    await loadDepartments();
    await loadItems();
  } catch (error) {
    showError(byId("department-message"), error);
  }
});

filters.addEventListener("submit", (event) => {
  event.preventDefault();
  void loadItems();
});
for (const control of [departmentFilter, statusFilter])
  control.addEventListener("change", () => void loadItems());
byId("new-item").addEventListener("click", () => openItemDialog(null));
for (const button of document.querySelectorAll<HTMLButtonElement>("dialog [data-close]")) {
  button.addEventListener("click", () => button.closest("dialog")?.close());
}

async function start() {
  me = await adminPage();
  byId("new-item").hidden = !canWrite();
  byId("filter-department-label").hidden = !(me.role === "admin" || me.role === "supervisor");
  byId("item-department-field").hidden = me.role !== "admin";
  await loadDepartments();
  if (canWrite()) {
    const { items } = await api<{ items: FormSummary[] }>("/api/forms?kind=checklist&status=published");
    checklists = items.filter((f) => f.publishedVersion !== null);
  }
  await loadItems();
}

start().catch((error) => showMessage(message, errorMessage(error)));
