// The items section of the filing form: the department's catalog (清单之外无检查) and the legal basis.
import { h, replaceChildren } from "./dom";

export interface CatalogItem {
  id: string;
  code: string;
  name: string;
  legalBasis: string;
  method: string;
  checklistForm: { id: string; title: string; publishedVersion: number | null } | null;
}

/** The legal basis the server would derive: each chosen item's basis once, in order (rules.ts). */
export function basisFromItems(items: CatalogItem[], ids: string[]): string {
  const bases = ids.map((id) => items.find((i) => i.id === id)?.legalBasis.trim() ?? "").filter(Boolean);
  return [...new Set(bases)].join("；");
}

function itemRow(item: CatalogItem, checked: boolean): HTMLElement {
  const box = h("input", { type: "checkbox", value: item.id });
  box.checked = checked;
  const published = item.checklistForm?.publishedVersion != null;
  return h(
    "li",
    { "data-item-id": item.id },
    h(
      "label",
      { className: "check-row" },
      box,
      h(
        "span",
        { className: "check-body" },
        h(
          "span",
          { className: "check-title" },
          h("span", { className: "mono code" }, item.code),
          " ",
          item.name,
        ),
        h("span", { className: "check-sub" }, `检查依据：${item.legalBasis}`),
        h(
          "span",
          { className: `check-sub ${published ? "" : "tone-warn"}` },
          `检查方式：${item.method}`,
          published ? "" : " · 检查表尚未发布，现场将无法生成检查表",
        ),
      ),
    ),
  );
}

export function renderItems(list: HTMLElement, items: CatalogItem[], selected: Set<string>): void {
  if (items.length === 0) {
    replaceChildren(list, h("li", { className: "empty" }, "本部门的检查事项清单为空，暂不能备案。"));
    return;
  }
  replaceChildren(list, ...items.map((item) => itemRow(item, selected.has(item.id))));
}
