/** 双随机 sampling tables (issue 4, R10). Re-exported by schema.ts. */
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { departments, enterprises, inspections, officers, users } from "./schema-core.ts";

const millis = (name: string) => integer(name, { mode: "number" });

export const SAMPLING_STATUSES = ["draft", "committed", "drawn", "published"] as const;
export type SamplingStatus = (typeof SAMPLING_STATUSES)[number];

/**
 * A 双随机 task: its parameters while a draft; from the commit on, the frozen snapshot (JSON, with its
 * hash), the commitment sha256(seed) and — kept secret until the reveal — the seed; then the result.
 */
export const samplingTasks = sqliteTable(
  "sampling_tasks",
  {
    id: text("id").primaryKey(),
    name: text("name").notNull(),
    leadDepartmentId: text("lead_department_id")
      .notNull()
      .references(() => departments.id),
    /** JSON array of catalog item ids, all of the task's departments. */
    itemIds: text("item_ids").notNull(),
    /** YYYY-MM-DD, both inclusive, in the configured time zone. */
    periodFrom: text("period_from").notNull(),
    periodTo: text("period_to").notNull(),
    /** JSON {districts, industries, riskLevels}; an empty list means no filter. */
    filters: text("filters").notNull(),
    /** JSON {A,B,C,D} in basis points (1 % = 100). */
    ratiosBp: text("ratios_bp").notNull(),
    /** JSON array of credit codes included without a draw (complaints, clues). */
    triggeredCreditCodes: text("triggered_credit_codes").notNull().default("[]"),
    inspectorsPerEnterprise: integer("inspectors_per_enterprise").notNull().default(2),
    status: text("status", { enum: SAMPLING_STATUSES }).notNull().default("draft"),
    snapshot: text("snapshot"),
    snapshotHash: text("snapshot_hash"),
    commitment: text("commitment"),
    /** Secret until revealedAt; never sent before. */
    seed: text("seed"),
    result: text("result"),
    createdBy: text("created_by").references(() => users.id),
    createdAt: millis("created_at").notNull(),
    updatedAt: millis("updated_at").notNull(),
    committedAt: millis("committed_at"),
    drawnAt: millis("drawn_at"),
    revealedAt: millis("revealed_at"),
    filedAt: millis("filed_at"),
  },
  (t) => [
    index("sampling_tasks_lead_idx").on(t.leadDepartmentId, t.createdAt),
    index("sampling_tasks_status_idx").on(t.status, t.committedAt),
  ],
);

/** The departments of a task (the lead's first); officers come only from these. */
export const samplingTaskDepartments = sqliteTable(
  "sampling_task_departments",
  {
    taskId: text("task_id")
      .notNull()
      .references(() => samplingTasks.id),
    departmentId: text("department_id")
      .notNull()
      .references(() => departments.id),
    position: integer("position").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.taskId, t.departmentId] }),
    index("sampling_task_departments_dept_idx").on(t.departmentId),
  ],
);

/** 回避登记: an officer who must never be drawn for an enterprise, and why. */
export const samplingConflicts = sqliteTable(
  "sampling_conflicts",
  {
    id: text("id").primaryKey(),
    officerId: text("officer_id")
      .notNull()
      .references(() => officers.id),
    enterpriseId: text("enterprise_id")
      .notNull()
      .references(() => enterprises.id),
    reason: text("reason").notNull(),
    createdBy: text("created_by").references(() => users.id),
    createdAt: millis("created_at").notNull(),
    updatedAt: millis("updated_at").notNull(),
  },
  (t) => [
    uniqueIndex("sampling_conflicts_pair_unique").on(t.officerId, t.enterpriseId),
    index("sampling_conflicts_enterprise_idx").on(t.enterpriseId),
  ],
);

export const SAMPLING_FILING_OUTCOMES = [
  "filed",
  "duplicate_window",
  "yearly_cap",
  "unstaffed",
  "refused",
] as const;
export type SamplingFilingOutcome = (typeof SAMPLING_FILING_OUTCOMES)[number];

/**
 * What became of each drawn enterprise when the task was filed: one row per (task, enterprise), written
 * in the same batch as the filing, so filing again never files an enterprise twice.
 */
export const samplingFilings = sqliteTable(
  "sampling_filings",
  {
    taskId: text("task_id")
      .notNull()
      .references(() => samplingTasks.id),
    enterpriseId: text("enterprise_id")
      .notNull()
      .references(() => enterprises.id),
    outcome: text("outcome", { enum: SAMPLING_FILING_OUTCOMES }).notNull(),
    inspectionId: text("inspection_id").references(() => inspections.id),
    /** The filing that occupies the window, for a duplicate_window outcome. */
    conflictInspectionId: text("conflict_inspection_id").references(() => inspections.id),
    message: text("message").notNull().default(""),
    createdAt: millis("created_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.taskId, t.enterpriseId] })],
);
