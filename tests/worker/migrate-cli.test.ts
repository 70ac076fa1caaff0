import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { openDatabase } from "../../src/db/client.ts";
import { forms, users } from "../../src/db/schema.ts";
import { startHranaStandin } from "../hrana-standin/server.ts";

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), "lianma-migrate-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("npm run db:migrate with LIBSQL_URL", () => {
  it("migrates a remote database and bootstraps it once, over HTTP", async () => {
    const standin = await startHranaStandin({ path: join(dir, "remote.db"), authToken: "tok" });
    const env = {
      ...process.env,
      LIBSQL_URL: standin.url,
      LIBSQL_AUTH_TOKEN: "tok",
      DATABASE_URL: "file:/nonexistent/x.db",
    };
    const cli = ["--import", "tsx", "src/ops/migrate-cli.ts"];
    const first = await run(process.execPath, cli, { env });
    expect(first.stdout).toMatch(/migrations applied to http:\/\/127\.0\.0\.1/);
    expect(first.stdout).toMatch(/administrator "admin" created with password: \S+/);
    const second = await run(process.execPath, cli, { env });
    expect(second.stdout).not.toMatch(/created/);

    const remote = await openDatabase({ url: standin.url, authToken: "tok" });
    expect((await remote.db.select().from(users)).map((u) => u.username)).toEqual(["admin"]);
    expect((await remote.db.select().from(forms)).length).toBeGreaterThan(0);
    remote.close();
    await standin.close();
  });
});
