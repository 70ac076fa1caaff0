import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, expect, it } from "vitest";
import { openDatabase, type Database } from "../../src/db/client.ts";
import { runMigrations } from "../../src/db/migrate.ts";
import { GroupCommitter, type ResponseRow } from "../../src/responses/group-commit.ts";
import { WriterThread } from "../../src/responses/writer-thread.ts";

// The writer thread opens its own connection to a database file: Node only, files on disk.

let dir: string;
let url: string;
let database: Database;
let thread: WriterThread | undefined;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "lianma-writer-"));
  url = `file:${join(dir, "test.db")}`;
  database = await openDatabase({ url });
  await runMigrations(database.db);
  const now = Date.now();
  await database.client.batch(
    [
      {
        sql: "INSERT INTO forms (id, kind, title, draft_schema, status, latest_version, published_version, created_at, updated_at) VALUES ('f', 'survey', 't', '{}', 'published', 1, 1, ?, ?)",
        args: [now, now],
      },
      {
        sql: "INSERT INTO form_versions (form_id, version, title, schema, published_at) VALUES ('f', 1, 't', '{}', ?)",
        args: [now],
      },
    ],
    "write",
  );
});

afterEach(async () => {
  await thread?.close();
  thread = undefined;
  database.close();
  rmSync(dir, { recursive: true, force: true });
});

const row = (over: Partial<ResponseRow> = {}): ResponseRow => ({
  id: randomUUID(),
  formId: "f",
  version: 1,
  data: "{}",
  bodyHash: "h",
  submittedAt: Date.now(),
  ...over,
});

it("commits group-committed rows on its own connection, visible to the main one at acknowledgement", async () => {
  thread = await WriterThread.start({ url, synchronous: "FULL" });
  const committer = new GroupCommitter(thread);
  const id = randomUUID();
  const settled = await Promise.allSettled([
    committer.write(row({ id })),
    committer.write(row({ id, bodyHash: "other" })),
    committer.write(row({ version: 99 })),
    committer.write(row()),
  ]);
  expect(settled.map((s) => (s.status === "fulfilled" ? s.value.kind : "rejected"))).toEqual([
    "inserted",
    "exists",
    "rejected",
    "inserted",
  ]);
  const count = await database.client.execute("SELECT count(*) FROM responses");
  expect(Number(count.rows[0]![0])).toBe(2);
});

it("fails to start, instead of serving, when it cannot open the database", async () => {
  await expect(WriterThread.start({ url: `file:${dir}`, synchronous: "FULL" })).rejects.toThrow(
    /writer thread/,
  );
});
