import { escapeHtml } from "../lib/html.ts";
import { localDateTime } from "../lib/time.ts";
import type { publicInspectionView } from "./public-view.ts";

type View = Awaited<ReturnType<typeof publicInspectionView>>;

/** Puts `inner` (already escaped markup) into the empty element with this id in the page template. */
function fill(html: string, id: string, inner: string): string {
  const pattern = new RegExp(`(<(\\w+)[^>]*\\bid="${id}"[^>]*>)(</\\2>)`);
  return html.replace(pattern, (_all, open: string, _tag: string, close: string) => open + inner + close);
}

const when = (iso: string | null, tz: string) => (iso ? localDateTime(Date.parse(iso), tz) : "—");

/** `elementtiming`: the page-load benchmark (bench/pages.ts) reads when the browser painted the names. */
function officers(view: View): string {
  return view.officers
    .map((o) => {
      const badge = o.isHelper
        ? `<span class="badge">辅助人员</span>`
        : o.credentialValid
          ? `<span class="badge badge-valid">✓ 有效</span>`
          : `<span class="badge badge-invalid">✗ 证件无效</span>`;
      const credential = o.isHelper
        ? ""
        : `<div>执法证号：<span class="credential">${escapeHtml(o.credentialNo ?? "—")}</span></div>`;
      return `<li><div class="person-head"><span class="person-name" elementtiming="officer-name">${escapeHtml(o.name)}</span>${badge}</div><div class="muted small">${escapeHtml(o.department)}</div>${credential}</li>`;
    })
    .join("");
}

function items(view: View): string {
  return view.items
    .map(
      (item) =>
        `<li><div class="item-code">${escapeHtml(item.code)}</div><div class="item-name">${escapeHtml(item.name)}</div>${item.legalBasis ? `<div class="basis">依据：${escapeHtml(item.legalBasis)}</div>` : ""}</li>`,
    )
    .join("");
}

/**
 * The public inspection page (R8) with its facts in the HTML: who inspects, the items and their
 * basis, the yearly count and the rights show at first paint on a slow phone, before any script.
 * The page's script takes the same data from the embedded JSON (no second request), except the
 * evaluation questionnaire: it asks the API for that, with SurveyJS, only when the enterprise starts
 * evaluating.
 */
export function renderInspectionPage(
  template: string,
  view: View,
  dataJson: string,
  timeZone: string,
): string {
  let html = template
    .replace(`<div id="facts" hidden>`, `<div id="facts">`)
    .replace(/(<div class="message message-info" id="message")/, "$1 hidden");
  const type = view.caseReason ? `${view.typeLabel}（${view.caseReason}）` : view.typeLabel;
  html = fill(html, "enterprise", escapeHtml(view.enterprise.name));
  html = fill(html, "type", escapeHtml(type));
  html = fill(html, "window", `${when(view.plannedStart, timeZone)} 至 ${when(view.plannedEnd, timeZone)}`);
  html = fill(html, "departments", escapeHtml(view.departments.map((d) => d.name).join("、")));
  html = fill(html, "status", escapeHtml(view.statusLabel));
  html = fill(html, "officers", officers(view));
  html = fill(html, "items", items(view));
  html = fill(html, "legal-basis", view.legalBasis ? `本次检查依据：${escapeHtml(view.legalBasis)}` : "");
  html = fill(
    html,
    "year-count",
    `${view.yearCount.year} 年本企业已备案的行政检查（含本次）共<strong>${view.yearCount.count}</strong>次。`,
  );
  html = fill(
    html,
    "rights",
    view.rights.map((r) => `<dt>${escapeHtml(r.title)}</dt><dd>${escapeHtml(r.text)}</dd>`).join(""),
  );
  html = html.replace(
    /<title>[^<]*<\/title>/,
    `<title>${escapeHtml(`检查公示 · ${view.enterprise.name} · 亮码`)}</title>`,
  );
  // Inside a <script>, only "<" can end it early (</script>, <!--); U+2028/9 are JSON but not JS.
  const data = dataJson
    .replace(/</g, "\\u003c")
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");
  return html.replace(
    "</body>",
    `<script type="application/json" id="page-data">${data}</script>\n  </body>`,
  );
}
