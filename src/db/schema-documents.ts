/** Official documents issued as PDF (issue 17). Re-exported by schema.ts. */
import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { inspections, millis, users } from "./schema-core.ts";

/** 行政检查通知书 (once approved) and 现场检查笔录 / 检查结果告知书 (once registered). */
export const DOCUMENT_KINDS = ["notice", "record"] as const;
export type DocumentKind = (typeof DOCUMENT_KINDS)[number];
/** Who first asked for the document: staff, the enterprise in its portal, or the holder of the code. */
export const DOCUMENT_CHANNELS = ["staff", "enterprise", "code"] as const;

/**
 * One row per distinct PDF ever issued for an inspection: the same record renders to the same bytes,
 * so a re-download finds its row; a changed record renders new bytes, a new version, and the old
 * version's hash stays here (and in the audit chain) to verify a copy someone kept.
 */
export const issuedDocuments = sqliteTable(
  "issued_documents",
  {
    id: text("id").primaryKey(),
    inspectionId: text("inspection_id")
      .notNull()
      .references(() => inspections.id),
    kind: text("kind", { enum: DOCUMENT_KINDS }).notNull(),
    version: integer("version").notNull(),
    sha256: text("sha256").notNull(),
    byteSize: integer("byte_size").notNull(),
    issuedAt: millis("issued_at").notNull(),
    issuedBy: text("issued_by").references(() => users.id),
    channel: text("channel", { enum: DOCUMENT_CHANNELS }).notNull(),
  },
  (t) => [
    uniqueIndex("issued_documents_hash_idx").on(t.inspectionId, t.kind, t.sha256),
    uniqueIndex("issued_documents_version_idx").on(t.inspectionId, t.kind, t.version),
    index("issued_documents_sha_idx").on(t.sha256),
  ],
);
