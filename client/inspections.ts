import { api, errorMessage } from "./lib/api";
import { byId, h, replaceChildren, showMessage } from "./lib/dom";
import { flagBadges, formatWindow, statusBadge, typeTag, type InspectionSummary } from "./lib/inspection-ui";
import { joinRequestItem, myConsent, type JoinRequest } from "./lib/join-requests";
import { adminPage } from "./lib/layout";
import type { User } from "./lib/types";

const message = byId("message");
const list = byId("list");
const loadMore = byId<HTMLButtonElement>("load-more");
const statusFilter = byId<HTMLSelectElement>("filter-status");
const mineFilter = byId<HTMLInputElement>("filter-mine");

interface Page {
  items: InspectionSummary[];
  nextCursor: string | null;
}

let me: User | null = null;
let cursor: string | null = null;
/** Bumped on every filter change, so a slow answer for old filters is dropped. */
let generation = 0;

function syncFiltersFromUrl() {
  const params = new URLSearchParams(location.search);
  statusFilter.value = params.get("status") ?? "";
  mineFilter.checked = params.get("mine") === "1";
}

function filterParams(): URLSearchParams {
  const params = new URLSearchParams();
  if (statusFilter.value) params.set("status", statusFilter.value);
  if (mineFilter.checked && me?.role === "officer") params.set("mine", "1");
  return params;
}

function card(s: InspectionSummary): HTMLElement {
  const lead = s.departments.find((d) => d.id === s.leadDepartmentId);
  const others = s.departments.filter((d) => d.id !== s.leadDepartmentId);
  return h(
    "li",
    { "data-inspection-id": s.id, "data-status": s.status },
    h(
      "a",
      { className: "insp-card", href: `/admin/inspections/${encodeURIComponent(s.id)}` },
      h(
        "div",
        { className: "insp-card-head" },
        h("span", { className: "insp-card-title" }, s.enterprise.name || "（企业已删除）"),
        statusBadge(s.status),
      ),
      h("div", { className: "insp-card-meta" }, typeTag(s.type), ...flagBadges(s)),
      h("div", { className: "insp-card-line" }, "计划时间：", formatWindow(s.plannedStart, s.plannedEnd)),
      h(
        "div",
        { className: "insp-card-line" },
        "检查部门：",
        lead ? `${lead.name}（牵头）` : "",
        others.length ? `、${others.map((d) => d.name).join("、")}` : "",
      ),
      h("div", { className: "insp-card-line muted small" }, "信用代码：", s.enterprise.creditCode),
    ),
  );
}

function emptyText(): string {
  if (statusFilter.value || mineFilter.checked) return "没有符合条件的检查。";
  if (me?.role === "officer" || me?.role === "dept_admin") return "还没有检查备案，点击“新建备案”开始。";
  return "还没有检查备案。";
}

async function load(append = false) {
  const mine = ++generation;
  const params = filterParams();
  if (append && cursor) params.set("cursor", cursor);
  loadMore.disabled = true;
  try {
    const page = await api<Page>(`/api/inspections?${params}`);
    if (mine !== generation) return;
    if (!append) replaceChildren(list);
    list.append(...page.items.map(card));
    if (!list.children.length) list.append(h("li", { className: "empty" }, emptyText()));
    cursor = page.nextCursor;
    loadMore.hidden = !cursor;
  } catch (error) {
    if (mine !== generation) return;
    if (!append) replaceChildren(list, h("li", { className: "empty" }, "加载失败"));
    showMessage(message, errorMessage(error));
  } finally {
    loadMore.disabled = false;
  }
}

/** Department administrators see the filings waiting for their decision before everything else. */
async function loadPending(user: User) {
  if (user.role !== "dept_admin") return;
  const { items } = await api<Page>("/api/inspections?status=filed&limit=100");
  // The most urgent first: the visit planned soonest.
  const waiting = items
    .filter((s) => s.leadDepartmentId === user.departmentId)
    .sort((a, b) => Date.parse(a.plannedStart) - Date.parse(b.plannedStart));
  byId("pending").hidden = waiting.length === 0;
  byId("pending-count").textContent = String(waiting.length);
  replaceChildren(byId("pending-list"), ...waiting.map(card));
}

/** Join requests waiting for this administrator's consent (R18), of either side. */
async function loadJoinRequests(user: User) {
  if (user.role !== "dept_admin") return;
  const { items } = await api<{ items: JoinRequest[] }>("/api/join-requests");
  const mine = items.filter((r) => myConsent(r, user) !== null);
  byId("join-pending").hidden = mine.length === 0;
  byId("join-pending-count").textContent = String(mine.length);
  const done = (text: string) => {
    showMessage(message, text, "ok");
    void Promise.all([load(), loadJoinRequests(user)]);
  };
  const fail = (text: string) => showMessage(message, text);
  replaceChildren(byId("join-pending-list"), ...mine.map((r) => joinRequestItem(r, user, done, fail, true)));
}

function onFilterChange() {
  const query = filterParams().toString();
  history.replaceState(null, "", `${location.pathname}${query ? `?${query}` : ""}`);
  cursor = null;
  void load();
}

statusFilter.addEventListener("change", onFilterChange);
mineFilter.addEventListener("change", onFilterChange);
loadMore.addEventListener("click", () => void load(true));

syncFiltersFromUrl();
adminPage()
  .then(async (user) => {
    me = user;
    const canFile = user.role === "officer" || user.role === "dept_admin";
    byId("new-filing").hidden = !canFile;
    byId("mine-toggle").hidden = user.role !== "officer";
    if (user.role !== "officer") mineFilter.checked = false;
    await Promise.all([load(), loadPending(user), loadJoinRequests(user)]);
  })
  .catch((error) => showMessage(message, errorMessage(error)));
