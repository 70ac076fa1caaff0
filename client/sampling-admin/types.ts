// The sampling page's response shapes are the server's zod schemas (type-only imports).
import type { z } from "@hono/zod-openapi";
import type { ConflictSchema, TaskSchema, TaskSummarySchema } from "../../src/sampling/schemas";

export type Task = z.infer<typeof TaskSchema>;
export type Summary = z.infer<typeof TaskSummarySchema>;
export type Conflict = z.infer<typeof ConflictSchema>;
