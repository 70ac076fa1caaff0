// The public 公示 of 双随机 tasks: the list, one task's inputs, commitment, seed and outcome, and a
// verify button that recomputes the draw in the browser with the very module the server used.
import { verifyDrawFile, type VerificationFile } from "../src/sampling/draw";
import { FILING_LABELS, percent, RISK_LABELS, STATUS_LABELS } from "../src/sampling/labels";
import { api, errorMessage } from "./lib/api";
import { byId, formatTime, h, pathSegment, replaceChildren, showMessage } from "./lib/dom";
import { addSkipLink } from "./lib/nav";

addSkipLink();

interface Summary {
  id: string;
  name: string;
  status: string;
  departments: string[];
  periodFrom: string;
  periodTo: string;
  committedAt: string;
  revealedAt: string | null;
}

interface Detail extends Summary {
  items: { code: string; name: string }[];
  filters: { districts: string[]; industries: string[]; riskLevels: string[] };
  ratios: Record<string, number>;
  inspectorsPerEnterprise: number;
  population: { grade: string; population: number; triggered: number }[];
  officerPool: number;
  snapshotHash: string;
  commitment: string;
  seed: string | null;
  outcome:
    | {
        enterpriseName: string;
        creditCode: string;
        grade: string;
        triggered: boolean;
        staffed: boolean;
        eligibleOfficers: number;
        officers: { name: string; credentialNo: string }[];
        filing: string | null;
      }[]
    | null;
}

const message = byId("message");
const get = <T>(path: string) => api<T>(path, { noLoginRedirect: true });
const pair = (label: string, value: Node | string) => [h("dt", {}, label), h("dd", {}, value)];
const hash = (text: string) => h("span", { className: "hash" }, text);

async function showList() {
  byId("list-view").hidden = false;
  const { items } = await get<{ items: Summary[] }>("/api/public/sampling");
  replaceChildren(
    byId("task-list"),
    ...(items.length
      ? items.map((t) =>
          h(
            "li",
            {},
            h("a", { href: `/sampling/public/${t.id}` }, h("strong", {}, t.name)),
            h(
              "div",
              { className: "muted small" },
              `${t.departments.join("、")} · ${t.periodFrom} 至 ${t.periodTo} · ${STATUS_LABELS[t.status] ?? t.status}`,
            ),
          ),
        )
      : [h("li", { className: "muted" }, "暂无公示的抽查任务。")]),
  );
}

function inputs(t: Detail) {
  const f = t.filters;
  return [
    ...pair("实施部门", t.departments.join("、")),
    ...pair("检查事项", t.items.map((i) => `${i.code} ${i.name}`).join("；")),
    ...pair("抽查期间", `${t.periodFrom} 至 ${t.periodTo}`),
    ...pair(
      "抽查范围",
      [
        f.districts.length ? f.districts.join("、") : "全部区县",
        f.industries.length ? f.industries.join("、") : "全部行业",
        f.riskLevels.length
          ? `风险等级 ${f.riskLevels.map((r) => RISK_LABELS[r] ?? r).join("、")}`
          : "全部风险等级",
      ].join("；"),
    ),
    ...pair(
      "每户执法人员",
      `${t.inspectorsPerEnterprise} 名（从 ${t.officerPool} 名持有效执法证的人员中抽取）`,
    ),
  ];
}

function populationTable(t: Detail) {
  return h(
    "table",
    { className: "list grades" },
    h(
      "thead",
      {},
      h("tr", {}, ...["信用等级", "范围内企业", "其中触发纳入", "抽查比例"].map((x) => h("th", {}, x))),
    ),
    h(
      "tbody",
      {},
      ...t.population.map((g) =>
        h(
          "tr",
          {},
          h("td", { "data-label": "信用等级" }, g.grade),
          h("td", { "data-label": "范围内企业" }, g.population),
          h("td", { "data-label": "其中触发纳入" }, g.triggered),
          h("td", { "data-label": "抽查比例" }, percent(t.ratios[g.grade] ?? 0)),
        ),
      ),
    ),
  );
}

function commitment(t: Detail) {
  return [
    ...pair("承诺值 sha256(种子)", hash(t.commitment)),
    ...pair("承诺公布时间", formatTime(t.committedAt)),
    ...pair("输入快照哈希", hash(t.snapshotHash)),
    ...pair("随机种子", t.seed ? hash(t.seed) : "尚未公开（抽取后公示时公开）"),
    ...pair("种子公开时间", formatTime(t.revealedAt)),
  ];
}

function outcomeTable(t: Detail) {
  return h(
    "table",
    { className: "list", id: "outcome-table" },
    h(
      "thead",
      {},
      h(
        "tr",
        {},
        ...["序号", "企业", "统一社会信用代码", "等级", "执法检查人员（执法证号）", "备案"].map((x) =>
          h("th", {}, x),
        ),
      ),
    ),
    h(
      "tbody",
      {},
      ...t.outcome!.map((o, i) => {
        const label = o.filing ? FILING_LABELS[o.filing] : null;
        return h(
          "tr",
          {},
          h("td", { "data-label": "序号" }, i + 1),
          h(
            "td",
            { "data-label": "企业" },
            o.enterpriseName,
            o.triggered ? h("span", { className: "muted small" }, "（依线索纳入）") : null,
          ),
          h("td", { className: "uscc", "data-label": "统一社会信用代码" }, o.creditCode),
          h("td", { "data-label": "等级" }, o.grade),
          h(
            "td",
            { "data-label": "执法检查人员（执法证号）" },
            o.staffed
              ? o.officers.map((p) => `${p.name}（${p.credentialNo}）`).join("、")
              : "回避后执法人员不足，未派员",
          ),
          h(
            "td",
            { "data-label": "备案" },
            label ? h("span", { className: `outcome-badge ${label.tone}` }, label.text) : "—",
          ),
        );
      }),
    ),
  );
}

async function verify(id: string) {
  const box = byId("verify-result");
  box.className = "verify-result";
  box.textContent = "正在重算…";
  try {
    const file = await get<VerificationFile>(`/api/public/sampling/${id}/verification.json`);
    const { ok, problems } = verifyDrawFile(file);
    box.className = `verify-result ${ok ? "ok" : "bad"}`;
    if (ok) {
      replaceChildren(
        box,
        `✓ 验证通过（OK）：种子与承诺值一致，快照哈希一致，重算的 ${file.result.picks.length} 户结果与公示完全一致。`,
      );
    } else {
      replaceChildren(box, "✗ 验证未通过：", h("ul", {}, ...problems.map((p) => h("li", {}, p))));
    }
  } catch (error) {
    box.className = "verify-result bad";
    box.textContent = `验证失败：${errorMessage(error)}`;
  }
}

async function showDetail(id: string) {
  byId("detail-view").hidden = false;
  const { task } = await get<{ task: Detail }>(`/api/public/sampling/${encodeURIComponent(id)}`);
  document.title = `${task.name} · 双随机抽查公示`;
  byId("task-name").textContent = task.name;
  byId("task-meta").textContent =
    `${STATUS_LABELS[task.status] ?? task.status} · 承诺公布于 ${formatTime(task.committedAt)}`;
  replaceChildren(byId("inputs"), ...inputs(task));
  replaceChildren(byId("population"), populationTable(task));
  replaceChildren(byId("commitment"), ...commitment(task));
  if (task.outcome) {
    byId("outcome-card").hidden = false;
    replaceChildren(byId("outcome"), outcomeTable(task));
  }
  if (task.seed) {
    byId("verify-card").hidden = false;
    byId<HTMLAnchorElement>("download").href = `/api/public/sampling/${task.id}/verification.json`;
    byId("verify").addEventListener("click", () => void verify(task.id));
  }
}

const id = pathSegment(2);
(id ? showDetail(id) : showList()).catch((error) => showMessage(message, `加载失败：${errorMessage(error)}`));
