/**
 * The drizzle entry (drizzle.config.ts, db/client.ts): the shared tables of schema-core.ts and every
 * feature's tables. Feature schema files import schema-core.ts, never this file, so no module imports
 * its own re-exporter.
 */
export * from "./schema-core.ts";
export * from "./schema-sampling.ts";
export * from "./schema-planning.ts";
export * from "./schema-dashboard.ts";
export * from "./schema-enterprise.ts";
export * from "./schema-joins.ts";
export * from "./schema-documents.ts";
export * from "./schema-actions.ts";
export * from "./schema-cases.ts";
export * from "./schema-reviews.ts";
export * from "./schema-public-revision.ts";
