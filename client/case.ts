import { api, errorMessage, readCookie } from "./lib/api";
import { byId, formatTime, h, pathSegment, replaceChildren, showMessage } from "./lib/dom";
import { conclusionLines, EVENT_LABELS, type CaseDetail, type CaseOptions } from "./lib/case-types";
import { adminPage } from "./lib/layout";
import type { User } from "./lib/types";

const id = pathSegment(2);
const box = byId("case");
const actions = byId("actions");
const message = byId("message");
let me: User;
let options: CaseOptions | null = null;

byId<HTMLAnchorElement>("print-link").href = `/admin/cases/${encodeURIComponent(id)}/print`;
byId<HTMLAnchorElement>("audit-link").href =
  `/admin/audit?targetType=case&targetId=${encodeURIComponent(id)}`;

const row = (label: string, value: string | Node) => [h("dt", {}, label), h("dd", {}, value)];

function render(c: CaseDetail) {
  replaceChildren(
    box,
    h("h1", {}, c.number),
    h(
      "p",
      {},
      h("span", { className: `badge badge-${c.status}`, id: "case-status" }, c.statusLabel),
      " ",
      c.overdue ? h("span", { className: "badge badge-overdue" }, "答复逾期") : null,
    ),
    h(
      "dl",
      { className: "case-facts" },
      ...row("案件名称", c.title),
      ...row("被督办部门", c.department.name),
      ...row("级别", c.levelLabel),
      ...row("情形", c.situations.join("、")),
      ...row("涉及人员", c.officers.map((o) => o.name).join("、") || "—"),
      ...row("答复期限", c.answerDue),
      ...row("基本情况", c.facts || "—"),
      ...row(
        "来源",
        c.sources.map((s) => (s.summary ? `${s.kindLabel}：${s.summary}` : s.kindLabel)).join("；") ||
          "手工立案",
      ),
      ...(c.conclusionLabel ? row("办结结论", c.conclusionLabel) : []),
      ...conclusionLines(c.conclusionDetail).flatMap(([k, v]) => row(k, v)),
    ),
    h("h2", {}, "自查报告"),
    ...(c.answers.length
      ? c.answers.map((a, i) =>
          h(
            "div",
            { className: "case-answer" },
            h("strong", {}, `第 ${i + 1} 次报送 · ${formatTime(a.at)}`),
            h("div", {}, a.report),
            h(
              "div",
              {},
              ...a.attachments.map((f) =>
                h("a", { href: f.url, target: "_blank" }, h("img", { src: f.url, alt: "自查附件" })),
              ),
            ),
          ),
        )
      : [h("p", { className: "muted" }, "部门尚未报送自查报告。")]),
    h("h2", {}, "办理记录"),
    h(
      "ol",
      { className: "case-events" },
      ...c.events.map((e) =>
        h(
          "li",
          {},
          `${formatTime(e.at)} ${EVENT_LABELS[e.kind] ?? e.kind}${e.actor ? `（${e.actor}）` : ""}`,
          e.note && e.kind !== "answer" ? `：${e.note}` : "",
        ),
      ),
    ),
  );
  renderActions(c);
}

async function step(name: string, body: unknown, done: string) {
  try {
    const c = await api<CaseDetail>(`/api/cases/${encodeURIComponent(id)}/${name}`, { method: "POST", body });
    showMessage(message, done, "ok");
    render(c);
  } catch (error) {
    showMessage(message, errorMessage(error));
  }
}

function textStep(label: string, button: string, name: string, key: string, done: string, required = true) {
  const area = h("textarea", { rows: 3, maxlength: 2000, "aria-label": label });
  const submit = h("button", { type: "submit", className: "primary" }, button);
  const form = h("form", { className: "step-form" }, h("label", {}, h("span", {}, label), area), submit);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (required && !area.value.trim()) return area.focus();
    void step(name, { [key]: area.value }, done);
  });
  return form;
}

function input(label: string, name: string, type = "text") {
  const el = type === "textarea" ? h("textarea", { rows: 3, name }) : h("input", { type, name });
  return h("label", { "data-field": name }, h("span", {}, label), el);
}

function closeForm(c: CaseDetail) {
  const select = h(
    "select",
    { name: "conclusion", "aria-label": "办结结论" },
    ...(options?.conclusions ?? []).map((o) => h("option", { value: o.value }, o.label)),
  );
  const method = h(
    "select",
    { name: "method" },
    ...(options?.accountabilityMethods ?? []).map((m) => h("option", { value: m }, m)),
  );
  const officers = h(
    "div",
    { className: "checks" },
    ...c.officers.map((o) => h("label", {}, h("input", { type: "checkbox", value: o.id }), o.name)),
  );
  const groups: Record<string, HTMLElement> = {
    rectify: h("div", {}, input("整改要求", "requirement", "textarea")),
    interview: h(
      "div",
      {},
      input("约谈日期", "date", "date"),
      input("参加人员", "attendees"),
      input("约谈记录", "minutes", "textarea"),
    ),
    notice: h(
      "div",
      {},
      input("通报内容", "text", "textarea"),
      h("label", {}, h("input", { type: "checkbox", name: "publishable" }), " 可向社会公开"),
    ),
    transfer: h("div", {}, input("接收机关", "organ"), input("移送记录", "record", "textarea")),
    accountability: h(
      "div",
      {},
      input("追责主体", "subject"),
      input("追责情形", "situation", "textarea"),
      h("label", {}, h("span", {}, "追责方式"), method),
      h("fieldset", {}, h("legend", {}, "被追责人员"), officers),
    ),
  };
  const note = input("说明（可选）", "note", "textarea");
  const submit = h("button", { type: "submit", className: "primary" }, "办结");
  const form = h(
    "form",
    { className: "step-form", id: "close-form" },
    h("h3", {}, "办结"),
    h("label", {}, h("span", {}, "结论"), select),
    ...Object.values(groups),
    note,
    submit,
  );
  const show = () => {
    for (const [k, g] of Object.entries(groups)) g.hidden = k !== select.value;
  };
  select.addEventListener("change", show);
  show();
  const val = (name: string) =>
    (form.querySelector<HTMLInputElement | HTMLTextAreaElement>(`[name="${name}"]`)?.value ?? "").trim();
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const conclusion = select.value;
    const body: Record<string, unknown> = { conclusion, note: val("note") };
    if (conclusion === "rectify") body.requirement = val("requirement");
    if (conclusion === "interview")
      body.interview = { date: val("date"), attendees: val("attendees"), minutes: val("minutes") };
    if (conclusion === "notice")
      body.notice = {
        text: val("text"),
        publishable: form.querySelector<HTMLInputElement>('[name="publishable"]')!.checked,
      };
    if (conclusion === "transfer") body.transfer = { organ: val("organ"), record: val("record") };
    if (conclusion === "accountability")
      body.accountability = {
        subject: val("subject"),
        situation: val("situation"),
        method: method.value,
        officerIds: [...officers.querySelectorAll<HTMLInputElement>("input:checked")].map((i) => i.value),
      };
    void step("close", body, "案件已办结。");
  });
  return form;
}

/** The department's self-inspection report: text and images, uploaded one by one before sending. */
function answerForm() {
  const report = h("textarea", { rows: 6, maxlength: 20000, "aria-label": "自查报告", id: "answer-report" });
  const files = h("input", {
    type: "file",
    accept: "image/jpeg,image/png,image/webp",
    multiple: true,
    id: "answer-files",
  });
  const submit = h("button", { type: "submit", className: "primary" }, "报送自查报告");
  const form = h(
    "form",
    { className: "step-form", id: "answer-form" },
    h("h3", {}, "报送自查报告（督促自查）"),
    h("label", {}, h("span", {}, "自查报告"), report),
    h("label", {}, h("span", {}, "附件（图片，可多选）"), files),
    submit,
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!report.value.trim()) return report.focus();
    submit.disabled = true;
    try {
      const attachmentIds: string[] = [];
      for (const file of files.files ?? []) {
        const res = await fetch(`/api/cases/${encodeURIComponent(id)}/attachments`, {
          method: "POST",
          headers: { "Content-Type": file.type, "X-CSRF-Token": readCookie("lianma_csrf") ?? "" },
          body: file,
        });
        const json = (await res.json()) as { id?: string; error?: { message: string } };
        if (!res.ok || !json.id) throw new Error(json.error?.message ?? `上传失败（${res.status}）`);
        attachmentIds.push(json.id);
      }
      await step("answer", { report: report.value, attachmentIds }, "自查报告已报送。");
    } catch (error) {
      showMessage(message, errorMessage(error));
    } finally {
      submit.disabled = false;
    }
  });
  return form;
}

function renderActions(c: CaseDetail) {
  const bureau = me.role === "admin" || me.role === "supervisor";
  const parts: Node[] = [];
  if (bureau) {
    if (c.status === "opened") {
      const send = h("button", { type: "button", className: "primary" }, "交办部门");
      send.addEventListener("click", () => void step("send", {}, "已交办部门。"));
      parts.push(h("div", { className: "row" }, send));
    }
    if (c.status === "answered") {
      parts.push(textStep("退回理由", "退回", "return", "reason", "已退回部门。"));
      const accept = h("button", { type: "button", className: "primary" }, "认可自查报告");
      accept.addEventListener("click", () => void step("accept", {}, "已认可自查报告。"));
      parts.push(h("div", { className: "row" }, accept));
    }
    const closable =
      c.status === "accepted" || (c.level === "general" && ["opened", "sent", "returned"].includes(c.status));
    if (closable) parts.push(closeForm(c));
  } else if (me.role === "dept_admin" && (c.status === "sent" || c.status === "returned")) {
    const reason = [...c.events].reverse().find((e) => e.kind === "return");
    if (c.status === "returned" && reason)
      parts.push(h("p", { className: "message message-error" }, `退回理由：${reason.note}`));
    parts.push(answerForm());
  }
  actions.hidden = parts.length === 0;
  replaceChildren(actions, ...parts);
}

async function main() {
  me = await adminPage();
  try {
    if (me.role !== "dept_admin") options = await api<CaseOptions>("/api/cases/options");
    render(await api<CaseDetail>(`/api/cases/${encodeURIComponent(id)}`));
  } catch (error) {
    showMessage(message, errorMessage(error));
  }
}

void main();
