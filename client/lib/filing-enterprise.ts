// The enterprise section of the filing form: search the directory, pick one, change it.
import { api, errorMessage } from "./api";
import { h, replaceChildren } from "./dom";

export interface Enterprise {
  id: string;
  creditCode: string;
  name: string;
  address: string;
  district: string;
  industry: string;
  creditGrade: string;
  riskLevel: string;
}

const RISK_LABELS: Record<string, string> = { low: "低风险", medium: "中风险", high: "高风险" };
const line = (parts: string[]) => parts.filter(Boolean).join(" · ");

function facts(e: Enterprise): HTMLElement {
  return h(
    "div",
    {},
    h("div", { className: "chosen-name" }, e.name),
    h("div", { className: "small" }, "统一社会信用代码：", h("span", { className: "mono" }, e.creditCode)),
    h("div", { className: "small muted" }, [e.district, e.address].filter(Boolean).join(" ") || "—"),
    h(
      "div",
      { className: "small muted" },
      line([e.industry, `信用等级 ${e.creditGrade}`, RISK_LABELS[e.riskLevel] ?? e.riskLevel]),
    ),
  );
}

interface PickerElements {
  search: HTMLInputElement;
  results: HTMLElement;
  /** Holds the search box; hidden once an enterprise is chosen. */
  picker: HTMLElement;
  chosen: HTMLElement;
}

/** Wires the search box (debounced GET /api/enterprises?q=) and the chosen card; `onChange` on a pick. */
export function enterprisePicker(els: PickerElements, onChange: () => void) {
  let current: Enterprise | null = null;
  let timer: number | undefined;
  let serial = 0;

  function choose(e: Enterprise | null) {
    current = e;
    els.picker.hidden = e !== null;
    els.chosen.hidden = e === null;
    replaceChildren(els.results);
    if (!e) return;
    const change = h(
      "button",
      { type: "button", className: "small-button", id: "enterprise-change" },
      "更换",
    );
    change.addEventListener("click", () => {
      choose(null);
      els.search.focus();
      onChange();
    });
    replaceChildren(els.chosen, facts(e), change);
  }

  function result(e: Enterprise): HTMLElement {
    const button = h(
      "button",
      { type: "button", className: "pick", "data-enterprise-id": e.id },
      h("span", { className: "pick-title" }, e.name),
      h("span", { className: "pick-sub mono" }, e.creditCode),
      h("span", { className: "pick-sub" }, line([e.district, e.industry, `信用 ${e.creditGrade}`])),
    );
    button.addEventListener("click", () => {
      choose(e);
      onChange();
    });
    return h("li", {}, button);
  }

  async function run() {
    const q = els.search.value.trim();
    const mine = ++serial;
    if (q.length < 2) {
      replaceChildren(els.results, q ? h("li", { className: "muted small" }, "请至少输入 2 个字") : null);
      return;
    }
    try {
      const page = await api<{ items: Enterprise[] }>(`/api/enterprises?q=${encodeURIComponent(q)}&limit=20`);
      if (mine !== serial) return;
      replaceChildren(
        els.results,
        ...(page.items.length
          ? page.items.map(result)
          : [h("li", { className: "muted small" }, "企业名录中没有找到，请核对名称或信用代码。")]),
      );
    } catch (error) {
      if (mine === serial) {
        replaceChildren(els.results, h("li", { className: "message message-error" }, errorMessage(error)));
      }
    }
  }

  els.search.addEventListener("input", () => {
    window.clearTimeout(timer);
    timer = window.setTimeout(() => void run(), 250);
  });
  els.search.addEventListener("keydown", (event) => {
    if (event.key !== "Enter") return;
    event.preventDefault();
    window.clearTimeout(timer);
    void run();
  });
  return { get: () => current, set: choose };
}
