import { h } from "./dom";
import type { Role } from "./types";

/** Who may open /admin/audit (the API answers others 403). */
const READERS: Role[] = ["admin", "supervisor", "dept_admin"];

/** The audit log page filtered to one record. */
export function auditHref(targetType: string, targetId: string): string {
  return `/admin/audit?${new URLSearchParams({ targetType, targetId })}`;
}

/** A "操作记录" link to a record's audit lines, or null for a role that cannot read them. */
export function auditLink(role: Role | undefined, targetType: string, targetId: string): HTMLElement | null {
  if (!role || !READERS.includes(role)) return null;
  return h("a", { className: "audit-link", href: auditHref(targetType, targetId) }, "操作记录");
}
