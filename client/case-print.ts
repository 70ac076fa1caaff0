import { api, errorMessage } from "./lib/api";
import { byId, formatTime, h, pathSegment, replaceChildren, showMessage } from "./lib/dom";
import { conclusionLines, type CaseDetail } from "./lib/case-types";

const id = pathSegment(2);

function tr(label: string, value: string) {
  return h("tr", {}, h("th", {}, label), h("td", {}, value));
}

async function main() {
  byId("print").addEventListener("click", () => window.print());
  try {
    const c = await api<CaseDetail>(`/api/cases/${encodeURIComponent(id)}`);
    const answers = c.answers
      .map((a, i) => `第 ${i + 1} 次（${formatTime(a.at)}，附件 ${a.attachments.length} 件）：\n${a.report}`)
      .join("\n\n");
    replaceChildren(
      byId("sheet"),
      h("h1", {}, "行政执法监督督办案件单"),
      h("p", { className: "muted" }, c.number),
      h(
        "table",
        {},
        tr("案件名称", c.title),
        tr("被督办部门", c.department.name),
        tr("级别", c.levelLabel),
        tr("情形", c.situations.join("、")),
        tr("涉及人员", c.officers.map((o) => o.name).join("、") || "—"),
        tr("立案时间", formatTime(c.openedAt)),
        tr("答复期限", `${c.answerDue}${c.overdue ? "（逾期）" : ""}`),
        tr("基本情况", c.facts || "—"),
        tr(
          "来源",
          c.sources.map((s) => (s.summary ? `${s.kindLabel}：${s.summary}` : s.kindLabel)).join("\n") ||
            "手工立案",
        ),
        tr("部门自查", answers || "尚未报送"),
        tr("状态", c.statusLabel),
        tr("办结结论", c.conclusionLabel ?? "未办结"),
        ...conclusionLines(c.conclusionDetail).map(([k, v]) => tr(k, v)),
        tr("办结时间", formatTime(c.closedAt) || "—"),
      ),
    );
  } catch (error) {
    showMessage(byId("message"), errorMessage(error));
  }
}

void main();
