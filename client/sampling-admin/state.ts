import { byId } from "../lib/dom";
import type { User } from "../lib/types";
import type { Task } from "./types";

/** The page's one state: who is signed in, the open task, the enterprises offered for a 回避 entry. */
export const state = {
  user: undefined as unknown as User,
  selected: null as string | null,
  enterpriseChoices: [] as { id: string; label: string }[],
};

export const message = byId("message");

export const canManage = (task?: Task) =>
  state.user.role === "admin" ||
  (state.user.role === "dept_admin" && (!task || task.departments[0]?.id === state.user.departmentId));
