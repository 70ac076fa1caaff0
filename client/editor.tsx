import { createRoot } from "react-dom/client";
import { addIconsToThemeSet, Model, setLicenseKey, surveyLocalization, SvgRegistry } from "survey-core";
import { Survey } from "survey-react-ui";
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
import { CHECKPOINT_JSON } from "./lib/checkpoint-type";
import { generateChecklist } from "../src/checklists/generate";
import { nonCheckpointQuestions } from "../src/checklists/item-form";
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
const resumeButton = byId<HTMLButtonElement>("resume");
const previewButton = byId<HTMLButtonElement>("preview-checklist");
const previewDialog = byId<HTMLDialogElement>("checklist-preview");

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
// 检查要点: the check point as the officer will fill it (合格/不合格/不适用), first in the toolbox.
const CHECKPOINT_ICON =
  '<svg viewBox="0 0 24 24" xmlns="http://www.w3.org/2000/svg"><path d="M4 3h12l4 4v14H4z" fill="none" stroke="currentColor" stroke-width="1.5"/><path d="M8 12l3 3 5-6" fill="none" stroke="currentColor" stroke-width="2"/></svg>';
SvgRegistry.registerIcons({ checkpoint: CHECKPOINT_ICON });
addIconsToThemeSet("v1", { checkpoint: CHECKPOINT_ICON });
addIconsToThemeSet("v2", { checkpoint: CHECKPOINT_ICON });
creator.toolbox.addItem(
  {
    name: "lianma-checkpoint",
    title: "检查要点",
    tooltip: "检查表的一个检查要点：合格 / 不合格 / 不适用，不合格时填写整改要求和期限",
    iconName: "icon-checkpoint",
    json: structuredClone(CHECKPOINT_JSON),
  },
  0,
);

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
/** The schema of the latest published version, to tell whether 发布 would change anything. */
let latestSchema: string | null = null;
/** The title in the designer when loaded or last saved: only an edit of it renames the form. */
let savedSchemaTitle = "";
let dirty = false;
let changeCount = 0;
let saving: Promise<boolean> | null = null;

creator.onModified.add(() => {
  dirty = true;
  changeCount++;
  saveState.textContent = "有未保存的修改";
  updatePublishState();
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

const isStopped = (current: Form) => current.status === "draft" && !!current.latestVersion;

function showStatus(current: Form) {
  formName.textContent = current.title || "（未命名）";
  document.title = `${current.title || "表单设计"} · 设计 · 亮码`;
  const stopped = isStopped(current);
  statusBadge.textContent = stopped
    ? `已停止收集 · 第${current.latestVersion}版`
    : (statusLabels[current.status] ?? current.status) +
      (current.publishedVersion ? ` · 第${current.publishedVersion}版` : "");
  statusBadge.className = `badge badge-${stopped ? "stopped" : current.status}`;
  if (!creator.readOnly) resumeButton.hidden = !stopped;
  previewButton.hidden = current.kind !== "checklist";
  updatePublishState();
}

/** Whether the draft (as last saved, with no unsaved edits) is what the latest version already is. */
function sameAsLatest(): boolean {
  return !!form && !dirty && latestSchema !== null && JSON.stringify(form.schema) === latestSchema;
}

function updatePublishState() {
  if (!form) return;
  const same = sameAsLatest();
  publishButton.disabled = same;
  publishButton.title = same ? `草稿与第${form.latestVersion}版相同，无需发布` : "";
}

async function loadLatestSchema() {
  if (!form?.latestVersion) {
    latestSchema = null;
    return;
  }
  try {
    const latest = await api<{ schema: unknown }>(`${base}/versions/${form.latestVersion}`);
    latestSchema = JSON.stringify(latest.schema);
  } catch {
    latestSchema = null; // the server still refuses an unchanged publish (409 unchanged)
  }
  updatePublishState();
}

async function doSave(): Promise<boolean> {
  if (!form) return false;
  const startedAt = changeCount;
  const schema = creator.JSON as Record<string, unknown>;
  const title = schemaTitle(schema);
  const body: Record<string, unknown> = { schema };
  // The form is renamed only when the designer edited the title, never by saving an unchanged draft.
  if (title && title !== savedSchemaTitle && title !== form.title) body.title = title;
  saveState.textContent = "正在保存…";
  try {
    const result = await api<{ form: Form }>(base, { method: "PUT", body });
    form = result.form;
    savedSchemaTitle = title;
    if (changeCount === startedAt) dirty = false;
    showStatus(form);
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
  if (!dirty && !saving) {
    saveState.textContent = "没有需要保存的修改";
    return Promise.resolve(true);
  }
  creator.saveSurvey();
  return saving ?? Promise.resolve(false);
}

async function publish() {
  if (!form) return;
  if (dirty || saving) {
    const saved = await saveDraft();
    if (!saved) return;
  }
  if (sameAsLatest()) {
    showMessage(message, `草稿与第${form.latestVersion}版相同，无需发布。`, "ok");
    return;
  }
  if (!window.confirm(publishQuestion(form))) return;
  try {
    const result = await api<{ version: number; publishedAt: string }>(`${base}/publish`, { method: "POST" });
    showMessage(message, `已发布 第${result.version}版（${formatTime(result.publishedAt)}）`, "ok");
    const fresh = await api<{ form: Form }>(base);
    form = fresh.form;
    latestSchema = JSON.stringify(form.schema);
    showStatus(form);
    void loadVersions();
  } catch (error) {
    replaceChildren(message, errorWithDetails(error, "发布失败："));
    message.className = "message message-error";
    message.hidden = false;
  }
}

/** What 发布 will do, and for a 检查表 the questions that will not be asked as check points. */
function publishQuestion(current: Form): string {
  const next = (current.latestVersion ?? 0) + 1;
  const lines = [`发布为第${next}版？发布后扫码或新打开表单的人填写第${next}版，已提交的响应保留在原版本。`];
  if (current.kind === "checklist") {
    const plain = nonCheckpointQuestions(current.schema);
    if (plain.length) {
      lines.push(
        "",
        `注意：以下 ${plain.length} 个问题不会成为检查要点（没有 合格/不合格/不适用，也不要求整改）：`,
        ...plain.slice(0, 10).map((q) => `· ${q.title}`),
        ...(plain.length > 10 ? [`…… 另有 ${plain.length - 10} 个`] : []),
        "如需作为检查要点，请改用工具箱中的“检查要点”。",
      );
    }
  }
  return lines.join("\n");
}

async function resume() {
  if (!form || !window.confirm(`恢复收集？将继续使用第${form.latestVersion}版，不产生新版本。`)) return;
  try {
    const result = await api<{ form: Form }>(`${base}/resume`, { method: "POST" });
    form = { ...form, ...result.form };
    showStatus(form);
    showMessage(message, `已恢复收集 第${form.publishedVersion}版`, "ok");
  } catch (error) {
    showMessage(message, errorMessage(error));
  }
}

/** The checklist an officer would get for an inspection of one item using this form (draft as designed). */
function previewChecklist() {
  if (!form) return;
  const schema = generateChecklist({
    enterprise: {
      name: "（示例）济南某某有限公司",
      creditCode: "91370100MA00000000",
      address: "历下区示例路 1 号",
      legalRepresentative: "张三",
    },
    officers: [
      { name: "执法人员甲", credentialNo: "37000000001", isHelper: false },
      { name: "执法人员乙", credentialNo: "37000000002", isHelper: false },
    ],
    plannedStart: Date.now(),
    plannedEnd: Date.now() + 7_200_000,
    departments: ["（示例部门）"],
    items: [
      {
        code: "示例-1",
        name: form.title || "检查事项",
        legalBasis: "（事项清单中的检查依据）",
        method: "现场检查",
        departmentName: "（示例部门）",
        formId: form.id,
        formVersion: (form.latestVersion ?? 0) + 1,
        formSchema: creator.JSON as Record<string, unknown>,
      },
    ],
  });
  const model = new Model(schema);
  makeSurveySafe(model);
  model.currentPageNo = 1;
  model.showCompleteButton = false;
  byId("checklist-preview-note").textContent =
    "按当前设计（含未保存的修改）生成的第二页：检查要点的答案固定为 合格/不合格/不适用，选择“不合格”后要求填写整改要求和期限。";
  previewRoot ??= createRoot(byId("checklist-preview-survey"));
  previewRoot.render(<Survey model={model} />);
  previewDialog.showModal();
}
let previewRoot: ReturnType<typeof createRoot> | null = null;

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
      updatePublishState();
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
  savedSchemaTitle = schemaTitle(schema);
  dirty = false;
  void loadLatestSchema();
  saveState.textContent = readOnly ? "只读" : "";
  createRoot(byId("creator")).render(<SurveyCreatorComponent creator={creator} />);
  void loadVersions();
}

setLocale(storedLocale());
langButton.addEventListener("click", () => setLocale(creator.locale === "en" ? "zh-cn" : "en"));
wireButton(saveButton, saveDraft);
wireButton(publishButton, publish);
wireButton(resumeButton, resume);
previewButton.addEventListener("click", previewChecklist);
byId("checklist-preview-close").addEventListener("click", () => previewDialog.close());

adminPage()
  .then(start)
  .catch((error) => {
    formName.textContent = "无法打开表单";
    showMessage(message, errorMessage(error));
  });
