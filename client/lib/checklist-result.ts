// What the enterprise reads about a visit, on the code page (/i/:code) and in its portal (/e): who
// inspects, and the registered checklist result. One list each, one set of labels.
import { h } from "./dom";

export interface ChecklistResultItem {
  name: string;
  legalBasis: string;
  result: "pass" | "fail" | "na" | "mixed";
  failures: { point: string; requirement: string; deadline: string; firstViolation?: string }[];
}

const RESULT_LABELS: Record<ChecklistResultItem["result"], string> = {
  pass: "合格",
  fail: "不合格",
  na: "不适用",
  mixed: "部分不合格",
};

/** One list item per inspected item: its result, legal basis, and each failed point's correction. */
export function checklistResultItems(items: ChecklistResultItem[]): HTMLElement[] {
  return items.map((item) =>
    h(
      "li",
      {},
      h(
        "div",
        { className: "person-head" },
        h("span", { className: "item-name" }, item.name),
        h("span", { className: `badge badge-${item.result}` }, RESULT_LABELS[item.result] ?? item.result),
      ),
      h("div", { className: "basis" }, `依据：${item.legalBasis}`),
      item.failures.length
        ? h(
            "ul",
            { className: "failures" },
            ...item.failures.map((f) =>
              h(
                "li",
                {},
                h("strong", {}, f.point),
                h("div", {}, `整改要求：${f.requirement || "—"}`),
                f.deadline ? h("div", { className: "deadline" }, `整改期限：${f.deadline}`) : null,
                f.firstViolation ? h("div", { className: "first-violation" }, f.firstViolation) : null,
              ),
            ),
          )
        : null,
    ),
  );
}

export interface InspectingOfficer {
  name: string;
  department: string;
  isHelper: boolean;
  credentialNo?: string | null;
  credentialValid?: boolean;
}

/** One list item per person on the visit: name, credential and whether it is in force; helpers marked. */
export function officerItems(list: InspectingOfficer[], validLabel: string): HTMLElement[] {
  return list.map((o) =>
    h(
      "li",
      {},
      h(
        "div",
        { className: "person-head" },
        h("span", { className: "person-name" }, o.name),
        o.isHelper
          ? h("span", { className: "badge" }, "辅助人员")
          : o.credentialValid
            ? h("span", { className: "badge badge-valid" }, validLabel)
            : h("span", { className: "badge badge-invalid" }, "✗ 证件无效"),
      ),
      h("div", { className: "muted small" }, o.department),
      o.isHelper
        ? null
        : h("div", {}, "执法证号：", h("span", { className: "credential" }, o.credentialNo ?? "—")),
    ),
  );
}
