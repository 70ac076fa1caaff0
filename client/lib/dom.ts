import { localDateTime } from "./local-time";
import type { FormKind, FormStatus, Role } from "./types";

type Child = Node | string | number | null | undefined | false;
type Attrs = Record<string, string | number | boolean | null | undefined | EventListener>;

/**
 * Builds an element. Strings become text nodes (never HTML), `on*` attributes with a function
 * become event listeners, `false`/`null` attributes are left out.
 */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (typeof value === "function") {
      element.addEventListener(name.replace(/^on/, "").toLowerCase(), value);
    } else if (name === "className") {
      element.className = String(value);
    } else {
      element.setAttribute(name, value === true ? "" : String(value));
    }
  }
  append(element, ...children);
  return element;
}

/** Appends children; strings become text nodes. */
export function append(parent: Node, ...children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replaces all children of an element. */
export function replaceChildren(parent: Element, ...children: Child[]): void {
  parent.replaceChildren();
  append(parent, ...children);
}

/** Looks up an element that the page's HTML must contain. */
export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const element = document.getElementById(id);
  if (!element) throw new Error(`页面缺少元素 #${id}`);
  return element as T;
}

/** Shows a message in a status box (`role=alert` for errors). Empty text hides the box. */
export function showMessage(box: HTMLElement, text: string, kind: "error" | "ok" | "info" = "error"): void {
  box.textContent = text;
  box.className = `message message-${kind}`;
  box.hidden = text === "";
  box.setAttribute("role", kind === "error" ? "alert" : "status");
}

/** Path segment `index` of location.pathname, decoded (`/admin/forms/:id/edit` → index 2 is the id). */
export function pathSegment(index: number): string {
  const segments = location.pathname.split("/").filter(Boolean);
  return decodeURIComponent(segments[index] ?? "");
}

/** An ISO time as every page shows it: "2026-12-06 14:31" in the deployment's zone; — for nothing. */
export const formatTime = localDateTime;

export const kindLabels: Record<FormKind, string> = {
  checklist: "检查表",
  evaluation: "评价表",
  survey: "问卷",
  review: "案卷评查表",
};

export const statusLabels: Record<FormStatus, string> = {
  draft: "草稿",
  published: "已发布",
  archived: "已归档",
};

export const roleLabels: Record<Role, string> = {
  admin: "管理员",
  dept_admin: "部门管理员",
  officer: "执法人员",
  supervisor: "监督人员",
};
