import { ACTION_LABELS, TARGET_LABELS } from "../src/audit/labels.ts";
import { api, errorMessage } from "./lib/api";
import { byId, formatTime, h, replaceChildren, showMessage } from "./lib/dom";
import { adminPage } from "./lib/layout";

interface Line {
  id: number;
  at: string;
  actor: { id: string | null; name: string; role: string | null; roleLabel: string };
  action: string;
  actionLabel: string;
  target: { type: string; typeLabel: string; id: string | null } | null;
  before: unknown;
  after: unknown;
  detail: Record<string, unknown>;
  ip: string | null;
  chain: { position: number; prevHash: string | null; hash: string | null };
}

interface ChainState {
  ok: boolean;
  head: { id: number; hash: string } | null;
  verifiedThrough: { id: number; hash: string } | null;
  verifiedCount: number;
  pending: number;
  broken: { id: number; reason: string } | null;
}

const FILTERS = ["targetType", "targetId", "actor", "action", "from", "to"] as const;
type Filter = Partial<Record<(typeof FILTERS)[number], string>>;

const message = byId("message");
const list = byId("lines");
const more = byId<HTMLButtonElement>("load-more");
const form = byId<HTMLFormElement>("filters");
const field = (name: string) => byId<HTMLInputElement | HTMLSelectElement>(`f-${name}`);

let filter: Filter = {};
let cursor: string | null = null;
let shown = 0;

/** Where a record of the log can be opened, for the types that have a page of their own. */
const RECORD_PAGES: Record<string, (id: string) => string> = {
  inspection: (id) => `/admin/inspections/${encodeURIComponent(id)}`,
  form: (id) => `/admin/forms/${encodeURIComponent(id)}/edit`,
};

function fillSelect(select: HTMLSelectElement, labels: Record<string, string>) {
  for (const [value, label] of Object.entries(labels)) select.append(h("option", { value }, label));
}

function readFilter(params: URLSearchParams): Filter {
  const f: Filter = {};
  for (const name of FILTERS) {
    const v = params.get(name)?.trim();
    if (v) f[name] = v;
  }
  return f;
}

const query = (f: Filter) => new URLSearchParams(f as Record<string, string>).toString();

function short(hash: string | null): string {
  return hash ? `${hash.slice(0, 12)}…` : "待链接";
}

/** Keys of before/after side by side: what changed, in the order the record lists them. */
function changes(before: unknown, after: unknown): HTMLElement | null {
  const b = before && typeof before === "object" ? (before as Record<string, unknown>) : {};
  const a = after && typeof after === "object" ? (after as Record<string, unknown>) : {};
  const keys = [...new Set([...Object.keys(b), ...Object.keys(a)])];
  if (keys.length === 0) return null;
  const show = (v: unknown) => (v === undefined ? "—" : typeof v === "string" ? v : JSON.stringify(v));
  const rows = keys.map((k) => {
    const changed = JSON.stringify(b[k]) !== JSON.stringify(a[k]);
    return h(
      "tr",
      { className: changed ? "changed" : "" },
      h("th", { scope: "row" }, k),
      h("td", { "data-label": "变更前" }, show(b[k])),
      h("td", { "data-label": "变更后" }, show(a[k])),
    );
  });
  return h(
    "table",
    { className: "audit-diff" },
    h("thead", {}, h("tr", {}, h("th", {}, "字段"), h("th", {}, "变更前"), h("th", {}, "变更后"))),
    h("tbody", {}, ...rows),
  );
}

function lineItem(l: Line): HTMLLIElement {
  const target = l.target
    ? h(
        "span",
        { className: "audit-target" },
        `${l.target.typeLabel} `,
        l.target.id && RECORD_PAGES[l.target.type]
          ? h("a", { href: RECORD_PAGES[l.target.type]!(l.target.id), className: "mono" }, l.target.id)
          : h("span", { className: "mono" }, l.target.id ?? ""),
      )
    : null;
  const diff = changes(l.before, l.after);
  const extra = Object.keys(l.detail).length ? JSON.stringify(l.detail, null, 1) : "";
  return h(
    "li",
    { className: "audit-line", "data-id": l.id },
    h(
      "div",
      { className: "audit-head" },
      h("strong", { className: "audit-action" }, l.actionLabel),
      target,
      h("span", { className: "audit-pos mono", title: l.chain.hash ?? "" }, `#${l.chain.position}`),
    ),
    h(
      "div",
      { className: "audit-meta muted small" },
      h("time", { datetime: l.at }, formatTime(l.at)),
      " · ",
      l.actor.name || "—",
      l.actor.roleLabel ? `（${l.actor.roleLabel}）` : "",
      l.ip ? ` · ${l.ip}` : "",
    ),
    diff || extra
      ? h(
          "details",
          { className: "audit-detail" },
          h("summary", {}, diff ? "变更内容" : "详情"),
          diff,
          extra ? h("pre", { className: "small" }, extra) : null,
          h(
            "p",
            { className: "muted small mono" },
            `哈希 ${short(l.chain.hash)} ← 前一条 ${short(l.chain.prevHash)}`,
          ),
        )
      : null,
  );
}

async function loadPage(first: boolean) {
  const params = new URLSearchParams(query(filter));
  params.set("limit", "50");
  if (!first && cursor) params.set("cursor", cursor);
  more.disabled = true;
  try {
    const page = await api<{ items: Line[]; nextCursor: string | null }>(`/api/audit?${params}`);
    if (first) {
      replaceChildren(list);
      shown = 0;
    }
    list.append(...page.items.map(lineItem));
    shown += page.items.length;
    if (shown === 0) replaceChildren(list, h("li", { className: "empty" }, "没有符合条件的操作记录。"));
    cursor = page.nextCursor;
    more.hidden = !cursor;
    byId("summary").textContent = shown ? `已显示 ${shown} 条${cursor ? "，还有更早的记录" : ""}` : "";
    message.hidden = true;
  } catch (error) {
    showMessage(message, errorMessage(error));
  } finally {
    more.disabled = false;
  }
}

async function loadChain() {
  const box = byId("chain");
  try {
    const s = await api<ChainState>("/api/audit/chain");
    if (!s.ok && s.broken) {
      box.dataset.state = "broken";
      box.textContent = `哈希链校验失败：第 ${s.broken.id} 条（${s.broken.reason}）。请立即报告系统管理员。`;
      return;
    }
    const through = s.verifiedThrough ? `已校验至第 ${s.verifiedThrough.id} 条` : "尚无记录";
    const caught = s.head && s.verifiedThrough?.id === s.head.id;
    box.dataset.state = caught ? "ok" : "partial";
    box.textContent =
      `哈希链完好：${through}（共 ${s.verifiedCount} 条）` +
      (s.head ? `，链头第 ${s.head.id} 条 ${short(s.head.hash)}` : "") +
      (caught ? "" : "，其余在后续访问中继续校验") +
      (s.pending ? `；${s.pending} 条待链接` : "");
    if (s.head) box.title = `链头哈希 ${s.head.hash}`;
  } catch (error) {
    box.dataset.state = "broken";
    box.textContent = `无法读取哈希链状态：${errorMessage(error)}`;
  }
}

function showFilter() {
  for (const name of FILTERS) field(name).value = filter[name] ?? "";
  const q = query(filter);
  byId<HTMLAnchorElement>("export-xlsx").href = `/api/audit/export?${q}${q ? "&" : ""}format=xlsx`;
  byId<HTMLAnchorElement>("export-csv").href = `/api/audit/export?${q}${q ? "&" : ""}format=csv`;
}

function apply(next: Filter) {
  filter = next;
  history.replaceState(null, "", `${location.pathname}${query(filter) ? `?${query(filter)}` : ""}`);
  showFilter();
  void loadPage(true);
}

async function main() {
  await adminPage();
  fillSelect(field("targetType") as HTMLSelectElement, TARGET_LABELS);
  fillSelect(field("action") as HTMLSelectElement, ACTION_LABELS);
  filter = readFilter(new URLSearchParams(location.search));
  // A filter from a link (e.g. an unknown target type) still shows as chosen.
  for (const name of ["targetType", "action"] as const) {
    const select = field(name) as HTMLSelectElement;
    const v = filter[name];
    if (v && ![...select.options].some((o) => o.value === v)) select.append(h("option", { value: v }, v));
  }
  showFilter();
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    apply(readFilter(new URLSearchParams(new FormData(form) as unknown as Record<string, string>)));
  });
  byId("clear").addEventListener("click", () => apply({}));
  more.addEventListener("click", () => void loadPage(false));
  await Promise.all([loadPage(true), loadChain()]);
}

main().catch((error) => showMessage(message, errorMessage(error)));
