// `npm run db:migrate`: applies migrations/ to DATABASE_URL (a file, or a libSQL server over HTTP).
import { openDatabase } from "./client.ts";
import { runMigrations } from "./migrate.ts";

const url = process.env.DATABASE_URL || process.env.LIBSQL_URL || "file:./data/lianma.db";
const database = await openDatabase({ url, authToken: process.env.LIBSQL_AUTH_TOKEN });
await runMigrations(database.db);
database.close();
console.log(`migrations applied to ${url.replace(/\/\/[^@/]*@/, "//***@")}`);
