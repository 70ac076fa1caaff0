import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { enterprises, users } from "./schema-core.ts";

const millis = (name: string) => integer(name, { mode: "number" });

/**
 * An enterprise signed in as itself (issue 13, R14): a session of its own, never a staff session.
 * The primary key is the SHA-256 of the cookie token, so a leaked table does not leak sessions.
 */
export const enterpriseSessions = sqliteTable(
  "enterprise_sessions",
  {
    id: text("id").primaryKey(),
    enterpriseId: text("enterprise_id")
      .notNull()
      .references(() => enterprises.id, { onDelete: "cascade" }),
    csrfToken: text("csrf_token").notNull(),
    /** How the session was started: `sms` or `activation`. */
    method: text("method", { enum: ["sms", "activation"] }).notNull(),
    /** Client trace: a keyed hash of the address (never the address itself) and the user agent. */
    ipHash: text("ip_hash"),
    userAgent: text("user_agent"),
    createdAt: millis("created_at").notNull(),
    expiresAt: millis("expires_at").notNull(),
  },
  (t) => [index("enterprise_sessions_enterprise_idx").on(t.enterpriseId)],
);

/**
 * The SMS one-time code of an enterprise: one pending code at a time (a new one replaces it), stored
 * as an HMAC so the table does not hold a usable code; `tries` counts wrong answers up to the lock.
 */
export const enterpriseLoginCodes = sqliteTable("enterprise_login_codes", {
  enterpriseId: text("enterprise_id")
    .primaryKey()
    .references(() => enterprises.id, { onDelete: "cascade" }),
  codeHash: text("code_hash").notNull(),
  /** The number it was sent to, so a later change of the directory's phone is visible in support. */
  phone: text("phone").notNull(),
  tries: integer("tries").notNull().default(0),
  createdAt: millis("created_at").notNull(),
  expiresAt: millis("expires_at").notNull(),
});

/**
 * A one-time activation token printed on a letter for an enterprise without a phone on file. Only
 * its hash is stored; reprinting revokes the live one, using it sets `used_at`.
 */
export const enterpriseActivationTokens = sqliteTable(
  "enterprise_activation_tokens",
  {
    id: text("id").primaryKey(),
    enterpriseId: text("enterprise_id")
      .notNull()
      .references(() => enterprises.id, { onDelete: "cascade" }),
    tokenHash: text("token_hash").notNull(),
    createdAt: millis("created_at").notNull(),
    expiresAt: millis("expires_at").notNull(),
    usedAt: millis("used_at"),
    /** The session its use started (claims the token in the same statement, so it starts only one). */
    sessionId: text("session_id"),
    revokedAt: millis("revoked_at"),
    printedBy: text("printed_by").references(() => users.id),
  },
  (t) => [
    uniqueIndex("enterprise_activation_token_unique").on(t.tokenHash),
    index("enterprise_activation_enterprise_idx").on(t.enterpriseId),
  ],
);
