import type { Chart } from "chart.js";
import { byId } from "../lib/dom";
import type { Filters } from "./types";

/** The page's one state: the filters the server allows, names by id, drawn charts, the open drill-down. */
export const state = {
  message: byId("message"),
  filters: undefined as unknown as Filters,
  names: new Map<string, string>(),
  charts: new Map<string, Chart>(),
  drill: { query: "", cursor: null as string | null },
};
