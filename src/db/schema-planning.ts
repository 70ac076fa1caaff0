/** planning tables (issue 4: joint inspections, 进一次门、查多项事). Re-exported by schema.ts. */
import { index, integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { catalogItems, departments, enterprises, inspections, millis, users } from "./schema-core.ts";

/** The kinds of planned work a department enters: 日常 / 双随机 / 专项. */
export const PLANNED_KINDS = ["routine", "random", "campaign"] as const;
export type PlannedKind = (typeof PLANNED_KINDS)[number];
/** planned: waiting for the coordinator; merged: linked to the joint filing that carries it out. */
export const PLANNED_STATUSES = ["planned", "merged"] as const;

/** A department's planned inspection of one enterprise in a window, matched into joint visits (R11). */
export const plannedTasks = sqliteTable(
  "planned_tasks",
  {
    id: text("id").primaryKey(),
    enterpriseId: text("enterprise_id")
      .notNull()
      .references(() => enterprises.id),
    departmentId: text("department_id")
      .notNull()
      .references(() => departments.id),
    kind: text("kind", { enum: PLANNED_KINDS }).notNull(),
    plannedStart: millis("planned_start").notNull(),
    plannedEnd: millis("planned_end").notNull(),
    notes: text("notes").notNull().default(""),
    status: text("status", { enum: PLANNED_STATUSES }).notNull().default("planned"),
    /** The joint filing the task was merged into. */
    inspectionId: text("inspection_id").references(() => inspections.id),
    createdBy: text("created_by").references(() => users.id),
    createdAt: millis("created_at").notNull(),
    updatedAt: millis("updated_at").notNull(),
  },
  (t) => [
    index("planned_tasks_enterprise_idx").on(t.enterpriseId, t.plannedStart),
    index("planned_tasks_department_idx").on(t.departmentId, t.plannedStart),
    index("planned_tasks_inspection_idx").on(t.inspectionId),
  ],
);

/** The catalog items a planned task will check (always the task department's own items). */
export const plannedTaskItems = sqliteTable(
  "planned_task_items",
  {
    taskId: text("task_id")
      .notNull()
      .references(() => plannedTasks.id),
    itemId: text("item_id")
      .notNull()
      .references(() => catalogItems.id),
  },
  (t) => [primaryKey({ columns: [t.taskId, t.itemId] })],
);
