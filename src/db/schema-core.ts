import { sql } from "drizzle-orm";
import {
  blob,
  foreignKey,
  index,
  integer,
  primaryKey,
  sqliteTable,
  text,
  uniqueIndex,
} from "drizzle-orm/sqlite-core";

/** Epoch milliseconds; the API turns them into ISO strings. */
export const millis = (name: string) => integer(name, { mode: "number" });

export const settings = sqliteTable("settings", {
  key: text("key").primaryKey(),
  value: text("value").notNull(),
});

export const departments = sqliteTable("departments", {
  id: text("id").primaryKey(),
  code: text("code").notNull().unique(),
  name: text("name").notNull(),
  /** On the published list of inspecting bodies (行政检查主体清单, R1): only listed ones may file. */
  listed: integer("listed", { mode: "boolean" }).notNull().default(true),
  district: text("district").notNull().default(""),
  createdAt: millis("created_at").notNull(),
});

export const ROLES = ["admin", "dept_admin", "officer", "supervisor"] as const;
export type Role = (typeof ROLES)[number];

export const users = sqliteTable("users", {
  id: text("id").primaryKey(),
  username: text("username").notNull().unique(),
  displayName: text("display_name").notNull(),
  passwordHash: text("password_hash").notNull(),
  role: text("role", { enum: ROLES }).notNull(),
  departmentId: text("department_id").references(() => departments.id),
  disabled: integer("disabled", { mode: "boolean" }).notNull().default(false),
  createdAt: millis("created_at").notNull(),
  updatedAt: millis("updated_at").notNull(),
});

/** The primary key is the SHA-256 of the cookie token, so a leaked table does not leak sessions. */
export const sessions = sqliteTable(
  "sessions",
  {
    id: text("id").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    csrfToken: text("csrf_token").notNull(),
    createdAt: millis("created_at").notNull(),
    expiresAt: millis("expires_at").notNull(),
  },
  (t) => [index("sessions_user_idx").on(t.userId)],
);

/** review: 案卷评查 score sheets (issue 16), each item a rating whose maximum is its points. */
export const FORM_KINDS = ["checklist", "evaluation", "survey", "review"] as const;
export type FormKind = (typeof FORM_KINDS)[number];
export const FORM_STATUSES = ["draft", "published", "archived"] as const;
export type FormStatus = (typeof FORM_STATUSES)[number];

export const forms = sqliteTable(
  "forms",
  {
    id: text("id").primaryKey(),
    kind: text("kind", { enum: FORM_KINDS }).notNull(),
    title: text("title").notNull(),
    description: text("description").notNull().default(""),
    departmentId: text("department_id").references(() => departments.id),
    draftSchema: text("draft_schema").notNull(),
    status: text("status", { enum: FORM_STATUSES }).notNull().default("draft"),
    latestVersion: integer("latest_version"),
    /** The version the public runner serves; null while not collecting. */
    publishedVersion: integer("published_version"),
    createdBy: text("created_by").references(() => users.id),
    createdAt: millis("created_at").notNull(),
    updatedAt: millis("updated_at").notNull(),
  },
  (t) => [index("forms_department_idx").on(t.departmentId)],
);

/** Immutable once written: responses point at (form_id, version) forever. */
export const formVersions = sqliteTable(
  "form_versions",
  {
    formId: text("form_id")
      .notNull()
      .references(() => forms.id),
    version: integer("version").notNull(),
    title: text("title").notNull(),
    schema: text("schema").notNull(),
    publishedAt: millis("published_at").notNull(),
    publishedBy: text("published_by").references(() => users.id),
  },
  (t) => [primaryKey({ columns: [t.formId, t.version] })],
);

export const responses = sqliteTable(
  "responses",
  {
    /** Client-generated idempotency key (UUID). */
    id: text("id").primaryKey(),
    formId: text("form_id").notNull(),
    version: integer("version").notNull(),
    data: text("data").notNull(),
    /** SHA-256 of the canonical request body: a retry with the same id must carry the same body. */
    bodyHash: text("body_hash").notNull(),
    submittedAt: millis("submitted_at").notNull(),
  },
  (t) => [
    foreignKey({
      columns: [t.formId, t.version],
      foreignColumns: [formVersions.formId, formVersions.version],
    }),
    index("responses_form_time_idx").on(t.formId, t.submittedAt, t.id),
    index("responses_form_version_idx").on(t.formId, t.version),
  ],
);

export const auditLog = sqliteTable(
  "audit_log",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    at: millis("at").notNull(),
    actorId: text("actor_id"),
    actorName: text("actor_name"),
    action: text("action").notNull(),
    targetType: text("target_type"),
    targetId: text("target_id"),
    ip: text("ip"),
    /** JSON: {before?, after?, ...} */
    detail: text("detail").notNull().default("{}"),
    /** Hash chain (src/audit/chain.ts): both NULL until the sealer links the entry, then never changed. */
    prevHash: text("prev_hash"),
    hash: text("hash"),
  },
  (t) => [
    index("audit_at_idx").on(t.at),
    index("audit_target_idx").on(t.targetType, t.targetId),
    index("audit_unsealed_idx")
      .on(t.id)
      .where(sql`${t.hash} is null`),
  ],
);

// ---- Inspections (涉企行政检查): directories, catalog, filings, checklists, evaluations, alerts ----

export const CREDIT_GRADES = ["A", "B", "C", "D"] as const;
export const RISK_LEVELS = ["low", "medium", "high"] as const;
/** revoked: 执法证已收回 (a supervision case's 追责, issue 16); suspended also covers 暂扣. */
export const OFFICER_STATUSES = ["active", "suspended", "retired", "revoked"] as const;

/** An enforcement officer (执法人员) or a helper (辅助人员, who never counts as an inspector). */
export const officers = sqliteTable(
  "officers",
  {
    id: text("id").primaryKey(),
    departmentId: text("department_id")
      .notNull()
      .references(() => departments.id),
    /** The login of this officer, when they have one. */
    userId: text("user_id")
      .unique()
      .references(() => users.id),
    name: text("name").notNull(),
    isHelper: integer("is_helper", { mode: "boolean" }).notNull().default(false),
    /** 执法证号; null for helpers. */
    credentialNo: text("credential_no").unique(),
    /** YYYY-MM-DD, both inclusive. */
    credentialIssuedOn: text("credential_issued_on"),
    credentialExpiresOn: text("credential_expires_on"),
    status: text("status", { enum: OFFICER_STATUSES }).notNull().default("active"),
    createdAt: millis("created_at").notNull(),
    updatedAt: millis("updated_at").notNull(),
  },
  (t) => [index("officers_department_idx").on(t.departmentId)],
);

export const enterprises = sqliteTable(
  "enterprises",
  {
    id: text("id").primaryKey(),
    /** 统一社会信用代码: 18 characters ending in its GB 32100-2015 check character. */
    creditCode: text("credit_code").notNull().unique(),
    name: text("name").notNull(),
    address: text("address").notNull().default(""),
    district: text("district").notNull().default(""),
    industry: text("industry").notNull().default(""),
    legalRepresentative: text("legal_representative").notNull().default(""),
    contact: text("contact").notNull().default(""),
    /** Mainland mobile number (1[3-9] + 9 digits) that receives the enterprise's sign-in codes. */
    contactPhone: text("contact_phone"),
    creditGrade: text("credit_grade", { enum: CREDIT_GRADES }).notNull().default("B"),
    riskLevel: text("risk_level", { enum: RISK_LEVELS }).notNull().default("medium"),
    createdAt: millis("created_at").notNull(),
    updatedAt: millis("updated_at").notNull(),
  },
  (t) => [index("enterprises_district_idx").on(t.district), index("enterprises_name_idx").on(t.name)],
);

/** The catalog of enterprise inspection items (涉企检查事项清单, R3): nothing outside it can be filed. */
export const catalogItems = sqliteTable(
  "catalog_items",
  {
    id: text("id").primaryKey(),
    code: text("code").notNull().unique(),
    departmentId: text("department_id")
      .notNull()
      .references(() => departments.id),
    name: text("name").notNull(),
    /** 检查依据 */
    legalBasis: text("legal_basis").notNull(),
    /** 检查方式, e.g. 现场检查 / 书面检查 / 网络检查 */
    method: text("method").notNull().default("现场检查"),
    /** Visits per enterprise per year for this item; null means the department's default cap. */
    yearlyCap: integer("yearly_cap"),
    /** A form of kind "checklist" holding this item's check points. */
    checklistFormId: text("checklist_form_id").references(() => forms.id),
    /** A corrective action of this item may be accepted on written evidence (书面核查), without a 复查. */
    writtenVerification: integer("written_verification", { mode: "boolean" }).notNull().default(false),
    status: text("status", { enum: ["active", "retired"] })
      .notNull()
      .default("active"),
    createdAt: millis("created_at").notNull(),
    updatedAt: millis("updated_at").notNull(),
  },
  (t) => [index("catalog_department_idx").on(t.departmentId)],
);

/** reinspection: 复查 of corrective actions (issue 15), exempt from the window and the yearly cap. */
export const INSPECTION_TYPES = ["routine", "random", "campaign", "case", "reinspection"] as const;
export type InspectionType = (typeof INSPECTION_TYPES)[number];
export const INSPECTION_STATUSES = [
  "draft",
  "filed",
  "approved",
  "refused",
  "in_progress",
  "registered",
  "evaluated",
  "closed",
  "cancelled",
] as const;
export type InspectionStatus = (typeof INSPECTION_STATUSES)[number];

/** One visit to one enterprise (a joint inspection has several departments). */
export const inspections = sqliteTable(
  "inspections",
  {
    id: text("id").primaryKey(),
    enterpriseId: text("enterprise_id")
      .notNull()
      .references(() => enterprises.id),
    /** The department that filed first and leads the visit. */
    leadDepartmentId: text("lead_department_id")
      .notNull()
      .references(() => departments.id),
    type: text("type", { enum: INSPECTION_TYPES }).notNull(),
    /** Why a case-triggered (个案) inspection happens: complaint, referral, … */
    caseReason: text("case_reason"),
    status: text("status", { enum: INSPECTION_STATUSES }).notNull().default("filed"),
    plannedStart: millis("planned_start").notNull(),
    plannedEnd: millis("planned_end").notNull(),
    legalBasis: text("legal_basis").notNull(),
    notes: text("notes").notNull().default(""),
    /** 补办: filed after an urgent visit, with a reason; flagged in statistics. */
    lateFiling: integer("late_filing", { mode: "boolean" }).notNull().default(false),
    lateReason: text("late_reason"),
    filedBy: text("filed_by").references(() => users.id),
    filedAt: millis("filed_at").notNull(),
    decidedBy: text("decided_by").references(() => users.id),
    decidedAt: millis("decided_at"),
    refusalReason: text("refusal_reason"),
    startedAt: millis("started_at"),
    registeredAt: millis("registered_at"),
    evaluatedAt: millis("evaluated_at"),
    closedAt: millis("closed_at"),
    /** When an officer on the inspection said the team arrived (once), and where, if the phone told. */
    arrivedAt: millis("arrived_at"),
    arrivedBy: text("arrived_by").references(() => users.id),
    /** JSON {lat, lng, accuracy} in WGS84, or null. */
    arrivalLocation: text("arrival_location"),
    /** When the enterprise confirmed the arrival from its portal (once). */
    enterpriseArrivalAt: millis("enterprise_arrival_at"),
    /** Withdrawn before the visit (R15): frees the duplicate window and the yearly cap. */
    cancelledAt: millis("cancelled_at"),
    cancelledBy: text("cancelled_by").references(() => users.id),
    cancelReason: text("cancel_reason"),
    /** 复查: the inspection whose corrective actions this one re-inspects. */
    reinspectionOf: text("reinspection_of"),
    /** 办结 by the lead administrator while corrective actions were still open, with the reason. */
    closedWithOpenActions: integer("closed_with_open_actions", { mode: "boolean" }).notNull().default(false),
    closeReason: text("close_reason"),
    /** Random per inspection; part of the signed inspection code, so codes can be reissued. */
    codeNonce: text("code_nonce").notNull(),
    createdAt: millis("created_at").notNull(),
    updatedAt: millis("updated_at").notNull(),
  },
  (t) => [
    index("inspections_enterprise_idx").on(t.enterpriseId, t.plannedStart),
    index("inspections_department_idx").on(t.leadDepartmentId, t.plannedStart),
    index("inspections_status_idx").on(t.status),
    index("inspections_unregistered_idx")
      .on(t.plannedEnd)
      .where(sql`${t.status} IN ('approved', 'in_progress')`),
  ],
);

export const inspectionDepartments = sqliteTable(
  "inspection_departments",
  {
    inspectionId: text("inspection_id")
      .notNull()
      .references(() => inspections.id),
    departmentId: text("department_id")
      .notNull()
      .references(() => departments.id),
    joinedAt: millis("joined_at").notNull(),
    joinedBy: text("joined_by").references(() => users.id),
  },
  (t) => [
    primaryKey({ columns: [t.inspectionId, t.departmentId] }),
    index("insp_dept_idx").on(t.departmentId),
  ],
);

export const inspectionOfficers = sqliteTable(
  "inspection_officers",
  {
    inspectionId: text("inspection_id")
      .notNull()
      .references(() => inspections.id),
    officerId: text("officer_id")
      .notNull()
      .references(() => officers.id),
    /** Copied from the officer at filing time: helpers never count towards the two inspectors. */
    isHelper: integer("is_helper", { mode: "boolean" }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.inspectionId, t.officerId] }), index("insp_officer_idx").on(t.officerId)],
);

export const inspectionItems = sqliteTable(
  "inspection_items",
  {
    inspectionId: text("inspection_id")
      .notNull()
      .references(() => inspections.id),
    itemId: text("item_id")
      .notNull()
      .references(() => catalogItems.id),
    departmentId: text("department_id")
      .notNull()
      .references(() => departments.id),
  },
  (t) => [primaryKey({ columns: [t.inspectionId, t.itemId] }), index("insp_item_idx").on(t.itemId)],
);

/** 事中登记: the checklist generated for an inspection, snapshotted so later catalog edits change nothing. */
export const checklists = sqliteTable("checklists", {
  inspectionId: text("inspection_id")
    .primaryKey()
    .references(() => inspections.id),
  /** The generated SurveyJS JSON, frozen at generation. */
  schema: text("schema").notNull(),
  /** The (partial, then final) answers. */
  data: text("data").notNull().default("{}"),
  status: text("status", { enum: ["draft", "submitted"] })
    .notNull()
    .default("draft"),
  /** Items with a 不合格 result, computed at submission (JSON array of item codes). */
  failedItems: text("failed_items").notNull().default("[]"),
  generatedAt: millis("generated_at").notNull(),
  savedAt: millis("saved_at"),
  savedBy: text("saved_by").references(() => users.id),
  submittedAt: millis("submitted_at"),
  submittedBy: text("submitted_by").references(() => users.id),
  /** Bumped by every save: a save based on an older one is refused with both versions (issue 17). */
  revision: integer("revision").notNull().default(0),
  /** The client id the submission came with, so a retried submit answers as the first did. */
  submitClientId: text("submit_client_id"),
  /** JSON array of {event, deviceAt, serverAt, skewMs, location?}: start, each photo, submit. */
  deviceTimes: text("device_times").notNull().default("[]"),
  /** 1 once any recorded device time was off the server's by more than CLOCK_SKEW_LIMIT_MINUTES. */
  clockSkewFlagged: integer("clock_skew_flagged").notNull().default(0),
});

/** Photo evidence, stored in the database so the edge deployment needs no second store. */
export const photos = sqliteTable(
  "photos",
  {
    id: text("id").primaryKey(),
    inspectionId: text("inspection_id")
      .notNull()
      .references(() => inspections.id),
    contentType: text("content_type").notNull(),
    byteSize: integer("byte_size").notNull(),
    sha256: text("sha256").notNull(),
    data: blob("data", { mode: "buffer" }).notNull(),
    uploadedBy: text("uploaded_by").references(() => users.id),
    createdAt: millis("created_at").notNull(),
    /** The page's UUID for the photo (issue 17): an offline photo uploaded twice is stored once. */
    clientId: text("client_id"),
  },
  (t) => [
    index("photos_inspection_idx").on(t.inspectionId),
    uniqueIndex("photos_inspection_client_idx").on(t.inspectionId, t.clientId),
  ],
);

/** 事后评价: one per inspection (the unique index settles concurrent submissions). */
export const evaluations = sqliteTable(
  "evaluations",
  {
    id: text("id").primaryKey(),
    inspectionId: text("inspection_id")
      .notNull()
      .references(() => inspections.id),
    formId: text("form_id").notNull(),
    version: integer("version").notNull(),
    data: text("data").notNull(),
    negative: integer("negative", { mode: "boolean" }).notNull(),
    /** JSON array of {name, value, title} for each negative answer. */
    negativeAnswers: text("negative_answers").notNull().default("[]"),
    /** Overall satisfaction as a 0–100 score when the form has one, for the dashboards. */
    score: integer("score"),
    submittedAt: millis("submitted_at").notNull(),
    /** The inspected enterprise, signed in as itself (R14); null on evaluations from before sign-in. */
    enterpriseId: text("enterprise_id").references(() => enterprises.id),
    /** HMAC of the client address (never the address itself) and the user agent, for the supervisor. */
    clientHash: text("client_hash"),
    userAgent: text("user_agent"),
    /** The address matched one a staff member used on this inspection lately: shown to supervisors only. */
    staffAddressMatch: integer("staff_address_match", { mode: "boolean" }).notNull().default(false),
  },
  (t) => [
    uniqueIndex("evaluations_inspection_unique").on(t.inspectionId),
    foreignKey({
      columns: [t.formId, t.version],
      foreignColumns: [formVersions.formId, formVersions.version],
    }),
  ],
);

export const ALERT_STATUSES = ["open", "assigned", "closed"] as const;
export const ALERT_KINDS = ["negative_evaluation", "complaint", "unregistered_visit"] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];

export const COMPLAINT_KINDS = ["unfiled_visit", "conduct", "repeat", "other"] as const;
export const COMPLAINT_STATUSES = ["received", "handling", "closed"] as const;

/** An enterprise's complaint (R14): to the 司法局, never shown to the department with its sender. */
export const complaints = sqliteTable(
  "complaints",
  {
    id: text("id").primaryKey(),
    /** The number the enterprise is given as its receipt. */
    receiptNo: text("receipt_no").notNull(),
    enterpriseId: text("enterprise_id")
      .notNull()
      .references(() => enterprises.id),
    departmentId: text("department_id")
      .notNull()
      .references(() => departments.id),
    kind: text("kind", { enum: COMPLAINT_KINDS }).notNull(),
    /** YYYY-MM-DD of the visit complained about, in the configured zone. */
    visitDate: text("visit_date").notNull(),
    inspectionId: text("inspection_id").references(() => inspections.id),
    text: text("text").notNull(),
    /** No filing of that department for that enterprise covers the visit date (未备案入企). */
    unfiledVisit: integer("unfiled_visit", { mode: "boolean" }).notNull().default(false),
    status: text("status", { enum: COMPLAINT_STATUSES }).notNull().default("received"),
    outcome: text("outcome"),
    createdAt: millis("created_at").notNull(),
    closedAt: millis("closed_at"),
  },
  (t) => [
    uniqueIndex("complaints_receipt_unique").on(t.receiptNo),
    index("complaints_enterprise_idx").on(t.enterpriseId, t.createdAt),
    index("complaints_department_idx").on(t.departmentId, t.createdAt),
    // migrations/0010_dashboard_voice.sql: complaints of a period, for the dashboard.
    index("complaints_created_idx").on(t.createdAt, t.departmentId, t.unfiledVisit, t.enterpriseId),
  ],
);

export const AVOIDANCE_STATUSES = ["pending", "replaced", "refused"] as const;

/** 回避: before the visit the enterprise names an officer and a reason; the lead department answers. */
export const avoidanceRequests = sqliteTable(
  "avoidance_requests",
  {
    id: text("id").primaryKey(),
    inspectionId: text("inspection_id")
      .notNull()
      .references(() => inspections.id),
    enterpriseId: text("enterprise_id")
      .notNull()
      .references(() => enterprises.id),
    officerId: text("officer_id")
      .notNull()
      .references(() => officers.id),
    reason: text("reason").notNull(),
    status: text("status", { enum: AVOIDANCE_STATUSES }).notNull().default("pending"),
    answer: text("answer"),
    replacementOfficerId: text("replacement_officer_id").references(() => officers.id),
    createdAt: millis("created_at").notNull(),
    answeredAt: millis("answered_at"),
    answeredBy: text("answered_by").references(() => users.id),
  },
  (t) => [index("avoidance_inspection_idx").on(t.inspectionId, t.status)],
);

/**
 * What the 司法局 must look at: a negative evaluation, a complaint, or a visit whose checklist was not
 * registered in time. Exactly one source per alert (the unique indexes keep a source from raising two).
 */
export const alerts = sqliteTable(
  "alerts",
  {
    id: text("id").primaryKey(),
    kind: text("kind", { enum: ALERT_KINDS }).notNull().default("negative_evaluation"),
    inspectionId: text("inspection_id").references(() => inspections.id),
    evaluationId: text("evaluation_id")
      .unique()
      .references(() => evaluations.id),
    complaintId: text("complaint_id")
      .unique()
      .references(() => complaints.id),
    departmentId: text("department_id")
      .notNull()
      .references(() => departments.id),
    status: text("status", { enum: ALERT_STATUSES }).notNull().default("open"),
    summary: text("summary").notNull(),
    assignedTo: text("assigned_to").references(() => users.id),
    outcome: text("outcome"),
    createdAt: millis("created_at").notNull(),
    firstHandledAt: millis("first_handled_at"),
    closedAt: millis("closed_at"),
    closedBy: text("closed_by").references(() => users.id),
  },
  (t) => [
    uniqueIndex("alerts_unregistered_unique")
      .on(t.inspectionId, t.kind)
      .where(sql`${t.kind} = 'unregistered_visit'`),
    index("alerts_status_idx").on(t.status, t.createdAt),
    index("alerts_department_idx").on(t.departmentId),
    // migrations/0005_dashboard.sql: alerts of a period, for the supervision dashboard.
    index("dashboard_alerts_created_idx").on(
      t.createdAt,
      t.departmentId,
      t.status,
      t.firstHandledAt,
      t.closedAt,
      t.inspectionId,
    ),
    // migrations/0010_dashboard_voice.sql: unregistered visits for the dashboard.
    index("alerts_unregistered_created_idx")
      .on(t.createdAt, t.inspectionId)
      .where(sql`${t.kind} = 'unregistered_visit'`),
  ],
);

export const alertEvents = sqliteTable(
  "alert_events",
  {
    id: text("id").primaryKey(),
    alertId: text("alert_id")
      .notNull()
      .references(() => alerts.id),
    at: millis("at").notNull(),
    actorId: text("actor_id").references(() => users.id),
    kind: text("kind", { enum: ["created", "assigned", "note", "closed"] }).notNull(),
    note: text("note").notNull().default(""),
  },
  (t) => [index("alert_events_alert_idx").on(t.alertId, t.at)],
);

/** Messages to external systems (webhooks), delivered with retries after the commit that made them. */
export const outbox = sqliteTable(
  "outbox",
  {
    id: text("id").primaryKey(),
    topic: text("topic").notNull(),
    payload: text("payload").notNull(),
    attempts: integer("attempts").notNull().default(0),
    nextAttemptAt: millis("next_attempt_at").notNull(),
    deliveredAt: millis("delivered_at"),
    lastError: text("last_error"),
    createdAt: millis("created_at").notNull(),
  },
  (t) => [index("outbox_due_idx").on(t.deliveredAt, t.nextAttemptAt)],
);

/**
 * Fixed-window hit counters shared by every Worker isolate (the Node server keeps them in memory).
 * One row per key; a hit in a newer window restarts the row's count.
 */
export const rateLimits = sqliteTable(
  "rate_limits",
  {
    key: text("key").primaryKey(),
    windowStart: millis("window_start").notNull(),
    count: integer("count").notNull(),
  },
  (t) => [index("rate_limits_window_idx").on(t.windowStart)],
);
