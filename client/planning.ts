// The joint inspection planning page: departments enter planned tasks; the coordinator sees the tasks
// that can share one visit (进一次门、查多项事) and merges them into one joint filing.
import { inputValue } from "./lib/local-time";
import { errorMessage } from "./lib/api";
import { byId, showMessage } from "./lib/dom";

import { adminPage } from "./lib/layout";
import {
  fillKinds,
  loadDepartments,
  loadItems,
  openDialog,
  saveTask,
  searchEnterprises,
} from "./planning/dialog";
import { importFile } from "./planning/import";
import { loadMatches } from "./planning/matches";
import {
  canWrite,
  coordinates,
  departmentSelect,
  enterpriseQuery,
  fromInput,
  message,
  state,
  toInput,
} from "./planning/state";
import { loadTasks } from "./planning/tasks";

const DAY_MS = 86_400_000;

async function refresh() {
  try {
    await Promise.all([loadTasks(), coordinates() ? loadMatches() : Promise.resolve()]);
  } catch (error) {
    showMessage(message, errorMessage(error));
  }
}

function defaultPeriod() {
  const today = Date.now();
  fromInput.value = inputValue(today).slice(0, 10);
  toInput.value = inputValue(today + 91 * DAY_MS).slice(0, 10);
}

async function start() {
  state.me = await adminPage();
  defaultPeriod();
  fillKinds();
  byId("new-task").hidden = !canWrite();
  byId("import-label").hidden = !canWrite();
  byId("import-help").hidden = !canWrite();
  const fileInput = byId<HTMLInputElement>("import-file");
  fileInput.addEventListener("change", () => {
    const file = fileInput.files?.[0];
    fileInput.value = "";
    if (file) void importFile(file);
  });
  byId("matching").hidden = !coordinates();
  if (state.me.role === "admin") await loadDepartments();
  byId("new-task").addEventListener("click", () => void openDialog(null));
  byId("period").addEventListener("submit", (event) => {
    event.preventDefault();
    message.hidden = true;
    void refresh();
  });
  let searchTimer: ReturnType<typeof setTimeout> | undefined;
  enterpriseQuery.addEventListener("input", () => {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(() => void searchEnterprises().catch(() => undefined), 250);
  });
  departmentSelect.addEventListener("change", () => void loadItems(departmentSelect.value, []));
  byId("task-form").addEventListener("submit", (event) => void saveTask(event));
  for (const button of document.querySelectorAll<HTMLButtonElement>("dialog [data-close]")) {
    button.addEventListener("click", () => button.closest("dialog")?.close());
  }
  await refresh();
}

state.refresh = refresh;
start().catch((error) => showMessage(message, errorMessage(error)));
