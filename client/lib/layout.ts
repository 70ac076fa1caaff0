import { api, errorMessage, setCsrfToken } from "./api";
import { byId, h } from "./dom";
import type { Role, User } from "./types";

/** Nav links every admin page gets, added when the page's static nav lacks them. */
const INSPECTION_LINKS: { href: string; label: string; roles?: Role[] }[] = [
  { href: "/admin/inspections", label: "检查" },
  { href: "/admin/inspections/new", label: "备案", roles: ["officer", "dept_admin"] },
  { href: "/admin/sampling", label: "双随机" },
  { href: "/admin/dashboard", label: "看板", roles: ["admin", "supervisor", "dept_admin"] },
  { href: "/admin/planning", label: "联合检查计划", roles: ["admin", "dept_admin", "supervisor"] },
  { href: "/admin/cases", label: "督办", roles: ["admin", "supervisor", "dept_admin"] },
  { href: "/admin/reviews", label: "案卷评查", roles: ["admin", "supervisor"] },
];

function addInspectionLinks(role: Role): void {
  const nav = document.querySelector(".topbar nav");
  if (!nav) return;
  for (const link of INSPECTION_LINKS) {
    const existing = nav.querySelector<HTMLAnchorElement>(`a[href="${link.href}"]`);
    if (link.roles && !link.roles.includes(role)) {
      existing?.remove();
      continue;
    }
    // Appended (or moved) in this list's order, so the bar reads the same on every page.
    nav.append(existing ?? h("a", { href: link.href }, link.label));
  }
}

/**
 * Wires the admin top bar (the static `#who` and `#logout` in the page), checks the session —
 * redirecting to /login when there is none — and returns the signed-in user.
 */
export async function adminPage(): Promise<User> {
  byId("logout").addEventListener("click", async () => {
    try {
      await api("/api/auth/logout", { method: "POST" });
    } catch (error) {
      console.warn("logout failed:", errorMessage(error));
    }
    location.assign("/login");
  });
  const me = await api<{ user: User; csrfToken: string }>("/api/auth/me");
  setCsrfToken(me.csrfToken);
  byId("who").textContent = me.user.displayName || me.user.username;
  document.body.dataset.role = me.user.role;
  addInspectionLinks(me.user.role);
  addDirectoryLinks(me.user.role);
  addAlertsLink(me.user);
  return me.user;
}

/** The justice bureau's users get the alerts page in the top navigation. */
function addAlertsLink(user: User): void {
  const nav = document.querySelector(".topbar nav");
  if (!nav || (user.role !== "admin" && user.role !== "supervisor")) return;
  if (nav.querySelector('a[href="/admin/alerts"]')) return;
  const link = document.createElement("a");
  link.href = "/admin/alerts";
  link.textContent = "告警";
  if (location.pathname === "/admin/alerts") link.setAttribute("aria-current", "page");
  nav.append(link);
}

/** The directory and catalog pages (officers, enterprises, inspection items). */
const DIRECTORY_LINKS: { href: string; label: string; roles?: Role[] }[] = [
  { href: "/admin/officers", label: "执法人员", roles: ["admin", "dept_admin", "supervisor"] },
  { href: "/admin/enterprises", label: "企业" },
  { href: "/admin/catalog", label: "事项清单" },
];

function addDirectoryLinks(role: Role): void {
  const nav = document.querySelector(".topbar nav");
  if (!nav) return;
  for (const link of DIRECTORY_LINKS) {
    const existing = nav.querySelector<HTMLAnchorElement>(`a[href="${link.href}"]`);
    if (link.roles && !link.roles.includes(role)) {
      existing?.remove();
      continue;
    }
    if (existing) {
      nav.append(existing); // same order on every page
      continue;
    }
    const anchor = h("a", { href: link.href }, link.label);
    if (location.pathname === link.href) anchor.setAttribute("aria-current", "page");
    nav.append(anchor);
  }
}
