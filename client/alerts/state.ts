import { byId } from "../lib/dom";
import type { User } from "../lib/types";
import type { AlertItem, Person } from "./types";

/** The page's one state: the signed-in user, the filtered list, the open alert and unsent texts. */
export const state = {
  me: undefined as unknown as User,
  filter: "active",
  items: [] as AlertItem[],
  nextCursor: null as string | null,
  selected: null as string | null,
  assignees: [] as Person[],
  /** Alerts just raised, highlighted for a few seconds. */
  fresh: new Set<string>(),
  /** Unsent texts per alert and field, so a live update re-rendering the detail never loses typing. */
  drafts: new Map<string, string>(),
  /** Set by the entry (alerts.ts): opens an alert's detail. */
  select: async (_id: string): Promise<void> => {},
};

export const list = byId("alert-items");
export const detailBox = byId("detail");
export const message = byId("message");
export const live = byId("live");
export const loadMore = byId<HTMLButtonElement>("load-more");
export const filters = byId("filters");
