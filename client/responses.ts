import { api, errorMessage } from "./lib/api";
import { byId, formatTime, h, pathSegment, replaceChildren, showMessage } from "./lib/dom";
import { answerText, questionLabels, type QuestionLabels } from "./lib/answer-labels";
import { adminPage } from "./lib/layout";
import type { Form, ResponseItem, VersionSummary } from "./lib/types";

const formId = pathSegment(2);
const formPath = `/admin/forms/${encodeURIComponent(formId)}`;
const apiBase = `/api/forms/${encodeURIComponent(formId)}`;

const body = byId("responses-body");
const message = byId("message");
const from = byId<HTMLInputElement>("filter-from");
const to = byId<HTMLInputElement>("filter-to");
const version = byId<HTMLSelectElement>("filter-version");
const loadMore = byId<HTMLButtonElement>("load-more");
const countNote = byId("count-note");
const csv = byId<HTMLAnchorElement>("export-csv");
const xlsx = byId<HTMLAnchorElement>("export-xlsx");

byId<HTMLAnchorElement>("link-edit").href = `${formPath}/edit`;
byId<HTMLAnchorElement>("link-share").href = `${formPath}/share`;

let nextCursor: string | null = null;
let shown = 0;
let generation = 0;

/** Filter parameters as the API takes them (dates are plain YYYY-MM-DD from the date inputs). */
function filterParams(): URLSearchParams {
  const params = new URLSearchParams();
  if (from.value) params.set("from", from.value);
  if (to.value) params.set("to", to.value);
  if (version.value) params.set("version", version.value);
  return params;
}

function withQuery(path: string, params: URLSearchParams): string {
  const query = params.toString();
  return query ? `${path}?${query}` : path;
}

function syncUrlAndExports() {
  const params = filterParams();
  history.replaceState(null, "", withQuery(location.pathname, params));
  csv.href = withQuery(`${apiBase}/responses.csv`, params);
  xlsx.href = withQuery(`${apiBase}/responses.xlsx`, params);
}

/** Each published version's question titles and choice texts, fetched once per version shown. */
const versionLabels = new Map<number, Promise<Map<string, QuestionLabels>>>();
function labelsOf(version: number): Promise<Map<string, QuestionLabels>> {
  let labels = versionLabels.get(version);
  if (!labels) {
    labels = api<{ schema: unknown }>(`${apiBase}/versions/${version}`)
      .then((v) => questionLabels(v.schema))
      .catch(() => new Map<string, QuestionLabels>());
    versionLabels.set(version, labels);
  }
  return labels;
}

/** A one-line preview of the first few answers, with the titles and texts the person saw. */
function summary(data: Record<string, unknown>, labels: Map<string, QuestionLabels>): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(data ?? {})) {
    if (parts.length >= 3) break;
    if (value === null || value === undefined) continue;
    const question = labels.get(key);
    const text = answerText(value, question);
    parts.push(`${question?.title ?? key}: ${text.length > 40 ? `${text.slice(0, 40)}…` : text}`);
  }
  return parts.join("；") || "（空）";
}

function row(item: ResponseItem, labels: Map<string, QuestionLabels>): HTMLTableRowElement {
  const href = `${formPath}/responses/${encodeURIComponent(item.id)}`;
  const tr = h(
    "tr",
    { className: "clickable", "data-response-id": item.id },
    h("td", { "data-label": "提交时间" }, formatTime(item.submittedAt)),
    h("td", { "data-label": "版本" }, `第${item.version}版`),
    h("td", { "data-label": "编号", className: "muted small" }, item.id.slice(0, 8)),
    h("td", { "data-label": "摘要" }, summary(item.data, labels)),
    h("td", {}, h("a", { href, className: "button small-button" }, "查看")),
  );
  tr.addEventListener("click", (event) => {
    if ((event.target as Element).closest("a")) return;
    location.assign(href);
  });
  return tr;
}

async function load(reset: boolean) {
  const current = reset ? ++generation : generation;
  const params = filterParams();
  params.set("limit", "50");
  if (!reset && nextCursor) params.set("cursor", nextCursor);
  loadMore.disabled = true;
  try {
    const page = await api<{ items: ResponseItem[]; nextCursor: string | null }>(
      withQuery(`${apiBase}/responses`, params),
    );
    if (current !== generation) return;
    if (reset) {
      shown = 0;
      replaceChildren(body);
    }
    const labels = await Promise.all(page.items.map((item) => labelsOf(item.version)));
    if (current !== generation) return;
    body.append(...page.items.map((item, i) => row(item, labels[i]!)));
    shown += page.items.length;
    if (shown === 0) {
      replaceChildren(body, h("tr", {}, h("td", { colspan: 5, className: "empty" }, "暂无响应。")));
    }
    nextCursor = page.nextCursor;
    loadMore.hidden = !nextCursor;
    countNote.textContent = shown > 0 ? `已显示 ${shown} 条${nextCursor ? "，还有更多" : ""}` : "";
    showMessage(message, "");
  } catch (error) {
    showMessage(message, errorMessage(error));
    if (reset) replaceChildren(body, h("tr", {}, h("td", { colspan: 5, className: "empty" }, "加载失败")));
  } finally {
    loadMore.disabled = false;
  }
}

async function loadVersions(selected: string | null) {
  const { items } = await api<{ items: VersionSummary[] }>(`${apiBase}/versions`);
  for (const item of [...items].sort((a, b) => b.version - a.version)) {
    version.append(
      h("option", { value: String(item.version) }, `第${item.version}版（${item.responseCount ?? 0} 条）`),
    );
  }
  if (selected) version.value = selected;
}

function applyFilters() {
  syncUrlAndExports();
  void load(true);
}

byId<HTMLFormElement>("filters").addEventListener("submit", (event) => {
  event.preventDefault();
  if (from.value && to.value && from.value > to.value) {
    showMessage(message, "开始日期不能晚于结束日期。");
    return;
  }
  applyFilters();
});
byId("filter-reset").addEventListener("click", () => {
  from.value = "";
  to.value = "";
  version.value = "";
  applyFilters();
});
version.addEventListener("change", applyFilters);
loadMore.addEventListener("click", () => void load(false));

async function start() {
  await adminPage();
  const params = new URLSearchParams(location.search);
  from.value = params.get("from") ?? "";
  to.value = params.get("to") ?? "";
  const [{ form }] = await Promise.all([api<{ form: Form }>(apiBase), loadVersions(params.get("version"))]);
  const title = form.title || "（未命名）";
  byId("crumb-title").textContent = title;
  byId("page-title").textContent = `${title} · 响应`;
  document.title = `${title} · 响应 · 亮码`;
  if (form.kind === "evaluation") showWhereEvaluationsAre();
  syncUrlAndExports();
  await load(true);
}

/**
 * Enterprises' evaluations of inspections are kept with the inspection (anonymous towards the
 * department), not as responses of this form: this page would say 暂无响应 while they exist.
 */
function showWhereEvaluationsAre() {
  const note = h(
    "div",
    { className: "message message-info", id: "evaluations-elsewhere" },
    "企业对检查的评价随检查保存，不在此列表中：评价得分与负面评价见 ",
    h("a", { href: "/admin/dashboard#evaluations" }, "监督看板 · 企业评价"),
    "，负面评价触发的告警见 ",
    h("a", { href: "/admin/alerts" }, "告警"),
    "。此处只列出以链接或二维码直接填写本表单的响应。",
  );
  message.before(note);
}

start().catch((error) => showMessage(message, errorMessage(error)));
