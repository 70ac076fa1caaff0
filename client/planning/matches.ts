import { inputToIso, inputValue } from "../lib/local-time";
import { TYPE_LABELS } from "../../src/inspections/labels";
import { api, errorMessage } from "../lib/api";
import { errorWithDetails } from "../lib/details";
import { byId, h, replaceChildren, showMessage } from "../lib/dom";
import { formatWindow } from "../lib/inspection-ui";
import { message, periodQuery, state } from "./state";
import type { Group, Matches, Merged, Named, Officer } from "./types";

export function stat(label: string, value: number, extra = ""): HTMLElement {
  return h("div", { className: `stat ${extra}` }, h("strong", {}, value), label);
}

export async function loadMatches() {
  const view = await api<Matches>(`/api/planning/matches?${periodQuery()}`);
  byId("matching-note").textContent =
    `同一企业、计划开始时间相距不足 ${view.windowDays} 天（重复检查窗口期）或计划时间重叠的任务归为一组，可合并为一次联合检查。` +
    (state.me.role === "admin"
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

export function groupCard(g: Group): HTMLElement {
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
          `${t.department.name} · ${TYPE_LABELS[t.kind]} · ${formatWindow(t.plannedStart, t.plannedEnd)} · `,
          t.items.map((i) => `${i.code} ${i.name}`).join("；"),
        ),
      ),
    ),
  );
  if (state.me.role === "admin") card.append(mergeForm(g));
  return card;
}

/** The coordinator's merge: lead department, the visit's window and the officers who go. */
export function mergeForm(g: Group): HTMLElement {
  const lead = h(
    "select",
    { className: "merge-lead" },
    ...g.departments.map((d) =>
      h("option", { value: d.id, selected: d.id === g.suggested.leadDepartmentId }, d.name),
    ),
  );
  const start = h("input", {
    type: "datetime-local",
    value: inputValue(Date.parse(g.suggested.plannedStart)),
  });
  const end = h("input", { type: "datetime-local", value: inputValue(Date.parse(g.suggested.plannedEnd)) });
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

export function officersOf(departmentId: string): Promise<Officer[]> {
  let pending = state.officersByDepartment.get(departmentId);
  if (!pending) {
    const params = new URLSearchParams({ department: departmentId, status: "active" });
    pending = api<{ items: Officer[] }>(`/api/officers?${params}`).then((r) => r.items);
    state.officersByDepartment.set(departmentId, pending);
  }
  return pending;
}

export const proposed = (officers: Officer[]) =>
  officers.filter((o) => !o.isHelper && o.credential.valid).slice(0, 2);

export async function fillOfficers(box: HTMLElement, departments: Named[]) {
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

export async function merge(
  g: Group,
  choice: { lead: string; start: string; end: string; officerIds: string[] },
  note: HTMLElement,
  submit: HTMLButtonElement,
) {
  submit.disabled = true;
  showMessage(note, "正在合并…", "info");
  try {
    const result = await api<Merged>("/api/planning/merge", {
      method: "POST",
      body: {
        taskIds: g.tasks.map((t) => t.id),
        leadDepartmentId: choice.lead,
        officerIds: choice.officerIds,
        plannedStart: inputToIso(choice.start),
        plannedEnd: inputToIso(choice.end),
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
    await state.refresh();
  } catch (error) {
    replaceChildren(note, errorWithDetails(error));
    note.className = "message message-error";
    note.hidden = false;
    submit.disabled = false;
  }
}
