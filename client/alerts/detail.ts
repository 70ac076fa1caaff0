import { api, errorMessage } from "../lib/api";
import { auditLink } from "../lib/audit-link";
import { formatTime, h, replaceChildren, showMessage } from "../lib/dom";
import { historyBlock, inspectionBlock, sourceBlock, timesBlock } from "./blocks";
import { renderList, upsert } from "./list";
import { detailBox, message, state } from "./state";
import type { AlertDetail } from "./types";

/** A form with one textarea and a submit button that runs `action` with the text. */
export function textForm(
  key: string,
  label: string,
  buttonText: string,
  placeholder: string,
  action: (text: string) => Promise<boolean>,
) {
  const area = h("textarea", { rows: 3, maxlength: 2000, placeholder, required: true });
  area.value = state.drafts.get(key) ?? "";
  area.addEventListener("input", () => state.drafts.set(key, area.value));
  const submit = h("button", { type: "submit", className: "primary" }, buttonText);
  const form = h(
    "form",
    {},
    h("label", {}, h("span", {}, label), area),
    h("div", { className: "row" }, submit),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const text = area.value.trim();
    if (!text) return area.focus();
    submit.disabled = true;
    try {
      if (await action(text)) state.drafts.delete(key);
    } finally {
      submit.disabled = false;
    }
  });
  return form;
}

export function handleBlock(a: AlertDetail) {
  if (a.status === "closed") {
    return h(
      "div",
      { className: "message message-ok" },
      `已于 ${formatTime(a.closedAt)} 由 ${a.closedBy?.displayName ?? "—"} 办结。处理结果：${a.outcome ?? ""}`,
    );
  }
  const select = h(
    "select",
    { "aria-label": "指派给" },
    ...state.assignees.map((p) =>
      h("option", { value: p.id, selected: p.id === (a.assignedTo?.id ?? state.me.id) }, p.displayName),
    ),
  );
  const assignSelf = h("button", { type: "button", className: "primary" }, "指派给我");
  const assignOther = h("button", { type: "button" }, "指派");
  assignSelf.addEventListener("click", () => void act(a.id, "assign", { userId: state.me.id }));
  assignOther.addEventListener("click", () => void act(a.id, "assign", { userId: select.value }));
  // A finding that needs the department to answer becomes a supervision case (issue 16).
  const source = a.kind === "complaint" && a.complaintId ? `complaint:${a.complaintId}` : `alert:${a.id}`;
  const toCase = h(
    "a",
    {
      className: "button",
      href: `/admin/cases?source=${encodeURIComponent(source)}&department=${encodeURIComponent(a.department.id)}`,
    },
    "立案督办",
  );
  return h(
    "div",
    { className: "handle-forms" },
    h(
      "div",
      { className: "row" },
      assignSelf,
      h("span", { className: "muted" }, "或"),
      select,
      assignOther,
      toCase,
    ),
    textForm(`${a.id}:note`, "跟进记录", "添加跟进", "例如：已电话联系企业核实情况", (note) =>
      act(a.id, "notes", { note }),
    ),
    textForm(
      `${a.id}:outcome`,
      a.kind === "complaint" ? "处理结果（办结必填，将告知投诉企业）" : "处理结果（办结必填）",
      "办结",
      "例如：经核查情况属实，已责令整改并通报",
      (outcome) => act(a.id, "close", { outcome }),
    ),
  );
}

export function renderDetail(a: AlertDetail) {
  replaceChildren(
    detailBox,
    h(
      "h2",
      {},
      h("span", { className: `badge badge-${a.status}` }, a.statusLabel),
      " ",
      a.department.name,
      " ",
      auditLink(state.me.role, "alert", a.id),
    ),
    h("p", {}, a.summary),
    timesBlock(a),
    h("h2", {}, "处理"),
    handleBlock(a),
    ...sourceBlock(a),
    ...(a.inspection || a.kind !== "complaint" ? [h("h2", {}, "检查信息"), inspectionBlock(a)] : []),
    h("h2", {}, "处理记录"),
    historyBlock(a),
  );
}

export async function select(id: string) {
  state.selected = id;
  renderList();
  try {
    renderDetail(await api<AlertDetail>(`/api/alerts/${encodeURIComponent(id)}`));
  } catch (error) {
    replaceChildren(detailBox, h("p", { className: "danger" }, errorMessage(error)));
  }
}

/** Runs a handling step; true when the server took it. */
export async function act(
  id: string,
  step: "assign" | "notes" | "close",
  body: Record<string, string>,
): Promise<boolean> {
  try {
    const updated = await api<AlertDetail>(`/api/alerts/${encodeURIComponent(id)}/${step}`, {
      method: "POST",
      body,
    });
    state.drafts.delete(`${id}:${step === "close" ? "outcome" : "note"}`);
    upsert(updated, false);
    if (state.selected === id) renderDetail(updated);
    showMessage(
      message,
      step === "close" ? "告警已办结。" : step === "assign" ? "已指派。" : "已添加跟进记录。",
      "ok",
    );
    return true;
  } catch (error) {
    showMessage(message, errorMessage(error));
    if (state.selected === id) void select(id);
    return false;
  }
}
