import type { SessionUser } from "../env.ts";
import { forbidden } from "../lib/errors.ts";

/** Administrators and supervisors see every department's records; everyone else only their own. */
export function readsAllDepartments(user: SessionUser): boolean {
  return user.role === "admin" || user.role === "supervisor";
}

/** Whether a record of `departmentId` is within the user's reach (out of reach answers 404). */
export function canSeeDepartment(user: SessionUser, departmentId: string): boolean {
  return readsAllDepartments(user) || (user.departmentId !== null && user.departmentId === departmentId);
}

/** The department a write goes to: any for administrators, their own for department administrators. */
export function writableDepartment(
  user: SessionUser,
  requested: string | undefined,
  what: string,
): string | undefined {
  if (user.role === "admin") return requested;
  if (requested !== undefined && requested !== user.departmentId) {
    throw forbidden(`部门管理员只能管理本部门的${what}`);
  }
  return user.departmentId ?? undefined;
}
