import { Model, surveyLocalization, type Question, type SurveyModel } from "survey-core";
import "survey-core/i18n/simplified-chinese";
import { fixSurveyStrings } from "./lib/zh-cn-overrides";
import { renderSurvey } from "survey-js-ui";
import { api, ApiError, errorMessage, readCookie, redirectToLogin } from "./lib/api";
import { byId, h, pathSegment, replaceChildren } from "./lib/dom";
import { adminPage } from "./lib/layout";
import { localSchema, makeSurveySafe } from "./lib/survey-safety";

surveyLocalization.defaultLocale = "zh-cn";
fixSurveyStrings();

interface ChecklistView {
  schema: Record<string, unknown>;
  data: Record<string, unknown>;
  status: "draft" | "submitted";
  inspectionStatus: string;
  savedAt: string | null;
  submittedAt: string | null;
  failedItems: string[];
  items: { code: string; name: string; legalBasis: string }[];
}

interface Detail {
  name?: unknown;
  message?: unknown;
}

const inspectionId = pathSegment(2);
const base = `/api/inspections/${encodeURIComponent(inspectionId)}`;
const message = byId("message");
const statusBox = byId("status");
const host = byId("survey");
const saveState = byId("save-state");
const pageKey = `lianma:checklist:${inspectionId}:page`;
const PHOTO_TYPES = ["image/jpeg", "image/png", "image/webp"];
const PHOTO_MAX = 5 * 1024 * 1024;
const SAVE_DELAY_MS = 1200;
const RETRY_MS = 10_000;

byId<HTMLAnchorElement>("back").href = `/admin/inspections/${encodeURIComponent(inspectionId)}`;

const clock = (iso: string) =>
  new Date(iso).toLocaleTimeString("zh-CN", { hour: "2-digit", minute: "2-digit", hour12: false });

function showSaveState(state: "saved" | "pending" | "error" | "", text: string) {
  saveState.dataset.state = state;
  saveState.textContent = text;
}

function notice(kind: "ok" | "error" | "info", title: string, ...content: Array<Node | string>) {
  statusBox.className = `notice notice-${kind}`;
  replaceChildren(statusBox, h("h1", {}, title), ...content);
  statusBox.hidden = false;
  statusBox.scrollIntoView({ block: "start", behavior: "smooth" });
}

// ---- Photos: each file goes to the photo API; the answer keeps its URL ----

/** Phone cameras can exceed the limit or save HEIC: re-encode as JPEG, at most 3000 px wide or high. */
async function fitPhoto(file: File): Promise<Blob> {
  if (PHOTO_TYPES.includes(file.type) && file.size <= PHOTO_MAX) return file;
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(file);
  } catch {
    throw new Error(`「${file.name}」不是可识别的图片，请使用 JPEG、PNG 或 WebP 格式`);
  }
  const scale = Math.min(1, 3000 / Math.max(bitmap.width, bitmap.height));
  const canvas = document.createElement("canvas");
  canvas.width = Math.round(bitmap.width * scale);
  canvas.height = Math.round(bitmap.height * scale);
  canvas.getContext("2d")!.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
  for (const quality of [0.85, 0.7, 0.5]) {
    const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, "image/jpeg", quality));
    if (blob && blob.size <= PHOTO_MAX) return blob;
  }
  throw new Error(`「${file.name}」过大，压缩后仍超过 5 MB`);
}

async function uploadPhoto(file: File): Promise<{ file: File; content: string }> {
  const body = await fitPhoto(file);
  let response: Response;
  try {
    response = await fetch(`${base}/photos`, {
      method: "POST",
      headers: { "Content-Type": body.type, "X-CSRF-Token": readCookie("lianma_csrf") ?? "" },
      body,
      credentials: "same-origin",
    });
  } catch {
    throw new Error("网络连接失败，照片未上传");
  }
  if (response.status === 401) redirectToLogin();
  const result = (await response.json().catch(() => ({}))) as { url?: string; error?: { message?: string } };
  if (!response.ok || !result.url)
    throw new Error(result.error?.message ?? `照片上传失败（${response.status}）`);
  const name = body === file ? file.name : file.name.replace(/\.[^.]*$/, "") + ".jpg";
  return { file: new File([body], name, { type: body.type }), content: result.url };
}

function handleUploads(survey: SurveyModel) {
  survey.onUploadFiles.add(async (_, options) => {
    const results = await Promise.allSettled(options.files.map(uploadPhoto));
    const done = results.flatMap((r) => (r.status === "fulfilled" ? [r.value] : []));
    const errors = results.flatMap((r) => (r.status === "rejected" ? [errorMessage(r.reason)] : []));
    options.callback(done, errors.length ? errors : undefined);
  });
}

// ---- Autosave: debounced PUT of the partial answers ----

function autosave(survey: SurveyModel) {
  let timer: number | undefined;
  let dirty = false;
  let inFlight: Promise<void> | null = null;

  const run = async () => {
    if (inFlight) await inFlight;
    if (!dirty) return;
    dirty = false;
    showSaveState("pending", "正在保存…");
    inFlight = api<{ savedAt: string }>(`${base}/checklist`, { method: "PUT", body: { data: survey.data } })
      .then((r) => showSaveState("saved", `已保存 ${clock(r.savedAt)}`))
      .catch((error: unknown) => saveFailed(error))
      .finally(() => {
        inFlight = null;
      });
    await inFlight;
  };

  const saveFailed = (error: unknown) => {
    if (error instanceof ApiError && error.code === "already_submitted") {
      notice("info", "检查表已提交登记", h("p", {}, "该检查表已由其他执法人员提交。"), reloadButton());
      survey.mode = "display";
      return;
    }
    if (error instanceof ApiError && (error.status === 403 || error.status === 404 || error.status === 409)) {
      showSaveState("error", "无法保存");
      notice("error", "无法保存", h("p", {}, errorMessage(error)));
      survey.mode = "display";
      return;
    }
    dirty = true;
    showSaveState("error", "未保存，稍后重试");
    schedule(RETRY_MS);
  };

  function schedule(delay = SAVE_DELAY_MS) {
    window.clearTimeout(timer);
    timer = window.setTimeout(() => void run(), delay);
  }

  survey.onValueChanged.add(() => {
    dirty = true;
    showSaveState("pending", "有未保存的修改");
    schedule();
  });
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "hidden" && dirty) void run();
  });
  return {
    /** Stops the timer and waits for a save already under way (before submitting). */
    async settle() {
      window.clearTimeout(timer);
      dirty = false;
      if (inFlight) await inFlight;
    },
  };
}

// ---- Submission ----

const reloadButton = () =>
  h(
    "div",
    { className: "actions" },
    h("button", { type: "button", className: "primary", onclick: () => location.reload() }, "重新加载"),
  );

function questionOf(survey: SurveyModel, name: string): Question | null {
  const root = name.split(/[.[]/)[0] ?? name;
  return survey.getQuestionByValueName(root) ?? survey.getQuestionByName(root);
}

/** Puts the server's per-question messages on the questions and opens the page of the first one. */
function showServerErrors(survey: SurveyModel, error: ApiError) {
  const list = h("ul", {});
  let first: Question | null = null;
  for (const raw of error.details as Detail[]) {
    const name = String(raw?.name ?? "");
    const text = String(raw?.message ?? "");
    const question = name ? questionOf(survey, name) : null;
    if (question) {
      question.addError(text);
      first ??= question;
    }
    list.append(h("li", {}, question ? `${question.title}：${text}` : text));
  }
  notice("error", "提交未通过校验", h("p", {}, "请按提示修改后再次提交。"), list);
  if (first?.page) {
    survey.currentPage = first.page;
    first.focus(true);
  }
}

function showSubmitted(survey: SurveyModel, submittedAt: string, failedItems: string[]) {
  survey.mode = "display";
  survey.questionsOnPageMode = "singlePage";
  showSaveState("saved", `已提交 ${clock(submittedAt)}`);
  notice(
    "ok",
    "已提交登记",
    h(
      "p",
      {},
      `登记时间 ${new Date(submittedAt).toLocaleString("zh-CN", { hour12: false })}。检查结果已对企业公开。`,
    ),
    failedItems.length
      ? h("p", {}, `存在不合格项的检查事项：${failedItems.join("、")}`)
      : h("p", {}, "全部检查事项未发现不合格。"),
  );
  // After the survey re-renders in display mode, so the notice is what the officer sees.
  window.setTimeout(() => window.scrollTo({ top: 0 }), 50);
}

function submission(survey: SurveyModel, saver: ReturnType<typeof autosave>) {
  let submitting = false;
  survey.onCompleting.add((sender, options) => {
    options.allow = false;
    if (submitting) return;
    submitting = true;
    void (async () => {
      showSaveState("pending", "正在提交…");
      try {
        await saver.settle();
        const result = await api<{ submittedAt: string; failedItems: string[] }>(`${base}/checklist/submit`, {
          method: "POST",
          body: { data: sender.data },
        });
        statusBox.hidden = true;
        showSubmitted(sender, result.submittedAt, result.failedItems);
      } catch (error) {
        showSaveState("error", "未提交");
        if (error instanceof ApiError && error.code === "invalid_response") showServerErrors(sender, error);
        else if (error instanceof ApiError && error.code === "already_submitted") {
          notice("info", "检查表已提交登记", h("p", {}, errorMessage(error)), reloadButton());
        } else
          notice(
            "error",
            "提交失败",
            h("p", {}, errorMessage(error)),
            h("p", { className: "muted small" }, "填写内容已保存，可稍后重试。"),
          );
      } finally {
        submitting = false;
      }
    })();
  });
}

// ---- Page ----

async function start() {
  const user = await adminPage();
  const view = await api<ChecklistView>(`${base}/checklist`);
  const survey = new Model(localSchema(view.schema));
  makeSurveySafe(survey);
  survey.locale = "zh-cn";
  byId("title").textContent = survey.description || survey.title || "现场检查登记";
  document.title = `现场检查登记 · ${survey.description || "亮码"}`;
  if (Object.keys(view.data).length > 0) survey.data = view.data;
  handleUploads(survey);
  message.hidden = true;

  if (view.status === "submitted") {
    showSubmitted(survey, view.submittedAt!, view.failedItems);
    renderSurvey(survey, host);
    return;
  }
  if (user.role === "supervisor") {
    survey.mode = "display";
    showSaveState("", "只读");
  } else {
    submission(survey, autosave(survey));
    showSaveState(view.savedAt ? "saved" : "", view.savedAt ? `已保存 ${clock(view.savedAt)}` : "尚未保存");
  }
  // Resume on the page the officer was on.
  const lastPage = localStorage.getItem(pageKey);
  const page = lastPage ? survey.getPageByName(lastPage) : null;
  if (page) survey.currentPage = page;
  survey.onCurrentPageChanged.add((sender) => {
    try {
      localStorage.setItem(pageKey, sender.currentPage.name);
    } catch {
      // Private mode: the page is not remembered.
    }
  });
  renderSurvey(survey, host);
}

start().catch((error) => {
  message.hidden = true;
  notice(
    "error",
    error instanceof ApiError && error.status === 409 ? "现场检查表暂不可用" : "加载失败",
    h("p", {}, errorMessage(error)),
    reloadButton(),
  );
});
