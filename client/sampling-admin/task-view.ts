import { FILING_LABELS, percent, RISK_LABELS } from "../../src/sampling/labels";
import { formatTime, h } from "../lib/dom";
import type { Task } from "./types";

export function facts(task: Task): HTMLElement[] {
  const row = (label: string, value: Node | string) => [h("dt", {}, label), h("dd", {}, value)];
  const f = task.filters;
  return [
    ...row("部门", task.departments.map((d) => d.name).join("、")),
    ...row("检查事项", task.items.map((i) => `${i.code} ${i.name}`).join("；")),
    ...row("期间", `${task.periodFrom} 至 ${task.periodTo}`),
    ...row(
      "范围",
      [
        f.districts.length ? `区县：${f.districts.join("、")}` : "全部区县",
        f.industries.length ? `行业：${f.industries.join("、")}` : "全部行业",
        f.riskLevels.length
          ? `风险：${f.riskLevels.map((r) => RISK_LABELS[r] ?? r).join("、")}`
          : "全部风险等级",
      ].join("；"),
    ),
    ...row(
      "比例",
      (["A", "B", "C", "D"] as const).map((g) => `${g} ${percent(task.ratios[g] ?? 0)}`).join("　"),
    ),
    ...row("每户执法人员", `${task.inspectorsPerEnterprise} 名`),
    ...row("触发名单", task.triggeredCreditCodes.join("、") || "无"),
    ...row("执法人员库", task.officerPool === null ? "冻结时确定" : `${task.officerPool} 名`),
    ...row("快照哈希", h("span", { className: "hash" }, task.snapshotHash ?? "—")),
    ...row("承诺值 sha256(种子)", h("span", { className: "hash" }, task.commitment ?? "—")),
    ...row("承诺公布时间", formatTime(task.committedAt)),
    ...row("随机种子", h("span", { className: "hash" }, task.seed ?? (task.commitment ? "公示时公开" : "—"))),
  ];
}

export function gradeTable(task: Task) {
  if (!task.grades) return null;
  return h(
    "table",
    { className: "list grades" },
    h(
      "thead",
      {},
      h(
        "tr",
        {},
        ...["信用等级", "范围内企业", "触发纳入", "参与抽取", "比例", "抽中"].map((t) => h("th", {}, t)),
      ),
    ),
    h(
      "tbody",
      {},
      ...task.grades.map((g) =>
        h(
          "tr",
          {},
          h("td", {}, g.grade),
          h("td", {}, g.population),
          h("td", {}, g.triggered),
          h("td", {}, g.pool),
          h("td", {}, percent(g.ratioBp / 100)),
          h("td", {}, g.drawn),
        ),
      ),
    ),
  );
}

export function outcomeTable(task: Task) {
  if (!task.outcome) return null;
  return h(
    "div",
    { className: "table-scroll" },
    h(
      "table",
      { className: "list", id: "outcome-table" },
      h(
        "thead",
        {},
        h("tr", {}, ...["企业", "统一社会信用代码", "等级", "执法人员", "备案"].map((t) => h("th", {}, t))),
      ),
      h(
        "tbody",
        {},
        ...task.outcome.map((o) => {
          const label = o.filing ? FILING_LABELS[o.filing.outcome] : null;
          return h(
            "tr",
            {},
            h(
              "td",
              {},
              o.enterpriseName,
              o.triggered ? h("span", { className: "muted small" }, "（触发纳入）") : null,
            ),
            h("td", { className: "uscc" }, o.creditCode),
            h("td", {}, o.grade),
            h(
              "td",
              {},
              o.staffed
                ? o.officers.map((p) => `${p.name}（${p.credentialNo}）`).join("、")
                : h("span", { className: "outcome-badge bad" }, `无法配齐：可用 ${o.eligibleOfficers} 名`),
            ),
            h(
              "td",
              {},
              label
                ? h(
                    "span",
                    { className: `outcome-badge ${label.tone}`, title: o.filing!.message },
                    label.text,
                  )
                : "—",
              o.filing?.inspectionId
                ? h("a", { href: `/admin/inspections/${o.filing.inspectionId}` }, " 查看")
                : null,
              o.filing?.conflictInspectionId
                ? h("a", { href: `/admin/inspections/${o.filing.conflictInspectionId}` }, " 已有检查")
                : null,
            ),
          );
        }),
      ),
    ),
  );
}
