// Join requests (R18): another department takes part only once the lead department's administrator
// accepted and its own administrator approved. Shown on the inspection detail page and, for the
// joining department's administrator who cannot open the inspection yet, on the inspections list.
import { localDateTime } from "./local-time";
import { api, errorMessage } from "./api";
import { h } from "./dom";
import { formatWindow } from "./inspection-ui";
import type { User } from "./types";

export interface JoinRequest {
  id: string;
  inspectionId: string;
  origin: "join" | "filing" | "merge";
  status: "pending" | "joined" | "refused";
  department: { id: string; name: string };
  leadDepartment: { id: string; name: string };
  enterprise: { name: string };
  inspectionStatus: string;
  plannedStart: string;
  plannedEnd: string;
  officers: { id: string; name: string; isHelper: boolean }[];
  items: { id: string; code: string; name: string }[];
  requestedAt: string;
  decidedAt: string | null;
  refusalReason: string | null;
  awaiting: ("lead" | "department")[];
}

const ORIGIN_LABELS: Record<JoinRequest["origin"], string> = {
  join: "申请加入",
  filing: "联合备案",
  merge: "计划合并",
};

/** The consent `me` can give now: accept as the lead's administrator, approve as the joining one's. */
export function myConsent(r: JoinRequest, me: User | null): "accept" | "approve" | null {
  if (me?.role !== "dept_admin" || r.status !== "pending") return null;
  // Once the visit began nobody can join it any more; the request can only be refused.
  if (!["filed", "approved"].includes(r.inspectionStatus)) return null;
  if (r.awaiting.includes("lead") && me.departmentId === r.leadDepartment.id) return "accept";
  if (r.awaiting.includes("department") && me.departmentId === r.department.id) return "approve";
  return null;
}

function statusText(r: JoinRequest): string {
  if (r.status === "joined") return `已加入（${localDateTime(r.decidedAt!)}）`;
  if (r.status === "refused") return `已拒绝：${r.refusalReason ?? ""}`;
  const waiting = r.awaiting.map((side) =>
    side === "lead" ? `${r.leadDepartment.name}管理员同意` : `${r.department.name}管理员批准`,
  );
  return `等待${waiting.join("、")}`;
}

/** One request as a list entry, with the buttons `me` may use; `done` runs after a decision. */
export function joinRequestItem(
  r: JoinRequest,
  me: User | null,
  done: (text: string) => void,
  fail: (text: string) => void,
  withInspection = false,
): HTMLElement {
  const consent = myConsent(r, me);
  const involved =
    me?.role === "dept_admin" && [r.department.id, r.leadDepartment.id].includes(me.departmentId ?? "");
  const buttons: HTMLElement[] = [];
  const post = async (path: string, body: unknown, text: string) => {
    try {
      await api(`/api/join-requests/${encodeURIComponent(r.id)}/${path}`, { method: "POST", body });
      done(text);
    } catch (error) {
      fail(errorMessage(error));
    }
  };
  if (consent) {
    const label = consent === "accept" ? "同意加入" : "批准本部门加入";
    const button = h("button", { type: "button", className: "primary", "data-join-action": consent }, label);
    button.addEventListener(
      "click",
      () => void post(consent, {}, "已记录同意。双方均同意后即加入联合检查。"),
    );
    buttons.push(button);
  }
  if (r.status === "pending" && involved) {
    const button = h("button", { type: "button", className: "danger", "data-join-action": "refuse" }, "拒绝");
    button.addEventListener("click", () => {
      const reason = window.prompt("拒绝的理由：")?.trim();
      if (reason) void post("refuse", { reason }, "已拒绝该加入申请，理由已记录。");
    });
    buttons.push(button);
  }
  return h(
    "li",
    { "data-join-request-id": r.id, "data-status": r.status },
    h("span", { className: "person-name" }, `${r.department.name}（${ORIGIN_LABELS[r.origin]}）`),
    withInspection
      ? h(
          "span",
          { className: "small" },
          `${r.enterprise.name} · ${r.leadDepartment.name}牵头 · ${formatWindow(r.plannedStart, r.plannedEnd)}`,
        )
      : null,
    h(
      "span",
      { className: "small" },
      `执法人员：${r.officers.map((o) => (o.isHelper ? `${o.name}（辅助）` : o.name)).join("、") || "—"}`,
    ),
    h(
      "span",
      { className: "small" },
      `检查事项：${r.items.map((i) => `${i.code} ${i.name}`).join("、") || "—"}`,
    ),
    h("span", { className: "muted small join-status" }, statusText(r)),
    buttons.length ? h("span", { className: "actions" }, ...buttons) : null,
  );
}
