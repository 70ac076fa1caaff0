// The planning page's response shapes are the server's zod schemas (type-only imports).
import type { z } from "@hono/zod-openapi";
import type { MatchView, MergeResult, PlannedTask } from "../../src/planning/schemas";

export type Task = z.infer<typeof PlannedTask>;
export type Matches = z.infer<typeof MatchView>;
export type Group = Matches["groups"][number];
export type Merged = z.infer<typeof MergeResult>;

export interface Named {
  id: string;
  name: string;
}

export interface Officer extends Named {
  isHelper: boolean;
  credential: { valid: boolean };
}
