// The joint inspection planning page: departments enter planned tasks; the coordinator sees the tasks
// that can share one visit (进一次门、查多项事) and merges them into one joint filing.
import { api, errorMessage, readCookie } from "./lib/api";
import { errorWithDetails } from "./lib/details";
import { byId, h, replaceChildren, showMessage } from "./lib/dom";
import { chinaLocal, formatWindow, localToIso } from "./lib/inspection-ui";
import { adminPage } from "./lib/layout";
import type { User } from "./lib/types";

type Kind = "routine" | "random" | "campaign";

interface Named {
  id: string;
  name: string;
}

interface Task {
  id: string;
  enterprise: Named & { creditCode: string };
  department: Named;
  kind: Kind;
  plannedStart: string;
  plannedEnd: string;
  notes: string;
  status: "planned" | "merged";
  inspectionId: string | null;
  items: { id: string; code: string; name: string }[];
}

interface Saving {
  tasks: number;
  visits: number;
  saved: number;
}

interface Group {
  enterprise: Named & { creditCode: string };
  departments: Named[];
  tasks: Task[];
  saved: number;
  suggested: { leadDepartmentId: string; plannedStart: string; plannedEnd: string };
}

interface Matches {
  windowDays: number;
  groups: Group[];
  open: Saving;
  merged: Saving;
  total: Saving;
}

interface Officer extends Named {
  isHelper: boolean;
  credential: { valid: boolean };
}

const KIND_LABELS: Record<Kind, string> = { routine: "日常检查", random: "双随机抽查", campaign: "专项检查" };
const DAY_MS = 86_400_000;

const message = byId("message");
const fromInput = byId<HTMLInputElement>("period-from");
const toInput = byId<HTMLInputElement>("period-to");
const dialog = byId<HTMLDialogElement>("task-dialog");
const taskMessage = byId("task-message");
const departmentSelect = byId<HTMLSelectElement>("task-department");
const enterpriseQuery = byId<HTMLInputElement>("task-enterprise-q");
const enterpriseSelect = byId<HTMLSelectElement>("task-enterprise");

let me: User;
/** The task being edited in the dialog, or null for a new one. */
let editing: Task | null = null;
const officersByDepartment = new Map<string, Promise<Officer[]>>();

const canWrite = () => me.role === "admin" || me.role === "dept_admin";
const coordinates = () => me.role === "admin" || me.role === "supervisor";

/** A date input value (China time) as the ISO instant starting that day, or ending it. */
const dayStart = (day: string) => `${day}T00:00:00+08:00`;
const dayEnd = (day: string) => `${day}T23:59:00+08:00`;

function periodQuery(): string {
  const params = new URLSearchParams({ from: dayStart(fromInput.value), to: dayEnd(toInput.value) });
  return params.toString();
}

function taskRow(task: Task): HTMLElement {
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
    h("td", {}, KIND_LABELS[task.kind]),
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

async function loadTasks() {
  const body = byId("tasks-body");
  const { items } = await api<{ items: Task[] }>(`/api/planning/tasks?${periodQuery()}`);
  if (items.length === 0) {
    replaceChildren(body, h("tr", {}, h("td", { colSpan: 7, className: "empty" }, "本期间还没有计划任务。")));
    return;
  }
  replaceChildren(body, ...items.map(taskRow));
}

function stat(label: string, value: number, extra = ""): HTMLElement {
  return h("div", { className: `stat ${extra}` }, h("strong", {}, value), label);
}

async function loadMatches() {
  const view = await api<Matches>(`/api/planning/matches?${periodQuery()}`);
  byId("matching-note").textContent =
    `同一企业、计划开始时间相距不足 ${view.windowDays} 天（重复检查窗口期）或计划时间重叠的任务归为一组，可合并为一次联合检查。` +
    (me.role === "admin"
      ? "合并前会显示摘要请您确认。"
      : "合并由系统管理员（管理员角色）操作；您可以查看分组，不能合并。");
  replaceChildren(
    byId("saving"),
    stat("计划任务（项）", view.total.tasks),
    stat("合并后入企（次）", view.total.visits),
    stat("减少入企（次）", view.total.saved, "stat-saved"),
    stat("已合并为联合检查（次）", view.merged.visits),
  );
  const joint = view.groups.filter((g) => g.tasks.length > 1);
  const groups = byId("groups");
  if (joint.length === 0) {
    replaceChildren(groups, h("li", { className: "empty" }, "本期间没有可以合并的计划任务。"));
    return;
  }
  replaceChildren(groups, ...joint.map(groupCard));
}

function groupCard(g: Group): HTMLElement {
  const card = h(
    "li",
    { className: "group-card", "data-enterprise-id": g.enterprise.id },
    h(
      "div",
      { className: "group-head" },
      h("span", { className: "group-title" }, g.enterprise.name),
      h("span", { className: "badge badge-flag badge-joint" }, `合并可减少入企 ${g.saved} 次`),
    ),
    h("div", { className: "muted small" }, "参与部门：", g.departments.map((d) => d.name).join("、")),
    h(
      "ul",
      { className: "group-tasks" },
      ...g.tasks.map((t) =>
        h(
          "li",
          {},
          `${t.department.name} · ${KIND_LABELS[t.kind]} · ${formatWindow(t.plannedStart, t.plannedEnd)} · `,
          t.items.map((i) => `${i.code} ${i.name}`).join("；"),
        ),
      ),
    ),
  );
  if (me.role === "admin") card.append(mergeForm(g));
  return card;
}

/** The coordinator's merge: lead department, the visit's window and the officers who go. */
function mergeForm(g: Group): HTMLElement {
  const lead = h(
    "select",
    { className: "merge-lead" },
    ...g.departments.map((d) =>
      h("option", { value: d.id, selected: d.id === g.suggested.leadDepartmentId }, d.name),
    ),
  );
  const start = h("input", {
    type: "datetime-local",
    value: chinaLocal(Date.parse(g.suggested.plannedStart)),
  });
  const end = h("input", { type: "datetime-local", value: chinaLocal(Date.parse(g.suggested.plannedEnd)) });
  const people = h("div", { className: "check-list merge-officers" }, "正在加载执法人员…");
  const note = h("div", { className: "message", hidden: true });
  const submit = h("button", { type: "submit", className: "primary" }, "合并为一次联合检查");
  const form = h(
    "form",
    { className: "merge-form" },
    h("label", { className: "field" }, h("span", {}, "牵头部门"), lead),
    h(
      "div",
      { className: "two-col" },
      h("label", { className: "field" }, h("span", {}, "联合检查开始"), start),
      h("label", { className: "field" }, h("span", {}, "联合检查结束"), end),
    ),
    h(
      "fieldset",
      { className: "plain-fieldset" },
      h("legend", {}, "参加检查的执法人员（至少两名持有效执法证）"),
      people,
    ),
    note,
    h("div", { className: "actions" }, submit),
  );
  void fillOfficers(people, g.departments);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const checked = [...people.querySelectorAll<HTMLInputElement>("input:checked")];
    const officerIds = checked.map((i) => i.value);
    // A filing is created at once: the coordinator confirms what will be filed, officers included
    // (two of each department are ticked in advance).
    const summary = [
      `将为「${g.enterprise.name}」备案一次联合检查：`,
      `· 合并 ${g.tasks.length} 项计划任务（${g.departments.map((d) => d.name).join("、")}），减少入企 ${g.saved} 次`,
      `· 牵头部门：${lead.selectedOptions[0]?.textContent ?? ""}`,
      `· 时间：${start.value.replace("T", " ")} 至 ${end.value.replace("T", " ")}`,
      `· 执法人员：${checked.map((i) => i.parentElement?.textContent?.trim() ?? "").join("；") || "（未选择）"}`,
      "确认合并并备案？",
    ].join("\n");
    if (!window.confirm(summary)) return;
    void merge(g, { lead: lead.value, start: start.value, end: end.value, officerIds }, note, submit);
  });
  return form;
}

function officersOf(departmentId: string): Promise<Officer[]> {
  let pending = officersByDepartment.get(departmentId);
  if (!pending) {
    const params = new URLSearchParams({ department: departmentId, status: "active" });
    pending = api<{ items: Officer[] }>(`/api/officers?${params}`).then((r) => r.items);
    officersByDepartment.set(departmentId, pending);
  }
  return pending;
}

const proposed = (officers: Officer[]) =>
  officers.filter((o) => !o.isHelper && o.credential.valid).slice(0, 2);

async function fillOfficers(box: HTMLElement, departments: Named[]) {
  try {
    const lists = await Promise.all(departments.map((d) => officersOf(d.id)));
    // Two credentialed officers of each department are proposed; the coordinator may change them.
    const choices = departments.flatMap((d, i) =>
      lists[i]!.map((o) =>
        h(
          "label",
          {},
          h("input", { type: "checkbox", value: o.id, checked: proposed(lists[i]!).includes(o) }),
          `${o.name}（${d.name}${o.isHelper ? "，辅助人员" : o.credential.valid ? "" : "，证件无效"}）`,
        ),
      ),
    );
    replaceChildren(box, ...(choices.length ? choices : ["参与部门没有在岗执法人员。"]));
  } catch (error) {
    replaceChildren(box, errorMessage(error));
  }
}

async function merge(
  g: Group,
  choice: { lead: string; start: string; end: string; officerIds: string[] },
  note: HTMLElement,
  submit: HTMLButtonElement,
) {
  submit.disabled = true;
  showMessage(note, "正在合并…", "info");
  try {
    const result = await api<{ id: string; saved: number }>("/api/planning/merge", {
      method: "POST",
      body: {
        taskIds: g.tasks.map((t) => t.id),
        leadDepartmentId: choice.lead,
        officerIds: choice.officerIds,
        plannedStart: localToIso(choice.start),
        plannedEnd: localToIso(choice.end),
      },
    });
    replaceChildren(
      message,
      `已合并为一次联合检查并备案，减少入企 ${result.saved} 次。`,
      h(
        "a",
        { href: `/admin/inspections/${encodeURIComponent(result.id)}`, id: "merged-link" },
        "查看联合检查备案",
      ),
    );
    message.className = "message message-ok";
    message.hidden = false;
    await refresh();
  } catch (error) {
    replaceChildren(note, errorWithDetails(error));
    note.className = "message message-error";
    note.hidden = false;
    submit.disabled = false;
  }
}

async function removeTask(task: Task) {
  if (!confirm(`删除对“${task.enterprise.name}”的计划任务？`)) return;
  try {
    await api(`/api/planning/tasks/${encodeURIComponent(task.id)}`, { method: "DELETE" });
    await refresh();
  } catch (error) {
    showMessage(message, errorMessage(error));
  }
}

// ---- the task dialog ----

async function loadDepartments() {
  const { items } = await api<{ items: (Named & { listed: boolean })[] }>("/api/departments");
  replaceChildren(
    departmentSelect,
    ...items.filter((d) => d.listed).map((d) => h("option", { value: d.id }, d.name)),
  );
}

async function searchEnterprises(keep?: Named) {
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

async function loadItems(departmentId: string, checked: string[]) {
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

const dialogDepartment = () => (me.role === "admin" ? departmentSelect.value : (me.departmentId ?? ""));

async function openDialog(task: Task | null) {
  editing = task;
  byId("task-heading").textContent = task ? "修改计划任务" : "录入计划任务";
  showMessage(taskMessage, "");
  byId("task-department-field").hidden = me.role !== "admin" || task !== null;
  if (task) departmentSelect.value = task.department.id;
  enterpriseQuery.value = "";
  byId<HTMLSelectElement>("task-kind").value = task?.kind ?? "routine";
  byId<HTMLInputElement>("task-start").value = task
    ? chinaLocal(Date.parse(task.plannedStart)).slice(0, 10)
    : "";
  byId<HTMLInputElement>("task-end").value = task ? chinaLocal(Date.parse(task.plannedEnd)).slice(0, 10) : "";
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

async function saveTask(event: Event) {
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
    if (editing) {
      await api(`/api/planning/tasks/${encodeURIComponent(editing.id)}`, { method: "PATCH", body });
    } else {
      const departmentId = me.role === "admin" ? departmentSelect.value : undefined;
      await api("/api/planning/tasks", { method: "POST", body: { ...body, departmentId } });
    }
    dialog.close();
    await refresh();
  } catch (error) {
    replaceChildren(taskMessage, errorWithDetails(error));
    taskMessage.className = "message message-error";
    taskMessage.hidden = false;
  } finally {
    submit.disabled = false;
  }
}

interface ImportReport {
  imported?: number;
  refused?: { row: number; errors: string[] }[];
  error?: { message: string };
}

/** Sends the chosen file as the request body; all rows are imported or none. */
async function importFile(file: File) {
  showMessage(message, `正在导入 ${file.name}…`, "info");
  const type = file.name.toLowerCase().endsWith(".xlsx")
    ? "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    : "text/csv";
  try {
    const response = await fetch("/api/planning/tasks/import", {
      method: "POST",
      headers: { "Content-Type": type, "X-CSRF-Token": readCookie("lianma_csrf") ?? "" },
      body: file,
      credentials: "same-origin",
    });
    const report = (await response.json().catch(() => ({}))) as ImportReport;
    if (response.ok) {
      showMessage(message, `已导入 ${report.imported ?? 0} 项计划任务。`, "ok");
      await refresh();
      return;
    }
    replaceChildren(
      message,
      report.error?.message ?? `导入失败（${response.status}）`,
      h(
        "ul",
        {},
        ...(report.refused ?? []).map((r) => h("li", {}, `第 ${r.row} 行：${r.errors.join("；")}`)),
      ),
    );
    message.className = "message message-error";
    message.hidden = false;
  } catch (error) {
    showMessage(message, errorMessage(error));
  }
}

async function refresh() {
  try {
    await Promise.all([loadTasks(), coordinates() ? loadMatches() : Promise.resolve()]);
  } catch (error) {
    showMessage(message, errorMessage(error));
  }
}

function defaultPeriod() {
  const today = Date.now();
  fromInput.value = chinaLocal(today).slice(0, 10);
  toInput.value = chinaLocal(today + 91 * DAY_MS).slice(0, 10);
}

async function start() {
  me = await adminPage();
  defaultPeriod();
  byId("new-task").hidden = !canWrite();
  byId("import-label").hidden = !canWrite();
  byId("import-help").hidden = !canWrite();
  const fileInput = byId<HTMLInputElement>("import-file");
  fileInput.addEventListener("change", () => {
    const file = fileInput.files?.[0];
    fileInput.value = "";
    if (file) void importFile(file);
  });
  byId("matching").hidden = !coordinates();
  if (me.role === "admin") await loadDepartments();
  byId("new-task").addEventListener("click", () => void openDialog(null));
  byId("period").addEventListener("submit", (event) => {
    event.preventDefault();
    message.hidden = true;
    void refresh();
  });
  let searchTimer: ReturnType<typeof setTimeout> | undefined;
  enterpriseQuery.addEventListener("input", () => {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(() => void searchEnterprises().catch(() => undefined), 250);
  });
  departmentSelect.addEventListener("change", () => void loadItems(departmentSelect.value, []));
  byId("task-form").addEventListener("submit", (event) => void saveTask(event));
  for (const button of document.querySelectorAll<HTMLButtonElement>("dialog [data-close]")) {
    button.addEventListener("click", () => button.closest("dialog")?.close());
  }
  await refresh();
}

start().catch((error) => showMessage(message, errorMessage(error)));
