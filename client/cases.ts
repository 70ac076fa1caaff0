import { api, errorMessage } from "./lib/api";
import { byId, h, replaceChildren, showMessage } from "./lib/dom";
import type { CaseItem, CaseOptions } from "./lib/case-types";
import { adminPage } from "./lib/layout";

const list = byId("case-items");
const message = byId("message");
const filters = byId("filters");
let filter = "active";

function card(c: CaseItem) {
  return h(
    "a",
    { className: "case-card", href: `/admin/cases/${encodeURIComponent(c.id)}` },
    h(
      "div",
      { className: "line1" },
      h("strong", {}, c.number),
      h("span", { className: `badge badge-${c.status}` }, c.statusLabel),
      c.level === "major" ? h("span", { className: "badge badge-overdue" }, "重大") : null,
      c.overdue ? h("span", { className: "badge badge-overdue" }, "答复逾期") : null,
    ),
    h("div", {}, c.title),
    h(
      "div",
      { className: "muted" },
      `${c.department.name} · ${c.situations.join("、")} · 答复期限 ${c.answerDue}`,
      c.conclusionLabel ? ` · 结论：${c.conclusionLabel}` : "",
    ),
  );
}

async function load() {
  const params = new URLSearchParams();
  if (filter) params.set("status", filter);
  try {
    const { items } = await api<{ items: CaseItem[] }>(`/api/cases?${params}`);
    if (items.length === 0) replaceChildren(list, h("li", { className: "empty" }, "没有案件。"));
    else replaceChildren(list, ...items.map((c) => h("li", {}, card(c))));
  } catch (error) {
    showMessage(message, `案件列表加载失败：${errorMessage(error)}`);
  }
}

filters.addEventListener("click", (event) => {
  const button = (event.target as HTMLElement).closest<HTMLButtonElement>("button[data-status]");
  if (!button) return;
  filter = button.dataset.status ?? "";
  for (const b of filters.querySelectorAll("button")) b.setAttribute("aria-pressed", String(b === button));
  void load();
});

/** The opening form: the bureau's only; a source (alert, complaint, warning) arrives in the query. */
async function openForm() {
  byId("open-section").hidden = false;
  const query = new URLSearchParams(location.search);
  const source = query.get("source");
  const [kind, ...rest] = (source ?? "").split(":");
  const ref = rest.join(":");
  if (source && kind && ref) {
    const note = byId("source-note");
    note.hidden = false;
    note.textContent = `来源：${{ alert: "告警", complaint: "企业投诉", warning: "监督预警" }[kind] ?? kind}（将关联到本案件）`;
  }
  const options = await api<CaseOptions>("/api/cases/options");
  const { items: departments } = await api<{ items: { id: string; name: string }[] }>("/api/departments");
  const deptSelect = byId<HTMLSelectElement>("department");
  replaceChildren(
    deptSelect,
    h("option", { value: "" }, "请选择"),
    ...departments.map((d) =>
      h("option", { value: d.id, selected: d.id === query.get("department") }, d.name),
    ),
  );
  replaceChildren(
    byId("situations"),
    ...options.situations.map((s) => h("label", {}, h("input", { type: "checkbox", value: s }), s)),
  );
  const due = byId<HTMLInputElement>("due");
  due.value = new Date(Date.now() + 15 * 86_400_000).toISOString().slice(0, 10);
  const loadOfficers = async () => {
    const box = byId("officers");
    if (!deptSelect.value) return replaceChildren(box, h("span", { className: "muted" }, "先选择部门"));
    const { items } = await api<{ items: { id: string; name: string; isHelper: boolean }[] }>(
      `/api/officers?department=${encodeURIComponent(deptSelect.value)}`,
    );
    const people = items.filter((o) => !o.isHelper);
    replaceChildren(
      box,
      ...(people.length
        ? people.map((o) => h("label", {}, h("input", { type: "checkbox", value: o.id }), o.name))
        : [h("span", { className: "muted" }, "该部门没有执法人员")]),
    );
  };
  deptSelect.addEventListener("change", () => void loadOfficers());
  await loadOfficers();
  byId("open-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const checked = (id: string) =>
      [...byId(id).querySelectorAll<HTMLInputElement>("input:checked")].map((i) => i.value);
    const submit = byId<HTMLButtonElement>("open-submit");
    submit.disabled = true;
    try {
      const created = await api<{ id: string }>("/api/cases", {
        method: "POST",
        body: {
          departmentId: deptSelect.value,
          title: byId<HTMLInputElement>("title").value,
          facts: byId<HTMLTextAreaElement>("facts").value,
          situations: checked("situations"),
          officerIds: checked("officers"),
          level: byId<HTMLSelectElement>("level").value,
          answerDue: due.value,
          sources: source && kind && ref ? [{ kind, ref }] : [],
        },
      });
      location.assign(`/admin/cases/${encodeURIComponent(created.id)}`);
    } catch (error) {
      showMessage(message, `立案失败：${errorMessage(error)}`);
      submit.disabled = false;
    }
  });
}

async function main() {
  const me = await adminPage();
  if (me.role === "admin" || me.role === "supervisor")
    await openForm().catch((e) => showMessage(message, errorMessage(e)));
  await load();
}

void main();
