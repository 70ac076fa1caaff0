import { ALERT_STATUS_LABELS } from "../../src/alerts/labels";
import { COMPLAINT_STATUS_LABELS } from "../../src/enterprise/labels";
import { api, errorMessage } from "../lib/api";
import { byId, h, replaceChildren, showMessage } from "../lib/dom";
import { localDay } from "../lib/local-time";
import { short } from "./format";
import { state } from "./state";
import type { Drill, DrillComplaint, DrillGroup, DrillRow } from "./types";

const ALERT_LABELS: Record<string, string> = ALERT_STATUS_LABELS;
const COMPLAINT_LABELS: Record<string, string> = COMPLAINT_STATUS_LABELS;

/** The current filters as a query string (also kept in the address bar, so a reload keeps them). */
export function scopeQuery(): string {
  const q = new URLSearchParams();
  q.set("from", byId<HTMLInputElement>("from").value);
  q.set("to", byId<HTMLInputElement>("to").value);
  const dept = byId<HTMLSelectElement>("department").value;
  const district = byId<HTMLSelectElement>("district").value;
  if (dept) q.set("departmentId", dept);
  if (district) q.set("district", district);
  return q.toString();
}

/** A link that opens the list of records behind a number. */
export function drillLink(text: string, title: string, params: Record<string, string>): HTMLAnchorElement {
  return h(
    "a",
    {
      href: "#drill",
      className: "drill-link",
      "data-metric": params.metric ?? "",
      onclick: (e: Event) => {
        e.preventDefault();
        void openDrill(title, params);
      },
    },
    text,
  );
}

export function kpi(
  label: string,
  value: string,
  drill: Record<string, string> | null,
  sub = "",
  warn = false,
) {
  const body = [
    h("span", { className: "label" }, label),
    h("span", { className: "value" }, value),
    sub ? h("span", { className: "sub" }, sub) : null,
  ];
  if (!drill) return h("div", { className: `kpi${warn ? " warn" : ""}` }, ...body);
  return h(
    "button",
    {
      type: "button",
      className: `kpi${warn ? " warn" : ""}`,
      "data-metric": drill.metric ?? "",
      title: "查看明细",
      onclick: () => void openDrill(label, drill),
    },
    ...body,
  );
}

function drillRow(r: DrillRow): (Node | string)[] {
  const flags = [r.joint ? "联合" : "", r.offSite ? "非现场" : "", r.late ? "补办" : ""].filter(Boolean);
  const extra = r.action
    ? `${r.item?.code ?? ""} ${r.action.statusLabel}，期限 ${r.action.deadline}${r.action.firstViolation === "first" ? "（首违）" : ""}`
    : r.item
      ? `${r.item.code}`
      : r.evaluation
        ? `评分 ${r.evaluation.score ?? "—"}${r.evaluation.negative ? "（负面）" : ""}`
        : r.alert
          ? (ALERT_LABELS[r.alert.status] ?? r.alert.status)
          : r.cancelled
            ? `撤回：${r.cancelled.reason}`
            : r.lateDays !== undefined
              ? `检查后 ${r.lateDays} 天备案`
              : "";
  const time = localDay(r.plannedStart);
  return [
    time,
    h("span", {}, r.enterprise.name, ...flags.map((f) => h("span", { className: "flag" }, f))),
    r.district,
    short(r.department.name),
    r.typeLabel,
    r.statusLabel,
    extra,
    h(
      "a",
      { href: r.alert ? "/admin/alerts" : `/admin/inspections/${encodeURIComponent(r.inspectionId)}` },
      "查看",
    ),
  ];
}

function complaintRow(c: DrillComplaint): (Node | string)[] {
  return [
    localDay(c.createdAt),
    h(
      "span",
      {},
      c.enterprise.name,
      ...(c.unfiledVisit ? [h("span", { className: "flag" }, "未备案入企")] : []),
    ),
    c.district,
    short(c.department.name),
    c.kindLabel,
    COMPLAINT_LABELS[c.status] ?? c.status,
    `${c.receiptNo}：${c.text.length > 40 ? `${c.text.slice(0, 40)}…` : c.text}`,
    h("a", { href: "/admin/alerts" }, "查看"),
  ];
}

function groupRow(g: DrillGroup): (Node | string)[] {
  return [
    String(g.year),
    g.enterprise.name,
    g.district,
    short(g.department.name),
    `备案 ${g.filings}`,
    `实施 ${g.visits}`,
    "",
    "",
  ];
}

export async function loadDrillPage(append: boolean) {
  const page = await api<Drill>(
    `/api/dashboard/records?${state.drill.query}${state.drill.cursor ? `&cursor=${encodeURIComponent(state.drill.cursor)}` : ""}`,
  );
  const rows = [
    ...page.items.map(drillRow),
    ...(page.groups ?? []).map(groupRow),
    ...(page.complaints ?? []).map(complaintRow),
  ];
  const body = byId("drill-table").querySelector("tbody")!;
  if (!append) body.replaceChildren();
  for (const r of rows) body.append(h("tr", {}, ...r.map((c) => h("td", {}, c))));
  if (!append && rows.length === 0)
    body.append(h("tr", {}, h("td", { colspan: "8", className: "muted" }, "没有记录")));
  state.drill.cursor = page.nextCursor;
  byId("drill-more").hidden = !state.drill.cursor;
}

export async function openDrill(title: string, params: Record<string, string>) {
  const q = new URLSearchParams(scopeQuery());
  for (const [k, v] of Object.entries(params)) q.set(k, v);
  q.set("limit", "50");
  state.drill.query = q.toString();
  state.drill.cursor = null;
  const box = byId("drill");
  box.hidden = false;
  byId("drill-heading").textContent = `明细：${title}`;
  replaceChildren(
    byId("drill-table"),
    h(
      "thead",
      {},
      h(
        "tr",
        {},
        ...(params.metric === "complaints" || params.metric === "unfiled_visit_complaints"
          ? ["收到日期", "企业", "区县", "被投诉部门", "投诉类型", "状态", "回执号与内容", ""]
          : ["计划检查日期", "企业", "区县", "部门", "类型", "状态", "", ""]
        ).map((c) => h("th", {}, c)),
      ),
    ),
    h("tbody", {}),
  );
  try {
    await loadDrillPage(false);
    box.scrollTop = 0;
  } catch (error) {
    showMessage(state.message, errorMessage(error));
  }
}
