import { api, errorMessage } from "./lib/api";
import { h, replaceChildren, showMessage } from "./lib/dom";
import { adminPage } from "./lib/layout";
import { select } from "./alerts/detail";
import { loadList, renderList } from "./alerts/list";
import { connect, setLive } from "./alerts/live";
import { filters, list, loadMore, message, state } from "./alerts/state";
import type { Person } from "./alerts/types";

async function start() {
  state.me = await adminPage();
  if (state.me.role !== "admin" && state.me.role !== "supervisor") {
    replaceChildren(list, h("li", { className: "empty" }, "评价告警仅向司法局管理员和监督人员开放。"));
    setLive("down", "无权限");
    return;
  }
  for (const button of Array.from(filters.querySelectorAll<HTMLButtonElement>("button"))) {
    button.addEventListener("click", () => {
      state.filter = button.dataset.status ?? "";
      for (const b of Array.from(filters.querySelectorAll("button")))
        b.setAttribute("aria-pressed", String(b === button));
      void loadList();
    });
  }
  loadMore.addEventListener("click", () => void loadList(true));
  state.assignees = (await api<{ items: Person[] }>("/api/alerts/assignees")).items;
  await loadList();
  connect();
  // Waiting times in the list grow by themselves.
  setInterval(renderList, 60_000);
}

state.select = select;
start().catch((error) => showMessage(message, errorMessage(error)));
