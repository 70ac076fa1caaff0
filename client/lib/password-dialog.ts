import { api, errorMessage } from "./api";
import { h, showMessage } from "./dom";

/**
 * 修改密码: one's own password, from the name in the top bar on every staff page. The server ends
 * the user's other sessions; this one stays signed in.
 */
export function passwordDialog(): HTMLDialogElement {
  const message = h("div", { className: "message", hidden: true });
  const field = (label: string, id: string, autocomplete: string) =>
    h(
      "label",
      { className: "field" },
      h("span", {}, label),
      h("input", {
        type: "password",
        id,
        required: true,
        autocomplete,
        minlength: id === "pw-current" ? 1 : 10,
      }),
    );
  const form = h(
    "form",
    { method: "dialog" },
    h("h2", { id: "pw-heading" }, "修改密码"),
    message,
    field("当前密码", "pw-current", "current-password"),
    field("新密码（至少 10 位）", "pw-new", "new-password"),
    field("再次输入新密码", "pw-again", "new-password"),
    h(
      "div",
      { className: "actions" },
      h("button", { type: "button", id: "pw-cancel" }, "取消"),
      h("button", { type: "submit", className: "primary", id: "pw-submit" }, "修改"),
    ),
  );
  const dialog = h("dialog", { id: "password-dialog", "aria-labelledby": "pw-heading" }, form);
  const value = (id: string) => (form.querySelector<HTMLInputElement>(`#${id}`)?.value ?? "").trim();
  form.querySelector("#pw-cancel")!.addEventListener("click", () => dialog.close());
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (value("pw-new") !== value("pw-again")) {
      showMessage(message, "两次输入的新密码不一致。");
      return;
    }
    const submit = form.querySelector<HTMLButtonElement>("#pw-submit")!;
    submit.disabled = true;
    try {
      await api("/api/auth/password", {
        method: "POST",
        body: { currentPassword: value("pw-current"), newPassword: value("pw-new") },
      });
      form.reset();
      showMessage(message, "密码已修改；其他设备上的登录已结束。", "ok");
    } catch (error) {
      showMessage(message, errorMessage(error));
    } finally {
      submit.disabled = false;
    }
  });
  document.body.append(dialog);
  return dialog;
}
