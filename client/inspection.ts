import type { Model } from "survey-core";
import { api, ApiError, errorMessage } from "./lib/api";
import { checklistResultItems, officerItems, type ChecklistResultItem } from "./lib/checklist-result";
import { byId, formatTime, h, pathSegment, replaceChildren } from "./lib/dom";
import { localDateTime } from "./lib/local-time";
import { addSkipLink } from "./lib/nav";

addSkipLink();

interface Officer {
  name: string;
  department: string;
  role: string;
  isHelper: boolean;
  credentialNo?: string | null;
  credentialValid?: boolean;
}

interface PublicInspection {
  status: string;
  statusLabel: string;
  enterprise: { name: string };
  typeLabel: string;
  caseReason: string | null;
  plannedStart: string;
  plannedEnd: string;
  legalBasis: string;
  departments: { name: string; lead: boolean }[];
  officers: Officer[];
  /** legalBasis as filed; null: the inspection's basis alone says it. */
  items: { code: string; name: string; legalBasis: string | null }[];
  rights: { title: string; text: string }[];
  yearCount: { year: number; count: number };
  checklist: { items: ChecklistResultItem[]; submittedAt: string | null } | null;
  /** In the page's HTML without `schema`: the page asks the API for it when evaluating starts. */
  evaluation:
    | { formId: string; version: number; schema?: Record<string, unknown>; closesAt: string }
    | { submitted: true }
    | null;
  evaluationOpensAt: string | null;
  /** Who is looking: only the inspected enterprise, signed in as itself, may evaluate (R14). */
  viewer: "anonymous" | "staff" | "enterprise" | "other_enterprise";
}

// The code stays in this page: it is sent only to our own API (the page sends no Referer anywhere).
const code = pathSegment(1);
const apiPath = `/api/public/inspections/${encodeURIComponent(code)}`;
const message = byId("message");
const problem = byId("problem");
const facts = byId("facts");
const host = byId("survey");
const statusBox = byId("status-box");

function notice(
  box: HTMLElement,
  kind: "ok" | "error" | "info",
  title: string,
  ...content: Array<Node | string>
) {
  box.className = `notice notice-${kind}`;
  replaceChildren(box, h("h1", {}, title), ...content);
  box.hidden = false;
  box.scrollIntoView({ block: "start", behavior: "smooth" });
}

function button(label: string, onClick: () => void): HTMLButtonElement {
  const element = h("button", { type: "button", className: "primary" }, label);
  element.addEventListener("click", onClick);
  return element;
}

function showLoadProblem(error: unknown) {
  message.hidden = true;
  const code = error instanceof ApiError ? error.code : "";
  const help = h(
    "p",
    { className: "muted small" },
    "如对检查人员身份有疑问，可拨打 12345 政务服务便民热线反映。",
  );
  if (code === "expired_code") {
    notice(problem, "error", "检查码已过期", h("p", {}, "该检查码已超过有效期，不能再查看或评价。"), help);
  } else if (code === "invalid_code") {
    notice(
      problem,
      "error",
      "检查码无效",
      h("p", {}, "无法核验此检查码。请确认扫描的是执法人员出示的检查码，不要使用转发或手动修改的链接。"),
      help,
    );
  } else if (error instanceof ApiError && error.status === 404) {
    notice(
      problem,
      "error",
      "未找到该检查",
      h("p", {}, "该检查不存在，或尚未经审批。请向执法人员核实。"),
      help,
    );
  } else {
    notice(
      problem,
      "error",
      "加载失败",
      h("p", {}, errorMessage(error)),
      h(
        "div",
        { className: "actions" },
        button("重新加载", () => location.reload()),
      ),
    );
  }
}

function renderOfficers(list: Officer[]) {
  const items = officerItems(list, "✓ 有效");
  replaceChildren(byId("officers"), ...items);
}

function renderItems(view: PublicInspection) {
  replaceChildren(
    byId("items"),
    ...view.items.map((item) =>
      h(
        "li",
        {},
        h("div", { className: "item-code" }, item.code),
        h("div", { className: "item-name" }, item.name),
        item.legalBasis ? h("div", { className: "basis" }, `依据：${item.legalBasis}`) : null,
      ),
    ),
  );
  const basis = byId("legal-basis");
  basis.textContent = view.legalBasis ? `本次检查依据：${view.legalBasis}` : "";
}

function renderResults(view: PublicInspection) {
  const panel = byId("result-panel");
  if (!view.checklist) return;
  panel.hidden = false;
  byId("result-time").textContent = view.checklist.submittedAt
    ? `登记时间：${formatTime(view.checklist.submittedAt)}`
    : "";
  replaceChildren(byId("results"), ...checklistResultItems(view.checklist.items));
}

/** PDF documents: the notice for whoever holds the code; the record for the enterprise signed in. */
function renderDocumentLinks(view: PublicInspection) {
  const link = (kind: string, text: string) =>
    h("li", {}, h("a", { href: `${apiPath}/documents/${kind}`, download: "", id: `document-${kind}` }, text));
  replaceChildren(
    byId("documents"),
    link("notice", "行政检查通知书（PDF）"),
    !view.checklist
      ? ""
      : view.viewer === "enterprise"
        ? link("record", "现场检查笔录（检查结果告知书，PDF）")
        : h("li", { className: "muted" }, "现场检查笔录含照片和签名，以被检查企业身份登录后可下载。"),
  );
}

function renderFacts(view: PublicInspection) {
  byId("enterprise").textContent = view.enterprise.name;
  byId("type").textContent = view.caseReason ? `${view.typeLabel}（${view.caseReason}）` : view.typeLabel;
  byId("window").textContent = `${localDateTime(view.plannedStart)} 至 ${localDateTime(view.plannedEnd)}`;
  byId("departments").textContent = view.departments.map((d) => d.name).join("、");
  byId("status").textContent = view.statusLabel;
  renderOfficers(view.officers);
  renderItems(view);
  renderDocumentLinks(view);
  replaceChildren(
    byId("year-count"),
    `${view.yearCount.year} 年本企业已备案的行政检查（含本次）共`,
    h("strong", {}, String(view.yearCount.count)),
    "次。",
  );
  replaceChildren(byId("rights"), ...view.rights.flatMap((r) => [h("dt", {}, r.title), h("dd", {}, r.text)]));
  renderResults(view);
  facts.hidden = false;
}

function thanks(already = false) {
  host.hidden = true;
  byId("evaluation-note").textContent = "本次检查已评价，感谢您的反馈。";
  notice(
    statusBox,
    "ok",
    already ? "本次检查已评价" : "感谢您的评价",
    h(
      "p",
      {},
      already
        ? "本次检查的评价此前已经提交，每次检查只能评价一次。"
        : "评价已提交至司法局行政执法监督机构。如您反映了问题，监督机构将及时核查处理。",
    ),
  );
}

async function submit(survey: Model, version: number) {
  host.dataset.submit = "pending";
  notice(statusBox, "info", "正在提交…", h("p", { className: "muted" }, "请稍候，不要关闭页面。"));
  try {
    await api(`${apiPath}/evaluation`, {
      method: "POST",
      body: { version, data: survey.data },
      noLoginRedirect: true,
      asEnterprise: true,
    });
    host.dataset.submit = "ok";
    thanks();
  } catch (error) {
    host.dataset.submit = "failed";
    if (error instanceof ApiError && error.code === "already_evaluated") return thanks(true);
    const back = () => {
      statusBox.hidden = true;
      survey.clear(false, true);
    };
    if (error instanceof ApiError && error.code === "invalid_response") {
      const list = h(
        "ul",
        {},
        ...error.details.map((raw) => {
          const d = (raw ?? {}) as { name?: unknown; message?: unknown };
          const q = d.name ? survey.getQuestionByValueName(String(d.name)) : null;
          return h("li", {}, `${q ? q.processedTitle : String(d.name ?? "")}：${String(d.message ?? "")}`);
        }),
      );
      notice(
        statusBox,
        "error",
        "评价未通过校验",
        list,
        h("div", { className: "actions" }, button("返回修改", back)),
      );
      return;
    }
    if (error instanceof ApiError && error.code === "version_mismatch") {
      notice(
        statusBox,
        "error",
        "评价表已更新",
        h("p", {}, "请重新加载页面后再填写。"),
        h(
          "div",
          { className: "actions" },
          button("重新加载", () => location.reload()),
        ),
      );
      return;
    }
    notice(
      statusBox,
      "error",
      "提交失败",
      h("p", {}, errorMessage(error)),
      h(
        "div",
        { className: "actions" },
        button("重试", () => void submit(survey, version)),
      ),
    );
  }
}

function renderEvaluation(view: PublicInspection) {
  const note = byId("evaluation-note");
  const evaluation = view.evaluation;
  if (!evaluation) {
    note.textContent = view.evaluationOpensAt
      ? `执法人员到达现场或计划开始（${formatTime(view.evaluationOpensAt)}）后，被检查企业可以在这里评价本次检查。`
      : "本次检查的评价期已结束。";
    return;
  }
  if ("submitted" in evaluation) {
    note.textContent = "本次检查已评价，感谢您的反馈。";
    return;
  }
  showJumpLink();
  if (view.viewer !== "enterprise") {
    // The evaluation is the inspected enterprise's: it signs in as itself and comes back here.
    const back = `/e?next=${encodeURIComponent(location.pathname)}`;
    const why: Record<Exclude<PublicInspection["viewer"], "enterprise">, string> = {
      anonymous: "评价由被检查企业以企业身份提交：请先登录企业端（短信验证码或激活函），登录后自动回到本页。",
      staff: "执法人员、部门和监督机构的工作人员不能提交企业评价。请由被检查企业在其手机上登录企业端后评价。",
      other_enterprise: "当前登录的不是被检查企业，不能评价本次检查。请退出后以被检查企业身份登录。",
    };
    note.textContent = why[view.viewer];
    if (view.viewer !== "staff")
      note.append(
        h(
          "p",
          {},
          h(
            "a",
            { className: "button primary big-action", href: back, id: "evaluate-as-enterprise" },
            "以企业身份评价",
          ),
        ),
      );
    return;
  }
  note.textContent = `评价直接报送司法局行政执法监督机构，实施检查的部门只能看到汇总统计。请如实填写（${formatTime(evaluation.closesAt)} 前）。`;
  // SurveyJS (≈1.4 MB) and the questionnaire are fetched only now: the facts above never wait for them.
  const begin = h(
    "button",
    { type: "button", className: "primary big-action", id: "start-evaluation" },
    "开始评价",
  );
  begin.addEventListener("click", () => void openEvaluation(begin));
  note.after(h("p", {}, begin));
}

type OpenEvaluation = { formId: string; version: number; schema: Record<string, unknown>; closesAt: string };

/**
 * The questionnaire is not in the page's HTML (it is needed only from here on): the public inspection
 * API answers it, from memory, together with the evaluation's current state.
 */
async function questionnaire(): Promise<OpenEvaluation | "submitted" | "closed"> {
  const view = await api<PublicInspection>(apiPath, { noLoginRedirect: true });
  const evaluation = view.evaluation;
  if (evaluation && "submitted" in evaluation) return "submitted";
  return evaluation?.schema ? { ...evaluation, schema: evaluation.schema } : "closed";
}

async function openEvaluation(begin: HTMLButtonElement) {
  begin.disabled = true;
  begin.textContent = "正在打开评价表…";
  statusBox.hidden = true;
  host.dataset.questionnaire = "loading";
  // Its stylesheet too: the facts above must not wait for it on a slow link.
  if (!document.querySelector('link[href="/build/survey-core.min.css"]'))
    document.head.append(h("link", { rel: "stylesheet", href: "/build/survey-core.min.css" }));
  let kit: typeof import("./lib/survey-kit");
  let evaluation: Awaited<ReturnType<typeof questionnaire>>;
  try {
    [kit, evaluation] = await Promise.all([import("./lib/survey-kit"), questionnaire()]);
  } catch (error) {
    host.dataset.questionnaire = "failed";
    begin.disabled = false;
    begin.textContent = "开始评价";
    const why =
      error instanceof ApiError && error.status !== 0 ? error.message : "网络连接失败，请检查网络后重试。";
    notice(
      statusBox,
      "error",
      "评价表未能打开",
      h("p", {}, why),
      h("p", { className: "muted small" }, "上面的检查信息不受影响。"),
      h(
        "div",
        { className: "actions" },
        button("重试", () => void openEvaluation(begin)),
      ),
    );
    return;
  }
  host.dataset.questionnaire = "ready";
  begin.remove();
  if (evaluation === "submitted") return thanks(true);
  if (evaluation === "closed") {
    byId("evaluation-note").textContent = "本次检查的评价期已结束。";
    return;
  }
  const { Model, localSchema, makeSurveySafe, renderSurvey, tappableRatings } = kit;
  const survey = new Model(localSchema(evaluation.schema));
  makeSurveySafe(survey);
  tappableRatings(survey);
  survey.locale = "zh-cn";
  // The page shows its own thank-you (thanks()); SurveyJS's completed page would be a second one.
  survey.showCompletedPage = false;
  const version = evaluation.version;
  survey.onComplete.add((sender) => void submit(sender, version));
  renderSurvey(survey, host);
  host.scrollIntoView({ block: "start" });
}

/** Item 15: the evaluation sits after the facts, a long scroll on a phone; say at the top that it is open. */
function showJumpLink() {
  const jump = byId("jump-evaluation");
  jump.hidden = false;
}

/** The data the server embedded with the facts (src/evaluations/public-page.ts), or null on a bare page. */
function embedded(): PublicInspection | null {
  const script = document.getElementById("page-data");
  if (!script?.textContent) return null;
  try {
    return JSON.parse(script.textContent) as PublicInspection;
  } catch {
    return null;
  }
}

async function start() {
  let view: PublicInspection;
  const inHtml = embedded();
  try {
    view = inHtml ?? (await api<PublicInspection>(apiPath, { noLoginRedirect: true }));
  } catch (error) {
    showLoadProblem(error);
    return;
  }
  message.hidden = true;
  if (inHtml) {
    // The server wrote the facts into the HTML: drawing them again would only cost a slow phone a
    // second layout, possibly before its first paint. What only the script draws is drawn here.
    renderDocumentLinks(view);
    renderResults(view);
  } else {
    document.title = `检查公示 · ${view.enterprise.name} · 亮码`;
    renderFacts(view);
  }
  renderEvaluation(view);
}

start().catch((error) => showLoadProblem(error));
