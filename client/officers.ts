import { api, errorMessage } from "./lib/api";
import { errorWithDetails } from "./lib/details";
import { byId, h, replaceChildren, showMessage } from "./lib/dom";
import { adminPage } from "./lib/layout";
import type { Department, User } from "./lib/types";

type CredentialState = "valid" | "expired" | "not_yet_valid" | "none" | "inactive";
type OfficerStatus = "active" | "suspended" | "retired" | "revoked";

interface Officer {
  id: string;
  departmentId: string;
  departmentName: string;
  userId: string | null;
  name: string;
  isHelper: boolean;
  credentialNo: string | null;
  credentialIssuedOn: string | null;
  credentialExpiresOn: string | null;
  status: OfficerStatus;
  credential: {
    checkedOn: string;
    state: CredentialState;
    valid: boolean;
    expiresInDays: number | null;
    expiringSoon: boolean;
  };
}

const statusLabels: Record<OfficerStatus, string> = {
  active: "在岗",
  suspended: "暂停执法",
  retired: "离岗",
  revoked: "执法证已收回",
};

const message = byId("message");
const body = byId("officers-body");
const summary = byId("summary");
const filters = byId<HTMLFormElement>("filters");
const departmentFilter = byId<HTMLSelectElement>("filter-department");
const statusFilter = byId<HTMLSelectElement>("filter-status");
const credentialFilter = byId<HTMLSelectElement>("filter-credential");
const validOnFilter = byId<HTMLInputElement>("filter-valid-on");
const textFilter = byId<HTMLInputElement>("filter-q");

const dialog = byId<HTMLDialogElement>("officer-dialog");
const form = byId<HTMLFormElement>("officer-form");
const formMessage = byId("officer-message");
const nameInput = byId<HTMLInputElement>("officer-name");
const departmentInput = byId<HTMLSelectElement>("officer-department");
const helperInput = byId<HTMLInputElement>("officer-helper");
const credentialFields = byId<HTMLFieldSetElement>("credential-fields");
const credentialInput = byId<HTMLInputElement>("officer-credential");
const issuedInput = byId<HTMLInputElement>("officer-issued");
const expiresInput = byId<HTMLInputElement>("officer-expires");
const statusInput = byId<HTMLSelectElement>("officer-status");
const userInput = byId<HTMLSelectElement>("officer-user");

let me: User | null = null;
let departments: Department[] = [];
let logins: User[] = [];
let editing: Officer | null = null;

const canWrite = () => me?.role === "admin" || me?.role === "dept_admin";

/** The credential badge: class and text, with the days left when it expires soon. */
function credentialBadge(o: Officer): HTMLElement {
  const c = o.credential;
  const [cls, text] =
    c.state === "valid" && c.expiringSoon
      ? ["badge-draft", c.expiresInDays === 0 ? "今日到期" : `${c.expiresInDays} 天后到期`]
      : c.state === "valid"
        ? ["badge-published", "有效"]
        : c.state === "expired"
          ? ["badge-disabled", "已过期"]
          : c.state === "not_yet_valid"
            ? ["badge-draft", "未生效"]
            : c.state === "inactive"
              ? ["badge-archived", "不计入（非在岗）"]
              : ["badge-archived", "无执法证"];
  return h("span", { className: `badge ${cls}` }, text);
}

function matchesCredentialFilter(o: Officer): boolean {
  switch (credentialFilter.value) {
    case "valid":
      return o.credential.valid;
    case "soon":
      return o.credential.expiringSoon;
    case "invalid":
      return !o.isHelper && !o.credential.valid;
    case "helper":
      return o.isHelper;
    default:
      return true;
  }
}

function row(o: Officer): HTMLTableRowElement {
  const login = o.userId ? logins.find((u) => u.id === o.userId) : undefined;
  const edit = canWrite() ? h("button", { type: "button", className: "small-button" }, "编辑") : null;
  edit?.addEventListener("click", () => openDialog(o));
  const validity =
    o.credentialIssuedOn && o.credentialExpiresOn
      ? `${o.credentialIssuedOn} 至 ${o.credentialExpiresOn}`
      : "—";
  return h(
    "tr",
    { "data-officer-id": o.id },
    h(
      "td",
      { className: "title-cell" },
      o.name,
      o.isHelper ? h("span", { className: "badge inline-badge" }, "辅助人员") : null,
    ),
    h("td", { "data-label": "部门" }, o.departmentName),
    h("td", { "data-label": "执法证号", className: "mono" }, o.credentialNo ?? "—"),
    h("td", { "data-label": "有效期" }, validity),
    h("td", { "data-label": "证件" }, credentialBadge(o)),
    h("td", { "data-label": "状态" }, statusLabels[o.status]),
    h("td", { "data-label": "登录账号" }, o.userId ? (login?.username ?? "已关联") : "—"),
    h("td", {}, edit ? h("div", { className: "actions" }, edit) : null),
  );
}

function query(): string {
  const params = new URLSearchParams();
  if (departmentFilter.value) params.set("department", departmentFilter.value);
  if (statusFilter.value) params.set("status", statusFilter.value);
  if (textFilter.value.trim()) params.set("q", textFilter.value.trim());
  if (validOnFilter.value) params.set("validOn", validOnFilter.value);
  const text = params.toString();
  return text ? `?${text}` : "";
}

async function load() {
  try {
    const { items } = await api<{ items: Officer[] }>(`/api/officers${query()}`);
    const shown = items.filter(matchesCredentialFilter);
    const soon = items.filter((o) => o.credential.expiringSoon).length;
    const valid = items.filter((o) => o.credential.valid).length;
    summary.textContent = validOnFilter.value
      ? `${validOnFilter.value} 当天持有效执法证的人员：${items.length} 人。`
      : `共 ${items.length} 人，其中持有效执法证 ${valid} 人${soon ? `，${soon} 人的证件 30 天内到期` : ""}。`;
    if (shown.length === 0) {
      replaceChildren(body, h("tr", {}, h("td", { colspan: 8, className: "empty" }, "没有符合条件的人员。")));
      return;
    }
    replaceChildren(body, ...shown.map(row));
  } catch (error) {
    replaceChildren(body, h("tr", {}, h("td", { colspan: 8, className: "empty" }, "加载失败")));
    showMessage(message, errorMessage(error));
  }
}

function fillLogins(departmentId: string, selected: string | null) {
  const candidates = logins.filter(
    (u) => u.role === "officer" && u.departmentId === departmentId && !u.disabled,
  );
  replaceChildren(
    userInput,
    h("option", { value: "" }, "不关联"),
    ...candidates.map((u) => h("option", { value: u.id }, `${u.displayName}（${u.username}）`)),
  );
  userInput.value = selected && candidates.some((u) => u.id === selected) ? selected : "";
}

function syncHelper() {
  credentialFields.disabled = helperInput.checked;
  credentialFields.hidden = helperInput.checked;
}

function openDialog(officer: Officer | null) {
  editing = officer;
  form.reset();
  showMessage(formMessage, "");
  byId("officer-heading").textContent = officer ? `编辑：${officer.name}` : "新增人员";
  nameInput.value = officer?.name ?? "";
  departmentInput.value = officer?.departmentId ?? me?.departmentId ?? departments[0]?.id ?? "";
  helperInput.checked = officer?.isHelper ?? false;
  credentialInput.value = officer?.credentialNo ?? "";
  issuedInput.value = officer?.credentialIssuedOn ?? "";
  expiresInput.value = officer?.credentialExpiresOn ?? "";
  statusInput.value = officer?.status ?? "active";
  fillLogins(departmentInput.value, officer?.userId ?? null);
  syncHelper();
  dialog.showModal();
  nameInput.focus();
}

helperInput.addEventListener("change", syncHelper);
departmentInput.addEventListener("change", () => fillLogins(departmentInput.value, null));

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const helper = helperInput.checked;
  if (!helper && (!credentialInput.value.trim() || !issuedInput.value || !expiresInput.value)) {
    showMessage(formMessage, "执法人员须填写执法证号、发证日期和有效期至；没有执法证的请勾选“辅助人员”。");
    return;
  }
  if (!helper && expiresInput.value < issuedInput.value) {
    showMessage(formMessage, "有效期至不能早于发证日期。");
    return;
  }
  const payload: Record<string, unknown> = {
    name: nameInput.value.trim(),
    isHelper: helper,
    credentialNo: helper ? null : credentialInput.value.trim(),
    credentialIssuedOn: helper ? null : issuedInput.value,
    credentialExpiresOn: helper ? null : expiresInput.value,
    status: statusInput.value,
    userId: userInput.value || null,
  };
  if (me?.role === "admin") payload.departmentId = departmentInput.value;
  const submit = byId<HTMLButtonElement>("officer-submit");
  submit.disabled = true;
  try {
    if (editing) {
      await api(`/api/officers/${encodeURIComponent(editing.id)}`, { method: "PATCH", body: payload });
    } else {
      await api("/api/officers", { method: "POST", body: payload });
    }
    dialog.close();
    showMessage(message, `已保存“${payload.name}”。`, "ok");
    await load();
  } catch (error) {
    replaceChildren(formMessage, errorWithDetails(error));
    formMessage.className = "message message-error";
    formMessage.hidden = false;
  } finally {
    submit.disabled = false;
  }
});

filters.addEventListener("submit", (event) => {
  event.preventDefault();
  void load();
});
for (const control of [departmentFilter, statusFilter, credentialFilter, validOnFilter]) {
  control.addEventListener("change", () => void load());
}
for (const button of document.querySelectorAll<HTMLButtonElement>("dialog [data-close]")) {
  button.addEventListener("click", () => button.closest("dialog")?.close());
}
byId("new-officer").addEventListener("click", () => openDialog(null));

async function start() {
  me = await adminPage();
  const seesAll = me.role === "admin" || me.role === "supervisor";
  byId("filter-department-label").hidden = !seesAll;
  byId("new-officer").hidden = !canWrite();
  byId("officer-department-field").hidden = me.role !== "admin";
  departments = (await api<{ items: Department[] }>("/api/departments")).items;
  const options = departments.map((d) => h("option", { value: d.id }, d.name));
  departmentFilter.append(...options);
  replaceChildren(departmentInput, ...departments.map((d) => h("option", { value: d.id }, d.name)));
  // Login accounts are only listed to those who manage them.
  if (canWrite()) logins = (await api<{ items: User[] }>("/api/users")).items;
  await load();
}

start().catch((error) => showMessage(message, errorMessage(error)));
