/** 案卷评查 (case-file review, issue 16). Re-exported by schema.ts; SQL in migrations/0013_case_file_review.sql. */
import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { departments, forms, inspections, users } from "./schema-core.ts";

const millis = (name: string) => integer(name, { mode: "number" });

export const reviewTasks = sqliteTable("review_tasks", {
  id: text("id").primaryKey(),
  name: text("name").notNull(),
  formId: text("form_id")
    .notNull()
    .references(() => forms.id),
  periodFrom: text("period_from").notNull(),
  periodTo: text("period_to").notNull(),
  perDepartment: integer("per_department").notNull(),
  /** A score below this opens a supervision case. */
  threshold: integer("threshold").notNull(),
  /** JSON array of user ids; the drawn inspections are assigned to them in turn. */
  reviewerIds: text("reviewer_ids").notNull(),
  status: text("status", { enum: ["committed", "drawn"] })
    .notNull()
    .default("committed"),
  snapshot: text("snapshot").notNull(),
  snapshotHash: text("snapshot_hash").notNull(),
  commitment: text("commitment").notNull(),
  /** Secret until revealedAt; never sent before. */
  seed: text("seed").notNull(),
  revealedAt: millis("revealed_at"),
  createdBy: text("created_by").references(() => users.id),
  createdAt: millis("created_at").notNull(),
});

export const reviewItems = sqliteTable(
  "review_items",
  {
    id: text("id").primaryKey(),
    taskId: text("task_id")
      .notNull()
      .references(() => reviewTasks.id),
    inspectionId: text("inspection_id")
      .notNull()
      .references(() => inspections.id),
    departmentId: text("department_id")
      .notNull()
      .references(() => departments.id),
    reviewerId: text("reviewer_id").references(() => users.id),
    formVersion: integer("form_version"),
    answers: text("answers"),
    score: integer("score"),
    maxScore: integer("max_score"),
    scoredAt: millis("scored_at"),
    caseId: text("case_id"),
  },
  (t) => [
    uniqueIndex("review_items_unique").on(t.taskId, t.inspectionId),
    index("review_items_department_idx").on(t.departmentId, t.scoredAt),
  ],
);
