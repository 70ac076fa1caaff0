// The officers section of the filing form: who may go on this visit, and the live inspector count.
import { inputValue } from "./local-time";
import { h, replaceChildren } from "./dom";
import { keepTogether } from "./inspection-ui";

export interface Officer {
  id: string;
  departmentName: string;
  userId: string | null;
  name: string;
  isHelper: boolean;
  credentialNo: string | null;
  credentialIssuedOn: string | null;
  credentialExpiresOn: string | null;
  status: "active" | "suspended" | "retired" | "revoked";
}

interface Standing {
  selectable: boolean;
  /** Counts towards the two credentialed inspectors (R2). */
  counts: boolean;
  text: string;
  tone: "ok" | "warn" | "bad" | "helper";
}

/** The planned visit as local dates (YYYY-MM-DD), both inclusive. */
export interface VisitDays {
  startDay: string;
  endDay: string;
}

const refused = (text: string): Standing => ({ selectable: false, counts: false, text, tone: "bad" });

/** Whether an officer can go on this visit: the credential must hold on every day of the window (R1). */
export function standing(o: Officer, days: VisitDays | null): Standing {
  if (o.isHelper) {
    return {
      selectable: o.status === "active",
      counts: false,
      text: "辅助人员 · 不计入人数",
      tone: "helper",
    };
  }
  const no = o.credentialNo ? `执法证 ${o.credentialNo}` : "无执法证";
  if (o.status === "suspended") return refused(`${no} · 已暂停执法资格`);
  if (o.status !== "active") return refused(`${no} · 已离岗`);
  if (!o.credentialNo || !o.credentialIssuedOn || !o.credentialExpiresOn) return refused("无有效执法证");
  const today = inputValue(Date.now()).slice(0, 10);
  const startDay = days?.startDay ?? today;
  const endDay = days?.endDay ?? today;
  if (o.credentialIssuedOn > startDay) return refused(`${no} · ${o.credentialIssuedOn} 起生效`);
  if (o.credentialExpiresOn < endDay) {
    const when = o.credentialExpiresOn < today ? "已于" : "将于";
    return refused(`${no} · ${when} ${o.credentialExpiresOn} 过期，检查期间无效`);
  }
  const soon = Date.parse(o.credentialExpiresOn) - Date.parse(endDay) <= 30 * 86_400_000;
  return {
    selectable: true,
    counts: true,
    text: `${no} · 有效期至 ${o.credentialExpiresOn}${soon ? "（即将到期）" : ""}`,
    tone: soon ? "warn" : "ok",
  };
}

function officerRow(o: Officer, s: Standing, checked: boolean, meId: string | undefined): HTMLElement {
  const box = h("input", {
    type: "checkbox",
    value: o.id,
    "data-counts": s.counts ? "1" : "0",
    disabled: !s.selectable,
  });
  box.checked = s.selectable && checked;
  return h(
    "li",
    { "data-officer-id": o.id, className: s.selectable ? "" : "unavailable" },
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
          o.name,
          o.userId && o.userId === meId ? h("span", { className: "badge badge-flag" }, "本人") : null,
          o.isHelper ? h("span", { className: "badge badge-helper" }, "辅助人员") : null,
        ),
        h("span", { className: `check-sub tone-${s.tone}` }, ...keepTogether(s.text)),
      ),
    ),
  );
}

/**
 * Lists the department's officers, usable ones first, helpers next, the others greyed out (an officer
 * who became unusable for the new window is unticked).
 */
export function renderOfficers(
  list: HTMLElement,
  officers: Officer[],
  selected: Set<string>,
  days: VisitDays | null,
  meId: string | undefined,
): void {
  const visible = officers.filter((o) => o.status !== "retired");
  if (visible.length === 0) {
    replaceChildren(list, h("li", { className: "empty" }, "本部门还没有登记执法人员，请联系部门管理员。"));
    return;
  }
  const rows = visible.map((o) => ({ o, s: standing(o, days) }));
  const order = ({ o, s }: (typeof rows)[number]) => (o.isHelper ? 2 : s.selectable ? 0 : 3);
  rows.sort((a, b) => order(a) - order(b) || a.o.name.localeCompare(b.o.name, "zh-CN"));
  replaceChildren(list, ...rows.map(({ o, s }) => officerRow(o, s, selected.has(o.id), meId)));
}

/** Counted inspectors among the ticked officers (helpers never count). */
export function countInspectors(list: HTMLElement): { inspectors: number; helpers: number } {
  const boxes = [...list.querySelectorAll<HTMLInputElement>("input[type=checkbox]:checked")];
  const inspectors = boxes.filter((b) => b.dataset.counts === "1").length;
  return { inspectors, helpers: boxes.length - inspectors };
}

/** The live counter above the list: enough inspectors or how many are missing. */
export function renderCounter(counter: HTMLElement, list: HTMLElement): void {
  const { inspectors, helpers } = countInspectors(list);
  const enough = inspectors >= 2;
  counter.className = `counter ${enough ? "counter-ok" : "counter-short"}`;
  replaceChildren(
    counter,
    h("strong", {}, `已选执法人员 ${inspectors} 名`),
    enough ? " ✓ 满足两人以上要求" : `（至少 2 名，还差 ${2 - inspectors} 名）`,
    helpers ? ` · 辅助人员 ${helpers} 名（不计入）` : "",
  );
}
