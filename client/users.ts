import { api, errorMessage } from "./lib/api";
import { errorWithDetails } from "./lib/details";
import { byId, formatTime, h, replaceChildren, roleLabels, showMessage } from "./lib/dom";
import { auditLink } from "./lib/audit-link";
import { adminPage } from "./lib/layout";
import type { Department, Role, User } from "./lib/types";

const message = byId("message");
const usersBody = byId("users-body");
const departmentsBody = byId("departments-body");

const userDialog = byId<HTMLDialogElement>("user-dialog");
const passwordDialog = byId<HTMLDialogElement>("password-dialog");
const departmentDialog = byId<HTMLDialogElement>("department-dialog");

let me: User | null = null;
let departments: Department[] = [];

function departmentName(id: string | null): string {
  if (!id) return "—";
  return departments.find((d) => d.id === id)?.name ?? id;
}

function showError(box: HTMLElement, error: unknown) {
  replaceChildren(box, errorWithDetails(error));
  box.className = "message message-error";
  box.hidden = false;
}

async function loadDepartments() {
  const { items } = await api<{ items: Department[] }>("/api/departments");
  departments = items;
  if (items.length === 0) {
    replaceChildren(
      departmentsBody,
      h("tr", {}, h("td", { colspan: 2, className: "empty" }, "还没有部门。")),
    );
  } else {
    replaceChildren(
      departmentsBody,
      ...items.map((d) =>
        h("tr", {}, h("td", { className: "title-cell" }, d.name), h("td", { "data-label": "代码" }, d.code)),
      ),
    );
  }
  const select = byId<HTMLSelectElement>("user-department");
  replaceChildren(
    select,
    h("option", { value: "" }, "（无）"),
    ...items.map((d) => h("option", { value: d.id }, d.name)),
  );
}

async function patchUser(user: User, change: Record<string, unknown>, done: string) {
  try {
    await api(`/api/users/${encodeURIComponent(user.id)}`, { method: "PATCH", body: change });
    showMessage(message, done, "ok");
    await loadUsers();
  } catch (error) {
    showError(message, error);
  }
}

function userRow(user: User): HTMLTableRowElement {
  const toggle = h(
    "button",
    { type: "button", className: `small-button${user.disabled ? "" : " danger"}` },
    user.disabled ? "启用" : "停用",
  );
  toggle.addEventListener("click", () => {
    const verb = user.disabled ? "启用" : "停用";
    if (!user.disabled && !window.confirm(`停用用户“${user.displayName}”？停用后该用户将立即退出登录。`))
      return;
    toggle.disabled = true;
    void patchUser(user, { disabled: !user.disabled }, `已${verb}用户“${user.displayName}”。`);
  });
  const reset = h("button", { type: "button", className: "small-button" }, "重置密码");
  reset.addEventListener("click", () => openPasswordDialog(user));
  const isSelf = me?.id === user.id;
  return h(
    "tr",
    { "data-user-id": user.id },
    h("td", { className: "title-cell" }, user.username),
    h("td", { "data-label": "姓名" }, user.displayName),
    h("td", { "data-label": "角色" }, roleLabels[user.role] ?? user.role),
    h("td", { "data-label": "部门" }, departmentName(user.departmentId)),
    h(
      "td",
      { "data-label": "状态" },
      h(
        "span",
        { className: `badge ${user.disabled ? "badge-disabled" : "badge-published"}` },
        user.disabled ? "已停用" : "正常",
      ),
    ),
    h("td", { "data-label": "创建时间" }, formatTime(user.createdAt)),
    h(
      "td",
      {},
      h("div", { className: "actions" }, isSelf ? null : toggle, reset, auditLink(me?.role, "user", user.id)),
    ),
  );
}

async function loadUsers() {
  const { items } = await api<{ items: User[] }>("/api/users");
  if (items.length === 0) {
    replaceChildren(usersBody, h("tr", {}, h("td", { colspan: 7, className: "empty" }, "还没有用户。")));
    return;
  }
  replaceChildren(usersBody, ...items.map(userRow));
}

let passwordUser: User | null = null;
function openPasswordDialog(user: User) {
  passwordUser = user;
  byId("password-user").textContent = `用户：${user.displayName}（${user.username}）`;
  byId<HTMLInputElement>("password-new").value = "";
  showMessage(byId("password-message"), "");
  passwordDialog.showModal();
}

function field(id: string): string {
  return byId<HTMLInputElement | HTMLSelectElement>(id).value.trim();
}

byId("new-user").addEventListener("click", () => {
  byId<HTMLFormElement>("user-form").reset();
  showMessage(byId("user-message"), "");
  if (me?.role === "dept_admin") {
    byId<HTMLSelectElement>("user-department").value = me.departmentId ?? "";
  }
  userDialog.showModal();
});

byId<HTMLFormElement>("user-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const box = byId("user-message");
  const body = {
    username: field("user-username"),
    displayName: field("user-display-name"),
    password: byId<HTMLInputElement>("user-password").value,
    role: field("user-role") as Role,
    departmentId: field("user-department") || null,
  };
  if (!body.username || !body.displayName || !body.password) {
    showMessage(box, "请填写用户名、姓名和初始密码。");
    return;
  }
  try {
    await api("/api/users", { method: "POST", body });
    userDialog.close();
    showMessage(message, `已创建用户“${body.displayName}”。`, "ok");
    await loadUsers();
  } catch (error) {
    showError(box, error);
  }
});

byId<HTMLFormElement>("password-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const box = byId("password-message");
  const password = byId<HTMLInputElement>("password-new").value;
  if (!passwordUser) return;
  if (!password) {
    showMessage(box, "请输入新密码。");
    return;
  }
  try {
    await api(`/api/users/${encodeURIComponent(passwordUser.id)}`, { method: "PATCH", body: { password } });
    passwordDialog.close();
    showMessage(message, `已重置“${passwordUser.displayName}”的密码。`, "ok");
  } catch (error) {
    showError(box, error);
  }
});

byId("new-department").addEventListener("click", () => {
  byId<HTMLFormElement>("department-form").reset();
  showMessage(byId("department-message"), "");
  departmentDialog.showModal();
});

byId<HTMLFormElement>("department-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const box = byId("department-message");
  const body = { name: field("department-name"), code: field("department-code") };
  if (!body.name || !body.code) {
    showMessage(box, "请填写部门名称和代码。");
    return;
  }
  try {
    await api("/api/departments", { method: "POST", body });
    departmentDialog.close();
    showMessage(message, `已创建部门“${body.name}”。`, "ok");
    await loadDepartments();
    await loadUsers();
  } catch (error) {
    showError(box, error);
  }
});

for (const button of document.querySelectorAll<HTMLButtonElement>("dialog [data-close]")) {
  button.addEventListener("click", () => button.closest("dialog")?.close());
}

async function start() {
  me = await adminPage();
  if (me.role !== "admin") {
    byId("new-department").hidden = true;
    // Department administrators create officers in their own department only.
    const role = byId<HTMLSelectElement>("user-role");
    for (const option of Array.from(role.options)) if (option.value === "admin") option.remove();
  }
  await loadDepartments();
  await loadUsers();
}

start().catch((error) => showMessage(message, errorMessage(error)));
