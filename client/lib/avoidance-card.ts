// 回避 on the staff inspection page: every reader sees the enterprise's requests and the answers; the
// lead department's administrator answers pending ones before the visit (replace or refuse).
import { api, errorMessage } from "./api";
import { byId, formatTime, h, replaceChildren, showMessage } from "./dom";

interface Candidate {
  id: string;
  name: string;
  credentialNo: string | null;
}

interface AvoidanceRequest {
  id: string;
  officerName: string;
  reason: string;
  status: "pending" | "replaced" | "refused";
  statusLabel: string;
  answer: string | null;
  replacementName: string | null;
  createdAt: string;
  answeredAt: string | null;
  answeredByName: string | null;
  candidates: Candidate[];
}

function answerForm(base: string, r: AvoidanceRequest, done: () => void) {
  const box = h("div", { className: "message", hidden: true });
  const decision = h(
    "select",
    { "aria-label": "答复方式", className: "avoid-decision" },
    h("option", { value: "replace" }, "同意回避，更换为"),
    h("option", { value: "refuse" }, "不予回避"),
  );
  const replacement = h(
    "select",
    { "aria-label": "替换人员", className: "avoid-replacement" },
    ...(r.candidates.length
      ? r.candidates.map((c) => h("option", { value: c.id }, `${c.name}（执法证 ${c.credentialNo ?? "—"}）`))
      : [h("option", { value: "" }, "本部门没有可替换的持证人员")]),
  );
  const answer = h("textarea", {
    rows: 2,
    maxLength: 500,
    className: "avoid-answer",
    placeholder: "答复（不予回避须说明理由）",
  });
  const submit = h("button", { type: "submit", className: "primary" }, "答复");
  const sync = () => {
    replacement.hidden = decision.value !== "replace";
  };
  decision.addEventListener("change", sync);
  sync();
  const form = h("form", { className: "avoid-form" }, decision, replacement, answer, submit, box);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const text = answer.value.trim();
    const body =
      decision.value === "replace"
        ? { decision: "replace", replacementOfficerId: replacement.value, ...(text ? { answer: text } : {}) }
        : { decision: "refuse", answer: text };
    if (decision.value === "replace" && !replacement.value) return showMessage(box, "没有可替换的人员。");
    if (decision.value === "refuse" && !text) return showMessage(box, "不予回避必须说明理由。");
    submit.disabled = true;
    try {
      await api(`${base}/avoidance/${encodeURIComponent(r.id)}`, { method: "POST", body });
      done();
    } catch (error) {
      showMessage(box, errorMessage(error));
    } finally {
      submit.disabled = false;
    }
  });
  return form;
}

/** Fills the card (hidden when the enterprise asked for nothing); `done` reloads the page's inspection. */
export async function renderAvoidanceCard(base: string, done: (text: string) => void) {
  const { canAnswer, items } = await api<{ canAnswer: boolean; items: AvoidanceRequest[] }>(
    `${base}/avoidance`,
  );
  byId("avoid-card").hidden = items.length === 0;
  replaceChildren(
    byId("avoid-list"),
    ...items.map((r) =>
      h(
        "li",
        { className: "avoid-item" },
        h(
          "div",
          {},
          h("strong", {}, `企业申请 ${r.officerName} 回避`),
          " ",
          h("span", { className: `badge ${r.status === "pending" ? "badge-warn" : ""}` }, r.statusLabel),
        ),
        h("div", { className: "small" }, `理由：${r.reason}`),
        h("div", { className: "small muted" }, `申请时间 ${formatTime(r.createdAt)}`),
        r.status === "pending"
          ? canAnswer
            ? answerForm(base, r, () => done("回避申请已答复。"))
            : h("div", { className: "small muted" }, "等待牵头部门管理员答复。")
          : h(
              "div",
              { className: "small" },
              r.replacementName ? `已更换为 ${r.replacementName}。` : "",
              r.answer ? `答复：${r.answer}` : "",
              r.answeredByName ? `（${r.answeredByName}，${formatTime(r.answeredAt)}）` : "",
            ),
      ),
    ),
  );
}
