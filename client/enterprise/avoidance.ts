import { errorMessage } from "../lib/api";
import { byId, h, replaceChildren, showMessage } from "../lib/dom";
import { entApi, state } from "./state";
import type { Detail } from "./types";

const avoidForm = byId<HTMLFormElement>("avoid-form");
const avoidMessage = byId("avoid-message");

/** Draws the 回避 panel of `view`; `reload` redraws the inspection after a request is sent. */
export function renderAvoidance(view: Detail, reload: () => Promise<void>) {
  const { open, officers, requests } = view.avoidance;
  state.avoidance = { id: view.id, reload };
  byId("d-avoid-panel").hidden = !open && requests.length === 0;
  showMessage(avoidMessage, "");
  replaceChildren(
    byId("d-avoid-list"),
    ...requests.map((r) =>
      h(
        "li",
        { className: "ent-request" },
        h(
          "div",
          { className: "ent-card-head" },
          h("span", { className: "ent-card-title" }, `申请 ${r.officerName} 回避`),
          h("span", { className: `badge ${r.status === "pending" ? "" : "badge-valid"}` }, r.statusLabel),
        ),
        h("div", { className: "small muted" }, `理由：${r.reason}`),
        r.status === "pending"
          ? h("div", { className: "small" }, "等待牵头部门答复。")
          : h(
              "div",
              { className: "small ent-answer" },
              r.status === "replaced" && r.replacementName ? `已改派 ${r.replacementName}。` : "",
              r.answer ? `答复：${r.answer}` : "",
            ),
      ),
    ),
  );
  const pending = new Set(requests.filter((r) => r.status === "pending").map((r) => r.officerId));
  const choices = officers.filter((o) => !pending.has(o.id));
  avoidForm.hidden = !open || choices.length === 0;
  replaceChildren(
    byId("a-officer"),
    h("option", { value: "" }, "请选择"),
    ...choices.map((o) => h("option", { value: o.id }, o.isHelper ? `${o.name}（辅助人员）` : o.name)),
  );
  byId<HTMLTextAreaElement>("a-reason").value = "";
}

avoidForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  const id = state.avoidance.id;
  const officerId = byId<HTMLSelectElement>("a-officer").value;
  const reason = byId<HTMLTextAreaElement>("a-reason").value.trim();
  if (!id) return;
  if (!officerId || !reason) {
    showMessage(avoidMessage, "请选择人员并说明理由。");
    return;
  }
  const button = byId<HTMLButtonElement>("a-submit");
  button.disabled = true;
  try {
    await entApi(`/api/enterprise/inspections/${encodeURIComponent(id)}/avoidance`, "POST", {
      officerId,
      reason,
    });
    await state.avoidance.reload();
    showMessage(avoidMessage, "回避申请已提交，牵头部门将在检查开始前答复。", "ok");
  } catch (error) {
    showMessage(avoidMessage, errorMessage(error));
  } finally {
    button.disabled = false;
  }
});
