import { api, errorMessage } from "./lib/api";
import { byId, formatTime, h, replaceChildren, showMessage } from "./lib/dom";
import { auditLink } from "./lib/audit-link";
import { adminPage } from "./lib/layout";
import type { User } from "./lib/types";

type AlertStatus = "open" | "assigned" | "closed";

interface Person {
  id: string;
  displayName: string;
}

type AlertKind = "negative_evaluation" | "complaint" | "unregistered_visit";

interface AlertItem {
  id: string;
  complaintId: string | null;
  kind: AlertKind;
  kindLabel: string;
  status: AlertStatus;
  statusLabel: string;
  summary: string;
  department: { id: string; name: string };
  enterprise: { name: string };
  assignedTo: Person | null;
  outcome: string | null;
  score: number | null;
  createdAt: string;
  firstHandledAt: string | null;
  closedAt: string | null;
  handling: { toFirstHandlingMs: number | null; toCloseMs: number | null };
}

interface AlertDetail extends AlertItem {
  closedBy: Person | null;
  complaint: {
    receiptNo: string;
    kind: string;
    visitDate: string;
    text: string;
    unfiledVisit: boolean;
    createdAt: string;
  } | null;
  evaluation: {
    submittedAt: string;
    score: number | null;
    answers: { name: string; title: string; text: string; negative: boolean }[];
  } | null;
  inspection: {
    typeLabel: string;
    statusLabel: string;
    plannedStart: string;
    plannedEnd: string;
    enterprise: { name: string; creditCode: string };
    departments: { id: string; name: string }[];
    officers: { name: string; credentialNo: string | null; isHelper: boolean }[];
    items: { code: string; name: string }[];
  } | null;
  events: { id: string; at: string; kind: string; note: string; actor: Person | null }[];
}

const RANK: Record<AlertStatus, number> = { open: 0, assigned: 1, closed: 2 };
const EVENT_LABELS: Record<string, string> = {
  created: "生成告警",
  assigned: "指派",
  note: "跟进",
  closed: "办结",
};

const list = byId("alert-items");
const detailBox = byId("detail");
const message = byId("message");
const live = byId("live");
const loadMore = byId<HTMLButtonElement>("load-more");
const filters = byId("filters");

let me: User;
let filter = "active";
let items: AlertItem[] = [];
let nextCursor: string | null = null;
let selected: string | null = null;
let assignees: Person[] = [];
const fresh = new Set<string>();
/** Unsent texts per alert and field, so a live update re-rendering the detail never loses typing. */
const drafts = new Map<string, string>();

/** "3 天 2 小时", "5 小时 12 分", "8 分钟", "不到 1 分钟". */
function duration(ms: number | null): string {
  if (ms === null) return "—";
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 1) return "不到 1 分钟";
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  if (days > 0) return `${days} 天${hours ? ` ${hours} 小时` : ""}`;
  if (hours > 0) return `${hours} 小时${minutes % 60 ? ` ${minutes % 60} 分` : ""}`;
  return `${minutes} 分钟`;
}

function matchesFilter(a: AlertItem): boolean {
  if (filter === "active") return a.status !== "closed";
  return filter === "" || a.status === filter;
}

function sortItems() {
  items.sort(
    (a, b) =>
      RANK[a.status] - RANK[b.status] || b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id),
  );
}

function card(a: AlertItem): HTMLElement {
  const open = a.status === "closed" ? null : Date.now() - Date.parse(a.createdAt);
  const element = h(
    "button",
    {
      type: "button",
      className: `alert-card status-${a.status}${fresh.has(a.id) ? " fresh" : ""}`,
      "aria-current": a.id === selected ? "true" : "false",
      "data-id": a.id,
    },
    h(
      "div",
      { className: "line1" },
      h("span", { className: `badge badge-${a.status}` }, a.statusLabel),
      h("span", { className: `badge badge-kind badge-kind-${a.kind}` }, a.kindLabel),
      h("span", { className: "who" }, a.department.name),
      h("span", { className: "when" }, formatTime(a.createdAt)),
    ),
    h("div", { className: "summary" }, a.summary),
    h(
      "div",
      { className: "line3" },
      `${a.enterprise.name} · `,
      a.assignedTo ? `处理人：${a.assignedTo.displayName}` : "未指派",
      a.status === "closed"
        ? ` · 办结用时 ${duration(a.handling.toCloseMs)}`
        : ` · 已等待 ${duration(open)}${a.firstHandledAt ? `（首次处理 ${duration(a.handling.toFirstHandlingMs)}）` : ""}`,
    ),
  );
  element.addEventListener("click", () => void select(a.id));
  return element;
}

function renderList() {
  const shown = items.filter(matchesFilter);
  if (shown.length === 0) {
    replaceChildren(
      list,
      h("li", { className: "empty" }, filter === "active" ? "没有未办结的告警。" : "没有告警。"),
    );
  } else {
    replaceChildren(list, ...shown.map((a) => h("li", {}, card(a))));
  }
  loadMore.hidden = nextCursor === null;
}

async function loadList(append = false) {
  const params = new URLSearchParams({ limit: "50" });
  if (filter) params.set("status", filter);
  if (append && nextCursor) params.set("cursor", nextCursor);
  try {
    const page = await api<{ items: AlertItem[]; nextCursor: string | null }>(`/api/alerts?${params}`);
    items = append ? [...items, ...page.items.filter((a) => !items.some((b) => b.id === a.id))] : page.items;
    nextCursor = page.nextCursor;
    sortItems();
    renderList();
    showMessage(message, "");
  } catch (error) {
    showMessage(message, `告警列表加载失败：${errorMessage(error)}`);
  }
}

function upsert(a: AlertItem, isNew: boolean) {
  const index = items.findIndex((b) => b.id === a.id);
  if (index >= 0) items[index] = a;
  else if (matchesFilter(a)) items.unshift(a);
  if (isNew) {
    fresh.add(a.id);
    setTimeout(() => fresh.delete(a.id), 6000);
  }
  sortItems();
  renderList();
}

function field(label: string, value: string | Node) {
  return [h("dt", {}, label), h("dd", {}, value)];
}

function timesBlock(a: AlertDetail) {
  const cell = (label: string, value: string) => h("div", {}, h("dt", {}, label), h("dd", {}, value));
  return h(
    "dl",
    { className: "times" },
    cell("收到时间", formatTime(a.createdAt)),
    cell("首次处理用时", a.firstHandledAt ? duration(a.handling.toFirstHandlingMs) : "尚未处理"),
    cell("办结用时", a.closedAt ? duration(a.handling.toCloseMs) : "未办结"),
    cell("满意度得分", a.score === null ? "—" : String(a.score)),
  );
}

function inspectionBlock(a: AlertDetail) {
  const i = a.inspection;
  if (!i) return h("p", { className: "muted" }, "检查信息不可用。");
  return h(
    "dl",
    { className: "meta" },
    ...field("被检查企业", `${i.enterprise.name}（${i.enterprise.creditCode}）`),
    ...field("检查部门", i.departments.map((d) => d.name).join("、")),
    ...field("检查类型", `${i.typeLabel} · ${i.statusLabel}`),
    ...field("计划时间", `${formatTime(i.plannedStart)} 至 ${formatTime(i.plannedEnd)}`),
    ...field(
      "执法人员",
      i.officers
        .map((o) => (o.isHelper ? `${o.name}（辅助人员）` : `${o.name}（${o.credentialNo ?? "无证号"}）`))
        .join("、"),
    ),
    ...field("检查事项", i.items.map((it) => `${it.code} ${it.name}`).join("；")),
  );
}

const COMPLAINT_KINDS: Record<string, string> = {
  unfiled_visit: "未备案入企",
  conduct: "执法行为",
  repeat: "重复检查",
  other: "其他",
};

/** What the source of the alert says: the evaluation's answers, the complaint, or the missed registration. */
function sourceBlock(a: AlertDetail) {
  if (a.kind === "complaint") {
    const c = a.complaint;
    if (!c) return [h("h2", {}, "投诉内容"), h("p", { className: "muted" }, "投诉内容不可用。")];
    return [
      h("h2", {}, "投诉内容"),
      h(
        "dl",
        { className: "meta" },
        ...field("受理编号", c.receiptNo),
        ...field("投诉类型", COMPLAINT_KINDS[c.kind] ?? c.kind),
        ...field("检查日期", c.visitDate),
        ...field("备案核对", c.unfiledVisit ? "⚠ 当日该部门对该企业无检查备案（未备案入企）" : "有对应备案"),
        ...field("投诉时间", formatTime(c.createdAt)),
      ),
      h("p", { className: "complaint-text" }, c.text),
    ];
  }
  if (a.kind === "unregistered_visit") return [];
  return [h("h2", {}, "评价内容"), answersBlock(a)];
}

function answersBlock(a: AlertDetail) {
  if (!a.evaluation) return h("p", { className: "muted" }, "评价内容不可用。");
  return h(
    "table",
    { className: "answers" },
    h(
      "tbody",
      {},
      ...a.evaluation.answers.map((line) =>
        h(
          "tr",
          { className: line.negative ? "negative" : "" },
          h("th", { scope: "row" }, line.title),
          h("td", {}, line.negative ? `⚠ ${line.text}` : line.text),
        ),
      ),
    ),
  );
}

function historyBlock(a: AlertDetail) {
  return h(
    "ol",
    { className: "history" },
    ...a.events.map((e) =>
      h(
        "li",
        {},
        h("strong", {}, EVENT_LABELS[e.kind] ?? e.kind),
        ` · ${formatTime(e.at)} · ${e.actor ? e.actor.displayName : "系统"}`,
        e.note ? h("div", { className: "note" }, e.note) : null,
      ),
    ),
  );
}

/** A form with one textarea and a submit button that runs `action` with the text. */
function textForm(
  key: string,
  label: string,
  buttonText: string,
  placeholder: string,
  action: (text: string) => Promise<boolean>,
) {
  const area = h("textarea", { rows: 3, maxlength: 2000, placeholder, required: true });
  area.value = drafts.get(key) ?? "";
  area.addEventListener("input", () => drafts.set(key, area.value));
  const submit = h("button", { type: "submit", className: "primary" }, buttonText);
  const form = h(
    "form",
    {},
    h("label", {}, h("span", {}, label), area),
    h("div", { className: "row" }, submit),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const text = area.value.trim();
    if (!text) return area.focus();
    submit.disabled = true;
    try {
      if (await action(text)) drafts.delete(key);
    } finally {
      submit.disabled = false;
    }
  });
  return form;
}

function handleBlock(a: AlertDetail) {
  if (a.status === "closed") {
    return h(
      "div",
      { className: "message message-ok" },
      `已于 ${formatTime(a.closedAt)} 由 ${a.closedBy?.displayName ?? "—"} 办结。处理结果：${a.outcome ?? ""}`,
    );
  }
  const select = h(
    "select",
    { "aria-label": "指派给" },
    ...assignees.map((p) =>
      h("option", { value: p.id, selected: p.id === (a.assignedTo?.id ?? me.id) }, p.displayName),
    ),
  );
  const assignSelf = h("button", { type: "button", className: "primary" }, "指派给我");
  const assignOther = h("button", { type: "button" }, "指派");
  assignSelf.addEventListener("click", () => void act(a.id, "assign", { userId: me.id }));
  assignOther.addEventListener("click", () => void act(a.id, "assign", { userId: select.value }));
  // A finding that needs the department to answer becomes a supervision case (issue 16).
  const source = a.kind === "complaint" && a.complaintId ? `complaint:${a.complaintId}` : `alert:${a.id}`;
  const toCase = h(
    "a",
    {
      className: "button",
      href: `/admin/cases?source=${encodeURIComponent(source)}&department=${encodeURIComponent(a.department.id)}`,
    },
    "立案督办",
  );
  return h(
    "div",
    { className: "handle-forms" },
    h(
      "div",
      { className: "row" },
      assignSelf,
      h("span", { className: "muted" }, "或"),
      select,
      assignOther,
      toCase,
    ),
    textForm(`${a.id}:note`, "跟进记录", "添加跟进", "例如：已电话联系企业核实情况", (note) =>
      act(a.id, "notes", { note }),
    ),
    textForm(
      `${a.id}:outcome`,
      a.kind === "complaint" ? "处理结果（办结必填，将告知投诉企业）" : "处理结果（办结必填）",
      "办结",
      "例如：经核查情况属实，已责令整改并通报",
      (outcome) => act(a.id, "close", { outcome }),
    ),
  );
}

function renderDetail(a: AlertDetail) {
  replaceChildren(
    detailBox,
    h(
      "h2",
      {},
      h("span", { className: `badge badge-${a.status}` }, a.statusLabel),
      " ",
      a.department.name,
      " ",
      auditLink(me.role, "alert", a.id),
    ),
    h("p", {}, a.summary),
    timesBlock(a),
    h("h2", {}, "处理"),
    handleBlock(a),
    ...sourceBlock(a),
    ...(a.inspection || a.kind !== "complaint" ? [h("h2", {}, "检查信息"), inspectionBlock(a)] : []),
    h("h2", {}, "处理记录"),
    historyBlock(a),
  );
}

async function select(id: string) {
  selected = id;
  renderList();
  try {
    renderDetail(await api<AlertDetail>(`/api/alerts/${encodeURIComponent(id)}`));
  } catch (error) {
    replaceChildren(detailBox, h("p", { className: "danger" }, errorMessage(error)));
  }
}

/** Runs a handling step; true when the server took it. */
async function act(
  id: string,
  step: "assign" | "notes" | "close",
  body: Record<string, string>,
): Promise<boolean> {
  try {
    const updated = await api<AlertDetail>(`/api/alerts/${encodeURIComponent(id)}/${step}`, {
      method: "POST",
      body,
    });
    drafts.delete(`${id}:${step === "close" ? "outcome" : "note"}`);
    upsert(updated, false);
    if (selected === id) renderDetail(updated);
    showMessage(
      message,
      step === "close" ? "告警已办结。" : step === "assign" ? "已指派。" : "已添加跟进记录。",
      "ok",
    );
    return true;
  } catch (error) {
    showMessage(message, errorMessage(error));
    if (selected === id) void select(id);
    return false;
  }
}

function setLive(state: "connecting" | "live" | "down", text: string) {
  live.dataset.state = state;
  live.textContent = text;
}

/** Live updates: every (re)connection refetches the list, so nothing is missed in between. */
function connect() {
  const source = new EventSource("/api/alerts/stream");
  source.addEventListener("ready", () => {
    setLive("live", "实时更新中");
    void loadList();
    if (selected) void select(selected);
  });
  source.addEventListener("alert", (event) => {
    const { kind, alert } = JSON.parse((event as MessageEvent<string>).data) as {
      kind: string;
      alert: AlertItem;
    };
    upsert(alert, kind === "created");
    if (alert.id === selected && kind !== "created") void select(alert.id);
  });
  source.addEventListener("error", () => {
    if (source.readyState === EventSource.CLOSED) {
      // The server refused the stream (often an expired session): /api/auth/me sends to the login page.
      setLive("down", "实时更新已断开，稍后重连");
      void api("/api/auth/me")
        .then(() => setTimeout(connect, 10_000))
        .catch(() => undefined);
    } else {
      setLive("connecting", "连接中断，正在重连…");
    }
  });
}

async function start() {
  me = await adminPage();
  if (me.role !== "admin" && me.role !== "supervisor") {
    replaceChildren(list, h("li", { className: "empty" }, "评价告警仅向司法局管理员和监督人员开放。"));
    setLive("down", "无权限");
    return;
  }
  for (const button of Array.from(filters.querySelectorAll<HTMLButtonElement>("button"))) {
    button.addEventListener("click", () => {
      filter = button.dataset.status ?? "";
      for (const b of Array.from(filters.querySelectorAll("button")))
        b.setAttribute("aria-pressed", String(b === button));
      void loadList();
    });
  }
  loadMore.addEventListener("click", () => void loadList(true));
  assignees = (await api<{ items: Person[] }>("/api/alerts/assignees")).items;
  await loadList();
  connect();
  // Waiting times in the list grow by themselves.
  setInterval(renderList, 60_000);
}

start().catch((error) => showMessage(message, errorMessage(error)));
