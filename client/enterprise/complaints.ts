import { errorMessage } from "../lib/api";
import { byId, h, replaceChildren, showMessage } from "../lib/dom";
import { entApi, show, state } from "./state";
import type { Complaint } from "./types";

const complaintForm = byId<HTMLFormElement>("complaint-form");
const complaintMessage = byId("complaint-message");
const receipt = byId("receipt");
const complaintText = byId<HTMLTextAreaElement>("c-text");

/** Today in the phone's own calendar: the visit date may not be later. */
function todayLocal(): string {
  const d = new Date();
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

function complaintItem(c: Complaint) {
  return h(
    "li",
    { className: "ent-complaint", "data-receipt": c.receiptNo },
    h(
      "div",
      { className: "ent-card-head" },
      h("span", { className: "ent-card-title" }, `${c.kindLabel} · ${c.departmentName}`),
      h(
        "span",
        { className: `badge ${c.status === "closed" ? "badge-valid" : "badge-pending"}` },
        c.statusLabel,
      ),
    ),
    h("div", { className: "small muted" }, `受理编号 ${c.receiptNo} · 检查日期 ${c.visitDate}`),
    h("div", { className: "small ent-complaint-text" }, c.text),
    c.outcome ? h("div", { className: "small ent-answer" }, `处理结果：${c.outcome}`) : null,
  );
}

export async function renderComplaintList() {
  const { items } = await entApi<{ items: Complaint[] }>("/api/enterprise/complaints");
  replaceChildren(
    byId("my-complaints"),
    ...(items.length ? items.map(complaintItem) : [h("li", { className: "ent-empty" }, "暂无投诉。")]),
  );
}

export async function renderComplaints() {
  if (!state.departmentsLoaded) {
    const { items } = await entApi<{ items: { id: string; name: string }[] }>("/api/enterprise/departments");
    const select = byId<HTMLSelectElement>("c-department");
    replaceChildren(
      select,
      h("option", { value: "" }, "请选择"),
      ...items.map((d) => h("option", { value: d.id }, d.name)),
    );
    state.departmentsLoaded = true;
  }
  const date = byId<HTMLInputElement>("c-date");
  date.max = todayLocal();
  if (!date.value) date.value = todayLocal();
  receipt.hidden = true;
  showMessage(complaintMessage, "");
  await renderComplaintList();
  document.title = "投诉 · 亮码";
  show("complaints");
}

complaintText.addEventListener("input", () => {
  byId("c-count").textContent = `${complaintText.value.length} / 2000`;
});

complaintForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  const departmentId = byId<HTMLSelectElement>("c-department").value;
  const visitDate = byId<HTMLInputElement>("c-date").value;
  const text = complaintText.value.trim();
  const code = byId<HTMLInputElement>("c-code").value.trim();
  if (!departmentId) return showMessage(complaintMessage, "请选择检查部门。");
  if (!visitDate) return showMessage(complaintMessage, "请选择检查日期。");
  if (!text) return showMessage(complaintMessage, "请填写投诉内容。");
  const button = byId<HTMLButtonElement>("c-submit");
  button.disabled = true;
  try {
    const res = await entApi<{ id: string; receiptNo: string }>("/api/enterprise/complaints", "POST", {
      kind: byId<HTMLSelectElement>("c-kind").value,
      departmentId,
      visitDate,
      text,
      ...(code ? { inspectionCode: code } : {}),
    });
    complaintForm.reset();
    byId<HTMLInputElement>("c-date").value = todayLocal();
    byId("c-count").textContent = "0 / 2000";
    showMessage(complaintMessage, "");
    replaceChildren(
      receipt,
      h("h1", {}, "投诉已受理"),
      h("p", {}, "受理编号：", h("strong", { className: "receipt-no", id: "receipt-no" }, res.receiptNo)),
      h(
        "p",
        { className: "small" },
        "投诉已报送司法局行政执法监督机构。请保存受理编号，办理进度和结果可在下方查看。",
      ),
    );
    receipt.hidden = false;
    receipt.scrollIntoView({ block: "start", behavior: "smooth" });
    await renderComplaintList();
  } catch (error) {
    showMessage(complaintMessage, errorMessage(error));
  } finally {
    button.disabled = false;
  }
});

export function goTo(path: string) {
  history.pushState(null, "", path);
  void state.route();
}

byId("go-complaints").addEventListener("click", (event) => {
  event.preventDefault();
  goTo("/e/complaints");
});

for (const link of document.querySelectorAll<HTMLAnchorElement>("a.to-home")) {
  link.addEventListener("click", (event) => {
    event.preventDefault();
    goTo("/e");
  });
}
