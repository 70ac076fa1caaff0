import { FILING_LABELS, percent, RISK_LABELS, STATUS_LABELS } from "../src/sampling/labels";
import { api, errorMessage } from "./lib/api";
import { byId, formatTime, h, replaceChildren, showMessage } from "./lib/dom";
import { adminPage } from "./lib/layout";
import type { Department, User } from "./lib/types";

interface Outcome {
  enterpriseId: string;
  enterpriseName: string;
  creditCode: string;
  grade: string;
  triggered: boolean;
  staffed: boolean;
  eligibleOfficers: number;
  officers: { id: string; name: string; credentialNo: string }[];
  filing: {
    outcome: string;
    inspectionId: string | null;
    conflictInspectionId: string | null;
    message: string;
  } | null;
}

interface Task {
  id: string;
  name: string;
  status: string;
  departments: { id: string; name: string }[];
  items: { id: string; code: string; name: string }[];
  periodFrom: string;
  periodTo: string;
  filters: { districts: string[]; industries: string[]; riskLevels: string[] };
  ratios: Record<string, number>;
  triggeredCreditCodes: string[];
  inspectorsPerEnterprise: number;
  snapshotHash: string | null;
  commitment: string | null;
  seed: string | null;
  grades:
    | { grade: string; population: number; triggered: number; pool: number; ratioBp: number; drawn: number }[]
    | null;
  officerPool: number | null;
  outcome: Outcome[] | null;
  createdAt: string;
  committedAt: string | null;
  drawnAt: string | null;
  revealedAt: string | null;
  filedAt: string | null;
}

type Summary = Pick<Task, "id" | "name" | "status" | "departments" | "periodFrom" | "periodTo" | "createdAt">;

const message = byId("message");
let user: User;
let selected: string | null = null;

const canManage = (task?: Task) =>
  user.role === "admin" ||
  (user.role === "dept_admin" && (!task || task.departments[0]?.id === user.departmentId));

function checkboxes(container: HTMLElement, options: { value: string; label: string }[]) {
  replaceChildren(
    container,
    ...(options.length
      ? options.map((o) => h("label", {}, h("input", { type: "checkbox", value: o.value }), o.label))
      : [h("span", { className: "muted small" }, "（无可选项）")]),
  );
}

const checked = (id: string) =>
  [...byId(id).querySelectorAll<HTMLInputElement>("input[type=checkbox]:checked")].map((i) => i.value);

async function loadItems() {
  const department = byId<HTMLSelectElement>("task-department").value || user.departmentId || "";
  const { items } = await api<{ items: { id: string; code: string; name: string; status: string }[] }>(
    `/api/catalog/items?status=active&department=${encodeURIComponent(department)}`,
  );
  checkboxes(
    byId("items"),
    items.map((i) => ({ value: i.id, label: `${i.code} ${i.name}` })),
  );
}

async function setUpForm() {
  byId("create-card").hidden = false;
  const today = new Date();
  const iso = (d: Date) => d.toISOString().slice(0, 10);
  byId<HTMLInputElement>("period-from").value = iso(new Date(today.getTime() + 86_400_000));
  byId<HTMLInputElement>("period-to").value = iso(new Date(today.getTime() + 30 * 86_400_000));
  const select = byId<HTMLSelectElement>("task-department");
  if (user.role === "admin") {
    const { items } = await api<{ items: Department[] }>("/api/departments");
    select.append(...items.map((d) => h("option", { value: d.id }, d.name)));
    select.addEventListener("change", () => void loadItems());
  } else {
    byId("department-field").hidden = true;
  }
  const options = await api<{ districts: string[]; industries: string[] }>("/api/sampling/options");
  checkboxes(
    byId("districts"),
    options.districts.map((d) => ({ value: d, label: d })),
  );
  checkboxes(
    byId("industries"),
    options.industries.map((d) => ({ value: d, label: d })),
  );
  await loadItems();
  byId<HTMLFormElement>("task-form").addEventListener("submit", (event) => {
    event.preventDefault();
    void createTask();
  });
}

async function createTask() {
  const ratio = (g: string) => Number(byId<HTMLInputElement>(`ratio-${g}`).value || 0);
  const body = {
    name: byId<HTMLInputElement>("task-name").value,
    departmentIds: user.role === "admin" ? [byId<HTMLSelectElement>("task-department").value] : undefined,
    itemIds: checked("items"),
    periodFrom: byId<HTMLInputElement>("period-from").value,
    periodTo: byId<HTMLInputElement>("period-to").value,
    filters: {
      districts: checked("districts"),
      industries: checked("industries"),
      riskLevels: checked("risk-levels"),
    },
    ratios: { A: ratio("A"), B: ratio("B"), C: ratio("C"), D: ratio("D") },
    triggeredCreditCodes: byId<HTMLTextAreaElement>("triggered")
      .value.split(/[\s,，;；]+/)
      .filter(Boolean),
    inspectorsPerEnterprise: Number(byId<HTMLInputElement>("per-enterprise").value || 2),
  };
  try {
    const { task } = await api<{ task: Task }>("/api/sampling/tasks", { method: "POST", body });
    showMessage(message, `已创建抽查任务「${task.name}」。下一步：冻结范围并公布承诺值。`, "ok");
    selected = task.id;
    await refresh();
  } catch (error) {
    showMessage(message, `创建失败：${errorMessage(error)}`);
  }
}

async function refresh() {
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
          { "data-id": t.id, className: t.id === selected ? "selected" : "", onclick: () => void open(t.id) },
          h("td", {}, h("a", { href: `#${t.id}` }, t.name)),
          h("td", {}, t.departments.map((d) => d.name).join("、")),
          h("td", {}, `${t.periodFrom} 至 ${t.periodTo}`),
          h("td", {}, STATUS_LABELS[t.status] ?? t.status),
          h("td", {}, formatTime(t.createdAt)),
        ),
      ),
    );
  }
  if (selected) await open(selected);
}

const STEPS: { status: string; label: string }[] = [
  { status: "draft", label: "1 创建" },
  { status: "committed", label: "2 冻结并公布承诺值" },
  { status: "drawn", label: "3 抽取" },
  { status: "published", label: "4 公开种子并公示" },
];

function stepList(task: Task) {
  const at = STEPS.findIndex((s) => s.status === task.status);
  return STEPS.map((s, i) =>
    h("li", { className: i < at ? "done" : i === at ? "current" : "" }, s.label),
  ).concat(h("li", { className: task.filedAt ? "done" : "" }, "5 生成备案"));
}

function actionButtons(task: Task): HTMLElement[] {
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

async function runStep(task: Task, step: string, confirmText: string) {
  if (!confirm(confirmText)) return;
  try {
    await api(`/api/sampling/tasks/${task.id}/${step}`, { method: "POST" });
    showMessage(message, "", "ok");
    await refresh();
  } catch (error) {
    showMessage(message, errorMessage(error));
  }
}

function facts(task: Task): HTMLElement[] {
  const row = (label: string, value: Node | string) => [h("dt", {}, label), h("dd", {}, value)];
  const f = task.filters;
  return [
    ...row("部门", task.departments.map((d) => d.name).join("、")),
    ...row("检查事项", task.items.map((i) => `${i.code} ${i.name}`).join("；")),
    ...row("期间", `${task.periodFrom} 至 ${task.periodTo}`),
    ...row(
      "范围",
      [
        f.districts.length ? `区县：${f.districts.join("、")}` : "全部区县",
        f.industries.length ? `行业：${f.industries.join("、")}` : "全部行业",
        f.riskLevels.length
          ? `风险：${f.riskLevels.map((r) => RISK_LABELS[r] ?? r).join("、")}`
          : "全部风险等级",
      ].join("；"),
    ),
    ...row("比例", ["A", "B", "C", "D"].map((g) => `${g} ${percent(task.ratios[g] ?? 0)}`).join("　")),
    ...row("每户执法人员", `${task.inspectorsPerEnterprise} 名`),
    ...row("触发名单", task.triggeredCreditCodes.join("、") || "无"),
    ...row("执法人员库", task.officerPool === null ? "冻结时确定" : `${task.officerPool} 名`),
    ...row("快照哈希", h("span", { className: "hash" }, task.snapshotHash ?? "—")),
    ...row("承诺值 sha256(种子)", h("span", { className: "hash" }, task.commitment ?? "—")),
    ...row("承诺公布时间", formatTime(task.committedAt)),
    ...row("随机种子", h("span", { className: "hash" }, task.seed ?? (task.commitment ? "公示时公开" : "—"))),
  ];
}

function gradeTable(task: Task) {
  if (!task.grades) return null;
  return h(
    "table",
    { className: "list grades" },
    h(
      "thead",
      {},
      h(
        "tr",
        {},
        ...["信用等级", "范围内企业", "触发纳入", "参与抽取", "比例", "抽中"].map((t) => h("th", {}, t)),
      ),
    ),
    h(
      "tbody",
      {},
      ...task.grades.map((g) =>
        h(
          "tr",
          {},
          h("td", {}, g.grade),
          h("td", {}, g.population),
          h("td", {}, g.triggered),
          h("td", {}, g.pool),
          h("td", {}, percent(g.ratioBp / 100)),
          h("td", {}, g.drawn),
        ),
      ),
    ),
  );
}

function outcomeTable(task: Task) {
  if (!task.outcome) return null;
  return h(
    "div",
    { className: "table-scroll" },
    h(
      "table",
      { className: "list", id: "outcome-table" },
      h(
        "thead",
        {},
        h("tr", {}, ...["企业", "统一社会信用代码", "等级", "执法人员", "备案"].map((t) => h("th", {}, t))),
      ),
      h(
        "tbody",
        {},
        ...task.outcome.map((o) => {
          const label = o.filing ? FILING_LABELS[o.filing.outcome] : null;
          return h(
            "tr",
            {},
            h(
              "td",
              {},
              o.enterpriseName,
              o.triggered ? h("span", { className: "muted small" }, "（触发纳入）") : null,
            ),
            h("td", { className: "uscc" }, o.creditCode),
            h("td", {}, o.grade),
            h(
              "td",
              {},
              o.staffed
                ? o.officers.map((p) => `${p.name}（${p.credentialNo}）`).join("、")
                : h("span", { className: "outcome-badge bad" }, `无法配齐：可用 ${o.eligibleOfficers} 名`),
            ),
            h(
              "td",
              {},
              label
                ? h(
                    "span",
                    { className: `outcome-badge ${label.tone}`, title: o.filing!.message },
                    label.text,
                  )
                : "—",
              o.filing?.inspectionId
                ? h("a", { href: `/admin/inspections/${o.filing.inspectionId}` }, " 查看")
                : null,
              o.filing?.conflictInspectionId
                ? h("a", { href: `/admin/inspections/${o.filing.conflictInspectionId}` }, " 已有检查")
                : null,
            ),
          );
        }),
      ),
    ),
  );
}

async function open(id: string) {
  selected = id;
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

// ---- 回避登记 ----

interface Conflict {
  id: string;
  officer: { id: string; name: string };
  enterprise: { id: string; name: string; creditCode: string };
  reason: string;
  createdAt: string;
}

let enterpriseChoices: { id: string; label: string }[] = [];

async function loadConflicts() {
  const { items } = await api<{ items: Conflict[] }>("/api/sampling/conflicts");
  const body = byId("conflicts-body");
  if (!items.length) {
    replaceChildren(body, h("tr", {}, h("td", { colspan: "5", className: "empty" }, "暂无回避登记。")));
    return;
  }
  replaceChildren(
    body,
    ...items.map((c) =>
      h(
        "tr",
        {},
        h("td", {}, c.officer.name),
        h("td", {}, `${c.enterprise.name}（${c.enterprise.creditCode}）`),
        h("td", {}, c.reason),
        h("td", {}, formatTime(c.createdAt)),
        h(
          "td",
          {},
          user.role === "admin" || user.role === "dept_admin"
            ? h(
                "button",
                { type: "button", className: "small-button", onclick: () => void deleteConflict(c) },
                "删除",
              )
            : null,
        ),
      ),
    ),
  );
}

async function deleteConflict(c: Conflict) {
  if (!confirm(`删除 ${c.officer.name} 与 ${c.enterprise.name} 的回避登记？`)) return;
  try {
    await api(`/api/sampling/conflicts/${c.id}`, { method: "DELETE" });
    await loadConflicts();
  } catch (error) {
    showMessage(message, errorMessage(error));
  }
}

async function searchEnterprises() {
  const q = byId<HTMLInputElement>("conflict-enterprise-q").value.trim();
  if (q.length < 2) return;
  const { items } = await api<{ items: { id: string; name: string; creditCode: string }[] }>(
    `/api/enterprises?limit=20&q=${encodeURIComponent(q)}`,
  );
  enterpriseChoices = items.map((e) => ({ id: e.id, label: `${e.name}（${e.creditCode}）` }));
  replaceChildren(
    byId("conflict-enterprises"),
    ...enterpriseChoices.map((e) => h("option", { value: e.label })),
  );
}

async function setUpConflictForm() {
  const form = byId<HTMLFormElement>("conflict-form");
  form.hidden = false;
  const department =
    user.role === "admin" ? "" : `&department=${encodeURIComponent(user.departmentId ?? "")}`;
  const { items } = await api<{
    items: { id: string; name: string; departmentName: string; isHelper: boolean }[];
  }>(`/api/officers?status=active&helper=0${department}`);
  replaceChildren(
    byId("conflict-officer"),
    ...items.map((o) =>
      h("option", { value: o.id }, user.role === "admin" ? `${o.name}（${o.departmentName}）` : o.name),
    ),
  );
  byId("conflict-enterprise-q").addEventListener(
    "input",
    () => void searchEnterprises().catch(() => undefined),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const label = byId<HTMLInputElement>("conflict-enterprise-q").value;
    const enterprise = enterpriseChoices.find((e) => e.label === label);
    if (!enterprise) {
      showMessage(message, "请从列表中选择企业");
      return;
    }
    try {
      await api("/api/sampling/conflicts", {
        method: "POST",
        body: {
          officerId: byId<HTMLSelectElement>("conflict-officer").value,
          enterpriseId: enterprise.id,
          reason: byId<HTMLInputElement>("conflict-reason").value,
        },
      });
      form.reset();
      showMessage(message, "已登记回避。", "ok");
      await loadConflicts();
    } catch (error) {
      showMessage(message, errorMessage(error));
    }
  });
}

async function start() {
  user = await adminPage();
  selected = location.hash.slice(1) || null;
  if (canManage()) {
    await setUpForm();
    await setUpConflictForm();
  }
  await Promise.all([refresh(), loadConflicts()]);
}

start().catch((error) => showMessage(message, `页面加载失败：${errorMessage(error)}`));
