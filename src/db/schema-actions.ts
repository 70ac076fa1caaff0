/** Corrective actions and the enterprise's evidence (issue 15, R16). Re-exported by schema.ts. */
import { sql } from "drizzle-orm";
import { blob, index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { millis } from "./schema-core.ts";

/**
 * open → evidence_submitted → accepted | returned (→ open again); open/returned → reinspection (a 复查
 * filed) → accepted | superseded (the 复查 failed: a new action carries the chain on). Overdue is not a
 * status: it is computed from the deadline when read (actions/overdue.ts).
 */
export const ACTION_STATUSES = [
  "open",
  "evidence_submitted",
  "accepted",
  "returned",
  "reinspection",
  "superseded",
] as const;
export type ActionStatus = (typeof ACTION_STATUSES)[number];

export const correctiveActions = sqliteTable(
  "corrective_actions",
  {
    id: text("id").primaryKey(),
    /** The inspection whose finding this is; for a chain after a failed 复查, still the original one. */
    inspectionId: text("inspection_id").notNull(),
    /** The inspection whose checklist submit wrote this action (the original, or a 复查). */
    foundInInspectionId: text("found_in_inspection_id").notNull(),
    enterpriseId: text("enterprise_id").notNull(),
    /** The department owning the item: only its users review the action. */
    departmentId: text("department_id").notNull(),
    itemId: text("item_id").notNull(),
    itemCode: text("item_code").notNull(),
    /** The item's checklist form version the point comes from. */
    formId: text("form_id").notNull(),
    formVersion: integer("form_version").notNull(),
    /** The point's question name in the item form (without the checklist's prefix). */
    pointKey: text("point_key").notNull(),
    pointTitle: text("point_title").notNull(),
    requirement: text("requirement").notNull(),
    /** YYYY-MM-DD, the last day in the configured zone. */
    deadline: text("deadline").notNull(),
    status: text("status", { enum: ACTION_STATUSES }).notNull().default("open"),
    /** 首违 (first) or 再次违反 (repeat) for a point marked eligible; null when not eligible. */
    firstViolation: text("first_violation", { enum: ["first", "repeat"] }),
    /** JSON: the rule's inputs and result (src/actions/first-violation.ts). */
    firstViolationBasis: text("first_violation_basis"),
    previousActionId: text("previous_action_id"),
    reinspectionId: text("reinspection_id"),
    statement: text("statement"),
    creditCommitment: integer("credit_commitment", { mode: "boolean" }).notNull().default(false),
    evidenceSubmittedAt: millis("evidence_submitted_at"),
    /** Evidence submitted after the deadline. */
    late: integer("late", { mode: "boolean" }).notNull().default(false),
    returnReason: text("return_reason"),
    verification: text("verification", { enum: ["written", "reinspection"] }),
    acceptedAt: millis("accepted_at"),
    acceptedBy: text("accepted_by"),
    correctedOnTime: integer("corrected_on_time", { mode: "boolean" }),
    /** When the action.overdue outbox event was written (once). */
    overdueNotifiedAt: millis("overdue_notified_at"),
    createdAt: millis("created_at").notNull(),
    updatedAt: millis("updated_at").notNull(),
  },
  (t) => [
    uniqueIndex("corrective_actions_point_unique").on(t.foundInInspectionId, t.itemId, t.pointKey),
    index("corrective_actions_inspection_idx").on(t.inspectionId, t.status),
    index("corrective_actions_department_idx").on(t.departmentId, t.createdAt),
    index("corrective_actions_enterprise_idx").on(t.enterpriseId, t.itemId, t.pointKey),
    index("corrective_actions_reinspection_idx").on(t.reinspectionId),
    index("corrective_actions_due_idx")
      .on(t.deadline)
      .where(sql`${t.status} IN ('open','returned') AND ${t.overdueNotifiedAt} IS NULL`),
  ],
);

/** The enterprise's evidence files, stored in the database like checklist photos. */
export const actionEvidence = sqliteTable(
  "action_evidence",
  {
    id: text("id").primaryKey(),
    actionId: text("action_id").notNull(),
    /** Chosen by the server (id + extension), never the uploader's name. */
    fileName: text("file_name").notNull(),
    contentType: text("content_type").notNull(),
    byteSize: integer("byte_size").notNull(),
    sha256: text("sha256").notNull(),
    data: blob("data", { mode: "buffer" }).notNull(),
    createdAt: millis("created_at").notNull(),
  },
  (t) => [index("action_evidence_action_idx").on(t.actionId)],
);
