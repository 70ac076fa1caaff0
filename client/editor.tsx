import { createRoot } from "react-dom/client";
import { setLicenseKey, surveyLocalization } from "survey-core";
import "survey-core/i18n/simplified-chinese";
import "survey-creator-core/i18n/simplified-chinese";
import { editorLocalization, settings as creatorSettings } from "survey-creator-core";
import { SurveyCreator, SurveyCreatorComponent } from "survey-creator-react";
import { api, errorMessage } from "./lib/api";
import { hideRemoteProperties, schemaTitle } from "./lib/creator-setup";
import { errorWithDetails } from "./lib/details";
import { byId, formatTime, h, pathSegment, replaceChildren, showMessage, statusLabels } from "./lib/dom";
import { adminPage } from "./lib/layout";
import { localSchema, makeSurveySafe } from "./lib/survey-safety";
import { fixCreatorStrings, fixSurveyStrings } from "./lib/zh-cn-overrides";
import type { Form, User, VersionSummary } from "./lib/types";

// Survey texts typed in the designer are the default language, which for us is Chinese; this also
// makes the preview's buttons and messages Chinese.
surveyLocalization.defaultLocale = "zh-cn";
fixSurveyStrings();
fixCreatorStrings(editorLocalization);
hideRemoteProperties();
// New choice questions start with Chinese choices (SurveyJS's default is "Item 1", kept as the value).
for (const type of ["dropdown", "tagbox", "checkbox", "radiogroup", "ranking"]) {
  const json = (creatorSettings.toolbox.defaultJSON[type] ??= {}) as { choices?: string[] };
  json.choices = ["选项1", "选项2", "选项3"];
}
// The deployment's SURVEYJS_LICENSE_KEY, put into the page by the server at run time (src/pages/routes.ts).
// Without one the Creator shows SurveyJS's own licence banner, which stays: the key is the only way off.
const licenseKey = document.querySelector<HTMLMetaElement>('meta[name="surveyjs-license-key"]')?.content;
if (licenseKey) setLicenseKey(licenseKey);

const formId = pathSegment(2);
const base = `/api/forms/${encodeURIComponent(formId)}`;
const message = byId("message");
const saveState = byId("save-state");
const saveButton = byId<HTMLButtonElement>("save");
const publishButton = byId<HTMLButtonElement>("publish");
const statusBadge = byId("form-status");
const formName = byId("form-name");
const langButton = byId<HTMLButtonElement>("toggle-lang");
const versionsPanel = byId("versions-panel");

byId<HTMLAnchorElement>("link-responses").href = `/admin/forms/${encodeURIComponent(formId)}/responses`;
byId<HTMLAnchorElement>("link-share").href = `/admin/forms/${encodeURIComponent(formId)}/share`;

const creator = new SurveyCreator({
  showThemeTab: false,
  showTranslationTab: false,
  showJSONEditorTab: true,
  showLogicTab: true,
  autoSaveEnabled: false,
  previewAllowSelectLanguage: false,
  showCreatorThemeSettings: false,
});
creator.onSurveyInstanceCreated.add((_, options) => {
  if (options.area === "designer-tab" || options.area === "preview-tab") makeSurveySafe(options.survey);
});

// A choice's stored value follows its text while the two are in step (the value was never set apart):
// renaming 选项1 to 合格 stores 合格, so responses and exports do not read "选项1" for years.
creator.onSurveyPropertyValueChanged.add((_, event) => {
  // The designer passes the old value too (notifySurveyPropertyChanged), though its type omits it.
  const options = event as typeof event & { oldValue?: unknown; newValue?: unknown };
  const item = options.obj as { getType?: () => string; value: unknown; locOwner?: unknown } | undefined;
  if (options.propertyName !== "text" || !item?.getType?.().endsWith("itemvalue")) return;
  const before =
    typeof options.oldValue === "string" && options.oldValue ? options.oldValue : String(item.value);
  const after = typeof options.newValue === "string" ? options.newValue.trim() : "";
  if (!after || String(item.value) !== before) return;
  const siblings = choiceSiblings(item);
  if (siblings.some((other) => other !== item && String(other.value) === after)) return;
  item.value = after;
});

function choiceSiblings(item: { locOwner?: unknown }): { value: unknown }[] {
  const owner = item.locOwner as Record<string, unknown> | undefined;
  if (!owner) return [];
  for (const key of ["choices", "rateValues", "columns", "rows"]) {
    const list = owner[key];
    if (Array.isArray(list) && list.includes(item)) return list as { value: unknown }[];
  }
  return [];
}

let form: Form | null = null;
let dirty = false;
let changeCount = 0;
let saving: Promise<boolean> | null = null;

creator.onModified.add(() => {
  dirty = true;
  changeCount++;
  saveState.textContent = "有未保存的修改";
});

window.addEventListener("beforeunload", (event) => {
  if (dirty) event.preventDefault();
});

function setLocale(locale: "zh-cn" | "en") {
  creator.locale = locale;
  langButton.textContent = locale === "en" ? "中文" : "English";
  langButton.setAttribute("lang", locale === "en" ? "zh-CN" : "en");
  document.documentElement.lang = locale === "en" ? "en" : "zh-CN";
  try {
    localStorage.setItem("lianma:creator-locale", locale);
  } catch {
    // Private mode: the choice just is not remembered.
  }
}

function storedLocale(): "zh-cn" | "en" {
  try {
    return localStorage.getItem("lianma:creator-locale") === "en" ? "en" : "zh-cn";
  } catch {
    return "zh-cn";
  }
}

function showStatus(current: Form) {
  formName.textContent = current.title || "（未命名）";
  document.title = `${current.title || "表单设计"} · 设计 · 亮码`;
  statusBadge.textContent =
    (statusLabels[current.status] ?? current.status) +
    (current.publishedVersion ? ` · 第${current.publishedVersion}版` : "");
  statusBadge.className = `badge badge-${current.status}`;
}

async function doSave(): Promise<boolean> {
  if (!form) return false;
  const startedAt = changeCount;
  const schema = creator.JSON as Record<string, unknown>;
  const title = schemaTitle(schema);
  const body: Record<string, unknown> = { schema };
  if (title && title !== form.title) body.title = title;
  saveState.textContent = "正在保存…";
  try {
    const result = await api<{ form: Form }>(base, { method: "PUT", body });
    form = result.form;
    showStatus(form);
    if (changeCount === startedAt) dirty = false;
    saveState.textContent = dirty ? "有未保存的修改" : `草稿已保存 ${formatTime(new Date().toISOString())}`;
    showMessage(message, "");
    return true;
  } catch (error) {
    saveState.textContent = "保存失败";
    replaceChildren(message, errorWithDetails(error, "草稿保存失败："));
    message.className = "message message-error";
    message.hidden = false;
    return false;
  }
}

/** Queues a save after any running one, so the last edits always reach the server. */
function startSave(): Promise<boolean> {
  const next = (saving ?? Promise.resolve(true)).then(doSave);
  saving = next;
  void next.then(() => {
    if (saving === next) saving = null;
  });
  return next;
}

// The Creator's own save action and our 保存草稿 button both go through here, so its state
// indicator (saving / saved / modified) stays right.
creator.saveSurveyFunc = (saveNo: number, callback: (no: number, ok: boolean) => void) => {
  void startSave().then((ok) => callback(saveNo, ok));
};

function saveDraft(): Promise<boolean> {
  creator.saveSurvey();
  return saving ?? Promise.resolve(false);
}

async function publish() {
  if (!form) return;
  if (dirty || saving) {
    const saved = await saveDraft();
    if (!saved) return;
  }
  try {
    const result = await api<{ version: number; publishedAt: string }>(`${base}/publish`, { method: "POST" });
    showMessage(message, `已发布 第${result.version}版（${formatTime(result.publishedAt)}）`, "ok");
    const fresh = await api<{ form: Form }>(base);
    form = fresh.form;
    showStatus(form);
    void loadVersions();
  } catch (error) {
    replaceChildren(message, errorWithDetails(error, "发布失败："));
    message.className = "message message-error";
    message.hidden = false;
  }
}

async function loadVersions() {
  try {
    const { items } = await api<{ items: VersionSummary[] }>(`${base}/versions`);
    if (items.length === 0) {
      replaceChildren(versionsPanel, h("p", { className: "muted" }, "尚未发布任何版本。"));
      return;
    }
    const list = h("ul", {});
    for (const item of [...items].sort((a, b) => b.version - a.version)) {
      list.append(
        h(
          "li",
          {},
          h("strong", {}, `第${item.version}版`),
          ` · ${formatTime(item.publishedAt)} · `,
          h(
            "a",
            { href: `/admin/forms/${encodeURIComponent(formId)}/responses?version=${item.version}` },
            `${item.responseCount ?? 0} 条响应`,
          ),
        ),
      );
    }
    replaceChildren(versionsPanel, list);
  } catch (error) {
    replaceChildren(versionsPanel, h("p", { className: "danger" }, errorMessage(error)));
  }
}

function wireButton(button: HTMLButtonElement, action: () => Promise<unknown>) {
  button.addEventListener("click", async () => {
    button.disabled = true;
    try {
      await action();
    } finally {
      button.disabled = false;
    }
  });
}

async function start(user: User) {
  const result = await api<{ form: Form }>(base);
  form = result.form;
  showStatus(form);
  const schema = localSchema(form.schema);
  if (!schemaTitle(schema) && form.title) schema.title = form.title;
  const readOnly = user.role === "supervisor" || user.role === "officer";
  if (readOnly) {
    creator.readOnly = true;
    saveButton.hidden = true;
    publishButton.hidden = true;
  }
  creator.JSON = schema;
  dirty = false;
  saveState.textContent = readOnly ? "只读" : "";
  createRoot(byId("creator")).render(<SurveyCreatorComponent creator={creator} />);
  void loadVersions();
}

setLocale(storedLocale());
langButton.addEventListener("click", () => setLocale(creator.locale === "en" ? "zh-cn" : "en"));
wireButton(saveButton, saveDraft);
wireButton(publishButton, publish);

adminPage()
  .then(start)
  .catch((error) => {
    formName.textContent = "无法打开表单";
    showMessage(message, errorMessage(error));
  });
