import { api, ApiError, errorMessage } from "./lib/api";
import { byId, showMessage } from "./lib/dom";
import { safeNext } from "./lib/next";
import { addSkipLink } from "./lib/nav";
import { clearSessionCaches } from "./lib/session-caches";

addSkipLink();

const form = byId<HTMLFormElement>("login-form");
const username = byId<HTMLInputElement>("username");
const password = byId<HTMLInputElement>("password");
const submit = byId<HTMLButtonElement>("submit");
const message = byId("message");
const target = safeNext(new URLSearchParams(location.search).get("next"), location.origin);

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  if (!username.value.trim() || !password.value) {
    showMessage(message, "请输入用户名和密码。");
    return;
  }
  submit.disabled = true;
  submit.textContent = "正在登录…";
  showMessage(message, "");
  try {
    await api("/api/auth/login", {
      method: "POST",
      body: { username: username.value.trim(), password: password.value },
      noLoginRedirect: true,
    });
    // A session that ended without 退出 (expired, or ended by an administrator) left its data behind.
    await clearSessionCaches();
    location.assign(target);
  } catch (error) {
    const text =
      error instanceof ApiError && error.code === "invalid_credentials"
        ? error.message || "用户名或密码错误。"
        : errorMessage(error);
    showMessage(message, text);
    password.select();
    submit.disabled = false;
    submit.textContent = "登录";
  }
});
