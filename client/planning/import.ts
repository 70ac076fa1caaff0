import { errorMessage, readCookie } from "../lib/api";
import { h, replaceChildren, showMessage } from "../lib/dom";
import { message, state } from "./state";

interface ImportReport {
  imported?: number;
  refused?: { row: number; errors: string[] }[];
  error?: { message: string };
}

/** Sends the chosen file as the request body; all rows are imported or none. */
export async function importFile(file: File) {
  showMessage(message, `正在导入 ${file.name}…`, "info");
  const type = file.name.toLowerCase().endsWith(".xlsx")
    ? "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    : "text/csv";
  try {
    const response = await fetch("/api/planning/tasks/import", {
      method: "POST",
      headers: { "Content-Type": type, "X-CSRF-Token": readCookie("lianma_csrf") ?? "" },
      body: file,
      credentials: "same-origin",
    });
    const report = (await response.json().catch(() => ({}))) as ImportReport;
    if (response.ok) {
      showMessage(message, `已导入 ${report.imported ?? 0} 项计划任务。`, "ok");
      await state.refresh();
      return;
    }
    replaceChildren(
      message,
      report.error?.message ?? `导入失败（${response.status}）`,
      h(
        "ul",
        {},
        ...(report.refused ?? []).map((r) => h("li", {}, `第 ${r.row} 行：${r.errors.join("；")}`)),
      ),
    );
    message.className = "message message-error";
    message.hidden = false;
  } catch (error) {
    showMessage(message, errorMessage(error));
  }
}
