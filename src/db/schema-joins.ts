/** Join requests (R18: a department acts only in its own name). Re-exported by schema.ts. */
import { sql } from "drizzle-orm";
import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { departments, inspections, millis, users } from "./schema-core.ts";

/** join: asked for by the joining department; filing / merge: named in a joint filing or a merge. */
export const JOIN_ORIGINS = ["join", "filing", "merge"] as const;
/** pending until both administrators consented (joined) or one of them refused. */
export const JOIN_STATUSES = ["pending", "joined", "refused"] as const;
export type JoinStatus = (typeof JOIN_STATUSES)[number];

/**
 * A department's request to take part in an inspection led by another. It is joined (its row in
 * inspection_departments, its officers and items added) only once the lead department's administrator
 * accepted and its own administrator approved it.
 */
export const joinRequests = sqliteTable(
  "join_requests",
  {
    id: text("id").primaryKey(),
    inspectionId: text("inspection_id")
      .notNull()
      .references(() => inspections.id),
    departmentId: text("department_id")
      .notNull()
      .references(() => departments.id),
    origin: text("origin", { enum: JOIN_ORIGINS }).notNull(),
    /** JSON arrays of the department's own officers and items that join with it. */
    officerIds: text("officer_ids").notNull(),
    itemIds: text("item_ids").notNull(),
    status: text("status", { enum: JOIN_STATUSES }).notNull().default("pending"),
    requestedBy: text("requested_by").references(() => users.id),
    requestedAt: millis("requested_at").notNull(),
    leadAcceptedBy: text("lead_accepted_by").references(() => users.id),
    leadAcceptedAt: millis("lead_accepted_at"),
    departmentApprovedBy: text("department_approved_by").references(() => users.id),
    departmentApprovedAt: millis("department_approved_at"),
    decidedBy: text("decided_by").references(() => users.id),
    decidedAt: millis("decided_at"),
    refusalReason: text("refusal_reason"),
  },
  (t) => [
    uniqueIndex("join_requests_pending_idx")
      .on(t.inspectionId, t.departmentId)
      .where(sql`"join_requests"."status" = 'pending'`),
    index("join_requests_department_idx").on(t.departmentId, t.status),
    index("join_requests_inspection_idx").on(t.inspectionId, t.status),
  ],
);
