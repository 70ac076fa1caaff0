/**
 * `npm run admin:reset-password -- <username>`: a new password for an account, set on the server
 * (for a lost administrator password). The new password is NEW_PASSWORD from the environment, or a
 * generated one printed once. The database is DATABASE_URL (with LIBSQL_AUTH_TOKEN), else the Node
 * server's file. Ends the account's sessions; writes an audit line (sealed at the next start).
 * Exit code 0 on success, 1 when there is no such account, 2 on bad usage.
 */
import { pathToFileURL } from "node:url";
import { openDatabase } from "../db/client.ts";
import { runMigrations } from "../db/migrate.ts";
import { resetPassword } from "./reset-password.ts";

async function main(args: string[]): Promise<number> {
  const username = args.find((a) => !a.startsWith("-"));
  if (!username) {
    console.error(
      "用法：npm run admin:reset-password -- <用户名>   （新密码取 NEW_PASSWORD，未设置则自动生成）",
    );
    return 2;
  }
  const url = process.env.DATABASE_URL || "file:./data/lianma.db";
  const database = await openDatabase({ url, authToken: process.env.LIBSQL_AUTH_TOKEN || undefined });
  try {
    await runMigrations(database.db);
    const result = await resetPassword(database.db, username, process.env.NEW_PASSWORD || undefined);
    if (!result) {
      console.error(`没有用户 ${username}`);
      return 1;
    }
    console.log(`已重置 ${result.username} 的密码，并结束其所有登录。`);
    if (result.generated) console.log(`新密码（只显示这一次）：${result.password}`);
    return 0;
  } finally {
    database.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(err instanceof Error ? err.message : err);
      process.exit(2);
    },
  );
}
