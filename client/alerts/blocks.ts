import { ALERT_EVENT_LABELS } from "../../src/alerts/labels";
import { COMPLAINT_KIND_LABELS } from "../../src/enterprise/labels";
import { formatTime, h } from "../lib/dom";
import { duration } from "./list";
import type { AlertDetail } from "./types";

const COMPLAINT_KINDS: Record<string, string> = COMPLAINT_KIND_LABELS;
const EVENT_LABELS: Record<string, string> = ALERT_EVENT_LABELS;

export function field(label: string, value: string | Node) {
  return [h("dt", {}, label), h("dd", {}, value)];
}

export function timesBlock(a: AlertDetail) {
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

export function inspectionBlock(a: AlertDetail) {
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

/** What the source of the alert says: the evaluation's answers, the complaint, or the missed registration. */
export function sourceBlock(a: AlertDetail) {
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

export function answersBlock(a: AlertDetail) {
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

export function historyBlock(a: AlertDetail) {
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
