/**
 * `npm run db:backup -- <dest.db>` and `npm run db:restore -- <backup.db> [--force]` (src/ops/backup.ts).
 *
 * The database is `--url <file:…>`, else LIBSQL_URL, else DATABASE_URL, else the Node server's
 * `file:./data/lianma.db` (the same order as db:export). Only an embedded file can be backed up this
 * way; a libSQL server is refused with a pointer to db:export. Prints the rows per table of the copy
 * and the state of its audit chain; exits 1 on any failure, 2 on bad usage.
 */
import { pathToFileURL } from "node:url";
import { redact } from "../db/export-import.ts";
import { backupDatabase, restoreDatabase, type CopyReport } from "./backup.ts";

const USAGE =
  "usage: npm run db:backup -- <dest.db> [--url file:…]   |   npm run db:restore -- <backup.db> [--url file:…] [--force]";

function summary(report: CopyReport): string {
  const rows = Object.values(report.tables).reduce((a, b) => a + b, 0);
  const { audit } = report;
  const chain = audit.ok
    ? `audit chain OK (${audit.verified} entries${audit.head ? `, head #${audit.head.id} ${audit.head.hash}` : ""}` +
      `${audit.pending ? `, ${audit.pending} not sealed yet` : ""})`
    : `audit chain BROKEN at #${audit.broken!.id}: ${audit.broken!.reason}`;
  return `${Object.keys(report.tables).length} tables, ${rows} rows; integrity_check ok; ${chain}`;
}

function positional(args: string[]): string[] {
  return args.filter((a, i) => !a.startsWith("--") && args[i - 1] !== "--url");
}

async function main(args: string[]): Promise<number> {
  const [command, file] = positional(args);
  if ((command !== "backup" && command !== "restore") || !file) {
    console.error(USAGE);
    return 2;
  }
  const urlAt = args.indexOf("--url");
  const url =
    (urlAt >= 0 ? args[urlAt + 1] : undefined) ||
    process.env.LIBSQL_URL ||
    process.env.DATABASE_URL ||
    "file:./data/lianma.db";
  const report =
    command === "backup"
      ? await backupDatabase(url, file)
      : await restoreDatabase(file, url, { force: args.includes("--force") });
  const [from, to] = command === "backup" ? [redact(url), file] : [file, redact(url)];
  console.log(`${command === "backup" ? "backed up" : "restored"} ${from} → ${to}: ${summary(report)}`);
  // The copy is faithful either way; a broken chain is the original's, and must not pass unnoticed.
  return report.audit.ok ? 0 : 1;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error) => {
      console.error(String(error?.message ?? error));
      process.exit(1);
    },
  );
}
