/** The public revision stamp (issue 17). Re-exported by schema.ts; SQL and its triggers in migrations/0018_public_revision.sql. */
import { integer, sqliteTable } from "drizzle-orm/sqlite-core";

/** One row (id 1) whose `n` changes with every write to a table the public inspection view reads. */
export const publicRevision = sqliteTable("public_revision", {
  id: integer("id").primaryKey(),
  n: integer("n").notNull(),
});
