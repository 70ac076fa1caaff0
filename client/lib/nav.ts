import { h, replaceChildren } from "./dom";
import { passwordDialog } from "./password-dialog";
import type { Role } from "./types";

const ALL: Role[] = ["admin", "supervisor", "dept_admin", "officer"];
const DESIGNERS: Role[] = ["admin", "supervisor", "dept_admin"];

export const roleLabels: Record<Role, string> = {
  admin: "系统管理员",
  supervisor: "司法局监督",
  dept_admin: "部门管理员",
  officer: "执法人员",
};

/**
 * Every staff page, the roles that can use it (the same decision the /api routes make, see
 * tests/access-rules.ts) and, for the pages in the top bar, their label. One list, so the bar is
 * the same on every page and never links a page the role would only get 没有权限 on.
 */
export const STAFF_PAGES: { path: RegExp; href?: string; label: string; roles: Role[] }[] = [
  {
    path: /^\/admin\/forms(\/[^/]+\/(edit|responses(\/[^/]+)?|share|poster))?$/,
    href: "/admin/forms",
    label: "表单",
    roles: DESIGNERS,
  },
  {
    path: /^\/admin\/inspections(\/(?!new$)[^/]+(\/checklist)?)?$/,
    href: "/admin/inspections",
    label: "检查",
    roles: ALL,
  },
  {
    path: /^\/admin\/inspections\/new$/,
    href: "/admin/inspections/new",
    label: "备案",
    roles: ["officer", "dept_admin"],
  },
  { path: /^\/admin\/sampling$/, href: "/admin/sampling", label: "双随机", roles: ALL },
  { path: /^\/admin\/planning$/, href: "/admin/planning", label: "联合检查计划", roles: DESIGNERS },
  { path: /^\/admin\/dashboard$/, href: "/admin/dashboard", label: "看板", roles: DESIGNERS },
  { path: /^\/admin\/alerts$/, href: "/admin/alerts", label: "告警", roles: ["admin", "supervisor"] },
  // 督办 (issue 16): the bureau opens and reviews; a department administrator answers its own.
  { path: /^\/admin\/cases(\/[^/]+(\/print)?)?$/, href: "/admin/cases", label: "督办", roles: DESIGNERS },
  // 案卷评查 (issue 16): the bureau's tasks; a reviewer is one of its users.
  {
    path: /^\/admin\/reviews(\/items\/[^/]+)?$/,
    href: "/admin/reviews",
    label: "案卷评查",
    roles: ["admin", "supervisor"],
  },
  { path: /^\/admin\/officers$/, href: "/admin/officers", label: "执法人员", roles: DESIGNERS },
  { path: /^\/admin\/enterprises$/, href: "/admin/enterprises", label: "企业", roles: ALL },
  { path: /^\/admin\/enterprises\/letters$/, label: "企业激活函", roles: ["admin"] },
  { path: /^\/admin\/catalog$/, href: "/admin/catalog", label: "事项清单", roles: ALL },
  { path: /^\/admin\/users$/, href: "/admin/users", label: "用户", roles: ["admin", "dept_admin"] },
  // The audit log (issue 16): a department administrator reads its own department's lines only.
  { path: /^\/admin\/audit$/, href: "/admin/audit", label: "操作记录", roles: DESIGNERS },
];

/** The page entry of a path, or undefined for a page outside the staff area. */
export function staffPage(pathname: string) {
  const path = pathname.replace(/\/+$/, "") || "/";
  return STAFF_PAGES.find((page) => page.path.test(path));
}

/** Where each role starts (mirrors src/pages/routes.ts homeFor). */
export function homeFor(role: Role): string {
  if (role === "admin") return "/admin/forms";
  if (role === "supervisor") return "/admin/dashboard";
  return "/admin/inspections";
}

/**
 * Replaces the page's top bar with the role's navigation: brand, a 菜单 button (shown only on a
 * phone, where the links fold away instead of wrapping into three rows), links, name and 退出.
 */
export function buildTopbar(role: Role, pathname: string): void {
  const inner = document.querySelector(".topbar-inner");
  if (!inner) return;
  const current = staffPage(pathname);
  const who = document.getElementById("who") ?? h("span", { className: "who", id: "who" });
  const logout =
    document.getElementById("logout") ??
    h("button", { type: "button", className: "link-button", id: "logout" }, "退出");
  const nav = h("nav", { "aria-label": "主导航", id: "main-nav" });
  for (const page of STAFF_PAGES) {
    if (!page.href || !page.roles.includes(role)) continue;
    const link = h("a", { href: page.href }, page.label);
    if (current === page) link.setAttribute("aria-current", "page");
    nav.append(link);
  }
  const menu = h(
    "button",
    { type: "button", className: "menu-button", "aria-controls": "main-nav", "aria-expanded": "false" },
    "菜单",
  );
  menu.addEventListener("click", () => {
    const open = menu.getAttribute("aria-expanded") !== "true";
    menu.setAttribute("aria-expanded", String(open));
    inner.closest(".topbar")?.classList.toggle("nav-open", open);
  });
  const brand = h("a", { className: "brand", href: homeFor(role) }, "亮码");
  // The name opens 修改密码 (one's own password), on every staff page.
  const account = h("button", {
    type: "button",
    className: "link-button who-button",
    title: "修改密码",
    "aria-haspopup": "dialog",
  });
  account.append(who);
  account.addEventListener("click", () => {
    const dialog = document.querySelector<HTMLDialogElement>("#password-dialog") ?? passwordDialog();
    dialog.showModal();
  });
  replaceChildren(inner, brand, menu, nav, account, logout);
}

/**
 * A page the role cannot use, opened anyway (a bookmark, a shared link): the main area says so and
 * where to go instead — no spinner waiting for data that will never come, no action buttons.
 */
export function showNotForRole(role: Role, label: string): void {
  const main = document.querySelector("main");
  if (!main) return;
  main.id = main.id || "main-content";
  replaceChildren(
    main,
    h(
      "div",
      { className: "card not-for-role", role: "alert" },
      h("h1", {}, "没有权限"),
      h("p", {}, `「${label}」页面不对${roleLabels[role]}开放。`),
      h("p", {}, h("a", { href: homeFor(role) }, "返回我的首页")),
    ),
  );
  document.title = "没有权限 · 亮码";
}

/** A "skip to content" link as the page's first focusable element (keyboard and screen-reader users). */
export function addSkipLink(): void {
  if (document.querySelector(".skip-link")) return;
  const main = document.querySelector("main");
  if (!main) return;
  if (!main.id) main.id = "main-content";
  if (!main.hasAttribute("tabindex")) main.setAttribute("tabindex", "-1");
  document.body.prepend(h("a", { className: "skip-link", href: `#${main.id}` }, "跳到主要内容"));
}
