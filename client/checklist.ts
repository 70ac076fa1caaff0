import { Model, surveyLocalization, type Question, type SurveyModel } from "survey-core";
import "survey-core/i18n/simplified-chinese";
import { fixSurveyStrings } from "./lib/zh-cn-overrides";
import { renderSurvey } from "survey-js-ui";
import { api, ApiError, errorMessage, readCookie, redirectToLogin } from "./lib/api";
import { byId, h, pathSegment, replaceChildren } from "./lib/dom";
import { adminPage } from "./lib/layout";
import { localDateTime, ZONE_LABEL } from "./lib/local-time";
import {
  cachePhotos,
  deletePhoto,
  forgetPhotosExcept,
  loadLocal,
  loadPhoto,
  pendingPhotoIds,
  pendingSteps,
  photoPlaceholder,
  placeholderId,
  registerOfflineWorker,
  replacePhoto,
  serverPhotoUrls,
  storeLocal,
  storePhoto,
  type LocalChecklist,
  type LocalPhoto,
} from "./lib/offline-checklist";
import { localSchema, makeSurveySafe } from "./lib/survey-safety";

surveyLocalization.defaultLocale = "zh-cn";
fixSurveyStrings();

interface ChecklistView {
  revision: number;
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

/** Item 17: the configured zone and the format used elsewhere, whatever the phone's clock zone. */
const clock = (iso: string) => `${localDateTime(iso)}（${ZONE_LABEL}）`;

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

/** The server refused the photo itself (type, size, limit): retrying will not help. */
class PhotoRefused extends Error {}

/** Uploads a stored photo under its client id; a retry of the same id is answered with the first upload. */
async function sendPhoto(photo: LocalPhoto): Promise<string> {
  let response: Response;
  try {
    response = await fetch(`${base}/photos`, {
      method: "POST",
      headers: {
        "Content-Type": photo.type,
        "X-CSRF-Token": readCookie("lianma_csrf") ?? "",
        "X-Client-Id": photo.clientId,
        "X-Device-Time": new Date().toISOString(),
        "X-Happened-At": photo.takenAt,
      },
      body: photo.blob,
      credentials: "same-origin",
    });
  } catch {
    throw new Error("网络连接失败，照片未上传");
  }
  if (response.status === 401) redirectToLogin();
  const result = (await response.json().catch(() => ({}))) as { url?: string; error?: { message?: string } };
  if (response.ok && result.url) return result.url;
  const text = result.error?.message ?? `照片上传失败（${response.status}）`;
  throw response.status >= 400 && response.status < 500 && response.status !== 408
    ? new PhotoRefused(text)
    : new Error(text);
}

/**
 * Keeps the photo on the phone first, then tries the server: uploaded, the answer holds its URL;
 * without network, a placeholder the sync replaces once the photo is up (see syncer).
 */
async function takePhoto(question: string, file: File): Promise<{ file: File; content: string }> {
  const body = await fitPhoto(file);
  const name = body === file ? file.name : file.name.replace(/\.[^.]*$/, "") + ".jpg";
  const photo: LocalPhoto = {
    clientId: crypto.randomUUID(),
    inspectionId,
    question,
    name,
    type: body.type,
    size: body.size,
    takenAt: new Date().toISOString(),
    blob: body,
  };
  const kept = await storePhoto(photo).then(
    () => true,
    () => false,
  );
  const stored = new File([body], name, { type: body.type });
  if (navigator.onLine || !kept) {
    try {
      const url = await sendPhoto(photo);
      if (kept) await deletePhoto(photo.clientId);
      cachePhotos([url]);
      return { file: stored, content: url };
    } catch (error) {
      if (error instanceof PhotoRefused || !kept) {
        if (kept) await deletePhoto(photo.clientId);
        throw error;
      }
    }
  }
  return { file: stored, content: photoPlaceholder(photo.clientId) };
}

/** Object URLs of the photos still on the phone, one per photo for the page's life. */
const previews = new Map<string, string>();

function handleUploads(survey: SurveyModel) {
  survey.onUploadFiles.add(async (_, options) => {
    const results = await Promise.allSettled(options.files.map((f) => takePhoto(options.name, f)));
    const done = results.flatMap((r) => (r.status === "fulfilled" ? [r.value] : []));
    const errors = results.flatMap((r) => (r.status === "rejected" ? [errorMessage(r.reason)] : []));
    options.callback(done, errors.length ? errors : undefined);
  });
  // A photo waiting for the network is shown from its blob; an uploaded one from its URL.
  survey.onDownloadFile.add((_, options) => {
    const clientId = placeholderId(options.content);
    if (!clientId) return options.callback("success", options.content);
    const known = previews.get(clientId);
    if (known) return options.callback("success", known);
    loadPhoto(clientId).then(
      (photo) => {
        const url = photo ? URL.createObjectURL(photo.blob) : "";
        if (url) previews.set(clientId, url);
        options.callback("success", url);
      },
      () => options.callback("success", ""),
    );
  });
}

// ---- Saving: IndexedDB at once, then the server in order (photos, then answers, then the submission) ----

interface Stale {
  server: { revision: number; data: Record<string, unknown>; savedAt: string | null };
}

function syncer(survey: SurveyModel, local: LocalChecklist) {
  let timer: number | undefined;
  let running: Promise<void> | null = null;

  const showState = () => {
    const n = pendingSteps(local);
    const last = local.lastServerSave ? `上次保存 ${clock(local.lastServerSave)}` : "尚未保存到服务器";
    if (n === 0)
      showSaveState("saved", local.lastServerSave ? `已保存 ${clock(local.lastServerSave)}` : "尚未保存");
    else {
      const photos = pendingPhotoIds(local.data).length;
      const which = photos ? `（含 ${photos} 张照片）` : "";
      showSaveState(navigator.onLine ? "pending" : "error", `${n} 项待同步${which} · ${last}`);
    }
    saveState.dataset.pending = String(n);
  };

  const now = () => new Date().toISOString();

  /** Puts `changed` answers in the page and the phone's copy, without counting it as the officer's edit. */
  async function rewrite(changed: Record<string, unknown[]>) {
    for (const [name, value] of Object.entries(changed)) {
      if (value.length > 0) local.data[name] = value;
      else delete local.data[name];
      survey.setValue(name, value.length > 0 ? value : undefined, false, false);
    }
    local.dirty = true;
    await storeLocal(local);
  }

  /**
   * Uploads the photos the answers name by placeholder, one by one, and names each by its URL: the
   * answers are saved only after, so the server never sees a placeholder. A photo the server refuses
   * is taken out of the answers and the officer told; a dead network stops here and retries later.
   */
  async function uploadPhotos() {
    for (const clientId of pendingPhotoIds(local.data)) {
      const photo = await loadPhoto(clientId);
      if (!photo)
        notice(
          "error",
          "照片未能上传",
          h("p", {}, "一张待上传的照片已不在本机（浏览器数据被清除），请重新拍摄。"),
        );
      let url = photo?.url ?? null;
      if (photo && !url) {
        try {
          url = await sendPhoto(photo);
        } catch (error) {
          if (!(error instanceof PhotoRefused)) throw error;
          notice("error", "照片未能上传", h("p", {}, `「${photo.name}」：${error.message}`));
        }
        if (url) await storePhoto({ ...photo, url });
        if (url) cachePhotos([url]);
      }
      await rewrite(replacePhoto(local.data, clientId, url));
      await deletePhoto(clientId);
      showState();
    }
  }

  async function step(): Promise<void> {
    while (pendingPhotoIds(local.data).length > 0) await uploadPhotos();
    if (local.dirty) {
      const sent = JSON.stringify(local.data);
      local.unacknowledged = [...(local.unacknowledged ?? []).slice(-4), local.data];
      await storeLocal(local);
      const r = await api<{ savedAt: string; revision: number }>(`${base}/checklist`, {
        method: "PUT",
        body: {
          data: local.data,
          baseRevision: local.baseRevision,
          deviceTime: now(),
          happenedAt: local.changedAt,
        },
      });
      local.baseRevision = r.revision;
      local.lastServerSave = r.savedAt;
      local.unacknowledged = undefined;
      if (JSON.stringify(local.data) === sent) local.dirty = false;
      await storeLocal(local);
      showState();
      if (local.dirty) return step();
    }
    if (local.submit) {
      const result = await api<{ submittedAt: string; failedItems: string[] }>(`${base}/checklist/submit`, {
        method: "POST",
        body: {
          data: local.data,
          baseRevision: local.baseRevision,
          clientId: local.submit.clientId,
          deviceTime: now(),
          happenedAt: local.submit.at,
        },
      });
      local.submit = undefined;
      local.lastServerSave = result.submittedAt;
      await storeLocal(local);
      statusBox.hidden = true;
      showSubmitted(survey, result.submittedAt, result.failedItems);
    }
  }

  async function run() {
    if (running) return running;
    running = step()
      .catch((error: unknown) => failed(error))
      .finally(() => {
        running = null;
        showState();
      });
    return running;
  }

  function failed(error: unknown) {
    if (error instanceof ApiError && error.code === "stale_revision") {
      const { server } = error.extra as unknown as Stale;
      if (local.unacknowledged?.some((sent) => sameAnswers(server.data, sent))) {
        // The newer revision is this phone's own earlier save: build on it, nothing to merge.
        local.baseRevision = server.revision;
        local.unacknowledged = undefined;
        void storeLocal(local).then(run);
        return;
      }
      offerMerge(survey, local, error.extra as unknown as Stale, run);
      return;
    }
    if (error instanceof ApiError && error.code === "invalid_response" && local.submit) {
      local.submit = undefined;
      void storeLocal(local);
      showServerErrors(survey, error);
      return;
    }
    if (error instanceof ApiError && error.code === "already_submitted") {
      notice("info", "检查表已提交登记", h("p", {}, "该检查表已由其他执法人员提交。"), reloadButton());
      survey.mode = "display";
      return;
    }
    if (error instanceof ApiError && error.status >= 400 && error.status < 500 && error.status !== 408) {
      showSaveState("error", "无法保存");
      notice("error", "无法保存", h("p", {}, errorMessage(error)));
      return;
    }
    // Offline or the server unreachable: everything stays on the phone; try again later.
    schedule(RETRY_MS);
  }

  function schedule(delay = SAVE_DELAY_MS) {
    window.clearTimeout(timer);
    timer = window.setTimeout(() => void run(), delay);
  }

  survey.onValueChanged.add((sender) => {
    local.data = sender.data;
    local.dirty = true;
    local.changedAt = now();
    void storeLocal(local).then(showState);
    schedule();
  });
  // Back online: sync now. An attempt still in flight began offline and will fail; try again after it
  // rather than wait for its retry timer.
  window.addEventListener("online", () => {
    window.clearTimeout(timer);
    void (running ?? Promise.resolve()).then(() => run());
  });
  window.addEventListener("offline", showState);
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "hidden" && pendingSteps(local) > 0) void run();
  });
  showState();
  if (pendingSteps(local) > 0) schedule(0);
  return {
    /** Queues the submission (with its client id) behind the answers, and sends both if it can. */
    async submit(data: Record<string, unknown>) {
      local.data = data;
      local.dirty = true;
      local.changedAt = now();
      local.submit ??= { clientId: crypto.randomUUID(), at: now() };
      await storeLocal(local);
      showState();
      if (!navigator.onLine)
        notice(
          "info",
          "已保存在本机",
          h("p", {}, "当前没有网络。联网后将自动提交登记，请勿清除浏览器数据。"),
        );
      await run();
    },
  };
}

/** The same answers, whatever the order of their keys (the server keeps what it was sent). */
function sameAnswers(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  return keys.every((k) => JSON.stringify(a[k]) === JSON.stringify(b[k]));
}

/** Another device saved meanwhile: per question, keep this phone's answer or the server's (newest by default). */
function offerMerge(survey: SurveyModel, local: LocalChecklist, stale: Stale, resume: () => Promise<void>) {
  const server = stale.server;
  const mineNewer = !server.savedAt || local.changedAt > server.savedAt;
  const names = [...new Set([...Object.keys(local.data), ...Object.keys(server.data)])].filter(
    (name) => JSON.stringify(local.data[name]) !== JSON.stringify(server.data[name]),
  );
  const show = (v: unknown) =>
    v === undefined
      ? "（未填）"
      : typeof v === "string"
        ? v.startsWith("data:")
          ? "（图片）"
          : v
        : JSON.stringify(v);
  const rows = names.map((name) => {
    const question = questionOf(survey, name);
    const pick = (side: "mine" | "server", label: string, value: unknown) =>
      h(
        "label",
        { className: "merge-choice" },
        h("input", {
          type: "radio",
          name: `merge-${name}`,
          value: side,
          checked: (side === "mine") === mineNewer,
        }),
        ` ${label}：${show(value)}`,
      );
    return h(
      "li",
      { "data-name": name },
      h("strong", {}, question?.title ?? name),
      pick("mine", "本机", local.data[name]),
      pick("server", `其他设备（${server.savedAt ? clock(server.savedAt) : "—"}）`, server.data[name]),
    );
  });
  const confirm = h(
    "button",
    { type: "button", className: "primary", id: "merge-confirm" },
    "确认合并并保存",
  );
  confirm.addEventListener("click", () => {
    const merged: Record<string, unknown> = { ...server.data, ...local.data };
    for (const name of names) {
      const side = statusBox.querySelector<HTMLInputElement>(
        `input[name="merge-${CSS.escape(name)}"]:checked`,
      )?.value;
      const value = side === "server" ? server.data[name] : local.data[name];
      if (value === undefined) delete merged[name];
      else merged[name] = value;
    }
    local.data = merged;
    local.baseRevision = server.revision;
    local.dirty = true;
    survey.data = merged;
    void storeLocal(local).then(() => {
      statusBox.hidden = true;
      return resume();
    });
  });
  notice(
    "error",
    "检查表已在其他设备上修改",
    h("p", {}, "请逐题选择保留哪一份答案（默认保留较新的一份），确认后保存。"),
    h("ul", { className: "merge-list", id: "merge-list" }, ...rows),
    h("div", { className: "actions" }, confirm),
  );
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
    h("p", {}, `登记时间 ${clock(submittedAt)}。检查结果已对企业公开。`),
    failedItems.length
      ? h("p", {}, `存在不合格项的检查事项：${failedItems.join("、")}`)
      : h("p", {}, "全部检查事项未发现不合格。"),
  );
  // After the survey re-renders in display mode, so the notice is what the officer sees.
  window.setTimeout(() => window.scrollTo({ top: 0 }), 50);
}

function submission(survey: SurveyModel, saver: ReturnType<typeof syncer>) {
  survey.onCompleting.add((sender, options) => {
    options.allow = false;
    showSaveState("pending", "正在提交…");
    void saver.submit(sender.data);
  });
}

// ---- Page ----

async function start() {
  registerOfflineWorker();
  const user = await adminPage();
  const view = await api<ChecklistView>(`${base}/checklist`);
  const survey = new Model(localSchema(view.schema));
  makeSurveySafe(survey);
  survey.locale = "zh-cn";
  // Item 16: errors show on 下一页, on the page they belong to, not all at once after 提交登记. Set here
  // too, because checklists frozen before generate.ts changed still say "onComplete".
  survey.checkErrorsMode = "onNextPage";
  byId("title").textContent = survey.description || survey.title || "现场检查登记";
  document.title = `现场检查登记 · ${survey.description || "亮码"}`;
  // The phone's own copy wins while it holds answers the server has not acknowledged.
  const stored = await loadLocal(inspectionId);
  const local: LocalChecklist =
    stored && pendingSteps(stored) > 0
      ? stored
      : {
          inspectionId,
          data: view.data,
          baseRevision: view.revision,
          dirty: false,
          changedAt: new Date().toISOString(),
          lastServerSave: view.savedAt,
        };
  handleUploads(survey);
  if (Object.keys(local.data).length > 0) survey.data = local.data;
  void forgetPhotosExcept(inspectionId, pendingPhotoIds(local.data));
  cachePhotos(serverPhotoUrls(local.data));
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
    await storeLocal(local);
    submission(survey, syncer(survey, local));
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
