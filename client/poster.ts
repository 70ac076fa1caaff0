import { api, errorMessage } from "./lib/api";
import { byId, pathSegment, showMessage } from "./lib/dom";
import type { Form, ShareInfo } from "./lib/types";
import { addSkipLink } from "./lib/nav";

addSkipLink();

const formId = pathSegment(2);
const apiBase = `/api/forms/${encodeURIComponent(formId)}`;
const message = byId("message");
const pageSize = byId<HTMLLinkElement>("page-size");
const sizeA4 = byId<HTMLButtonElement>("size-a4");
const sizeA5 = byId<HTMLButtonElement>("size-a5");

function setSize(size: "a4" | "a5") {
  // @page cannot be scoped by a class, so the size rule lives in its own stylesheet.
  pageSize.href = `/css/page-${size}.css`;
  document.body.classList.toggle("size-a4", size === "a4");
  document.body.classList.toggle("size-a5", size === "a5");
  sizeA4.setAttribute("aria-pressed", String(size === "a4"));
  sizeA5.setAttribute("aria-pressed", String(size === "a5"));
  const params = new URLSearchParams(location.search);
  params.set("size", size);
  history.replaceState(null, "", `${location.pathname}?${params}`);
}

async function start() {
  const [{ form }, share] = await Promise.all([
    api<{ form: Form }>(apiBase),
    api<ShareInfo>(`${apiBase}/share`),
  ]);
  byId("poster-title").textContent = form.title || "（未命名）";
  document.title = `${form.title || "海报"} · 海报 · 亮码`;
  byId<HTMLImageElement>("poster-qr").src = share.qrSvgUrl;
  byId("poster-url").textContent = share.url;
  byId<HTMLAnchorElement>("back").href = `/admin/forms/${encodeURIComponent(formId)}/share`;
  if (form.status !== "published") showMessage(message, "提示：该表单当前未发布，扫码将无法填写。", "info");
}

sizeA4.addEventListener("click", () => setSize("a4"));
sizeA5.addEventListener("click", () => setSize("a5"));
byId("print").addEventListener("click", () => window.print());
setSize(new URLSearchParams(location.search).get("size") === "a5" ? "a5" : "a4");
start().catch((error) => showMessage(message, errorMessage(error)));
