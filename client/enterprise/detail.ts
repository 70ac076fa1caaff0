import { Model } from "survey-core";
import { renderSurvey } from "survey-js-ui";
import { errorMessage } from "../lib/api";
import { checklistResultItems, officerItems } from "../lib/checklist-result";
import { byId, formatTime, h, replaceChildren, showMessage } from "../lib/dom";
import { localSchema, makeSurveySafe } from "../lib/survey-safety";
import { tappableRatings } from "../lib/tappable-ratings";
import { renderAvoidance } from "./avoidance";
import { entApi, message, show, state } from "./state";
import type { Detail, Officer } from "./types";

const host = byId("survey");
const statusBox = byId("status-box");

function notice(kind: "ok" | "error" | "info", title: string, ...content: Array<Node | string>) {
  statusBox.className = `notice notice-${kind}`;
  replaceChildren(statusBox, h("h1", {}, title), ...content);
  statusBox.hidden = false;
  statusBox.scrollIntoView({ block: "start", behavior: "smooth" });
}

export function renderOfficers(list: Officer[]) {
  replaceChildren(byId("d-officers"), ...officerItems(list, "✓ 证件有效"));
}

export function renderResults(view: Detail) {
  const panel = byId("d-result-panel");
  panel.hidden = !view.checklist;
  if (!view.checklist) return;
  replaceChildren(byId("d-results"), ...checklistResultItems(view.checklist.items));
}

async function submitEvaluation(id: string, survey: Model, version: number) {
  notice("info", "正在提交…", h("p", { className: "muted" }, "请稍候，不要关闭页面。"));
  try {
    await entApi(`/api/enterprise/inspections/${encodeURIComponent(id)}/evaluation`, "POST", {
      version,
      data: survey.data,
    });
    host.hidden = true;
    notice(
      "ok",
      "感谢您的评价",
      h("p", {}, "评价已报送司法局行政执法监督机构。实施检查的部门看不到您的身份。"),
    );
    byId("d-evaluation-note").textContent = "本次检查已评价，评价已收到。";
  } catch (error) {
    const retry = h("button", { type: "button", className: "primary" }, "返回修改");
    retry.addEventListener("click", () => {
      statusBox.hidden = true;
      survey.clear(false, true);
    });
    notice("error", "提交失败", h("p", {}, errorMessage(error)), h("div", { className: "actions" }, retry));
  }
}

export function renderEvaluation(view: Detail) {
  const note = byId("d-evaluation-note");
  const start = byId<HTMLButtonElement>("evaluate");
  start.hidden = true;
  host.hidden = true;
  statusBox.hidden = true;
  const evaluation = view.evaluation;
  if (evaluation && "submitted" in evaluation) {
    note.textContent = "本次检查已评价，评价已收到。感谢您的反馈。";
    return;
  }
  if (!evaluation) {
    note.textContent = "评价开放后，您可以在这里评价本次检查。";
    return;
  }
  note.textContent = "评价直接报送司法局行政执法监督机构，实施检查的部门只能看到汇总统计。";
  start.hidden = false;
  start.onclick = () => {
    start.hidden = true;
    host.hidden = false;
    const survey = new Model(localSchema(evaluation.schema));
    makeSurveySafe(survey);
    tappableRatings(survey);
    survey.locale = "zh-cn";
    survey.onComplete.add((sender) => void submitEvaluation(view.id, sender, evaluation.version));
    renderSurvey(survey, host);
    host.scrollIntoView({ block: "start", behavior: "smooth" });
  };
}

/** The official documents (PDF): the notice once approved, the record once the checklist is registered. */
export function renderDocuments(id: string, view: Detail) {
  const url = (kind: string) => `/api/enterprise/inspections/${encodeURIComponent(id)}/documents/${kind}`;
  const link = (kind: string, text: string) =>
    h("li", {}, h("a", { href: url(kind), download: "", id: `d-document-${kind}` }, text));
  replaceChildren(
    byId("d-documents"),
    link("notice", "行政检查通知书（PDF）"),
    view.checklist ? link("record", "现场检查笔录（检查结果告知书，PDF）") : "",
  );
}

export async function renderDetail(id: string) {
  const view = await entApi<Detail>(`/api/enterprise/inspections/${encodeURIComponent(id)}`);
  byId("d-type").textContent = view.caseReason ? `${view.typeLabel}（${view.caseReason}）` : view.typeLabel;
  byId("d-window").textContent = `${formatTime(view.plannedStart)} 至 ${formatTime(view.plannedEnd)}`;
  byId("d-departments").textContent = view.departments.map((d) => d.name).join("、");
  byId("d-status").textContent = view.statusLabel;
  byId("d-arrival").textContent = view.enterpriseArrivalAt
    ? `已于 ${formatTime(view.enterpriseArrivalAt)} 确认`
    : "尚未确认";
  const confirm = byId<HTMLButtonElement>("confirm-arrival");
  confirm.hidden = !view.canConfirmArrival;
  confirm.onclick = async () => {
    confirm.disabled = true;
    try {
      await entApi(`/api/enterprise/inspections/${encodeURIComponent(id)}/confirm-arrival`, "POST");
      await renderDetail(id);
    } catch (error) {
      showMessage(message, errorMessage(error));
    } finally {
      confirm.disabled = false;
    }
  };
  renderOfficers(view.officers);
  renderAvoidance(view, () => renderDetail(id));
  replaceChildren(
    byId("d-items"),
    ...view.items.map((item) =>
      h(
        "li",
        {},
        h("div", { className: "item-name" }, item.name),
        // An item's own basis when the record has it, else what the inspection was filed under.
        h("div", { className: "basis" }, `依据：${item.legalBasis ?? view.legalBasis}`),
      ),
    ),
  );
  renderResults(view);
  renderDocuments(id, view);
  renderEvaluation(view);
  show("detail");
}

byId("back").addEventListener("click", (event) => {
  event.preventDefault();
  history.pushState(null, "", "/e");
  void state.route();
});
