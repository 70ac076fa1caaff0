import { localDateTime } from "./lib/local-time";
import { api, ApiError, errorMessage } from "./lib/api";
import { codeOverlay } from "./lib/code-overlay";
import { errorWithDetails } from "./lib/details";
import { byId, h, pathSegment, replaceChildren, showMessage } from "./lib/dom";
import {
  flagBadges,
  formatWindow,
  statusBadge,
  typeTag,
  type InspectionDetail,
  type InspectionStatus,
} from "./lib/inspection-ui";
import { TYPE_LABELS } from "../src/inspections/labels";
import { renderAvoidanceCard } from "./lib/avoidance-card";
import { renderCorrectiveActions } from "./lib/action-card";
import { joinRequestItem, type JoinRequest } from "./lib/join-requests";
import { auditLink } from "./lib/audit-link";
import { adminPage } from "./lib/layout";
import type { User } from "./lib/types";

const id = pathSegment(2);
const base = `/api/inspections/${encodeURIComponent(id)}`;
const message = byId("message");
const showCode = codeOverlay();
const refuseDialog = byId<HTMLDialogElement>("refuse-dialog");
const closeDialog = byId<HTMLDialogElement>("close-dialog");
const cancelDialog = byId<HTMLDialogElement>("cancel-dialog");

/** Statuses in which the inspection code exists (approved and after, never refused). */
const CODED: InspectionStatus[] = ["approved", "in_progress", "registered", "evaluated", "closed"];

let me: User | null = null;
let inspection: InspectionDetail | null = null;

const departmentName = (departmentId: string) =>
  inspection?.departments.find((d) => d.id === departmentId)?.name ?? "";

function fact(dl: HTMLElement, label: string, value: string | Node | null | undefined) {
  if (value === null || value === undefined || value === "") return;
  dl.append(h("dt", {}, label), h("dd", {}, value));
}

function renderFacts(d: InspectionDetail) {
  const dl = byId("facts");
  replaceChildren(dl);
  fact(dl, "统一社会信用代码", h("span", { className: "mono" }, d.enterprise.creditCode));
  fact(dl, "检查类型", TYPE_LABELS[d.type] ?? d.type);
  if (d.type === "case") fact(dl, "个案原因", d.caseReason);
  fact(
    dl,
    "检查部门",
    d.departments.map((x) => (x.id === d.leadDepartmentId ? `${x.name}（牵头）` : x.name)).join("、"),
  );
  fact(dl, "计划时间", formatWindow(d.plannedStart, d.plannedEnd));
  fact(dl, "备案时间", localDateTime(d.filedAt));
  if (d.lateFiling) fact(dl, "补办原因", d.lateReason);
  fact(dl, "检查依据", d.legalBasis);
  fact(dl, "备注", d.notes);
  if (d.status === "refused") fact(dl, "不予批准理由", d.refusalReason);
  if (d.status === "cancelled") fact(dl, "撤回理由", d.cancelReason);
  if (d.arrivalLocation)
    fact(
      dl,
      "到达位置",
      `${d.arrivalLocation.lat.toFixed(5)}, ${d.arrivalLocation.lng.toFixed(5)}` +
        (d.arrivalLocation.accuracy ? `（约 ${Math.round(d.arrivalLocation.accuracy)} 米）` : ""),
    );
}

function renderPeople(d: InspectionDetail) {
  replaceChildren(
    byId("officers"),
    ...d.officers.map((o) =>
      h(
        "li",
        { "data-officer-id": o.id },
        h("span", { className: "person-name" }, o.name),
        o.isHelper
          ? h("span", { className: "badge badge-helper" }, "辅助人员")
          : h("span", { className: "mono small" }, `执法证 ${o.credentialNo ?? "—"}`),
        h("span", { className: "muted small" }, departmentName(o.departmentId)),
      ),
    ),
  );
  replaceChildren(
    byId("items"),
    ...d.items.map((item) =>
      h(
        "li",
        { "data-item-id": item.id },
        h(
          "span",
          { className: "person-name" },
          h("span", { className: "mono code" }, item.code),
          " ",
          item.name,
        ),
        item.legalBasis ? h("span", { className: "small" }, `检查依据：${item.legalBasis}`) : null,
        d.joint ? h("span", { className: "muted small" }, departmentName(item.departmentId)) : null,
      ),
    ),
  );
}

function renderSteps(d: InspectionDetail) {
  const decided = d.status === "refused" ? "不予批准" : "审批通过";
  const all: [string, string | null][] = [
    [d.lateFiling ? "事后补办备案" : "事前备案", d.filedAt],
    [decided, d.times.decidedAt],
    ["执法人员到达", d.times.arrivedAt],
    ["企业确认到达", d.times.enterpriseArrivalAt],
    ["开始现场检查", d.times.startedAt],
    ["事中登记（检查表提交）", d.times.registeredAt],
    ["企业评价", d.times.evaluatedAt],
    ["办结", d.times.closedAt],
  ];
  if (d.status === "cancelled") all.splice(2, all.length, ["撤回备案", d.times.cancelledAt]);
  // A refused filing ends there; a step passed over (registered without a partial save first) is left out.
  const steps = (d.status === "refused" ? all.slice(0, 2) : all).filter(
    ([, at], index) => at !== null || !all.slice(index + 1).some(([, later]) => later !== null),
  );
  replaceChildren(
    byId("steps"),
    ...steps.map(([label, at]) =>
      h(
        "li",
        { className: at ? "done" : "todo" },
        h("span", { className: "step-label" }, label),
        h("span", { className: "step-time" }, at ? localDateTime(at) : "—"),
      ),
    ),
  );
}

function canDecide(d: InspectionDetail): boolean {
  return me?.role === "admin" || (me?.role === "dept_admin" && me.departmentId === d.leadDepartmentId);
}

function canWork(d: InspectionDetail): boolean {
  if (me?.role === "admin") return true;
  if (me?.role !== "officer" && me?.role !== "dept_admin") return false;
  return d.departments.some((x) => x.id === me?.departmentId);
}

/** The server shows the code to the officers on the visit and the lead department's administrator. */
function mayShowCode(d: InspectionDetail): boolean {
  if (me?.role === "dept_admin") return me.departmentId === d.leadDepartmentId;
  return me?.role === "officer" && canWork(d);
}

function actionButton(label: string, className: string, actionId: string, onClick: () => void) {
  const button = h("button", { type: "button", className, id: actionId }, label);
  button.addEventListener("click", onClick);
  return button;
}

function renderActions(d: InspectionDetail) {
  const box = byId("actions");
  const hint = byId("actions-hint");
  replaceChildren(box);
  hint.textContent = "";
  const checklist = `/admin/inspections/${encodeURIComponent(d.id)}/checklist`;
  const lead = departmentName(d.leadDepartmentId);
  if (d.status === "filed") {
    if (canDecide(d)) {
      hint.textContent = "请核对执法人员资格、检查事项和依据后审批。批准后执法人员方可出示检查码开展检查。";
      box.append(
        actionButton("批准", "primary big-action", "approve", () => void approve()),
        actionButton("不予批准", "danger big-action", "refuse", () => openDialog(refuseDialog)),
      );
    } else {
      hint.textContent = `等待${lead}负责人审批。`;
    }
  }
  if ((d.status === "approved" || d.status === "in_progress") && canWork(d)) {
    hint.textContent ||= d.times.arrivedAt
      ? "出示检查码，并逐项填写现场检查表（检查结果、照片、签名）。"
      : "到达现场后先点“到达现场”（企业自此可以评价），再出示检查码，逐项填写现场检查表。";
    if (!d.times.arrivedAt && me?.role === "officer")
      box.append(actionButton("到达现场", "primary big-action", "arrive", () => void arrive()));
    box.append(
      mayShowCode(d) ? actionButton("出示检查码", "big-action", "show-code-top", () => void showCode()) : "",
      h(
        "a",
        { className: "button primary big-action", href: checklist, id: "checklist-link" },
        "现场检查登记",
      ),
    );
  }
  if (["registered", "evaluated", "closed"].includes(d.status) && me?.role !== "supervisor") {
    box.append(
      h("a", { className: "button big-action", href: checklist, id: "checklist-link" }, "查看现场检查表"),
    );
  }
  if ((d.status === "registered" || d.status === "evaluated") && canDecide(d)) {
    box.append(actionButton("办结", "primary big-action", "close", () => openDialog(closeDialog)));
  }
  // The server lets the filer and the lead department's administrator withdraw (not the system admin).
  const leadAdmin = me?.role === "dept_admin" && me.departmentId === d.leadDepartmentId;
  if ((d.status === "filed" || d.status === "approved") && (d.filedBy === me?.id || leadAdmin)) {
    box.append(actionButton("撤回备案", "danger", "cancel", () => openDialog(cancelDialog)));
  }
  if (d.status === "refused")
    hint.textContent = "本次备案不予批准，不能开展检查。如仍需检查，请修改后重新备案。";
  if (d.status === "cancelled")
    hint.textContent = `本次备案已撤回：${d.cancelReason ?? ""}。重复检查窗口和年度次数已释放。`;
  byId("actions-card").hidden = box.childElementCount === 0 && hint.textContent === "";
}

async function renderCode(d: InspectionDetail) {
  const card = byId("code-card");
  card.hidden = !CODED.includes(d.status);
  if (card.hidden) return;
  try {
    const code = await api<{ code: string; url: string; expiresAt: string }>(`${base}/code`);
    byId<HTMLInputElement>("code-url").value = code.url;
    byId("code-expires").textContent = localDateTime(code.expiresAt);
    const src = `${base}/qr.svg`;
    byId<HTMLImageElement>("qr").src = src;
    byId<HTMLImageElement>("overlay-qr").src = src;
  } catch (error) {
    card.hidden = true;
    // The code is for the officers on the visit and the lead department's administrator only.
    if (error instanceof ApiError && error.status === 403) return;
    showMessage(message, `检查码暂不可用：${errorMessage(error)}`);
  }
}

interface DocumentList {
  available: { kind: string; title: string; url: string }[];
  issued: { kind: string; version: number; sha256: string; issuedAt: string }[];
}

/** The official documents (PDF) of the visit; hidden for those the server does not give them to. */
async function renderDocuments() {
  const card = byId("documents-card");
  try {
    const docs = await api<DocumentList>(`${base}/documents`);
    card.hidden = docs.available.length === 0 && docs.issued.length === 0;
    replaceChildren(
      byId("documents"),
      ...docs.available.map((d) =>
        h(
          "li",
          {},
          h(
            "a",
            { href: d.url, download: "", id: `document-${d.kind}`, className: "button" },
            `下载${d.title}（PDF）`,
          ),
        ),
      ),
    );
    const titles = new Map(docs.available.map((d) => [d.kind, d.title]));
    byId("documents-issued-box").hidden = docs.issued.length === 0;
    replaceChildren(
      byId("documents-issued"),
      ...docs.issued.map((d) =>
        h(
          "li",
          {},
          `${titles.get(d.kind) ?? d.kind} 第 ${d.version} 版 · ${localDateTime(d.issuedAt)} · SHA-256 `,
          h("code", {}, d.sha256),
        ),
      ),
    );
  } catch {
    card.hidden = true;
  }
}

function render(d: InspectionDetail) {
  inspection = d;
  document.title = `${d.enterprise.name} · 检查 · 亮码`;
  byId("enterprise-name").textContent = d.enterprise.name || "（企业已删除）";
  replaceChildren(byId("status"), statusBadge(d.status));
  const trail = auditLink(me?.role, "inspection", d.id);
  replaceChildren(byId("audit-link"), trail);
  replaceChildren(byId("flags"), typeTag(d.type), ...flagBadges(d));
  renderFacts(d);
  renderPeople(d);
  renderSteps(d);
  renderActions(d);
  byId("overlay-enterprise").textContent = `被检查单位：${d.enterprise.name}`;
  replaceChildren(
    byId("overlay-officers"),
    ...d.officers
      .filter((o) => !o.isHelper)
      .map((o) => h("li", {}, `${o.name}　执法证 ${o.credentialNo ?? "—"}`)),
  );
  void renderCode(d);
  void renderDocuments();
  void renderCorrectiveActions(d, me);
}

async function renderJoinRequests() {
  const { items } = await api<{ items: JoinRequest[] }>(`${base}/join-requests`);
  byId("join-card").hidden = items.length === 0;
  const done = (text: string) => {
    showMessage(message, text, "ok");
    void load();
  };
  const fail = (text: string) => showMessage(message, text);
  replaceChildren(byId("join-list"), ...items.map((r) => joinRequestItem(r, me, done, fail)));
}

async function load() {
  const { inspection: d } = await api<{ inspection: InspectionDetail }>(base);
  render(d);
  await renderJoinRequests();
  await renderAvoidanceCard(base, (text) => {
    showMessage(message, text, "ok");
    void load();
  });
}

async function transition(path: string, body: unknown, done: string, box: HTMLElement): Promise<boolean> {
  try {
    const { inspection: d } = await api<{ inspection: InspectionDetail }>(`${base}/${path}`, {
      method: "POST",
      body,
    });
    render(d);
    showMessage(message, done, "ok");
    return true;
  } catch (error) {
    replaceChildren(box, errorWithDetails(error));
    box.className = "message message-error";
    box.hidden = false;
    return false;
  }
}

async function approve() {
  if (!inspection || !window.confirm(`批准对“${inspection.enterprise.name}”的检查备案？`)) return;
  await transition("approve", {}, "已批准。执法人员现在可以出示检查码开展检查。", message);
}

/** The phone's position, if it gives one within a few seconds; arrival is recorded without it otherwise. */
function position(): Promise<{ lat: number; lng: number; accuracy: number } | undefined> {
  return new Promise((resolve) => {
    if (!navigator.geolocation) return resolve(undefined);
    navigator.geolocation.getCurrentPosition(
      (p) => resolve({ lat: p.coords.latitude, lng: p.coords.longitude, accuracy: p.coords.accuracy }),
      () => resolve(undefined),
      { timeout: 5000, maximumAge: 60_000 },
    );
  });
}

async function arrive() {
  const location = await position();
  await transition(
    "arrive",
    location ? { location } : {},
    "已记录到达时间。企业现在可以评价本次检查。",
    message,
  );
}

function openDialog(dialog: HTMLDialogElement) {
  dialog.querySelector<HTMLFormElement>("form")?.reset();
  const box = dialog.querySelector<HTMLElement>(".message");
  if (box) showMessage(box, "");
  dialog.showModal();
}

byId<HTMLFormElement>("refuse-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const reason = byId<HTMLTextAreaElement>("refuse-reason").value.trim();
  const box = byId("refuse-message");
  if (!reason) {
    showMessage(box, "请填写不予批准的理由。");
    return;
  }
  if (await transition("refuse", { reason }, "已不予批准，理由已记录。", box)) refuseDialog.close();
});

byId<HTMLFormElement>("cancel-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const reason = byId<HTMLTextAreaElement>("cancel-reason").value.trim();
  const box = byId("cancel-message");
  if (!reason) {
    showMessage(box, "请填写撤回的理由。");
    return;
  }
  if (await transition("cancel", { reason }, "备案已撤回。", box)) cancelDialog.close();
});

byId<HTMLFormElement>("close-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const note = byId<HTMLTextAreaElement>("close-note").value.trim();
  const openActionsReason = byId<HTMLTextAreaElement>("close-open-reason").value.trim();
  const body = { ...(note ? { note } : {}), ...(openActionsReason ? { openActionsReason } : {}) };
  if (await transition("close", body, "已办结。", byId("close-message"))) closeDialog.close();
});

for (const button of document.querySelectorAll<HTMLButtonElement>("dialog [data-close]")) {
  button.addEventListener("click", () => button.closest("dialog")?.close());
}
byId("show-code").addEventListener("click", () => void showCode());
byId("copy-code").addEventListener("click", async () => {
  const input = byId<HTMLInputElement>("code-url");
  try {
    await navigator.clipboard.writeText(input.value);
    showMessage(message, "检查码链接已复制。", "ok");
  } catch {
    input.select();
    showMessage(message, "请长按链接手动复制。", "info");
  }
});

const params = new URLSearchParams(location.search);
adminPage()
  .then(async (user) => {
    me = user;
    await load();
    if (params.get("filed") === "1") showMessage(message, "备案已提交，等待本部门负责人审批。", "ok");
    if (params.has("filed")) history.replaceState(null, "", location.pathname);
  })
  .catch((error) => {
    byId("enterprise-name").textContent = "检查详情";
    showMessage(message, errorMessage(error));
  });
