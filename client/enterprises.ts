import { creditCodeProblem } from "../src/directory/uscc";
import { api, errorMessage, readCookie } from "./lib/api";
import { errorWithDetails } from "./lib/details";
import { byId, h, replaceChildren, showMessage } from "./lib/dom";
import { auditLink } from "./lib/audit-link";
import { adminPage } from "./lib/layout";
import type { User } from "./lib/types";

type Grade = "A" | "B" | "C" | "D";
type Risk = "low" | "medium" | "high";

interface Enterprise {
  id: string;
  creditCode: string;
  name: string;
  address: string;
  district: string;
  industry: string;
  legalRepresentative: string;
  contact: string;
  contactPhone: string | null;
  creditGrade: Grade;
  riskLevel: Risk;
}

interface ImportReport {
  dryRun: boolean;
  total: number;
  valid: number;
  imported: number;
  ignoredColumns: string[];
  refused: { row: number; creditCode: string; errors: string[] }[];
  error?: { code: string; message: string };
}

const riskLabels: Record<Risk, string> = { low: "低", medium: "中", high: "高" };
const riskClass: Record<Risk, string> = {
  low: "badge-published",
  medium: "badge-draft",
  high: "badge-disabled",
};
const gradeClass: Record<Grade, string> = {
  A: "badge-published",
  B: "badge-archived",
  C: "badge-draft",
  D: "badge-disabled",
};
const XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

const message = byId("message");
const body = byId("enterprises-body");
const loadMore = byId<HTMLButtonElement>("load-more");
const filters = byId<HTMLFormElement>("filters");

const dialog = byId<HTMLDialogElement>("enterprise-dialog");
const form = byId<HTMLFormElement>("enterprise-form");
const formMessage = byId("enterprise-message");
const codeInput = byId<HTMLInputElement>("enterprise-code");
const codeHint = byId("code-hint");

const importCard = byId("import-card");
const importToggle = byId<HTMLButtonElement>("toggle-import");
const importFile = byId<HTMLInputElement>("import-file");
const importMessage = byId("import-message");
const importReport = byId<HTMLTableElement>("import-report");
const importReportBody = byId("import-report-body");

let me: User | null = null;
let nextCursor: string | null = null;
let editing: Enterprise | null = null;

const canWrite = () => me?.role === "admin" || me?.role === "dept_admin";
const value = (id: string) => byId<HTMLInputElement | HTMLSelectElement>(id).value.trim();

function filterQuery(): URLSearchParams {
  const params = new URLSearchParams();
  const pairs: [string, string][] = [
    ["q", "filter-q"],
    ["district", "filter-district"],
    ["industry", "filter-industry"],
    ["creditGrade", "filter-grade"],
    ["riskLevel", "filter-risk"],
  ];
  for (const [name, id] of pairs) if (value(id)) params.set(name, value(id));
  return params;
}

function row(e: Enterprise): HTMLTableRowElement {
  const edit = canWrite() ? h("button", { type: "button", className: "small-button" }, "编辑") : null;
  edit?.addEventListener("click", () => openDialog(e));
  // The administrator prints activation letters for enterprises to sign in to the portal (/e).
  const letter =
    me?.role === "admin"
      ? h(
          "a",
          {
            className: "button small-button",
            href: `/admin/enterprises/letters?enterprise=${encodeURIComponent(e.id)}`,
          },
          "激活函",
        )
      : null;
  return h(
    "tr",
    { "data-enterprise-id": e.id },
    h("td", { className: "title-cell" }, e.name),
    h("td", { "data-label": "信用代码", className: "mono" }, e.creditCode),
    h("td", { "data-label": "区县" }, e.district || "—"),
    h("td", { "data-label": "行业" }, e.industry || "—"),
    h("td", { "data-label": "法定代表人" }, e.legalRepresentative || "—"),
    h(
      "td",
      { "data-label": "信用" },
      h("span", { className: `badge ${gradeClass[e.creditGrade]}` }, `${e.creditGrade} 级`),
    ),
    h(
      "td",
      { "data-label": "风险" },
      h("span", { className: `badge ${riskClass[e.riskLevel]}` }, riskLabels[e.riskLevel]),
    ),
    h(
      "td",
      {},
      h(
        "div",
        { className: "actions" },
        edit,
        letter,
        // An enterprise's lines are the bureau's: a department administrator's log leaves them out.
        auditLink(me?.role === "dept_admin" ? undefined : me?.role, "enterprise", e.id),
      ),
    ),
  );
}

async function load(append = false) {
  const params = filterQuery();
  params.set("limit", "50");
  if (append && nextCursor) params.set("cursor", nextCursor);
  loadMore.disabled = true;
  try {
    const page = await api<{ items: Enterprise[]; nextCursor: string | null }>(`/api/enterprises?${params}`);
    nextCursor = page.nextCursor;
    const rows = page.items.map(row);
    if (append) body.append(...rows);
    else if (rows.length === 0) {
      const hint = filterQuery().toString()
        ? "没有符合条件的企业。"
        : "企业名录还是空的，可以新增或批量导入。";
      replaceChildren(body, h("tr", {}, h("td", { colspan: 8, className: "empty" }, hint)));
    } else replaceChildren(body, ...rows);
    loadMore.hidden = nextCursor === null;
  } catch (error) {
    showMessage(message, errorMessage(error));
  } finally {
    loadMore.disabled = false;
  }
}

function checkCode() {
  const code = codeInput.value.trim().toUpperCase();
  if (code === "") {
    codeHint.textContent = "";
    return true;
  }
  const problem = code.length < 18 ? `还差 ${18 - code.length} 位` : creditCodeProblem(code);
  codeHint.textContent = problem ?? "✓ 校验位正确";
  codeHint.className = `code-hint ${problem ? "code-bad" : "code-ok"}`;
  return problem === null;
}

function openDialog(e: Enterprise | null) {
  editing = e;
  form.reset();
  showMessage(formMessage, "");
  byId("enterprise-heading").textContent = e ? "编辑企业" : "新增企业";
  const set = (id: string, v: string) => (byId<HTMLInputElement | HTMLSelectElement>(id).value = v);
  set("enterprise-code", e?.creditCode ?? "");
  set("enterprise-name", e?.name ?? "");
  set("enterprise-address", e?.address ?? "");
  set("enterprise-district", e?.district ?? "");
  set("enterprise-industry", e?.industry ?? "");
  set("enterprise-legal", e?.legalRepresentative ?? "");
  set("enterprise-contact", e?.contact ?? "");
  set("enterprise-phone", e?.contactPhone ?? "");
  byId("enterprise-phone-field").hidden = me?.role !== "admin";
  set("enterprise-grade", e?.creditGrade ?? "B");
  set("enterprise-risk", e?.riskLevel ?? "medium");
  // The grades set every department's sampling ratio: only the system administrator changes them.
  for (const id of ["enterprise-grade", "enterprise-risk"]) {
    const select = byId<HTMLSelectElement>(id);
    // A department administrator's new enterprise starts at B / medium; the administrator grades it.
    select.disabled = me?.role !== "admin";
    select.title = select.disabled ? "信用等级和风险等级由系统管理员设定" : "";
  }
  checkCode();
  dialog.showModal();
}

codeInput.addEventListener("input", checkCode);

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const code = codeInput.value.trim().toUpperCase();
  const problem = creditCodeProblem(code);
  if (problem) {
    showMessage(formMessage, problem);
    return;
  }
  const payload: Record<string, string> = {
    creditCode: code,
    name: value("enterprise-name"),
    address: value("enterprise-address"),
    district: value("enterprise-district"),
    industry: value("enterprise-industry"),
    legalRepresentative: value("enterprise-legal"),
    contact: value("enterprise-contact"),
    // Only the administrator may set it; others leave it out (the server refuses it from them).
    ...(me?.role === "admin" ? { contactPhone: value("enterprise-phone") } : {}),
    creditGrade: value("enterprise-grade"),
    riskLevel: value("enterprise-risk"),
  };
  const regraded =
    editing && (payload.creditGrade !== editing.creditGrade || payload.riskLevel !== editing.riskLevel);
  if (regraded) {
    const reason = window
      .prompt("修改信用等级或风险等级会改变各部门对该企业的抽查比例，请填写理由：")
      ?.trim();
    if (!reason) {
      showMessage(formMessage, "修改信用等级或风险等级必须填写理由。");
      return;
    }
    payload.reason = reason;
  }
  const submit = byId<HTMLButtonElement>("enterprise-submit");
  submit.disabled = true;
  try {
    if (editing)
      await api(`/api/enterprises/${encodeURIComponent(editing.id)}`, { method: "PATCH", body: payload });
    else await api("/api/enterprises", { method: "POST", body: payload });
    dialog.close();
    showMessage(message, `已保存“${payload.name}”。`, "ok");
    await load();
  } catch (error) {
    replaceChildren(formMessage, errorWithDetails(error));
    formMessage.className = "message message-error";
    formMessage.hidden = false;
  } finally {
    submit.disabled = false;
  }
});

function fileType(file: File): string | null {
  const name = file.name.toLowerCase();
  if (name.endsWith(".csv")) return "text/csv";
  if (name.endsWith(".xlsx")) return XLSX_TYPE;
  return null;
}

function showReport(report: ImportReport | null) {
  importReport.hidden = !report || report.refused.length === 0;
  if (!report) return;
  replaceChildren(
    importReportBody,
    ...report.refused.map((r) =>
      h(
        "tr",
        {},
        h("td", { className: "title-cell" }, `第 ${r.row} 行`),
        h("td", { "data-label": "信用代码", className: "mono" }, r.creditCode || "（空）"),
        h(
          "td",
          { "data-label": "问题" },
          h("ul", { className: "problems" }, ...r.errors.map((e) => h("li", {}, e))),
        ),
      ),
    ),
  );
}

async function runImport(dryRun: boolean) {
  const file = importFile.files?.[0];
  showReport(null);
  if (!file) {
    showMessage(importMessage, "请先选择要导入的 CSV 或 Excel（.xlsx）文件。");
    return;
  }
  const type = fileType(file);
  if (!type) {
    showMessage(importMessage, "只支持 .csv 和 .xlsx 文件；旧版 .xls 请在 Excel 中另存为 .xlsx。");
    return;
  }
  if (!dryRun && !window.confirm(`将“${file.name}”导入企业名录？`)) return;
  const buttons = [byId<HTMLButtonElement>("import-check"), byId<HTMLButtonElement>("import-run")];
  for (const b of buttons) b.disabled = true;
  showMessage(importMessage, dryRun ? "正在预检…" : "正在导入…", "info");
  try {
    const headers: Record<string, string> = { "Content-Type": type, Accept: "application/json" };
    const csrf = readCookie("lianma_csrf");
    if (csrf) headers["X-CSRF-Token"] = csrf;
    const response = await fetch(`/api/enterprises/import${dryRun ? "?dryRun=1" : ""}`, {
      method: "POST",
      headers,
      body: file,
      credentials: "same-origin",
    });
    const report = (await response.json().catch(() => null)) as ImportReport | null;
    const ignored = report?.ignoredColumns?.length
      ? `\n未识别的列已忽略：${report.ignoredColumns.join("、")}`
      : "";
    if (response.status === 201 && report) {
      showMessage(importMessage, `导入完成：共 ${report.imported} 家企业已加入名录。${ignored}`, "ok");
      importFile.value = "";
      await load();
    } else if (response.status === 200 && report) {
      showMessage(importMessage, `预检通过：${report.total} 行全部可以导入（尚未写入）。${ignored}`, "ok");
    } else if (response.status === 422 && report?.refused?.length) {
      const lead = dryRun ? "预检未通过" : "未导入任何数据";
      showMessage(
        importMessage,
        `${lead}：共 ${report.total} 行，${report.refused.length} 行有问题（见下表），${report.valid} 行无误。请修改文件后重新上传。${ignored}`,
      );
      showReport(report);
    } else {
      showMessage(importMessage, report?.error?.message ?? `导入失败（${response.status}）`);
    }
  } catch (error) {
    showMessage(importMessage, errorMessage(error));
  } finally {
    for (const b of buttons) b.disabled = false;
  }
}

byId("import-check").addEventListener("click", () => void runImport(true));
byId("import-run").addEventListener("click", () => void runImport(false));
importToggle.addEventListener("click", () => {
  importCard.hidden = !importCard.hidden;
  importToggle.setAttribute("aria-expanded", String(!importCard.hidden));
});
filters.addEventListener("submit", (event) => {
  event.preventDefault();
  void load();
});
for (const id of ["filter-grade", "filter-risk"]) byId(id).addEventListener("change", () => void load());
loadMore.addEventListener("click", () => void load(true));
byId("new-enterprise").addEventListener("click", () => openDialog(null));
for (const button of document.querySelectorAll<HTMLButtonElement>("dialog [data-close]")) {
  button.addEventListener("click", () => button.closest("dialog")?.close());
}

async function start() {
  me = await adminPage();
  byId("new-enterprise").hidden = !canWrite();
  importToggle.hidden = !canWrite();
  await load();
}

start().catch((error) => showMessage(message, errorMessage(error)));
