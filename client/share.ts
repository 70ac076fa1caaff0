import { api, errorMessage } from "./lib/api";
import { byId, pathSegment, showMessage } from "./lib/dom";
import { adminPage } from "./lib/layout";
import type { Form, ShareInfo } from "./lib/types";

const formId = pathSegment(2);
const formPath = `/admin/forms/${encodeURIComponent(formId)}`;
const apiBase = `/api/forms/${encodeURIComponent(formId)}`;
const message = byId("message");
const urlInput = byId<HTMLInputElement>("public-url");
const copyState = byId("copy-state");

byId<HTMLAnchorElement>("link-edit").href = `${formPath}/edit`;
byId<HTMLAnchorElement>("link-responses").href = `${formPath}/responses`;

function withSize(url: string, size: number): string {
  const parsed = new URL(url, location.origin);
  parsed.searchParams.set("size", String(size));
  return parsed.pathname + parsed.search;
}

/** A file name from the form title, without characters that file systems reject. */
function fileName(title: string, ext: string): string {
  const clean = title
    .replace(/[\\/:*?"<>|\u0000-\u001f]/g, "")
    .trim()
    .slice(0, 60);
  return `${clean || "form"}-二维码.${ext}`;
}

async function copyUrl() {
  try {
    await navigator.clipboard.writeText(urlInput.value);
  } catch {
    // Clipboard API needs https (or localhost); fall back to selecting the text for the user.
    urlInput.focus();
    urlInput.select();
    const copied = document.execCommand?.("copy");
    copyState.textContent = copied ? "已复制链接" : "请长按或按 Ctrl+C 复制已选中的链接";
    return;
  }
  copyState.textContent = "已复制链接";
}

async function start() {
  await adminPage();
  const [{ form }, share] = await Promise.all([
    api<{ form: Form }>(apiBase),
    api<ShareInfo>(`${apiBase}/share`),
  ]);
  const title = form.title || "（未命名）";
  byId("crumb-title").textContent = title;
  byId("page-title").textContent = `${title} · 分享`;
  document.title = `${title} · 分享 · 亮码`;
  urlInput.value = share.url;
  byId<HTMLAnchorElement>("open-url").href = share.url;
  byId<HTMLImageElement>("qr").src = share.qrSvgUrl;
  const svg = byId<HTMLAnchorElement>("download-svg");
  svg.href = share.qrSvgUrl;
  svg.download = fileName(title, "svg");
  const png = byId<HTMLAnchorElement>("download-png");
  png.href = withSize(share.qrPngUrl, 1024);
  png.download = fileName(title, "png");
  byId<HTMLAnchorElement>("poster").href = share.posterUrl;
  if (form.status !== "published") {
    showMessage(
      message,
      form.status === "archived"
        ? "该表单已归档，扫码后将看到“表单未开放”的提示。"
        : "该表单尚未发布（或已停止收集），扫码后将看到“表单未开放”的提示。请先在设计页发布。",
      "info",
    );
  }
}

byId("copy").addEventListener("click", () => void copyUrl());
start().catch((error) => showMessage(message, errorMessage(error)));
