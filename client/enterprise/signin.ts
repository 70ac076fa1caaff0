import { ApiError, errorMessage } from "../lib/api";
import { byId, showMessage } from "../lib/dom";
import { entApi, loading, logoutButton, message, show, state } from "./state";
import type { Me } from "./types";

const signinMessage = byId("signin-message");
const codeForm = byId<HTMLFormElement>("code-form");
const loginForm = byId<HTMLFormElement>("login-form");
const creditInput = byId<HTMLInputElement>("credit-code");
const codeInput = byId<HTMLInputElement>("sms-code");
const resend = byId<HTMLButtonElement>("resend");

function startCountdown(seconds = 60) {
  clearInterval(state.countdown);
  let left = seconds;
  resend.disabled = true;
  resend.textContent = `重新获取（${left} 秒）`;
  state.countdown = setInterval(() => {
    left--;
    if (left <= 0) {
      clearInterval(state.countdown);
      resend.disabled = false;
      resend.textContent = "重新获取";
    } else resend.textContent = `重新获取（${left} 秒）`;
  }, 1000);
}

async function sendCode() {
  const creditCode = creditInput.value.trim().toUpperCase();
  if (creditCode.length !== 18) {
    showMessage(signinMessage, "请输入 18 位统一社会信用代码。");
    creditInput.focus();
    return;
  }
  const button = byId<HTMLButtonElement>("send-code");
  button.disabled = true;
  try {
    const res = await entApi<{ message: string }>("/api/public/enterprise/code", "POST", { creditCode });
    byId("code-sent").textContent = `${res.message}。`;
    loginForm.hidden = false;
    codeForm.hidden = true;
    showMessage(signinMessage, "");
    startCountdown();
    codeInput.focus();
  } catch (error) {
    showMessage(signinMessage, errorMessage(error));
  } finally {
    button.disabled = false;
  }
}

export async function signedIn(session: Me) {
  state.csrfToken = session.csrfToken;
  if (state.returnTo) return location.assign(state.returnTo);
  history.replaceState(null, "", "/e");
  await state.route();
}

codeForm.addEventListener("submit", (event) => {
  event.preventDefault();
  void sendCode();
});

resend.addEventListener("click", () => {
  codeForm.hidden = false;
  loginForm.hidden = true;
  void sendCode();
});

loginForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  const code = codeInput.value.trim();
  if (!/^\d{6}$/.test(code)) {
    showMessage(signinMessage, "请输入短信中的 6 位数字验证码。");
    return;
  }
  const button = byId<HTMLButtonElement>("login");
  button.disabled = true;
  try {
    const creditCode = creditInput.value.trim().toUpperCase();
    await signedIn(await entApi<Me>("/api/public/enterprise/login", "POST", { creditCode, code }));
  } catch (error) {
    showMessage(signinMessage, errorMessage(error));
  } finally {
    button.disabled = false;
  }
});

export async function activate(token: string) {
  loading("正在核验激活码…");
  try {
    await signedIn(await entApi<Me>("/api/public/enterprise/activate", "POST", { token }));
  } catch (error) {
    history.replaceState(null, "", "/e");
    show("signin");
    showMessage(signinMessage, errorMessage(error));
  }
}

byId<HTMLFormElement>("token-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const token = byId<HTMLInputElement>("token").value.trim();
  if (token) void activate(token);
});

logoutButton.addEventListener("click", async () => {
  try {
    await entApi("/api/enterprise/logout", "POST");
  } catch (error) {
    if (!(error instanceof ApiError && error.status === 401)) {
      showMessage(message, errorMessage(error));
      return;
    }
  }
  state.csrfToken = null;
  history.replaceState(null, "", "/e");
  await state.route();
});
