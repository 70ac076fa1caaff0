// Corrective actions on the staff inspection page (issue 15): review the enterprise's evidence
// (书面核查 where the item allows it, or return with a reason) and file a 复查 of the chosen ones.
import { api, errorMessage } from "./api";
import { byId, h, replaceChildren, showMessage } from "./dom";
import type { InspectionDetail } from "./inspection-ui";
import type { User } from "./types";

export interface CorrectiveAction {
  id: string;
  departmentId: string;
  pointTitle: string;
  itemCode: string;
  requirement: string;
  deadline: string;
  status: string;
  statusLabel: string;
  overdue: boolean;
  late: boolean;
  statement: string | null;
  creditCommitment: boolean;
  returnReason: string | null;
  firstViolation: { label: string } | null;
  evidence: { id: string; fileName: string; contentType: string; url: string }[];
}

const REINSPECTABLE = new Set(["open", "returned", "evidence_submitted"]);

function badges(a: CorrectiveAction) {
  return [
    h("span", { className: `badge action-${a.status}` }, a.statusLabel),
    a.overdue ? h("span", { className: "badge badge-warn" }, "已逾期") : "",
    a.late ? h("span", { className: "badge badge-warn" }, "逾期提交") : "",
    a.firstViolation ? h("span", { className: "badge" }, a.firstViolation.label) : "",
  ];
}

function evidenceList(a: CorrectiveAction) {
  if (!a.evidence.length) return "";
  return h(
    "ul",
    { className: "evidence-list" },
    ...a.evidence.map((e) =>
      h(
        "li",
        {},
        e.contentType.startsWith("image/")
          ? h("img", { src: e.url, alt: "整改照片", className: "evidence-thumb" })
          : "",
        h("a", { href: e.url, target: "_blank", rel: "noopener" }, e.fileName),
      ),
    ),
  );
}

/** Renders the card; hidden when the inspection has no actions. */
export async function renderCorrectiveActions(d: InspectionDetail, me: User | null): Promise<void> {
  const card = byId("corrective-card");
  const box = byId("corrective-message");
  let items: CorrectiveAction[];
  try {
    ({ items } = await api<{ items: CorrectiveAction[] }>(
      `/api/actions?inspectionId=${encodeURIComponent(d.id)}`,
    ));
  } catch {
    card.hidden = true;
    return;
  }
  card.hidden = items.length === 0;
  const reviewer = me !== null && me.role !== "supervisor";
  const chosen = new Set<string>();
  const reload = () => void renderCorrectiveActions(d, me);
  const act = async (id: string, step: "accept" | "return", body: unknown, done: string) => {
    try {
      await api(`/api/actions/${id}/${step}`, { method: "POST", body });
      showMessage(box, done, "ok");
      reload();
    } catch (error) {
      showMessage(box, errorMessage(error));
    }
  };
  replaceChildren(
    byId("corrective-list"),
    ...items.map((a) => {
      const pick =
        reviewer && REINSPECTABLE.has(a.status)
          ? h("input", {
              type: "checkbox",
              className: "reinspect-pick",
              "aria-label": `复查：${a.pointTitle}`,
              onchange: (e: Event) => {
                if ((e.target as HTMLInputElement).checked) chosen.add(a.id);
                else chosen.delete(a.id);
              },
            })
          : "";
      const review =
        reviewer && a.status === "evidence_submitted"
          ? h(
              "div",
              { className: "actions" },
              h(
                "button",
                {
                  type: "button",
                  className: "primary accept-action",
                  onclick: () =>
                    void act(a.id, "accept", { verification: "written" }, "已验收（书面核查）。"),
                },
                "书面核查验收",
              ),
              h(
                "button",
                {
                  type: "button",
                  className: "return-action",
                  onclick: () => {
                    const reason = window.prompt("退回原因")?.trim();
                    if (reason) void act(a.id, "return", { reason }, "已退回，企业需重新提交。");
                  },
                },
                "退回",
              ),
            )
          : "";
      return h(
        "li",
        { className: "action-item", "data-action": a.id },
        h("label", { className: "action-head" }, pick, h("strong", {}, `${a.itemCode} ${a.pointTitle}`)),
        h("p", { className: "small" }, ...badges(a)),
        h("p", { className: "small" }, `整改要求：${a.requirement}（期限 ${a.deadline}）`),
        a.statement
          ? h(
              "p",
              { className: "small" },
              `企业说明：${a.statement}${a.creditCommitment ? "（已作信用承诺）" : ""}`,
            )
          : "",
        a.returnReason ? h("p", { className: "small muted" }, `退回原因：${a.returnReason}`) : "",
        evidenceList(a),
        review,
      );
    }),
  );
  const reinspectBox = byId("reinspect-box");
  reinspectBox.hidden = !(reviewer && items.some((a) => REINSPECTABLE.has(a.status)));
  byId("reinspect").onclick = async () => {
    if (!chosen.size) return showMessage(box, "请先勾选要复查的整改事项。");
    const officerIds = d.officers.filter((o) => me && o.departmentId === me.departmentId).map((o) => o.id);
    const start = Date.now() + 10 * 60_000;
    try {
      const filed = await api<{ id: string }>("/api/reinspections", {
        method: "POST",
        body: {
          actionIds: [...chosen],
          officerIds,
          plannedStart: new Date(start).toISOString(),
          plannedEnd: new Date(start + 2 * 3_600_000).toISOString(),
        },
      });
      location.href = `/admin/inspections/${encodeURIComponent(filed.id)}?filed=1`;
    } catch (error) {
      showMessage(box, errorMessage(error));
    }
  };
}
