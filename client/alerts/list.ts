import { api, errorMessage } from "../lib/api";
import { formatTime, h, replaceChildren, showMessage } from "../lib/dom";
import { list, loadMore, message, state } from "./state";
import type { AlertItem } from "./types";

const RANK: Record<AlertItem["status"], number> = { open: 0, assigned: 1, closed: 2 };

/** "3 天 2 小时", "5 小时 12 分", "8 分钟", "不到 1 分钟". */
export function duration(ms: number | null): string {
  if (ms === null) return "—";
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 1) return "不到 1 分钟";
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  if (days > 0) return `${days} 天${hours ? ` ${hours} 小时` : ""}`;
  if (hours > 0) return `${hours} 小时${minutes % 60 ? ` ${minutes % 60} 分` : ""}`;
  return `${minutes} 分钟`;
}

export function matchesFilter(a: AlertItem): boolean {
  if (state.filter === "active") return a.status !== "closed";
  return state.filter === "" || a.status === state.filter;
}

export function sortItems() {
  state.items.sort(
    (a, b) =>
      RANK[a.status] - RANK[b.status] || b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id),
  );
}

export function card(a: AlertItem): HTMLElement {
  const open = a.status === "closed" ? null : Date.now() - Date.parse(a.createdAt);
  const element = h(
    "button",
    {
      type: "button",
      className: `alert-card status-${a.status}${state.fresh.has(a.id) ? " state.fresh" : ""}`,
      "aria-current": a.id === state.selected ? "true" : "false",
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
  element.addEventListener("click", () => void state.select(a.id));
  return element;
}

export function renderList() {
  const shown = state.items.filter(matchesFilter);
  if (shown.length === 0) {
    replaceChildren(
      list,
      h("li", { className: "empty" }, state.filter === "active" ? "没有未办结的告警。" : "没有告警。"),
    );
  } else {
    replaceChildren(list, ...shown.map((a) => h("li", {}, card(a))));
  }
  loadMore.hidden = state.nextCursor === null;
}

export async function loadList(append = false) {
  const params = new URLSearchParams({ limit: "50" });
  if (state.filter) params.set("status", state.filter);
  if (append && state.nextCursor) params.set("cursor", state.nextCursor);
  try {
    const page = await api<{ items: AlertItem[]; nextCursor: string | null }>(`/api/alerts?${params}`);
    state.items = append
      ? [...state.items, ...page.items.filter((a) => !state.items.some((b) => b.id === a.id))]
      : page.items;
    state.nextCursor = page.nextCursor;
    sortItems();
    renderList();
    showMessage(message, "");
  } catch (error) {
    showMessage(message, `告警列表加载失败：${errorMessage(error)}`);
  }
}

export function upsert(a: AlertItem, isNew: boolean) {
  const index = state.items.findIndex((b) => b.id === a.id);
  if (index >= 0) state.items[index] = a;
  else if (matchesFilter(a)) state.items.unshift(a);
  if (isNew) {
    state.fresh.add(a.id);
    setTimeout(() => state.fresh.delete(a.id), 6000);
  }
  sortItems();
  renderList();
}
