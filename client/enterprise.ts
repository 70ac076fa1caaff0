// The enterprise portal (/e): sign in by SMS code or activation letter, then the enterprise's own
// inspections, arrival confirmation and evaluation. Its session is the enterprise's, never staff's.
import { Model, surveyLocalization } from "survey-core";
import "survey-core/i18n/simplified-chinese";
import { fixSurveyStrings } from "./lib/zh-cn-overrides";
import { renderSurvey } from "survey-js-ui";
import { ApiError, errorMessage, readCookie } from "./lib/api";
import {
  checklistResultItems,
  officerItems,
  type ChecklistResultItem,
  type InspectingOfficer,
} from "./lib/checklist-result";
import { byId, formatTime, h, replaceChildren, showMessage } from "./lib/dom";
import { registerLianmaProperties } from "./lib/lianma-properties";
import { renderEnterpriseActions } from "./lib/enterprise-actions";
import { safeNext } from "./lib/next";
import { localSchema, makeSurveySafe } from "./lib/survey-safety";
import { addSkipLink } from "./lib/nav";
import { tappableRatings } from "./lib/tappable-ratings";

addSkipLink();

surveyLocalization.defaultLocale = "zh-cn";
fixSurveyStrings();
registerLianmaProperties();

interface Me {
  enterprise: { id: string; name: string; creditCode: string };
  csrfToken: string;
}

interface Summary {
  id: string;
  statusLabel: string;
  typeLabel: string;
  plannedStart: string;
  plannedEnd: string;
  departments: string[];
  items: { name: string; legalBasis: string | null }[];
  upcoming: boolean;
  enterpriseArrivalAt: string | null;
  evaluationOpen: boolean;
  evaluated: boolean;
}

type Officer = InspectingOfficer;

interface Detail {
  id: string;
  statusLabel: string;
  typeLabel: string;
  caseReason: string | null;
  plannedStart: string;
  plannedEnd: string;
  departments: { name: string; lead: boolean }[];
  officers: Officer[];
  items: { code: string; name: string; legalBasis: string | null }[];
  /** The inspection's basis as filed. */
  legalBasis: string;
  checklist: { items: ChecklistResultItem[]; submittedAt: string | null } | null;
  evaluation:
    { formId: string; version: number; schema: Record<string, unknown> } | { submitted: true } | null;
  evaluationOpen: boolean;
  evaluated: boolean;
  enterpriseArrivalAt: string | null;
  canConfirmArrival: boolean;
  avoidance: Avoidance;
}

interface Avoidance {
  open: boolean;
  officers: { id: string; name: string; isHelper: boolean }[];
  requests: {
    id: string;
    officerId: string;
    officerName: string;
    reason: string;
    status: "pending" | "replaced" | "refused";
    statusLabel: string;
    answer: string | null;
    replacementName: string | null;
    createdAt: string;
    answeredAt: string | null;
  }[];
}

interface Complaint {
  id: string;
  receiptNo: string;
  kindLabel: string;
  departmentName: string;
  visitDate: string;
  text: string;
  status: "received" | "handling" | "closed";
  statusLabel: string;
  outcome: string | null;
  createdAt: string;
  closedAt: string | null;
}

let csrfToken: string | null = null;

/** JSON fetch with the enterprise's own CSRF header (never the staff one); 401 means signed out. */
async function entApi<T>(path: string, method: "GET" | "POST" = "GET", body?: unknown): Promise<T> {
  const headers: Record<string, string> = { Accept: "application/json" };
  if (method !== "GET") {
    const token = readCookie("lianma_ent_csrf") ?? csrfToken;
    if (token) headers["X-Enterprise-CSRF-Token"] = token;
  }
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const res = await fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: "same-origin",
  });
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  const data = text ? (JSON.parse(text) as unknown) : undefined;
  if (!res.ok) {
    const err = (data as { error?: { code?: string; message?: string; details?: unknown[] } })?.error;
    throw new ApiError(
      res.status,
      err?.code ?? "error",
      err?.message ?? `请求失败（${res.status}）`,
      err?.details,
    );
  }
  return data as T;
}

const message = byId("message");
const views = {
  signin: byId("signin"),
  home: byId("home"),
  detail: byId("detail"),
  complaints: byId("complaints"),
};
const logoutButton = byId<HTMLButtonElement>("logout");

function show(view: keyof typeof views | null) {
  for (const [name, element] of Object.entries(views)) element.hidden = name !== view;
  message.hidden = true;
  logoutButton.hidden = view === "signin" || view === null;
}

function loading(text = "正在加载…") {
  for (const element of Object.values(views)) element.hidden = true;
  showMessage(message, text, "info");
}

// ---- sign-in ----

const signinMessage = byId("signin-message");
const codeForm = byId<HTMLFormElement>("code-form");
const loginForm = byId<HTMLFormElement>("login-form");
const creditInput = byId<HTMLInputElement>("credit-code");
const codeInput = byId<HTMLInputElement>("sms-code");
const resend = byId<HTMLButtonElement>("resend");
let countdown: ReturnType<typeof setInterval> | undefined;

function startCountdown(seconds = 60) {
  clearInterval(countdown);
  let left = seconds;
  resend.disabled = true;
  resend.textContent = `重新获取（${left} 秒）`;
  countdown = setInterval(() => {
    left--;
    if (left <= 0) {
      clearInterval(countdown);
      resend.disabled = false;
      resend.textContent = "重新获取";
    } else resend.textContent = `重新获取（${left} 秒）`;
  }, 1000);
}

async function sendCode() {
  const creditCode = creditInput.value.trim().toUpperCase();
  if (creditCode.length !== 18) {
    showMessage(signinMessage, "请输入 18 位统一社会信用代码。");
    creditInput.focus();
    return;
  }
  const button = byId<HTMLButtonElement>("send-code");
  button.disabled = true;
  try {
    const res = await entApi<{ message: string }>("/api/public/enterprise/code", "POST", { creditCode });
    byId("code-sent").textContent = `${res.message}。`;
    loginForm.hidden = false;
    codeForm.hidden = true;
    showMessage(signinMessage, "");
    startCountdown();
    codeInput.focus();
  } catch (error) {
    showMessage(signinMessage, errorMessage(error));
  } finally {
    button.disabled = false;
  }
}

/** The inspection page that sent the enterprise here to sign in ("以企业身份评价"), if any. */
const returnTo = (() => {
  const next = safeNext(new URLSearchParams(location.search).get("next"), location.origin, "");
  return next.startsWith("/i/") ? next : "";
})();

async function signedIn(session: Me) {
  csrfToken = session.csrfToken;
  if (returnTo) return location.assign(returnTo);
  history.replaceState(null, "", "/e");
  await route();
}

codeForm.addEventListener("submit", (event) => {
  event.preventDefault();
  void sendCode();
});

resend.addEventListener("click", () => {
  codeForm.hidden = false;
  loginForm.hidden = true;
  void sendCode();
});

loginForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  const code = codeInput.value.trim();
  if (!/^\d{6}$/.test(code)) {
    showMessage(signinMessage, "请输入短信中的 6 位数字验证码。");
    return;
  }
  const button = byId<HTMLButtonElement>("login");
  button.disabled = true;
  try {
    const creditCode = creditInput.value.trim().toUpperCase();
    await signedIn(await entApi<Me>("/api/public/enterprise/login", "POST", { creditCode, code }));
  } catch (error) {
    showMessage(signinMessage, errorMessage(error));
  } finally {
    button.disabled = false;
  }
});

async function activate(token: string) {
  loading("正在核验激活码…");
  try {
    await signedIn(await entApi<Me>("/api/public/enterprise/activate", "POST", { token }));
  } catch (error) {
    history.replaceState(null, "", "/e");
    show("signin");
    showMessage(signinMessage, errorMessage(error));
  }
}

byId<HTMLFormElement>("token-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const token = byId<HTMLInputElement>("token").value.trim();
  if (token) void activate(token);
});

logoutButton.addEventListener("click", async () => {
  try {
    await entApi("/api/enterprise/logout", "POST");
  } catch (error) {
    if (!(error instanceof ApiError && error.status === 401)) {
      showMessage(message, errorMessage(error));
      return;
    }
  }
  csrfToken = null;
  history.replaceState(null, "", "/e");
  await route();
});

// ---- my inspections ----

function card(item: Summary) {
  const badges = [
    h("span", { className: "badge" }, item.statusLabel),
    item.evaluationOpen ? h("span", { className: "badge badge-open" }, "可评价") : null,
    item.evaluated ? h("span", { className: "badge badge-valid" }, "已评价") : null,
    item.enterpriseArrivalAt ? h("span", { className: "badge" }, "已确认到达") : null,
  ];
  const link = h(
    "a",
    { href: `/e/inspections/${encodeURIComponent(item.id)}`, "data-id": item.id },
    h(
      "div",
      { className: "ent-card-head" },
      h("span", { className: "ent-card-title" }, item.departments.join("、") || "检查"),
      h("span", { className: "muted small" }, item.typeLabel),
    ),
    h("div", { className: "small" }, `${formatTime(item.plannedStart)} 至 ${formatTime(item.plannedEnd)}`),
    h("div", { className: "ent-card-items muted" }, item.items.map((i) => i.name).join("；")),
    h("div", { className: "ent-badges" }, ...badges),
  );
  link.addEventListener("click", (event) => {
    event.preventDefault();
    history.pushState(null, "", link.getAttribute("href")!);
    void route();
  });
  return h("li", {}, link);
}

async function renderHome(me: Me) {
  byId("enterprise-name").textContent = me.enterprise.name;
  byId("enterprise-code").textContent = `统一社会信用代码：${me.enterprise.creditCode}`;
  const { items } = await entApi<{ items: Summary[] }>("/api/enterprise/inspections");
  const empty = (text: string) => h("li", { className: "ent-empty" }, text);
  const upcoming = items.filter((i) => i.upcoming).reverse();
  const past = items.filter((i) => !i.upcoming);
  replaceChildren(
    byId("upcoming"),
    ...(upcoming.length ? upcoming.map(card) : [empty("暂无计划中的检查。")]),
  );
  replaceChildren(byId("past"), ...(past.length ? past.map(card) : [empty("暂无已进行的检查。")]));
  await renderEnterpriseActions(entApi);
  document.title = `我的检查 · ${me.enterprise.name} · 亮码`;
  show("home");
}

// ---- one inspection ----

const host = byId("survey");
const statusBox = byId("status-box");

function notice(kind: "ok" | "error" | "info", title: string, ...content: Array<Node | string>) {
  statusBox.className = `notice notice-${kind}`;
  replaceChildren(statusBox, h("h1", {}, title), ...content);
  statusBox.hidden = false;
  statusBox.scrollIntoView({ block: "start", behavior: "smooth" });
}

function renderOfficers(list: Officer[]) {
  replaceChildren(byId("d-officers"), ...officerItems(list, "✓ 证件有效"));
}

function renderResults(view: Detail) {
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

function renderEvaluation(view: Detail) {
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
function renderDocuments(id: string, view: Detail) {
  const url = (kind: string) => `/api/enterprise/inspections/${encodeURIComponent(id)}/documents/${kind}`;
  const link = (kind: string, text: string) =>
    h("li", {}, h("a", { href: url(kind), download: "", id: `d-document-${kind}` }, text));
  replaceChildren(
    byId("d-documents"),
    link("notice", "行政检查通知书（PDF）"),
    view.checklist ? link("record", "现场检查笔录（检查结果告知书，PDF）") : "",
  );
}

async function renderDetail(id: string) {
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
  renderAvoidance(view);
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
  void route();
});

// ---- 回避 ----

const avoidForm = byId<HTMLFormElement>("avoid-form");
const avoidMessage = byId("avoid-message");
let avoidFor: string | null = null;

function renderAvoidance(view: Detail) {
  const { open, officers, requests } = view.avoidance;
  avoidFor = view.id;
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
  const id = avoidFor;
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
    await renderDetail(id);
    showMessage(avoidMessage, "回避申请已提交，牵头部门将在检查开始前答复。", "ok");
  } catch (error) {
    showMessage(avoidMessage, errorMessage(error));
  } finally {
    button.disabled = false;
  }
});

// ---- complaints ----

const complaintForm = byId<HTMLFormElement>("complaint-form");
const complaintMessage = byId("complaint-message");
const receipt = byId("receipt");
const complaintText = byId<HTMLTextAreaElement>("c-text");
let departmentsLoaded = false;

/** Today in the phone's own calendar: the visit date may not be later. */
function todayLocal(): string {
  const d = new Date();
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

function complaintItem(c: Complaint) {
  return h(
    "li",
    { className: "ent-complaint", "data-receipt": c.receiptNo },
    h(
      "div",
      { className: "ent-card-head" },
      h("span", { className: "ent-card-title" }, `${c.kindLabel} · ${c.departmentName}`),
      h(
        "span",
        { className: `badge ${c.status === "closed" ? "badge-valid" : "badge-pending"}` },
        c.statusLabel,
      ),
    ),
    h("div", { className: "small muted" }, `受理编号 ${c.receiptNo} · 检查日期 ${c.visitDate}`),
    h("div", { className: "small ent-complaint-text" }, c.text),
    c.outcome ? h("div", { className: "small ent-answer" }, `处理结果：${c.outcome}`) : null,
  );
}

async function renderComplaintList() {
  const { items } = await entApi<{ items: Complaint[] }>("/api/enterprise/complaints");
  replaceChildren(
    byId("my-complaints"),
    ...(items.length ? items.map(complaintItem) : [h("li", { className: "ent-empty" }, "暂无投诉。")]),
  );
}

async function renderComplaints() {
  if (!departmentsLoaded) {
    const { items } = await entApi<{ items: { id: string; name: string }[] }>("/api/enterprise/departments");
    const select = byId<HTMLSelectElement>("c-department");
    replaceChildren(
      select,
      h("option", { value: "" }, "请选择"),
      ...items.map((d) => h("option", { value: d.id }, d.name)),
    );
    departmentsLoaded = true;
  }
  const date = byId<HTMLInputElement>("c-date");
  date.max = todayLocal();
  if (!date.value) date.value = todayLocal();
  receipt.hidden = true;
  showMessage(complaintMessage, "");
  await renderComplaintList();
  document.title = "投诉 · 亮码";
  show("complaints");
}

complaintText.addEventListener("input", () => {
  byId("c-count").textContent = `${complaintText.value.length} / 2000`;
});

complaintForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  const departmentId = byId<HTMLSelectElement>("c-department").value;
  const visitDate = byId<HTMLInputElement>("c-date").value;
  const text = complaintText.value.trim();
  const code = byId<HTMLInputElement>("c-code").value.trim();
  if (!departmentId) return showMessage(complaintMessage, "请选择检查部门。");
  if (!visitDate) return showMessage(complaintMessage, "请选择检查日期。");
  if (!text) return showMessage(complaintMessage, "请填写投诉内容。");
  const button = byId<HTMLButtonElement>("c-submit");
  button.disabled = true;
  try {
    const res = await entApi<{ id: string; receiptNo: string }>("/api/enterprise/complaints", "POST", {
      kind: byId<HTMLSelectElement>("c-kind").value,
      departmentId,
      visitDate,
      text,
      ...(code ? { inspectionCode: code } : {}),
    });
    complaintForm.reset();
    byId<HTMLInputElement>("c-date").value = todayLocal();
    byId("c-count").textContent = "0 / 2000";
    showMessage(complaintMessage, "");
    replaceChildren(
      receipt,
      h("h1", {}, "投诉已受理"),
      h("p", {}, "受理编号：", h("strong", { className: "receipt-no", id: "receipt-no" }, res.receiptNo)),
      h(
        "p",
        { className: "small" },
        "投诉已报送司法局行政执法监督机构。请保存受理编号，办理进度和结果可在下方查看。",
      ),
    );
    receipt.hidden = false;
    receipt.scrollIntoView({ block: "start", behavior: "smooth" });
    await renderComplaintList();
  } catch (error) {
    showMessage(complaintMessage, errorMessage(error));
  } finally {
    button.disabled = false;
  }
});

function goTo(path: string) {
  history.pushState(null, "", path);
  void route();
}

byId("go-complaints").addEventListener("click", (event) => {
  event.preventDefault();
  goTo("/e/complaints");
});

for (const link of document.querySelectorAll<HTMLAnchorElement>("a.to-home")) {
  link.addEventListener("click", (event) => {
    event.preventDefault();
    goTo("/e");
  });
}

// ---- routing ----

async function route() {
  const path = location.pathname.replace(/\/+$/, "");
  if (path === "/e/activate") {
    // The token came in the fragment, which no server saw; it leaves the address bar at once.
    const token = new URLSearchParams(location.hash.slice(1)).get("token") ?? "";
    history.replaceState(null, "", "/e/activate");
    if (token) return activate(token);
  }
  // Both cookies are set and cleared together: without the readable one there is no session to ask about.
  if (!readCookie("lianma_ent_csrf")) {
    if (path !== "/e" && path !== "/e/activate") history.replaceState(null, "", "/e");
    show("signin");
    return;
  }
  loading();
  let me: Me;
  try {
    me = await entApi<Me>("/api/enterprise/me");
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      if (path !== "/e" && path !== "/e/activate") history.replaceState(null, "", "/e");
      show("signin");
      return;
    }
    showMessage(message, errorMessage(error));
    return;
  }
  csrfToken = me.csrfToken;
  if (returnTo) return location.assign(returnTo);
  const detail = /^\/e\/inspections\/([^/]+)$/.exec(path);
  try {
    if (detail) await renderDetail(decodeURIComponent(detail[1]!));
    else if (path === "/e/complaints") await renderComplaints();
    else await renderHome(me);
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) {
      history.replaceState(null, "", "/e");
      await renderHome(me);
      showMessage(message, "未找到该检查。");
      return;
    }
    showMessage(message, errorMessage(error));
  }
}

window.addEventListener("popstate", () => void route());
void route();
