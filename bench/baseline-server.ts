/**
 * The unvalidated insert ceiling: a bare Hono route that stores the same row in the same table
 * layout (the product's migrations), with the same pragmas and the same group commit as the
 * product, but no rate limit, no schema validation, no form lookup. `npm run bench` runs it beside
 * the real server; the product's submission rate is reported as a fraction of this one.
 *
 * Env: DATABASE_URL (file:…), PORT, DB_SYNCHRONOUS (default FULL), GROUP_COMMIT_MAX, INGEST_WRITER_THREAD.
 */
import { serve } from "@hono/node-server";
import { Hono } from "hono";
import { openDatabase, type SynchronousLevel } from "../src/db/client.ts";
import { runMigrations } from "../src/db/migrate.ts";
import { canonicalJson, sha256Hex } from "../src/lib/ids.ts";
import { GroupCommitter } from "../src/responses/group-commit.ts";
import { checklistSchema } from "./checklist.ts";

export const BASELINE_FORM = "baseline";

async function main() {
  const env = process.env;
  const url = env.DATABASE_URL!;
  const synchronous = (env.DB_SYNCHRONOUS?.toUpperCase() as SynchronousLevel | undefined) ?? "FULL";
  const database = await openDatabase({ url, synchronous });
  await runMigrations(database.db);
  await publishedForm(database.client);
  // The same writer as the product's server (src/node/start.ts).
  const committer = new GroupCommitter(database.client, { maxBatch: Number(env.GROUP_COMMIT_MAX) || 128 });

  const app = new Hono();
  app.post("/insert", async (c) => {
    const body = (await c.req.json()) as { id: string; version: number; data: unknown };
    const outcome = await committer.write({
      id: body.id,
      formId: BASELINE_FORM,
      version: body.version,
      data: JSON.stringify(body.data),
      bodyHash: sha256Hex(canonicalJson({ formId: BASELINE_FORM, version: body.version, data: body.data })),
      submittedAt: Date.now(),
    });
    return c.json({ id: body.id }, outcome.kind === "inserted" ? 201 : 200);
  });
  // The bare read route: the schema row read from libSQL per request, parsed and serialized, with
  // nothing else (no session, no router table, no cache). The product's public schema GET and the
  // public inspection data are reported against it.
  app.get("/read/:id", async (c) => {
    const rs = await database.client.execute({
      sql: "SELECT f.title, v.version, v.schema FROM forms f JOIN form_versions v ON v.form_id = f.id AND v.version = f.published_version WHERE f.id = ? AND f.status = 'published'",
      args: [c.req.param("id")],
    });
    const row = rs.rows[0];
    if (!row) return c.json({ error: "not found" }, 404);
    const schema = JSON.parse(String(row.schema)) as unknown;
    return c.json({ id: c.req.param("id"), title: row.title, version: row.version, schema });
  });
  app.get("/healthz", (c) => c.json({ ok: true }));
  serve({ fetch: app.fetch, port: Number(env.PORT), hostname: "127.0.0.1" }, () =>
    console.log("baseline listening"),
  );
  // A clean exit, so that `node --cpu-prof` (npm run bench:profile -- --baseline) writes its profile.
  process.on("SIGTERM", () => process.exit(0));
}

/** The form row the responses' foreign key and the commit guard need. */
async function publishedForm(client: import("@libsql/client").Client) {
  const now = Date.now();
  const schema = JSON.stringify(checklistSchema());
  await client.batch(
    [
      {
        sql: "INSERT OR IGNORE INTO forms (id, kind, title, draft_schema, status, latest_version, published_version, created_at, updated_at) VALUES (?, 'checklist', 'baseline', ?, 'published', 1, 1, ?, ?)",
        args: [BASELINE_FORM, schema, now, now],
      },
      {
        sql: "INSERT OR IGNORE INTO form_versions (form_id, version, title, schema, published_at) VALUES (?, 1, 'baseline', ?, ?)",
        args: [BASELINE_FORM, schema, now],
      },
    ],
    "write",
  );
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
