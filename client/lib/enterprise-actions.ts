// The enterprise's corrective actions in the portal (issue 15): upload evidence (photos, PDF, Office
// documents), write a statement, optionally commit on its credit (信用承诺), and submit.
import { ApiError, errorMessage, readCookie } from "./api";
import { byId, h, replaceChildren, showMessage } from "./dom";
import type { CorrectiveAction } from "./action-card";

type EntApi = <T>(path: string, method?: "GET" | "POST", body?: unknown) => Promise<T>;

const ACCEPT = "image/jpeg,image/png,image/webp,application/pdf,.doc,.docx,.xls,.xlsx,.pptx";
const OPEN = new Set(["open", "returned"]);
const TYPES: Record<string, string> = {
  doc: "application/msword",
  docx: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
  xls: "application/vnd.ms-excel",
  xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
  pptx: "application/vnd.openxmlformats-officedocument.presentationml.presentation",
};

/** The media type to declare: the browser's, or the Office type of the file's extension. */
function typeOf(file: File): string {
  const ext = file.name.split(".").pop()?.toLowerCase() ?? "";
  return file.type || TYPES[ext] || "application/octet-stream";
}

async function upload(actionId: string, file: File): Promise<void> {
  const res = await fetch(`/api/enterprise/actions/${encodeURIComponent(actionId)}/evidence`, {
    method: "POST",
    headers: { "Content-Type": typeOf(file), "X-Enterprise-CSRF-Token": readCookie("lianma_ent_csrf") ?? "" },
    body: file,
    credentials: "same-origin",
  });
  if (!res.ok) {
    const err = ((await res.json().catch(() => ({}))) as { error?: { code?: string; message?: string } })
      .error;
    throw new ApiError(res.status, err?.code ?? "error", err?.message ?? `上传失败（${res.status}）`);
  }
}

function actionItem(a: CorrectiveAction, entApi: EntApi, reload: () => void) {
  const box = h("div", { className: "message", hidden: true });
  const labels = [
    h("span", { className: `badge action-${a.status}` }, a.statusLabel),
    a.overdue ? h("span", { className: "badge badge-warn" }, "已逾期") : "",
    a.late ? h("span", { className: "badge badge-warn" }, "逾期提交") : "",
    a.firstViolation ? h("span", { className: "badge" }, a.firstViolation.label) : "",
  ];
  const files = h(
    "ul",
    { className: "evidence-list" },
    ...a.evidence.map((e) =>
      h(
        "li",
        {},
        e.contentType.startsWith("image/")
          ? h("img", { src: e.url, alt: "整改照片", className: "evidence-thumb" })
          : "",
        h("span", { className: "small" }, e.fileName),
      ),
    ),
  );
  let form: HTMLElement | "" = "";
  if (OPEN.has(a.status)) {
    const input = h("input", { type: "file", accept: ACCEPT, multiple: true, className: "evidence-input" });
    input.addEventListener("change", async () => {
      try {
        for (const file of Array.from(input.files ?? [])) await upload(a.id, file);
        showMessage(box, "材料已上传。", "ok");
        reload();
      } catch (error) {
        showMessage(box, errorMessage(error));
      }
    });
    const statement = h("textarea", {
      rows: 3,
      maxlength: 4000,
      className: "evidence-statement",
      placeholder: "请说明整改情况",
    });
    const commit = h("input", { type: "checkbox", className: "evidence-commit" });
    const submit = h("button", { type: "button", className: "primary wide evidence-submit" }, "提交整改情况");
    submit.addEventListener("click", async () => {
      const text = (statement as HTMLTextAreaElement).value.trim();
      if (!text) return showMessage(box, "请填写整改情况说明。");
      try {
        await entApi(`/api/enterprise/actions/${encodeURIComponent(a.id)}/submit`, "POST", {
          statement: text,
          creditCommitment: (commit as HTMLInputElement).checked,
        });
        reload();
      } catch (error) {
        showMessage(box, errorMessage(error));
      }
    });
    form = h(
      "div",
      { className: "evidence-form" },
      h("label", { className: "field" }, h("span", {}, "整改照片或材料（照片、PDF、Word、Excel）"), input),
      h("label", { className: "field" }, h("span", {}, "整改情况说明"), statement),
      h(
        "label",
        { className: "check" },
        commit,
        " 信用承诺：本企业承诺以上整改情况真实，如有不实愿承担相应责任",
      ),
      submit,
    );
  }
  return h(
    "li",
    { className: "action-item", "data-action": a.id },
    h("strong", {}, a.pointTitle),
    h("p", { className: "small" }, ...labels),
    h("p", { className: "small" }, `整改要求：${a.requirement}`),
    h("p", { className: "small" }, `整改期限：${a.deadline}`),
    a.returnReason ? h("p", { className: "small" }, `退回原因：${a.returnReason}`) : "",
    files,
    form,
    box,
  );
}

/** Fills the portal's 整改事项 panel; hidden when the enterprise has none. */
export async function renderEnterpriseActions(entApi: EntApi): Promise<void> {
  const { items } = await entApi<{ items: CorrectiveAction[] }>("/api/enterprise/actions");
  const panel = byId("actions-panel");
  panel.hidden = items.length === 0;
  const reload = () => void renderEnterpriseActions(entApi);
  replaceChildren(byId("ent-actions"), ...items.map((a) => actionItem(a, entApi, reload)));
}
