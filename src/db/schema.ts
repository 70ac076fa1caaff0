import { foreignKey, index, integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";

/** Epoch milliseconds; the API turns them into ISO strings. */
const millis = (name: string) => integer(name, { mode: "number" });

export const settings = sqliteTable("settings", {
  key: text("key").primaryKey(),
  value: text("value").notNull(),
});

export const departments = sqliteTable("departments", {
  id: text("id").primaryKey(),
  code: text("code").notNull().unique(),
  name: text("name").notNull(),
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

export const FORM_KINDS = ["checklist", "evaluation", "survey"] as const;
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
  },
  (t) => [index("audit_at_idx").on(t.at), index("audit_target_idx").on(t.targetType, t.targetId)],
);
