/**
 * Dashboard tables (issue 4): narrow copies of the facts the supervision dashboard counts, kept exact by
 * the triggers in migrations/0005_dashboard.sql on every write to inspections, their departments and
 * items, enterprises' districts, checklists and evaluations. Nothing in the app writes them directly.
 * Re-exported by schema.ts.
 */
import { sql } from "drizzle-orm";
import { index, integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";

const millis = (name: string) => integer(name, { mode: "number" });

/** One row per inspection and participating department (a joint inspection has several). */
export const dashboardFacts = sqliteTable(
  "dashboard_facts",
  {
    inspectionId: text("inspection_id").notNull(),
    departmentId: text("department_id").notNull(),
    /** This department leads the inspection: totals across departments count lead rows only. */
    isLead: integer("is_lead", { mode: "boolean" }).notNull(),
    enterpriseId: text("enterprise_id").notNull(),
    /** The enterprise's district (follows the directory). */
    district: text("district").notNull(),
    plannedStart: millis("planned_start").notNull(),
    type: text("type").notNull(),
    status: text("status").notNull(),
    lateFiling: integer("late_filing", { mode: "boolean" }).notNull(),
    /** More than one department takes part (联合检查). */
    joint: integer("joint", { mode: "boolean" }).notNull().default(false),
    /** 非现场检查: none of the filed items is checked on site (catalog method 现场检查). */
    offSite: integer("off_site", { mode: "boolean" }).notNull().default(true),
    evaluatedAt: millis("evaluated_at"),
    score: integer("score"),
    negative: integer("negative", { mode: "boolean" }),
  },
  (t) => [
    primaryKey({ columns: [t.inspectionId, t.departmentId] }),
    index("dashboard_facts_period_idx").on(
      t.plannedStart,
      t.departmentId,
      t.district,
      t.type,
      t.status,
      t.joint,
      t.offSite,
      t.lateFiling,
      t.isLead,
    ),
    index("dashboard_facts_department_idx").on(
      t.departmentId,
      t.plannedStart,
      t.district,
      t.type,
      t.status,
      t.joint,
      t.offSite,
      t.lateFiling,
      t.isLead,
    ),
    index("dashboard_facts_district_idx").on(
      t.district,
      t.plannedStart,
      t.isLead,
      t.departmentId,
      t.type,
      t.status,
      t.joint,
      t.offSite,
      t.lateFiling,
    ),
    index("dashboard_facts_repeat_idx").on(t.departmentId, t.enterpriseId, t.plannedStart, t.status),
    index("dashboard_facts_enterprise_idx").on(t.enterpriseId),
    // Covers the district of an alert's inspection (alerts join the facts by primary key).
    index("dashboard_facts_lookup_idx").on(t.inspectionId, t.departmentId, t.district),
    // Negative evaluations of a period, for the top negative answers.
    index("dashboard_facts_negative_idx")
      .on(t.evaluatedAt, t.departmentId, t.district, t.isLead, t.inspectionId)
      .where(sql`${t.negative} = 1`),
    index("dashboard_facts_evaluated_idx").on(
      t.evaluatedAt,
      t.departmentId,
      t.district,
      t.isLead,
      t.score,
      t.negative,
    ),
    // migrations/0010_dashboard_voice.sql: the few cancelled and late (补办) filings of a period.
    index("dashboard_facts_cancelled_idx")
      .on(t.plannedStart, t.departmentId, t.district, t.isLead)
      .where(sql`${t.status} = 'cancelled'`),
    index("dashboard_facts_late_idx")
      .on(t.plannedStart, t.departmentId, t.district, t.isLead, t.status)
      .where(sql`${t.lateFiling} = 1`),
  ],
);

/** One row per registered (checklist submitted) inspection and filed catalog item, with its result. */
export const dashboardItemFacts = sqliteTable(
  "dashboard_item_facts",
  {
    inspectionId: text("inspection_id").notNull(),
    itemId: text("item_id").notNull(),
    /** The item's department. */
    departmentId: text("department_id").notNull(),
    district: text("district").notNull(),
    plannedStart: millis("planned_start").notNull(),
    /** At least one check point of the item 不合格. */
    failed: integer("failed", { mode: "boolean" }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.inspectionId, t.itemId] }),
    index("dashboard_item_facts_period_idx").on(
      t.plannedStart,
      t.itemId,
      t.departmentId,
      t.district,
      t.failed,
    ),
    index("dashboard_item_facts_item_idx").on(t.itemId, t.failed, t.plannedStart, t.departmentId, t.district),
  ],
);

/**
 * Filings and visits per department, enterprise and calendar year (China Standard Time, UTC+8), kept
 * by triggers on `dashboard_facts`: the repeat-visit and high-frequency figures read it instead of
 * grouping every filing of the year.
 */
export const dashboardFrequency = sqliteTable(
  "dashboard_frequency",
  {
    departmentId: text("department_id").notNull(),
    enterpriseId: text("enterprise_id").notNull(),
    year: integer("year").notNull(),
    district: text("district").notNull(),
    /** Active filings (filed … closed; not refused), as the yearly cap counts them. */
    filings: integer("filings").notNull().default(0),
    /** Filings whose visit took place (in progress, registered, evaluated, closed). */
    visits: integer("visits").notNull().default(0),
  },
  (t) => [
    primaryKey({ columns: [t.departmentId, t.enterpriseId, t.year] }),
    index("dashboard_frequency_year_idx").on(
      t.year,
      t.filings,
      t.departmentId,
      t.district,
      t.visits,
      t.enterpriseId,
    ),
  ],
);

/**
 * Sums of `dashboard_facts` per week (epoch-aligned 7-day blocks), department, district and lead flag,
 * kept by triggers: kind "visit" by planned start (filings and their flags), kind "evaluation" by
 * evaluation time. A period's figures add the whole weeks inside it to the facts of its two edges.
 */
export const dashboardWeekly = sqliteTable(
  "dashboard_weekly",
  {
    kind: text("kind", { enum: ["visit", "evaluation"] }).notNull(),
    week: integer("week").notNull(),
    departmentId: text("department_id").notNull(),
    district: text("district").notNull(),
    isLead: integer("is_lead", { mode: "boolean" }).notNull(),
    filings: integer("filings").notNull().default(0),
    visits: integer("visits").notNull().default(0),
    joint: integer("joint").notNull().default(0),
    offSite: integer("off_site").notNull().default(0),
    cases: integer("cases").notNull().default(0),
    late: integer("late").notNull().default(0),
    refused: integer("refused").notNull().default(0),
    evaluations: integer("evaluations").notNull().default(0),
    scored: integer("scored").notNull().default(0),
    scoreSum: integer("score_sum").notNull().default(0),
    negative: integer("negative").notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.kind, t.week, t.departmentId, t.district, t.isLead] })],
);

/** Each negatively answered question of an evaluation, once (trigger on `evaluations`). */
export const dashboardNegativeAnswers = sqliteTable(
  "dashboard_negative_answers",
  {
    inspectionId: text("inspection_id").notNull(),
    /** The question's name in the evaluation form. */
    name: text("name").notNull(),
    title: text("title").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.inspectionId, t.name] }),
    index("dashboard_negative_answers_title_idx").on(t.inspectionId, t.name, t.title),
  ],
);
