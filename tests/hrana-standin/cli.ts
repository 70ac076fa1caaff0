// `npm run standin -- [--port 8080] [--db ./data/standin.db] [--token <t>]`: the Hrana stand-in as a
// process, for `npm run dev:worker` on a laptop without sqld. Tests only — never production.
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { openDatabase } from "../../src/db/client.ts";
import { runMigrations } from "../../src/db/migrate.ts";
import { startHranaStandin } from "./server.ts";

const args = process.argv.slice(2);
const opt = (name: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const path = opt("db") ?? "./data/standin.db";
const authToken = opt("token");
mkdirSync(dirname(path), { recursive: true });
const standin = await startHranaStandin({ path, authToken, port: Number(opt("port") ?? 8080) });
const database = await openDatabase({ url: standin.url, authToken });
await runMigrations(database.db);
database.close();
console.log(`Hrana stand-in (tests only) serving ${path} at ${standin.url} — migrated`);
console.log(`  LIBSQL_URL=${standin.url}${authToken ? " LIBSQL_AUTH_TOKEN=…" : ""}`);
const stop = () => standin.close().then(() => process.exit(0));
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
