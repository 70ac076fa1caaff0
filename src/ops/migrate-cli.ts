// `npm run db:migrate`: applies migrations/ to the database, then creates what a fresh database needs
// (the first administrator, the sample forms of forms/), exactly as the Node server does on start.
// The Worker never migrates: run this against the libSQL server before deploying a new version.
//
//   LIBSQL_URL=libsql://… LIBSQL_AUTH_TOKEN=… npm run db:migrate     a libSQL server (Turso, sqld)
//   npm run db:migrate                                               DATABASE_URL, or ./data/lianma.db
//   npm run db:migrate -- --url <url>   --no-bootstrap               explicit target; migrations only
import { fileURLToPath } from "node:url";
import { ensureAdmin, seedForms } from "../bootstrap.ts";
import { openDatabase } from "../db/client.ts";
import { redact } from "../db/export-import.ts";
import { runMigrations } from "../db/migrate.ts";

const args = process.argv.slice(2);
const flag = args.indexOf("--url");
const url =
  (flag >= 0 ? args[flag + 1] : undefined) ||
  process.env.LIBSQL_URL ||
  process.env.DATABASE_URL ||
  "file:./data/lianma.db";
const database = await openDatabase({ url, authToken: process.env.LIBSQL_AUTH_TOKEN || undefined });
await runMigrations(database.db);
console.log(`migrations applied to ${redact(url)}`);

if (!args.includes("--no-bootstrap")) {
  const adminName = process.env.ADMIN_USERNAME || "admin";
  const admin = await ensureAdmin(database.db, adminName, process.env.ADMIN_PASSWORD || undefined);
  if (admin.created) {
    console.log(
      `administrator "${adminName}" created` +
        (admin.generatedPassword ? ` with password: ${admin.generatedPassword}` : ""),
    );
  }
  if (process.env.SEED_FORMS !== "0") {
    const seeded = await seedForms(database.db, fileURLToPath(new URL("../../forms", import.meta.url)));
    if (seeded.length) console.log(`seeded forms: ${seeded.join(", ")}`);
  }
}
database.close();
