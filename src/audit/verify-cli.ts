/**
 * `npm run audit:verify [-- --url <url>] [--expect <id>:<hash>] [--no-seal]`: recomputes the audit hash
 * chain (src/audit/chain.ts) and prints OK with the count and the head, or the first broken entry.
 * Exit code 0 when the chain holds (and the expected anchor is on it), 1 otherwise, 2 on bad usage.
 *
 * The database is `--url`, else LIBSQL_URL (with LIBSQL_AUTH_TOKEN), else DATABASE_URL, else the Node
 * server's file. Before checking, it seals what is pending (safe beside a running server); `--no-seal`
 * only reads, e.g. on a backup copy. `--expect` checks an anchor recorded earlier from the output of a
 * previous run (kept off the machine): whoever can write the database could rebuild the whole chain,
 * but not one that still contains the recorded head.
 */
import { eq } from "drizzle-orm";
import { pathToFileURL } from "node:url";
import { openDatabase, type Db } from "../db/client.ts";
import { auditLog } from "../db/schema.ts";
import { redact } from "../db/export-import.ts";
import { sealAuditLog, verifyAuditChain, type ChainReport } from "./chain.ts";

interface Options {
  url: string;
  authToken?: string;
  seal: boolean;
  expect?: { id: number; hash: string };
}

function parseArgs(args: string[]): Options | string {
  const value = (flag: string) => {
    const i = args.indexOf(flag);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const url = value("--url") || process.env.LIBSQL_URL || process.env.DATABASE_URL || "file:./data/lianma.db";
  const anchor = value("--expect");
  let expect: Options["expect"];
  if (anchor !== undefined) {
    const m = /^(\d+):([0-9a-f]{64})$/.exec(anchor);
    if (!m) return "--expect wants <id>:<64 hex characters>, as printed by a previous run";
    expect = { id: Number(m[1]), hash: m[2]! };
  }
  return {
    url,
    authToken: process.env.LIBSQL_AUTH_TOKEN || undefined,
    seal: !args.includes("--no-seal"),
    expect,
  };
}

/** Checks that the recorded anchor entry still carries the recorded hash (the chain was verified up to it). */
async function anchorProblem(db: Db, report: ChainReport, expect: NonNullable<Options["expect"]>) {
  if (!report.head || report.head.id < expect.id) return `entry ${expect.id} is not on the verified chain`;
  const [row] = await db.select({ hash: auditLog.hash }).from(auditLog).where(eq(auditLog.id, expect.id));
  if (row?.hash !== expect.hash) return `entry ${expect.id} no longer has the recorded hash`;
  return null;
}

async function main(args: string[]): Promise<number> {
  const options = parseArgs(args);
  if (typeof options === "string") {
    console.error(
      `${options}\nusage: npm run audit:verify [-- --url <url>] [--expect <id>:<hash>] [--no-seal]`,
    );
    return 2;
  }
  const database = await openDatabase({ url: options.url, authToken: options.authToken });
  try {
    const sealed = options.seal ? await sealAuditLog(database.db) : 0;
    const report = await verifyAuditChain(database.db);
    const where = redact(options.url);
    if (!report.ok) {
      console.error(
        `BROKEN ${where}: audit entry #${report.broken!.id}: ${report.broken!.reason} ` +
          `(${report.verified} entries before it verify)`,
      );
      return 1;
    }
    const problem = options.expect ? await anchorProblem(database.db, report, options.expect) : null;
    if (problem) {
      console.error(`BROKEN ${where}: ${problem} (the chain was rebuilt or cut)`);
      return 1;
    }
    const head = report.head ? `head #${report.head.id} ${report.head.hash}` : "empty";
    console.log(
      `OK ${where}: ${report.verified} audit entries verified, ${head}` +
        (sealed ? `; sealed ${sealed} pending` : "") +
        (report.pending ? `; ${report.pending} appended since, not sealed yet` : ""),
    );
    return 0;
  } finally {
    database.close();
  }
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
