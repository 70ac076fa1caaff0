import { inputToIso } from "../lib/local-time";
import { byId } from "../lib/dom";
import type { User } from "../lib/types";
import type { Officer, Task } from "./types";

/** The page's one state: who is signed in, the task in the dialog, officers fetched per department. */
export const state = {
  me: undefined as unknown as User,
  /** The task being edited in the dialog, or null for a new one. */
  editing: null as Task | null,
  officersByDepartment: new Map<string, Promise<Officer[]>>(),
  /** Set by the entry (planning.ts): reloads the tasks and the matches of the period. */
  refresh: async (): Promise<void> => {},
};

export const message = byId("message");
export const fromInput = byId<HTMLInputElement>("period-from");
export const toInput = byId<HTMLInputElement>("period-to");
export const dialog = byId<HTMLDialogElement>("task-dialog");
export const taskMessage = byId("task-message");
export const departmentSelect = byId<HTMLSelectElement>("task-department");
export const enterpriseQuery = byId<HTMLInputElement>("task-enterprise-q");
export const enterpriseSelect = byId<HTMLSelectElement>("task-enterprise");

export const canWrite = () => state.me.role === "admin" || state.me.role === "dept_admin";
export const coordinates = () => state.me.role === "admin" || state.me.role === "supervisor";

/** A date input value (China time) as the ISO instant starting that day, or ending it. */
/** The first and the last minute of a day in the deployment's zone, as ISO instants. */
export const dayStart = (day: string) => inputToIso(`${day}T00:00`)!;
export const dayEnd = (day: string) => inputToIso(`${day}T23:59`)!;

export function periodQuery(): string {
  const params = new URLSearchParams({ from: dayStart(fromInput.value), to: dayEnd(toInput.value) });
  return params.toString();
}
