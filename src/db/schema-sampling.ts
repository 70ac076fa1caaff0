/** sampling tables (issue 4). Re-exported by schema.ts. */
export {};
