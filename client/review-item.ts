import { Model, surveyLocalization } from "survey-core";
import "survey-core/i18n/simplified-chinese";
import { renderSurvey } from "survey-js-ui";
import { api, errorMessage } from "./lib/api";
import { byId, h, pathSegment, replaceChildren, showMessage } from "./lib/dom";
import { STATUS_LABELS } from "../src/inspections/labels";
import type { InspectionDetail } from "./lib/inspection-ui";
import { adminPage } from "./lib/layout";
import type { ReviewItem, ReviewTask } from "./lib/review-types";
import { localSchema, makeSurveySafe } from "./lib/survey-safety";

surveyLocalization.defaultLocale = "zh-cn";

const itemId = pathSegment(3);
const message = byId("message");
const host = byId("survey");

interface ItemView {
  item: ReviewItem & { answers: Record<string, unknown> | null };
  task: Pick<ReviewTask, "id" | "name" | "threshold">;
  form: { id: string; title: string; schema: Record<string, unknown> };
}

function facts(view: ItemView, inspection: InspectionDetail | null) {
  const rows: [string, Node | string][] = [
    ["评查任务", view.task.name],
    ["分数线", `${view.task.threshold} 分（低于即立案督办）`],
  ];
  if (inspection) {
    rows.push(
      ["被检查企业", `${inspection.enterprise.name}（${inspection.enterprise.creditCode}）`],
      ["检查部门", inspection.departments.map((d) => d.name).join("、")],
      ["检查事项", inspection.items.map((i) => i.name).join("；") || "—"],
      [
        "执法人员",
        inspection.officers
          .map((o) => `${o.name}${o.credentialNo ? `（${o.credentialNo}）` : ""}`)
          .join("、"),
      ],
      ["法律依据", inspection.legalBasis || "—"],
      ["计划时间", `${inspection.plannedStart.slice(0, 10)} 至 ${inspection.plannedEnd.slice(0, 10)}`],
      ["状态", STATUS_LABELS[inspection.status] ?? inspection.status],
    );
  }
  rows.push([
    "检查案卷",
    h(
      "a",
      { href: `/admin/inspections/${encodeURIComponent(view.item.inspectionId)}`, id: "inspection-link" },
      "打开检查记录",
    ),
  ]);
  replaceChildren(
    byId("facts"),
    h("h2", {}, "案卷基本情况"),
    h("dl", { className: "case-facts" }, ...rows.flatMap(([k, v]) => [h("dt", {}, k), h("dd", {}, v)])),
  );
}

function result(item: ReviewItem, threshold: number) {
  const box = byId("result");
  replaceChildren(
    box,
    h("h2", {}, "评查结果"),
    h("p", { id: "score" }, `得分 ${item.score} / ${item.maxScore} 分`),
    item.caseId
      ? h(
          "p",
          {},
          `低于分数线 ${threshold} 分，已立案督办：`,
          h(
            "a",
            { href: `/admin/cases/${encodeURIComponent(item.caseId)}`, id: "case-link" },
            "查看督办案件",
          ),
        )
      : h("p", { className: "muted" }, "未低于分数线。"),
    h("p", {}, h("a", { href: `/admin/reviews?task=${encodeURIComponent(currentTask)}` }, "返回评查任务")),
  );
  box.hidden = false;
}

let currentTask = "";

function survey(view: ItemView, canScore: boolean) {
  const model = new Model(localSchema(view.form.schema));
  makeSurveySafe(model);
  // On a phone SurveyJS folds a rating into a dropdown; five buttons of 0–20 fit and take one tap each.
  for (const q of model.getAllQuestions())
    if (q.getType() === "rating") q.setPropertyValue("displayMode", "buttons");
  if (view.item.answers) model.data = view.item.answers;
  if (!canScore) {
    model.mode = "display";
    renderSurvey(model, host);
    return;
  }
  let sent = false;
  // The score is stored by the server; the form completes only once it has been accepted.
  model.onCompleting.add((_, options) => {
    if (sent) return;
    options.allow = false;
    host.dataset.submit = "pending";
    void api<ReviewTask>(`/api/reviews/items/${encodeURIComponent(itemId)}/score`, {
      method: "POST",
      body: { answers: model.data },
    })
      .then((task) => {
        sent = true;
        const scored = task.items.find((i) => i.id === itemId)!;
        showMessage(message, "");
        result(scored, view.task.threshold);
        host.dataset.submit = "ok";
        model.doComplete();
        byId("result").scrollIntoView({ block: "start" });
      })
      .catch((error) => {
        host.dataset.submit = "failed";
        showMessage(message, `评分提交失败：${errorMessage(error)}`);
        message.scrollIntoView({ block: "start" });
      });
  });
  model.completedHtml = "<p>评查结果已提交。</p>";
  renderSurvey(model, host);
}

async function main() {
  const me = await adminPage();
  try {
    const view = await api<ItemView>(`/api/reviews/items/${encodeURIComponent(itemId)}`);
    currentTask = view.task.id;
    byId<HTMLAnchorElement>("back").href = `/admin/reviews?task=${encodeURIComponent(view.task.id)}`;
    // The facts are a help to the reviewer; the form is still shown when the inspection cannot be read.
    const inspection = await api<{ inspection: InspectionDetail }>(
      `/api/inspections/${encodeURIComponent(view.item.inspectionId)}`,
    )
      .then((r) => r.inspection)
      .catch(() => null);
    facts(view, inspection);
    const open = view.item.score === null;
    const mayScore = open && (view.item.reviewerId === me.id || me.role === "admin");
    if (!open) result(view.item, view.task.threshold);
    else if (!mayScore) showMessage(message, "该案卷已指派给其他评查人员，只能查看评查表。", "info");
    survey(view, mayScore);
  } catch (error) {
    showMessage(message, `案卷加载失败：${errorMessage(error)}`);
  }
}

void main();
