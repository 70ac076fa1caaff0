import { Model, settings, surveyLocalization } from "survey-core";
import "survey-core/i18n/simplified-chinese";
import { fixSurveyStrings } from "../lib/zh-cn-overrides";
import { renderSurvey } from "survey-js-ui";
import { sanitizeHtml } from "../lib/sanitize";
import { api, ApiError, errorMessage } from "../lib/api";
import { byId, h, pathSegment, replaceChildren, showMessage } from "../lib/dom";
import { clearFill, type FillState, loadFill, newSubmissionId, saveFill } from "../lib/fill-state";
import { fillSurvey } from "../lib/survey-fill";
import { localSchema, makeSurveySafe } from "../lib/survey-safety";
import type { PublicForm } from "../lib/types";
import {
  firstQuestionsBlock,
  focusInBlock,
  readFirstAnswers,
  restoreFocus,
  takeFirstAnswers,
} from "../lib/first-questions";
import { tappableRatings } from "../lib/tappable-ratings";

/**
 * The public runner with SurveyJS, loaded by client/runner.ts once the page's first questions (if
 * the server sent any) are on screen.
 */
surveyLocalization.defaultLocale = "zh-cn";
fixSurveyStrings();
// Only the first rows are drawn at once, the rest as they scroll near: drawing a 30-question page
// whole took ~1 s of a slow phone's CPU before the first question could be answered (issue 17).
settings.lazyRender.enabled = true;

const formId = pathSegment(1);
const message = byId("message");
const host = byId("survey");
const status = byId("status");

function notice(kind: "ok" | "error" | "info", title: string, ...content: Array<Node | string>) {
  status.className = `notice notice-${kind}`;
  replaceChildren(status, h("h1", {}, title), ...content);
  status.hidden = false;
  status.scrollIntoView({ block: "start", behavior: "smooth" });
}

function button(label: string, onClick: () => void, primary = false): HTMLButtonElement {
  const element = h("button", { type: "button", className: primary ? "primary" : "" }, label);
  element.addEventListener("click", onClick);
  return element;
}

/** Keeps only answers whose names exist in this version (after a reload for a newer version). */
function answersFor(survey: Model, data: Record<string, unknown>): Record<string, unknown> {
  const names = new Set(survey.getAllQuestions().map((q) => q.getValueName()));
  return Object.fromEntries(Object.entries(data).filter(([name]) => names.has(name)));
}

async function submit(fill: FillState, survey: Model) {
  host.dataset.submit = "pending";
  notice("info", "正在提交…", h("p", { className: "muted" }, "请稍候，不要关闭页面。"));
  try {
    await api(`/api/public/forms/${encodeURIComponent(formId)}/responses`, {
      method: "POST",
      body: { id: fill.id, version: fill.version, data: fill.data },
      noLoginRedirect: true,
    });
    clearFill(formId);
    host.dataset.submit = "ok";
    notice(
      "ok",
      "提交成功",
      authorsThanks(survey) ?? h("p", {}, "感谢您的填写！您的回答已保存，可以关闭本页面。"),
      h("p", { className: "muted small" }, `回执编号：${fill.id.slice(0, 8)}`),
    );
  } catch (error) {
    host.dataset.submit = "failed";
    failed(error, fill, survey);
  }
}

/**
 * The form author's own completed message (completedHtml, its conditions and {placeholders} applied
 * by SurveyJS), sanitized like all form HTML; null when the author wrote none. It takes the place of
 * our default thanks, so there is one message either way (issue 18 #14).
 */
function authorsThanks(survey: Model): HTMLElement | null {
  if (!survey.completedHtml && survey.completedHtmlOnCondition.length === 0) return null;
  const box = h("div", { className: "completed-html" });
  box.innerHTML = sanitizeHtml(survey.processedCompletedHtml);
  return box;
}

function failed(error: unknown, fill: FillState, survey: Model) {
  const retry = () => void submit(fill, survey);
  if (error instanceof ApiError && error.code === "invalid_response") {
    const list = h("ul", {});
    for (const raw of error.details) {
      const detail = (raw ?? {}) as { name?: unknown; message?: unknown };
      const question = detail.name ? survey.getQuestionByValueName(String(detail.name)) : null;
      const label = question
        ? question.processedTitle || question.name
        : detail.name
          ? String(detail.name)
          : "";
      list.append(
        h("li", {}, label ? `${label}：${String(detail.message ?? "")}` : String(detail.message ?? "")),
      );
    }
    notice(
      "error",
      "提交未通过校验",
      h("p", {}, error.message || "部分回答不符合要求，请修改后重新提交。"),
      error.details.length ? list : "",
      h(
        "div",
        { className: "actions" },
        button(
          "返回修改",
          () => {
            // Nothing was stored under this id, but the answers will differ: use a fresh id.
            fill.id = newSubmissionId();
            saveFill(formId, fill);
            status.hidden = true;
            survey.clear(false, true);
          },
          true,
        ),
      ),
    );
    return;
  }
  if (error instanceof ApiError && error.code === "version_mismatch") {
    notice(
      "error",
      "表单已更新",
      h("p", {}, "填写期间表单发布了新版本，请重新加载后确认答案再提交。已填写的答案会尽量保留。"),
      h(
        "div",
        { className: "actions" },
        button("重新加载", () => location.reload(), true),
      ),
    );
    return;
  }
  if (error instanceof ApiError && error.code === "conflict") {
    notice(
      "error",
      "本次填写已提交过",
      h("p", {}, "这份填写此前已经提交成功，内容以第一次提交为准。"),
      h(
        "div",
        { className: "actions" },
        button(
          "重新填写一份",
          () => {
            clearFill(formId);
            location.reload();
          },
          true,
        ),
      ),
    );
    return;
  }
  if (error instanceof ApiError && error.status === 404) {
    // Stopped (or archived) while this person was filling it: a retry cannot succeed until it resumes.
    notice(
      "info",
      "该表单已停止收集",
      h("p", {}, "发布单位在您填写期间停止了收集，本次回答未能提交。"),
      h("p", {}, "您的回答已保存在本设备的浏览器中：表单恢复收集后，重新打开本页即可提交，无需重填。"),
    );
    return;
  }
  const network =
    error instanceof ApiError && (error.status === 0 || error.status >= 500 || error.status === 429);
  notice(
    "error",
    "提交失败",
    h("p", {}, errorMessage(error)),
    h("p", { className: "muted small" }, network ? "您的回答仍保存在本页，重试不会重复提交。" : ""),
    h("div", { className: "actions" }, button("重试", retry, true)),
  );
}

/**
 * The live version the server put in the page (src/pages/runner-page.ts): the same JSON the API
 * answers, read as data, never run. Null on the bare page (a form not collecting) or a stale copy.
 */
function embeddedForm(): PublicForm | null {
  const text = document.getElementById("form-data")?.textContent;
  if (!text) return null;
  try {
    const form = JSON.parse(text) as PublicForm;
    return form.id === formId ? form : null;
  } catch {
    return null;
  }
}

async function start() {
  let form: PublicForm;
  try {
    form =
      embeddedForm() ??
      (await api<PublicForm>(`/api/public/forms/${encodeURIComponent(formId)}`, {
        noLoginRedirect: true,
      }));
  } catch (error) {
    message.hidden = true;
    if (error instanceof ApiError && error.status === 404) {
      notice("info", "表单暂未开放", h("p", {}, "该表单尚未发布或已停止收集，请联系发布单位。"));
    } else {
      notice(
        "error",
        "加载失败",
        h("p", {}, errorMessage(error)),
        h(
          "div",
          { className: "actions" },
          button("重新加载", () => location.reload(), true),
        ),
      );
    }
    return;
  }
  document.title = `${form.title || "填写"} · 亮码`;
  // Each step below is a long task on a slow phone: between them the page answers input to the
  // first questions the server drew.
  await nextTask();
  const survey = new Model(localSchema(form.schema));
  makeSurveySafe(survey);
  tappableRatings(survey);
  survey.locale = "zh-cn";
  // One thank-you (item 14): the page's own notice after the server saved, never SurveyJS's too.
  survey.showCompletedPage = false;

  const stored = loadFill(formId);
  const fill: FillState =
    stored && stored.version === form.version
      ? { ...stored, data: answersFor(survey, stored.data) }
      : { id: newSubmissionId(), version: form.version, data: stored ? answersFor(survey, stored.data) : {} };
  const first = firstQuestionsBlock(formId);
  if (first) takeFirstAnswers(first, fill.data);
  fillSurvey(survey, fill);
  saveFill(formId, fill);

  survey.onValueChanged.add((sender) => {
    fill.data = sender.data;
    saveFill(formId, fill);
  });
  survey.onComplete.add((sender) => {
    fill.data = sender.data;
    saveFill(formId, fill);
    void submit(fill, sender);
  });

  message.hidden = true;
  if (!first) {
    renderSurvey(survey, host);
    return;
  }
  // SurveyJS draws out of sight where the block stands, then takes its place in one step once the
  // block's questions are drawn, with whatever was typed meanwhile and the focus where it was.
  host.classList.add("lm-behind");
  await nextTask();
  renderSurvey(survey, host);
  await drawn(host, [...readFirstAnswers(first).keys()]);
  // Read again: what was typed while SurveyJS drew.
  for (const [name, value] of readFirstAnswers(first)) {
    if (JSON.stringify(value) !== JSON.stringify(survey.getValue(name))) survey.setValue(name, value);
  }
  const focus = focusInBlock(first);
  first.remove();
  host.classList.remove("lm-behind");
  if (focus) restoreFocus(host, focus);
}

const nextTask = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/** Resolves once SurveyJS has drawn each named question (lazy rendering draws them over frames). */
function drawn(root: HTMLElement, names: string[]): Promise<void> {
  const started = performance.now();
  return new Promise((resolve) => {
    const check = () => {
      const shown = new Set(
        Array.from(root.querySelectorAll<HTMLElement>(".sd-question[data-name]"), (q) => q.dataset.name),
      );
      // A question SurveyJS never draws (hidden by a later rule) must not keep the block forever.
      if (names.every((n) => shown.has(n)) || performance.now() - started > 3000) resolve();
      else requestAnimationFrame(check);
    };
    requestAnimationFrame(check);
  });
}

export function startSurvey(): void {
  start().catch((error) => showMessage(message, errorMessage(error)));
}
