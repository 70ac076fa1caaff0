/** Supervision cases (督办, issue 16). Re-exported by schema.ts; SQL in migrations/0012_cases.sql. */
import { sql } from "drizzle-orm";
import { blob, index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { departments, users } from "./schema-core.ts";

const millis = (name: string) => integer(name, { mode: "number" });

export const CASE_STATUSES = ["opened", "sent", "answered", "returned", "accepted", "closed"] as const;
export type CaseStatus = (typeof CASE_STATUSES)[number];
export const CASE_LEVELS = ["general", "major"] as const;
export type CaseLevel = (typeof CASE_LEVELS)[number];
export const CASE_CONCLUSIONS = [
  "no_issue",
  "rectify",
  "interview",
  "notice",
  "transfer",
  "accountability",
] as const;
export type CaseConclusion = (typeof CASE_CONCLUSIONS)[number];
export const CASE_SOURCE_KINDS = ["alert", "complaint", "warning", "review"] as const;
export type CaseSourceKind = (typeof CASE_SOURCE_KINDS)[number];

/** The last case number given out in each year. */
export const caseCounters = sqliteTable("case_counters", {
  year: integer("year").primaryKey(),
  last: integer("last").notNull(),
});

export const cases = sqliteTable(
  "cases",
  {
    id: text("id").primaryKey(),
    year: integer("year").notNull(),
    seq: integer("seq").notNull(),
    /** 济司督〔YYYY〕第N号 */
    number: text("number").notNull(),
    departmentId: text("department_id")
      .notNull()
      .references(() => departments.id),
    title: text("title").notNull(),
    facts: text("facts").notNull().default(""),
    /** JSON array of 情形 labels from the configured list. */
    situations: text("situations").notNull(),
    /** JSON array of officer ids of the department. */
    officerIds: text("officer_ids").notNull().default("[]"),
    level: text("level", { enum: CASE_LEVELS }).notNull(),
    /** YYYY-MM-DD (configured zone), inclusive: the department's answer is due by the end of it. */
    answerDue: text("answer_due").notNull(),
    status: text("status", { enum: CASE_STATUSES }).notNull().default("opened"),
    /** Bumped by every step; the step's case_events row takes it as its seq. */
    version: integer("version").notNull().default(1),
    openedBy: text("opened_by").references(() => users.id),
    openedAt: millis("opened_at").notNull(),
    sentAt: millis("sent_at"),
    answeredAt: millis("answered_at"),
    acceptedAt: millis("accepted_at"),
    closedAt: millis("closed_at"),
    closedBy: text("closed_by").references(() => users.id),
    conclusion: text("conclusion", { enum: CASE_CONCLUSIONS }),
    /** JSON: the conclusion's own fields (约谈 date/attendees/minutes, 追责 主体/情形/方式, …). */
    conclusionDetail: text("conclusion_detail"),
    updatedAt: millis("updated_at").notNull(),
  },
  (t) => [
    uniqueIndex("cases_number_unique").on(t.year, t.seq),
    index("cases_department_idx").on(t.departmentId, t.openedAt),
    index("cases_status_idx").on(t.status, t.openedAt),
  ],
);

export const caseSources = sqliteTable(
  "case_sources",
  {
    caseId: text("case_id")
      .notNull()
      .references(() => cases.id),
    kind: text("kind", { enum: CASE_SOURCE_KINDS }).notNull(),
    ref: text("ref").notNull(),
    /** 1 while the case is not closed: a source feeds one open case at a time. */
    open: integer("open", { mode: "boolean" }).notNull().default(true),
  },
  (t) => [
    primaryKey({ columns: [t.caseId, t.kind, t.ref] }),
    uniqueIndex("case_sources_open_unique")
      .on(t.kind, t.ref)
      .where(sql`"case_sources"."open" = 1`),
  ],
);

export const caseEvents = sqliteTable(
  "case_events",
  {
    caseId: text("case_id")
      .notNull()
      .references(() => cases.id),
    seq: integer("seq").notNull(),
    at: millis("at").notNull(),
    actorId: text("actor_id").references(() => users.id),
    kind: text("kind").notNull(),
    note: text("note").notNull().default(""),
    detail: text("detail").notNull().default("{}"),
  },
  (t) => [primaryKey({ columns: [t.caseId, t.seq] })],
);

export const caseAttachments = sqliteTable(
  "case_attachments",
  {
    id: text("id").primaryKey(),
    caseId: text("case_id")
      .notNull()
      .references(() => cases.id),
    contentType: text("content_type").notNull(),
    byteSize: integer("byte_size").notNull(),
    sha256: text("sha256").notNull(),
    data: blob("data", { mode: "buffer" }).notNull(),
    uploadedBy: text("uploaded_by").references(() => users.id),
    createdAt: millis("created_at").notNull(),
  },
  (t) => [index("case_attachments_case_idx").on(t.caseId)],
);
